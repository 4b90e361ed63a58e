/*
 * crash_worker.c - one job of the exploration (see crash_internal.h): its
 * own replay of the trace, every state enumerated and hashed, the states
 * it owns run on its own runner, and a record for each of them.
 *
 * Order of the states of one crash point: the strategy's, then - with
 * --fail-alloc - the full state once more with the allocation failing,
 * then - at the end of the trace, with --media-errors N - the full state
 * with each of N lines of image 0 poisoned (lines that hold data, evenly
 * spread over them).
 *
 * Every worker sees every state, so the budget (--max-states counts
 * distinct states, whoever runs them), duplicates and ordinals are the
 * same in every worker and every shard; only --time-limit is a worker's
 * own judgement.
 */
#include "crash_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct worker {
    struct worker_config cfg;
    const struct pmc_crash_options *o;
    struct walk *w;
    struct exec *x;
    struct xfail *xf; /* with loads */
    uint64_t untraced;
    uint64_t carried_over; /* pmc_run_result's, counted */
    struct state_set seen;
    uint64_t ordinal;
    uint64_t distinct;
    uint64_t shard_new; /* distinct states of this shard so far */
    uint64_t skipped;
    uint64_t points;
    const char *stopped;
    uint64_t stopped_point;
    uint32_t stopped_site;
    uint32_t *scratch;
    size_t scratch_cap;
    char crash_site[512];
    struct crash_record record;
    struct pmc_run_result result;
};

static double elapsed(const struct worker *k)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - k->cfg.start->tv_sec) +
           (double)(now.tv_nsec - k->cfg.start->tv_nsec) / 1e9;
}

/* ---- ownership -------------------------------------------------------- */

static bool in_shard(const struct worker *k, uint64_t ordinal)
{
    return ordinal % k->o->shard_count == k->o->shard_index;
}

/* The shard's new states are dealt to the jobs in turn by their number
 * among them, not by ordinal: states come in patterns (at each crash
 * point of a loop, a new state then a duplicate, say), and by ordinal one
 * job would get every run while the others waited for it at the merge.
 * A duplicate costs nothing to record: it goes by its ordinal. */
static bool owns(const struct worker *k, uint64_t ordinal, bool is_new)
{
    if (!in_shard(k, ordinal))
        return false;
    uint64_t turn = is_new ? k->shard_new : ordinal / k->o->shard_count;
    return turn % k->cfg.count == k->cfg.index;
}

static uint64_t fault_key(const struct state_ref *ref)
{
    if (ref->fault == FAULT_NONE)
        return 0;
    uint64_t words[2] = {ref->fault, ref->arg};
    return image_hash_bytes(words, sizeof(words));
}

static void fault_words(const struct worker *k, const struct state_ref *ref,
                        char *buf, size_t size)
{
    if (ref->fault == FAULT_ALLOC)
        snprintf(buf, size, "with allocation %" PRIu64 " failing", ref->arg);
    else if (ref->fault == FAULT_POISON)
        snprintf(buf, size, "with a media error at %s+0x%" PRIx64,
                 image_name(walk_images(k->w), 0), ref->arg);
    else
        buf[0] = '\0';
}

/* ---- records ---------------------------------------------------------- */

static struct crash_record *new_record(struct worker *k,
                                       const struct crash_point *cp,
                                       const struct state_ref *ref,
                                       uint64_t ordinal, uint64_t hash)
{
    struct crash_record *r = &k->record;
    memset(&r->state, 0, sizeof(r->state));
    r->failed = false;
    r->end = false;
    r->rc = 0;
    r->reads = NULL; /* the last record's went with it */
    r->nreads = 0;
    r->faults[0] = r->stderr_tail[0] = '\0';
    r->fraction = walk_fraction(k->w);
    r->state.ordinal = ordinal;
    r->state.point = cp->number;
    r->state.crash_site = cp->site;
    r->state.image_hash = hash;
    r->state.faults = r->faults;
    r->state.stderr_tail = r->stderr_tail;
    state_id_format(ref, r->state.id, sizeof(r->state.id));
    fault_words(k, ref, r->faults, sizeof(r->faults));
    return r;
}

