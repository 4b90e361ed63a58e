/*
 * crash_internal.h - what the files of the crash explorer (crash.h) share:
 *   crash_walk.c      the replay: model, base images, markers, crash points
 *   crash_point.c     a crash point's lines, their choices, contents, hashes
 *   crash_id.c        state ids and the set of distinct states
 *   crash_exec.c      a runner and its images, updated by difference
 *   crash_worker.c    one job: its replay, the states it owns, their runs
 *   crash_findings.c  crash-recovery-failed findings
 *   crash_xfail.c     cross-failure-read findings (xfail.h) of a run
 *   crash.c           the exploration: jobs, and their records merged in
 *                     enumeration order
 *   crash_replay.c    rebuilding one state's images (--replay)
 */
#ifndef PMC_CRASH_INTERNAL_H
#define PMC_CRASH_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "crash.h"
#include "image.h"
#include "rangeset.h"
#include "xfail.h"

/* Defaults filled in (crash.c): what exploration and replay agree on. */
void crash_options_normalise(struct pmc_crash_options *o);

/* ---- crash points (crash_point.c) ---------------------------------- */

enum crash_point_kind {
    POINT_NONE = 0,   /* not a crash point */
    POINT_FENCE,      /* before a fence */
    POINT_LOCKED,     /* before a locked instruction to pmem (a fence) */
    POINT_EXIT,       /* at the EXIT record */
    POINT_UNMAP,      /* at a REGION_UNMAP */
    POINT_DURABLE,    /* at PMT_DURABLE() */
    POINT_ANNOTATION, /* at PMT_CRASH_POINT() */
    POINT_END,        /* at the end of the trace */
    POINT_LIB_CALL,   /* in a libpmemobj call, before its next write */
};

/* A torn variant of a line: part `part` persists but for one 8-byte word. */
struct torn_variant {
    uint32_t part;
    uint8_t word;
};

/* A live line at a crash point. */
struct point_line {
    uint32_t img;
    uint64_t offset;      /* in the image, a multiple of IMAGE_LINE */
    uint32_t region;      /* the trace's region number, for findings */
    uint64_t region_base; /* the image offset where the region starts */
    const struct pmc_live_store *parts; /* the model's, oldest first */
    uint32_t nparts;
    uint32_t ntorn;
    size_t torn_first;  /* its variants in crash_point.torn */
    size_t delta_first; /* its choices' hash deltas in crash_point.deltas */
    /* All in in every state, never varied: at a library call's crash point
     * inside a transaction, a line without a store of the transaction
     * outside its ranges (crash_walk.c, struct tx_window). */
    bool fixed;
    uint64_t addr; /* the line's address in the traced program */
};

struct crash_point {
    uint64_t number; /* from 0 */
    uint64_t seq;    /* the event it is at */
    uint32_t site;
    enum crash_point_kind kind;
    const char *function; /* POINT_LIB_CALL: the library function */
    /* The varied lines by (img, offset), then the fixed ones by (img,
     * offset): strategies choose for lines [0, nvaried) only. */
    struct point_line *lines;
    size_t nlines;
    size_t nvaried;
    /* POINT_LIB_CALL inside a transaction: the open transactions' ranges
     * (any thread's; the walk's, valid during the point), the seq of the
     * outermost TX_BEGIN of the calling thread's transaction and that
     * thread; else NULL, 0 and 0. */
    const struct rangeset *tx_ranges;
    uint64_t tx_begin_seq;
    uint32_t tx_thread;
    struct strategy_line *choices; /* the strategies' view of lines */
    struct torn_variant *torn;
    size_t ntorn;
    uint64_t *deltas; /* per line, per choice: base hash ^ state hash */
    size_t ndeltas;
    uint64_t base_hash;
    const char *markers; /* PMCHECK_MARKERS now */
    uint64_t markers_hash;
    /* capacities */
    size_t lines_cap, choices_cap, torn_cap, deltas_cap;
};

void crash_point_init(struct crash_point *cp);
void crash_point_destroy(struct crash_point *cp);

/* The content of line l under choice c (0..nparts, then torn variants). */
void point_line_content(const struct image_set *imgs,
                        const struct crash_point *cp,
                        const struct point_line *l, uint32_t c,
                        uint8_t out[IMAGE_LINE]);

/* Compute the torn variants (when torn) and every choice's hash delta of
 * cp's lines, which crash_walk.c has filled. Returns 0, or -1 without
 * memory. */
int crash_point_prepare(struct crash_point *cp, const struct image_set *imgs,
                        bool torn);

/* The hash of the state given by choices. */
uint64_t crash_point_hash(const struct crash_point *cp,
                          const uint32_t *choices);

/* Every line's last choice that is a prefix: all its stores. */
void crash_point_all(const struct crash_point *cp, uint32_t *choices);

/* The fixed lines' choices (all their stores), after the varied lines'
 * that a strategy gives. */
