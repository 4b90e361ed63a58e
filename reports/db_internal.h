/*
 * db_internal.h - what the files of reports/ share about the database
 * connection: the handle, error reporting that names the database, and
 * write transactions that wait for other writers.
 *
 * Not a public header: tools use db.h, report.h and baseline.h.
 */
#ifndef PMC_DB_INTERNAL_H
#define PMC_DB_INTERNAL_H

#include <sqlite3.h>

#include "db.h"

struct pmc_db {
    sqlite3 *sql;
    char *path;
};

/* Fill err with "PATH: WHAT: <SQLite's message>"; returns -1. */
int db_fail(struct pmc_db *db, struct pmc_error *err, const char *what);

/* Prepare one statement; on failure err says what it was for. */
int db_prepare(struct pmc_db *db, const char *sql, sqlite3_stmt **stmt,
               struct pmc_error *err);

/* Run SQL without results (several statements allowed). */
int db_exec(struct pmc_db *db, const char *sql, const char *what,
            struct pmc_error *err);

/*
 * BEGIN IMMEDIATE: take the write lock now, waiting (busy timeout, then
 * retries up to a deadline) while another process holds it. Taking it at
 * the start means a transaction never has to upgrade a read lock, which is
 * what makes two writers deadlock-free.
 */
int db_begin_write(struct pmc_db *db, struct pmc_error *err);
int db_commit(struct pmc_db *db, struct pmc_error *err);
/* Roll back the open transaction, if any; keeps err as it is. */
void db_rollback(struct pmc_db *db);

/* Step a statement that returns no row (INSERT, UPDATE, DELETE). */
int db_step_done(struct pmc_db *db, sqlite3_stmt *stmt, const char *what,
                 struct pmc_error *err);

/* Bind a C string, NULL as SQL NULL. */
int db_bind_text(sqlite3_stmt *stmt, int index, const char *text);

/* The model recorded for run_id, copied to buf; -1 if there is no run. */
int db_run_model(struct pmc_db *db, int64_t run_id, char *buf, size_t size,
                 struct pmc_error *err);

/* The kind recorded for run_id ("check", "crash"); -1 if there is none. */
int db_run_kind(struct pmc_db *db, int64_t run_id, char *buf, size_t size,
                struct pmc_error *err);

/*
 * The rules whose findings come from running recoveries, as an SQL list.
 * A crash run stores and reports these, a check run the others: the two
 * kinds of run share a trace's findings under a model without replacing
 * each other's.
 */
#define DB_CRASH_RULES                                                         \
    "('crash-recovery-failed', 'cross-failure-read', 'in-flight-read')"

/* The rules whose findings are (store, load) pairs: one site is not their
 * identity, the fingerprint (which hashes both) is. */
#define DB_PAIR_RULES "('cross-failure-read', 'in-flight-read')"

/* traces.cmdline_hash of a command line: 8 hex digits and a NUL. */
void db_cmdline_hash(const char *cmdline, char out[16]);

/* Create or check the schema (db_schema.c). */
int db_schema_ensure(struct pmc_db *db, struct pmc_error *err);

#endif /* PMC_DB_INTERNAL_H */
