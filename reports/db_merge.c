/*
 * db_merge.c - `pmcheck merge`: one results database into another (see
 * db.h, pmc_db_merge), so that N machines that each explored a shard of
 * the same crash states, or checked different traces, give one database.
 *
 * The input is attached as "src" and copied in one write transaction,
 * with every id remapped through temporary tables (map_sites, map_traces,
 * map_runs, map_findings):
 *   sites, traces    by their identity (UNIQUE keys): shared, not doubled
 *   runs             by (started, command line, kind, model, version): a
 *                    run merged twice is one run; a crash run that is a
 *                    new shard of an exploration already here *joins* its
 *                    run (see join_shards)
 *   run_traces, run_baseline, crash_runs, crash_states   INSERT OR IGNORE
 *   findings         per (trace, model, rule, site; for a pair rule,
 *                    cross-failure-read or in-flight-read, also the
 *                    fingerprint, which names its load): a new one is
 *                    copied with its notes; one already here is kept
 *                    once, but the crash findings of a trace whose
 *                    exploration a shard joined are combined: counts add
 *                    up, and the finding of the earliest failing state
 *                    (lowest ordinal, whichever shard ran it) gives the
 *                    message and notes - what the unsharded run would
 *                    have kept; for a pair rule, the state its message
 *                    names.
 */
#include "db_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MERGE_WHAT "merging"

static int exec(struct pmc_db *db, const char *sql, struct pmc_error *err)
{
    return db_exec(db, sql, MERGE_WHAT, err);
}

/* Rows changed by the last statement, for the statistics. */
static uint64_t changes(struct pmc_db *db)
{
    return (uint64_t)sqlite3_changes(db->sql);
}

static const char make_maps[] =
    "DROP TABLE IF EXISTS temp.map_sites;"
    "DROP TABLE IF EXISTS temp.map_traces;"
    "DROP TABLE IF EXISTS temp.map_runs;"
    "DROP TABLE IF EXISTS temp.joined;"
    "CREATE TEMP TABLE map_sites (old INTEGER PRIMARY KEY, new INTEGER);"
    "CREATE TEMP TABLE map_traces (old INTEGER PRIMARY KEY, new INTEGER);"
    /* joined: 1 when the run joined an exploration already here. */
    "CREATE TEMP TABLE map_runs (old INTEGER PRIMARY KEY, new INTEGER,"
    "  joined INTEGER NOT NULL DEFAULT 0, present INTEGER NOT NULL "
    "  DEFAULT 0);";

static const char merge_sites[] =
    "INSERT INTO sites (file, dir, line, col, function) "
    "SELECT file, dir, line, col, function FROM src.sites WHERE true "
    "ON CONFLICT DO NOTHING;"
    "INSERT INTO temp.map_sites SELECT s.id, d.id FROM src.sites s "
    "JOIN main.sites d USING (file, dir, line, col, function);";

/* A trace already here keeps its record; its notes are added when it has
 * none. */
static const char merge_traces[] =
    "INSERT INTO traces (pid, start_ns, cmdline_hash, path, size, cmdline, "
    "  end_kind, end_code, unsealed_tail, events, damage) "
    "SELECT pid, start_ns, cmdline_hash, path, size, cmdline, end_kind, "
    "  end_code, unsealed_tail, events, damage FROM src.traces WHERE true "
    "ON CONFLICT DO NOTHING;"
    "INSERT INTO temp.map_traces SELECT s.id, d.id FROM src.traces s "
    "JOIN main.traces d USING (pid, start_ns, cmdline_hash);"
    "CREATE TEMP TABLE IF NOT EXISTS bare_traces (id INTEGER PRIMARY KEY);"
    "DELETE FROM temp.bare_traces;"
    "INSERT INTO temp.bare_traces SELECT new FROM temp.map_traces "
    "  WHERE new NOT IN (SELECT trace FROM main.trace_notes);"
    "INSERT INTO trace_notes (trace, position, message) "
    "SELECT m.new, n.position, n.message FROM src.trace_notes n "
    "JOIN temp.map_traces m ON m.old = n.trace "
    "WHERE m.new IN (SELECT id FROM temp.bare_traces);";

/* Runs already here: the same database merged again, or shards of an
 * exploration that a run here has already joined. */
