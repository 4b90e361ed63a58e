/*
 * test_crash_db.c - what `pmcheck crash` keeps in the results database
 * (reports/db_crash.c, db_merge.c) and how reports see it: crash runs and
 * check runs keep their findings apart, states and totals are recorded,
 * shards merge into one run equal to the unsharded one (a cross-failure
 * read's message too, whichever shard showed its earliest state), and a
 * database merged twice adds nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"
#include "gate.h"
#include "report.h"
#include "reports_fixture.h"
#include "test_support.h"

static struct fixture_sites sites;
static uint32_t site_store, site_fence, site_other;

static struct pmc_db *open_db(const char *name)
{
    struct pmc_db *db;
    struct pmc_error err;
    if (pmc_db_open(test_path(name), &db, &err) != 0)
        fail_msg("%s", err.msg);
    return db;
}

static int64_t crash_run(struct pmc_db *db, const char *cmdline)
{
    struct pmc_run_info info = {
        .kind = PMC_RUN_CRASH,
        .model = "adr",
        .command_line = cmdline,
        .version = "0.1.0",
    };
    int64_t run;
    struct pmc_error err;
    assert_int_equal(pmc_db_run_begin(db, &info, &run, &err), 0);
    return run;
}

static void end_run(struct pmc_db *db, int64_t run, int code)
{
    struct pmc_error err;
    assert_int_equal(pmc_db_run_end(db, run, PMC_RUN_COMPLETE, code, &err), 0);
}

static struct pmc_db_crash *begin(struct pmc_db *db, int64_t run,
                                  const struct pmc_db_trace *t, uint32_t shard,
                                  uint32_t shards)
{
    struct pmc_db_crash_config cfg = {
        .recover = "./list {image} verify",
        .strategy = "lines",
        .options = "--model adr --strategy lines --max-per-point 64",
        .config = "--model adr --strategy lines --max-per-point 64 "
                  "--max-states 100000",
        .shard = shard,
        .shards = shards,
    };
    struct pmc_db_crash *c;
    struct pmc_error err;
    if (pmc_db_crash_begin(db, run, t, fixture_site, &sites, &cfg, &c, &err) !=
        0)
        fail_msg("%s", err.msg);
    return c;
}

/* Two failing states at the fence (ordinals 1 and 2), one pass (0). */
static const struct pmc_db_crash_state all_states[] = {
    {.state_id = "0.0", .ordinal = 0, .outcome = "pass", .seconds = 0.1},
    {.state_id = "0.1",
     .ordinal = 1,
     .outcome = "exit",
     .code = 1,
     .has_code = true,
     .stderr_tail = "list: node at offset 80 is not initialised\n",
     .seconds = 0.2},
    {.state_id = "0.2",
     .ordinal = 2,
     .outcome = "signal",
     .code = 11,
     .has_code = true,
     .seconds = 0.3},
    {.state_id = "1.0",
     .ordinal = 3,
     .outcome = "duplicate",
     .duplicate_of = "0.0",
     .seconds = -1},
};

static void add_states(struct pmc_db_crash *c, size_t shard, size_t shards)
{
    struct pmc_db_crash_state picked[4];
    size_t n = 0;
    for (size_t i = 0; i < 4; i++) {
        if (all_states[i].ordinal % shards != shard)
            continue;
        picked[n] = all_states[i];
        picked[n].crash_site = i == 3 ? site_other : site_fence;
        picked[n].image_hash = 0x1000 + i;
        n++;
    }
    struct pmc_error err;
    if (pmc_db_crash_add(c, picked, n, &err) != 0)
        fail_msg("%s", err.msg);
}

/* A read of the store by a load at load_site under rule (a pair rule),
 * shown by the passing state 0.0 and the failing 0.1 (one per shard of 2):
 * count = its states, message of its earliest. Its site is the store,
 * where no state crashed, so the merge must find its earliest state by the
 * message, and tell pairs of one store apart by their loads. */
static void add_read(struct pmc_findings *set, enum pmc_rule rule,
                     uint32_t load_site, size_t shard, size_t shards)
{
    uint64_t count = 0;
    const char *first = NULL;
    for (size_t i = 0; i <= 1; i++) {
        if (all_states[i].ordinal % shards != shard)
            continue;
        count++;
        if (first == NULL)
            first = all_states[i].state_id;
    }
    if (count == 0)
        return;
    struct pmc_finding f;
    pmc_finding_init(&f, rule, site_store, 9);
    f.key_site = load_site;
    f.count = count;
    snprintf(f.message, sizeof(f.message),
             "recovery read 8 bytes at list.pool+0x50 that this store left "
             "unflushed at the crash (crash state %s)",
             first);
    pmc_finding_note(&f, PMC_NOTE_LOAD, load_site, "read by the recovery");
    pmc_finding_note(&f, PMC_NOTE_CRASH_POINT, site_fence, "crash point");
    assert_int_equal(pmc_findings_add(set, &f), 0);
}

/* The crash finding a shard (or the whole run) stores: count = its failing
 * states, message of its earliest. */
