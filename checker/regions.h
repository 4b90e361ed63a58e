/*
 * regions.h - the pmem regions a trace mapped, kept sorted by address so an
 * address is classified by binary search (region_lookup).
 *
 * Regions are few (pools and mapped files), so a sorted array is the
 * simplest structure that is also fast. Regions of one trace do not
 * overlap; a REGION_MAP that overlaps one still mapped replaces it (the
 * runtime saw the old mapping go away without an unmap).
 */
#ifndef PMC_REGIONS_H
#define PMC_REGIONS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct region_table {
    struct pmc_region *items; /* sorted by addr */
    size_t count;
    size_t cap;
};

void region_table_init(struct region_table *t);
void region_table_destroy(struct region_table *t);

/* Add a copy of r. Returns 0, or -1 without memory. */
int region_table_add(struct region_table *t, const struct pmc_region *r);

/* Remove every region that [addr, addr + len) covers entirely. */
void region_table_remove_range(struct region_table *t, uint64_t addr,
                               uint64_t len);

/* The region holding addr, or NULL. */
const struct pmc_region *region_lookup(const struct region_table *t,
                                       uint64_t addr);

/* The lowest region that meets [addr, addr + len), or NULL. */
const struct pmc_region *region_lookup_range(const struct region_table *t,
                                             uint64_t addr, uint64_t len);

/* The end of [addr, addr + len) without wrapping past the address space. */
uint64_t range_end(uint64_t addr, uint64_t len);

#endif /* PMC_REGIONS_H */
