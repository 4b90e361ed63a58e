/*
 * db_crash.c - recording a `pmcheck crash` run: its configuration and
 * totals (crash_runs) and every state it explored (crash_states); see
 * db.h. The run's findings go through pmc_db_store_results like a check's.
 *
 * States come in batches, each written in one transaction, so a run that
 * is killed keeps every state it recorded. Source sites of crash points
 * are mapped to `sites` rows once per run (a small cache by trace site id).
 */
#include "db_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

struct pmc_db_crash {
    struct pmc_db *db;
    int64_t run_id;
    int64_t trace_id;
    uint32_t shard;
    pmc_db_site_fn site_of;
    const void *site_ctx;
    int64_t *site_rows; /* by trace site id; 0: not looked up yet */
    size_t nsite_rows;
};

static int find_trace(struct pmc_db_crash *c, const struct pmc_db_trace *t,
                      struct pmc_error *err)
{
    char hash[16];
    db_cmdline_hash(t->cmdline != NULL ? t->cmdline : "", hash);
    sqlite3_stmt *stmt;
    if (db_prepare(c->db,
                   "SELECT id FROM traces WHERE pid = ?1 AND start_ns = ?2 "
                   "AND cmdline_hash = ?3",
                   &stmt, err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, (int64_t)t->pid);
    sqlite3_bind_int64(stmt, 2, (int64_t)t->start_ns);
    db_bind_text(stmt, 3, hash);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        c->trace_id = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        return db_fail(c->db, err, "finding the trace of the crash run");
    return 0;
}

/* Text that may not be UTF-8 (a command line, a recovery's stderr). */
static void bind_utf8(sqlite3_stmt *stmt, int index, const char *text)
{
    if (text == NULL || pmc_utf8_valid(text)) {
        db_bind_text(stmt, index, text);
        return;
    }
    char *copy = strdup(text);
    if (copy != NULL)
        pmc_utf8_fix(copy);
    db_bind_text(stmt, index, copy != NULL ? copy : "?");
    free(copy);
}

/* One write statement in its own transaction. */
static int write_one(struct pmc_db_crash *c, sqlite3_stmt *stmt,
                     const char *what, struct pmc_error *err)
{
    if (db_begin_write(c->db, err) < 0)
        return -1;
    if (db_step_done(c->db, stmt, what, err) < 0) {
        db_rollback(c->db);
        return -1;
    }
    return db_commit(c->db, err);
}

static int write_config(struct pmc_db_crash *c,
                        const struct pmc_db_crash_config *cfg,
                        struct pmc_error *err)
{
    sqlite3_stmt *stmt;
    if (db_prepare(c->db,
                   "INSERT OR REPLACE INTO crash_runs (run, shard, shards, "
                   "trace, recover, strategy, seed, options, config) VALUES "
                   "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                   &stmt, err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, c->run_id);
    sqlite3_bind_int64(stmt, 2, cfg->shard);
    sqlite3_bind_int64(stmt, 3, cfg->shards ? cfg->shards : 1);
    sqlite3_bind_int64(stmt, 4, c->trace_id);
    bind_utf8(stmt, 5, cfg->recover ? cfg->recover : "");
    db_bind_text(stmt, 6, cfg->strategy);
    sqlite3_bind_int64(stmt, 7, (int64_t)cfg->seed);
    bind_utf8(stmt, 8, cfg->options ? cfg->options : "");
    bind_utf8(stmt, 9, cfg->config ? cfg->config : "");
    int rc = write_one(c, stmt, "recording the crash run", err);
    sqlite3_finalize(stmt);
    return rc;
}

int pmc_db_crash_begin(struct pmc_db *db, int64_t run_id,
                       const struct pmc_db_trace *trace, pmc_db_site_fn site_of,
                       const void *site_ctx,
                       const struct pmc_db_crash_config *config,
                       struct pmc_db_crash **out, struct pmc_error *err)
{
    struct pmc_findings *none = pmc_findings_new();
    struct pmc_db_crash *c = calloc(1, sizeof(*c));
    if (none == NULL || c == NULL) {
        pmc_findings_free(none);
        free(c);
        return pmc_error_set(err, "%s: out of memory", pmc_db_path(db));
    }
    *c = (struct pmc_db_crash){
        .db = db,
        .run_id = run_id,
        .shard = config->shard,
        .site_of = site_of,
        .site_ctx = site_ctx,
    };
    int rc =
        pmc_db_store_results(db, run_id, trace, site_of, site_ctx, none, err);
    pmc_findings_free(none);
    if (rc == 0)
        rc = find_trace(c, trace, err);
    if (rc == 0)
        rc = write_config(c, config, err);
    if (rc != 0) {
        pmc_db_crash_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void pmc_db_crash_free(struct pmc_db_crash *c)
{
    if (c == NULL)
        return;
    free(c->site_rows);
    free(c);
}

/* The sites row of a trace site (0: none), inside the open transaction. */
static int site_row(struct pmc_db_crash *c, uint32_t site, int64_t *row,
                    struct pmc_error *err)
{
    *row = 0;
    const struct pmc_site *s = site ? c->site_of(c->site_ctx, site) : NULL;
    if (s == NULL)
        return 0;
    if (site >= c->nsite_rows) {
        size_t n = c->nsite_rows ? c->nsite_rows : 64;
        while (n <= site)
            n *= 2;
        int64_t *p = realloc(c->site_rows, n * sizeof(*p));
        if (p == NULL)
            return pmc_error_set(err, "%s: out of memory", c->db->path);
        memset(p + c->nsite_rows, 0, (n - c->nsite_rows) * sizeof(*p));
        c->site_rows = p;
        c->nsite_rows = n;
    }
    if (c->site_rows[site] != 0) {
        *row = c->site_rows[site];
        return 0;
    }
    sqlite3_stmt *stmt;
    if (db_prepare(c->db,
                   "INSERT INTO sites (file, dir, line, col, function) "
                   "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (file, dir, "
                   "line, col, function) DO UPDATE SET line = excluded.line "
                   "RETURNING id",
                   &stmt, err) < 0)
        return -1;
    bind_utf8(stmt, 1, s->file);
    bind_utf8(stmt, 2, s->dir);
    sqlite3_bind_int64(stmt, 3, s->line);
    sqlite3_bind_int64(stmt, 4, s->column);
    bind_utf8(stmt, 5, s->function);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *row = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        return db_fail(c->db, err, "recording a crash point's site");
    c->site_rows[site] = *row; /* forgotten if the batch rolls back */
    return 0;
}

static int write_state(struct pmc_db_crash *c, sqlite3_stmt *stmt,
                       const struct pmc_db_crash_state *s,
                       struct pmc_error *err)
{
    int64_t site;
    if (site_row(c, s->crash_site, &site, err) < 0)
        return -1;
    char hash[24];
    snprintf(hash, sizeof(hash), "%016" PRIx64, s->image_hash);
    sqlite3_bind_int64(stmt, 1, c->run_id);
    sqlite3_bind_int64(stmt, 2, c->trace_id);
    db_bind_text(stmt, 3, s->state_id);
    if (site != 0)
        sqlite3_bind_int64(stmt, 4, site);
    else
        sqlite3_bind_null(stmt, 4);
    db_bind_text(stmt, 5, s->outcome);
    db_bind_text(stmt, 6, hash);
    bind_utf8(stmt, 7, s->stderr_tail);
    if (s->seconds >= 0)
        sqlite3_bind_double(stmt, 8, s->seconds);
    else
        sqlite3_bind_null(stmt, 8);
    sqlite3_bind_int64(stmt, 9, (int64_t)s->ordinal);
    if (s->has_code)
        sqlite3_bind_int(stmt, 10, s->code);
    else
        sqlite3_bind_null(stmt, 10);
    db_bind_text(stmt, 11, s->duplicate_of);
    db_bind_text(stmt, 12, s->faults && s->faults[0] ? s->faults : NULL);
    return db_step_done(c->db, stmt, "recording a crash state", err);
}

int pmc_db_crash_add(struct pmc_db_crash *c,
                     const struct pmc_db_crash_state *states, size_t n,
                     struct pmc_error *err)
{
    if (n == 0)
        return 0;
    sqlite3_stmt *stmt;
    if (db_prepare(c->db,
                   "INSERT OR REPLACE INTO crash_states (run, trace, "
                   "state_id, crash_site, outcome, image_hash, stderr_tail, "
                   "duration, ordinal, code, duplicate_of, faults) VALUES "
                   "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                   &stmt, err) < 0)
        return -1;
    int rc = db_begin_write(c->db, err);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = write_state(c, stmt, &states[i], err);
    if (rc == 0)
        rc = db_commit(c->db, err);
    if (rc != 0) {
        db_rollback(c->db);
        memset(c->site_rows, 0, c->nsite_rows * sizeof(c->site_rows[0]));
    }
    sqlite3_finalize(stmt);
    return rc;
}

int pmc_db_crash_totals(struct pmc_db_crash *c,
                        const struct pmc_db_crash_totals *t,
                        struct pmc_error *err)
{
    sqlite3_stmt *stmt;
    if (db_prepare(c->db,
                   "UPDATE crash_runs SET points = ?3, states = ?4, runs = "
                   "?5, duplicates = ?6, failures = ?7, skipped = ?8, "
                   "stopped = ?9, seconds = ?10, fork_server = ?11 "
                   "WHERE run = ?1 AND shard = ?2",
                   &stmt, err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, c->run_id);
    sqlite3_bind_int64(stmt, 2, c->shard);
    sqlite3_bind_int64(stmt, 3, (int64_t)t->points);
    sqlite3_bind_int64(stmt, 4, (int64_t)t->states);
    sqlite3_bind_int64(stmt, 5, (int64_t)t->runs);
    sqlite3_bind_int64(stmt, 6, (int64_t)t->duplicates);
    sqlite3_bind_int64(stmt, 7, (int64_t)t->failures);
    sqlite3_bind_int64(stmt, 8, (int64_t)t->skipped);
    db_bind_text(stmt, 9, t->stopped);
    sqlite3_bind_double(stmt, 10, t->seconds);
    sqlite3_bind_int(stmt, 11, t->fork_server);
    int rc = write_one(c, stmt, "recording the crash run's totals", err);
    sqlite3_finalize(stmt);
    return rc;
}
