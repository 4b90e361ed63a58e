/*
 * regions.h - the table of pmem regions and the hull the pass tests inline.
 *
 * Contract:
 *  - The table is an immutable array sorted by address, published by
 *    pointer swap (release) under a mutex; readers (every hull hit) load
 *    the pointer and scan it with no lock. Tables replaced are kept on a
 *    list, never freed: a reader may still be scanning one, and programs
 *    map few regions.
 *  - __pmt_hull is kept to the hull of all regions (store_lo/span; the load
 *    hull equals it only when loads are traced). A hit is not a verdict:
 *    callers check the table (pmt_region_clip).
 *  - pmt_regions_add() refuses (-1) a range that overlaps a known region.
 *    It writes REGION_MAP, then REGION_DATA records for the region's
 *    initial content (only non-zero data: file holes and all-zero 4 KiB
 *    pages are skipped), and only then publishes the region, so every
 *    record about the region's memory has a larger seq than its REGION_MAP.
 *  - pmt_regions_remove() removes every region meeting the range, whole,
 *    with a REGION_UNMAP record each, and returns how many.
 */
#ifndef PMT_REGIONS_H
#define PMT_REGIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "pmtrace_abi.h"
#include "stream.h"

struct pmt_region {
    uint64_t lo;
    uint64_t len;
    uint32_t number; /* 1.., never reused in a trace */
    uint32_t flags;  /* PMT_REGION_* */
};

struct pmt_region_table {
    uint32_t count;
    struct pmt_region_table *replaced; /* older tables, kept */
    struct pmt_region r[];
};

extern struct pmt_region_table *pmt_region_table_published;

static inline const struct pmt_region_table *pmt_regions(void)
{
    return __atomic_load_n(&pmt_region_table_published, __ATOMIC_ACQUIRE);
}

/* The part [*lo, *hi) of [addr, end) inside region r, if any. */
static inline bool pmt_region_clip(const struct pmt_region *r, uint64_t addr,
                                   uint64_t end, uint64_t *lo, uint64_t *hi)
{
    uint64_t r_end = r->lo + r->len;
    *lo = addr > r->lo ? addr : r->lo;
    *hi = end < r_end ? end : r_end;
    return *lo < *hi;
}

/* addr + len, saturated: ranges near the top of the address space. */
static inline uint64_t pmt_range_end(uint64_t addr, uint64_t len)
{
    return addr + len < addr ? UINT64_MAX : addr + len;
}

/* Does [addr, addr + len) meet the store hull? A cheap filter for hooks
 * that every libc call goes through. */
static inline bool pmt_hull_meets(uint64_t addr, uint64_t len)
{
    uint64_t lo = __atomic_load_n(&__pmt_hull.store_lo, __ATOMIC_RELAXED);
    uint64_t span = __atomic_load_n(&__pmt_hull.store_span, __ATOMIC_RELAXED);
    return span != 0 && addr < lo + span && pmt_range_end(addr, len) > lo;
}

/* What the runtime knows of a new region. */
struct pmt_region_source {
    uint64_t addr;
    uint64_t len;
    const char *name;     /* file path or registered name */
    uint32_t flags;       /* PMT_REGION_* */
    int fd;               /* the file, for its holes; -1: none */
    uint64_t file_offset; /* of addr in the file */
};

int pmt_regions_add(struct pmt_thread *t, const struct pmt_region_source *src,
                    struct __pmt_site *site);

int pmt_regions_remove(struct pmt_thread *t, uint64_t addr, uint64_t len,
                       struct __pmt_site *site);

/* Empty the hulls (tracing stops): instrumented code stops calling in. */
void pmt_regions_hide(void);

/* REGION_DATA records for the non-zero content of [addr, addr + len),
 * mapped from fd at file_offset when fd >= 0 (region_content.c). */
void pmt_region_content(struct pmt_thread *t, uint32_t site, uint64_t addr,
                        uint64_t len, int fd, uint64_t file_offset);

#endif /* PMT_REGIONS_H */
