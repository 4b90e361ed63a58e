/*
 * test_model.c - the persistency model and its rules (checker/model.h),
 * fed hand-written event sequences.
 *
 * Each test builds a model, replays a few events as a traced program would
 * produce them, and asserts the exact findings: rule, primary site, count,
 * notes, region-relative range. Sites are small numbers chosen per test so
 * a finding at the wrong site fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "finding.h"
#include "history.h"
#include "model.h"
#include "model_events.h"
#include "rules.h"

#define POOL 0x10000000ull /* region 1 */
#define POOL_LEN 0x100000ull
#define POOL2 0x20000000ull /* region 2 */
#define DRAM 0x7000000ull   /* in no region */

#define T1 1u
#define T2 2u

static const uint8_t payload[4096];

static const char *test_strings(void *ctx, uint32_t id)
{
    (void)ctx;
    switch (id) {
    case 1:
        return "/mnt/pmem/pool.pmem";
    case 2:
        return "/mnt/pmem/other.pmem";
    }
    return NULL;
}

static void fx_model(struct model_fx *f, enum pmc_persistency p, bool history)
{
    model_open(f, &(struct pmc_model_options){
                      .persistency = p,
                      .history = history,
                      .string_lookup = test_strings,
                  });
}

/* ---- feeding events ------------------------------------------------- */

static void map(struct model_fx *f, uint32_t region, uint64_t addr,
                uint64_t len, uint32_t path)
{
    model_map(f, 0, region, addr, len, path);
}

static void map_pools(struct model_fx *f)
{
    map(f, 1, POOL, POOL_LEN, 1);
    map(f, 2, POOL2, POOL_LEN, 2);
}

static void store_as(struct model_fx *f, uint32_t thread, uint32_t site,
                     uint64_t addr, uint64_t len, uint32_t flags)
{
    model_range(f, thread, PMT_STORE, flags, site, addr, len, payload);
}

static void store(struct model_fx *f, uint32_t site, uint64_t addr,
                  uint64_t len)
{
    store_as(f, T1, site, addr, len, 0);
}

static void nt_store_as(struct model_fx *f, uint32_t thread, uint32_t site,
                        uint64_t addr, uint64_t len)
{
    model_range(f, thread, PMT_NT_STORE, 0, site, addr, len, payload);
}

static void nt_store(struct model_fx *f, uint32_t site, uint64_t addr,
                     uint64_t len)
{
    nt_store_as(f, T1, site, addr, len);
}

static void flush_as(struct model_fx *f, uint32_t thread, uint32_t site,
                     uint64_t addr, uint64_t len, uint32_t kind)
{
    model_range(f, thread, PMT_FLUSH, kind, site, addr, len, NULL);
}

static void clwb(struct model_fx *f, uint32_t site, uint64_t addr)
{
    flush_as(f, T1, site, addr, 64, PMT_FLUSH_CLWB);
}

static void fence_as(struct model_fx *f, uint32_t thread, uint32_t site,
                     uint32_t kind)
{
    model_event(f, thread, PMT_FENCE, kind, site);
}

static void sfence(struct model_fx *f, uint32_t site)
{
    fence_as(f, T1, site, PMT_FENCE_SFENCE);
}

static void simple(struct model_fx *f, enum pmt_kind kind, uint32_t site)
{
    model_event(f, T1, kind, 0, site);
}

static void range_event(struct model_fx *f, enum pmt_kind kind, uint32_t site,
                        uint64_t addr, uint64_t len)
{
    model_range(f, T1, kind, 0, site, addr, len, NULL);
}

static void assert_ordered(struct model_fx *f, uint32_t site, uint64_t a,
                           uint64_t alen, uint64_t b, uint64_t blen)
{
    model_feed(f, (struct pmc_event){.kind = PMT_ASSERT_ORDERED,
                                     .thread = T1,
                                     .site = site,
                                     .addr = a,
                                     .len = alen,
                                     .addr2 = b,
                                     .len2 = blen});
}

static void exit_program(struct model_fx *f)
{
    simple(f, PMT_EXIT, 0);
}

/* The test's model, with both pools mapped: where most tests start. */
static struct model_fx *pools_model(void **state, enum pmc_persistency p,
                                    bool history)
{
    struct model_fx *f = *state;
    fx_model(f, p, history);
    map_pools(f);
    return f;
}

/* ---- flushes and fences --------------------------------------------- */

static void test_clflush_needs_no_fence(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    flush_as(f, T1, 11, POOL + 0x40, 64, PMT_FLUSH_CLFLUSH);
    exit_program(f);
    assert_no_findings(f);
}

