/*
 * test_tx.c - PMDK transactions in the persistency model (checker/tx.c)
 * and the range set under them (checker/rangeset.h), fed hand-written
 * event sequences shaped as the runtime writes them for TX_BEGIN ...
 * TX_END blocks.
 *
 * Each test asserts the exact findings: rule, primary site, notes and
 * count. Sites are small numbers chosen per test (10s: stores, 20s: adds
 * and allocations, 30s: begin/commit/end, 40s: flushes), so a finding at
 * the wrong site fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "finding.h"
#include "model.h"
#include "model_events.h"
#include "rangeset.h"
#include "rules.h"

#define POOL 0x10000000ull
#define POOL_LEN 0x100000ull
#define DRAM 0x7000000ull

#define T1 1u
#define T2 2u

static const uint8_t payload[4096];

/* ---- feeding events ------------------------------------------------- */

/* The test's model, with the PMDK pool mapped: where every test starts. */
static struct model_fx *pool_model(void **state, enum pmc_persistency p)
{
    struct model_fx *f = *state;
    model_open(f, &(struct pmc_model_options){.persistency = p});
    model_map(f, PMT_REGION_PMDK, 1, POOL, POOL_LEN, 0);
    return f;
}

static void event_as(struct model_fx *f, uint32_t thread, enum pmt_kind kind,
                     uint32_t site)
{
    model_event(f, thread, kind, 0, site);
}

static void event(struct model_fx *f, enum pmt_kind kind, uint32_t site)
{
    event_as(f, T1, kind, site);
}

static void range_as(struct model_fx *f, uint32_t thread, enum pmt_kind kind,
                     uint32_t flags, uint32_t site, uint64_t addr, uint64_t len)
{
    model_range(f, thread, kind, flags, site, addr, len, payload);
}

static void store_as(struct model_fx *f, uint32_t thread, uint32_t site,
                     uint64_t addr, uint64_t len)
{
    range_as(f, thread, PMT_STORE, 0, site, addr, len);
}

static void store(struct model_fx *f, uint32_t site, uint64_t addr,
                  uint64_t len)
{
    store_as(f, T1, site, addr, len);
}

static void add(struct model_fx *f, uint32_t site, uint64_t addr, uint64_t len)
{
    range_as(f, T1, PMT_TX_ADD, 0, site, addr, len);
}

static void alloc(struct model_fx *f, uint32_t site, uint64_t addr,
                  uint64_t len)
{
    range_as(f, T1, PMT_TX_ALLOC, 0, site, addr, len);
}

/* pmemobj_persist / pmemobj_memcpy_persist: a library flush and drain. */
static void persist(struct model_fx *f, uint32_t site, uint64_t addr,
                    uint64_t len)
{
    range_as(f, T1, PMT_FLUSH, PMT_FLUSH_LIB, site, addr, len);
    model_event(f, T1, PMT_FENCE, PMT_FENCE_LIB, site);
}

/* The library's own write (the commit's flush, an abort's restore). */
static void lib_write(struct model_fx *f, uint64_t addr, uint64_t len)
{
    range_as(f, T1, PMT_LIB_WRITE, 0, 0, addr, len);
}

static void exit_program(struct model_fx *f)
{
    event(f, PMT_EXIT, 0);
    model_end(f, PMT_END_EXIT);
}

/* TX_BEGIN ... TX_END as the runtime records it: the begin, the body, the
 * commit (at the stage change) and the end. */
#define TX(f, begin_site) TX_AT(f, begin_site, __LINE__)
#define TX_AT(f, begin_site, line) TX_NAMED(f, begin_site, line)
#define TX_NAMED(f, begin_site, line) TX_ONCE(f, begin_site, once_##line)
#define TX_ONCE(f, begin_site, once)                                           \
    for (int once = (event(f, PMT_TX_BEGIN, begin_site), 1); once; once = 0,   \
             event(f, PMT_TX_COMMIT, begin_site + 1),                          \
             event(f, PMT_TX_END, begin_site + 2))

/* ---- tx-unlogged-store -------------------------------------------------- */

static void test_added_store_is_logged(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        add(f, 20, POOL + 0x100, 16);
        store(f, 10, POOL + 0x100, 8);
        store(f, 11, POOL + 0x108, 8);
    }
    exit_program(f);
    assert_no_findings(f);
}

