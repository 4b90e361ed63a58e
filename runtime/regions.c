/*
 * regions.c - the region table and the hull (see regions.h).
 */
#include "regions.h"

#include <pthread.h>
#include <stdlib.h>

#include "emit.h"
#include "names.h"
#include "rt.h"

/* Read by the inline test after every instrumented store; written only when
 * regions come and go. Its own cache line keeps it away from written
 * data. */
PMT_EXPORT _Alignas(64) struct __pmt_hull __pmt_hull;

static struct pmt_region_table no_regions;
struct pmt_region_table *pmt_region_table_published = &no_regions;

static struct {
    pthread_mutex_t lock; /* serialises changes; readers take no lock */
    uint32_t last_number;
} regions = {.lock = PTHREAD_MUTEX_INITIALIZER};

static struct pmt_region_table *table_alloc(uint32_t count)
{
    struct pmt_region_table *tab =
        malloc(sizeof(*tab) + count * sizeof(tab->r[0]));
    if (tab != NULL) {
        tab->count = count;
        tab->replaced = NULL;
    }
    return tab;
}

static bool meets_any(const struct pmt_region_table *tab, uint64_t addr,
                      uint64_t end)
{
    uint64_t lo, hi;
    for (uint32_t i = 0; i < tab->count; i++)
        if (pmt_region_clip(&tab->r[i], addr, end, &lo, &hi))
            return true;
    return false;
}

/*
 * Hull fields change in the order span 0, lo, span: a reader that loads
 * the new lo sees span 0 or the new span (x86 keeps stores in order), never
 * an old span stretched from a new lo. A reader can still pair an old lo
 * with a new span while a region comes or goes; that costs at most a
 * needless table lookup, or misses a store that races with the mapping of
 * its own region, which the program cannot order either.
 */
static void hull_set(uint64_t *lo_field, uint64_t *span_field, uint64_t lo,
                     uint64_t span)
{
    __atomic_store_n(span_field, 0, __ATOMIC_RELEASE);
    __atomic_store_n(lo_field, lo, __ATOMIC_RELEASE);
    __atomic_store_n(span_field, span, __ATOMIC_RELEASE);
}

static void hull_update(const struct pmt_region_table *tab)
{
    uint64_t lo = 0, span = 0;
    if (tab->count != 0 && pmt_rt_recording()) {
        uint64_t hi = 0;
        for (uint32_t i = 0; i < tab->count; i++)
            if (tab->r[i].lo + tab->r[i].len > hi)
                hi = tab->r[i].lo + tab->r[i].len;
        lo = tab->r[0].lo;
        span = hi - lo;
    }
    hull_set(&__pmt_hull.store_lo, &__pmt_hull.store_span, lo, span);
    if (pmt_rt_loads_traced())
        hull_set(&__pmt_hull.load_lo, &__pmt_hull.load_span, lo, span);
}

static void publish(struct pmt_region_table *tab)
{
    tab->replaced = pmt_region_table_published;
    __atomic_store_n(&pmt_region_table_published, tab, __ATOMIC_RELEASE);
    hull_update(tab);
}

void pmt_regions_hide(void)
{
    __atomic_store_n(&__pmt_hull.store_span, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&__pmt_hull.load_span, 0, __ATOMIC_RELEASE);
}

/* old plus r, kept sorted by address. */
static struct pmt_region_table *table_with(const struct pmt_region_table *old,
                                           const struct pmt_region *r)
{
    struct pmt_region_table *tab = table_alloc(old->count + 1);
    if (tab == NULL)
        return NULL;
    uint32_t n = 0;
    for (uint32_t i = 0; i < old->count; i++) {
        if (n == i && old->r[i].lo > r->lo)
            tab->r[n++] = *r;
        tab->r[n++] = old->r[i];
    }
    if (n == old->count)
        tab->r[n] = *r;
    return tab;
}

int pmt_regions_add(struct pmt_thread *t, const struct pmt_region_source *src,
                    struct __pmt_site *site)
{
    uint64_t end = src->addr + src->len;
    if (src->len == 0 || end < src->addr)
        return -1;
    int rc = -1;
    pthread_mutex_lock(&regions.lock);
    const struct pmt_region_table *old = pmt_region_table_published;
    struct pmt_region r = {src->addr, src->len, regions.last_number + 1,
                           src->flags};
    struct pmt_region_table *tab =
        meets_any(old, src->addr, end) ? NULL : table_with(old, &r);
    if (tab != NULL) {
        regions.last_number = r.number;
        uint32_t sid = pmt_site_id(t, site);
        struct pmt_body_region_map body = {
            .addr = r.lo,
            .len = r.len,
            .region = r.number,
            .path = pmt_names_string(t, src->name),
            .file_offset = src->file_offset,
        };
        pmt_emit_fixed(t, PMT_REGION_MAP, r.flags, sid, &body, sizeof(body));
        if (pmt_rt_region_content_traced())
            pmt_region_content(t, sid, r.lo, r.len, src->fd,
                               src->file_offset);
        publish(tab);
        rc = 0;
    }
    pthread_mutex_unlock(&regions.lock);
    return rc;
}

int pmt_regions_remove(struct pmt_thread *t, uint64_t addr, uint64_t len,
                       struct __pmt_site *site)
{
    uint64_t end = pmt_range_end(addr, len);
    if (len == 0 || !meets_any(pmt_regions(), addr, end))
        return 0;
    int removed = 0;
    pthread_mutex_lock(&regions.lock);
    const struct pmt_region_table *old = pmt_region_table_published;
    struct pmt_region_table *tab = table_alloc(old->count);
    if (tab != NULL) {
        uint32_t sid = pmt_site_id(t, site);
        uint32_t kept = 0;
        uint64_t lo, hi;
        for (uint32_t i = 0; i < old->count; i++) {
            const struct pmt_region *r = &old->r[i];
            if (!pmt_region_clip(r, addr, end, &lo, &hi)) {
                tab->r[kept++] = *r;
                continue;
            }
            /* Part of a region unmapped is the whole region gone: the
             * format has no way to shrink a region, and a program that
             * unmaps part of its pool is done with it. */
            pmt_emit_range(t, PMT_REGION_UNMAP, 0, sid, r->lo, r->len);
            removed++;
        }
        tab->count = kept;
        if (removed != 0)
            publish(tab);
        else
            free(tab);
    }
    pthread_mutex_unlock(&regions.lock);
    return removed;
}