static void check_flush_needs_fence(void **state, uint32_t kind)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    flush_as(f, T1, 11, POOL + 0x40, 64, kind);
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_MISSING_FENCE);
    assert_int_equal(x->site, 10);
    assert_int_equal(x->count, 1);
    assert_int_equal(note_of(x, PMC_NOTE_FLUSH)->site, 11);
    assert_int_equal(note_of(x, PMC_NOTE_DURABILITY)->site, 0);
    assert_int_equal(pmc_findings_count(f->set), 1);
}

static void test_clwb_needs_fence(void **state)
{
    check_flush_needs_fence(state, PMT_FLUSH_CLWB);
}

static void test_clflushopt_needs_fence(void **state)
{
    check_flush_needs_fence(state, PMT_FLUSH_CLFLUSHOPT);
}

static void test_lib_flush_needs_fence(void **state)
{
    check_flush_needs_fence(state, PMT_FLUSH_LIB);
}

static void test_clwb_and_fence_persist(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    clwb(f, 11, POOL + 0x40);
    sfence(f, 12);
    exit_program(f);
    assert_no_findings(f);
}

static void test_flush_before_store_does_not_cover_it(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 9, POOL + 0x80, 8); /* keeps the flush and fence useful */
    clwb(f, 11, POOL + 0x40);
    clwb(f, 11, POOL + 0x80);
    store(f, 10, POOL + 0x40, 8);
    sfence(f, 12);
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_UNPERSISTED_STORE);
    assert_int_equal(x->site, 10);
    assert_int_equal(count_rule(f, PMC_RULE_MISSING_FENCE), 0);
}

static void test_locked_fence_orders_flushes(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    clwb(f, 11, POOL + 0x40);
    fence_as(f, T1, 12, PMT_FENCE_LOCKED);
    /* A locked RMW with nothing to order is not a redundant fence. */
    fence_as(f, T1, 13, PMT_FENCE_LOCKED);
    exit_program(f);
    assert_no_findings(f);
}

static void test_locked_store_orders_flushes(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    clwb(f, 11, POOL + 0x40);
    store_as(f, T1, 12, DRAM, 8, PMT_STORE_LOCKED); /* a lock word */
    exit_program(f);
    assert_no_findings(f);
}

static void test_locked_store_to_pmem_is_itself_unflushed(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    clwb(f, 11, POOL + 0x40);
    store_as(f, T1, 12, POOL + 0x1000, 8, PMT_STORE_LOCKED);
    exit_program(f);
    /* The fence after the RMW orders the earlier flush, not the RMW. */
    const struct pmc_finding *x = only_finding(f, PMC_RULE_UNPERSISTED_STORE);
    assert_int_equal(x->site, 12);
    assert_int_equal(pmc_findings_count(f->set), 1);
}

static void test_nt_store_needs_fence(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    nt_store(f, 10, POOL + 0x40, 16);
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_MISSING_FENCE);
    assert_int_equal(x->site, 10);
    assert_non_null(strstr(x->message, "non-temporal"));
    assert_false(has_note(x, PMC_NOTE_FLUSH));
}

static void test_nt_store_with_fence(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    nt_store(f, 10, POOL + 0x40, 16);
    sfence(f, 11);
    exit_program(f);
    assert_no_findings(f);
}

static void test_nt_store_needs_fence_under_eadr(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_EADR, false);
    nt_store(f, 10, POOL + 0x40, 16);
    nt_store(f, 11, POOL + 0x80, 16);
    sfence(f, 12);
    nt_store(f, 13, POOL + 0xc0, 16);
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_MISSING_FENCE);
    assert_int_equal(x->site, 13);
    assert_int_equal(pmc_findings_count(f->set), 1);
}

/* ---- program order and latest stores -------------------------------- */

static void test_overwritten_store_persisted_by_newer(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8); /* never flushed itself */
    store(f, 11, POOL + 0x40, 8);
    clwb(f, 12, POOL + 0x40);
    sfence(f, 13);
    exit_program(f);
    assert_no_findings(f);
}