static void test_store_not_added_is_unlogged(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        add(f, 20, POOL + 0x100, 8);
        store(f, 10, POOL + 0x100, 8);
        store(f, 11, POOL + 0x108, 8); /* next to the added range */
    }
    lib_write(f, POOL + 0x100, 16); /* the commit flushed the line */
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_TX_UNLOGGED_STORE);
    assert_int_equal(x->site, 11);
    assert_int_equal(x->region, 1);
    assert_int_equal(x->offset, 0x108);
    assert_int_equal(x->len, 8);
    assert_int_equal(note_of(x, PMC_NOTE_TX)->site, 30);
    assert_int_equal(pmc_findings_count(f->set), 1);
}

static void test_store_partly_added_is_unlogged(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        add(f, 20, POOL + 0x100, 4);
        store(f, 10, POOL + 0x100, 8);
    }
    exit_program(f);
    assert_int_equal(only_finding(f, PMC_RULE_TX_UNLOGGED_STORE)->site, 10);
}

static void test_store_before_add_is_unlogged(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        store(f, 10, POOL + 0x100, 8);
        add(f, 20, POOL + 0x100, 8); /* snapshots the new value */
    }
    exit_program(f);
    assert_int_equal(only_finding(f, PMC_RULE_TX_UNLOGGED_STORE)->site, 10);
}

static void test_adjacent_adds_cover_a_store(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        add(f, 20, POOL + 0x100, 8);
        add(f, 21, POOL + 0x108, 8);
        store(f, 10, POOL + 0xfc, 4);   /* before them: unlogged */
        store(f, 11, POOL + 0x100, 16); /* across both */
    }
    exit_program(f);
    assert_int_equal(only_finding(f, PMC_RULE_TX_UNLOGGED_STORE)->site, 10);
}

static void test_allocated_store_is_logged(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        alloc(f, 20, POOL + 0x400, 64);
        store(f, 10, POOL + 0x400, 8);
        range_as(f, T1, PMT_STORE_FILL, 0, 11, POOL + 0x408, 56);
    }
    exit_program(f);
    assert_no_findings(f);
}

static void test_memset_and_nt_store_are_judged(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        range_as(f, T1, PMT_STORE_FILL, 0, 10, POOL + 0x100, 32);
        range_as(f, T1, PMT_NT_STORE, 0, 11, POOL + 0x200, 8);
        model_event(f, T1, PMT_FENCE, PMT_FENCE_SFENCE, 12);
    }
    exit_program(f);
    assert_int_equal(count_rule(f, PMC_RULE_TX_UNLOGGED_STORE), 2);
    assert_non_null(strstr(pmc_findings_get(f->set, 0)->message, "memset"));
}

static void test_store_outside_transaction_is_not_judged(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        add(f, 20, POOL + 0x100, 8);
        store(f, 10, POOL + 0x100, 8);
    }
    store(f, 11, POOL + 0x200, 8); /* after the end */
    persist(f, 40, POOL + 0x200, 8);
    exit_program(f);
    assert_no_findings(f);
}

static void test_dram_store_in_transaction_is_not_judged(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        store(f, 10, DRAM, 8);
    }
    exit_program(f);
    assert_no_findings(f);
}

/* The PMDK idiom: data copied with pmemobj_memcpy_persist into free space,
 * then published by a logged offset. */
static void test_store_persisted_by_program_is_not_unlogged(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        add(f, 20, POOL + 0x100, 16);     /* the header */
        store(f, 10, POOL + 0x110, 40);   /* the data, right after it */
        persist(f, 10, POOL + 0x110, 40); /* memcpy_persist */
        store(f, 11, POOL + 0x108, 8);    /* the offset, logged */
    }
    exit_program(f);
    assert_no_findings(f);
}

/* A flush of the data next to an unlogged store covers its line, not it:
 * the store is still reported. */
static void test_flush_of_neighbour_does_not_excuse(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        store(f, 10, POOL + 0x108, 8); /* the offset: not added */
        add(f, 20, POOL + 0x100, 16);
        store(f, 11, POOL + 0x110, 40);
        persist(f, 11, POOL + 0x110, 40); /* same line as the offset */
    }
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_TX_UNLOGGED_STORE);
    assert_int_equal(x->site, 10);
}

