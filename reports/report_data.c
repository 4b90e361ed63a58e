/*
 * report_data.c - reading a run's record, counts, findings, notes and
 * traces for the report writers (see report_internal.h).
 */
#include "report_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *column_text(sqlite3_stmt *stmt, int col)
{
    return (const char *)sqlite3_column_text(stmt, col);
}

static void copy_column(sqlite3_stmt *stmt, int col, char *buf, size_t size)
{
    const char *text = column_text(stmt, col);
    snprintf(buf, size, "%s", text != NULL ? text : "");
}

int report_read_run(struct report *r, struct report_run *run)
{
    sqlite3_stmt *stmt;
    if (db_prepare(r->db,
                   "SELECT id, kind, model, status, started, finished, "
                   "version, command_line FROM runs WHERE id = ?1",
                   &stmt, r->err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        run->id = sqlite3_column_int64(stmt, 0);
        copy_column(stmt, 1, run->kind, sizeof(run->kind));
        copy_column(stmt, 2, run->model, sizeof(run->model));
        copy_column(stmt, 3, run->status, sizeof(run->status));
        copy_column(stmt, 4, run->started, sizeof(run->started));
        copy_column(stmt, 5, run->finished, sizeof(run->finished));
        copy_column(stmt, 6, run->version, sizeof(run->version));
        copy_column(stmt, 7, run->command_line, sizeof(run->command_line));
    } else if (rc != SQLITE_DONE) {
        report_fail(r, "reading the run");
    }
    sqlite3_finalize(stmt);
    if (rc == SQLITE_DONE)
        return pmc_error_set(r->err, "%s: no run %" PRId64, pmc_db_path(r->db),
                             r->run_id);
    return rc == SQLITE_ROW ? 0 : -1;
}

int report_read_counts(struct report *r, struct report_counts *counts)
{
    sqlite3_stmt *stmt;
    if (db_prepare(r->db,
                   "SELECT "
                   "  (SELECT count(*) FROM temp.report_findings WHERE "
                   "   run = ?1 AND NOT baselined AND severity = 'error'),"
                   "  (SELECT count(*) FROM temp.report_findings WHERE "
                   "   run = ?1 AND NOT baselined AND severity = 'warning'),"
                   "  (SELECT count(*) FROM temp.report_findings WHERE "
                   "   run = ?1 AND baselined),"
                   "  (SELECT count(*) FROM run_traces WHERE run = ?1)",
                   &stmt, r->err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        counts->errors = sqlite3_column_int64(stmt, 0);
        counts->warnings = sqlite3_column_int64(stmt, 1);
        counts->baselined = sqlite3_column_int64(stmt, 2);
        counts->traces = sqlite3_column_int64(stmt, 3);
    } else {
        report_fail(r, "counting findings");
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* Columns first..first+4: file, dir, function, line, col. */
static void read_site(sqlite3_stmt *stmt, int first, struct report_site *s)
{
    s->file = column_text(stmt, first);
    s->dir = column_text(stmt, first + 1);
    s->function = column_text(stmt, first + 2);
    s->line = sqlite3_column_int64(stmt, first + 3);
    s->col = sqlite3_column_int64(stmt, first + 4);
    if (s->dir == NULL)
        s->dir = "";
    if (s->function == NULL)
        s->function = "";
}

static void read_finding(sqlite3_stmt *stmt, struct report_finding *f)
{
    f->id = sqlite3_column_int64(stmt, 0);
    f->trace = sqlite3_column_int64(stmt, 1);
    f->trace_path = column_text(stmt, 2);
    f->rule = column_text(stmt, 3);
    f->severity = column_text(stmt, 4);
    f->message = column_text(stmt, 5);
    f->hint = column_text(stmt, 6);
    f->line_text = column_text(stmt, 7);
    f->fingerprint = column_text(stmt, 8);
    f->count = sqlite3_column_int64(stmt, 9);
    f->first_seq = sqlite3_column_int64(stmt, 10);
    f->baselined = sqlite3_column_int(stmt, 11) != 0;
    read_site(stmt, 12, &f->site);
}

int report_each_finding(struct report *r, const struct report_query *q,
                        report_finding_fn fn, void *ctx)
{
    static const char select[] =
        "SELECT id, trace, trace_path, rule, severity, message, hint, "
        "line_text, fingerprint, count, first_seq, baselined, file, dir, "
        "function, line, col FROM temp.report_findings "
        "WHERE run = ?1 AND (?2 OR NOT baselined) AND (?3 = 0 OR trace = ?3) "
        "AND (?4 IS NULL OR rule = ?4) ";
    char sql[sizeof(select) + 128];
    snprintf(sql, sizeof(sql), "%s ORDER BY %s", select,
             q->order == REPORT_BY_RULE ? "rule, file, line, col, id"
                                        : "trace, id");
    sqlite3_stmt *stmt;
    if (db_prepare(r->db, sql, &stmt, r->err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    sqlite3_bind_int(stmt, 2, q->with_baselined);
    sqlite3_bind_int64(stmt, 3, q->trace);
    db_bind_text(stmt, 4, q->rule);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct report_finding f;
        read_finding(stmt, &f);
        if (fn(r, &f, ctx) < 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        report_fail(r, "reading findings");
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

int report_each_note(struct report *r, int64_t finding, report_note_fn fn,
                     void *ctx)
{
    sqlite3_stmt *stmt;
    if (db_prepare(r->db,
                   "SELECT n.position, n.role, n.message, s.file, s.dir, "
                   "s.function, s.line, s.col FROM notes n "
                   "LEFT JOIN sites s ON s.id = n.site "
                   "WHERE n.finding = ?1 ORDER BY n.position",
                   &stmt, r->err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, finding);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct report_note n = {
            .position = sqlite3_column_int64(stmt, 0),
            .role = column_text(stmt, 1),
            .message = column_text(stmt, 2),
        };
        read_site(stmt, 3, &n.site);
        if (fn(r, &n, ctx) < 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        report_fail(r, "reading notes");
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

int report_each_trace(struct report *r, report_trace_fn fn, void *ctx)
{
    sqlite3_stmt *stmt;
    if (db_prepare(r->db,
                   "SELECT t.id, t.path, t.cmdline, t.end_kind, t.end_code, "
                   "t.unsealed_tail, t.events, t.damage, "
                   "(SELECT count(*) FROM temp.report_findings v "
                   " WHERE v.run = rt.run AND v.trace = t.id AND NOT "
                   " v.baselined) "
                   "FROM run_traces rt JOIN traces t ON t.id = rt.trace "
                   "WHERE rt.run = ?1 ORDER BY t.id",
                   &stmt, r->err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct report_trace t = {
            .id = sqlite3_column_int64(stmt, 0),
            .path = column_text(stmt, 1),
            .cmdline = column_text(stmt, 2),
            .end_kind = column_text(stmt, 3),
            .end_code = sqlite3_column_int64(stmt, 4),
            .unsealed_tail = sqlite3_column_int(stmt, 5) != 0,
            .events = sqlite3_column_int64(stmt, 6),
            .damage = column_text(stmt, 7),
            .findings = sqlite3_column_int64(stmt, 8),
        };
        if (fn(r, &t, ctx) < 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        report_fail(r, "reading traces");
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

int report_each_trace_note(struct report *r, int64_t trace, report_text_fn fn,
                           void *ctx)
{
    sqlite3_stmt *stmt;
    if (db_prepare(r->db,
                   "SELECT message FROM trace_notes WHERE trace = ?1 "
                   "ORDER BY position",
                   &stmt, r->err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, trace);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        if (fn(r, column_text(stmt, 0), ctx) < 0)
            break;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        report_fail(r, "reading trace notes");
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

void report_location(const struct report_site *site, char *buf, size_t size)
{
    if (site->file == NULL) {
        snprintf(buf, size, "%s", "");
    } else if (site->line == 0) {
        snprintf(buf, size, "%s", site->file);
    } else if (site->col == 0) {
        snprintf(buf, size, "%s:%" PRId64, site->file, site->line);
    } else {
        snprintf(buf, size, "%s:%" PRId64 ":%" PRId64, site->file, site->line,
                 site->col);
    }
}

int report_write_json_query(struct report *r, const char *sql)
{
    sqlite3_stmt *stmt;
    if (db_prepare(r->db, sql, &stmt, r->err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        const char *json = column_text(stmt, 0);
        fprintf(r->out, "%s\n", json != NULL ? json : "null");
    } else if (rc == SQLITE_DONE) {
        pmc_error_set(r->err, "%s: no run %" PRId64, pmc_db_path(r->db),
                      r->run_id);
    } else {
        report_fail(r, "making the report");
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? 0 : -1;
}
