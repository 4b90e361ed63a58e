/*
 * crash.h - `pmcheck crash`: rebuild the crash states a trace allows, run
 * a recovery command on each, and report the states it fails on
 * (DESIGN.md section 4; docs/crash.md is the user's description).
 *
 * The explorer replays the trace through the persistency model (model.h).
 * Crash points are the instants before each fence (a locked instruction
 * included), at each durability point (EXIT, REGION_UNMAP, PMT_DURABLE()),
 * at each PMT_CRASH_POINT(), and at the end of the trace. At a crash point
 * every live line may hold its content before its first live store plus a
 * prefix, in program order, of its live stores; a strategy (strategy.h)
 * picks which of those vectors to explore. Each state becomes a crash image
 * (image.h) that the runner (runner.h) hands to the recovery command.
 *
 * Contract:
 * - Deterministic: given the trace, the model, the strategy, the seed, the
 *   per-point cap, the torn-write option and the fault options, the states,
 *   their ids ("<crash point>.<index>"; fault runs "<crash point>.alloc<N>",
 *   "<crash point>.poison<offset>") and their order are fixed: --jobs and
 *   --shard change who runs a state, never what it is. pmc_crash_replay()
 *   rebuilds any state's image from its id and the same options.
 * - Identical images (with identical markers and faults) run once: a
 *   repeat is reported as a duplicate of the first, never run. Duplicates
 *   are found over every state, whatever the shard, so shards split work,
 *   not results.
 * - --max-states bounds the distinct states (run here or by another shard);
 *   the exploration stops at the first state past it and says so, as it
 *   does at --time-limit.
 * - Every state of this shard is passed to the state callback, in
 *   enumeration order, run or duplicate. A failed run adds a
 *   crash-recovery-failed finding to `out`: one per crash point site,
 *   counting the failing states; its notes name up to PMC_MAX_NOTES - 1
 *   stores the state left out, then the crash point.
 * - With loads, every run also adds a cross-failure-read finding per
 *   (store site, load site) pair whose first read it saw: primary site
 *   the store (the checked trace's), key_site and first note the load (a
 *   site of o->sites), then the crash point; its count is the number of
 *   states run that showed the pair. Duplicate states are not run, so
 *   they count for nothing.
 * - Memory: the model's live state, the base images (the pools' size), one
 *   image per job (the runner's), and the set of distinct state hashes
 *   (bounded by --max-states). Nothing grows with the length of the trace.
 * - Errors (pmc_error): a trace the model cannot replay, a region that is
 *   not 64-byte aligned with its file offset, a recovery command that
 *   cannot start, a callback's error, out of memory. A damaged trace is
 *   explored up to the damage, then the error is returned.
 */
#ifndef PMC_CRASH_H
#define PMC_CRASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "finding.h"
#include "model.h"
#include "runner.h"
#include "site_pool.h"
#include "strategy.h"
#include "trace.h"

#define PMC_CRASH_DEFAULT_MAX_STATES 100000u
#define PMC_CRASH_DEFAULT_LINES_PER_POINT 64u
#define PMC_CRASH_DEFAULT_RANDOM_PER_POINT 16u
#define PMC_CRASH_STATE_ID_SIZE 48

struct pmc_crash_options {
    enum pmc_persistency persistency;
    enum pmc_strategy strategy; /* 0: lines */
    uint64_t seed;
    uint64_t max_states;    /* distinct states; 0: the default */
    uint64_t max_per_point; /* lines and random; 0: their default */
    double time_limit;      /* seconds for the exploration; 0: none */
    bool torn;              /* also states with a torn store */
    uint32_t media_errors;  /* runs of the final state with a poisoned line */
    uint32_t fail_alloc;    /* N > 0: each point's full state once more,
                               with the recovery's Nth allocation failing */
    uint32_t shard_index;   /* run ordinals with ordinal % count == index */
    uint32_t shard_count;   /* 0 or 1: no sharding */
    /* The recovery, for the runner (runner.h). */
    const char *recover;
    unsigned jobs;         /* runners; 0: 1 */
    double run_time_limit; /* per run; 0: the runner's default */
    uint64_t run_memory_limit;
    const char *workdir;
    bool no_fork_server;
    /* Cross-failure reads (xfail.h): run the recovery traced with its
     * loads and report a load of an uncertain byte it had not written as
     * cross-failure-read. Needs a recovery built with pmcc; the load
     * sites go to `sites` (required with loads), which must outlive the
     * findings. */
    bool loads;
    struct pmc_site_pool *sites;
};