static void test_line_persists_in_program_order(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    /* Thread 1's store is flushed by thread 1, which never fences; thread
     * 2's later store to the same line is flushed and fenced by thread 2.
     * Thread 2's write-back carries the whole line: both are persistent. */
    store_as(f, T1, 10, POOL + 0x40, 8, 0);
    flush_as(f, T1, 11, POOL + 0x40, 64, PMT_FLUSH_CLWB);
    store_as(f, T2, 20, POOL + 0x48, 8, 0);
    flush_as(f, T2, 21, POOL + 0x40, 64, PMT_FLUSH_CLWB);
    fence_as(f, T2, 22, PMT_FENCE_SFENCE);
    exit_program(f);
    assert_no_findings(f);
    struct pmc_model_stats st;
    pmc_model_stats(f->m, &st);
    assert_int_equal(st.live_stores, 0);
}

static void test_only_latest_store_of_a_byte_is_reported(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8); /* wholly overwritten by site 11 */
    store(f, 11, POOL + 0x40, 8);
    store(f, 12, POOL + 0x80, 16); /* half overwritten by site 13 */
    store(f, 13, POOL + 0x80, 8);
    exit_program(f);
    assert_int_equal(count_rule(f, PMC_RULE_UNPERSISTED_STORE), 3);
    for (size_t i = 0; i < pmc_findings_count(f->set); i++)
        assert_int_not_equal(pmc_findings_get(f->set, i)->site, 10);
    /* In program order of the stores. */
    assert_int_equal(pmc_findings_get(f->set, 0)->site, 11);
    assert_int_equal(pmc_findings_get(f->set, 1)->site, 12);
    assert_int_equal(pmc_findings_get(f->set, 2)->site, 13);
}

static void test_missing_flush_adr_error_eadr_nothing(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_UNPERSISTED_STORE);
    assert_int_equal(x->site, 10);
    assert_int_equal(x->region, 1);
    assert_int_equal(x->offset, 0x40);
    assert_int_equal(x->len, 8);
    assert_string_equal(x->message, "store of 8 bytes to pmem "
                                    "(pool.pmem+0x40) is never made "
                                    "persistent");
    assert_int_equal(note_of(x, PMC_NOTE_DURABILITY)->site, 0);

    pmc_model_free(f->m);
    pmc_findings_clear(f->set);
    f->seq = 1;
    fx_model(f, PMC_PERSIST_EADR, false);
    map_pools(f);
    store(f, 10, POOL + 0x40, 8);
    exit_program(f);
    assert_no_findings(f);
}

static void test_store_across_lines_is_one_finding(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x3c, 8); /* 4 bytes in each of two lines */
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_UNPERSISTED_STORE);
    assert_int_equal(x->count, 1);
    assert_int_equal(x->offset, 0x3c);
    assert_int_equal(x->len, 8);
}

static void test_memset_across_lines(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    uint8_t fill = 0xab;
    model_range(f, T1, PMT_STORE_FILL, 0, 10, POOL + 0x20, 200, &fill);
    /* Flushing the middle lines leaves the first and last unflushed. */
    clwb(f, 11, POOL + 0x40);
    clwb(f, 11, POOL + 0x80);
    sfence(f, 12);
    size_t cursor = 0, lines = 0;
    struct pmc_line_view v;
    while (pmc_model_next_line(f->m, &cursor, &v)) {
        lines++;
        assert_int_equal(v.nstores, 1);
        assert_ptr_equal(v.stores[0].data, &fill);
        assert_true(v.stores[0].flags & PMC_LIVE_FILL);
    }
    assert_int_equal(lines, 2);
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_UNPERSISTED_STORE);
    assert_int_equal(x->count, 1);
    assert_int_equal(x->offset, 0x20);
    assert_int_equal(x->len, 200);
    assert_non_null(strstr(x->message, "memset of 200 bytes"));
}

static void test_lib_write_persists_its_line(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    store(f, 11, POOL + 0x1000, 8); /* another line: not affected */
    model_range(f, T1, PMT_LIB_WRITE, 0, 12, POOL + 0x48, 8, payload);
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_UNPERSISTED_STORE);
    assert_int_equal(x->site, 11);
}

static void test_store_outside_pmem_is_ignored(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, DRAM, 8);
    exit_program(f);
    assert_no_findings(f);
}

static void test_live_parts_keep_data(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x3c, 8);
    size_t cursor = 0, lines = 0;
    struct pmc_line_view v;
    while (pmc_model_next_line(f->m, &cursor, &v)) {
        lines++;
        assert_int_equal(v.nstores, 1);
        const struct pmc_live_store *s = &v.stores[0];
        assert_int_equal(s->site, 10);
        assert_int_equal(s->state, PMC_STORE_DIRTY);
        if (v.addr == POOL) {
            assert_int_equal(s->offset, 0x3c);
            assert_int_equal(s->len, 4);
            assert_ptr_equal(s->data, payload);
        } else {
            assert_int_equal(v.addr, POOL + 0x40);
            assert_int_equal(s->offset, 0);
            assert_int_equal(s->len, 4);
            assert_ptr_equal(s->data, payload + 4);
        }
    }
    assert_int_equal(lines, 2);
}

