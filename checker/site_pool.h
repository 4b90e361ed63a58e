/*
 * site_pool.h - source sites of traces other than the one checked: the
 * recovery runs' traces of `pmcheck crash --loads`, whose loads a
 * cross-failure-read finding names next to the checked trace's stores.
 *
 * A finding names sites by the checked trace's ids (finding.h). A site of
 * another trace gets an id of the pool's instead, at or above
 * PMC_SITE_POOL_BASE, which no trace reaches (ids are dense from 1), so one
 * uint32_t names a site of either kind and the results database maps both
 * to source locations. An equal site (file, dir, line, column, function)
 * added again, from any trace, gets the same id.
 *
 * Thread-safe: the crash explorer's jobs add sites while the caller's
 * thread looks them up to store findings. A site's strings are copied in
 * and stay valid, at the same address, until the pool is freed; memory is
 * the distinct sites added.
 */
#ifndef PMC_SITE_POOL_H
#define PMC_SITE_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "trace.h"

#define PMC_SITE_POOL_BASE 0x80000000u

struct pmc_site_pool;

/* NULL without memory. */
struct pmc_site_pool *pmc_site_pool_new(void);
void pmc_site_pool_free(struct pmc_site_pool *p);

/* The pool's id of site s (copied in), or 0 without memory. */
uint32_t pmc_site_pool_add(struct pmc_site_pool *p, const struct pmc_site *s);

/* The site of a pool id; NULL when id is not one of the pool's. */
const struct pmc_site *pmc_site_pool_get(struct pmc_site_pool *p, uint32_t id);

/* Is id a pool's id rather than a trace's? */
static inline bool pmc_site_pool_owns(uint32_t id)
{
    return id >= PMC_SITE_POOL_BASE;
}

/* The site of id whichever names it: the pool (p may be NULL) or trace t. */
const struct pmc_site *pmc_site_pool_resolve(struct pmc_site_pool *p,
                                             const struct pmc_trace *t,
                                             uint32_t id);

#endif /* PMC_SITE_POOL_H */