static const char known_runs[] =
    "INSERT INTO temp.map_runs (old, new, present) "
    "SELECT s.id, d.id, 1 FROM src.runs s JOIN main.runs d "
    "  ON d.started = s.started AND d.command_line = s.command_line "
    "  AND d.kind = s.kind AND d.model = s.model AND d.version = s.version;"
    "INSERT INTO temp.map_runs (old, new, present) "
    "SELECT s.id, min(dc.run), 1 FROM src.runs s "
    "JOIN src.crash_runs sc ON sc.run = s.id "
    "JOIN temp.map_traces mt ON mt.old = sc.trace "
    "JOIN main.crash_runs dc ON dc.trace = mt.new AND dc.config = sc.config "
    "  AND dc.shards = sc.shards AND dc.shard = sc.shard AND dc.shards > 1 "
    "JOIN main.runs d ON d.id = dc.run AND d.model = s.model "
    "WHERE s.id NOT IN (SELECT old FROM temp.map_runs) "
    "GROUP BY s.id HAVING count(DISTINCT sc.shard) = "
    "  (SELECT count(*) FROM src.crash_runs x WHERE x.run = s.id);";

/*
 * A crash run of src joins a run here when they explored the same trace
 * with the same configuration and number of shards, and none of its
 * shards is here yet.
 */
static const char join_shards[] =
    "INSERT INTO temp.map_runs (old, new, joined) "
    "SELECT s.id, min(dc.run), 1 FROM src.runs s "
    "JOIN src.crash_runs sc ON sc.run = s.id "
    "JOIN temp.map_traces mt ON mt.old = sc.trace "
    "JOIN main.crash_runs dc ON dc.trace = mt.new AND dc.config = sc.config "
    "  AND dc.shards = sc.shards AND dc.shards > 1 "
    "JOIN main.runs d ON d.id = dc.run AND d.model = s.model "
    "WHERE s.id NOT IN (SELECT old FROM temp.map_runs) "
    "  AND NOT EXISTS (SELECT 1 FROM src.crash_runs a "
    "    JOIN main.crash_runs b ON b.run = dc.run AND b.shard = a.shard "
    "    WHERE a.run = s.id) "
    "GROUP BY s.id;";

static int new_runs(struct pmc_db *db, struct pmc_db_merge_stats *st,
                    struct pmc_error *err)
{
    sqlite3_stmt *list, *copy;
    if (db_prepare(db,
                   "SELECT id FROM src.runs WHERE id NOT IN "
                   "(SELECT old FROM temp.map_runs) ORDER BY id",
                   &list, err) < 0)
        return -1;
    if (db_prepare(db,
                   "INSERT INTO runs (started, finished, command_line, "
                   "  version, kind, model, status, exit_code) "
                   "SELECT started, finished, command_line, version, kind, "
                   "  model, status, exit_code FROM src.runs WHERE id = ?1 "
                   "RETURNING id",
                   &copy, err) < 0) {
        sqlite3_finalize(list);
        return -1;
    }
    int rc = 0;
    while (rc == 0 && sqlite3_step(list) == SQLITE_ROW) {
        int64_t old = sqlite3_column_int64(list, 0);
        sqlite3_bind_int64(copy, 1, old);
        if (sqlite3_step(copy) != SQLITE_ROW) {
            rc = db_fail(db, err, "copying a run");
            break;
        }
        int64_t id = sqlite3_column_int64(copy, 0);
        sqlite3_reset(copy);
        char sql[160];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO temp.map_runs (old, new) VALUES (%lld, %lld)",
                 (long long)old, (long long)id);
        rc = exec(db, sql, err);
        st->runs++;
    }
    sqlite3_finalize(list);
    sqlite3_finalize(copy);
    return rc;
}

/* A joined run ends as the worse of the two: failed over input error
 * over complete, the higher exit status, the later end. */
static const char update_joined[] =
    "UPDATE runs SET "
    "  status = (SELECT CASE WHEN 'failed' IN (runs.status, s.status) "
    "    THEN 'failed' WHEN 'input-error' IN (runs.status, s.status) "
    "    THEN 'input-error' WHEN 'running' IN (runs.status, s.status) "
    "    THEN 'running' ELSE 'complete' END "
    "    FROM temp.map_runs m JOIN src.runs s ON s.id = m.old "
    "    WHERE m.new = runs.id AND m.joined LIMIT 1), "
    "  exit_code = max(exit_code, (SELECT max(s.exit_code) FROM "
    "    temp.map_runs m JOIN src.runs s ON s.id = m.old "
    "    WHERE m.new = runs.id AND m.joined)), "
    "  finished = max(finished, (SELECT max(s.finished) FROM "
    "    temp.map_runs m JOIN src.runs s ON s.id = m.old "
    "    WHERE m.new = runs.id AND m.joined)) "
    "WHERE id IN (SELECT new FROM temp.map_runs WHERE joined);";

