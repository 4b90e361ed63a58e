/*
 * db.h - the results database: runs, traces, source sites, findings and
 * crash states, in SQLite. docs/results-schema.md documents every table and
 * column; reports (report.h) and baselines (baseline.h) are made from it.
 *
 * Contract:
 * - pmc_db_open() creates the database when it does not exist, in WAL mode
 *   with foreign keys on and a busy timeout, so several pmcheck processes
 *   can read and write one database at once. Every write is one
 *   BEGIN IMMEDIATE transaction, retried while another writer holds the
 *   lock: two processes storing at once both succeed.
 * - The schema carries a version (PRAGMA user_version). A database made by
 *   a newer pmcheck is refused with a clear error, never written to.
 * - Findings belong to (trace, model). Storing the results of a new check
 *   of a trace replaces that trace's findings under the run's model, in
 *   one transaction, so checking a trace twice never duplicates a finding;
 *   the run that stored them references the trace (run_traces). A report
 *   of run R shows the findings of R's traces under R's model.
 * - Any failure (SQLite error, full disk, read-only file) returns -1 with
 *   err naming the database; the transaction is rolled back and the
 *   database stays as it was before the call.
 * - A struct pmc_db is used by one thread at a time.
 */
#ifndef PMC_DB_H
#define PMC_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "error.h"
#include "finding.h"
#include "trace.h"

#define PMC_DB_DEFAULT_PATH "pmcheck.db"

/* The schema version this pmcheck writes (PRAGMA user_version). */
#define PMC_DB_SCHEMA_VERSION 2

struct pmc_db;

enum pmc_run_kind {
    PMC_RUN_CHECK = 1, /* pmcheck check */
    PMC_RUN_CRASH,     /* pmcheck crash */
};

enum pmc_run_status {
    PMC_RUN_RUNNING = 1, /* begun, not ended (or the process died) */
    PMC_RUN_COMPLETE,    /* every trace was checked */
    PMC_RUN_INPUT_ERROR, /* a trace was missing or damaged: partial results */
    PMC_RUN_FAILED,      /* pmcheck itself failed (database, memory) */
};

struct pmc_run_info {
    enum pmc_run_kind kind;
    const char *model;        /* persistency model: "adr" or "eadr" */
    const char *command_line; /* as the user typed it, for the record */
    const char *version;      /* the pmcheck version doing the run */
};

/*
 * What the database records about one checked trace. The identity of a
 * trace is (pid, start_ns, cmdline): the same file checked again, even
 * moved, is the same trace; a new `pmcheck run` is a new one.
 */
struct pmc_db_trace {
    uint64_t pid;
    uint64_t start_ns;
    const char *cmdline;
    const char *path;
    uint64_t size;      /* bytes */
    uint32_t end_kind;  /* PMT_END_* */
    int32_t end_code;   /* exit status or signal */
    bool unsealed_tail; /* the program died with a block open */
    uint64_t events;    /* events the check read */
    const char *damage; /* the reader's error when the trace is damaged,
                           NULL when it was read to its end */
    /* What the results rest on, as sentences (check.h's stats notes:
     * "the program was killed by signal 9: ..."); reports show them. */
    const char *const *notes;
    unsigned nnotes;
};

/* Where a trace site id points (NULL: unknown), for pmc_db_store_results. */
typedef const struct pmc_site *(*pmc_db_site_fn)(const void *ctx,
                                                 uint32_t site_id);

/* Open (creating if needed) the database at path. */
int pmc_db_open(const char *path, struct pmc_db **out, struct pmc_error *err);
void pmc_db_close(struct pmc_db *db);
const char *pmc_db_path(const struct pmc_db *db);

/* Record the start of a run; its id goes to *run_id. */
int pmc_db_run_begin(struct pmc_db *db, const struct pmc_run_info *info,
                     int64_t *run_id, struct pmc_error *err);

/* Record how the run ended. May be called again to correct the record
 * (e.g. writing the report failed after the run was ended). */
int pmc_db_run_end(struct pmc_db *db, int64_t run_id,
                   enum pmc_run_status status, int exit_code,
                   struct pmc_error *err);

/* Resolve "latest" (the newest run that has ended) or a decimal run id
 * to an existing run. */
int pmc_db_run_find(struct pmc_db *db, const char *spec, int64_t *run_id,
                    struct pmc_error *err);

/*
 * Store the findings of one trace for run_id (under the run's model),
 * replacing those of an earlier check of the same trace and model. Site
 * ids in the findings are resolved with site_of(site_ctx, id); the source
 * line of each site is read when the file can be found (dir/file for a
 * relative file), for line_text, the fingerprint and the fix hint.
 */