static void store_crash_findings(struct pmc_db *db, int64_t run,
                                 const struct pmc_db_trace *t, size_t shard,
                                 size_t shards)
{
    struct pmc_findings *set = pmc_findings_new();
    uint64_t count = 0;
    const char *first = NULL;
    for (size_t i = 1; i <= 2; i++) {
        if (all_states[i].ordinal % shards != shard)
            continue;
        count++;
        if (first == NULL)
            first = all_states[i].state_id;
    }
    if (count > 0) {
        struct pmc_finding f;
        pmc_finding_init(&f, PMC_RULE_CRASH_RECOVERY_FAILED, site_fence, 9);
        f.count = count;
        snprintf(f.message, sizeof(f.message),
                 "recovery failed on crash state %s", first);
        pmc_finding_note(&f, PMC_NOTE_STORE, site_store, "left out");
        pmc_finding_note(&f, PMC_NOTE_CRASH_POINT, site_fence, "crash point");
        assert_int_equal(pmc_findings_add(set, &f), 0);
    }
    add_read(set, PMC_RULE_CROSS_FAILURE_READ, site_other, shard, shards);
    /* The same store read in flight by two loads: two in-flight-reads. */
    add_read(set, PMC_RULE_IN_FLIGHT_READ, site_other, shard, shards);
    add_read(set, PMC_RULE_IN_FLIGHT_READ, site_fence, shard, shards);
    struct pmc_error err;
    if (pmc_db_store_results(db, run, t, fixture_site, &sites, set, &err) != 0)
        fail_msg("%s", err.msg);
    pmc_findings_free(set);
}

/* A whole crash exploration of trace t (one shard of `shards`) into db. */
static int64_t explore(struct pmc_db *db, const struct pmc_db_trace *t,
                       size_t shard, size_t shards, const char *cmdline)
{
    int64_t run = crash_run(db, cmdline);
    struct pmc_db_crash *c =
        begin(db, run, t, (uint32_t)shard, (uint32_t)shards);
    add_states(c, shard, shards);
    store_crash_findings(db, run, t, shard, shards);
    struct pmc_db_crash_totals totals = {.points = 2, .seconds = 1.5};
    for (size_t i = 0; i < 4; i++) {
        if (all_states[i].ordinal % shards != shard)
            continue;
        totals.states++;
        totals.duplicates += all_states[i].duplicate_of != NULL;
        totals.runs += all_states[i].duplicate_of == NULL;
        totals.failures += i == 1 || i == 2;
    }
    struct pmc_error err;
    assert_int_equal(pmc_db_crash_totals(c, &totals, &err), 0);
    pmc_db_crash_free(c);
    end_run(db, run, 1);
    return run;
}

static int setup(void **state)
{
    (void)state;
    test_dir_create("test-crash-db");
    memset(&sites, 0, sizeof(sites));
    site_store =
        fixture_site_add(&sites, "list.c", "/src", 80, 17, "list_insert");
    site_fence =
        fixture_site_add(&sites, "list.c", "/src", 67, 5, "list_publish");
    site_other =
        fixture_site_add(&sites, "list.c", "/src", 93, 5, "list_insert");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_dir_remove();
    return 0;
}

/* A crash run keeps a check run's findings of the same trace, and each
 * run's report and gate see their own kind only. */
static void test_kinds_apart(void **state)
{
    (void)state;
    struct pmc_db *db = open_db("kinds.db");
    struct pmc_db_trace t = fixture_trace(7, "list.pmt");
    int64_t check = fixture_run(db, "adr");
    struct pmc_findings *set = pmc_findings_new();
    fixture_finding(set, PMC_RULE_UNPERSISTED_STORE, site_store, 1, 8,
                    PMC_NOTE_DURABILITY, 0, "program exit", 0, 0, NULL);
    fixture_store(db, check, &t, &sites, set);
    pmc_findings_free(set);
    end_run(db, check, 1);
    int64_t crash = explore(db, &t, 0, 1, "pmcheck crash list.pmt");
    const char *path = test_path("kinds.db");
    /* the check's unpersisted-store, the crash's recovery failure, its
     * cross-failure read and its two in-flight reads */
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM findings"), 5);
    int64_t failing;
    struct pmc_error err;
    assert_int_equal(
        pmc_gate_count(db, check, PMC_FAIL_ON_ERROR, &failing, &err), 0);
    assert_int_equal(failing, 1);
    char *text = fixture_report(db, check, PMC_REPORT_TEXT);
    assert_non_null(strstr(text, "[unpersisted-store]"));
    assert_null(strstr(text, "crash-recovery-failed"));
    free(text);
    text = fixture_report(db, crash, PMC_REPORT_TEXT);
    assert_null(strstr(text, "[unpersisted-store]"));
    assert_non_null(strstr(text, "[crash-recovery-failed]"));
    assert_non_null(strstr(text, "the recovery failed on 2 crash states"));
    assert_non_null(strstr(text, "    list: node at offset 80 is not "
                                 "initialised\n"));
    assert_non_null(strstr(text, "pmcheck crash list.pmt --model adr "
                                 "--strategy lines --max-per-point 64 "
                                 "--replay 0.1 -o crash.img"));
    assert_non_null(strstr(text, "crash: 4 states at 2 crash points: 3 run, "
                                 "1 identical to an earlier one, 2 failed"));
    free(text);
    /* Checking the trace again keeps the crash findings. */
    int64_t again = fixture_run(db, "adr");
    set = pmc_findings_new();
    fixture_store(db, again, &t, &sites, set);
    pmc_findings_free(set);
    assert_int_equal(
        fixture_sql_int(path, "SELECT count(*) FROM findings WHERE rule = "
                              "'crash-recovery-failed'"),
        1);
    assert_int_equal(
        fixture_sql_int(path, "SELECT count(*) FROM findings WHERE rule = "
                              "'in-flight-read'"),
        2);
    pmc_db_close(db);
}

