/*
 * crash.c - the exploration of crash.h: at each crash point the walk
 * (crash_walk.c) reaches, enumerate the strategy's states and the fault
 * runs, drop those seen before or beyond the budget, run this shard's
 * batch by batch (crash_exec.c), and pass every state on in enumeration
 * order.
 *
 * Order of the states of one crash point: the strategy's, then - with
 * --fail-alloc - the full state once more with the allocation failing,
 * then - at the end of the trace, with --media-errors N - the full state
 * with each of N lines of image 0 poisoned (lines that hold data, evenly
 * spread over them).
 */
#include "crash_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Runs handed to the workers per phase, per worker: enough to keep them
 * busy, few enough that results come back often. */
#define JOBS_PER_WORKER 8u
/* States kept for one phase at most (duplicates make up most of them). */
#define BATCH_ENTRIES 4096u

struct entry {
    struct state_ref ref;
    char id[PMC_CRASH_STATE_ID_SIZE];
    uint64_t ordinal;
    uint64_t image_hash;
    bool duplicate;
    struct state_ref first;
    size_t job; /* when run */
    char faults[64];
};

struct batch {
    struct entry *entries;
    size_t nentries;
    struct exec_job *jobs;
    size_t njobs, max_jobs;
    uint32_t *choices; /* max_jobs vectors of the point's lines */
    size_t choices_cap;
};

struct explorer {
    struct pmc_crash_options o;
    const struct pmc_crash_callbacks *cb;
    struct pmc_findings *out;
    struct walk *w;
    struct exec *x;
    struct state_set seen;
    struct timespec start;
    uint64_t ordinal;
    struct pmc_crash_progress p;
    uint64_t skipped;
    const char *stopped;
    uint64_t stopped_point;
    uint32_t stopped_site;
    struct batch b;
    uint32_t *scratch;
    size_t scratch_cap;
    char crash_site[512];
};

const char *pmc_crash_outcome_name(enum pmc_run_outcome o)
{
    switch (o) {
    case PMC_RUN_PASS:
        return "pass";
    case PMC_RUN_EXIT:
        return "exit";
    case PMC_RUN_SIGNAL:
        return "signal";
    case PMC_RUN_HANG:
        return "hang";
    case PMC_RUN_OOM:
        return "oom";
    }
    return "unknown";
}

static double elapsed(const struct explorer *e)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - e->start.tv_sec) +
           (double)(now.tv_nsec - e->start.tv_nsec) / 1e9;
}

void crash_options_normalise(struct pmc_crash_options *o)
{
    if (o->strategy == 0)
        o->strategy = PMC_STRATEGY_LINES;
    if (o->max_states == 0)
        o->max_states = PMC_CRASH_DEFAULT_MAX_STATES;
    if (o->max_per_point == 0 && o->strategy == PMC_STRATEGY_LINES)
        o->max_per_point = PMC_CRASH_DEFAULT_LINES_PER_POINT;
    if (o->max_per_point == 0 && o->strategy == PMC_STRATEGY_RANDOM)
        o->max_per_point = PMC_CRASH_DEFAULT_RANDOM_PER_POINT;
    if (o->strategy == PMC_STRATEGY_EXHAUSTIVE)
        o->max_per_point = 0; /* --max-states alone bounds it */
    if (o->jobs == 0)
        o->jobs = 1;
    if (o->shard_count == 0)
        o->shard_count = 1;
}

/* ---- the batch -------------------------------------------------------- */

static int batch_reserve(struct explorer *e, const struct crash_point *cp)
{
    struct batch *b = &e->b;
    size_t need = b->max_jobs * (cp->nlines ? cp->nlines : 1);
    if (need > b->choices_cap) {
        uint32_t *p = realloc(b->choices, need * sizeof(*p));
        if (p == NULL)
            return -1;
        b->choices = p;
        b->choices_cap = need;
    }
    if (cp->nlines > e->scratch_cap) {
        uint32_t *p = realloc(e->scratch, cp->nlines * sizeof(*p));
        if (p == NULL)
            return -1;
        e->scratch = p;
        e->scratch_cap = cp->nlines;
    }
    return 0;
}

static bool is_failure(const struct pmc_run_result *r)
{
    return r->outcome != PMC_RUN_PASS;
}

