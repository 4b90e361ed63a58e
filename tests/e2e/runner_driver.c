/*
 * runner_driver.c - the recovery runner (checker/runner.h) from the command
 * line, for tests/e2e/test_sandbox.py and for measuring runs per second.
 *
 *   runner_driver [OPTIONS] -- COMMAND
 *     --image NAME:SIZE   an image (repeatable; image 0 first)
 *     --time S  --mem BYTES  --procs N  --workdir DIR
 *     --no-fork-server  --loads
 *     --runs N            run N times (default 1)
 *     --load I:FILE       image I starts with FILE's bytes
 *     --reload            ... and gets them again before each run, as the
 *                         explorer rewrites a dirty image
 *     --set I:OFF:BYTE    before each run, byte OFF of image I is BYTE
 *     --show I:OFF        after each run, report byte OFF of image I
 *     --hash              after each run, report a hash of each image
 *     --keep-trace FILE   after each run, copy its trace (with --loads) to
 *                         FILE: the runner's own is gone with it
 *     --state ID  --site FILE:LINE  --markers LIST
 *     --poison OFF  --fail-alloc N
 *     --quiet             only the first and the last line
 *
 * Output, one JSON object per line: the runner (fork server or not, the
 * sandbox it could set up, the image paths), then one per run (outcome,
 * code, seconds, stderr tail, dirty images, trace, the bytes shown), then
 * a summary (runs, seconds, runs per second). Exit status 0, or 2 when
 * the runner failed (the error on stderr).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "runner_internal.h"

#define MAX_IMAGES 8
#define MAX_POKES 16

struct poke {
    size_t image;
    uint64_t offset;
    unsigned byte;
};

struct driver {
    struct pmc_runner_image images[MAX_IMAGES];
    size_t nimages;
    struct pmc_runner_options opts;
    struct pmc_run_request req;
    struct poke sets[MAX_POKES], shows[MAX_POKES];
    const char *load[MAX_IMAGES];
    size_t nsets, nshows;
    unsigned long runs;
    int quiet;
    int hash;
    int reload;
    const char *keep_trace;
};

static void json_string(const char *s)
{
    putchar('"');
    for (; s != NULL && *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static int parse_image(struct driver *d, char *arg)
{
    char *colon = strrchr(arg, ':');
    if (colon == NULL || d->nimages == MAX_IMAGES)
        return -1;
    *colon = '\0';
    d->images[d->nimages].name = arg;
    d->images[d->nimages++].size = strtoull(colon + 1, NULL, 0);
    return 0;
}

static int parse_poke(struct poke *p, size_t *n, const char *arg, bool byte)
{
    if (*n == MAX_POKES)
        return -1;
    struct poke *k = &p[(*n)++];
    long long off = 0; /* %lli: decimal or 0x... */
    int value = 0;
    int got = sscanf(arg, "%zu:%lli:%i", &k->image, &off, &value);
    k->offset = (uint64_t)off;
    k->byte = (unsigned)value;
    return got == (byte ? 3 : 2) ? 0 : -1;
}

static int parse_load(struct driver *d, char *arg)
{
    char *colon = strchr(arg, ':');
    unsigned long i = strtoul(arg, NULL, 10);
    if (colon == NULL || i >= MAX_IMAGES)
        return -1;
    d->load[i] = colon + 1;
    return 0;
}

/* The file's bytes into the image (at most its size). */
static int load_file(uint8_t *image, uint64_t size, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    size_t n = fread(image, 1, size, f);
    fclose(f);
    memset(image + n, 0, size - n);
    return 0;
}

static int parse(struct driver *d, int argc, char **argv)
{
    static const struct option longs[] = {
        {"image", required_argument, NULL, 'i'},
        {"time", required_argument, NULL, 't'},
        {"mem", required_argument, NULL, 'm'},
        {"procs", required_argument, NULL, 'p'},
        {"workdir", required_argument, NULL, 'w'},
        {"no-fork-server", no_argument, NULL, 'n'},
        {"loads", no_argument, NULL, 'l'},
        {"runs", required_argument, NULL, 'r'},
        {"load", required_argument, NULL, 'L'},
        {"set", required_argument, NULL, 's'},
        {"show", required_argument, NULL, 'S'},
        {"state", required_argument, NULL, 'I'},
        {"site", required_argument, NULL, 'C'},
        {"markers", required_argument, NULL, 'M'},
        {"poison", required_argument, NULL, 'P'},
        {"fail-alloc", required_argument, NULL, 'F'},
        {"quiet", no_argument, NULL, 'q'},
        {"hash", no_argument, NULL, 'H'},
        {"reload", no_argument, NULL, 'R'},
        {"keep-trace", required_argument, NULL, 'K'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "+", longs, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'i':
            bad = parse_image(d, optarg);
            break;
        case 't':
            d->opts.time_limit = strtod(optarg, NULL);
            break;
        case 'm':
            d->opts.memory_limit = strtoull(optarg, NULL, 0);
            break;
        case 'p':
            d->opts.max_processes = (unsigned)atoi(optarg);
            break;
        case 'w':
            d->opts.workdir = optarg;
            break;
        case 'n':
            d->opts.no_fork_server = true;
            break;
        case 'l':
            d->opts.trace_loads = true;
            break;
        case 'r':
            d->runs = strtoul(optarg, NULL, 0);
            break;
        case 'L':
            bad = parse_load(d, optarg);
            break;
        case 's':
            bad = parse_poke(d->sets, &d->nsets, optarg, true);
            break;
        case 'S':
            bad = parse_poke(d->shows, &d->nshows, optarg, false);
            break;
        case 'I':
            d->req.state_id = optarg;
            break;
        case 'C':
            d->req.crash_site = optarg;
            break;
        case 'M':
            d->req.markers = optarg;
            break;
        case 'P':
            d->req.faults.poison_offset = strtoull(optarg, NULL, 0);
            break;
        case 'F':
            d->req.faults.fail_alloc = (uint32_t)atoi(optarg);
            break;
        case 'q':
            d->quiet = 1;
            break;
        case 'H':
            d->hash = 1;
            break;
        case 'R':
            d->reload = 1;
            break;
        case 'K':
            d->keep_trace = optarg;
            break;
        default:
            return -1;
        }
        if (bad)
            return -1;
    }
    if (optind != argc - 1)
        return -1;
    d->opts.command = argv[optind];
    d->opts.images = d->images;
    d->opts.nimages = d->nimages;
    return 0;
}

