/*
 * strategy_random.c - seeded random choice vectors (strategy.h): each
 * line's choice uniform over its prefixes and torn variants. Repeats are
 * possible; the explorer runs identical images once.
 */
#include "strategy_internal.h"

/* Default number of draws when the caller gave no cap: a random strategy
 * must end. */
#define RANDOM_DEFAULT_DRAWS 16u

bool strategy_random_next(struct strategy_iter *it, uint32_t *choices)
{
    if (it->cap == 0 && it->emitted >= RANDOM_DEFAULT_DRAWS)
        return false;
    for (size_t i = 0; i < it->nlines; i++) {
        uint64_t n = (uint64_t)it->lines[i].nparts + 1 + it->lines[i].ntorn;
        choices[i] = (uint32_t)(strategy_mix(&it->rng) % n);
    }
    return true;
}
