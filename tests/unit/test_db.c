/*
 * test_db.c - the results database (reports/db.h): schema and version,
 * idempotent re-stores, concurrent writers, run selection, and clean
 * failures (full database, read-only file, newer schema, not a database).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"
#include "reports_fixture.h"
#include "test_support.h"
#include "trace.h"
#include "trace_builder.h"

static struct pmc_db *open_db(const char *name)
{
    struct pmc_db *db = NULL;
    struct pmc_error err = {{0}};
    if (pmc_db_open(test_path(name), &db, &err) != 0)
        fail_msg("open: %s", err.msg);
    return db;
}

static void end_run(struct pmc_db *db, int64_t run)
{
    struct pmc_error err = {{0}};
    if (pmc_db_run_end(db, run, PMC_RUN_COMPLETE, 1, &err) != 0)
        fail_msg("run_end: %s", err.msg);
}

/* Two findings at list.c:5 and list.c:6 (relative to the scratch dir). */
static struct pmc_findings *two_findings(struct fixture_sites *sites)
{
    uint32_t store =
        fixture_site_add(sites, "list.c", test_dir(), 5, 16, "list_insert");
    uint32_t other =
        fixture_site_add(sites, "list.c", test_dir(), 6, 16, "list_insert");
    uint32_t exit_site =
        fixture_site_add(sites, "list.c", test_dir(), 7, 1, "list_insert");
    struct pmc_findings *set = pmc_findings_new();
    fixture_finding(set, PMC_RULE_UNPERSISTED_STORE, store, 20, 8,
                    PMC_NOTE_DURABILITY, exit_site, "program exit", 0, 0, NULL);
    fixture_finding(set, PMC_RULE_MISSING_FENCE, other, 1, 8, PMC_NOTE_FLUSH,
                    store, "flushed here", PMC_NOTE_DURABILITY, 0,
                    "program exit");
    return set;
}

static void test_schema(void **state)
{
    (void)state;
    struct pmc_db *db = open_db("schema.db");
    const char *path = test_path("schema.db");
    assert_int_equal(fixture_sql_int(path, "PRAGMA user_version"),
                     PMC_DB_SCHEMA_VERSION);
    char *mode = fixture_sql_text(path, "PRAGMA journal_mode");
    assert_string_equal(mode, "wal");
    free(mode);
    assert_int_equal(
        fixture_sql_int(path, "SELECT count(*) FROM sqlite_schema WHERE type = "
                              "'table' AND name IN ('runs', 'traces', "
                              "'run_traces', 'sites', 'findings', 'notes', "
                              "'crash_states', 'run_baseline', "
                              "'trace_notes')"),
        9);
    /* Foreign keys are enforced on pmcheck's connection. */
    sqlite3_stmt *stmt;
    assert_int_equal(
        sqlite3_prepare_v2(db->sql, "PRAGMA foreign_keys", -1, &stmt, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(stmt, 0), 1);
    sqlite3_finalize(stmt);
    pmc_db_close(db);
    /* Opening it again keeps it as it is. */
    db = open_db("schema.db");
    assert_int_equal(fixture_sql_int(path, "PRAGMA user_version"),
                     PMC_DB_SCHEMA_VERSION);
    pmc_db_close(db);
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    pmc_db_close(open_db("newer.db"));
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(test_path("newer.db"), &raw), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(raw, "PRAGMA user_version = 99", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(raw);
    struct pmc_db *db = NULL;
    struct pmc_error err = {{0}};
    assert_int_equal(pmc_db_open(test_path("newer.db"), &db, &err), -1);
    assert_null(db);
    assert_non_null(strstr(err.msg, "newer.db"));
    assert_non_null(strstr(err.msg, "version 99"));
    assert_non_null(strstr(err.msg, "newer pmcheck"));
}

static void test_not_a_database(void **state)
{
    (void)state;
    char junk[8192];
    memset(junk, 'x', sizeof(junk));
    junk[sizeof(junk) - 1] = '\0';
    fixture_write_file(test_path("junk.db"), junk);
    struct pmc_db *db = NULL;
    struct pmc_error err = {{0}};
    assert_int_equal(pmc_db_open(test_path("junk.db"), &db, &err), -1);
    assert_null(db);
    assert_non_null(strstr(err.msg, "junk.db"));
    assert_non_null(strstr(err.msg, "not a database"));
    /* A directory that does not exist. */
    assert_int_equal(pmc_db_open(test_path("no/such/dir.db"), &db, &err), -1);
    assert_non_null(strstr(err.msg, "no/such/dir.db"));
}

static void test_store_and_line_text(void **state)
{
    (void)state;
    fixture_write_file(test_path("list.c"), fixture_list_c);
    struct pmc_db *db = open_db("store.db");
    const char *path = test_path("store.db");
    struct fixture_sites sites = {0};
    struct pmc_findings *set = two_findings(&sites);
    struct pmc_db_trace trace = fixture_trace(42, "list.pmt");
    int64_t run = fixture_run(db, "adr");
    fixture_store(db, run, &trace, &sites, set);
    end_run(db, run);

    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM findings"), 2);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM notes"), 3);
    char *text = fixture_sql_text(path, "SELECT line_text FROM findings "
                                        "WHERE rule = 'unpersisted-store'");
    assert_string_equal(text, "    node->next = root->head;");
    free(text);
    text = fixture_sql_text(path, "SELECT hint FROM findings "
                                  "WHERE rule = 'unpersisted-store'");
    assert_string_equal(text, "add pmem_persist(&node->next, "
                              "sizeof(node->next)) after list.c:5");
    free(text);
    text = fixture_sql_text(path, "SELECT hint FROM findings "
                                  "WHERE rule = 'missing-fence'");
    assert_string_equal(text, "add _mm_sfence() (or pmem_drain()) after "
                              "the flush at list.c:5");
    free(text);
    assert_int_equal(fixture_sql_int(path, "SELECT count FROM findings "
                                           "WHERE rule = "
                                           "'unpersisted-store'"),
                     20);
    assert_int_equal(fixture_sql_int(path, "SELECT severity = 'error' AND "
                                           "region_offset = 64 AND "
                                           "region_len = 8 FROM findings "
                                           "WHERE rule = 'missing-fence'"),
                     1);
    /* A note without a site (program exit) has a NULL site. */
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM notes "
                                           "WHERE site IS NULL AND message "
                                           "= 'program exit'"),
                     1);
    /* The trace: identity and end state as given. */
    assert_int_equal(fixture_sql_int(path, "SELECT pid = 42 AND end_kind = "
                                           "'exit' AND end_code = 0 AND "
                                           "events = 1234 AND damage IS NULL"
                                           " FROM traces"),
                     1);
    pmc_findings_free(set);
    pmc_db_close(db);
}

