/*
 * strategy.h - which crash states of a crash point to explore, and in what
 * order (DESIGN.md section 4; docs/crash.md).
 *
 * At a crash point the live lines L0..Lk-1 (sorted by image and offset)
 * each hold nparts live stores, oldest first. A crash state gives every
 * line a *choice*: 0..nparts, the prefix of its live stores that reached
 * the persistence domain, or - with torn writes on - one of ntorn torn
 * variants, numbered nparts+1.. (which store tears and how is the crash
 * point's business, crash_state.c). A strategy is an iterator over choice
 * vectors. Every strategy is deterministic: the same lines, seed and
 * crash point number give the same vectors in the same order, which is
 * what makes a state id ("<crash point>.<index>") enough to rebuild it.
 *
 *   lines       each line all-or-nothing, the most telling first: none,
 *               all, each line alone, all but each line, each torn variant
 *               of each line (the other lines all in), then subsets of 2,
 *               k-2, 3, k-3, ... lines in lexicographic order. Up to `cap`
 *               vectors per crash point.
 *   exhaustive  every vector, as an odometer whose last line turns fastest:
 *               the product of (nparts + 1 + ntorn) over the lines. No cap
 *               of its own: the explorer's --max-states bounds it.
 *   random      `cap` vectors, each line's choice uniform over its
 *               choices, from a generator seeded by (seed, crash point).
 *
 * A crash point without live lines has one state under every strategy:
 * the empty vector.
 */
#ifndef PMC_STRATEGY_H
#define PMC_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pmc_strategy {
    PMC_STRATEGY_LINES = 1,
    PMC_STRATEGY_EXHAUSTIVE,
    PMC_STRATEGY_RANDOM,
};

/* "lines", "exhaustive", "random"; -1 for anything else. */
int pmc_strategy_parse(const char *name, enum pmc_strategy *out);
const char *pmc_strategy_name(enum pmc_strategy s);

struct strategy_line {
    uint32_t nparts; /* live stores of the line, >= 1 */
    uint32_t ntorn;  /* torn variants (0 without torn writes) */
};

/* Lines-strategy stages, in order. */
enum lines_stage {
    LINES_NONE,
    LINES_ALL,
    LINES_SINGLE,
    LINES_ALL_BUT_ONE,
    LINES_TORN,
    LINES_SUBSETS,
    LINES_DONE,
};

struct strategy_iter {
    enum pmc_strategy kind;
    const struct strategy_line *lines;
    size_t nlines;
    uint64_t cap;     /* vectors at most (0: no cap) */
    uint64_t emitted; /* vectors given so far */
    /* lines */
    enum lines_stage stage;
    size_t line;    /* SINGLE, ALL_BUT_ONE, TORN: the line */
    uint32_t torn;  /* TORN: the variant */
    size_t size;    /* SUBSETS: the size of the subsets now */
    size_t size_no; /* SUBSETS: how many sizes were done */
    size_t *combo;  /* SUBSETS: the chosen lines, increasing */
    bool combo_started;
    /* exhaustive */
    uint32_t *odometer;
    bool started;
    /* random */
    uint64_t rng;
};

/* Start iterating the vectors of one crash point (number `point`). lines
 * must outlive the iterator. Returns 0, or -1 without memory. */
int strategy_begin(struct strategy_iter *it, enum pmc_strategy kind,
                   const struct strategy_line *lines, size_t nlines,
                   uint64_t seed, uint64_t point, uint64_t cap);

/* The next vector into choices[nlines]; false when there is none. */
bool strategy_next(struct strategy_iter *it, uint32_t *choices);

void strategy_end(struct strategy_iter *it);

/* splitmix64: the generator of the random strategy (and of the explorer's
 * other seeded choices), one step. */
uint64_t strategy_mix(uint64_t *state);

#endif /* PMC_STRATEGY_H */
