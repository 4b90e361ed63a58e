/*
 * test_crash_strategy.c - the strategies' vectors (checker/strategy.h):
 * exact order for small crash points, counts, caps, torn variants and
 * determinism.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "strategy.h"

#define MAX_VECTORS 4096
#define MAX_LINES 8

struct vectors {
    uint32_t v[MAX_VECTORS][MAX_LINES];
    size_t n;
};

static void collect(enum pmc_strategy kind, const struct strategy_line *lines,
                    size_t nlines, uint64_t seed, uint64_t point, uint64_t cap,
                    struct vectors *out)
{
    struct strategy_iter it;
    assert_int_equal(strategy_begin(&it, kind, lines, nlines, seed, point, cap),
                     0);
    out->n = 0;
    uint32_t choices[MAX_LINES];
    while (strategy_next(&it, choices)) {
        assert_true(out->n < MAX_VECTORS);
        memcpy(out->v[out->n++], choices, sizeof(choices));
    }
    strategy_end(&it);
}

static void assert_vector(const struct vectors *vs, size_t i, size_t nlines,
                          ...)
{
    va_list ap;
    va_start(ap, nlines);
    for (size_t l = 0; l < nlines; l++) {
        unsigned want = va_arg(ap, unsigned);
        if (vs->v[i][l] != want)
            fail_msg("vector %zu line %zu: %u, expected %u", i, l, vs->v[i][l],
                     want);
    }
    va_end(ap);
}

static bool all_distinct(const struct vectors *vs, size_t nlines)
{
    for (size_t i = 0; i < vs->n; i++)
        for (size_t j = i + 1; j < vs->n; j++)
            if (memcmp(vs->v[i], vs->v[j], nlines * sizeof(uint32_t)) == 0)
                return false;
    return true;
}

static struct vectors vs;

/* none, all, each alone, all but each: 8 vectors for 3 lines, no more
 * (subsets of 2 and k-2 lines need 4 lines to differ from those). */
static void test_lines_order_three(void **state)
{
    (void)state;
    const struct strategy_line lines[] = {{2, 0}, {1, 0}, {3, 0}};
    collect(PMC_STRATEGY_LINES, lines, 3, 0, 0, 0, &vs);
    assert_int_equal(vs.n, 8);
    assert_vector(&vs, 0, 3, 0, 0, 0);
    assert_vector(&vs, 1, 3, 2, 1, 3);
    assert_vector(&vs, 2, 3, 2, 0, 0);
    assert_vector(&vs, 3, 3, 0, 1, 0);
    assert_vector(&vs, 4, 3, 0, 0, 3);
    assert_vector(&vs, 5, 3, 0, 1, 3);
    assert_vector(&vs, 6, 3, 2, 0, 3);
    assert_vector(&vs, 7, 3, 2, 1, 0);
}

/* Every subset exactly once: 2^k vectors, subsets of 2 before k-2. */
static void test_lines_every_subset(void **state)
{
    (void)state;
    const struct strategy_line lines[] = {{1, 0}, {1, 0}, {1, 0},
                                          {1, 0}, {1, 0}, {1, 0}};
    for (size_t k = 1; k <= 6; k++) {
        collect(PMC_STRATEGY_LINES, lines, k, 0, 0, 0, &vs);
        assert_int_equal(vs.n, (size_t)1 << k);
        assert_true(all_distinct(&vs, k));
    }
    collect(PMC_STRATEGY_LINES, lines, 5, 0, 0, 0, &vs);
    /* after none, all, 5 singles, 5 all-but-ones: {0, 1} */
    assert_vector(&vs, 12, 5, 1, 1, 0, 0, 0);
    /* the 10 pairs, then triples: {0, 1, 2} */
    assert_vector(&vs, 22, 5, 1, 1, 1, 0, 0);
}

static void test_lines_cap_and_small(void **state)
{
    (void)state;
    const struct strategy_line lines[] = {{4, 0}, {2, 0}};
    collect(PMC_STRATEGY_LINES, lines, 2, 0, 0, 3, &vs);
    assert_int_equal(vs.n, 3);
    collect(PMC_STRATEGY_LINES, lines, 1, 0, 0, 0, &vs);
    assert_int_equal(vs.n, 2); /* one line alone is all of it */
    assert_vector(&vs, 1, 1, 4);
    collect(PMC_STRATEGY_LINES, lines, 2, 0, 0, 0, &vs);
    assert_int_equal(vs.n, 4);
}

