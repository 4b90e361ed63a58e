/*
 * crash.c - the exploration of crash.h: --jobs workers (crash_worker.c),
 * each a replay of its own that runs its share of the states, and their
 * records merged back into enumeration order for the caller.
 *
 * Why each job replays the whole trace: a crash point's states need the
 * bases as they are at that point, so jobs sharing one replay would wait
 * for each other at every crash point - and most crash points have a
 * state or two. A replay costs little next to the runs (a model event is
 * well under a microsecond, a run is a process), so every job replays on
 * its own and none ever waits for another.
 *
 * With one job the worker runs on the caller's thread and its records go
 * straight to the caller. With more, each worker thread fills a bounded
 * queue and this thread merges the queues by ordinal: it waits until
 * every worker that has not ended offers its next record, then passes on
 * the lowest. Records thus reach the caller in enumeration order whatever
 * --jobs is, and memory stays bounded by the queues.
 */
#include "crash_internal.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Records a worker may run ahead of the merge. */
#define QUEUE_RECORDS 32u

struct queue {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct crash_record *records; /* a ring of QUEUE_RECORDS */
    size_t head, count;
    bool abandoned; /* the merge gave up: drop records, stop */
};

struct job {
    struct explorer *e;
    struct worker *worker;
    struct pmc_trace *trace; /* the worker's own */
    struct queue q;
    pthread_t thread;
    bool started;
    bool ended;    /* its last record was merged */
    bool has_head; /* head holds its next record */
    struct crash_record head;
    struct pmc_error err;
};

struct explorer {
    struct pmc_crash_options o;
    const struct pmc_crash_callbacks *cb;
    struct pmc_findings *out;
    struct timespec start;
    atomic_bool stop; /* volatile would be a data race between jobs */
    struct job *jobs;
    unsigned njobs;
    struct pmc_crash_progress p;
    double progress_at;
    int rc;
    struct pmc_error err;
};

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

static double elapsed(const struct explorer *e)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - e->start.tv_sec) +
           (double)(now.tv_nsec - e->start.tv_nsec) / 1e9;
}

/* ---- passing records on ----------------------------------------------- */

static void progress(struct explorer *e, double fraction, bool force)
{
    double now = elapsed(e);
    if (!force && now - e->progress_at < 0.05)
        return;
    e->progress_at = now;
    e->p.elapsed = now;
    e->p.fraction = fraction;
    e->p.max_states = e->o.max_states;
    if (e->cb != NULL && e->cb->progress != NULL)
        e->cb->progress(e->cb->ctx, &e->p);
}

void record_release(struct crash_record *r)
{
    free(r->reads);
    r->reads = NULL;
    r->nreads = 0;
}

/* One state to the findings and the caller. */
static int deliver(struct explorer *e, const struct crash_record *r)
{
    e->p.states++;
    e->p.points =
        r->state.point + 1 > e->p.points ? r->state.point + 1 : e->p.points;
    if (r->state.duplicate) {
        e->p.duplicates++;
    } else {
        e->p.runs++;
        e->p.distinct++;
    }
    if (r->failed) {
        e->p.failures++;
        if (pmc_findings_add(e->out, &r->finding) != 0)
            return pmc_error_set(&e->err, "crash: out of memory");
    }
    for (size_t i = 0; i < r->nreads; i++)
        if (pmc_findings_add(e->out, &r->reads[i]) != 0)
            return pmc_error_set(&e->err, "crash: out of memory");
    if (e->cb != NULL && e->cb->state != NULL &&
        e->cb->state(e->cb->ctx, &r->state, &e->err) != 0)
        return -1;
    progress(e, r->fraction, false);
    return 0;
}

/* ---- one job: straight through --------------------------------------- */

static int emit_direct(void *ctx, struct crash_record *r)
{
    struct job *j = ctx;
    struct explorer *e = j->e;
    if (r->end) {
        j->ended = true;
        return 0;
    }
    if (e->rc == 0 && deliver(e, r) != 0)
        e->rc = -1;
    record_release(r);
    return e->rc;
}

/* ---- several jobs: queues and the merge ------------------------------- */

static int emit_queued(void *ctx, struct crash_record *r)
{
    struct job *j = ctx;
    struct queue *q = &j->q;
    pthread_mutex_lock(&q->lock);
    while (q->count == QUEUE_RECORDS && !q->abandoned)
        pthread_cond_wait(&q->changed, &q->lock);
    int rc = q->abandoned ? -1 : 0;
    if (rc == 0) {
        q->records[(q->head + q->count) % QUEUE_RECORDS] = *r;
        q->count++;
        pthread_cond_broadcast(&q->changed);
    } else {
        record_release(r);
    }
    pthread_mutex_unlock(&q->lock);
    return rc;
}