static int run_state(struct worker *k, const struct crash_point *cp,
                     const uint32_t *choices, const struct state_ref *ref,
                     struct crash_record *r, struct pmc_error *err)
{
    struct pmc_run_request req = {
        .state_id = r->state.id,
        .crash_site = k->crash_site,
        .markers = cp->markers,
        .faults = {.poison_offset = UINT64_MAX},
    };
    if (ref->fault == FAULT_ALLOC)
        req.faults.fail_alloc = (uint32_t)ref->arg;
    if (ref->fault == FAULT_POISON)
        req.faults.poison_offset = ref->arg;
    struct pmc_run_result *res = &k->result;
    if (exec_run(k->x, walk_images(k->w), cp, choices, &req, res, err) != 0)
        return -1;
    r->state.outcome = res->outcome;
    r->state.code = res->code;
    r->state.seconds = res->seconds;
    k->carried_over += res->carried_over;
    snprintf(r->stderr_tail, sizeof(r->stderr_tail), "%s", res->stderr_tail);
    if (k->xf != NULL) {
        int traced =
            crash_xfail_run(k->xf, walk_images(k->w), res->trace_path, cp,
                            r->state.id, k->o->sites, &r->reads, &r->nreads, err);
        if (traced < 0)
            return -1;
        k->untraced += traced;
    }
    if (res->outcome == PMC_RUN_PASS)
        return 0;
    r->failed = true;
    struct failed_state fs = {
        .cp = cp,
        .choices = choices,
        .state_id = r->state.id,
        .faults = r->faults,
        .result = res,
    };
    if (crash_failure_finding(walk_images(k->w), &fs, &r->finding, err) == 0)
        return 0;
    record_release(r); /* the record is not emitted: its reads go */
    return -1;
}

static int emit(struct worker *k, struct crash_record *r, struct pmc_error *err)
{
    if (k->cfg.emit(k->cfg.emit_ctx, r) != 0)
        return pmc_error_set(err, "crash: stopped");
    return 0;
}

/*
 * One state: its ordinal, whether it is new, whether the budget allows
 * it, whether this worker owns it. Returns 0, 1 when the exploration must
 * stop, -1 on error.
 */
static int consider(struct worker *k, const struct crash_point *cp,
                    const uint32_t *choices, const struct state_ref *ref,
                    struct pmc_error *err)
{
    if (*k->cfg.stop) {
        k->stopped = "interrupted";
        return 1;
    }
    if (k->o->time_limit > 0 && elapsed(k) >= k->o->time_limit) {
        k->stopped = "time-limit";
        return 1;
    }
    uint64_t hash = crash_point_hash(cp, choices);
    uint64_t key =
        hash ^ (cp->markers_hash * 0x100000001b3ull) ^ fault_key(ref);
    const struct state_ref *first = state_set_find(&k->seen, key);
    if (first == NULL && k->distinct >= k->o->max_states) {
        k->stopped = "max-states";
        return 1;
    }
    uint64_t ordinal = k->ordinal++;
    bool mine = owns(k, ordinal, first == NULL);
    struct crash_record *r =
        mine ? new_record(k, cp, ref, ordinal, hash) : NULL;
    if (first != NULL) {
        if (!mine)
            return 0;
        r->state.duplicate = true;
        state_id_format(first, r->state.duplicate_of,
                        sizeof(r->state.duplicate_of));
        return emit(k, r, err);
    }
    bool failed;
    state_set_add(&k->seen, key, ref, &failed);
    if (failed)
        return pmc_error_set(err, "crash: out of memory");
    k->distinct++;
    if (in_shard(k, ordinal))
        k->shard_new++;
    else
        k->skipped++;
    if (!mine)
        return 0;
    if (run_state(k, cp, choices, ref, r, err) != 0)
        return -1;
    return emit(k, r, err);
}

/* ---- a crash point ---------------------------------------------------- */

