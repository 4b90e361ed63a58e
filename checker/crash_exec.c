/*
 * crash_exec.c - one runner (runner.h) and its image files, kept equal to
 * the worker's bases plus the lines of the last state run on them (see
 * crash_internal.h).
 *
 * Images by difference. Before a run, the base lines that changed since
 * the previous run (image_take_changes) and the previous state's own lines
 * are put back from the bases, then the new state's lines are written: a
 * state costs O(lines it, its predecessor and the replay in between
 * touched), not the pools' size. When the runner says the recovery may
 * have written an image (no fork server keeps its writes private), or the
 * changes were too many to list, the images are rewritten whole.
 */
#include "crash_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct exec {
    struct pmc_runner *runner;
    bool whole; /* rewrite the images whole before the next run */
    struct image_line_ref *overlay; /* lines of the last state */
    size_t noverlay, overlay_cap;
};

static void write_line(struct exec *x, const struct image_set *imgs, size_t img,
                       uint64_t offset, const uint8_t line[IMAGE_LINE])
{
    uint64_t size = image_size(imgs, img);
    if (offset >= size)
        return;
    uint64_t n = size - offset < IMAGE_LINE ? size - offset : IMAGE_LINE;
    memcpy(pmc_runner_image(x->runner, img) + offset, line, (size_t)n);
}

static void restore_line(struct exec *x, const struct image_set *imgs,
                         size_t img, uint64_t offset)
{
    write_line(x, imgs, img, offset, image_base(imgs, img) + offset);
}

static bool images_dirty(const struct exec *x, const struct image_set *imgs)
{
    for (size_t i = 0; i < image_count(imgs); i++)
        if (pmc_runner_image_dirty(x->runner, i))
            return true;
    return false;
}

/* Bring the images to the bases, by difference when possible. */
static void sync_bases(struct exec *x, struct image_set *imgs)
{
    const struct image_line_ref *changes;
    size_t nchanges;
    bool all;
    image_take_changes(imgs, &changes, &nchanges, &all);
    if (x->whole || all || images_dirty(x, imgs)) {
        for (size_t i = 0; i < image_count(imgs); i++)
            memcpy(pmc_runner_image(x->runner, i), image_base(imgs, i),
                   (size_t)image_size(imgs, i));
        x->whole = false;
    } else {
        for (size_t i = 0; i < nchanges; i++)
            restore_line(x, imgs, changes[i].img, changes[i].offset);
        for (size_t i = 0; i < x->noverlay; i++)
            restore_line(x, imgs, x->overlay[i].img, x->overlay[i].offset);
    }
    x->noverlay = 0;
}

static int write_state(struct exec *x, const struct image_set *imgs,
                       const struct crash_point *cp, const uint32_t *choices,
                       struct pmc_error *err)
{
    if (cp->nlines > x->overlay_cap) {
        struct image_line_ref *p = realloc(x->overlay, cp->nlines * sizeof(*p));
        if (p == NULL) {
            x->whole = true; /* what the images hold is unknown now */
            return pmc_error_set(err, "crash: out of memory");
        }
        x->overlay = p;
        x->overlay_cap = cp->nlines;
    }
    uint8_t content[IMAGE_LINE];
    for (size_t i = 0; i < cp->nlines; i++) {
        const struct point_line *l = &cp->lines[i];
        if (choices[i] == 0)
            continue;
        point_line_content(imgs, cp, l, choices[i], content);
        write_line(x, imgs, l->img, l->offset, content);
        x->overlay[x->noverlay++] =
            (struct image_line_ref){.img = l->img, .offset = l->offset};
    }
    return 0;
}

int exec_run(struct exec *x, struct image_set *imgs,
             const struct crash_point *cp, const uint32_t *choices,
             const struct pmc_run_request *req, struct pmc_run_result *res,
             struct pmc_error *err)
{
    sync_bases(x, imgs);
    if (write_state(x, imgs, cp, choices, err) != 0)
        return -1;
    return pmc_runner_run(x->runner, req, res, err);
}

int exec_new(const struct pmc_crash_options *o, const struct image_set *imgs,
             struct exec **out, struct pmc_error *err)
{
    size_t n = image_count(imgs);
    struct exec *x = calloc(1, sizeof(*x));
    struct pmc_runner_image *images = calloc(n ? n : 1, sizeof(*images));
    if (x == NULL || images == NULL) {
        free(x);
        free(images);
        return pmc_error_set(err, "crash: out of memory");
    }
    for (size_t i = 0; i < n; i++)
        images[i] = (struct pmc_runner_image){
            .name = image_name(imgs, i),
            .size = image_size(imgs, i),
        };
    /* With loads every run writes a trace that pmcheck reads back at once:
     * on tmpfs that costs memory copies, on a journaled disk it cost 2x
     * the runs/s (bench/xfail_speed.py). */
    const char *workdir = o->workdir;
    if (workdir == NULL && o->loads && access("/dev/shm", W_OK) == 0)
        workdir = "/dev/shm";
    struct pmc_runner_options ro = {
        .command = o->recover,
        .images = images,
        .nimages = n,
        .workdir = workdir,
        .time_limit = o->run_time_limit,
        .memory_limit = o->run_memory_limit,
        .no_fork_server = o->no_fork_server,
        .trace_loads = o->loads,
    };
    x->whole = true; /* the runner's files start zeroed */
    int rc = pmc_runner_new(&ro, &x->runner, err);
    free(images);
    if (rc != 0) {
        free(x);
        return -1;
    }
    *out = x;
    return 0;
}

void exec_free(struct exec *x)
{
    if (x == NULL)
        return;
    pmc_runner_free(x->runner);
    free(x->overlay);
    free(x);
}

bool exec_forks(const struct exec *x)
{
    return pmc_runner_forks(x->runner);
}