/* The job's next record into j->head (blocking). */
static void take_head(struct job *j)
{
    struct queue *q = &j->q;
    pthread_mutex_lock(&q->lock);
    while (q->count == 0)
        pthread_cond_wait(&q->changed, &q->lock);
    j->head = q->records[q->head];
    /* The copy's strings are its own, not the worker's buffers. */
    j->head.state.faults = j->head.faults;
    j->head.state.stderr_tail = j->head.stderr_tail;
    q->head = (q->head + 1) % QUEUE_RECORDS;
    q->count--;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
    j->has_head = true;
}

/* The job whose head has the lowest ordinal, after every job that has not
 * ended offered one; NULL when all have ended. */
static struct job *lowest(struct explorer *e)
{
    struct job *best = NULL;
    for (unsigned i = 0; i < e->njobs; i++) {
        struct job *j = &e->jobs[i];
        while (!j->ended && !j->has_head) {
            take_head(j);
            if (j->head.end) {
                j->ended = true;
                j->has_head = false;
                if (j->head.rc != 0 && e->rc == 0) {
                    e->rc = -1;
                    e->err = j->head.err;
                }
            }
        }
        if (j->has_head &&
            (best == NULL || j->head.state.ordinal < best->head.state.ordinal))
            best = j;
    }
    return best;
}

static void abandon(struct explorer *e)
{
    e->stop = true;
    for (unsigned i = 0; i < e->njobs; i++) {
        struct queue *q = &e->jobs[i].q;
        pthread_mutex_lock(&q->lock);
        q->abandoned = true;
        pthread_cond_broadcast(&q->changed);
        pthread_mutex_unlock(&q->lock);
    }
}

static void merge(struct explorer *e)
{
    struct job *j;
    while ((j = lowest(e)) != NULL) {
        j->has_head = false;
        /* After an error, what was run is still passed on. */
        if (deliver(e, &j->head) != 0 && e->rc == 0)
            e->rc = -1;
        record_release(&j->head);
        if (e->rc != 0 && !e->stop)
            e->stop = true; /* workers wind down at their next state */
    }
}

static void *job_main(void *arg)
{
    struct job *j = arg;
    worker_run(j->worker, &j->err);
    return NULL;
}

/* ---- life cycle -------------------------------------------------------- */

static int job_init(struct explorer *e, struct job *j, unsigned index,
                    struct pmc_trace *t, struct pmc_error *err)
{
    j->e = e; /* from here on, job_destroy undoes this */
    pthread_mutex_init(&j->q.lock, NULL);
    pthread_cond_init(&j->q.changed, NULL);
    j->q.records = calloc(QUEUE_RECORDS, sizeof(j->q.records[0]));
    if (j->q.records == NULL)
        return pmc_error_set(err, "crash: out of memory");
    if (pmc_trace_open(pmc_trace_path(t), &j->trace, err) != 0)
        return -1;
    struct worker_config cfg = {
        .o = &e->o,
        .trace = j->trace,
        .index = index,
        .count = e->njobs,
        .start = &e->start,
        .stop = &e->stop,
        .emit = e->njobs == 1 ? emit_direct : emit_queued,
        .emit_ctx = j,
    };
    return worker_new(&cfg, &j->worker, err);
}

static void job_destroy(struct job *j)
{
    if (j->e == NULL)
        return;
    worker_free(j->worker);
    if (j->trace != NULL)
        pmc_trace_close(j->trace);
    /* Records the merge never took (it gave up) still own their reads. */
    for (size_t i = 0; j->q.records != NULL && i < j->q.count; i++)
        record_release(&j->q.records[(j->q.head + i) % QUEUE_RECORDS]);
    if (j->has_head)
        record_release(&j->head);
    free(j->q.records);
    pthread_mutex_destroy(&j->q.lock);
    pthread_cond_destroy(&j->q.changed);
}

static int explore_jobs(struct explorer *e, struct pmc_error *err)
{
    if (e->njobs == 1) {
        struct pmc_error werr;
        if (worker_run(e->jobs[0].worker, &werr) != 0 && e->rc == 0) {
            e->rc = -1;
            e->err = werr;
        }
    } else {
        for (unsigned i = 0; i < e->njobs; i++) {
            if (pthread_create(&e->jobs[i].thread, NULL, job_main,
                               &e->jobs[i]) != 0) {
                e->rc =
                    pmc_error_set(&e->err, "crash: cannot start job %u", i + 1);
                abandon(e);
                break;
            }
            e->jobs[i].started = true;
        }
        if (e->rc == 0)
            merge(e);
        else
            abandon(e);
        for (unsigned i = 0; i < e->njobs; i++)
            if (e->jobs[i].started)
                pthread_join(e->jobs[i].thread, NULL);
    }
    if (e->rc != 0 && err != NULL)
        *err = e->err;
    return e->rc;
}