static const char merge_run_rows[] =
    "INSERT OR IGNORE INTO run_traces (run, trace) "
    "SELECT mr.new, mt.new FROM src.run_traces x "
    "JOIN temp.map_runs mr ON mr.old = x.run "
    "JOIN temp.map_traces mt ON mt.old = x.trace;"
    "INSERT OR IGNORE INTO run_baseline (run, fingerprint) "
    "SELECT mr.new, x.fingerprint FROM src.run_baseline x "
    "JOIN temp.map_runs mr ON mr.old = x.run;"
    "INSERT OR IGNORE INTO crash_runs (run, shard, shards, trace, recover, "
    "  strategy, seed, options, config, points, states, runs, duplicates, "
    "  failures, skipped, stopped, seconds, fork_server) "
    "SELECT mr.new, x.shard, x.shards, mt.new, x.recover, x.strategy, "
    "  x.seed, x.options, x.config, x.points, x.states, x.runs, "
    "  x.duplicates, x.failures, x.skipped, x.stopped, x.seconds, "
    "  x.fork_server FROM src.crash_runs x "
    "JOIN temp.map_runs mr ON mr.old = x.run "
    "JOIN temp.map_traces mt ON mt.old = x.trace;";

static const char merge_states[] =
    "INSERT OR IGNORE INTO crash_states (run, trace, state_id, crash_site, "
    "  outcome, image_hash, stderr_tail, duration, ordinal, code, "
    "  duplicate_of, faults) "
    "SELECT mr.new, mt.new, x.state_id, ms.new, x.outcome, x.image_hash, "
    "  x.stderr_tail, x.duration, x.ordinal, x.code, x.duplicate_of, "
    "  x.faults FROM src.crash_states x "
    "JOIN temp.map_runs mr ON mr.old = x.run "
    "JOIN temp.map_traces mt ON mt.old = x.trace "
    "LEFT JOIN temp.map_sites ms ON ms.old = x.crash_site;";

/* ---- findings -------------------------------------------------------- */

/* The findings of src, each with its counterpart here (if any) and
 * whether it is a crash finding of a trace whose exploration a shard of
 * src joined, and whether its rule is a pair rule. */
static const char list_findings[] =
    "SELECT f.id, mt.new, f.model, f.rule, ms.new, "
    "  (SELECT d.id FROM main.findings d WHERE d.trace = mt.new "
    "    AND d.model = f.model AND d.rule = f.rule AND d.site IS ms.new "
    "    AND (f.rule NOT IN " DB_PAIR_RULES " "
    "      OR d.fingerprint = f.fingerprint)), "
    "  f.rule IN " DB_CRASH_RULES " AND EXISTS (SELECT 1 "
    "    FROM temp.map_runs mr JOIN src.crash_runs c ON c.run = mr.old "
    "    JOIN src.runs r ON r.id = c.run "
    "    WHERE mr.joined AND c.trace = f.trace AND r.model = f.model), "
    "  f.rule IN " DB_PAIR_RULES " "
    "FROM src.findings f JOIN temp.map_traces mt ON mt.old = f.trace "
    "LEFT JOIN temp.map_sites ms ON ms.old = f.site ORDER BY f.id";

/*
 * Which of two crash findings of one site keeps its message and notes:
 * the earliest failing state at the site, in the run the shard joined, is
 * src's when its ordinal falls in one of src's shards. 1: src's, 0: ours.
 */
