/*
 * events.h - the program's memory events as the persistency model needs
 * them, shared by the pass's entry points and the call hooks.
 *
 * Contract (t from pmt_stream_enter()):
 *  - Stores, fills and loads are clipped to the pmem regions: only the
 *    parts inside a region are recorded, one record (or one split data
 *    record) per region met, in address order. DRAM is never recorded.
 *  - Flushes and fences are recorded wherever they point (the checker
 *    reports flushes of DRAM).
 *  - t->pending counts flushes and NT stores not yet followed by a fence;
 *    a fence (or a locked store to pmem) clears it. A locked RMW elsewhere
 *    is recorded as a fence only while it is non-zero.
 */
#ifndef PMT_EVENTS_H
#define PMT_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "emit.h"
#include "names.h"
#include "regions.h"

/* STORE / NT_STORE (kind) of the bytes now at [addr, addr + size); true
 * when some part was pmem. */
static inline bool pmt_event_store(struct pmt_thread *t, unsigned kind,
                                   unsigned uflags, struct __pmt_site *site,
                                   uint64_t addr, uint64_t size)
{
    const struct pmt_region_table *tab = pmt_regions();
    uint64_t end = pmt_range_end(addr, size), lo, hi;
    bool recorded = false;
    for (uint32_t i = 0; i < tab->count && tab->r[i].lo < end; i++) {
        if (!pmt_region_clip(&tab->r[i], addr, end, &lo, &hi))
            continue;
        pmt_emit_data(t, kind, uflags, pmt_site_id(t, site), lo,
                      (const void *)lo, hi - lo);
        recorded = true;
    }
    if (recorded && kind == PMT_NT_STORE)
        t->pending++;
    return recorded;
}

void pmt_event_fill(struct pmt_thread *t, struct __pmt_site *site,
                    uint64_t addr, uint64_t len, uint8_t byte);

void pmt_event_load(struct pmt_thread *t, struct __pmt_site *site,
                    uint64_t addr, uint64_t len);

/* A copy done: LOAD of the source's pmem part when loads are traced, then
 * STORE of the destination's. */
void pmt_event_copy(struct pmt_thread *t, struct __pmt_site *site, uint64_t dst,
                    uint64_t src, uint64_t len);

/* FLUSH; kind is a PMT_FLUSH_* value. */
static inline void pmt_event_flush(struct pmt_thread *t,
                                   struct __pmt_site *site, uint64_t addr,
                                   uint64_t len, unsigned kind)
{
    pmt_emit_range(t, PMT_FLUSH, kind, pmt_site_id(t, site), addr, len);
    t->pending++;
}

/* FENCE; kind is a PMT_FENCE_* value. */
static inline void pmt_event_fence(struct pmt_thread *t,
                                   struct __pmt_site *site, unsigned kind)
{
    pmt_emit_fixed(t, PMT_FENCE, kind, pmt_site_id(t, site), NULL, 0);
    t->pending = 0;
}

#endif /* PMT_EVENTS_H */
