/*
 * linetab.c - the cache-line hash table of linetab.h.
 */
#include "linetab.h"

#include <stdlib.h>
#include <string.h>

#define LINETAB_MIN_LOG2 6u

static uint64_t *slot_key(const struct linetab *t, size_t i)
{
    return (uint64_t *)(void *)(t->slots + i * t->entry_size);
}

/* Fibonacci hashing of the line number: consecutive lines, the common
 * pattern, spread over the table. */
static size_t home_slot(const struct linetab *t, uint64_t key)
{
    return (size_t)(((key >> 6) * 0x9e3779b97f4a7c15ull) >>
                    (64u - t->cap_log2));
}

static int linetab_resize(struct linetab *t, unsigned cap_log2)
{
    size_t cap = (size_t)1 << cap_log2;
    unsigned char *slots = malloc(cap * t->entry_size);
    if (slots == NULL)
        return -1;
    unsigned char *old = t->slots;
    size_t old_cap = t->cap;
    t->slots = slots;
    t->cap = cap;
    t->cap_log2 = cap_log2;
    for (size_t i = 0; i < cap; i++)
        *slot_key(t, i) = LINETAB_EMPTY;
    for (size_t i = 0; i < old_cap; i++) {
        const unsigned char *entry = old + i * t->entry_size;
        uint64_t key;
        memcpy(&key, entry, sizeof(key));
        if (key == LINETAB_EMPTY)
            continue;
        size_t j = home_slot(t, key);
        while (*slot_key(t, j) != LINETAB_EMPTY)
            j = (j + 1) & (cap - 1);
        memcpy(t->slots + j * t->entry_size, entry, t->entry_size);
    }
    free(old);
    return 0;
}

void linetab_init(struct linetab *t, size_t entry_size)
{
    memset(t, 0, sizeof(*t));
    t->entry_size = entry_size;
}

void linetab_destroy(struct linetab *t)
{
    free(t->slots);
    t->slots = NULL;
    t->cap = 0;
    t->count = 0;
}

void *linetab_find(const struct linetab *t, uint64_t key)
{
    if (t->count == 0)
        return NULL;
    size_t mask = t->cap - 1;
    for (size_t i = home_slot(t, key);; i = (i + 1) & mask) {
        uint64_t *k = slot_key(t, i);
        if (*k == key)
            return k;
        if (*k == LINETAB_EMPTY)
            return NULL;
    }
}

void *linetab_insert(struct linetab *t, uint64_t key, bool *created)
{
    if ((t->count + 1) * 2 > t->cap) {
        /* Grow first, so one probe finds the key or the slot for it. */
        unsigned log2 = t->cap ? t->cap_log2 + 1 : LINETAB_MIN_LOG2;
        void *found = linetab_find(t, key);
        if (found != NULL) {
            *created = false;
            return found;
        }
        if (linetab_resize(t, log2) != 0)
            return NULL;
    }
    size_t mask = t->cap - 1;
    size_t i = home_slot(t, key);
    for (;; i = (i + 1) & mask) {
        uint64_t *k = slot_key(t, i);
        if (*k == key) {
            *created = false;
            return k;
        }
        if (*k == LINETAB_EMPTY)
            break;
    }
    uint64_t *k = slot_key(t, i);
    memset(k, 0, t->entry_size);
    *k = key;
    t->count++;
    *created = true;
    return k;
}

/* Is slot j's entry, whose home is `home`, allowed to move back into the
 * hole at `hole`? Only if its probe sequence passes through the hole. */
static bool may_fill_hole(size_t hole, size_t home, size_t j)
{
    if (hole <= j)
        return home <= hole || home > j;
    return home <= hole && home > j;
}

void linetab_remove(struct linetab *t, void *entry)
{
    size_t mask = t->cap - 1;
    size_t hole = (size_t)((unsigned char *)entry - t->slots) / t->entry_size;
    for (size_t j = (hole + 1) & mask;; j = (j + 1) & mask) {
        uint64_t key = *slot_key(t, j);
        if (key == LINETAB_EMPTY)
            break;
        if (may_fill_hole(hole, home_slot(t, key), j)) {
            memcpy(slot_key(t, hole), slot_key(t, j), t->entry_size);
            hole = j;
        }
    }
    *slot_key(t, hole) = LINETAB_EMPTY;
    t->count--;
    /* Shrinking is best effort: without memory the table stays as it is. */
    if (t->cap_log2 > LINETAB_MIN_LOG2 && t->count * 8 < t->cap)
        (void)linetab_resize(t, t->cap_log2 - 1);
}

void *linetab_slot(const struct linetab *t, size_t i)
{
    uint64_t *k = slot_key(t, i);
    return *k == LINETAB_EMPTY ? NULL : k;
}

int line_list_push(struct line_list *l, uint64_t addr)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        uint64_t *p = realloc(l->addrs, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        l->addrs = p;
        l->cap = cap;
    }
    l->addrs[l->count++] = addr;
    return 0;
}

void line_list_destroy(struct line_list *l)
{
    free(l->addrs);
    memset(l, 0, sizeof(*l));
}

static int compare_addr(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int keys_by_scan(const struct linetab *t, uint64_t first, uint64_t end,
                        struct line_list *out)
{
    for (size_t i = 0; i < t->cap; i++) {
        uint64_t key = *slot_key(t, i);
        if (key == LINETAB_EMPTY || key < first || key >= end)
            continue;
        if (line_list_push(out, key) != 0)
            return -1;
    }
    if (out->count > 1)
        qsort(out->addrs, out->count, sizeof(out->addrs[0]), compare_addr);
    return 0;
}

int linetab_keys_in_range(const struct linetab *t, uint64_t addr, uint64_t end,
                          struct line_list *out)
{
    out->count = 0;
    if (t->count == 0 || end <= addr)
        return 0;
    uint64_t first = addr & LINE_MASK;
    uint64_t nlines = (end - first - 1) / LINE_SIZE + 1;
    if (nlines > t->cap)
        return keys_by_scan(t, first, end, out);
    for (uint64_t i = 0; i < nlines; i++) {
        uint64_t line = first + i * LINE_SIZE;
        if (linetab_find(t, line) != NULL && line_list_push(out, line) != 0)
            return -1;
    }
    return 0;
}

int linetab_all_keys(const struct linetab *t, struct line_list *out)
{
    out->count = 0;
    return keys_by_scan(t, 0, LINETAB_EMPTY, out);
}
