/*
 * db.c - the connection to the results database: opening it in WAL mode,
 * errors that name it, and write transactions that wait for other
 * writers (see db.h for the contract).
 */
#include "db_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * SQLite sleeps in its busy handler up to this long for a lock. A writer
 * holds the lock for one trace's findings (milliseconds), so only a stuck
 * process makes us wait this long; db_begin_write then retries until
 * DB_WRITE_DEADLINE_S before giving up with "database is locked".
 */
#define DB_BUSY_TIMEOUT_MS 10000
#define DB_WRITE_DEADLINE_S 60

int db_fail(struct pmc_db *db, struct pmc_error *err, const char *what)
{
    /* SQLite's "disk I/O error" or "unable to open database file" hides
     * the cause (a full disk making the -wal or -shm file): the system's
     * errno says it. */
    int code = sqlite3_errcode(db->sql) & 0xff; /* the primary code */
    int sys = sqlite3_system_errno(db->sql);
    if ((code == SQLITE_IOERR || code == SQLITE_CANTOPEN) && sys != 0)
        return pmc_error_set(err, "%s: %s: %s (%s)", db->path, what,
                             sqlite3_errmsg(db->sql), strerror(sys));
    return pmc_error_set(err, "%s: %s: %s", db->path, what,
                         sqlite3_errmsg(db->sql));
}

int db_prepare(struct pmc_db *db, const char *sql, sqlite3_stmt **stmt,
               struct pmc_error *err)
{
    if (sqlite3_prepare_v2(db->sql, sql, -1, stmt, NULL) != SQLITE_OK) {
        *stmt = NULL;
        return db_fail(db, err, "preparing a query");
    }
    return 0;
}

int db_exec(struct pmc_db *db, const char *sql, const char *what,
            struct pmc_error *err)
{
    if (sqlite3_exec(db->sql, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(db, err, what);
    return 0;
}

int db_step_done(struct pmc_db *db, sqlite3_stmt *stmt, const char *what,
                 struct pmc_error *err)
{
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE)
        return db_fail(db, err, what);
    return 0;
}

int db_bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
    if (text == NULL)
        return sqlite3_bind_null(stmt, index);
    return sqlite3_bind_text(stmt, index, text, -1, SQLITE_TRANSIENT);
}

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_briefly(void)
{
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static bool is_busy(int rc)
{
    return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

int db_begin_write(struct pmc_db *db, struct pmc_error *err)
{
    double deadline = monotonic_seconds() + DB_WRITE_DEADLINE_S;
    for (;;) {
        int rc = sqlite3_exec(db->sql, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return 0;
        if (!is_busy(rc) || monotonic_seconds() > deadline)
            return db_fail(db, err, "starting a write transaction");
        sleep_briefly();
    }
}

int db_commit(struct pmc_db *db, struct pmc_error *err)
{
    if (sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        db_fail(db, err, "committing");
        db_rollback(db);
        return -1;
    }
    return 0;
}

void db_rollback(struct pmc_db *db)
{
    /* After some errors (a full disk) SQLite has rolled back already. */
    if (!sqlite3_get_autocommit(db->sql))
        sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * WAL lets readers (a report) run while a writer stores, and lets writers
 * queue on one lock instead of failing. Switching a new database to WAL
 * needs a moment of exclusive access, so a second process creating the
 * same database at the same instant may be told "busy": retry.
 */
static int enable_wal(struct pmc_db *db, struct pmc_error *err)
{
    double deadline = monotonic_seconds() + DB_WRITE_DEADLINE_S;
    for (;;) {
        sqlite3_stmt *stmt;
        if (db_prepare(db, "PRAGMA journal_mode = WAL", &stmt, err) < 0)
            return -1;
        int rc = sqlite3_step(stmt);
        bool wal =
            rc == SQLITE_ROW &&
            strcmp((const char *)sqlite3_column_text(stmt, 0), "wal") == 0;
        sqlite3_finalize(stmt);
        if (wal)
            return 0;
        if (rc == SQLITE_ROW)
            return pmc_error_set(err, "%s: cannot use WAL mode", db->path);
        if (!is_busy(rc) || monotonic_seconds() > deadline)
            return db_fail(db, err, "opening");
        sleep_briefly();
    }
}

static int configure(struct pmc_db *db, struct pmc_error *err)
{
    if (sqlite3_db_readonly(db->sql, "main") == 1)
        return pmc_error_set(err, "%s: database is read-only", db->path);
    sqlite3_extended_result_codes(db->sql, 1);
    sqlite3_busy_timeout(db->sql, DB_BUSY_TIMEOUT_MS);
    if (enable_wal(db, err) < 0)
        return -1;
    /* NORMAL is durable in WAL mode except for the very last commits
     * before a power failure; results can be recomputed from traces. */
    return db_exec(db,
                   "PRAGMA foreign_keys = ON;"
                   "PRAGMA synchronous = NORMAL;",
                   "opening", err);
}

int pmc_db_open(const char *path, struct pmc_db **out, struct pmc_error *err)
{
    *out = NULL;
    struct pmc_db *db = calloc(1, sizeof(*db));
    if (db == NULL || (db->path = strdup(path)) == NULL) {
        free(db);
        return pmc_error_errno(err, ENOMEM, "%s", path);
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &db->sql, flags, NULL) != SQLITE_OK) {
        db_fail(db, err, "cannot open the database");
        pmc_db_close(db);
        return -1;
    }
    if (configure(db, err) < 0 || db_schema_ensure(db, err) < 0) {
        pmc_db_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

void pmc_db_close(struct pmc_db *db)
{
    if (db == NULL)
        return;
    /* close_v2: statements a caller forgot to finalize cannot keep the
     * file open; SQLite frees the connection when they are gone. */
    sqlite3_close_v2(db->sql);
    free(db->path);
    free(db);
}

const char *pmc_db_path(const struct pmc_db *db)
{
    return db->path;
}