void crash_point_fill_fixed(const struct crash_point *cp, uint32_t *choices);

/* Words, in the crash point note: "before this fence". */
const char *crash_point_words(enum crash_point_kind kind);

/* The crash point note of cp: its kind's words, and at a library call the
 * function ("crash point: in this pmemobj_tx_add_range call, ..."). */
void crash_point_describe(const struct crash_point *cp, char *buf, size_t size);

/* A store left out of a state (wholly, or partly when torn). */
struct left_out {
    uint64_t seq;
    uint32_t site;
    uint32_t img;
    uint64_t offset; /* in the image */
    uint32_t region;
    uint64_t region_offset;
    uint32_t len;
    bool torn;
};

/* The live parts of cp: room enough for crash_point_left_out and
 * crash_point_unlogged. */
size_t crash_point_parts(const struct crash_point *cp);

/* The stores a state leaves out into out (crash_point_parts() entries),
 * by seq, one entry per store (its parts merged). Returns how many. */
size_t crash_point_left_out(const struct crash_point *cp,
                            const uint32_t *choices, struct left_out *out);

/* The unlogged stores a state keeps in: at a library call's crash point
 * inside a transaction, the stores of the transaction outside its ranges
 * that the state's prefixes hold, which no rollback undoes. Same form as
 * crash_point_left_out (torn is false); 0 at other points. */
size_t crash_point_unlogged(const struct crash_point *cp,
                            const uint32_t *choices, struct left_out *out);

/* Is part p of the line at line_addr, at a crash point inside thread
 * `thread`'s transaction begun at begin_seq, a store no rollback undoes:
 * outside the open transactions' ranges (neither added nor allocated),
 * and of the transaction (the thread's, since begin_seq) or of another
 * thread (nothing orders it before the transaction)? The one test of the
 * walk and of crash_point_unlogged. */
bool crash_store_unlogged(const struct rangeset *tx_ranges, uint64_t begin_seq,
                          uint32_t thread, uint64_t line_addr,
                          const struct pmc_live_store *p);

/* ---- the walk (crash_walk.c) ------------------------------------------- */

struct walk;

/* Called at each crash point: 0 goes on, 1 stops the walk, -1 fails it. */
typedef int (*walk_point_fn)(void *ctx, struct crash_point *cp,
                             struct pmc_error *err);

/* Read the trace once for its images, then set up a replay. */
int walk_new(struct pmc_trace *t, enum pmc_persistency persistency, bool torn,
             struct walk **out, struct pmc_error *err);
void walk_free(struct walk *w);

struct image_set *walk_images(struct walk *w);
struct pmc_trace *walk_trace(struct walk *w);

/* Replay the trace from its start, calling fn at each crash point with
 * the point prepared (crash_point_prepare). */
int walk_run(struct walk *w, walk_point_fn fn, void *ctx,
             struct pmc_error *err);

/* How far the replay is, 0..1 (for progress). */
double walk_fraction(const struct walk *w);

/* What cross-failure reads exempt now, as positions (XFAIL_POS): the
 * ranges of the PMDK transactions open to tx_fn, the commit variables
 * declared so far to var_fn. Returns 0, or -1 when a callback failed. */
typedef int (*walk_range_fn)(void *ctx, uint64_t lo, uint64_t hi);
int walk_exempt(struct walk *w, walk_range_fn tx_fn, walk_range_fn var_fn,
                void *ctx);

/* The newest seq of a store (or library write) guaranteed persistent so
 * far; 0: none. */
uint64_t walk_persisted_seq(const struct walk *w);

/* After walk_run: the model's statistics and notes on the trace's end. */
void walk_summary(const struct walk *w, struct pmc_crash_summary *s);

/* "list.c:61" of a trace site; "" when there is none. */
void walk_site_words(const struct walk *w, uint32_t site, char *buf,
                     size_t size);

/* ---- state ids and the set of distinct states (crash_id.c) ------------- */

enum state_fault {
    FAULT_NONE = 0,
    FAULT_ALLOC,  /* arg: the allocation that fails */
    FAULT_POISON, /* arg: the poisoned offset of image 0 */
};

struct state_ref {
    uint64_t point;
    uint32_t index; /* in the strategy's order (FAULT_NONE) */
    uint32_t fault; /* enum state_fault */
    uint64_t arg;
};

void state_id_format(const struct state_ref *ref, char *buf, size_t size);
/* Returns 0, or -1 when id is not a state id. */
int state_id_parse(const char *id, struct state_ref *ref);

/* Distinct states by key, each with the first state that had it. */
struct state_set {
    struct state_set_entry *slots;
    size_t cap; /* a power of two */
    size_t count;
};

void state_set_init(struct state_set *s);
void state_set_destroy(struct state_set *s);
/* The first state with this key, or NULL. */
const struct state_ref *state_set_find(const struct state_set *s, uint64_t key);
/* The first state with this key, or NULL after adding ref as the first.
 * *failed says when there was no memory to add it. */