/* Pass one entry on: to the findings when it failed, to the callback. */
static int emit(struct explorer *e, const struct crash_point *cp,
                const struct entry *en, struct pmc_error *err)
{
    struct pmc_crash_state s = {
        .ordinal = en->ordinal,
        .point = cp->number,
        .crash_site = cp->site,
        .image_hash = en->image_hash,
        .duplicate = en->duplicate,
        .faults = en->faults,
        .stderr_tail = "",
    };
    snprintf(s.id, sizeof(s.id), "%s", en->id);
    e->p.states++;
    if (en->duplicate) {
        state_id_format(&en->first, s.duplicate_of, sizeof(s.duplicate_of));
        e->p.duplicates++;
    } else {
        const struct exec_job *job = &e->b.jobs[en->job];
        s.outcome = job->result.outcome;
        s.code = job->result.code;
        s.seconds = job->result.seconds;
        s.stderr_tail = job->result.stderr_tail;
        e->p.runs++;
        if (is_failure(&job->result)) {
            e->p.failures++;
            struct failed_state fs = {
                .cp = cp,
                .choices = job->choices,
                .state_id = en->id,
                .faults = en->faults,
                .result = &job->result,
            };
            if (crash_report_failure(e->out, walk_images(e->w), &fs, err) != 0)
                return -1;
        }
    }
    if (e->cb != NULL && e->cb->state != NULL)
        return e->cb->state(e->cb->ctx, &s, err);
    return 0;
}

static void progress(struct explorer *e)
{
    e->p.elapsed = elapsed(e);
    e->p.fraction = walk_fraction(e->w);
    e->p.max_states = e->o.max_states;
    if (e->cb != NULL && e->cb->progress != NULL)
        e->cb->progress(e->cb->ctx, &e->p);
}

/* Run the batch's jobs, then pass its entries on in order. */
static int flush(struct explorer *e, const struct crash_point *cp,
                 struct pmc_error *err)
{
    struct batch *b = &e->b;
    if (b->njobs > 0 &&
        exec_run(e->x, walk_images(e->w), cp, b->jobs, b->njobs, err) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < b->nentries && rc == 0; i++)
        rc = emit(e, cp, &b->entries[i], err);
    b->nentries = 0;
    b->njobs = 0;
    progress(e);
    return rc;
}

/* ---- one state ------------------------------------------------------- */

static bool mine(const struct explorer *e, uint64_t ordinal)
{
    return ordinal % e->o.shard_count == e->o.shard_index;
}

static uint64_t fault_key(const struct state_ref *ref)
{
    if (ref->fault == FAULT_NONE)
        return 0;
    uint64_t words[2] = {ref->fault, ref->arg};
    return image_hash_bytes(words, sizeof(words));
}

static void add_job(struct explorer *e, const struct crash_point *cp,
                    struct entry *en, const uint32_t *choices)
{
    struct batch *b = &e->b;
    struct exec_job *job = &b->jobs[b->njobs];
    uint32_t *copy = b->choices + b->njobs * (cp->nlines ? cp->nlines : 1);
    memcpy(copy, choices, cp->nlines * sizeof(*copy));
    memset(job, 0, sizeof(*job));
    job->choices = copy;
    job->request = (struct pmc_run_request){
        .state_id = en->id,
        .crash_site = e->crash_site,
        .markers = cp->markers,
        .faults = {.poison_offset = UINT64_MAX},
    };
    if (en->ref.fault == FAULT_ALLOC)
        job->request.faults.fail_alloc = (uint32_t)en->ref.arg;
    if (en->ref.fault == FAULT_POISON)
        job->request.faults.poison_offset = en->ref.arg;
    en->job = b->njobs++;
}

static void fault_words(const struct explorer *e, const struct state_ref *ref,
                        char *buf, size_t size)
{
    if (ref->fault == FAULT_ALLOC)
        snprintf(buf, size, "with allocation %" PRIu64 " failing", ref->arg);
    else if (ref->fault == FAULT_POISON)
        snprintf(buf, size, "with a media error at %s+0x%" PRIx64,
                 image_name(walk_images(e->w), 0), ref->arg);
    else
        buf[0] = '\0';
}

/*
 * Consider one state: its ordinal, whether it is new, whether the budget
 * allows it, whether this shard has it. Returns 0, 1 when the exploration
 * must stop, -1 on error.
 */