/* A flush before the store, or by another thread, excuses nothing. */
static void test_flush_must_follow_the_store(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        persist(f, 40, POOL + 0x100, 8);
        store(f, 10, POOL + 0x100, 8);
        range_as(f, T2, PMT_FLUSH, PMT_FLUSH_CLWB, 41, POOL + 0x100, 64);
    }
    exit_program(f);
    assert_int_equal(only_finding(f, PMC_RULE_TX_UNLOGGED_STORE)->site, 10);
}

static void test_repeated_unlogged_store_counts(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    for (int i = 0; i < 3; i++) {
        TX(f, 30)
        {
            add(f, 20, POOL + 0x100, 8);
            store(f, 10, POOL + 0x140, 8);
        }
    }
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_TX_UNLOGGED_STORE);
    assert_int_equal(x->count, 3);
}

static void test_transactions_are_per_thread(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    event_as(f, T1, PMT_TX_BEGIN, 30);
    add(f, 20, POOL + 0x100, 8);
    store_as(f, T2, 10, POOL + 0x100, 8); /* T2 is in no transaction */
    range_as(f, T2, PMT_FLUSH, PMT_FLUSH_LIB, 40, POOL + 0x100, 8);
    event_as(f, T2, PMT_FENCE, 41);
    store_as(f, T1, 11, POOL + 0x100, 8);
    event_as(f, T1, PMT_TX_COMMIT, 31);
    event_as(f, T1, PMT_TX_END, 32);
    exit_program(f);
    assert_no_findings(f);
}

/* ---- nesting, abort, the end of the trace -------------------------------- */

static void test_nested_transactions_flatten(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        add(f, 20, POOL + 0x100, 8);
        TX(f, 33)
        {
            store(f, 10, POOL + 0x100, 8); /* added by the outer one */
            alloc(f, 21, POOL + 0x200, 64);
        }
        store(f, 11, POOL + 0x200, 8); /* allocated by the inner one */
        store(f, 12, POOL + 0x300, 8); /* neither */
    }
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_TX_UNLOGGED_STORE);
    assert_int_equal(x->site, 12);
    assert_int_equal(note_of(x, PMC_NOTE_TX)->site, 30);
}

static void test_abort_ends_the_transaction(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    event(f, PMT_TX_BEGIN, 30);
    add(f, 20, POOL + 0x100, 8);
    store(f, 10, POOL + 0x100, 8);
    alloc(f, 21, POOL + 0x200, 64);
    store(f, 11, POOL + 0x200, 8);
    event(f, PMT_TX_ABORT, 31);
    lib_write(f, POOL + 0x100, 8); /* the rollback */
    store(f, 12, POOL + 0x300, 8); /* TX_ONABORT: not in the transaction */
    persist(f, 40, POOL + 0x300, 8);
    event(f, PMT_TX_END, 32);
    exit_program(f);
    /* The allocation was freed: its store is nobody's to persist. */
    assert_no_findings(f);
}

static void test_abort_reports_unlogged_stores(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    event(f, PMT_TX_BEGIN, 30);
    store(f, 10, POOL + 0x100, 8);
    persist(f, 40, DRAM, 8); /* not over the store */
    event(f, PMT_TX_ABORT, 31);
    event(f, PMT_TX_END, 32);
    persist(f, 41, POOL + 0x100, 8);
    exit_program(f);
    assert_int_equal(only_finding(f, PMC_RULE_TX_UNLOGGED_STORE)->site, 10);
}

static void test_trace_ending_in_transaction_reports(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    event(f, PMT_TX_BEGIN, 30);
    store(f, 10, POOL + 0x100, 8);
    model_end(f, PMT_END_SIGNAL);
    assert_int_equal(only_finding(f, PMC_RULE_TX_UNLOGGED_STORE)->site, 10);
}

/* ---- commit persists the ranges ----------------------------------------- */

static void test_commit_persists_added_ranges(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        add(f, 20, POOL + 0x100, 8);
        store(f, 10, POOL + 0x100, 8);
        alloc(f, 21, POOL + 0x1000, 256);
        store(f, 11, POOL + 0x10f8, 8);
    }
    exit_program(f);
    assert_no_findings(f);
}

static void test_commit_does_not_persist_no_flush_ranges(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        range_as(f, T1, PMT_TX_ADD, PMT_TX_NO_FLUSH, 20, POOL + 0x100, 8);
        store(f, 10, POOL + 0x100, 8);
    }
    exit_program(f);
    assert_int_equal(only_finding(f, PMC_RULE_UNPERSISTED_STORE)->site, 10);
    assert_int_equal(count_rule(f, PMC_RULE_TX_UNLOGGED_STORE), 0);
}

