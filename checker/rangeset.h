/*
 * rangeset.h - a set of byte ranges, each remembering who put it there:
 * the ranges a transaction added to itself or allocated in it (tx.c).
 *
 * The set is kept as sorted, disjoint ranges, so "is [lo, hi) all in the
 * set?" is a binary search and a walk over the ranges it spans. Adding a
 * range adds only its parts not already in the set, tagged with the new
 * range's tag: each byte keeps the tag of the range that first covered it,
 * which is what a "first added here" note needs. A new part that touches a
 * neighbour with the same tag extends it, so adding adjacent fields from
 * one site stays one range.
 *
 * Memory is the number of ranges, bounded by the set's owner (a
 * transaction clears it when it ends). Pointers into the set are valid
 * until the next add or clear.
 */
#ifndef PMC_RANGESET_H
#define PMC_RANGESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct range_tag {
    uint32_t site;
    uint8_t kind;  /* the owner's: what put the range there */
    uint8_t flags; /* the owner's */
};

struct range {
    uint64_t lo;
    uint64_t hi; /* exclusive */
    struct range_tag tag;
};

struct rangeset {
    struct range *items; /* sorted by lo, disjoint */
    size_t count;
    size_t cap;
};

void rangeset_init(struct rangeset *s);
void rangeset_destroy(struct rangeset *s);

/* Empty the set; its memory is kept unless it grew large. */
void rangeset_clear(struct rangeset *s);

/* Add the parts of [lo, hi) not in the set yet, tagged `tag`. Returns 0,
 * or -1 without memory (the set then holds a prefix of those parts). */
int rangeset_add(struct rangeset *s, uint64_t lo, uint64_t hi,
                 struct range_tag tag);

/* Is every byte of [lo, hi) in the set? An empty range is. */
bool rangeset_covers(const struct rangeset *s, uint64_t lo, uint64_t hi);

/* The range holding addr, or NULL. */
const struct range *rangeset_find(const struct rangeset *s, uint64_t addr);

#endif /* PMC_RANGESET_H */