static int consider(struct explorer *e, const struct crash_point *cp,
                    const uint32_t *choices, const struct state_ref *ref,
                    struct pmc_error *err)
{
    if (e->o.time_limit > 0 && elapsed(e) >= e->o.time_limit) {
        e->stopped = "time-limit";
        return 1;
    }
    uint64_t image_hash = crash_point_hash(cp, choices);
    uint64_t key =
        image_hash ^ (cp->markers_hash * 0x100000001b3ull) ^ fault_key(ref);
    const struct state_ref *first = state_set_find(&e->seen, key);
    if (first == NULL && e->p.distinct >= e->o.max_states) {
        e->stopped = "max-states";
        return 1;
    }
    uint64_t ordinal = e->ordinal++;
    struct state_ref first_copy;
    if (first != NULL) {
        first_copy = *first;
    } else {
        bool failed;
        state_set_add(&e->seen, key, ref, &failed);
        if (failed)
            return pmc_error_set(err, "crash: out of memory");
        e->p.distinct++;
    }
    if (!mine(e, ordinal)) {
        e->skipped += first == NULL;
        return 0;
    }
    struct batch *b = &e->b;
    struct entry *en = &b->entries[b->nentries++];
    *en = (struct entry){
        .ref = *ref,
        .ordinal = ordinal,
        .image_hash = image_hash,
        .duplicate = first != NULL,
    };
    state_id_format(ref, en->id, sizeof(en->id));
    fault_words(e, ref, en->faults, sizeof(en->faults));
    if (first != NULL)
        en->first = first_copy;
    else
        add_job(e, cp, en, choices);
    if (b->njobs == b->max_jobs || b->nentries == BATCH_ENTRIES)
        return flush(e, cp, err) != 0 ? -1 : 0;
    return 0;
}

/* ---- a crash point --------------------------------------------------- */

static int strategy_states(struct explorer *e, const struct crash_point *cp,
                           struct pmc_error *err)
{
    struct strategy_iter it;
    if (strategy_begin(&it, e->o.strategy, cp->choices, cp->nlines, e->o.seed,
                       cp->number, e->o.max_per_point) != 0)
        return pmc_error_set(err, "crash: out of memory");
    int rc = 0;
    for (uint32_t index = 0; rc == 0 && strategy_next(&it, e->scratch);
         index++) {
        struct state_ref ref = {.point = cp->number, .index = index};
        rc = consider(e, cp, e->scratch, &ref, err);
    }
    strategy_end(&it);
    return rc;
}

/* Does the full state's line of image 0 at offset hold data? *cursor
 * walks cp's lines (sorted by image, then offset) along with offset. */
static bool line_used(const struct image_set *imgs,
                      const struct crash_point *cp, size_t *cursor,
                      uint64_t offset)
{
    while (*cursor < cp->nlines && cp->lines[*cursor].img == 0 &&
           cp->lines[*cursor].offset < offset)
        (*cursor)++;
    uint8_t content[IMAGE_LINE];
    const struct point_line *l =
        *cursor < cp->nlines ? &cp->lines[*cursor] : NULL;
    if (l != NULL && l->img == 0 && l->offset == offset)
        point_line_content(imgs, cp, l, l->nparts, content);
    else
        image_base_line(imgs, 0, offset, content);
    for (size_t i = 0; i < IMAGE_LINE; i++)
        if (content[i] != 0)
            return true;
    return false;
}

/* Offsets of up to n lines of image 0 that hold data in the full state,
 * spread evenly over them; returns how many. */
static size_t poison_targets(struct explorer *e, const struct crash_point *cp,
                             uint64_t *out, size_t n)
{
    const struct image_set *imgs = walk_images(e->w);
    if (image_count(imgs) == 0 || n == 0)
        return 0;
    uint64_t lines = (image_size(imgs, 0) + IMAGE_LINE - 1) / IMAGE_LINE;
    uint64_t used = 0;
    size_t cursor = 0;
    for (uint64_t line = 0; line < lines; line++)
        used += line_used(imgs, cp, &cursor, line * IMAGE_LINE);
    if (used < n)
        n = (size_t)used;
    uint64_t seen = 0;
    size_t picked = 0;
    cursor = 0;
    for (uint64_t line = 0; line < lines && picked < n; line++) {
        if (!line_used(imgs, cp, &cursor, line * IMAGE_LINE))
            continue;
        if (seen == picked * used / n)
            out[picked++] = line * IMAGE_LINE;
        seen++;
    }
    return picked;
}