static int src_state_is_earliest(struct pmc_db *db, int64_t trace,
                                 const char *model, int64_t site, bool *out,
                                 struct pmc_error *err)
{
    sqlite3_stmt *stmt;
    if (db_prepare(db,
                   "SELECT EXISTS (SELECT 1 FROM src.crash_runs sc "
                   "  JOIN temp.map_runs mr ON mr.old = sc.run AND mr.joined "
                   "  JOIN src.runs r ON r.id = sc.run AND r.model = ?2 "
                   "  WHERE sc.trace IN (SELECT old FROM temp.map_traces "
                   "    WHERE new = ?1) "
                   "  AND sc.shard = (SELECT cs.ordinal % cr.shards "
                   "    FROM main.crash_states cs JOIN main.crash_runs cr "
                   "    ON cr.run = cs.run AND cr.trace = cs.trace "
                   "    WHERE cs.run = mr.new AND cs.trace = ?1 "
                   "    AND cs.crash_site IS ?3 "
                   "    AND cs.outcome NOT IN ('pass', 'duplicate') "
                   "    ORDER BY cs.ordinal LIMIT 1))",
                   &stmt, err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, trace);
    db_bind_text(stmt, 2, model);
    if (site != 0)
        sqlite3_bind_int64(stmt, 3, site);
    else
        sqlite3_bind_null(stmt, 3);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int(stmt, 0) != 0;
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? 0 : db_fail(db, err, "comparing crash states");
}

/*
 * A cross-failure-read's site is its store, not a crash point: the state
 * that first showed the pair is the one its message names ("... (crash
 * state 12.3)", checker/crash_xfail.c). Its ordinal in the joined run, or
 * INT64_MAX when the message names none this database has.
 */
static int read_state_ordinal(struct pmc_db *db, const char *findings,
                              int64_t id, int64_t trace, int64_t *out,
                              struct pmc_error *err)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT (SELECT min(cs.ordinal) FROM main.crash_states cs "
             "  WHERE cs.trace = ?2 AND cs.state_id = rtrim(substr(f.message, "
             "    instr(f.message, '(crash state ') + 13), ')')) "
             "FROM %s f WHERE f.id = ?1 AND instr(f.message, '(crash state ')",
             findings);
    sqlite3_stmt *stmt;
    if (db_prepare(db, sql, &stmt, err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_int64(stmt, 2, trace);
    int rc = sqlite3_step(stmt);
    *out = rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL
               ? sqlite3_column_int64(stmt, 0)
               : INT64_MAX;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(db, err, "comparing crash states");
    return 0;
}

/* Which of two cross-failure-reads of one pair keeps its message and
 * notes: the one whose state came first (src's on a tie: never, so the
 * choice does not depend on the order of the merges). */
static int src_read_is_earliest(struct pmc_db *db, int64_t from, int64_t to,
                                int64_t trace, bool *out, struct pmc_error *err)
{
    int64_t theirs, ours;
    if (read_state_ordinal(db, "src.findings", from, trace, &theirs, err) < 0 ||
        read_state_ordinal(db, "main.findings", to, trace, &ours, err) < 0)
        return -1;
    *out = theirs < ours;
    return 0;
}

static int copy_notes(struct pmc_db *db, int64_t from, int64_t to,
                      struct pmc_error *err)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "DELETE FROM notes WHERE finding = %lld;"
             "INSERT INTO notes (finding, position, role, site, message) "
             "SELECT %lld, n.position, n.role, ms.new, n.message "
             "FROM src.notes n LEFT JOIN temp.map_sites ms ON ms.old = n.site "
             "WHERE n.finding = %lld",
             (long long)to, (long long)to, (long long)from);
    return exec(db, sql, err);
}

static int copy_finding(struct pmc_db *db, int64_t from, int64_t trace,
                        int64_t site, struct pmc_error *err)
{
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "INSERT INTO findings (trace, model, rule, severity, site, "
             "  message, hint, count, first_seq, region, region_offset, "
             "  region_len, line_text, fingerprint) "
             "SELECT %lld, model, rule, severity, %s, message, hint, count, "
             "  first_seq, region, region_offset, region_len, line_text, "
             "  fingerprint FROM src.findings WHERE id = %lld",
             (long long)trace, site ? "?1" : "NULL", (long long)from);
    sqlite3_stmt *stmt;
    if (db_prepare(db, sql, &stmt, err) < 0)
        return -1;
    if (site)
        sqlite3_bind_int64(stmt, 1, site);
    int rc = db_step_done(db, stmt, "copying a finding", err);
    sqlite3_finalize(stmt);
    if (rc < 0)
        return -1;
    return copy_notes(db, from, sqlite3_last_insert_rowid(db->sql), err);
}

