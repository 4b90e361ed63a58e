/*
 * strategy_exhaustive.c - every choice vector of a crash point, as an
 * odometer whose last line turns fastest (strategy.h).
 */
#include "strategy_internal.h"

#include <string.h>

static uint32_t choices_of(const struct strategy_line *line)
{
    return line->nparts + 1 + line->ntorn;
}

bool strategy_exhaustive_next(struct strategy_iter *it, uint32_t *choices)
{
    if (!it->started) {
        it->started = true;
    } else {
        size_t i = it->nlines;
        while (i > 0) {
            i--;
            if (++it->odometer[i] < choices_of(&it->lines[i]))
                break;
            it->odometer[i] = 0;
            if (i == 0)
                return false; /* wrapped: every vector was given */
        }
    }
    memcpy(choices, it->odometer, it->nlines * sizeof(choices[0]));
    return true;
}