static void test_restore_does_not_duplicate(void **state)
{
    (void)state;
    fixture_write_file(test_path("list.c"), fixture_list_c);
    struct pmc_db *db = open_db("restore.db");
    const char *path = test_path("restore.db");
    struct fixture_sites sites = {0};
    struct pmc_findings *set = two_findings(&sites);
    struct pmc_db_trace trace = fixture_trace(7, "list.pmt");

    int64_t run1 = fixture_run(db, "adr");
    fixture_store(db, run1, &trace, &sites, set);
    end_run(db, run1);
    /* The same trace again (moved: another path), by a second run. */
    trace.path = "moved/list.pmt";
    int64_t run2 = fixture_run(db, "adr");
    fixture_store(db, run2, &trace, &sites, set);
    end_run(db, run2);

    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM traces"), 1);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM findings"), 2);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM notes"), 3);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM sites"), 3);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM run_traces"),
                     2);
    char *moved = fixture_sql_text(path, "SELECT path FROM traces");
    assert_string_equal(moved, "moved/list.pmt");
    free(moved);

    /* A check that finds less replaces, not adds. */
    struct pmc_findings *fewer = pmc_findings_new();
    fixture_finding(fewer, PMC_RULE_REDUNDANT_FENCE, 2, 1, 0, 0, 0, NULL, 0, 0,
                    NULL);
    int64_t run3 = fixture_run(db, "adr");
    fixture_store(db, run3, &trace, &sites, fewer);
    end_run(db, run3);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM findings"), 1);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM notes"), 0);

    /* The check's notes on the trace are replaced too. */
    static const char *const first[] = {"one", "two"};
    static const char *const second[] = {"three"};
    trace.notes = first;
    trace.nnotes = 2;
    fixture_store(db, run3, &trace, &sites, fewer);
    trace.notes = second;
    trace.nnotes = 1;
    fixture_store(db, run3, &trace, &sites, fewer);
    char *note = fixture_sql_text(path, "SELECT group_concat(message) FROM "
                                        "trace_notes");
    assert_string_equal(note, "three");
    free(note);

    /* Another model keeps its own findings; adr's stay. */
    int64_t run4 = fixture_run(db, "eadr");
    fixture_store(db, run4, &trace, &sites, set);
    end_run(db, run4);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM findings "
                                           "WHERE model = 'adr'"),
                     1);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM findings "
                                           "WHERE model = 'eadr'"),
                     2);

    /* A different trace (another pid) is a new trace. */
    struct pmc_db_trace other = fixture_trace(8, "other.pmt");
    int64_t run5 = fixture_run(db, "adr");
    fixture_store(db, run5, &other, &sites, set);
    end_run(db, run5);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM traces"), 2);
    pmc_findings_free(fewer);
    pmc_findings_free(set);
    pmc_db_close(db);
}