/* ---- redundant work ------------------------------------------------- */

static void test_flush_is_redundant_under_eadr(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_EADR, false);
    store(f, 10, POOL + 0x40, 8);
    clwb(f, 11, POOL + 0x40);
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_REDUNDANT_FLUSH);
    assert_int_equal(x->site, 11);
    assert_non_null(strstr(x->message, "eADR"));
    assert_int_equal(pmc_rule_info(x->rule)->severity, PMC_SEV_WARNING);
}

static void test_second_clwb_is_redundant(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    clwb(f, 11, POOL + 0x40);
    clwb(f, 12, POOL + 0x48); /* same line */
    sfence(f, 13);
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_REDUNDANT_FLUSH);
    assert_int_equal(x->site, 12);
    assert_int_equal(note_of(x, PMC_NOTE_FLUSH)->site, 11);
    assert_int_equal(pmc_findings_count(f->set), 1);
}

static void test_flush_after_new_store_is_not_redundant(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    clwb(f, 11, POOL + 0x40);
    store(f, 12, POOL + 0x48, 8);
    clwb(f, 13, POOL + 0x40);
    sfence(f, 14);
    /* A range flush with one useful line is not redundant either. */
    store(f, 15, POOL + 0x1000, 8);
    flush_as(f, T1, 16, POOL + 0x1000 - 0x200, 0x400, PMT_FLUSH_LIB);
    fence_as(f, T1, 16, PMT_FENCE_LIB);
    exit_program(f);
    assert_no_findings(f);
}

static void test_fence_with_nothing_to_order_is_redundant(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    clwb(f, 11, POOL + 0x40);
    sfence(f, 12); /* orders the clwb */
    fence_as(f, T1, 13, PMT_FENCE_MFENCE);
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_REDUNDANT_FENCE);
    assert_int_equal(x->site, 13);
    assert_int_equal(note_of(x, PMC_NOTE_FENCE)->site, 12);
    assert_int_equal(pmc_findings_count(f->set), 1);
}

static void test_fence_after_clflush_is_redundant(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    flush_as(f, T1, 11, POOL + 0x40, 64, PMT_FLUSH_CLFLUSH);
    sfence(f, 12);
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_REDUNDANT_FENCE);
    assert_int_equal(x->site, 12);
    assert_false(has_note(x, PMC_NOTE_FENCE));
}

static void test_pmem_persist_pair_is_not_redundant_fence(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    /* pmem_persist of a clean range: a redundant flush, but its drain is
     * part of the same call. */
    flush_as(f, T1, 20, POOL + 0x40, 64, PMT_FLUSH_LIB);
    fence_as(f, T1, 20, PMT_FENCE_LIB);
    assert_int_equal(only_finding(f, PMC_RULE_REDUNDANT_FLUSH)->site, 20);
    assert_int_equal(count_rule(f, PMC_RULE_REDUNDANT_FENCE), 0);
    /* A drain at its own site after a redundant flush is the user's. */
    flush_as(f, T1, 21, POOL + 0x40, 64, PMT_FLUSH_LIB);
    fence_as(f, T1, 22, PMT_FENCE_LIB);
    assert_int_equal(only_finding(f, PMC_RULE_REDUNDANT_FENCE)->site, 22);
}

static void test_fences_are_per_thread(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store_as(f, T1, 10, POOL + 0x40, 8, 0);
    flush_as(f, T1, 11, POOL + 0x40, 64, PMT_FLUSH_CLWB);
    fence_as(f, T2, 20, PMT_FENCE_SFENCE);
    assert_int_equal(only_finding(f, PMC_RULE_REDUNDANT_FENCE)->site, 20);
    simple(f, PMT_DURABLE, 30);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_MISSING_FENCE);
    assert_int_equal(x->site, 10);
    assert_int_equal(note_of(x, PMC_NOTE_FLUSH)->site, 11);
    /* Thread 1's own fence does it. */
    fence_as(f, T1, 12, PMT_FENCE_SFENCE);
    struct pmc_model_stats st;
    pmc_model_stats(f->m, &st);
    assert_int_equal(st.live_stores, 0);
    assert_int_equal(count_rule(f, PMC_RULE_REDUNDANT_FENCE), 1);
}