/* Torn variants come after all-but-one, the other lines all in. */
static void test_lines_torn(void **state)
{
    (void)state;
    const struct strategy_line lines[] = {{1, 2}, {3, 0}};
    collect(PMC_STRATEGY_LINES, lines, 2, 0, 0, 0, &vs);
    assert_int_equal(vs.n, 6);
    assert_vector(&vs, 4, 2, 2, 3);
    assert_vector(&vs, 5, 2, 3, 3);
}

/* An odometer, the last line fastest, torn choices counted. */
static void test_exhaustive(void **state)
{
    (void)state;
    const struct strategy_line lines[] = {{1, 0}, {2, 0}};
    collect(PMC_STRATEGY_EXHAUSTIVE, lines, 2, 0, 0, 0, &vs);
    assert_int_equal(vs.n, 6);
    assert_vector(&vs, 0, 2, 0, 0);
    assert_vector(&vs, 1, 2, 0, 1);
    assert_vector(&vs, 2, 2, 0, 2);
    assert_vector(&vs, 3, 2, 1, 0);
    assert_vector(&vs, 5, 2, 1, 2);
    const struct strategy_line torn[] = {{2, 2}, {1, 0}, {3, 1}};
    collect(PMC_STRATEGY_EXHAUSTIVE, torn, 3, 0, 0, 0, &vs);
    assert_int_equal(vs.n, 5 * 2 * 5);
    assert_true(all_distinct(&vs, 3));
}

/* Seeded: the same seed and point give the same vectors, another point
 * or seed others; every choice is in range. */
static void test_random(void **state)
{
    (void)state;
    const struct strategy_line lines[] = {{3, 0}, {7, 2}, {1, 0}};
    static struct vectors again;
    collect(PMC_STRATEGY_RANDOM, lines, 3, 42, 5, 40, &vs);
    collect(PMC_STRATEGY_RANDOM, lines, 3, 42, 5, 40, &again);
    assert_int_equal(vs.n, 40);
    assert_memory_equal(vs.v, again.v, sizeof(vs.v[0]) * vs.n);
    for (size_t i = 0; i < vs.n; i++) {
        assert_true(vs.v[i][0] <= 3);
        assert_true(vs.v[i][1] <= 9);
        assert_true(vs.v[i][2] <= 1);
    }
    collect(PMC_STRATEGY_RANDOM, lines, 3, 42, 6, 40, &again);
    assert_true(memcmp(vs.v, again.v, sizeof(vs.v[0]) * vs.n) != 0);
    collect(PMC_STRATEGY_RANDOM, lines, 3, 43, 5, 40, &again);
    assert_true(memcmp(vs.v, again.v, sizeof(vs.v[0]) * vs.n) != 0);
    collect(PMC_STRATEGY_RANDOM, lines, 3, 42, 5, 0, &vs);
    assert_int_equal(vs.n, 16); /* no cap: a bounded default */
}

static void test_no_lines_one_state(void **state)
{
    (void)state;
    for (int k = PMC_STRATEGY_LINES; k <= PMC_STRATEGY_RANDOM; k++) {
        collect((enum pmc_strategy)k, NULL, 0, 1, 2, 0, &vs);
        assert_int_equal(vs.n, 1);
    }
}

static void test_names(void **state)
{
    (void)state;
    enum pmc_strategy s;
    assert_int_equal(pmc_strategy_parse("exhaustive", &s), 0);
    assert_int_equal(s, PMC_STRATEGY_EXHAUSTIVE);
    assert_string_equal(pmc_strategy_name(s), "exhaustive");
    assert_int_equal(pmc_strategy_parse("Lines", &s), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_order_three),
        cmocka_unit_test(test_lines_every_subset),
        cmocka_unit_test(test_lines_cap_and_small),
        cmocka_unit_test(test_lines_torn),
        cmocka_unit_test(test_exhaustive),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_no_lines_one_state),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
