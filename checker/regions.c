/*
 * regions.c - the sorted region table of regions.h.
 */
#include "regions.h"

#include <stdlib.h>
#include <string.h>

uint64_t range_end(uint64_t addr, uint64_t len)
{
    return len > UINT64_MAX - addr ? UINT64_MAX : addr + len;
}

void region_table_init(struct region_table *t)
{
    memset(t, 0, sizeof(*t));
}

void region_table_destroy(struct region_table *t)
{
    free(t->items);
    memset(t, 0, sizeof(*t));
}

/* Index of the first region that ends after addr. */
static size_t first_ending_after(const struct region_table *t, uint64_t addr)
{
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct pmc_region *r = &t->items[mid];
        if (range_end(r->addr, r->len) <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void remove_at(struct region_table *t, size_t i)
{
    memmove(&t->items[i], &t->items[i + 1],
            (t->count - i - 1) * sizeof(t->items[0]));
    t->count--;
}

int region_table_add(struct region_table *t, const struct pmc_region *r)
{
    uint64_t end = range_end(r->addr, r->len);
    size_t i = first_ending_after(t, r->addr);
    while (i < t->count && t->items[i].addr < end)
        remove_at(t, i);
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        struct pmc_region *p = realloc(t->items, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        t->items = p;
        t->cap = cap;
    }
    memmove(&t->items[i + 1], &t->items[i],
            (t->count - i) * sizeof(t->items[0]));
    t->items[i] = *r;
    t->count++;
    return 0;
}

void region_table_remove_range(struct region_table *t, uint64_t addr,
                               uint64_t len)
{
    uint64_t end = range_end(addr, len);
    size_t i = first_ending_after(t, addr);
    while (i < t->count && t->items[i].addr < end) {
        const struct pmc_region *r = &t->items[i];
        if (r->addr >= addr && range_end(r->addr, r->len) <= end)
            remove_at(t, i);
        else
            i++;
    }
}

const struct pmc_region *region_lookup(const struct region_table *t,
                                       uint64_t addr)
{
    size_t i = first_ending_after(t, addr);
    if (i < t->count && t->items[i].addr <= addr)
        return &t->items[i];
    return NULL;
}

const struct pmc_region *region_lookup_range(const struct region_table *t,
                                             uint64_t addr, uint64_t len)
{
    if (len == 0)
        return region_lookup(t, addr);
    size_t i = first_ending_after(t, addr);
    if (i < t->count && t->items[i].addr < range_end(addr, len))
        return &t->items[i];
    return NULL;
}