/* Add src's count to ours; take src's words when its state came first. */
static int combine_finding(struct pmc_db *db, int64_t from, int64_t to,
                           bool take_src, struct pmc_error *err)
{
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "UPDATE findings SET count = count + (SELECT count FROM "
             "  src.findings WHERE id = %lld)%s WHERE id = %lld",
             (long long)from,
             take_src ? ", (message, hint, first_seq, region, region_offset, "
                        "region_len, line_text) = (SELECT message, hint, "
                        "first_seq, region, region_offset, region_len, "
                        "line_text FROM src.findings WHERE id = ?1)"
                      : "",
             (long long)to);
    sqlite3_stmt *stmt;
    if (db_prepare(db, sql, &stmt, err) < 0)
        return -1;
    if (take_src)
        sqlite3_bind_int64(stmt, 1, from);
    int rc = db_step_done(db, stmt, "combining findings", err);
    sqlite3_finalize(stmt);
    if (rc == 0 && take_src)
        rc = copy_notes(db, from, to, err);
    return rc;
}

static int merge_findings(struct pmc_db *db, struct pmc_db_merge_stats *st,
                          struct pmc_error *err)
{
    sqlite3_stmt *list;
    if (db_prepare(db, list_findings, &list, err) < 0)
        return -1;
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(list)) == SQLITE_ROW) {
        int64_t from = sqlite3_column_int64(list, 0);
        int64_t trace = sqlite3_column_int64(list, 1);
        char model[16];
        snprintf(model, sizeof(model), "%s",
                 (const char *)sqlite3_column_text(list, 2));
        int64_t site = sqlite3_column_int64(list, 4); /* 0 when NULL */
        bool here = sqlite3_column_type(list, 5) != SQLITE_NULL;
        int64_t to = sqlite3_column_int64(list, 5);
        bool combine = sqlite3_column_int(list, 6) != 0;
        bool pair_rule = sqlite3_column_int(list, 7) != 0;
        if (!here) {
            rc = copy_finding(db, from, trace, site, err);
            st->findings++;
        } else if (combine) {
            bool take_src = false;
            rc = pair_rule
                     ? src_read_is_earliest(db, from, to, trace, &take_src, err)
                     : src_state_is_earliest(db, trace, model, site, &take_src,
                                             err);
            if (rc == 0)
                rc = combine_finding(db, from, to, take_src, err);
            st->duplicates++;
        } else {
            st->duplicates++;
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_fail(db, err, "reading findings to merge");
    sqlite3_finalize(list);
    return rc;
}

/* ---- the merge ------------------------------------------------------- */

static int check_source(struct pmc_db *db, const char *in_path,
                        struct pmc_error *err)
{
    /* Opening it the usual way checks and upgrades its schema. */
    struct pmc_db *in;
    if (pmc_db_open(in_path, &in, err) != 0)
        return -1;
    pmc_db_close(in);
    if (strcmp(in_path, db->path) == 0)
        return pmc_error_set(err, "%s: cannot merge a database into itself",
                             in_path);
    return 0;
}

static int merge_all(struct pmc_db *db, struct pmc_db_merge_stats *st,
                     struct pmc_error *err)
{
    if (exec(db, make_maps, err) < 0 || exec(db, merge_sites, err) < 0 ||
        exec(db, merge_traces, err) < 0 || exec(db, known_runs, err) < 0 ||
        exec(db, join_shards, err) < 0)
        return -1;
    st->shards = changes(db);
    if (new_runs(db, st, err) < 0 || exec(db, update_joined, err) < 0 ||
        exec(db, merge_run_rows, err) < 0 || exec(db, merge_states, err) < 0)
        return -1;
    st->states = changes(db);
    return merge_findings(db, st, err);
}

int pmc_db_merge(struct pmc_db *db, const char *in_path,
                 struct pmc_db_merge_stats *stats, struct pmc_error *err)
{
    struct pmc_db_merge_stats local;
    struct pmc_db_merge_stats *st = stats != NULL ? stats : &local;
    memset(st, 0, sizeof(*st));
    if (check_source(db, in_path, err) != 0)
        return -1;
    sqlite3_stmt *attach;
    if (db_prepare(db, "ATTACH DATABASE ?1 AS src", &attach, err) < 0)
        return -1;
    db_bind_text(attach, 1, in_path);
    int rc = db_step_done(db, attach, "attaching the database to merge", err);
    sqlite3_finalize(attach);
    if (rc < 0)
        return -1;
    rc = db_begin_write(db, err);
    if (rc == 0) {
        rc = merge_all(db, st, err);
        if (rc == 0)
            rc = db_commit(db, err);
        else
            db_rollback(db);
    }
    sqlite3_exec(db->sql, "DETACH DATABASE src", NULL, NULL, NULL);
    if (rc != 0 && err != NULL) {
        struct pmc_error why = *err;
        pmc_error_set(err, "%s (merging %s)", why.msg, in_path);
    }
    return rc;
}