const struct state_ref *state_set_add(struct state_set *s, uint64_t key,
                                      const struct state_ref *ref,
                                      bool *failed);

/* ---- running (crash_exec.c) ------------------------------------------- */

/* One runner and its image files, kept equal to a base plus the lines of
 * the last state run on them. */
struct exec;

int exec_new(const struct pmc_crash_options *o, const struct image_set *imgs,
             struct exec **out, struct pmc_error *err);
void exec_free(struct exec *x);
/* Run the recovery on cp's state `choices` over the bases as they are
 * now. Returns 0 with *res filled, or -1 when the runner failed. */
int exec_run(struct exec *x, struct image_set *imgs,
             const struct crash_point *cp, const uint32_t *choices,
             const struct pmc_run_request *req, struct pmc_run_result *res,
             struct pmc_error *err);
bool exec_forks(const struct exec *x);

/* ---- records: a state's outcome on its way to the caller (crash.c) ----- */

struct crash_record {
    struct pmc_crash_state state; /* its strings point into this record */
    char faults[64];
    char stderr_tail[sizeof(((struct pmc_run_result *)0)->stderr_tail)];
    bool failed;
    struct pmc_finding finding; /* when failed */
    /* Cross-failure reads of the run (with loads), malloc'ed: whoever
     * takes the record off its worker frees them (record_release). */
    struct pmc_finding *reads;
    size_t nreads;
    double fraction;            /* of the trace its worker had replayed */
    /* The worker's last record says how it ended. */
    bool end;
    int rc;
    struct pmc_error err;
};

/* Free what a record owns. */
void record_release(struct crash_record *r);

/* ---- workers (crash_worker.c) ------------------------------------------ */

/*
 * A worker replays the whole trace on its own (model, bases, set of
 * distinct states) and enumerates every state exactly as every other
 * worker does, so all of them agree on ordinals, duplicates and budgets
 * without talking; it runs the states it owns (ordinal in this shard, and
 * its turn among the jobs) and hands their records on in its order.
 */
struct worker_config {
    const struct pmc_crash_options *o; /* normalised */
    struct pmc_trace *trace;           /* this worker's own handle */
    unsigned index, count;             /* among the jobs */
    const struct timespec *start;
    /* set by the explorer's thread, read by the jobs': stop soon */
    const atomic_bool *stop;
    /* Where records go; returns 0, or -1 to stop the worker. */
    int (*emit)(void *ctx, struct crash_record *r);
    void *emit_ctx;
};

struct worker_result {
    uint64_t points;
    uint64_t skipped; /* distinct states of other shards */
    const char *stopped;
    uint64_t stopped_point;
    uint32_t stopped_site;
    bool forks;
    uint64_t untraced;     /* runs with loads that left no trace */
    uint64_t carried_over; /* runs whose result says carried_over */
};

struct worker;

int worker_new(const struct worker_config *cfg, struct worker **out,
               struct pmc_error *err);
/* Explore; the last record emitted has end set (unless emit failed). */
int worker_run(struct worker *w, struct pmc_error *err);
void worker_result(const struct worker *w, struct worker_result *out);
/* The walk's statistics and notes on the trace (after worker_run). */
void worker_summary(const struct worker *w, struct pmc_crash_summary *s);
void worker_free(struct worker *w);

/* ---- findings (crash_findings.c) --------------------------------------- */

struct failed_state {
    const struct crash_point *cp;
    const uint32_t *choices;
    const char *state_id;
    const char *faults; /* "" or "with allocation 3 failing" */
    const struct pmc_run_result *result;
};

/* The crash-recovery-failed finding of a failed run. Returns 0, or -1
 * without memory. */
int crash_failure_finding(const struct image_set *imgs,
                          const struct failed_state *f, struct pmc_finding *out,
                          struct pmc_error *err);

/* ---- cross-failure reads (crash_xfail.c) ------------------------------ */

/* cp's uncertain set into x: its live stores, minus what the walk exempts
 * now. Returns 0, or -1 without memory. */
int crash_xfail_point(struct xfail *x, struct walk *w,
                      const struct crash_point *cp, struct pmc_error *err);

/* The run of state_id at cp left its trace at trace_path: read it against
 * x's uncertain set, and make a cross-failure-read finding per pair found
 * (*out malloc'ed, *n of them; load sites added to sites). Returns 0, 1
 * when there was no trace to read, -1 without memory. */
int crash_xfail_run(struct xfail *x, const struct image_set *imgs,
                    const char *trace_path, const struct crash_point *cp,
                    const char *state_id, struct pmc_site_pool *sites,
                    struct pmc_finding **out, size_t *n,
                    struct pmc_error *err);

#endif /* PMC_CRASH_INTERNAL_H */
