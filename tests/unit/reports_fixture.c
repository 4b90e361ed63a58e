/*
 * reports_fixture.c - synthetic sites, findings and runs for the
 * results-database and report tests (see reports_fixture.h).
 */
#include "reports_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "pmtrace_format.h"
#include "report.h"

const char fixture_list_c[] = "#include <stdint.h>\n"                 /* 1 */
                              "void list_insert(struct node *node,\n" /* 2 */
                              "                 struct root *root)\n" /* 3 */
                              "{\n"                                   /* 4 */
                              "    node->next = root->head;\n"        /* 5 */
                              "    root->head = node;\n"              /* 6 */
                              "}\n";                                  /* 7 */

uint32_t fixture_site_add(struct fixture_sites *s, const char *file,
                          const char *dir, uint32_t line, uint32_t column,
                          const char *function)
{
    assert_true(s->n < FIXTURE_MAX_SITES);
    uint32_t id = ++s->n;
    snprintf(s->text[id][0], sizeof(s->text[id][0]), "%s", file);
    snprintf(s->text[id][1], sizeof(s->text[id][1]), "%s", dir);
    snprintf(s->text[id][2], sizeof(s->text[id][2]), "%s", function);
    s->sites[id] = (struct pmc_site){
        .id = id,
        .line = line,
        .column = column,
        .file = s->text[id][0],
        .dir = s->text[id][1],
        .function = s->text[id][2],
    };
    return id;
}

const struct pmc_site *fixture_site(const void *sites, uint32_t id)
{
    const struct fixture_sites *s = sites;
    return id >= 1 && id <= s->n ? &s->sites[id] : NULL;
}

struct pmc_db_trace fixture_trace(uint64_t pid, const char *path)
{
    return (struct pmc_db_trace){
        .pid = pid,
        .start_ns = 1700000000000000000ull,
        .cmdline = "./list /tmp/list.pool insert 20",
        .path = path,
        .size = 131072,
        .end_kind = PMT_END_EXIT,
        .end_code = 0,
        .events = 1234,
    };
}

static void add_note(struct pmc_finding *f, enum pmc_note_role role,
                     uint32_t site, const char *message)
{
    if (role != 0)
        pmc_finding_note(f, role, site, "%s", message);
}

void fixture_finding(struct pmc_findings *set, enum pmc_rule rule,
                     uint32_t site, uint64_t count, uint64_t len,
                     enum pmc_note_role role1, uint32_t site1,
                     const char *note1, enum pmc_note_role role2,
                     uint32_t site2, const char *note2)
{
    struct pmc_finding f;
    pmc_finding_init(&f, rule, site, 100 + site);
    f.count = count;
    f.region = 1;
    f.offset = 0x40;
    f.len = len;
    add_note(&f, role1, site1, note1);
    add_note(&f, role2, site2, note2);
    assert_int_equal(pmc_findings_add(set, &f), 0);
}

int64_t fixture_run(struct pmc_db *db, const char *model)
{
    struct pmc_run_info info = {
        .kind = PMC_RUN_CHECK,
        .model = model,
        .command_line = "pmcheck check list.pmt",
        .version = "0.1.0-test",
    };
    struct pmc_error err = {{0}};
    int64_t run = 0;
    if (pmc_db_run_begin(db, &info, &run, &err) != 0)
        fail_msg("run_begin: %s", err.msg);
    return run;
}

void fixture_store(struct pmc_db *db, int64_t run,
                   const struct pmc_db_trace *trace,
                   const struct fixture_sites *sites,
                   const struct pmc_findings *set)
{
    struct pmc_error err = {{0}};
    if (pmc_db_store_results(db, run, trace, fixture_site, sites, set, &err) !=
        0)
        fail_msg("store: %s", err.msg);
}

void fixture_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

char *fixture_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, out);
    fclose(out);
    fclose(f);
    return text;
}

static sqlite3_stmt *query(const char *db_path, const char *sql, sqlite3 **db)
{
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_open_v2(db_path, db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    if (sqlite3_prepare_v2(*db, sql, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(*db));
    if (sqlite3_step(stmt) != SQLITE_ROW)
        fail_msg("%s: no row: %s", sql, sqlite3_errmsg(*db));
    return stmt;
}

int64_t fixture_sql_int(const char *db_path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *stmt = query(db_path, sql, &db);
    int64_t value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
}

char *fixture_sql_text(const char *db_path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *stmt = query(db_path, sql, &db);
    const char *text = (const char *)sqlite3_column_text(stmt, 0);
    char *copy = text != NULL ? strdup(text) : NULL;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return copy;
}

char *fixture_report(struct pmc_db *db, int64_t run, int format)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    struct pmc_error err = {{0}};
    int rc =
        pmc_report_write(db, run, (enum pmc_report_format)format, out, &err);
    fclose(out);
    if (rc != 0)
        fail_msg("report: %s", err.msg);
    return text;
}
