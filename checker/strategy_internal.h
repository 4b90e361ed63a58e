/*
 * strategy_internal.h - one step of each strategy (strategy.h), called by
 * strategy.c with at least one line and the cap not reached.
 */
#ifndef PMC_STRATEGY_INTERNAL_H
#define PMC_STRATEGY_INTERNAL_H

#include "strategy.h"

bool strategy_lines_next(struct strategy_iter *it, uint32_t *choices);
bool strategy_exhaustive_next(struct strategy_iter *it, uint32_t *choices);
bool strategy_random_next(struct strategy_iter *it, uint32_t *choices);

#endif /* PMC_STRATEGY_INTERNAL_H */