/* One state of this shard, in enumeration order. Strings are valid during
 * the callback only. */
struct pmc_crash_state {
    char id[PMC_CRASH_STATE_ID_SIZE];
    uint64_t ordinal;    /* among every state enumerated, from 0 */
    uint64_t point;      /* crash point number, from 0 */
    uint32_t crash_site; /* trace site id of the crash point; 0: none */
    uint64_t image_hash; /* of the state's images */
    bool duplicate;      /* not run: identical to duplicate_of */
    char duplicate_of[PMC_CRASH_STATE_ID_SIZE];
    const char *faults; /* "" or what was injected ("allocation 3") */
    /* When run: */
    enum pmc_run_outcome outcome;
    int code;
    double seconds;
    const char *stderr_tail;
};

struct pmc_crash_progress {
    uint64_t points;     /* crash points reached */
    uint64_t states;     /* states of this shard so far */
    uint64_t runs;       /* of which run */
    uint64_t duplicates; /* of which identical to an earlier one */
    uint64_t failures;   /* runs that failed */
    uint64_t distinct;   /* distinct states over all shards */
    uint64_t max_states;
    double fraction; /* of the trace replayed, 0..1 */
    double elapsed;  /* seconds */
};

struct pmc_crash_callbacks {
    /* Each state; returns 0, or -1 with err set to stop. */
    int (*state)(void *ctx, const struct pmc_crash_state *s,
                 struct pmc_error *err);
    /* After each batch of runs (optional). */
    void (*progress)(void *ctx, const struct pmc_crash_progress *p);
    void *ctx;
};

#define PMC_CRASH_MAX_NOTES 4

struct pmc_crash_summary {
    struct pmc_crash_progress totals;
    uint64_t skipped;    /* distinct states left to other shards */
    const char *stopped; /* NULL: every state explored; "max-states",
                            "time-limit": the budget that stopped it */
    uint64_t stopped_point;
    uint32_t stopped_site;
    bool forks; /* the runner used a fork server */
    uint64_t untraced;     /* with loads: runs that left no trace to read */
    uint64_t carried_over; /* persistent mode: states that failed only in a
                              process that had recovered others before */
    struct pmc_model_stats model;
    unsigned nnotes; /* what the results rest on, as check.h says */
    char notes[PMC_CRASH_MAX_NOTES][256];
};

/* Explore t. Findings go to out, states to cb. summary may be NULL. On
 * return t has been read to its end (or its damage), so pmc_trace_site()
 * knows every site the states and findings name; each job reads a handle
 * of its own. */
int pmc_crash_explore(struct pmc_trace *t, const struct pmc_crash_options *o,
                      const struct pmc_crash_callbacks *cb,
                      struct pmc_findings *out,
                      struct pmc_crash_summary *summary, struct pmc_error *err);

/* What pmc_crash_replay rebuilt. */
struct pmc_crash_replay_info {
    uint64_t point;
    uint32_t crash_site;
    size_t nimages;
    uint64_t image_hash;
    char markers[4096]; /* PMCHECK_MARKERS of the state's runs */
    char faults[64];    /* "" or the fault the state's run injects */
    uint64_t left_out;  /* stores left out of the image */
};

/*
 * Write the image of state_id (same options as the exploration that named
 * it) to path: the image file itself when the trace has one image, else a
 * directory (created if needed) with one file per image, named as the
 * recovery saw them. The recovery command is not needed. Errors: a bad or
 * unknown id, the trace, the file system.
 */
int pmc_crash_replay(struct pmc_trace *t, const struct pmc_crash_options *o,
                     const char *state_id, const char *path,
                     struct pmc_crash_replay_info *info, struct pmc_error *err);

#endif /* PMC_CRASH_H */