static void test_states_recorded(void **state)
{
    (void)state;
    struct pmc_db *db = open_db("states.db");
    struct pmc_db_trace t = fixture_trace(8, "list.pmt");
    explore(db, &t, 0, 1, "pmcheck crash list.pmt");
    const char *path = test_path("states.db");
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM crash_states"),
                     4);
    char *s = fixture_sql_text(
        path, "SELECT outcome || ' ' || code || ' ' || image_hash || ' ' || "
              "s.line FROM crash_states c JOIN sites s ON s.id = "
              "c.crash_site WHERE state_id = '0.2'");
    assert_string_equal(s, "signal 11 0000000000001002 67");
    free(s);
    s = fixture_sql_text(path, "SELECT duplicate_of FROM crash_states WHERE "
                               "state_id = '1.0'");
    assert_string_equal(s, "0.0");
    free(s);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM "
                                           "crash_states WHERE duration "
                                           "IS NULL"),
                     1);
    assert_int_equal(fixture_sql_int(path, "SELECT points FROM crash_runs"), 2);
    pmc_db_close(db);
}

/* The findings of a database, comparable across databases. */
static char *findings_text(const char *path)
{
    return fixture_sql_text(
        path, "SELECT group_concat(x, ';') FROM (SELECT f.rule || ' ' || "
              "s.line || ' ' || f.count || ' ' || f.message || ' ' || "
              "(SELECT group_concat(n.role || ':' || n.message) FROM notes n "
              "WHERE n.finding = f.id) AS x FROM findings f JOIN sites s ON "
              "s.id = f.site ORDER BY 1)");
}

static char *states_text(const char *path)
{
    return fixture_sql_text(
        path, "SELECT group_concat(x, ';') FROM (SELECT state_id || ' ' || "
              "ordinal || ' ' || outcome || ' ' || image_hash AS x FROM "
              "crash_states ORDER BY ordinal)");
}

/* Two shards merged equal the unsharded run, whichever order they are
 * merged in; merging again adds nothing. */
static void test_merge_shards(void **state)
{
    (void)state;
    struct pmc_db_trace t = fixture_trace(9, "list.pmt");
    struct pmc_db *whole = open_db("whole.db");
    explore(whole, &t, 0, 1, "pmcheck crash list.pmt");
    pmc_db_close(whole);
    struct pmc_db *s0 = open_db("s0.db"), *s1 = open_db("s1.db");
    explore(s0, &t, 0, 2, "pmcheck crash --shard 0/2 list.pmt");
    explore(s1, &t, 1, 2, "pmcheck crash --shard 1/2 list.pmt");
    pmc_db_close(s0);
    pmc_db_close(s1);
    char *want_states = states_text(test_path("whole.db"));
    char *want_findings = findings_text(test_path("whole.db"));
    const char *orders[2][2] = {{"s0.db", "s1.db"}, {"s1.db", "s0.db"}};
    for (int o = 0; o < 2; o++) {
        const char *name = o == 0 ? "m01.db" : "m10.db";
        struct pmc_db *m = open_db(name);
        struct pmc_db_merge_stats st;
        struct pmc_error err;
        for (int i = 0; i < 2; i++)
            if (pmc_db_merge(m, test_path(orders[o][i]), &st, &err) != 0)
                fail_msg("%s", err.msg);
        assert_int_equal(st.shards, 1);
        /* again: nothing new */
        assert_int_equal(pmc_db_merge(m, test_path(orders[o][0]), &st, &err),
                         0);
        assert_int_equal(st.runs + st.shards + st.states + st.findings, 0);
        pmc_db_close(m);
        const char *path = test_path(name);
        assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM runs"), 1);
        char *states = states_text(path), *findings = findings_text(path);
        assert_string_equal(states, want_states);
        assert_string_equal(findings, want_findings);
        free(states);
        free(findings);
    }
    free(want_states);
    free(want_findings);
    struct pmc_db *m = open_db("self.db");
    struct pmc_error err;
    assert_int_equal(pmc_db_merge(m, test_path("self.db"), NULL, &err), -1);
    assert_non_null(strstr(err.msg, "into itself"));
    pmc_db_close(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_apart),
        cmocka_unit_test(test_states_recorded),
        cmocka_unit_test(test_merge_shards),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
