/*
 * test_check.c - the check driver (checker/check.h) on real trace files
 * made by the trace builder: the replay with history for assert-ordered,
 * findings kept across damage, and the end-of-trace notes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "test_support.h"
#include "trace_builder.h"

#define POOL 0x10000000ull
#define POOL_LEN 0x100000ull

static const uint8_t payload[64] = {1, 2, 3, 4, 5, 6, 7, 8};

/* Thread 1's first block: thread record, the pool's path, a site per line
 * 1..9 of pool.c, and the pool's mapping. seq 1..13. */
static uint32_t start_trace(struct tb *b)
{
    uint32_t blk = tb_block(b, 1, 0);
    tb_thread(b, blk, 1, 4242);
    tb_string(b, blk, 2, 1, "/mnt/pmem/pool.pmem");
    tb_string(b, blk, 3, 2, "pool.c");
    for (uint32_t site = 1; site <= 9; site++)
        tb_site(b, blk, 3 + site, site, site, 1, 2, 0, 0);
    tb_region_map(b, blk, 13, 1, POOL, POOL_LEN, 1);
    return blk;
}

static void add_exit(struct tb *b, uint32_t blk, uint64_t seq)
{
    struct pmt_body_exit body = {.status = 0};
    tb_rec(b, blk, PMT_EXIT, 0, 0, seq, &body, sizeof(body), NULL, 0);
}

static void add_assert_ordered(struct tb *b, uint32_t blk, uint64_t seq,
                               uint32_t site, uint64_t a, uint64_t bb)
{
    struct pmt_body_range2 body = {
        .a_addr = a, .a_len = 8, .b_addr = bb, .b_len = 8};
    tb_rec(b, blk, PMT_ASSERT_ORDERED, 0, site, seq, &body, sizeof(body), NULL,
           0);
}

/* Write the trace and check it; returns pmc_check_trace's result. */
static int check_file(struct tb *b, const char *name, struct pmc_findings *out,
                      struct pmc_check_stats *st, struct pmc_error *err,
                      size_t cut)
{
    const char *path = test_path(name);
    assert_int_equal(tb_write(b, path, cut), 0);
    struct pmc_trace *t;
    assert_int_equal(pmc_trace_open(path, &t, err), 0);
    int rc = pmc_check_trace(t, NULL, out, st, err);
    pmc_trace_close(t);
    return rc;
}

static const struct pmc_finding *find(const struct pmc_findings *set,
                                      enum pmc_rule rule, uint32_t site)
{
    for (size_t i = 0; i < pmc_findings_count(set); i++) {
        const struct pmc_finding *f = pmc_findings_get(set, i);
        if (f->rule == rule && f->site == site)
            return f;
    }
    return NULL;
}

static void test_exit_record(void **state)
{
    (void)state;
    struct tb *b = tb_new(NULL);
    uint32_t blk = start_trace(b);
    tb_store(b, blk, 14, 1, POOL + 0x40, payload, 8);
    add_exit(b, blk, 15);
    tb_seal(b, blk);
    tb_header(b)->end_kind = PMT_END_EXIT;

    struct pmc_findings *out = pmc_findings_new();
    struct pmc_check_stats st;
    struct pmc_error err = {{0}};
    assert_int_equal(check_file(b, "exit.pmt", out, &st, &err, SIZE_MAX), 0);
    assert_int_equal(pmc_findings_count(out), 1);
    const struct pmc_finding *f = find(out, PMC_RULE_UNPERSISTED_STORE, 1);
    assert_non_null(f);
    assert_int_equal(f->region, 1);
    assert_int_equal(f->offset, 0x40);
    assert_non_null(strstr(f->message, "pool.pmem+0x40"));
    assert_int_equal(st.passes, 1);
    assert_false(st.history);
    assert_true(st.exit_record);
    assert_true(st.end_is_durable);
    assert_int_equal(st.nnotes, 0);
    assert_int_equal(st.model.events, 15);
    pmc_findings_free(out);
    tb_free(b);
}

static void test_assert_ordered_replays_with_history(void **state)
{
    (void)state;
    struct tb *b = tb_new(NULL);
    uint32_t blk = start_trace(b);
    tb_fence(b, blk, 14, 5); /* redundant: reported in both passes */
    tb_store(b, blk, 15, 1, POOL + 0x40, payload, 8);
    tb_flush(b, blk, 16, 2, POOL + 0x40, PMT_FLUSH_CLWB);
    tb_fence(b, blk, 17, 3);
    tb_store(b, blk, 18, 4, POOL + 0x1000, payload, 8);
    add_assert_ordered(b, blk, 19, 6, POOL + 0x40, POOL + 0x1000); /* ok */
    add_assert_ordered(b, blk, 20, 7, POOL + 0x1000, POOL + 0x40); /* no */
    tb_flush(b, blk, 21, 8, POOL + 0x1000, PMT_FLUSH_CLWB);
    tb_fence(b, blk, 22, 9);
    add_exit(b, blk, 23);
    tb_seal(b, blk);

    /* A finding of an earlier trace stays as it is. */
    struct pmc_findings *out = pmc_findings_new();
    struct pmc_finding earlier;
    pmc_finding_init(&earlier, PMC_RULE_REDUNDANT_FENCE, 5, 1);
    assert_int_equal(pmc_findings_add(out, &earlier), 0);

    struct pmc_check_stats st;
    struct pmc_error err = {{0}};
    assert_int_equal(check_file(b, "ordered.pmt", out, &st, &err, SIZE_MAX), 0);
    assert_int_equal(st.passes, 2);
    assert_true(st.history);
    assert_true(st.model.history_lines > 0);
    assert_int_equal(pmc_findings_count(out), 2);
    /* Once from the earlier trace, once from the kept pass. */
    assert_int_equal(find(out, PMC_RULE_REDUNDANT_FENCE, 5)->count, 2);
    assert_null(find(out, PMC_RULE_ASSERT_ORDERED, 6));
    const struct pmc_finding *f = find(out, PMC_RULE_ASSERT_ORDERED, 7);
    assert_non_null(f);
    assert_int_equal(f->count, 1);
    pmc_findings_free(out);
    tb_free(b);
}

