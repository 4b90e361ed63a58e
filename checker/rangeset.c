/*
 * rangeset.c - sorted disjoint tagged ranges (see rangeset.h).
 */
#include "rangeset.h"

#include <stdlib.h>
#include <string.h>

/* A set cleared with more than this many slots gives its memory back. */
#define RANGESET_KEEP 1024u

void rangeset_init(struct rangeset *s)
{
    memset(s, 0, sizeof(*s));
}

void rangeset_destroy(struct rangeset *s)
{
    free(s->items);
    rangeset_init(s);
}

void rangeset_clear(struct rangeset *s)
{
    if (s->cap > RANGESET_KEEP)
        rangeset_destroy(s);
    s->count = 0;
}

/* The index of the first range that ends after addr (count if none). */
static size_t first_ending_after(const struct rangeset *s, uint64_t addr)
{
    size_t lo = 0, hi = s->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->items[mid].hi <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool rangeset_covers(const struct rangeset *s, uint64_t lo, uint64_t hi)
{
    uint64_t at = lo;
    for (size_t i = first_ending_after(s, lo); at < hi; i++) {
        if (i == s->count || s->items[i].lo > at)
            return false;
        at = s->items[i].hi;
    }
    return true;
}

const struct range *rangeset_find(const struct rangeset *s, uint64_t addr)
{
    size_t i = first_ending_after(s, addr);
    return i < s->count && s->items[i].lo <= addr ? &s->items[i] : NULL;
}

static bool same_tag(struct range_tag a, struct range_tag b)
{
    return a.site == b.site && a.kind == b.kind && a.flags == b.flags;
}

static int reserve(struct rangeset *s)
{
    if (s->count < s->cap)
        return 0;
    size_t cap = s->cap ? s->cap * 2 : 16;
    struct range *p = realloc(s->items, cap * sizeof(*p));
    if (p == NULL)
        return -1;
    s->items = p;
    s->cap = cap;
    return 0;
}

/* Put the gap [lo, hi) at index i (between items i - 1 and i, neither of
 * which it overlaps): extend a neighbour with the same tag, else insert. */
static int put_gap(struct rangeset *s, size_t i, uint64_t lo, uint64_t hi,
                   struct range_tag tag)
{
    struct range *prev = i > 0 ? &s->items[i - 1] : NULL;
    struct range *next = i < s->count ? &s->items[i] : NULL;
    bool joins_prev = prev && prev->hi == lo && same_tag(prev->tag, tag);
    bool joins_next = next && next->lo == hi && same_tag(next->tag, tag);
    if (joins_prev && joins_next) {
        prev->hi = next->hi;
        memmove(next, next + 1, (s->count - i - 1) * sizeof(*next));
        s->count--;
    } else if (joins_prev) {
        prev->hi = hi;
    } else if (joins_next) {
        next->lo = lo;
    } else {
        if (reserve(s) != 0)
            return -1;
        memmove(&s->items[i + 1], &s->items[i],
                (s->count - i) * sizeof(s->items[0]));
        s->items[i] = (struct range){lo, hi, tag};
        s->count++;
    }
    return 0;
}

int rangeset_add(struct rangeset *s, uint64_t lo, uint64_t hi,
                 struct range_tag tag)
{
    uint64_t at = lo;
    size_t i = first_ending_after(s, lo);
    while (at < hi) {
        if (i < s->count && s->items[i].lo <= at) {
            /* at is covered: skip to the end of this range */
            at = s->items[i].hi;
            i++;
            continue;
        }
        uint64_t gap_end =
            i < s->count && s->items[i].lo < hi ? s->items[i].lo : hi;
        if (put_gap(s, i, at, gap_end, tag) != 0)
            return -1;
        /* Go on from the range after the gap (a merge moved indices). */
        i = first_ending_after(s, gap_end);
        at = gap_end;
    }
    return 0;
}