static void fill_summary(struct explorer *e, struct pmc_crash_summary *s)
{
    memset(s, 0, sizeof(*s));
    struct worker_result first;
    worker_result(e->jobs[0].worker, &first);
    e->p.points = first.points;
    s->skipped = first.skipped;
    s->stopped = first.stopped;
    s->stopped_point = first.stopped_point;
    s->stopped_site = first.stopped_site;
    s->forks = first.forks;
    s->untraced = first.untraced;
    s->carried_over = first.carried_over;
    /* A time limit reaches the jobs at different instants: the first to
     * stop says where. */
    for (unsigned i = 1; i < e->njobs; i++) {
        struct worker_result r;
        worker_result(e->jobs[i].worker, &r);
        s->untraced += r.untraced;
        s->carried_over += r.carried_over;
        if (r.stopped != NULL &&
            (s->stopped == NULL || r.stopped_point < s->stopped_point)) {
            s->stopped = r.stopped;
            s->stopped_point = r.stopped_point;
            s->stopped_site = r.stopped_site;
        }
    }
    e->p.elapsed = elapsed(e);
    e->p.fraction = s->stopped != NULL ? e->p.fraction : 1.0;
    e->p.max_states = e->o.max_states;
    s->totals = e->p;
    worker_summary(e->jobs[0].worker, s);
    if (s->untraced > 0 && s->nnotes < PMC_CRASH_MAX_NOTES)
        snprintf(s->notes[s->nnotes++], sizeof(s->notes[0]),
                 "--loads: %" PRIu64 " recovery runs left no trace, so their "
                 "reads were not checked (is the recovery built with pmcc?)",
                 s->untraced);
    if (s->carried_over > 0 && s->nnotes < PMC_CRASH_MAX_NOTES)
        snprintf(s->notes[s->nnotes++], sizeof(s->notes[0]),
                 "persistent mode: %" PRIu64 " states failed in a recovery "
                 "process that had recovered others and passed in a new one: "
                 "the recovery carries something from one state to the next",
                 s->carried_over);
}

/* Read t once to its end, so that its site and string tables know every
 * id the workers (which read their own handles) will name. */
static void read_tables(struct pmc_trace *t)
{
    pmc_trace_rewind(t);
    struct pmc_event ev;
    struct pmc_error ignored;
    while (pmc_trace_next(t, &ev, &ignored) > 0)
        ;
}

int pmc_crash_explore(struct pmc_trace *t, const struct pmc_crash_options *o,
                      const struct pmc_crash_callbacks *cb,
                      struct pmc_findings *out,
                      struct pmc_crash_summary *summary, struct pmc_error *err)
{
    struct explorer *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return pmc_error_set(err, "crash: out of memory");
    atomic_init(&e->stop, false);
    e->o = *o;
    crash_options_normalise(&e->o);
    e->cb = cb;
    e->out = out;
    clock_gettime(CLOCK_MONOTONIC, &e->start);
    int rc = 0;
    if (e->o.shard_index >= e->o.shard_count)
        rc = pmc_error_set(
            err, "crash: shard %" PRIu32 " of %" PRIu32 " does not exist",
            e->o.shard_index, e->o.shard_count);
    e->njobs = e->o.jobs;
    e->jobs = rc == 0 ? calloc(e->njobs, sizeof(e->jobs[0])) : NULL;
    if (rc == 0 && e->jobs == NULL)
        rc = pmc_error_set(err, "crash: out of memory");
    if (rc == 0)
        read_tables(t);
    for (unsigned i = 0; rc == 0 && i < e->njobs; i++)
        rc = job_init(e, &e->jobs[i], i, t, err);
    if (rc == 0)
        rc = explore_jobs(e, err);
    if (e->jobs != NULL && e->jobs[0].worker != NULL) {
        progress(e, 1.0, true);
        if (summary != NULL)
            fill_summary(e, summary);
    } else if (summary != NULL) {
        memset(summary, 0, sizeof(*summary));
    }
    for (unsigned i = 0; e->jobs != NULL && i < e->njobs; i++)
        job_destroy(&e->jobs[i]);
    free(e->jobs);
    free(e);
    return rc;
}
