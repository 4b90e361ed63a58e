/*
 * test_xfail.c - cross-failure reads (checker/xfail.h): the uncertain set
 * of a crash point built from hand-made live parts and exempt ranges, and
 * a recovery's events, hand-made too, read against it; the site pool
 * (checker/site_pool.h) that names the recoveries' load sites.
 *
 * Sites are small numbers chosen per test (10s: stores, 50s: loads), so a
 * pair with the wrong site fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image.h"
#include "site_pool.h"
#include "xfail.h"

/* The recovery maps pool.img at MAP (image 0) and other.img at MAP2
 * (image 1) from file offset 0. */
#define MAP 0x7f0000000000ull
#define MAP2 0x7f1000000000ull
#define LINE(n) ((uint64_t)(n)*IMAGE_LINE)

struct fx {
    struct xfail *x;
    struct image_set *imgs;
    uint64_t seq;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct image_spec specs[] = {{"pool.img", 1 << 16}, {"other.img", 4096}};
    struct pmc_error err;
    if (f == NULL || (f->x = xfail_new()) == NULL ||
        image_set_new(specs, 2, &f->imgs, &err) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    xfail_free(f->x);
    image_set_free(f->imgs);
    free(f);
    return 0;
}

static struct pmc_live_store part(uint64_t seq, uint32_t site, uint8_t offset,
                                  uint8_t len, uint8_t state)
{
    return (struct pmc_live_store){
        .seq = seq, .site = site, .offset = offset, .len = len, .state = state};
}

/* ---- the uncertain set ------------------------------------------------ */

static void test_newest_store_owns_each_byte(void **state)
{
    struct fx *f = *state;
    struct pmc_live_store parts[] = {
        part(1, 10, 0, 16, PMC_STORE_DIRTY),   /* [0, 16) */
        part(2, 11, 8, 16, PMC_STORE_FLUSHED), /* [8, 24): over 10's tail */
    };
    xfail_point_begin(f->x);
    assert_int_equal(
        0, xfail_point_line(f->x, XFAIL_POS(0, LINE(2)), parts, 2, 1, 0x40));
    assert_int_equal(0, xfail_point_end(f->x, 0));
    /* [8, 16) is 11's, but its oldest live store is 10's: a range of its
     * own, for the commit variable rule. */
    const struct xfail_range *r;
    assert_int_equal(3, xfail_point_ranges(f->x, &r));
    assert_int_equal(XFAIL_POS(0, LINE(2)), r[0].lo);
    assert_int_equal(XFAIL_POS(0, LINE(2) + 8), r[0].hi);
    assert_int_equal(10, r[0].site);
    assert_int_equal(1, r[0].seq);
    assert_int_equal(0x40, r[0].region_base);
    assert_int_equal(XFAIL_POS(0, LINE(2) + 8), r[1].lo);
    assert_int_equal(XFAIL_POS(0, LINE(2) + 16), r[1].hi);
    assert_int_equal(11, r[1].site);
    assert_int_equal(1, r[1].seq);
    assert_int_equal(PMC_STORE_FLUSHED, r[1].state);
    assert_int_equal(XFAIL_POS(0, LINE(2) + 16), r[2].lo);
    assert_int_equal(XFAIL_POS(0, LINE(2) + 24), r[2].hi);
    assert_int_equal(11, r[2].site);
    assert_int_equal(2, r[2].seq);
}

static void test_lines_sorted_and_exempt_cut_out(void **state)
{
    struct fx *f = *state;
    struct pmc_live_store a[] = {part(5, 12, 0, 64, PMC_STORE_DIRTY)};
    struct pmc_live_store b[] = {part(3, 13, 0, 8, PMC_STORE_DIRTY)};
    xfail_point_begin(f->x);
    /* Given out of order, as the model's line table gives them. */
    assert_int_equal(0, xfail_point_line(f->x, XFAIL_POS(1, 0), b, 1, 2, 0));
    assert_int_equal(0,
                     xfail_point_line(f->x, XFAIL_POS(0, LINE(1)), a, 1, 1, 0));
    /* A transaction's range in the middle of line 1: two pieces left. */
    assert_int_equal(0, xfail_point_exempt(f->x, XFAIL_POS(0, LINE(1) + 16),
                                           XFAIL_POS(0, LINE(1) + 32)));
    assert_int_equal(0, xfail_point_end(f->x, 0));
    const struct xfail_range *r;
    assert_int_equal(3, xfail_point_ranges(f->x, &r));
    assert_int_equal(XFAIL_POS(0, LINE(1)), r[0].lo);
    assert_int_equal(XFAIL_POS(0, LINE(1) + 16), r[0].hi);
    assert_int_equal(XFAIL_POS(0, LINE(1) + 32), r[1].lo);
    assert_int_equal(XFAIL_POS(0, LINE(2)), r[1].hi);
    assert_int_equal(XFAIL_POS(1, 0), r[2].lo);
    assert_int_equal(13, r[2].site);
    assert_int_equal(2, r[2].region);
}

static void test_commit_var_exempt_until_a_later_store_persists(void **state)
{
    struct fx *f = *state;
    struct pmc_live_store flag[] = {part(20, 14, 0, 8, PMC_STORE_FLUSHED)};
    for (int later_persisted = 0; later_persisted < 2; later_persisted++) {
        xfail_point_begin(f->x);
        assert_int_equal(
            0, xfail_point_line(f->x, XFAIL_POS(0, 0), flag, 1, 1, 0));
        assert_int_equal(
            0, xfail_point_commit_var(f->x, XFAIL_POS(0, 0), XFAIL_POS(0, 8)));
        /* persisted_seq 19: every persistent store is older than the
         * flag's: a crash before its fence, which recovery validates. 21:
         * the program went on and persisted a later store first. */
        assert_int_equal(0, xfail_point_end(f->x, later_persisted ? 21 : 19));
        const struct xfail_range *r;
        assert_int_equal(later_persisted ? 1 : 0, xfail_point_ranges(f->x, &r));
    }
}

/* A declared commit variable read while a later store is persistent is a
 * pair that says so (its hint must not suggest declaring it); a read of
 * other bytes is not. */
static void test_pair_of_a_declared_commit_var(void **state)
{
    struct fx *f = *state;
    struct pmc_live_store parts[] = {
        part(20, 14, 0, 8, PMC_STORE_FLUSHED),
        part(22, 16, 8, 8, PMC_STORE_DIRTY),
    };
    xfail_point_begin(f->x);
    assert_int_equal(0,
                     xfail_point_line(f->x, XFAIL_POS(0, 0), parts, 2, 1, 0));
    assert_int_equal(
        0, xfail_point_commit_var(f->x, XFAIL_POS(0, 0), XFAIL_POS(0, 8)));
    assert_int_equal(0, xfail_point_end(f->x, 21));
    xfail_run_begin(f->x, f->imgs);
    struct pmc_event map = {
        .kind = PMT_REGION_MAP, .seq = 1, .addr = MAP, .len = 1 << 16};
    assert_int_equal(0, xfail_run_event(f->x, &map, "pool.img"));
    struct pmc_event load = {
        .kind = PMT_LOAD, .seq = 2, .site = 50, .addr = MAP, .len = 16};
    assert_int_equal(0, xfail_run_event(f->x, &load, NULL));
    const struct xfail_pair *p;
    assert_int_equal(2, xfail_run_pairs(f->x, &p));
    assert_int_equal(14, p[0].store_site);
    assert_true(p[0].commit_var);
    assert_int_equal(16, p[1].store_site);
    assert_false(p[1].commit_var);
}

static void test_transaction_range_always_exempt(void **state)
{
    struct fx *f = *state;
    struct pmc_live_store s[] = {part(2, 15, 0, 8, PMC_STORE_DIRTY)};
    xfail_point_begin(f->x);
    assert_int_equal(0, xfail_point_line(f->x, XFAIL_POS(0, 0), s, 1, 1, 0));
    assert_int_equal(0, xfail_point_exempt(f->x, 0, XFAIL_POS(0, 64)));
    assert_int_equal(0, xfail_point_end(f->x, 100));
    const struct xfail_range *r;
    assert_int_equal(0, xfail_point_ranges(f->x, &r));
}

/* ---- sequential crash points ------------------------------------------- */

/* A point whose live parts are given per line (lines[i] at XFAIL_POS(0,
 * LINE(line_of[i]))), with tx exempt bytes [ex_lo, ex_hi) of image 0:
 * sequential after xfail_point_end(persisted_seq)? */
static bool sequential(struct fx *f, const struct pmc_live_store *parts,
                       const unsigned *line_of, size_t n, uint64_t ex_lo,
                       uint64_t ex_hi, uint64_t persisted_seq)
{
    xfail_point_begin(f->x);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(0,
                         xfail_point_line(f->x, XFAIL_POS(0, LINE(line_of[i])),
                                          &parts[i], 1, 1, 0));
    assert_int_equal(
        0, xfail_point_exempt(f->x, XFAIL_POS(0, ex_lo), XFAIL_POS(0, ex_hi)));
    assert_int_equal(0, xfail_point_end(f->x, persisted_seq));
    return xfail_point_sequential(f->x);
}

/* Words in one line, newer than everything persistent: every crash
 * leaves a prefix of them. The same words over two lines: a crash can keep
 * the later line's without the earlier's. */
static void test_one_line_of_words_is_sequential(void **state)
{
    struct fx *f = *state;
    struct pmc_live_store words[] = {
        part(10, 10, 0, 8, PMC_STORE_FLUSHED),
        part(11, 11, 8, 4, PMC_STORE_DIRTY),
        part(12, 12, 12, 4, PMC_STORE_DIRTY),
    };
    unsigned one_line[] = {3, 3, 3}, two_lines[] = {3, 3, 4};
    assert_true(sequential(f, words, one_line, 3, 0, 0, 9));
    assert_false(sequential(f, words, two_lines, 3, 0, 0, 9));
    /* No live store at all: nothing to read, trivially sequential. */
    assert_true(sequential(f, words, one_line, 0, 0, 0, 9));
}

/* A store that can tear (wider than a word, or across a word boundary)
 * can persist its later bytes without its earlier ones. */
static void test_store_that_can_tear_is_not_sequential(void **state)
{
    struct fx *f = *state;
    unsigned line[] = {2};
    struct pmc_live_store wide[] = {part(10, 10, 0, 16, PMC_STORE_DIRTY)};
    struct pmc_live_store across[] = {part(10, 10, 4, 8, PMC_STORE_DIRTY)};
    struct pmc_live_store inside[] = {part(10, 10, 12, 4, PMC_STORE_DIRTY)};
    assert_false(sequential(f, wide, line, 1, 0, 0, 0));
    assert_false(sequential(f, across, line, 1, 0, 0, 0));
    assert_true(sequential(f, inside, line, 1, 0, 0, 0));
}

/* A later store already persistent: the live word may be lost while it is
 * kept, which no crash between two instructions leaves (workloads/tally). */
static void test_later_persisted_store_is_not_sequential(void **state)
{
    struct fx *f = *state;
    unsigned line[] = {1};
    struct pmc_live_store word[] = {part(10, 10, 8, 8, PMC_STORE_DIRTY)};
    assert_true(sequential(f, word, line, 1, 0, 0, 9));
    assert_false(sequential(f, word, line, 1, 0, 0, 10));
    assert_false(sequential(f, word, line, 1, 0, 0, 11));
}

/* A store the transaction rolls back is not in L: the rest can still be
 * one line of words. Only wholly exempt stores leave L. */
static void test_rolled_back_store_leaves_the_test(void **state)
{
    struct fx *f = *state;
    struct pmc_live_store parts[] = {
        part(10, 10, 0, 64, PMC_STORE_DIRTY), /* line 5, in the tx */
        part(11, 11, 0, 8, PMC_STORE_DIRTY),  /* line 7 */
    };
    unsigned lines[] = {5, 7};
    assert_true(sequential(f, parts, lines, 2, LINE(5), LINE(6), 0));
    assert_false(sequential(f, parts, lines, 2, LINE(5) + 8, LINE(6), 0));
    assert_false(sequential(f, parts, lines, 2, 0, 0, 0));
}

/* A declared commit variable is a store the crash decides: it stays in L,
 * so a data word in another line makes reads of that word races. */
static void test_commit_var_stays_in_the_test(void **state)
{
    struct fx *f = *state;
    struct pmc_live_store parts[] = {
        part(10, 10, 0, 8, PMC_STORE_FLUSHED),
        part(11, 11, 0, 8, PMC_STORE_DIRTY),
    };
    xfail_point_begin(f->x);
    assert_int_equal(
        0, xfail_point_line(f->x, XFAIL_POS(0, LINE(1)), &parts[0], 1, 1, 0));
    assert_int_equal(
        0, xfail_point_line(f->x, XFAIL_POS(0, LINE(2)), &parts[1], 1, 1, 0));
    assert_int_equal(0, xfail_point_commit_var(f->x, XFAIL_POS(0, LINE(1)),
                                               XFAIL_POS(0, LINE(1) + 8)));
    assert_int_equal(0, xfail_point_end(f->x, 0));
    assert_false(xfail_point_sequential(f->x));
    const struct xfail_range *r;
    assert_int_equal(1, xfail_point_ranges(f->x, &r)); /* the variable: out */
    assert_int_equal(11, r[0].site);
}

/* ---- a run -------------------------------------------------------------- */

/* Line 0 of pool.img uncertain: [0, 8) from store 10, [8, 16) from 11. */
static void two_stores(struct fx *f)
{
    struct pmc_live_store parts[] = {
        part(1, 10, 0, 8, PMC_STORE_DIRTY),
        part(2, 11, 8, 8, PMC_STORE_DIRTY),
    };
    xfail_point_begin(f->x);
    assert_int_equal(0,
                     xfail_point_line(f->x, XFAIL_POS(0, 0), parts, 2, 1, 0));
    assert_int_equal(0, xfail_point_end(f->x, 0));
    xfail_run_begin(f->x, f->imgs);
    f->seq = 0;
}

static void feed(struct fx *f, enum pmt_kind kind, uint64_t addr, uint64_t len,
                 uint32_t site, const char *path)
{
    struct pmc_event ev = {
        .kind = kind, .seq = ++f->seq, .site = site, .addr = addr, .len = len};
    assert_int_equal(0, xfail_run_event(f->x, &ev, path));
}

static void test_first_read_of_uncertain_bytes(void **state)
{
    struct fx *f = *state;
    two_stores(f);
    feed(f, PMT_REGION_MAP, MAP, 1 << 16, 0, "/run/dir/pool.img");
    feed(f, PMT_LOAD, MAP + 4, 8, 50, NULL); /* [4, 12): both stores */
    feed(f, PMT_LOAD, MAP + 4, 8, 51, NULL); /* read again: seen */
    const struct xfail_pair *p;
    assert_int_equal(2, xfail_run_pairs(f->x, &p));
    assert_int_equal(10, p[0].store_site);
    assert_int_equal(50, p[0].load_site);
    assert_int_equal(XFAIL_POS(0, 4), p[0].lo);
    assert_int_equal(XFAIL_POS(0, 8), p[0].hi);
    assert_int_equal(11, p[1].store_site);
    assert_int_equal(50, p[1].load_site);
    assert_int_equal(XFAIL_POS(0, 8), p[1].lo);
    assert_int_equal(XFAIL_POS(0, 12), p[1].hi);
}

static void test_written_first_is_no_read(void **state)
{
    struct fx *f = *state;
    two_stores(f);
    feed(f, PMT_REGION_MAP, MAP, 1 << 16, 0, "pool.img");
    feed(f, PMT_STORE, MAP, 8, 0, NULL);          /* recovery wrote [0, 8) */
    feed(f, PMT_LIB_WRITE, MAP + 12, 4, 0, NULL); /* and a library [12, 16) */
    feed(f, PMT_LOAD, MAP, 16, 52, NULL);
    const struct xfail_pair *p;
    assert_int_equal(1, xfail_run_pairs(f->x, &p));
    assert_int_equal(11, p[0].store_site);
    assert_int_equal(52, p[0].load_site);
    assert_int_equal(XFAIL_POS(0, 8), p[0].lo);
    assert_int_equal(XFAIL_POS(0, 12), p[0].hi);
}

static void test_other_images_and_unmapped_reads_do_not_count(void **state)
{
    struct fx *f = *state;
    two_stores(f);
    /* other.img: no uncertain byte; a file that is no crash image. */
    feed(f, PMT_REGION_MAP, MAP2, 4096, 0, "/x/other.img");
    feed(f, PMT_REGION_MAP, MAP2 + 0x10000, 4096, 0, "/x/unknown.pool");
    feed(f, PMT_LOAD, MAP2, 16, 53, NULL);
    feed(f, PMT_LOAD, MAP2 + 0x10000, 16, 53, NULL);
    /* pool.img mapped and unmapped before it is read. */
    feed(f, PMT_REGION_MAP, MAP, 1 << 16, 0, "pool.img");
    feed(f, PMT_REGION_UNMAP, MAP, 1 << 16, 0, NULL);
    feed(f, PMT_LOAD, MAP, 16, 54, NULL);
    const struct xfail_pair *p;
    assert_int_equal(0, xfail_run_pairs(f->x, &p));
    /* Mapped again elsewhere: its loads count from there. */
    struct pmc_event map = {.kind = PMT_REGION_MAP,
                            .seq = ++f->seq,
                            .addr = MAP2 + 0x40000,
                            .len = 4096,
                            .file_offset = 0};
    assert_int_equal(0, xfail_run_event(f->x, &map, "pool.img"));
    feed(f, PMT_LOAD, MAP2 + 0x40000 + 8, 1, 55, NULL);
    assert_int_equal(1, xfail_run_pairs(f->x, &p));
    assert_int_equal(11, p[0].store_site);
    assert_int_equal(55, p[0].load_site);
}

/* A recovery's trace is untrusted: a mapping of pool.img from an offset
 * past its end (here 2^48, which a position cannot hold) maps no byte of
 * it, and above all none of other.img, whose line 0 is uncertain. */
static void test_mapping_past_an_image_end_maps_nothing(void **state)
{
    struct fx *f = *state;
    struct pmc_live_store parts[] = {part(1, 10, 0, 8, PMC_STORE_DIRTY)};
    xfail_point_begin(f->x);
    assert_int_equal(0,
                     xfail_point_line(f->x, XFAIL_POS(1, 0), parts, 1, 2, 0));
    assert_int_equal(0, xfail_point_end(f->x, 0));
    xfail_run_begin(f->x, f->imgs);
    struct pmc_event map = {.kind = PMT_REGION_MAP,
                            .seq = ++f->seq,
                            .addr = MAP,
                            .len = 4096,
                            .file_offset = UINT64_C(1) << XFAIL_POS_BITS};
    assert_int_equal(0, xfail_run_event(f->x, &map, "pool.img"));
    feed(f, PMT_LOAD, MAP, 8, 57, NULL);
    const struct xfail_pair *p;
    assert_int_equal(0, xfail_run_pairs(f->x, &p));
    /* Mapped where its address range wraps: only what lies below 2^64. */
    map.addr = UINT64_MAX - 4095;
    map.len = 1 << 16;
    map.file_offset = 0;
    assert_int_equal(0, xfail_run_event(f->x, &map, "other.img"));
    feed(f, PMT_LOAD, UINT64_MAX - 4095, 8, 58, NULL);
    assert_int_equal(1, xfail_run_pairs(f->x, &p));
    assert_int_equal(58, p[0].load_site);
}

static void test_a_new_run_starts_afresh(void **state)
{
    struct fx *f = *state;
    two_stores(f);
    feed(f, PMT_REGION_MAP, MAP, 1 << 16, 0, "pool.img");
    feed(f, PMT_LOAD, MAP, 8, 56, NULL);
    xfail_run_begin(f->x, f->imgs);
    const struct xfail_pair *p;
    assert_int_equal(0, xfail_run_pairs(f->x, &p));
    feed(f, PMT_REGION_MAP, MAP, 1 << 16, 0, "pool.img");
    feed(f, PMT_LOAD, MAP, 8, 56, NULL); /* read first again in this run */
    assert_int_equal(1, xfail_run_pairs(f->x, &p));
}

/* ---- the site pool ------------------------------------------------------ */

static void test_site_pool_ids(void **state)
{
    (void)state;
    struct pmc_site_pool *pool = pmc_site_pool_new();
    assert_non_null(pool);
    char file[] = "rec.c";
    struct pmc_site a = {.id = 7,
                         .line = 12,
                         .column = 3,
                         .file = file,
                         .dir = "/src",
                         .function = "verify"};
    struct pmc_site b = a;
    b.line = 13;
    uint32_t ia = pmc_site_pool_add(pool, &a);
    uint32_t ib = pmc_site_pool_add(pool, &b);
    assert_true(pmc_site_pool_owns(ia));
    assert_int_not_equal(ia, ib);
    file[0] = 'X'; /* the pool keeps its own copy */
    struct pmc_site a2 = a;
    a2.file = "rec.c";
    assert_int_equal(ia, pmc_site_pool_add(pool, &a2));
    const struct pmc_site *got = pmc_site_pool_get(pool, ib);
    assert_non_null(got);
    assert_int_equal(13, got->line);
    assert_string_equal("rec.c", got->file);
    assert_string_equal("verify", got->function);
    assert_null(pmc_site_pool_get(pool, 7));
    assert_null(pmc_site_pool_get(pool, ib + 1));
    pmc_site_pool_free(pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_newest_store_owns_each_byte, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_lines_sorted_and_exempt_cut_out,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_commit_var_exempt_until_a_later_store_persists, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_pair_of_a_declared_commit_var,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_transaction_range_always_exempt,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_line_of_words_is_sequential,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_store_that_can_tear_is_not_sequential, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_later_persisted_store_is_not_sequential, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rolled_back_store_leaves_the_test,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_var_stays_in_the_test,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_read_of_uncertain_bytes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_written_first_is_no_read, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_other_images_and_unmapped_reads_do_not_count, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_mapping_past_an_image_end_maps_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_new_run_starts_afresh, setup,
                                        teardown),
        cmocka_unit_test(test_site_pool_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