static void print_runner(struct pmc_runner *r)
{
    printf("{\"forks\": %s, \"cgroup_memory\": %s, \"cgroup_tasks\": %s, "
           "\"landlock\": %s, \"rlimit_as\": %llu, \"rlimit_nproc\": %llu, "
           "\"dir\": ",
           pmc_runner_forks(r) ? "true" : "false",
           r->cgroup && pmc_cgroup_limits_memory(r->cgroup) ? "true" : "false",
           r->cgroup && pmc_cgroup_limits_tasks(r->cgroup) ? "true" : "false",
           r->landlock_fd >= 0 ? "true" : "false",
           (unsigned long long)r->rlimit_as,
           (unsigned long long)r->rlimit_nproc);
    json_string(r->files->dir);
    printf(", \"images\": [");
    for (size_t i = 0; i < r->files->count; i++) {
        printf(i ? ", " : "");
        json_string(r->files->images[i].path);
    }
    printf("]}\n");
}

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[65536];
    size_t n;
    int rc = in != NULL && out != NULL ? 0 : -1;
    while (rc == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
        rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
    if (in != NULL)
        fclose(in);
    if (out != NULL && fclose(out) != 0)
        rc = -1;
    return rc;
}

/* FNV-1a, 64 bits: enough to tell an image changed. */
static uint64_t image_hash(const uint8_t *p, uint64_t size)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint64_t i = 0; i < size; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static void print_run(const struct driver *d, struct pmc_runner *r,
                      unsigned long k, const struct pmc_run_result *res)
{
    printf("{\"run\": %lu, \"outcome\": \"%s\", \"code\": %d, "
           "\"seconds\": %.6f, \"stderr\": ",
           k, pmc_run_outcome_name(res->outcome), res->code, res->seconds);
    json_string(res->stderr_tail);
    printf(", \"dirty\": [");
    for (size_t i = 0; i < d->nimages; i++)
        printf("%s%s", i ? ", " : "",
               pmc_runner_image_dirty(r, i) ? "true" : "false");
    printf("], \"trace\": ");
    if (res->trace_path != NULL)
        json_string(res->trace_path);
    else
        printf("null");
    printf(", \"bytes\": [");
    for (size_t i = 0; i < d->nshows; i++)
        printf("%s%u", i ? ", " : "",
               pmc_runner_image(r, d->shows[i].image)[d->shows[i].offset]);
    printf("], \"hashes\": [");
    for (size_t i = 0; d->hash && i < d->nimages; i++)
        printf("%s\"%016llx\"", i ? ", " : "",
               (unsigned long long)image_hash(pmc_runner_image(r, i),
                                              d->images[i].size));
    printf("]}\n");
}

int main(int argc, char **argv)
{
    struct driver d = {.runs = 1};
    d.req.faults.poison_offset = UINT64_MAX;
    if (parse(&d, argc, argv) != 0) {
        fputs("usage: runner_driver [OPTIONS] -- COMMAND (see the source)\n",
              stderr);
        return 2;
    }
    struct pmc_error err;
    struct pmc_runner *r;
    if (pmc_runner_new(&d.opts, &r, &err) != 0) {
        fprintf(stderr, "runner_driver: error: %s\n", err.msg);
        return 2;
    }
    print_runner(r);
    fflush(stdout);
    double t0 = pmc_runner_now();
    for (unsigned long k = 0; k < d.runs; k++) {
        for (size_t i = 0; i < d.nimages && (k == 0 || d.reload); i++)
            if (d.load[i] != NULL &&
                load_file(pmc_runner_image(r, i), d.images[i].size,
                          d.load[i]) != 0) {
                pmc_runner_free(r);
                return 2;
            }
        for (size_t i = 0; i < d.nsets; i++)
            pmc_runner_image(r, d.sets[i].image)[d.sets[i].offset] =
                (uint8_t)d.sets[i].byte;
        struct pmc_run_result res;
        if (pmc_runner_run(r, &d.req, &res, &err) != 0) {
            fprintf(stderr, "runner_driver: error: %s\n", err.msg);
            pmc_runner_free(r);
            return 2;
        }
        if (!d.quiet || k + 1 == d.runs)
            print_run(&d, r, k, &res);
        if (d.keep_trace != NULL && res.trace_path != NULL &&
            copy_file(res.trace_path, d.keep_trace) != 0) {
            fprintf(stderr, "runner_driver: cannot copy %s\n", res.trace_path);
            pmc_runner_free(r);
            return 2;
        }
    }
    double seconds = pmc_runner_now() - t0;
    printf("{\"runs\": %lu, \"seconds\": %.6f, \"runs_per_second\": %.1f}\n",
           d.runs, seconds, seconds > 0 ? (double)d.runs / seconds : 0.0);
    pmc_runner_free(r);
    return 0;
}
