/*
 * crash_exec.c - running a batch of crash states: one runner (runner.h)
 * per job, each driven by a worker thread of its own (see
 * crash_internal.h).
 *
 * Batches are phases. The explorer starts a phase only while it does not
 * touch the model or the bases, so during a phase every worker reads the
 * same crash point and bases without locks; jobs are handed out in order
 * under a mutex (a run costs a process, a lock costs nothing next to it),
 * and the phase ends when every worker has finished. Results land in the
 * jobs, so the explorer reads them in enumeration order whoever ran them.
 *
 * Images by difference. A worker's image files hold the bases as of the
 * last phase it synchronised with, plus the lines of its last state
 * ("overlay"). At the start of a phase it copies in the base lines that
 * changed since (image_take_changes); for each state it puts its overlay
 * lines back to the base and writes the new state's lines. So a state costs
 * O(lines it and its predecessor overlay), not the pool's size - unless
 * the runner says the recovery may have written the image (no fork
 * server), and then the image is rewritten whole.
 */
#include "crash_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct worker {
    struct exec *x;
    struct pmc_runner *runner;
    pthread_t thread;
    bool started;
    uint64_t phase_seen;
    bool whole; /* rewrite the images whole before the next run */
    struct image_line_ref *overlay;
    size_t noverlay, overlay_cap;
    int rc;
    struct pmc_error err;
};

struct exec {
    struct worker *workers;
    size_t nworkers;
    pthread_mutex_t lock;
    pthread_cond_t start, done;
    bool quit;
    /* the phase, read by workers while it runs */
    uint64_t phase;
    const struct image_set *imgs;
    const struct crash_point *cp;
    struct exec_job *jobs;
    size_t njobs, next_job, finished;
    const struct image_line_ref *changes;
    size_t nchanges;
    bool all_changed;
};

/* ---- images -------------------------------------------------------- */

static void write_line(struct worker *w, size_t img, uint64_t offset,
                       const uint8_t line[IMAGE_LINE])
{
    const struct image_set *imgs = w->x->imgs;
    uint64_t size = image_size(imgs, img);
    if (offset >= size)
        return;
    uint64_t n = size - offset < IMAGE_LINE ? size - offset : IMAGE_LINE;
    memcpy(pmc_runner_image(w->runner, img) + offset, line, (size_t)n);
}

static void restore_line(struct worker *w, size_t img, uint64_t offset)
{
    write_line(w, img, offset, image_base(w->x->imgs, img) + offset);
}

static void sync_changes(struct worker *w)
{
    struct exec *x = w->x;
    if (w->whole)
        return;
    if (x->all_changed) {
        w->whole = true;
        return;
    }
    for (size_t i = 0; i < x->nchanges; i++)
        restore_line(w, x->changes[i].img, x->changes[i].offset);
}

static bool images_dirty(const struct worker *w)
{
    for (size_t i = 0; i < image_count(w->x->imgs); i++)
        if (pmc_runner_image_dirty(w->runner, i))
            return true;
    return false;
}

static int prepare_images(struct worker *w, const uint32_t *choices)
{
    const struct image_set *imgs = w->x->imgs;
    const struct crash_point *cp = w->x->cp;
    if (w->whole || images_dirty(w)) {
        for (size_t i = 0; i < image_count(imgs); i++)
            memcpy(pmc_runner_image(w->runner, i), image_base(imgs, i),
                   (size_t)image_size(imgs, i));
        w->whole = false;
    } else {
        for (size_t i = 0; i < w->noverlay; i++)
            restore_line(w, w->overlay[i].img, w->overlay[i].offset);
    }
    w->noverlay = 0;
    if (cp->nlines > w->overlay_cap) {
        struct image_line_ref *p = realloc(w->overlay, cp->nlines * sizeof(*p));
        if (p == NULL) {
            w->whole = true; /* what the image holds is unknown now */
            return pmc_error_set(&w->err, "crash: out of memory");
        }
        w->overlay = p;
        w->overlay_cap = cp->nlines;
    }
    uint8_t content[IMAGE_LINE];
    for (size_t i = 0; i < cp->nlines; i++) {
        const struct point_line *l = &cp->lines[i];
        if (choices[i] == 0)
            continue;
        point_line_content(imgs, cp, l, choices[i], content);
        write_line(w, l->img, l->offset, content);
        w->overlay[w->noverlay++] =
            (struct image_line_ref){.img = l->img, .offset = l->offset};
    }
    return 0;
}

/* ---- the phase loop ------------------------------------------------- */

static struct exec_job *next_job(struct exec *x)
{
    pthread_mutex_lock(&x->lock);
    struct exec_job *job =
        x->next_job < x->njobs ? &x->jobs[x->next_job++] : NULL;
    pthread_mutex_unlock(&x->lock);
    return job;
}