static void test_fingerprint_survives_moves(void **state)
{
    (void)state;
    struct pmc_db *db = open_db("moves.db");
    const char *path = test_path("moves.db");
    struct fixture_sites sites = {0};
    uint32_t site = fixture_site_add(&sites, "moving.c", test_dir(), 2, 5, "f");
    struct pmc_findings *set = pmc_findings_new();
    fixture_finding(set, PMC_RULE_UNPERSISTED_STORE, site, 1, 8, 0, 0, NULL, 0,
                    0, NULL);
    const char *sql = "SELECT fingerprint FROM findings";

    fixture_write_file(test_path("moving.c"), "{\n    p->x = 1;\n}\n");
    fixture_store(db, fixture_run(db, "adr"),
                  &(struct pmc_db_trace){.pid = 1, .path = "a"}, &sites, set);
    char *before = fixture_sql_text(path, sql);
    assert_int_equal(strlen(before), 8);

    /* Two lines added above, re-indented: the same finding. */
    fixture_write_file(test_path("moving.c"),
                       "// new\n// lines\n{\n\tp->x  =  1;\n}\n");
    sites.sites[site].line = 4;
    fixture_store(db, fixture_run(db, "adr"),
                  &(struct pmc_db_trace){.pid = 2, .path = "b"}, &sites, set);
    char *moved =
        fixture_sql_text(path, "SELECT fingerprint FROM findings WHERE trace = "
                               "(SELECT id FROM traces WHERE pid = 2)");
    assert_string_equal(before, moved);

    /* The line changed: a new finding. */
    fixture_write_file(test_path("moving.c"),
                       "// new\n// lines\n{\n    p->x = 2;\n}\n");
    fixture_store(db, fixture_run(db, "adr"),
                  &(struct pmc_db_trace){.pid = 3, .path = "c"}, &sites, set);
    char *changed =
        fixture_sql_text(path, "SELECT fingerprint FROM findings WHERE trace = "
                               "(SELECT id FROM traces WHERE pid = 3)");
    assert_string_not_equal(before, changed);

    /* Source gone: no line text, the line number stands in. */
    unlink(test_path("moving.c"));
    fixture_store(db, fixture_run(db, "adr"),
                  &(struct pmc_db_trace){.pid = 4, .path = "d"}, &sites, set);
    assert_int_equal(fixture_sql_int(path,
                                     "SELECT line_text IS NULL FROM findings "
                                     "WHERE trace = (SELECT id FROM traces "
                                     "WHERE pid = 4)"),
                     1);
    char *gone =
        fixture_sql_text(path, "SELECT fingerprint FROM findings WHERE trace = "
                               "(SELECT id FROM traces WHERE pid = 4)");
    assert_string_not_equal(before, gone);
    /* ...and the hint falls back to the stored address. */
    char *hint =
        fixture_sql_text(path, "SELECT hint FROM findings WHERE trace = "
                               "(SELECT id FROM traces WHERE pid = 4)");
    assert_string_equal(hint, "add pmem_persist(<stored address>, 8) after "
                              "moving.c:4");
    free(hint);
    free(gone);
    free(changed);
    free(moved);
    free(before);
    pmc_findings_free(set);
    pmc_db_close(db);
}