/* A line on two threads' pending lists: each fence persists its own
 * thread's parts (and what is older in the line), not the other's. */
static void test_fence_persists_only_its_threads_parts(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    nt_store_as(f, T2, 20, POOL + 0x48, 8);
    store_as(f, T1, 10, POOL + 0x40, 8, 0);
    flush_as(f, T1, 11, POOL + 0x40, 64, PMT_FLUSH_CLWB);
    nt_store(f, 12, POOL + 0x50, 8);
    fence_as(f, T2, 21, PMT_FENCE_SFENCE);
    simple(f, PMT_DURABLE, 30);
    /* Thread 1's flushed store and NT store still wait for its fence. */
    assert_int_equal(pmc_findings_count(f->set), 2);
    assert_int_equal(pmc_findings_get(f->set, 0)->site, 10);
    assert_int_equal(pmc_findings_get(f->set, 1)->site, 12);
    assert_int_equal(count_rule(f, PMC_RULE_MISSING_FENCE), 2);
    fence_as(f, T1, 13, PMT_FENCE_SFENCE);
    struct pmc_model_stats st;
    pmc_model_stats(f->m, &st);
    assert_int_equal(st.live_stores, 0);
}

static void test_flush_non_pmem(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    clwb(f, 11, DRAM + 0x40);
    sfence(f, 12); /* orders the flush: the memory may be pmem after all */
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_FLUSH_NON_PMEM);
    assert_int_equal(x->site, 11);
    assert_int_equal(x->region, 0);
    assert_int_equal(x->offset, DRAM + 0x40);
    assert_int_equal(pmc_findings_count(f->set), 1);
}

/* ---- durability points ---------------------------------------------- */

static void test_unmap_is_durability_point_of_its_region(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    store(f, 20, POOL2 + 0x80, 8);
    range_event(f, PMT_REGION_UNMAP, 30, POOL, POOL_LEN);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_UNPERSISTED_STORE);
    assert_int_equal(x->site, 10);
    assert_int_equal(x->region, 1);
    assert_int_equal(note_of(x, PMC_NOTE_DURABILITY)->site, 30);
    struct pmc_model_stats st;
    pmc_model_stats(f->m, &st);
    assert_int_equal(st.live_stores, 1);
    assert_int_equal(st.lines, 1);
    assert_int_equal(st.regions, 1);
    assert_null(pmc_model_region_of(f->m, POOL + 0x40));
    exit_program(f);
    assert_int_equal(count_rule(f, PMC_RULE_UNPERSISTED_STORE), 2);
    const struct pmc_finding *y = pmc_findings_get(f->set, 1);
    assert_int_equal(y->site, 20);
    assert_int_equal(y->region, 2);
    assert_int_equal(y->count, 1);
    assert_int_equal(pmc_findings_get(f->set, 0)->count, 1);
}

static void test_durable_annotation(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    simple(f, PMT_DURABLE, 30);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_UNPERSISTED_STORE);
    assert_int_equal(x->site, 10);
    assert_int_equal(note_of(x, PMC_NOTE_DURABILITY)->site, 30);
    /* Reported once: not again at exit, though still live. */
    exit_program(f);
    assert_int_equal(only_finding(f, PMC_RULE_UNPERSISTED_STORE)->count, 1);
    struct pmc_model_stats st;
    pmc_model_stats(f->m, &st);
    assert_int_equal(st.live_stores, 1);
}

static void test_store_after_durable_is_reported_at_exit(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    simple(f, PMT_DURABLE, 30);
    assert_no_findings(f);
    store(f, 10, POOL + 0x40, 8);
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_UNPERSISTED_STORE);
    assert_int_equal(note_of(x, PMC_NOTE_DURABILITY)->site, 0);
}

static void check_end(void **state, uint32_t end_kind, bool exit_record,
                      size_t expected)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    if (exit_record)
        exit_program(f);
    model_end(f, end_kind);
    assert_int_equal(count_rule(f, PMC_RULE_UNPERSISTED_STORE), expected);
    if (expected)
        assert_int_equal(only_finding(f, PMC_RULE_UNPERSISTED_STORE)->count, 1);
}

static void test_end_exit_without_record_is_durable(void **state)
{
    check_end(state, PMT_END_EXIT, false, 1);
    assert_non_null(
        strstr(note_of(only_finding(*state, PMC_RULE_UNPERSISTED_STORE),
                       PMC_NOTE_DURABILITY)
                   ->message,
               "without an exit record"));
}

