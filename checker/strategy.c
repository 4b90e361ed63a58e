/*
 * strategy.c - the strategies' names, and starting, stepping and ending an
 * iteration whatever the strategy (strategy.h). Each strategy's order is in
 * its own file.
 */
#include "strategy.h"

#include <stdlib.h>
#include <string.h>

#include "strategy_internal.h"

static const struct {
    const char *name;
    enum pmc_strategy kind;
} names[] = {
    {"lines", PMC_STRATEGY_LINES},
    {"exhaustive", PMC_STRATEGY_EXHAUSTIVE},
    {"random", PMC_STRATEGY_RANDOM},
};

int pmc_strategy_parse(const char *name, enum pmc_strategy *out)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(names[i].name, name) == 0) {
            *out = names[i].kind;
            return 0;
        }
    }
    return -1;
}

const char *pmc_strategy_name(enum pmc_strategy s)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].kind == s)
            return names[i].name;
    return "unknown";
}

uint64_t strategy_mix(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int strategy_begin(struct strategy_iter *it, enum pmc_strategy kind,
                   const struct strategy_line *lines, size_t nlines,
                   uint64_t seed, uint64_t point, uint64_t cap)
{
    memset(it, 0, sizeof(*it));
    it->kind = kind;
    it->lines = lines;
    it->nlines = nlines;
    it->cap = cap;
    size_t n = nlines ? nlines : 1;
    switch (kind) {
    case PMC_STRATEGY_LINES:
        it->combo = calloc(n, sizeof(it->combo[0]));
        return it->combo != NULL ? 0 : -1;
    case PMC_STRATEGY_EXHAUSTIVE:
        it->odometer = calloc(n, sizeof(it->odometer[0]));
        return it->odometer != NULL ? 0 : -1;
    case PMC_STRATEGY_RANDOM: {
        /* One stream per crash point, whatever came before it. */
        uint64_t s = seed;
        it->rng = strategy_mix(&s) ^ point;
        strategy_mix(&it->rng);
        return 0;
    }
    }
    return -1;
}

bool strategy_next(struct strategy_iter *it, uint32_t *choices)
{
    if (it->cap != 0 && it->emitted >= it->cap)
        return false;
    bool more;
    if (it->nlines == 0) {
        /* One state: the base. */
        more = it->emitted == 0;
    } else {
        switch (it->kind) {
        case PMC_STRATEGY_LINES:
            more = strategy_lines_next(it, choices);
            break;
        case PMC_STRATEGY_EXHAUSTIVE:
            more = strategy_exhaustive_next(it, choices);
            break;
        case PMC_STRATEGY_RANDOM:
            more = strategy_random_next(it, choices);
            break;
        default:
            more = false;
        }
    }
    if (more)
        it->emitted++;
    return more;
}

void strategy_end(struct strategy_iter *it)
{
    free(it->combo);
    free(it->odometer);
    it->combo = NULL;
    it->odometer = NULL;
}