static void test_nested_commit_persists_nothing(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    event(f, PMT_TX_BEGIN, 30);
    TX(f, 33)
    {
        add(f, 20, POOL + 0x100, 8);
        store(f, 10, POOL + 0x100, 8);
    }
    event(f, PMT_DURABLE, 39); /* inside the outer transaction */
    event(f, PMT_TX_COMMIT, 31);
    event(f, PMT_TX_END, 32);
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_UNPERSISTED_STORE);
    assert_int_equal(x->site, 10);
    assert_int_equal(note_of(x, PMC_NOTE_DURABILITY)->site, 39);
}

/* ---- tx-redundant-add -----------------------------------------------------
 */

static void test_second_add_is_redundant(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        add(f, 20, POOL + 0x100, 16);
        add(f, 21, POOL + 0x104, 8);
    }
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_TX_REDUNDANT_ADD);
    assert_int_equal(x->site, 21);
    assert_int_equal(x->offset, 0x104);
    assert_int_equal(x->len, 8);
    assert_int_equal(note_of(x, PMC_NOTE_TX)->site, 20);
    assert_non_null(strstr(x->message, "already added"));
}

static void test_add_of_allocated_is_redundant(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        alloc(f, 20, POOL + 0x200, 64);
        add(f, 21, POOL + 0x200, 64);
    }
    exit_program(f);
    const struct pmc_finding *x = only_finding(f, PMC_RULE_TX_REDUNDANT_ADD);
    assert_int_equal(x->site, 21);
    assert_int_equal(note_of(x, PMC_NOTE_TX)->site, 20);
    assert_non_null(strstr(x->message, "allocated"));
}

static void test_partly_new_add_is_not_redundant(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        add(f, 20, POOL + 0x100, 8);
        add(f, 21, POOL + 0x104, 8);
        add(f, 22, POOL + 0x200, 8);
    }
    TX(f, 30)
    {
        add(f, 23, POOL + 0x100, 8); /* a new transaction: not again */
    }
    exit_program(f);
    assert_no_findings(f);
}

static void test_same_add_in_a_loop_counts(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_ADR);
    TX(f, 30)
    {
        add(f, 20, POOL + 0x100, 8);
        for (int i = 0; i < 4; i++)
            add(f, 21, POOL + 0x100, 8);
    }
    exit_program(f);
    assert_int_equal(only_finding(f, PMC_RULE_TX_REDUNDANT_ADD)->count, 4);
}

/* ---- eADR ------------------------------------------------------------------
 */

static void test_rules_hold_under_eadr(void **state)
{
    struct model_fx *f = pool_model(state, PMC_PERSIST_EADR);
    TX(f, 30)
    {
        add(f, 20, POOL + 0x100, 8);
        add(f, 21, POOL + 0x100, 8);
        store(f, 10, POOL + 0x100, 8);
        store(f, 11, POOL + 0x180, 8);
    }
    exit_program(f);
    assert_int_equal(only_finding(f, PMC_RULE_TX_UNLOGGED_STORE)->site, 11);
    assert_int_equal(only_finding(f, PMC_RULE_TX_REDUNDANT_ADD)->site, 21);
    assert_int_equal(pmc_findings_count(f->set), 2);
}

/* ---- the range set ---------------------------------------------------------
 */

static struct range_tag tag(uint32_t site)
{
    return (struct range_tag){.site = site, .kind = 1};
}

static void test_rangeset_fills_gaps_only(void **state)
{
    (void)state;
    struct rangeset s;
    rangeset_init(&s);
    assert_true(rangeset_covers(&s, 5, 5));
    assert_false(rangeset_covers(&s, 5, 6));
    assert_int_equal(rangeset_add(&s, 10, 20, tag(1)), 0);
    assert_int_equal(rangeset_add(&s, 30, 40, tag(2)), 0);
    assert_int_equal(rangeset_add(&s, 0, 50, tag(3)), 0);
    /* [0,10) 3, [10,20) 1, [20,30) 3, [30,40) 2, [40,50) 3 */
    assert_int_equal(s.count, 5);
    assert_true(rangeset_covers(&s, 0, 50));
    assert_false(rangeset_covers(&s, 0, 51));
    assert_int_equal(rangeset_find(&s, 15)->tag.site, 1);
    assert_int_equal(rangeset_find(&s, 25)->tag.site, 3);
    assert_int_equal(rangeset_find(&s, 39)->tag.site, 2);
    assert_int_equal(rangeset_find(&s, 40)->tag.site, 3);
    assert_null(rangeset_find(&s, 50));
    rangeset_destroy(&s);
}