static int fault_states(struct explorer *e, const struct crash_point *cp,
                        struct pmc_error *err)
{
    int rc = 0;
    if (e->o.fail_alloc > 0) {
        crash_point_all(cp, e->scratch);
        struct state_ref ref = {
            .point = cp->number,
            .fault = FAULT_ALLOC,
            .arg = e->o.fail_alloc,
        };
        rc = consider(e, cp, e->scratch, &ref, err);
    }
    if (rc != 0 || cp->kind != POINT_END || e->o.media_errors == 0)
        return rc;
    uint64_t *targets = calloc(e->o.media_errors, sizeof(*targets));
    if (targets == NULL)
        return pmc_error_set(err, "crash: out of memory");
    size_t n = poison_targets(e, cp, targets, e->o.media_errors);
    for (size_t i = 0; i < n && rc == 0; i++) {
        crash_point_all(cp, e->scratch);
        struct state_ref ref = {
            .point = cp->number,
            .fault = FAULT_POISON,
            .arg = targets[i],
        };
        rc = consider(e, cp, e->scratch, &ref, err);
    }
    free(targets);
    return rc;
}

static int at_point(void *ctx, struct crash_point *cp, struct pmc_error *err)
{
    struct explorer *e = ctx;
    e->p.points++;
    walk_site_words(e->w, cp->site, e->crash_site, sizeof(e->crash_site));
    if (batch_reserve(e, cp) != 0)
        return pmc_error_set(err, "crash: out of memory");
    int rc = strategy_states(e, cp, err);
    if (rc == 0)
        rc = fault_states(e, cp, err);
    if (rc == 1) {
        e->stopped_point = cp->number;
        e->stopped_site = cp->site;
    }
    /* What was considered before a stop still runs. */
    if (rc >= 0 && flush(e, cp, err) != 0)
        return -1;
    return rc;
}

/* ---- life cycle ------------------------------------------------------ */

static int explorer_init(struct explorer *e, struct pmc_trace *t,
                         struct pmc_error *err)
{
    clock_gettime(CLOCK_MONOTONIC, &e->start);
    state_set_init(&e->seen);
    if (walk_new(t, e->o.persistency, e->o.torn, &e->w, err) != 0)
        return -1;
    struct batch *b = &e->b;
    b->max_jobs = (size_t)e->o.jobs * JOBS_PER_WORKER;
    b->entries = calloc(BATCH_ENTRIES, sizeof(b->entries[0]));
    b->jobs = calloc(b->max_jobs, sizeof(b->jobs[0]));
    if (b->entries == NULL || b->jobs == NULL)
        return pmc_error_set(err, "crash: out of memory");
    return exec_new(&e->o, walk_images(e->w), &e->x, err);
}

static void explorer_destroy(struct explorer *e)
{
    exec_free(e->x);
    walk_free(e->w);
    state_set_destroy(&e->seen);
    free(e->b.entries);
    free(e->b.jobs);
    free(e->b.choices);
    free(e->scratch);
}

static void fill_summary(struct explorer *e, struct pmc_crash_summary *s)
{
    memset(s, 0, sizeof(*s));
    e->p.elapsed = elapsed(e);
    e->p.fraction = e->stopped ? walk_fraction(e->w) : 1.0;
    e->p.max_states = e->o.max_states;
    s->totals = e->p;
    s->skipped = e->skipped;
    s->stopped = e->stopped;
    s->stopped_point = e->stopped_point;
    s->stopped_site = e->stopped_site;
    s->forks = e->x != NULL && exec_forks(e->x);
    if (e->w != NULL)
        walk_summary(e->w, s);
}

int pmc_crash_explore(struct pmc_trace *t, const struct pmc_crash_options *o,
                      const struct pmc_crash_callbacks *cb,
                      struct pmc_findings *out,
                      struct pmc_crash_summary *summary, struct pmc_error *err)
{
    struct explorer e;
    memset(&e, 0, sizeof(e));
    e.o = *o;
    crash_options_normalise(&e.o);
    e.cb = cb;
    e.out = out;
    if (e.o.shard_index >= e.o.shard_count) {
        pmc_error_set(err,
                      "crash: shard %" PRIu32 " of %" PRIu32 " does not exist",
                      e.o.shard_index, e.o.shard_count);
        return -1;
    }
    int rc = explorer_init(&e, t, err);
    if (rc == 0)
        rc = walk_run(e.w, at_point, &e, err);
    if (summary != NULL)
        fill_summary(&e, summary);
    explorer_destroy(&e);
    return rc;
}