static void test_run_selection(void **state)
{
    (void)state;
    struct pmc_db *db = open_db("runs.db");
    struct pmc_error err = {{0}};
    int64_t found = 0;
    assert_int_equal(pmc_db_run_find(db, "latest", &found, &err), -1);
    assert_non_null(strstr(err.msg, "no finished run"));

    int64_t run1 = fixture_run(db, "adr");
    end_run(db, run1);
    int64_t run2 = fixture_run(db, "eadr");
    end_run(db, run2);
    int64_t running = fixture_run(db, "adr"); /* never ended */
    assert_true(running > run2 && run2 > run1);

    assert_int_equal(pmc_db_run_find(db, "latest", &found, &err), 0);
    assert_int_equal(found, run2);
    assert_int_equal(pmc_db_run_find(db, NULL, &found, &err), 0);
    assert_int_equal(found, run2);
    char id[32];
    snprintf(id, sizeof(id), "%lld", (long long)run1);
    assert_int_equal(pmc_db_run_find(db, id, &found, &err), 0);
    assert_int_equal(found, run1);
    snprintf(id, sizeof(id), "%lld", (long long)running);
    assert_int_equal(pmc_db_run_find(db, id, &found, &err), 0);
    assert_int_equal(found, running);

    assert_int_equal(pmc_db_run_find(db, "999", &found, &err), -1);
    assert_non_null(strstr(err.msg, "no run 999"));
    assert_int_equal(pmc_db_run_find(db, "12x", &found, &err), -1);
    assert_non_null(strstr(err.msg, "not a run id"));
    assert_int_equal(pmc_db_run_find(db, "-1", &found, &err), -1);
    assert_int_equal(pmc_db_run_end(db, 999, PMC_RUN_COMPLETE, 0, &err), -1);
    assert_non_null(strstr(err.msg, "no run 999"));

    const char *path = test_path("runs.db");
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM runs WHERE "
                                           "status = 'running' AND finished "
                                           "IS NULL"),
                     1);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM runs WHERE "
                                           "status = 'complete' AND "
                                           "exit_code = 1 AND finished >= "
                                           "started"),
                     2);
    pmc_db_close(db);
}

/* Each child stores many runs with its own traces into one database. */
static int concurrent_child(const char *path, int child, int runs)
{
    struct pmc_db *db = NULL;
    struct pmc_error err = {{0}};
    if (pmc_db_open(path, &db, &err) != 0) {
        fprintf(stderr, "child %d: %s\n", child, err.msg);
        return 1;
    }
    struct fixture_sites sites = {0};
    uint32_t site = fixture_site_add(&sites, "c.c", "/nonexistent", 3, 1, "f");
    struct pmc_findings *set = pmc_findings_new();
    fixture_finding(set, PMC_RULE_UNPERSISTED_STORE, site, 1, 8, 0, 0, NULL, 0,
                    0, NULL);
    fixture_finding(set, PMC_RULE_REDUNDANT_FLUSH, site, 1, 64, 0, 0, NULL, 0,
                    0, NULL);
    struct pmc_run_info info = {.kind = PMC_RUN_CHECK, .model = "adr"};
    for (int i = 0; i < runs; i++) {
        int64_t run;
        struct pmc_db_trace trace =
            fixture_trace((uint64_t)(child * 100000 + i), "t.pmt");
        if (pmc_db_run_begin(db, &info, &run, &err) != 0 ||
            pmc_db_store_results(db, run, &trace, fixture_site, &sites, set,
                                 &err) != 0 ||
            pmc_db_run_end(db, run, PMC_RUN_COMPLETE, 1, &err) != 0) {
            fprintf(stderr, "child %d, run %d: %s\n", child, i, err.msg);
            return 1;
        }
    }
    pmc_findings_free(set);
    pmc_db_close(db);
    return 0;
}

static void test_two_writers(void **state)
{
    (void)state;
    const char *path = test_path("concurrent.db");
    enum { CHILDREN = 2, RUNS = 200 };
    pid_t pids[CHILDREN];
    /* Neither child creates the database first: they race for that too. */
    for (int c = 0; c < CHILDREN; c++) {
        pids[c] = fork();
        assert_true(pids[c] >= 0);
        if (pids[c] == 0)
            _exit(concurrent_child(path, c + 1, RUNS));
    }
    for (int c = 0; c < CHILDREN; c++) {
        int status;
        assert_int_equal(waitpid(pids[c], &status, 0), pids[c]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM runs "
                                           "WHERE status = 'complete'"),
                     CHILDREN * RUNS);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM traces"),
                     CHILDREN * RUNS);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM findings"),
                     2 * CHILDREN * RUNS);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM sites"), 1);
    char *check = fixture_sql_text(path, "PRAGMA integrity_check");
    assert_string_equal(check, "ok");
    free(check);
}

/*
 * A database that cannot grow (SQLite's page limit stands in for a full
 * disk) fails a store with a clear error, leaves the trace's earlier
 * findings as they were, and works again once there is room.
 */
