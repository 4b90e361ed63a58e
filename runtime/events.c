/*
 * events.c - fills, loads and copies clipped to pmem regions (see
 * events.h).
 */
#include "events.h"

#include "rt.h"

void pmt_event_fill(struct pmt_thread *t, struct __pmt_site *site,
                    uint64_t addr, uint64_t len, uint8_t byte)
{
    const struct pmt_region_table *tab = pmt_regions();
    uint64_t end = pmt_range_end(addr, len), lo, hi;
    for (uint32_t i = 0; i < tab->count && tab->r[i].lo < end; i++) {
        if (!pmt_region_clip(&tab->r[i], addr, end, &lo, &hi))
            continue;
        struct pmt_body_fill body = {.addr = lo, .len = hi - lo, .byte = byte};
        pmt_emit_fixed(t, PMT_STORE_FILL, 0, pmt_site_id(t, site), &body,
                       sizeof(body));
    }
}

void pmt_event_load(struct pmt_thread *t, struct __pmt_site *site,
                    uint64_t addr, uint64_t len)
{
    const struct pmt_region_table *tab = pmt_regions();
    uint64_t end = pmt_range_end(addr, len), lo, hi;
    for (uint32_t i = 0; i < tab->count && tab->r[i].lo < end; i++)
        if (pmt_region_clip(&tab->r[i], addr, end, &lo, &hi))
            pmt_emit_range(t, PMT_LOAD, 0, pmt_site_id(t, site), lo, hi - lo);
}

void pmt_event_copy(struct pmt_thread *t, struct __pmt_site *site, uint64_t dst,
                    uint64_t src, uint64_t len)
{
    if (pmt_rt_loads_traced())
        pmt_event_load(t, site, src, len);
    pmt_event_store(t, PMT_STORE, 0, site, dst, len);
}