static void test_end_exit_with_record_reports_once(void **state)
{
    check_end(state, PMT_END_EXIT, true, 1);
}

static void test_end_signal_is_not_durable(void **state)
{
    check_end(state, PMT_END_SIGNAL, false, 0);
}

static void test_end_unknown_is_not_durable(void **state)
{
    check_end(state, PMT_END_UNKNOWN, false, 0);
}

/* ---- assertions ----------------------------------------------------- */

static void test_assert_persisted_holds(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 16);
    clwb(f, 11, POOL + 0x40);
    sfence(f, 12);
    range_event(f, PMT_ASSERT_PERSISTED, 40, POOL + 0x40, 16);
    range_event(f, PMT_ASSERT_PERSISTED, 41, POOL + 0x4000, 64); /* never
                                                                  stored */
    assert_no_findings(f);
}

static void test_assert_persisted_fails(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    clwb(f, 11, POOL + 0x40);
    sfence(f, 12);
    store(f, 13, POOL + 0x48, 4); /* 4 of the 16 asserted bytes */
    clwb(f, 14, POOL + 0x40);
    range_event(f, PMT_ASSERT_PERSISTED, 40, POOL + 0x40, 16);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_ASSERT_PERSISTED);
    assert_int_equal(x->site, 40);
    assert_int_equal(x->offset, 0x40);
    assert_int_equal(x->len, 16);
    assert_int_equal(note_of(x, PMC_NOTE_STORE)->site, 13);
    assert_int_equal(note_of(x, PMC_NOTE_FLUSH)->site, 14);
    assert_non_null(strstr(x->message, "4 of 16 bytes"));
}

static void test_assert_ordered_needs_history(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    store(f, 10, POOL + 0x40, 8);
    assert_false(pmc_model_needs_history(f->m));
    assert_ordered(f, 40, POOL + 0x40, 8, POOL + 0x1000, 8);
    assert_true(pmc_model_needs_history(f->m));
    assert_no_findings(f);
}

static void test_assert_ordered_same_line(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, true);
    store(f, 10, POOL + 0x40, 8); /* a */
    store(f, 11, POOL + 0x48, 8); /* b, later in the same line */
    assert_ordered(f, 40, POOL + 0x40, 8, POOL + 0x48, 8);
    assert_no_findings(f);
    /* The other way round, b's store is older than a's. */
    assert_ordered(f, 41, POOL + 0x48, 8, POOL + 0x40, 8);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_ASSERT_ORDERED);
    assert_int_equal(x->site, 41);
    assert_int_equal(x->notes[0].site, 11);
    assert_int_equal(x->notes[1].site, 10);
}

static void test_assert_ordered_different_lines(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, true);
    store(f, 10, POOL + 0x40, 8);   /* a */
    store(f, 11, POOL + 0x1000, 8); /* b, while a is not persistent */
    assert_ordered(f, 40, POOL + 0x40, 8, POOL + 0x1000, 8);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_ASSERT_ORDERED);
    assert_int_equal(x->site, 40);
    assert_int_equal(x->offset, 0x40);
    assert_int_equal(x->notes[0].site, 10);
    assert_int_equal(x->notes[1].site, 11);
    /* Persisting a now is too late: b was stored before. */
    clwb(f, 12, POOL + 0x40);
    sfence(f, 13);
    assert_ordered(f, 41, POOL + 0x40, 8, POOL + 0x1000, 8);
    assert_int_equal(count_rule(f, PMC_RULE_ASSERT_ORDERED), 2);
}

static void test_assert_ordered_holds_across_lines(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, true);
    store(f, 10, POOL + 0x40, 8); /* a, persisted before b is stored */
    clwb(f, 11, POOL + 0x40);
    sfence(f, 12);
    store(f, 13, POOL + 0x1000, 8); /* b, not yet persistent */
    struct pmc_model_stats st;
    pmc_model_stats(f->m, &st);
    assert_int_equal(st.lines, 1); /* a's line left: only history knows */
    assert_int_equal(st.history_lines, 1);
    assert_ordered(f, 40, POOL + 0x40, 8, POOL + 0x1000, 8);
    /* Ranges never stored are fine too. */
    assert_ordered(f, 41, POOL + 0x8000, 8, POOL + 0x1000, 8);
    assert_ordered(f, 42, POOL + 0x40, 8, POOL + 0x9000, 8);
    assert_no_findings(f);
}

