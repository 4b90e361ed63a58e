/*
 * crash_replay.c - rebuild one crash state's images from its id (crash.h,
 * pmc_crash_replay): replay the trace to the state's crash point, step
 * the strategy to the state's index, and write the bases with the state's
 * lines over them.
 */
#include "crash_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct replay {
    struct pmc_crash_options o;
    struct state_ref target;
    const char *state_id;
    struct walk *w;
    const char *path;
    struct pmc_crash_replay_info *info;
    bool found;
};

/* The state's choices; -1 (err set) when the point has no such state. */
static int target_choices(struct replay *r, const struct crash_point *cp,
                          uint32_t *choices, struct pmc_error *err)
{
    if (r->target.fault != FAULT_NONE) {
        crash_point_all(cp, choices);
        return 0;
    }
    struct strategy_iter it;
    if (strategy_begin(&it, r->o.strategy, cp->choices, cp->nvaried, r->o.seed,
                       cp->number, r->o.max_per_point) != 0)
        return pmc_error_set(err, "crash: out of memory");
    crash_point_fill_fixed(cp, choices);
    uint64_t index = 0;
    bool found = false;
    while (strategy_next(&it, choices)) {
        if (index++ == r->target.index) {
            found = true;
            break;
        }
    }
    strategy_end(&it);
    if (!found)
        return pmc_error_set(
            err,
            "state %s does not exist: crash point %" PRIu64 " has %" PRIu64
            " states under the %s strategy with these "
            "options",
            r->state_id, cp->number, index, pmc_strategy_name(r->o.strategy));
    return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t done = write(fd, p, n);
        if (done < 0 && errno == EINTR)
            continue;
        if (done < 0)
            return -1;
        p += done;
        n -= (size_t)done;
    }
    return 0;
}

/* Write image img of the state to file. */
static int write_image(struct replay *r, const struct crash_point *cp,
                       const uint32_t *choices, size_t img, const char *file,
                       struct pmc_error *err)
{
    const struct image_set *imgs = walk_images(r->w);
    uint64_t size = image_size(imgs, img);
    uint8_t *copy = malloc((size_t)size ? (size_t)size : 1);
    if (copy == NULL)
        return pmc_error_set(err, "%s: out of memory", file);
    memcpy(copy, image_base(imgs, img), (size_t)size);
    uint8_t line[IMAGE_LINE];
    for (size_t i = 0; i < cp->nlines; i++) {
        const struct point_line *l = &cp->lines[i];
        if (l->img != img || choices[i] == 0 || l->offset >= size)
            continue;
        point_line_content(imgs, cp, l, choices[i], line);
        uint64_t n =
            size - l->offset < IMAGE_LINE ? size - l->offset : IMAGE_LINE;
        memcpy(copy + l->offset, line, (size_t)n);
    }
    int rc = 0;
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write_all(fd, copy, (size_t)size) != 0 || fsync(fd) != 0)
        rc = pmc_error_errno(err, errno, "%s", file);
    if (fd >= 0 && close(fd) != 0 && rc == 0)
        rc = pmc_error_errno(err, errno, "%s", file);
    free(copy);
    return rc;
}

static int write_images(struct replay *r, const struct crash_point *cp,
                        const uint32_t *choices, struct pmc_error *err)
{
    const struct image_set *imgs = walk_images(r->w);
    size_t n = image_count(imgs);
    if (n == 0)
        return pmc_error_set(err, "%s: the trace maps no pmem region",
                             pmc_trace_path(walk_trace(r->w)));
    if (n == 1)
        return write_image(r, cp, choices, 0, r->path, err);
    if (mkdir(r->path, 0755) != 0 && errno != EEXIST)
        return pmc_error_errno(err, errno, "%s", r->path);
    for (size_t i = 0; i < n; i++) {
        char file[4096];
        snprintf(file, sizeof(file), "%s/%s", r->path, image_name(imgs, i));
        if (write_image(r, cp, choices, i, file, err) != 0)
            return -1;
    }
    return 0;
}

static int at_point(void *ctx, struct crash_point *cp, struct pmc_error *err)
{
    struct replay *r = ctx;
    if (cp->number != r->target.point)
        return 0;
    r->found = true;
    uint32_t *choices = calloc(cp->nlines ? cp->nlines : 1, sizeof(*choices));
    if (choices == NULL)
        return pmc_error_set(err, "crash: out of memory");
    int rc = target_choices(r, cp, choices, err);
    if (rc == 0)
        rc = write_images(r, cp, choices, err);
    if (rc == 0) {
        struct pmc_crash_replay_info *info = r->info;
        info->point = cp->number;
        info->crash_site = cp->site;
        info->nimages = image_count(walk_images(r->w));
        info->image_hash = crash_point_hash(cp, choices);
        snprintf(info->markers, sizeof(info->markers), "%s", cp->markers);
        struct left_out *lo = calloc(crash_point_parts(cp) + 1, sizeof(*lo));
        info->left_out = lo ? crash_point_left_out(cp, choices, lo) : 0;
        free(lo);
    }
    free(choices);
    return rc == 0 ? 1 : -1;
}

int pmc_crash_replay(struct pmc_trace *t, const struct pmc_crash_options *o,
                     const char *state_id, const char *path,
                     struct pmc_crash_replay_info *info, struct pmc_error *err)
{
    struct replay r = {.o = *o, .state_id = state_id, .path = path};
    struct pmc_crash_replay_info local;
    r.info = info != NULL ? info : &local;
    memset(r.info, 0, sizeof(*r.info));
    crash_options_normalise(&r.o);
    if (state_id_parse(state_id, &r.target) != 0)
        return pmc_error_set(err,
                             "'%s' is not a crash state id (POINT.INDEX, "
                             "POINT.allocN or POINT.poison0xOFFSET)",
                             state_id);
    if (r.target.fault == FAULT_ALLOC)
        snprintf(r.info->faults, sizeof(r.info->faults),
                 "allocation %" PRIu64 " fails", r.target.arg);
    else if (r.target.fault == FAULT_POISON)
        snprintf(r.info->faults, sizeof(r.info->faults),
                 "media error at offset 0x%" PRIx64 " of the first image",
                 r.target.arg);
    if (walk_new(t, o->persistency, o->torn, &r.w, err) != 0)
        return -1;
    int rc = walk_run(r.w, at_point, &r, err);
    if (rc == 0 && !r.found)
        rc = pmc_error_set(err,
                           "state %s does not exist: the trace has no "
                           "crash point %" PRIu64,
                           state_id, r.target.point);
    walk_free(r.w);
    return rc;
}
