/*
 * report_crash.c - what reports show of a crash run besides its findings:
 * the state a crash finding rests on (its recovery's standard error, how
 * to rebuild its image) and the run's totals (see report_internal.h).
 */
#include "report_internal.h"

#include <stdio.h>
#include <string.h>

static void copy_text(sqlite3_stmt *stmt, int col, char *buf, size_t size)
{
    const char *text = (const char *)sqlite3_column_text(stmt, col);
    snprintf(buf, size, "%s", text != NULL ? text : "");
}

/*
 * The first failing state (in enumeration order) of run r at the crash
 * point of a crash finding: the state whose notes the finding carries.
 */
int report_crash_state(struct report *r, int64_t finding,
                       struct report_crash_state *out, bool *found)
{
    *found = false;
    sqlite3_stmt *stmt;
    if (db_prepare(r->db,
                   "SELECT cs.state_id, cs.outcome, cs.stderr_tail, "
                   "  cr.options, t.path FROM findings f "
                   "JOIN crash_states cs ON cs.trace = f.trace "
                   "  AND cs.crash_site IS f.site "
                   "JOIN traces t ON t.id = f.trace "
                   "LEFT JOIN crash_runs cr ON cr.run = cs.run "
                   "  AND cr.trace = cs.trace "
                   "WHERE f.id = ?1 AND cs.run = ?2 "
                   "  AND cs.outcome NOT IN ('pass', 'duplicate') "
                   "ORDER BY cs.ordinal LIMIT 1",
                   &stmt, r->err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, finding);
    sqlite3_bind_int64(stmt, 2, r->run_id);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *found = true;
        copy_text(stmt, 0, out->state_id, sizeof(out->state_id));
        copy_text(stmt, 1, out->outcome, sizeof(out->outcome));
        copy_text(stmt, 2, out->stderr_tail, sizeof(out->stderr_tail));
        copy_text(stmt, 3, out->options, sizeof(out->options));
        copy_text(stmt, 4, out->trace_path, sizeof(out->trace_path));
    } else if (rc != SQLITE_DONE) {
        report_fail(r, "reading a crash state");
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int report_each_crash_run(struct report *r, report_crash_run_fn fn, void *ctx)
{
    sqlite3_stmt *stmt;
    if (db_prepare(r->db,
                   "SELECT t.path, cr.strategy, count(*), max(cr.shards), "
                   "  max(cr.points), sum(cr.states), sum(cr.runs), "
                   "  sum(cr.duplicates), sum(cr.failures), "
                   "  group_concat(cr.stopped), sum(cr.seconds) "
                   "FROM crash_runs cr JOIN traces t ON t.id = cr.trace "
                   "WHERE cr.run = ?1 GROUP BY cr.trace ORDER BY cr.trace",
                   &stmt, r->err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct report_crash_run c = {
            .trace_path = (const char *)sqlite3_column_text(stmt, 0),
            .strategy = (const char *)sqlite3_column_text(stmt, 1),
            .shards_present = sqlite3_column_int64(stmt, 2),
            .shards = sqlite3_column_int64(stmt, 3),
            .points = sqlite3_column_int64(stmt, 4),
            .states = sqlite3_column_int64(stmt, 5),
            .runs = sqlite3_column_int64(stmt, 6),
            .duplicates = sqlite3_column_int64(stmt, 7),
            .failures = sqlite3_column_int64(stmt, 8),
            .stopped = (const char *)sqlite3_column_text(stmt, 9),
            .seconds = sqlite3_column_double(stmt, 10),
        };
        if (fn(r, &c, ctx) < 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        report_fail(r, "reading the crash run");
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}