static void test_assert_ordered_under_eadr(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_EADR, true);
    store(f, 10, POOL + 0x40, 8);
    store(f, 11, POOL + 0x1000, 8);
    assert_ordered(f, 40, POOL + 0x40, 8, POOL + 0x1000, 8);
    assert_no_findings(f);
    assert_ordered(f, 41, POOL + 0x1000, 8, POOL + 0x40, 8);
    assert_int_equal(only_finding(f, PMC_RULE_ASSERT_ORDERED)->site, 41);
}

/* The history against a byte-per-byte reference, on random stores. */
static void test_history_matches_reference(void **state)
{
    (void)state;
    struct history h;
    history_init(&h);
    struct store_time want[2][LINE_SIZE];
    memset(want, 0, sizeof(want));
    uint64_t rng = 12345;
    for (uint64_t seq = 1; seq <= 5000; seq++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        unsigned line = (unsigned)(rng % 2);
        unsigned offset = (unsigned)((rng >> 8) % LINE_SIZE);
        /* Mostly short stores, so lines fragment; now and then a whole
         * line. */
        unsigned len = (rng >> 16) % 8 == 0 ? LINE_SIZE - offset
                                            : 1 + (unsigned)((rng >> 20) % 8);
        if (offset + len > LINE_SIZE)
            len = LINE_SIZE - offset;
        uint32_t site = (uint32_t)(seq % 3); /* equal neighbours merge */
        uint64_t persist = seq + (rng >> 40) % 5;
        assert_int_equal(history_record(&h, POOL + line * 64, offset, len,
                                        seq / 4, persist / 4, site),
                         0);
        for (unsigned b = offset; b < offset + len; b++)
            want[line][b] =
                (struct store_time){seq / 4, persist / 4, site, true};
        struct store_time got[LINE_SIZE];
        memset(got, 0, sizeof(got));
        history_fill(&h, POOL + line * 64, got);
        for (unsigned b = 0; b < LINE_SIZE; b++) {
            assert_int_equal(got[b].exists, want[line][b].exists);
            assert_int_equal(got[b].seq, want[line][b].seq);
            assert_int_equal(got[b].persist_seq, want[line][b].persist_seq);
            assert_int_equal(got[b].site, want[line][b].site);
        }
    }
    assert_int_equal(history_line_count(&h), 2);
    assert_int_equal(history_forget(&h, POOL + 64, 1), 0);
    assert_int_equal(history_line_count(&h), 1);
    history_destroy(&h);
}

/* ---- merging, memory ------------------------------------------------ */

static void test_repeated_findings_merge(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    for (unsigned i = 0; i < 5; i++)
        store(f, 10, POOL + 0x40 + i * 0x100, 8);
    for (unsigned i = 0; i < 3; i++)
        sfence(f, 12);
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_UNPERSISTED_STORE);
    assert_int_equal(x->count, 5);
    assert_int_equal(x->offset, 0x40); /* the first occurrence's */
    assert_int_equal(only_finding(f, PMC_RULE_REDUNDANT_FENCE)->count, 3);
    assert_int_equal(pmc_findings_count(f->set), 2);
}

static void test_live_tables_empty_after_persisting(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    for (unsigned round = 0; round < 4; round++) {
        for (uint64_t i = 0; i < 5000; i++)
            store(f, 10, POOL + i * 64 + round, 8);
        for (uint64_t i = 0; i < 5000; i++)
            clwb(f, 11, POOL + i * 64);
        nt_store(f, 12, POOL + 0x80000, 32);
        sfence(f, 13);
    }
    exit_program(f);
    assert_no_findings(f);
    struct pmc_model_stats st;
    pmc_model_stats(f->m, &st);
    assert_int_equal(st.live_stores, 0);
    assert_int_equal(st.lines, 0);
    assert_int_equal(st.peak_live_stores, 5001);
    assert_int_equal(st.peak_lines, 5001);
    assert_int_equal(st.regions, 2);
    assert_int_equal(st.history_lines, 0);
    size_t cursor = 0;
    struct pmc_line_view v;
    assert_false(pmc_model_next_line(f->m, &cursor, &v));
}