/* Run this phase's jobs until none is left (or this worker failed). */
static void work_phase(struct worker *w)
{
    sync_changes(w);
    struct exec_job *job;
    while (w->rc == 0 && (job = next_job(w->x)) != NULL) {
        if (prepare_images(w, job->choices) != 0 ||
            pmc_runner_run(w->runner, &job->request, &job->result, &w->err) !=
                0)
            w->rc = -1;
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct exec *x = w->x;
    for (;;) {
        pthread_mutex_lock(&x->lock);
        while (!x->quit && w->phase_seen == x->phase)
            pthread_cond_wait(&x->start, &x->lock);
        if (x->quit) {
            pthread_mutex_unlock(&x->lock);
            return NULL;
        }
        w->phase_seen = x->phase;
        pthread_mutex_unlock(&x->lock);
        work_phase(w);
        pthread_mutex_lock(&x->lock);
        x->finished++;
        pthread_cond_signal(&x->done);
        pthread_mutex_unlock(&x->lock);
    }
}

/* ---- life cycle ----------------------------------------------------- */

static int new_runners(struct exec *x, const struct pmc_crash_options *o,
                       const struct image_set *imgs, struct pmc_error *err)
{
    size_t n = image_count(imgs);
    struct pmc_runner_image *images = calloc(n ? n : 1, sizeof(*images));
    if (images == NULL)
        return pmc_error_set(err, "crash: out of memory");
    for (size_t i = 0; i < n; i++)
        images[i] = (struct pmc_runner_image){
            .name = image_name(imgs, i),
            .size = image_size(imgs, i),
        };
    struct pmc_runner_options ro = {
        .command = o->recover,
        .images = images,
        .nimages = n,
        .workdir = o->workdir,
        .time_limit = o->run_time_limit,
        .memory_limit = o->run_memory_limit,
        .no_fork_server = o->no_fork_server,
    };
    int rc = 0;
    for (size_t i = 0; i < x->nworkers && rc == 0; i++) {
        x->workers[i].x = x;
        x->workers[i].whole = true; /* the runner's files start zeroed */
        rc = pmc_runner_new(&ro, &x->workers[i].runner, err);
    }
    free(images);
    return rc;
}

static int start_threads(struct exec *x, struct pmc_error *err)
{
    if (x->nworkers == 1)
        return 0; /* one job: the explorer's thread runs it */
    for (size_t i = 0; i < x->nworkers; i++) {
        if (pthread_create(&x->workers[i].thread, NULL, worker_main,
                           &x->workers[i]) != 0)
            return pmc_error_set(err, "crash: cannot start worker thread %zu",
                                 i + 1);
        x->workers[i].started = true;
    }
    return 0;
}

int exec_new(const struct pmc_crash_options *o, const struct image_set *imgs,
             struct exec **out, struct pmc_error *err)
{
    struct exec *x = calloc(1, sizeof(*x));
    if (x == NULL)
        return pmc_error_set(err, "crash: out of memory");
    x->nworkers = o->jobs ? o->jobs : 1;
    x->imgs = imgs;
    x->workers = calloc(x->nworkers, sizeof(x->workers[0]));
    pthread_mutex_init(&x->lock, NULL);
    pthread_cond_init(&x->start, NULL);
    pthread_cond_init(&x->done, NULL);
    if (x->workers == NULL) {
        exec_free(x);
        return pmc_error_set(err, "crash: out of memory");
    }
    if (new_runners(x, o, imgs, err) != 0 || start_threads(x, err) != 0) {
        exec_free(x);
        return -1;
    }
    *out = x;
    return 0;
}

void exec_free(struct exec *x)
{
    if (x == NULL)
        return;
    pthread_mutex_lock(&x->lock);
    x->quit = true;
    pthread_cond_broadcast(&x->start);
    pthread_mutex_unlock(&x->lock);
    for (size_t i = 0; x->workers != NULL && i < x->nworkers; i++) {
        if (x->workers[i].started)
            pthread_join(x->workers[i].thread, NULL);
        if (x->workers[i].runner != NULL)
            pmc_runner_free(x->workers[i].runner);
        free(x->workers[i].overlay);
    }
    pthread_mutex_destroy(&x->lock);
    pthread_cond_destroy(&x->start);
    pthread_cond_destroy(&x->done);
    free(x->workers);
    free(x);
}

bool exec_forks(const struct exec *x)
{
    return x->nworkers > 0 && pmc_runner_forks(x->workers[0].runner);
}

int exec_run(struct exec *x, struct image_set *imgs,
             const struct crash_point *cp, struct exec_job *jobs, size_t n,
             struct pmc_error *err)
{
    pthread_mutex_lock(&x->lock);
    x->imgs = imgs;
    x->cp = cp;
    x->jobs = jobs;
    x->njobs = n;
    x->next_job = 0;
    x->finished = 0;
    image_take_changes(imgs, &x->changes, &x->nchanges, &x->all_changed);
    x->phase++;
    pthread_cond_broadcast(&x->start);
    pthread_mutex_unlock(&x->lock);
    if (x->nworkers == 1) {
        x->workers[0].phase_seen = x->phase;
        work_phase(&x->workers[0]);
    } else {
        pthread_mutex_lock(&x->lock);
        while (x->finished < x->nworkers)
            pthread_cond_wait(&x->done, &x->lock);
        pthread_mutex_unlock(&x->lock);
    }
    for (size_t i = 0; i < x->nworkers; i++) {
        if (x->workers[i].rc != 0) {
            *err = x->workers[i].err;
            return -1;
        }
    }
    return 0;
}
