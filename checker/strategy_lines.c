/*
 * strategy_lines.c - per line all-or-nothing, the most telling states
 * first (strategy.h): a budget that stops early has still seen none, all,
 * each line alone and each line missing, where most ordering bugs show.
 */
#include "strategy_internal.h"

static void fill(const struct strategy_iter *it, uint32_t *choices, bool all)
{
    for (size_t i = 0; i < it->nlines; i++)
        choices[i] = all ? it->lines[i].nparts : 0;
}

/* The size of the subsets of stage number j: 2, k-2, 3, k-3, ...; 0 when
 * the sizes are all done (1 and k-1 were the single and all-but-one
 * stages). */
static size_t subset_size(size_t k, size_t j)
{
    if (k < 4)
        return 0;
    size_t lo = 2 + j / 2, hi = k - 2 - j / 2;
    if (lo > hi || (j % 2 == 1 && lo == hi))
        return 0;
    return j % 2 == 0 ? lo : hi;
}

/* The next combination of it->size lines in lexicographic order. */
static bool next_combination(struct strategy_iter *it)
{
    size_t k = it->nlines, m = it->size;
    size_t i = m;
    while (i > 0) {
        i--;
        if (it->combo[i] < k - m + i) {
            it->combo[i]++;
            for (size_t j = i + 1; j < m; j++)
                it->combo[j] = it->combo[j - 1] + 1;
            return true;
        }
    }
    return false;
}

static bool subsets_next(struct strategy_iter *it, uint32_t *choices)
{
    for (;;) {
        if (!it->combo_started) {
            it->size = subset_size(it->nlines, it->size_no);
            if (it->size == 0) {
                it->stage = LINES_DONE;
                return false;
            }
            for (size_t i = 0; i < it->size; i++)
                it->combo[i] = i;
            it->combo_started = true;
        } else if (!next_combination(it)) {
            it->size_no++;
            it->combo_started = false;
            continue;
        }
        fill(it, choices, false);
        for (size_t i = 0; i < it->size; i++)
            choices[it->combo[i]] = it->lines[it->combo[i]].nparts;
        return true;
    }
}

/* The next torn variant: line it->line, variant it->torn. */
static bool torn_next(struct strategy_iter *it, uint32_t *choices)
{
    while (it->line < it->nlines && it->torn >= it->lines[it->line].ntorn) {
        it->line++;
        it->torn = 0;
    }
    if (it->line >= it->nlines)
        return false;
    fill(it, choices, true);
    choices[it->line] = it->lines[it->line].nparts + 1 + it->torn;
    it->torn++;
    return true;
}

bool strategy_lines_next(struct strategy_iter *it, uint32_t *choices)
{
    size_t k = it->nlines;
    for (;;) {
        switch (it->stage) {
        case LINES_NONE:
            fill(it, choices, false);
            it->stage = LINES_ALL;
            return true;
        case LINES_ALL:
            fill(it, choices, true);
            it->stage = LINES_SINGLE;
            it->line = 0;
            return true;
        case LINES_SINGLE:
            /* With one line, "alone" is "all". */
            if (k < 2 || it->line >= k) {
                it->stage = LINES_ALL_BUT_ONE;
                it->line = 0;
                continue;
            }
            fill(it, choices, false);
            choices[it->line] = it->lines[it->line].nparts;
            it->line++;
            return true;
        case LINES_ALL_BUT_ONE:
            /* With two lines, "all but one" is "the other alone". */
            if (k < 3 || it->line >= k) {
                it->stage = LINES_TORN;
                it->line = 0;
                it->torn = 0;
                continue;
            }
            fill(it, choices, true);
            choices[it->line] = 0;
            it->line++;
            return true;
        case LINES_TORN:
            if (torn_next(it, choices))
                return true;
            it->stage = LINES_SUBSETS;
            it->size_no = 0;
            it->combo_started = false;
            continue;
        case LINES_SUBSETS:
            return subsets_next(it, choices);
        case LINES_DONE:
            return false;
        }
    }
}