static void test_regions_are_listed(void **state)
{
    struct model_fx *f = *state;
    fx_model(f, PMC_PERSIST_ADR, false);
    map(f, 2, POOL2, POOL_LEN, 2);
    map(f, 1, POOL, POOL_LEN, 1);
    assert_int_equal(pmc_model_region_count(f->m), 2);
    const struct pmc_region *r = pmc_model_region(f->m, 0);
    assert_int_equal(r->id, 1);
    assert_string_equal(r->name, "pool.pmem");
    assert_string_equal(r->path, "/mnt/pmem/pool.pmem");
    assert_int_equal(pmc_model_region(f->m, 1)->id, 2);
    assert_ptr_equal(pmc_model_region_of(f->m, POOL2 + POOL_LEN - 1),
                     pmc_model_region(f->m, 1));
    assert_null(pmc_model_region_of(f->m, POOL2 + POOL_LEN));
}

static void test_ignored_kinds_are_accepted(void **state)
{
    struct model_fx *f = pools_model(state, PMC_PERSIST_ADR, false);
    static const enum pmt_kind kinds[] = {
        PMT_LOAD,       PMT_LOCK,      PMT_UNLOCK,   PMT_CRASH_POINT,
        PMT_COMMIT_VAR, PMT_MARKER,    PMT_LIB_CALL, PMT_TX_BEGIN,
        PMT_TX_ADD,     PMT_TX_COMMIT, PMT_TX_ABORT, PMT_TX_END,
        PMT_TX_ALLOC,   PMT_TX_FREE,   PMT_THREAD,   PMT_REGION_DATA,
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        range_event(f, kinds[i], 50, POOL, 64);
    range_event(f, (enum pmt_kind)99, 50, POOL, 64); /* a future kind */
    assert_no_findings(f);
    struct pmc_model_stats st;
    pmc_model_stats(f->m, &st);
    assert_int_equal(st.events, 2 + 17);
}

static void test_thread_number_out_of_range(void **state)
{
    struct model_fx *f = *state;
    fx_model(f, PMC_PERSIST_ADR, false);
    struct pmc_event ev = {.kind = PMT_FENCE,
                           .flags = PMT_FENCE_SFENCE,
                           .thread = UINT32_MAX,
                           .seq = 1};
    struct pmc_error err = {{0}};
    assert_int_equal(pmc_model_event(f->m, &ev, &err), -1);
    assert_non_null(strstr(err.msg, "thread"));
}

#define T(name)                                                                \
    cmocka_unit_test_setup_teardown(name, model_fx_setup, model_fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_clflush_needs_no_fence),
        T(test_clwb_needs_fence),
        T(test_clflushopt_needs_fence),
        T(test_lib_flush_needs_fence),
        T(test_clwb_and_fence_persist),
        T(test_flush_before_store_does_not_cover_it),
        T(test_locked_fence_orders_flushes),
        T(test_locked_store_orders_flushes),
        T(test_locked_store_to_pmem_is_itself_unflushed),
        T(test_nt_store_needs_fence),
        T(test_nt_store_with_fence),
        T(test_nt_store_needs_fence_under_eadr),
        T(test_overwritten_store_persisted_by_newer),
        T(test_line_persists_in_program_order),
        T(test_only_latest_store_of_a_byte_is_reported),
        T(test_missing_flush_adr_error_eadr_nothing),
        T(test_store_across_lines_is_one_finding),
        T(test_memset_across_lines),
        T(test_lib_write_persists_its_line),
        T(test_store_outside_pmem_is_ignored),
        T(test_live_parts_keep_data),
        T(test_flush_is_redundant_under_eadr),
        T(test_second_clwb_is_redundant),
        T(test_flush_after_new_store_is_not_redundant),
        T(test_fence_with_nothing_to_order_is_redundant),
        T(test_fence_after_clflush_is_redundant),
        T(test_pmem_persist_pair_is_not_redundant_fence),
        T(test_fences_are_per_thread),
        T(test_fence_persists_only_its_threads_parts),
        T(test_flush_non_pmem),
        T(test_unmap_is_durability_point_of_its_region),
        T(test_durable_annotation),
        T(test_store_after_durable_is_reported_at_exit),
        T(test_end_exit_without_record_is_durable),
        T(test_end_exit_with_record_reports_once),
        T(test_end_signal_is_not_durable),
        T(test_end_unknown_is_not_durable),
        T(test_assert_persisted_holds),
        T(test_assert_persisted_fails),
        T(test_assert_ordered_needs_history),
        T(test_assert_ordered_same_line),
        T(test_assert_ordered_different_lines),
        T(test_assert_ordered_holds_across_lines),
        T(test_assert_ordered_under_eadr),
        T(test_history_matches_reference),
        T(test_repeated_findings_merge),
        T(test_live_tables_empty_after_persisting),
        T(test_regions_are_listed),
        T(test_ignored_kinds_are_accepted),
        T(test_thread_number_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