static void test_rangeset_merges_same_tag(void **state)
{
    (void)state;
    struct rangeset s;
    rangeset_init(&s);
    for (uint64_t a = 0; a < 800; a += 8)
        assert_int_equal(rangeset_add(&s, a, a + 8, tag(7)), 0);
    assert_int_equal(s.count, 1);
    assert_int_equal(s.items[0].lo, 0);
    assert_int_equal(s.items[0].hi, 800);
    /* a gap filled between two ranges of its tag joins them */
    assert_int_equal(rangeset_add(&s, 900, 1000, tag(7)), 0);
    assert_int_equal(rangeset_add(&s, 800, 900, tag(7)), 0);
    assert_int_equal(s.count, 1);
    assert_int_equal(rangeset_add(&s, 1000, 1008, tag(8)), 0);
    assert_int_equal(s.count, 2);
    rangeset_clear(&s);
    assert_int_equal(s.count, 0);
    assert_false(rangeset_covers(&s, 0, 1));
    rangeset_destroy(&s);
}

/* Against a byte map: random adds keep the set sorted, disjoint, and equal
 * to the union, with each byte tagged by the first add that covered it. */
static void test_rangeset_matches_byte_map(void **state)
{
    (void)state;
    enum { SPAN = 512 };
    uint32_t first[SPAN] = {0};
    struct rangeset s;
    rangeset_init(&s);
    uint64_t x = 88172645463325252ull;
    for (uint32_t i = 1; i <= 300; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t lo = x % SPAN, len = 1 + (x >> 20) % 24;
        uint64_t hi = lo + len > SPAN ? SPAN : lo + len;
        uint32_t site = 1 + (uint32_t)((x >> 40) % 3);
        assert_int_equal(rangeset_add(&s, lo, hi, tag(site)), 0);
        for (uint64_t b = lo; b < hi; b++)
            if (first[b] == 0)
                first[b] = site;
    }
    for (size_t i = 0; i < s.count; i++) {
        assert_true(s.items[i].lo < s.items[i].hi);
        if (i > 0)
            assert_true(s.items[i - 1].hi <= s.items[i].lo);
    }
    for (uint64_t b = 0; b < SPAN; b++) {
        const struct range *r = rangeset_find(&s, b);
        if (first[b] == 0) {
            assert_null(r);
            assert_false(rangeset_covers(&s, b, b + 1));
        } else {
            assert_non_null(r);
            assert_int_equal(r->tag.site, first[b]);
            assert_true(rangeset_covers(&s, b, b + 1));
        }
    }
    rangeset_destroy(&s);
}

#define T(name)                                                                \
    cmocka_unit_test_setup_teardown(name, model_fx_setup, model_fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_added_store_is_logged),
        T(test_store_not_added_is_unlogged),
        T(test_store_partly_added_is_unlogged),
        T(test_store_before_add_is_unlogged),
        T(test_adjacent_adds_cover_a_store),
        T(test_allocated_store_is_logged),
        T(test_memset_and_nt_store_are_judged),
        T(test_store_outside_transaction_is_not_judged),
        T(test_dram_store_in_transaction_is_not_judged),
        T(test_store_persisted_by_program_is_not_unlogged),
        T(test_flush_of_neighbour_does_not_excuse),
        T(test_flush_must_follow_the_store),
        T(test_repeated_unlogged_store_counts),
        T(test_transactions_are_per_thread),
        T(test_nested_transactions_flatten),
        T(test_abort_ends_the_transaction),
        T(test_abort_reports_unlogged_stores),
        T(test_trace_ending_in_transaction_reports),
        T(test_commit_persists_added_ranges),
        T(test_commit_does_not_persist_no_flush_ranges),
        T(test_nested_commit_persists_nothing),
        T(test_second_add_is_redundant),
        T(test_add_of_allocated_is_redundant),
        T(test_partly_new_add_is_not_redundant),
        T(test_same_add_in_a_loop_counts),
        T(test_rules_hold_under_eadr),
        cmocka_unit_test(test_rangeset_fills_gaps_only),
        cmocka_unit_test(test_rangeset_merges_same_tag),
        cmocka_unit_test(test_rangeset_matches_byte_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