static int strategy_states(struct worker *k, const struct crash_point *cp,
                           struct pmc_error *err)
{
    struct strategy_iter it;
    if (strategy_begin(&it, k->o->strategy, cp->choices, cp->nvaried,
                       k->o->seed, cp->number, k->o->max_per_point) != 0)
        return pmc_error_set(err, "crash: out of memory");
    crash_point_fill_fixed(cp, k->scratch);
    int rc = 0;
    for (uint32_t index = 0; rc == 0 && strategy_next(&it, k->scratch);
         index++) {
        struct state_ref ref = {.point = cp->number, .index = index};
        rc = consider(k, cp, k->scratch, &ref, err);
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
static size_t poison_targets(struct worker *k, const struct crash_point *cp,
                             uint64_t *out, size_t n)
{
    const struct image_set *imgs = walk_images(k->w);
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

static int fault_states(struct worker *k, const struct crash_point *cp,
                        struct pmc_error *err)
{
    int rc = 0;
    if (k->o->fail_alloc > 0) {
        crash_point_all(cp, k->scratch);
        struct state_ref ref = {
            .point = cp->number,
            .fault = FAULT_ALLOC,
            .arg = k->o->fail_alloc,
        };
        rc = consider(k, cp, k->scratch, &ref, err);
    }
    if (rc != 0 || cp->kind != POINT_END || k->o->media_errors == 0)
        return rc;
    uint64_t *targets = calloc(k->o->media_errors, sizeof(*targets));
    if (targets == NULL)
        return pmc_error_set(err, "crash: out of memory");
    size_t n = poison_targets(k, cp, targets, k->o->media_errors);
    for (size_t i = 0; i < n && rc == 0; i++) {
        crash_point_all(cp, k->scratch);
        struct state_ref ref = {
            .point = cp->number,
            .fault = FAULT_POISON,
            .arg = targets[i],
        };
        rc = consider(k, cp, k->scratch, &ref, err);
    }
    free(targets);
    return rc;
}

static int at_point(void *ctx, struct crash_point *cp, struct pmc_error *err)
{
    struct worker *k = ctx;
    k->points++;
    walk_site_words(k->w, cp->site, k->crash_site, sizeof(k->crash_site));
    if (k->xf != NULL && crash_xfail_point(k->xf, k->w, cp, err) != 0)
        return -1;
    if (cp->nlines > k->scratch_cap) {
        uint32_t *p = realloc(k->scratch, cp->nlines * sizeof(*p));
        if (p == NULL)
            return pmc_error_set(err, "crash: out of memory");
        k->scratch = p;
        k->scratch_cap = cp->nlines;
    }
    int rc = strategy_states(k, cp, err);
    if (rc == 0)
        rc = fault_states(k, cp, err);
    if (rc == 1) {
        k->stopped_point = cp->number;
        k->stopped_site = cp->site;
    }
    return rc;
}

/* ---- life cycle ------------------------------------------------------- */

int worker_new(const struct worker_config *cfg, struct worker **out,
               struct pmc_error *err)
{
    struct worker *k = calloc(1, sizeof(*k));
    if (k == NULL)
        return pmc_error_set(err, "crash: out of memory");
    k->cfg = *cfg;
    k->o = cfg->o;
    state_set_init(&k->seen);
    if (k->o->loads && (k->xf = xfail_new()) == NULL) {
        free(k);
        return pmc_error_set(err, "crash: out of memory");
    }
    if (walk_new(cfg->trace, k->o->persistency, k->o->torn, &k->w, err) != 0 ||
        exec_new(k->o, walk_images(k->w), &k->x, err) != 0) {
        worker_free(k);
        return -1;
    }
    *out = k;
    return 0;
}

void worker_free(struct worker *k)
{
    if (k == NULL)
        return;
    exec_free(k->x);
    walk_free(k->w);
    xfail_free(k->xf);
    state_set_destroy(&k->seen);
    free(k->scratch);
    free(k);
}

int worker_run(struct worker *k, struct pmc_error *err)
{
    int rc = walk_run(k->w, at_point, k, err);
    struct crash_record *r = &k->record;
    memset(&r->state, 0, sizeof(r->state));
    r->failed = false;
    r->reads = NULL;
    r->nreads = 0;
    r->end = true;
    r->rc = rc;
    r->fraction = walk_fraction(k->w);
    if (rc != 0)
        r->err = *err;
    k->cfg.emit(k->cfg.emit_ctx, r);
    return rc;
}

void worker_result(const struct worker *k, struct worker_result *out)
{
    *out = (struct worker_result){
        .points = k->points,
        .skipped = k->skipped,
        .stopped = k->stopped,
        .stopped_point = k->stopped_point,
        .stopped_site = k->stopped_site,
        .forks = k->x != NULL && exec_forks(k->x),
        .untraced = k->untraced,
        .carried_over = k->carried_over,
    };
}

void worker_summary(const struct worker *k, struct pmc_crash_summary *s)
{
    walk_summary(k->w, s);
}