static void test_full_database(void **state)
{
    (void)state;
    fixture_write_file(test_path("list.c"), fixture_list_c);
    struct pmc_db *db = open_db("full.db");
    const char *path = test_path("full.db");
    struct fixture_sites sites = {0};
    struct pmc_findings *set = two_findings(&sites);
    struct pmc_db_trace trace = fixture_trace(9, "list.pmt");
    fixture_store(db, fixture_run(db, "adr"), &trace, &sites, set);

    /* Many findings with long messages: far more than the pages left. */
    struct pmc_findings *big = pmc_findings_new();
    for (uint32_t i = 0; i < 2000; i++) {
        struct pmc_finding f;
        pmc_finding_init(&f, PMC_RULE_REDUNDANT_FLUSH, 1000 + i, i);
        memset(f.message, 'm', sizeof(f.message) - 1);
        f.message[sizeof(f.message) - 1] = '\0';
        assert_int_equal(pmc_findings_add(big, &f), 0);
    }
    sqlite3_stmt *stmt;
    assert_int_equal(
        sqlite3_prepare_v2(db->sql, "PRAGMA page_count", -1, &stmt, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    int pages = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %d", pages + 2);
    assert_int_equal(sqlite3_exec(db->sql, sql, NULL, NULL, NULL), SQLITE_OK);

    struct pmc_error err = {{0}};
    int64_t run = fixture_run(db, "adr");
    assert_int_equal(
        pmc_db_store_results(db, run, &trace, fixture_site, &sites, big, &err),
        -1);
    assert_non_null(strstr(err.msg, "full.db"));
    assert_non_null(strstr(err.msg, "full"));
    /* Rolled back: the first check's findings are intact. */
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM findings"), 2);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM run_traces "
                                           "WHERE run = 2"),
                     0);
    char *check = fixture_sql_text(path, "PRAGMA integrity_check");
    assert_string_equal(check, "ok");
    free(check);

    /* Room again: the same store succeeds. */
    assert_int_equal(sqlite3_exec(db->sql,
                                  "PRAGMA max_page_count = "
                                  "1000000",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    fixture_store(db, run, &trace, &sites, big);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM findings"),
                     2000);
    pmc_findings_free(big);
    pmc_findings_free(set);
    pmc_db_close(db);
}

/* Run fn in a child that cannot write (root would ignore file modes:
 * the child drops to nobody first). */
static void as_nobody(int (*fn)(const char *), const char *arg)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        _exit(fn(arg));
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static int open_read_only(const char *path)
{
    struct pmc_db *db = NULL;
    struct pmc_error err = {{0}};
    if (pmc_db_open(path, &db, &err) == 0) {
        fprintf(stderr, "opened a read-only database\n");
        return 1;
    }
    if (db != NULL || strstr(err.msg, path) == NULL ||
        strstr(err.msg, "read-only") == NULL) {
        fprintf(stderr, "unexpected error: %s\n", err.msg);
        return 2;
    }
    return 0;
}

static void test_read_only_file(void **state)
{
    (void)state;
    /* The scratch dir is private (0700): open a way through for nobody. */
    assert_int_equal(chmod(test_dir(), 0711), 0);
    assert_int_equal(mkdir(test_path("ro"), 0755), 0);
    struct pmc_db *db = open_db("ro/ro.db");
    fixture_run(db, "adr");
    pmc_db_close(db);
    const char *path = test_path("ro/ro.db");
    assert_int_equal(chmod(path, 0444), 0);
    as_nobody(open_read_only, path);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM runs"), 1);
    assert_int_equal(chmod(test_dir(), 0700), 0);
}

/* A store that fails part-way (a finding with a rule that does not exist)
 * changes nothing. */
static void test_bad_finding_changes_nothing(void **state)
{
    (void)state;
    struct pmc_db *db = open_db("bad.db");
    struct fixture_sites sites = {0};
    struct pmc_findings *set = two_findings(&sites);
    struct pmc_finding f;
    pmc_finding_init(&f, (enum pmc_rule)PMC_RULE_COUNT, 1, 1);
    assert_int_equal(pmc_findings_add(set, &f), 0);
    struct pmc_db_trace trace = fixture_trace(5, "bad.pmt");
    struct pmc_error err = {{0}};
    int64_t run = fixture_run(db, "adr");
    assert_int_equal(
        pmc_db_store_results(db, run, &trace, fixture_site, &sites, set, &err),
        -1);
    assert_non_null(strstr(err.msg, "unknown rule"));
    const char *path = test_path("bad.db");
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM traces"), 0);
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM findings"), 0);
    /* A run that does not exist is refused the same way. */
    assert_int_equal(
        pmc_db_store_results(db, 999, &trace, fixture_site, &sites, set, &err),
        -1);
    assert_non_null(strstr(err.msg, "no run 999"));
    pmc_findings_free(set);
    pmc_db_close(db);
}

/* Stored from a real trace file: identity from its header, sites from its
 * site table. */
static void test_store_from_trace(void **state)
{
    (void)state;
    fixture_write_file(test_path("list.c"), fixture_list_c);
    const char *argv[] = {"./list", "pool", "insert", NULL};
    struct tb *b = tb_new(argv);
    tb_header(b)->pid = 4242;
    tb_header(b)->start_ns = 1234567890;
    tb_header(b)->end_kind = PMT_END_SIGNAL;
    tb_header(b)->end_code = 9;
    uint32_t blk = tb_block(b, 1, 0);
    tb_thread(b, blk, 1, 100);
    tb_string(b, blk, 2, 1, "list.c");
    tb_string(b, blk, 3, 2, test_dir());
    tb_string(b, blk, 4, 3, "list_insert");
    tb_site(b, blk, 5, 1, 5, 16, 1, 2, 3);
    uint64_t value = 7;
    tb_store(b, blk, 6, 1, 0x1000, &value, sizeof(value));
    tb_seal(b, blk);
    assert_int_equal(tb_write(b, test_path("real.pmt"), SIZE_MAX), 0);
    tb_free(b);

    struct pmc_trace *t = NULL;
    struct pmc_error err = {{0}};
    if (pmc_trace_open(test_path("real.pmt"), &t, &err) != 0)
        fail_msg("%s", err.msg);
    struct pmc_event ev;
    while (pmc_trace_next(t, &ev, &err) == 1)
        ; /* sites are known once their records were read */

    struct pmc_findings *set = pmc_findings_new();
    fixture_finding(set, PMC_RULE_UNPERSISTED_STORE, 1, 1, 8, 0, 0, NULL, 0, 0,
                    NULL);
    struct pmc_db *db = open_db("real.db");
    int64_t run = fixture_run(db, "adr");
    struct pmc_check_stats stats = {.model.events = 6, .nnotes = 1};
    snprintf(stats.notes[0], sizeof(stats.notes[0]), "killed");
    if (pmc_db_store_findings(db, run, t, &stats, NULL, set, &err) != 0)
        fail_msg("%s", err.msg);
    /* Stored twice from the same file: one trace. */
    if (pmc_db_store_findings(db, run, t, &stats, NULL, set, &err) != 0)
        fail_msg("%s", err.msg);
    pmc_trace_close(t);

    const char *path = test_path("real.db");
    assert_int_equal(fixture_sql_int(path, "SELECT count(*) FROM traces"), 1);
    assert_int_equal(fixture_sql_int(path,
                                     "SELECT pid = 4242 AND start_ns = "
                                     "1234567890 AND cmdline = './list pool "
                                     "insert' AND end_kind = 'signal' AND "
                                     "end_code = 9 AND events = 6 FROM "
                                     "traces"),
                     1);
    char *note = fixture_sql_text(path, "SELECT message FROM trace_notes");
    assert_string_equal(note, "killed");
    free(note);
    assert_int_equal(fixture_sql_int(path,
                                     "SELECT count(*) FROM findings f JOIN "
                                     "sites s ON s.id = f.site WHERE s.file "
                                     "= 'list.c' AND s.line = 5 AND s.col = "
                                     "16 AND s.function = 'list_insert' AND "
                                     "f.line_text = '    node->next = "
                                     "root->head;'"),
                     1);
    pmc_findings_free(set);
    pmc_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema),
        cmocka_unit_test(test_newer_schema_refused),
        cmocka_unit_test(test_not_a_database),
        cmocka_unit_test(test_store_and_line_text),
        cmocka_unit_test(test_restore_does_not_duplicate),
        cmocka_unit_test(test_fingerprint_survives_moves),
        cmocka_unit_test(test_run_selection),
        cmocka_unit_test(test_two_writers),
        cmocka_unit_test(test_full_database),
        cmocka_unit_test(test_read_only_file),
        cmocka_unit_test(test_bad_finding_changes_nothing),
        cmocka_unit_test(test_store_from_trace),
    };
    test_dir_create("db");
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    test_dir_remove();
    return failed;
}
