/*
 * baseline.c - writing a baseline from a run, and applying one to a run
 * (see baseline.h). JSON is made and read by SQLite's JSON functions:
 * json_each parses any string, so the file never meets a hand-written
 * parser.
 */
#include "baseline.h"

#include <errno.h>
#include <stdlib.h>

#include "report_internal.h"

#define BASELINE_FORMAT 1

/* One finding per row, each fingerprint once, in source order. */
static const char entries_sql[] =
    "SELECT json_object('fingerprint', fingerprint, 'rule', rule, "
    "  'file', file, 'function', function, 'line', min(line), "
    "  'message', message) "
    "FROM temp.report_findings WHERE run = ?1 GROUP BY fingerprint "
    "ORDER BY file, line, rule, fingerprint";

int pmc_baseline_write(struct pmc_db *db, int64_t run_id, FILE *out,
                       struct pmc_error *err)
{
    sqlite3_stmt *stmt;
    if (report_attach(db, err) < 0 ||
        db_prepare(db, entries_sql, &stmt, err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, run_id);
    fprintf(out, "{\"pmcheck_baseline\": %d, \"findings\": [", BASELINE_FORMAT);
    int rc;
    const char *sep = "\n";
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        fprintf(out, "%s%s", sep, (const char *)sqlite3_column_text(stmt, 0));
        sep = ",\n";
    }
    if (rc != SQLITE_DONE)
        db_fail(db, err, "reading findings for the baseline");
    sqlite3_finalize(stmt);
    fputs("\n]}\n", out);
    if (rc == SQLITE_DONE && (fflush(out) != 0 || ferror(out)))
        return pmc_error_errno(err, errno, "writing the baseline");
    return rc == SQLITE_DONE ? 0 : -1;
}

static char *read_file(const char *path, struct pmc_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        pmc_error_errno(err, errno, "%s", path);
        return NULL;
    }
    char *text = NULL;
    size_t size = 0, cap = 0;
    for (;;) {
        if (size + 1 >= cap) {
            cap = cap ? cap * 2 : 65536;
            char *grown =
                cap <= PMC_BASELINE_MAX_BYTES ? realloc(text, cap) : NULL;
            if (grown == NULL) {
                pmc_error_set(err, "%s: too large for a baseline", path);
                goto fail;
            }
            text = grown;
        }
        size_t n = fread(text + size, 1, cap - size - 1, f);
        size += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        pmc_error_errno(err, errno, "%s", path);
        goto fail;
    }
    fclose(f);
    text[size] = '\0';
    return text;
fail:
    fclose(f);
    free(text);
    return NULL;
}

/* One integer (NULL: -1) from a query of the baseline's text. */
static int query_int(struct pmc_db *db, const char *sql, const char *json,
                     int64_t *value, struct pmc_error *err)
{
    sqlite3_stmt *stmt;
    if (db_prepare(db, sql, &stmt, err) < 0)
        return -1;
    db_bind_text(stmt, 1, json);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *value = sqlite3_column_type(stmt, 0) == SQLITE_NULL
                     ? -1
                     : sqlite3_column_int64(stmt, 0);
    else
        db_fail(db, err, "reading the baseline");
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* A baseline is a JSON object with a findings array whose every element
 * has a text fingerprint. (Each question is its own query: json_each
 * fails the whole statement on text that is not JSON.) */
static int validate(struct pmc_db *db, const char *path, const char *json,
                    struct pmc_error *err)
{
    int64_t valid, is_array, bad;
    if (query_int(db, "SELECT json_valid(?1)", json, &valid, err) < 0)
        return -1;
    if (valid != 1)
        return pmc_error_set(err, "%s: not valid JSON", path);
    if (query_int(db, "SELECT json_type(?1, '$.findings') IS 'array'", json,
                  &is_array, err) < 0)
        return -1;
    if (is_array != 1)
        return pmc_error_set(err,
                             "%s: not a pmcheck baseline (no findings "
                             "array)",
                             path);
    if (query_int(db,
                  "SELECT min(key) FROM json_each(?1, '$.findings') "
                  "WHERE json_type(?1, fullkey || '.fingerprint') "
                  "IS NOT 'text'",
                  json, &bad, err) < 0)
        return -1;
    if (bad >= 0)
        return pmc_error_set(err,
                             "%s: finding %lld of the baseline has no "
                             "fingerprint",
                             path, (long long)bad);
    return 0;
}

static int record(struct pmc_db *db, int64_t run_id, const char *json,
                  struct pmc_error *err)
{
    sqlite3_stmt *stmt;
    if (db_prepare(db,
                   "INSERT OR IGNORE INTO run_baseline (run, fingerprint) "
                   "SELECT ?2, json_extract(?1, fullkey || '.fingerprint') "
                   "FROM json_each(?1, '$.findings')",
                   &stmt, err) < 0)
        return -1;
    db_bind_text(stmt, 1, json);
    sqlite3_bind_int64(stmt, 2, run_id);
    int rc = -1;
    if (db_begin_write(db, err) == 0) {
        rc = db_step_done(db, stmt, "recording the baseline", err);
        if (rc == 0)
            rc = db_commit(db, err);
        else
            db_rollback(db);
    }
    sqlite3_finalize(stmt);
    return rc;
}

int pmc_baseline_apply(struct pmc_db *db, int64_t run_id, const char *path,
                       struct pmc_error *err)
{
    char *json = read_file(path, err);
    if (json == NULL)
        return -1;
    int rc = validate(db, path, json, err);
    if (rc == 0)
        rc = record(db, run_id, json, err);
    free(json);
    return rc;
}