int pmc_db_store_results(struct pmc_db *db, int64_t run_id,
                         const struct pmc_db_trace *trace,
                         pmc_db_site_fn site_of, const void *site_ctx,
                         const struct pmc_findings *set, struct pmc_error *err);

/* The same for an open trace just checked: identity and sites come from
 * t; events and notes from the check's stats (NULL: none); damage is the
 * check's error when the trace is damaged, else NULL. */
int pmc_db_store_findings(struct pmc_db *db, int64_t run_id,
                          struct pmc_trace *t,
                          const struct pmc_check_stats *stats,
                          const char *damage, const struct pmc_findings *set,
                          struct pmc_error *err);

/* ---- crash runs (db_crash.c) ---------------------------------------- */

/* What decides a crash run's states: kept so that a state can be rebuilt
 * (options) and shards of one exploration merged (config). */
struct pmc_db_crash_config {
    const char *recover;  /* the recovery command template */
    const char *strategy; /* "lines", "exhaustive", "random" */
    uint64_t seed;
    const char *options; /* the crash options that rebuild a state, as
                            typed: "--model adr --strategy lines ..." */
    const char *config;  /* options plus what else decides which states
                            are explored (budget, recovery): shards with
                            equal config and trace make one exploration */
    uint32_t shard;      /* this run's shard, from 0 */
    uint32_t shards;     /* how many (1: not sharded) */
};

/* One explored state (a crash_states row). */
struct pmc_db_crash_state {
    const char *state_id;
    uint64_t ordinal;
    uint32_t crash_site; /* trace site id; 0: none */
    const char *outcome; /* "pass", "exit", ..., "duplicate" */
    int code;            /* exit status or signal; stored when has_code */
    bool has_code;
    uint64_t image_hash;
    const char *stderr_tail;  /* NULL: none */
    double seconds;           /* < 0: not run */
    const char *duplicate_of; /* NULL: run */
    const char *faults;       /* NULL or "": none */
};

struct pmc_db_crash_totals {
    uint64_t points, states, runs, duplicates, failures, skipped;
    const char *stopped; /* NULL: explored to the end */
    double seconds;
    bool fork_server;
};

struct pmc_db_crash;

/* Start recording a crash run over trace: the trace is recorded and linked
 * to the run, its crash findings under the run's model are forgotten (the
 * run stores its own, pmc_db_store_results), and a crash_runs row made. */
int pmc_db_crash_begin(struct pmc_db *db, int64_t run_id,
                       const struct pmc_db_trace *trace, pmc_db_site_fn site_of,
                       const void *site_ctx,
                       const struct pmc_db_crash_config *config,
                       struct pmc_db_crash **out, struct pmc_error *err);

/* Record states, all in one transaction. */
int pmc_db_crash_add(struct pmc_db_crash *c,
                     const struct pmc_db_crash_state *states, size_t n,
                     struct pmc_error *err);

/* Record the run's totals (may be called again to update them). */
int pmc_db_crash_totals(struct pmc_db_crash *c,
                        const struct pmc_db_crash_totals *t,
                        struct pmc_error *err);

void pmc_db_crash_free(struct pmc_db_crash *c);

/* ---- merging databases (db_merge.c) ----------------------------------- */

struct pmc_db_merge_stats {
    uint64_t runs;       /* runs added */
    uint64_t shards;     /* runs joined to an exploration already there */
    uint64_t states;     /* crash states added */
    uint64_t findings;   /* findings added */
    uint64_t duplicates; /* findings already there, kept once */
};

/*
 * Merge the database at in_path into db: its runs, traces, sites,
 * findings, crash states and baselines, with ids remapped, in one
 * transaction. A crash run that is another shard of an exploration
 * already in db (same trace, same config, same number of shards, a shard
 * not there yet) joins that run: its states are added to it and its
 * crash findings combined (counts added, the finding of the earliest
 * failing state kept), so merging every shard gives what the unsharded
 * run gives. Any other finding already in db for the same trace, model,
 * rule and site is kept once. Merging a database twice adds nothing.
 */
int pmc_db_merge(struct pmc_db *db, const char *in_path,
                 struct pmc_db_merge_stats *stats, struct pmc_error *err);

/* Names used in the database for enums ("check", "complete", "exit"). */
const char *pmc_run_kind_name(enum pmc_run_kind kind);
const char *pmc_run_status_name(enum pmc_run_status status);

#endif /* PMC_DB_H */
