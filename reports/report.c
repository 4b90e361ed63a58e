/*
 * report.c - choosing a report format and preparing the connection every
 * format reads through (see report.h).
 *
 * A report reads the database in one read transaction, so a pmcheck
 * writing to the same database meanwhile cannot make its summary disagree
 * with its findings (WAL gives the reader a snapshot).
 */
#include "report_internal.h"

#include <errno.h>
#include <libxml/uri.h>
#include <libxml/xmlmemory.h>
#include <string.h>

#include "rules.h"

static const struct {
    const char *name;
    enum pmc_report_format format;
    int (*write)(struct report *r);
} formats[] = {
    {"text", PMC_REPORT_TEXT, report_text},
    {"json", PMC_REPORT_JSON, report_json},
    {"sarif", PMC_REPORT_SARIF, report_sarif},
    {"junit", PMC_REPORT_JUNIT, report_junit},
    {"html", PMC_REPORT_HTML, report_html},
};

#define FORMAT_COUNT (sizeof(formats) / sizeof(formats[0]))

int pmc_report_format_parse(const char *name, enum pmc_report_format *out)
{
    for (size_t i = 0; i < FORMAT_COUNT; i++) {
        if (strcmp(formats[i].name, name) == 0) {
            *out = formats[i].format;
            return 0;
        }
    }
    return -1;
}

const char *pmc_report_format_name(enum pmc_report_format format)
{
    for (size_t i = 0; i < FORMAT_COUNT; i++)
        if (formats[i].format == format)
            return formats[i].name;
    return "unknown";
}

int report_fail(struct report *r, const char *what)
{
    return db_fail(r->db, r->err, what);
}

/*
 * The findings of each run, with their site and whether the run's
 * baseline accepted them: the one place that says which findings a
 * report of run R shows (R's traces, R's model, the rules of R's kind:
 * a crash run shows what recoveries found, a check run the rest).
 */
static const char report_view[] =
    "CREATE TEMP VIEW IF NOT EXISTS report_findings AS "
    "SELECT r.id AS run, f.id, f.trace, t.path AS trace_path, f.rule, "
    "  f.severity, f.message, f.hint, f.count, f.first_seq, f.region, "
    "  f.region_offset, f.region_len, f.line_text, f.fingerprint, f.site, "
    "  s.file, s.dir, s.line, s.col, s.function, "
    "  EXISTS (SELECT 1 FROM run_baseline b WHERE b.run = r.id "
    "          AND b.fingerprint = f.fingerprint) AS baselined "
    "FROM runs r "
    "JOIN run_traces rt ON rt.run = r.id "
    "JOIN traces t ON t.id = rt.trace "
    "JOIN findings f ON f.trace = rt.trace AND f.model = r.model "
    "  AND (f.rule IN " DB_CRASH_RULES ") = (r.kind = 'crash') "
    "LEFT JOIN sites s ON s.id = f.site;"
    "CREATE TEMP TABLE IF NOT EXISTS report_rules ("
    "  idx INTEGER PRIMARY KEY, id TEXT, severity TEXT, description TEXT,"
    "  help TEXT);"
    "DELETE FROM temp.report_rules;";

/* The rules live in C (rules.h); SARIF and HTML join them in SQL. */
static int fill_rules(struct pmc_db *db, struct pmc_error *err)
{
    sqlite3_stmt *stmt;
    if (db_prepare(db,
                   "INSERT INTO temp.report_rules VALUES (?1, ?2, ?3, ?4, ?5)",
                   &stmt, err) < 0)
        return -1;
    int rc = 0;
    for (int i = 0; i < PMC_RULE_COUNT && rc == 0; i++) {
        const struct pmc_rule_info *info = pmc_rule_info((enum pmc_rule)i);
        sqlite3_bind_int(stmt, 1, i);
        db_bind_text(stmt, 2, info->id);
        db_bind_text(stmt, 3, pmc_severity_name(info->severity));
        db_bind_text(stmt, 4, info->description);
        db_bind_text(stmt, 5, info->help);
        rc = db_step_done(db, stmt, "listing the rules", err);
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* pmc_uri_path(path): path with what a URI may not hold %-escaped (by
 * libxml2), '/' kept. SARIF artifact URIs are made with it. */
static void sql_uri_path(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *path = sqlite3_value_text(argv[0]);
    if (path == NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    xmlChar *escaped = xmlURIEscapeStr(path, (const xmlChar *)"/");
    if (escaped == NULL) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    sqlite3_result_text(ctx, (const char *)escaped, -1, SQLITE_TRANSIENT);
    xmlFree(escaped);
}

int report_attach(struct pmc_db *db, struct pmc_error *err)
{
    if (sqlite3_create_function(db->sql, "pmc_uri_path", 1,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                sql_uri_path, NULL, NULL) != SQLITE_OK)
        return db_fail(db, err, "preparing the report");
    if (db_exec(db, report_view, "preparing the report", err) < 0)
        return -1;
    return fill_rules(db, err);
}

static int write_in_snapshot(struct report *r, int (*write)(struct report *r))
{
    struct report_run run;
    if (db_exec(r->db, "BEGIN", "reading the results", r->err) < 0)
        return -1;
    int rc = report_read_run(r, &run); /* no report of a run not there */
    if (rc == 0)
        rc = write(r);
    sqlite3_exec(r->db->sql, "COMMIT", NULL, NULL, NULL);
    return rc;
}

int pmc_report_write(struct pmc_db *db, int64_t run_id,
                     enum pmc_report_format format, FILE *out,
                     struct pmc_error *err)
{
    struct report r = {.db = db, .run_id = run_id, .out = out, .err = err};
    for (size_t i = 0; i < FORMAT_COUNT; i++) {
        if (formats[i].format != format)
            continue;
        if (report_attach(db, err) < 0 ||
            write_in_snapshot(&r, formats[i].write) < 0)
            return -1;
        if (fflush(out) != 0 || ferror(out))
            return pmc_error_errno(err, errno, "writing the %s report",
                                   formats[i].name);
        return 0;
    }
    return pmc_error_set(err, "unknown report format %d", (int)format);
}
