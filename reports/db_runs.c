/*
 * db_runs.c - the runs table: beginning and ending a run, and finding the
 * run a report or a baseline is made of.
 */
#include "db_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Timestamps are ISO 8601 UTC with milliseconds, made by SQLite. */
#define SQL_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

const char *pmc_run_kind_name(enum pmc_run_kind kind)
{
    return kind == PMC_RUN_CRASH ? "crash" : "check";
}

const char *pmc_run_status_name(enum pmc_run_status status)
{
    switch (status) {
    case PMC_RUN_RUNNING:
        return "running";
    case PMC_RUN_COMPLETE:
        return "complete";
    case PMC_RUN_INPUT_ERROR:
        return "input-error";
    case PMC_RUN_FAILED:
        break;
    }
    return "failed";
}

/* One write statement in its own transaction. */
static int write_one(struct pmc_db *db, sqlite3_stmt *stmt, const char *what,
                     struct pmc_error *err)
{
    if (db_begin_write(db, err) < 0)
        return -1;
    if (db_step_done(db, stmt, what, err) < 0) {
        db_rollback(db);
        return -1;
    }
    return db_commit(db, err);
}

int pmc_db_run_begin(struct pmc_db *db, const struct pmc_run_info *info,
                     int64_t *run_id, struct pmc_error *err)
{
    sqlite3_stmt *stmt;
    if (db_prepare(db,
                   "INSERT INTO runs (started, command_line, version, kind, "
                   "model, status) VALUES (" SQL_NOW
                   ", ?1, ?2, ?3, ?4, 'running')",
                   &stmt, err) < 0)
        return -1;
    db_bind_text(stmt, 1, info->command_line ? info->command_line : "");
    db_bind_text(stmt, 2, info->version ? info->version : "");
    db_bind_text(stmt, 3, pmc_run_kind_name(info->kind));
    db_bind_text(stmt, 4, info->model);
    /* The id is read inside the transaction that made the row. */
    int rc = -1;
    if (db_begin_write(db, err) == 0) {
        if (db_step_done(db, stmt, "recording the run", err) == 0) {
            *run_id = sqlite3_last_insert_rowid(db->sql);
            rc = db_commit(db, err);
        } else {
            db_rollback(db);
        }
    }
    sqlite3_finalize(stmt);
    return rc;
}

int pmc_db_run_end(struct pmc_db *db, int64_t run_id,
                   enum pmc_run_status status, int exit_code,
                   struct pmc_error *err)
{
    sqlite3_stmt *stmt;
    if (db_prepare(db,
                   "UPDATE runs SET finished = " SQL_NOW
                   ", status = ?2, exit_code = ?3 WHERE id = ?1",
                   &stmt, err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, run_id);
    db_bind_text(stmt, 2, pmc_run_status_name(status));
    sqlite3_bind_int(stmt, 3, exit_code);
    int rc = write_one(db, stmt, "recording the end of the run", err);
    int changed = sqlite3_changes(db->sql);
    sqlite3_finalize(stmt);
    if (rc == 0 && changed == 0)
        return pmc_error_set(err, "%s: no run %" PRId64, db->path, run_id);
    return rc;
}

/* The newest ended run: a run still going (or whose process died) has no
 * complete results to report. */
static int find_latest(struct pmc_db *db, int64_t *run_id,
                       struct pmc_error *err)
{
    sqlite3_stmt *stmt;
    if (db_prepare(db, "SELECT max(id) FROM runs WHERE status != 'running'",
                   &stmt, err) < 0)
        return -1;
    int rc = sqlite3_step(stmt);
    bool found =
        rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL;
    if (found)
        *run_id = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        return db_fail(db, err, "finding the latest run");
    if (!found)
        return pmc_error_set(err, "%s: no finished run in the database",
                             db->path);
    return 0;
}

static int find_by_id(struct pmc_db *db, const char *spec, int64_t *run_id,
                      struct pmc_error *err)
{
    char *end;
    errno = 0;
    long long id = strtoll(spec, &end, 10);
    if (errno != 0 || end == spec || *end != '\0' || id <= 0)
        return pmc_error_set(err,
                             "'%s' is not a run id (a number or "
                             "'latest')",
                             spec);
    sqlite3_stmt *stmt;
    if (db_prepare(db, "SELECT 1 FROM runs WHERE id = ?1", &stmt, err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, id);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc == SQLITE_DONE)
        return pmc_error_set(err, "%s: no run %lld", db->path, id);
    if (rc != SQLITE_ROW)
        return db_fail(db, err, "finding the run");
    *run_id = id;
    return 0;
}

int pmc_db_run_find(struct pmc_db *db, const char *spec, int64_t *run_id,
                    struct pmc_error *err)
{
    if (spec == NULL || strcmp(spec, "latest") == 0)
        return find_latest(db, run_id, err);
    return find_by_id(db, spec, run_id, err);
}

static int run_column(struct pmc_db *db, const char *sql, int64_t run_id,
                      char *buf, size_t size, struct pmc_error *err)
{
    sqlite3_stmt *stmt;
    if (db_prepare(db, sql, &stmt, err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, run_id);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        snprintf(buf, size, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    if (rc == SQLITE_DONE)
        return pmc_error_set(err, "%s: no run %" PRId64, db->path, run_id);
    if (rc != SQLITE_ROW)
        return db_fail(db, err, "reading the run");
    return 0;
}

int db_run_model(struct pmc_db *db, int64_t run_id, char *buf, size_t size,
                 struct pmc_error *err)
{
    return run_column(db, "SELECT model FROM runs WHERE id = ?1", run_id, buf,
                      size, err);
}

int db_run_kind(struct pmc_db *db, int64_t run_id, char *buf, size_t size,
                struct pmc_error *err)
{
    return run_column(db, "SELECT kind FROM runs WHERE id = ?1", run_id, buf,
                      size, err);
}