static void test_killed_by_signal(void **state)
{
    (void)state;
    struct tb *b = tb_new(NULL);
    uint32_t blk = start_trace(b);
    tb_store(b, blk, 14, 1, POOL + 0x40, payload, 8);
    /* Not sealed: the target was killed with the block open. */
    tb_header(b)->end_kind = PMT_END_SIGNAL;
    tb_header(b)->end_code = 9;

    struct pmc_findings *out = pmc_findings_new();
    struct pmc_check_stats st;
    struct pmc_error err = {{0}};
    assert_int_equal(check_file(b, "signal.pmt", out, &st, &err, SIZE_MAX), 0);
    assert_int_equal(pmc_findings_count(out), 0);
    assert_false(st.end_is_durable);
    assert_true(st.unsealed_tail);
    assert_int_equal(st.nnotes, 2);
    assert_non_null(strstr(st.notes[0], "signal 9"));
    assert_non_null(strstr(st.notes[1], "never sealed"));
    assert_int_equal(st.model.live_stores, 1);
    pmc_findings_free(out);
    tb_free(b);
}

static void test_exit_without_record(void **state)
{
    (void)state;
    struct tb *b = tb_new(NULL);
    uint32_t blk = start_trace(b);
    tb_store(b, blk, 14, 1, POOL + 0x40, payload, 8);
    tb_seal(b, blk);
    tb_header(b)->end_kind = PMT_END_EXIT;
    tb_header(b)->end_code = 3;

    struct pmc_findings *out = pmc_findings_new();
    struct pmc_check_stats st;
    struct pmc_error err = {{0}};
    assert_int_equal(check_file(b, "_exit.pmt", out, &st, &err, SIZE_MAX), 0);
    assert_non_null(find(out, PMC_RULE_UNPERSISTED_STORE, 1));
    assert_false(st.exit_record);
    assert_true(st.end_is_durable);
    assert_int_equal(st.nnotes, 1);
    assert_non_null(strstr(st.notes[0], "without an exit record"));
    pmc_findings_free(out);
    tb_free(b);
}

static void test_unknown_end(void **state)
{
    (void)state;
    struct tb *b = tb_new(NULL);
    uint32_t blk = start_trace(b);
    tb_store(b, blk, 14, 1, POOL + 0x40, payload, 8);
    tb_seal(b, blk);

    struct pmc_findings *out = pmc_findings_new();
    struct pmc_check_stats st;
    struct pmc_error err = {{0}};
    assert_int_equal(check_file(b, "unknown.pmt", out, &st, &err, SIZE_MAX), 0);
    assert_int_equal(pmc_findings_count(out), 0);
    assert_int_equal(st.nnotes, 1);
    assert_non_null(strstr(st.notes[0], "does not say how"));
    pmc_findings_free(out);
    tb_free(b);
}

static void test_damage_keeps_findings(void **state)
{
    (void)state;
    struct tb *b = tb_new(NULL);
    uint32_t blk = start_trace(b);
    tb_store(b, blk, 14, 1, POOL + 0x40, payload, 8);
    tb_rec(b, blk, PMT_DURABLE, 0, 2, 15, NULL, 0, NULL, 0);
    tb_seal(b, blk);
    uint32_t next = tb_block(b, 1, 1);
    tb_store(b, next, 16, 3, POOL + 0x80, payload, 8);
    add_exit(b, next, 17);
    tb_seal(b, next);
    tb_header(b)->end_kind = PMT_END_EXIT;
    /* A bit flip in the second block's records. */
    tb_bytes(b)[tb_block_offset(next) + sizeof(struct pmt_block_header) + 20] ^=
        0x10;

    struct pmc_findings *out = pmc_findings_new();
    struct pmc_check_stats st;
    struct pmc_error err = {{0}};
    assert_int_equal(check_file(b, "damaged.pmt", out, &st, &err, SIZE_MAX),
                     -1);
    assert_true(strlen(err.msg) > 0);
    const struct pmc_finding *f = find(out, PMC_RULE_UNPERSISTED_STORE, 1);
    assert_non_null(f);
    assert_int_equal(f->notes[0].site, 2);
    assert_null(find(out, PMC_RULE_UNPERSISTED_STORE, 3));
    assert_true(st.damaged);
    assert_false(st.end_is_durable);
    assert_non_null(strstr(st.notes[0], "damaged"));
    pmc_findings_free(out);
    tb_free(b);
}

int main(void)
{
    test_dir_create("test-check");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_record),
        cmocka_unit_test(test_assert_ordered_replays_with_history),
        cmocka_unit_test(test_killed_by_signal),
        cmocka_unit_test(test_exit_without_record),
        cmocka_unit_test(test_unknown_end),
        cmocka_unit_test(test_damage_keeps_findings),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    test_dir_remove();
    return failed;
}
