/*
 * names.h - the trace's string and site tables.
 *
 * Contract:
 *  - A string gets an id (1..) the first time it is seen, and a STRING
 *    record in the calling thread's stream. Strings are interned by
 *    content, which covers the pass's promise (equal pointers, equal
 *    strings) and also strings from different modules, names built at run
 *    time (markers) and modules unloaded and replaced at the same address.
 *  - A site (struct __pmt_site, emitted by the pass) gets its id the first
 *    time it is used: under a mutex, checking again inside, its strings
 *    are interned, a SITE record is written, and only then the id is
 *    published with a release store. A thread that reads the id with an
 *    acquire load takes its own sequence numbers after that, so every
 *    STRING and SITE record has a smaller seq than any record using its id.
 */
#ifndef PMT_NAMES_H
#define PMT_NAMES_H

#include <stdint.h>

#include "pmtrace_abi.h"
#include "stream.h"

/* The id of a string, 0 for NULL. */
uint32_t pmt_names_string(struct pmt_thread *t, const char *text);

uint32_t pmt_names_define_site(struct pmt_thread *t, struct __pmt_site *site);

/* The id of a site, 0 for none (calls from outside instrumented code). */
static inline uint32_t pmt_site_id(struct pmt_thread *t,
                                   struct __pmt_site *site)
{
    if (site == NULL)
        return 0;
    uint32_t id = __atomic_load_n(&site->id, __ATOMIC_ACQUIRE);
    if (__builtin_expect(id != 0, 1))
        return id;
    return pmt_names_define_site(t, site);
}

#endif /* PMT_NAMES_H */
