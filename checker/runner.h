/*
 * runner.h - running a recovery command on crash images, each run in a
 * sandbox, as fast as the command allows.
 *
 * The crash explorer (crash.h) writes a crash image into a file the runner
 * owns and asks it to run the user's recovery command on it; the runner
 * says how the run ended. One runner runs one command at a time; the
 * explorer makes one runner per job (--jobs) and drives them from its own
 * threads.
 *
 * The command is a template: "{image}" is replaced by the path of the
 * runner's image file of the first region, "{image:NAME}" by the image of
 * the region whose file name (basename) is NAME. It is split into words like
 * a shell would split plain words; a command with shell syntax (pipes,
 * redirections, &&, $...) runs under /bin/sh -c.
 *
 * Speed. When the command's program was built with pmcc, its runtime acts
 * as a fork server (as AFL++'s does for fuzz targets): the runner starts it
 * once; for each run the program forks at its first constructor and the
 * child goes on into main, so exec, dynamic linking and the program's early
 * set-up are paid once. In that child the runtime also maps the image files
 * MAP_PRIVATE whatever the program asked, so the recovery's own writes never
 * reach the image and the explorer can update an image by its difference
 * from the previous state instead of rewriting it. A program not built with
 * pmcc is started afresh for each run, and the runner then restores the
 * images it gave it in full before the next run (pmc_runner_image_dirty()
 * tells the explorer so).
 *
 * Sandbox. Every run has its own empty temporary working directory, a wall
 * clock limit (a run past it is killed: outcome HANG), a memory limit, a
 * limit on processes, and leaves no process behind: the whole process group
 * (and anything that escaped it, via a subreaper) is killed when the run
 * ends. Its standard output is discarded and the tail of its standard error
 * kept.
 *
 * Environment of a run: the runner's own environment, plus PMCHECK_STATE,
 * PMCHECK_CRASH_SITE and PMCHECK_MARKERS (DESIGN.md section 2b) from
 * struct pmc_run_request, and the fault settings below.
 *
 * Errors (pmc_error): a command that cannot start at all (no such program)
 * is an error of pmc_runner_new; a run that fails is an outcome, not an
 * error.
 */
#ifndef PMC_RUNNER_H
#define PMC_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct pmc_runner;

/* One image the runner owns: a file of `size` bytes, named after `name`
 * (the region's file name) in the runner's directory. */
struct pmc_runner_image {
    const char *name;
    uint64_t size;
};

struct pmc_runner_options {
    const char *command;        /* template with {image} */
    const struct pmc_runner_image *images;
    size_t nimages;
    const char *workdir;        /* where the runner makes its directory
                                   (NULL: $TMPDIR or /tmp) */
    double time_limit;          /* seconds per run; 0: default 10 */
    uint64_t memory_limit;      /* bytes per run; 0: default 4 GiB */
    unsigned max_processes;     /* per run; 0: default 64 */
    bool trace_loads;           /* run the recovery under tracing with
                                   loads (cross-failure checks): each run
                                   leaves a trace, see pmc_run_result */
    bool no_fork_server;        /* always start the program afresh */
};

/* Fault injection for one run (issue 5, item 4). */
struct pmc_run_faults {
    /* Media error: this byte offset of image 0 reads as poisoned: the
     * recovery gets SIGBUS when it touches that 64-byte line (its whole
     * page, as on real pmem where poison is tracked per page). UINT64_MAX:
     * none. */
    uint64_t poison_offset;
    /* The Nth (1-based) PMDK allocation of the run fails (pmemobj_alloc and
     * friends return an error with errno ENOMEM; transactional allocations
     * abort their transaction). 0: none. */
    uint32_t fail_alloc;
};

struct pmc_run_request {
    const char *state_id;       /* PMCHECK_STATE */
    const char *crash_site;     /* PMCHECK_CRASH_SITE, "file:line" */
    const char *markers;        /* PMCHECK_MARKERS, comma-separated */
    struct pmc_run_faults faults;
};

enum pmc_run_outcome {
    PMC_RUN_PASS = 1,           /* exit status 0 */
    PMC_RUN_EXIT,               /* non-zero exit status (code) */
    PMC_RUN_SIGNAL,             /* killed by a signal (code), not by us */
    PMC_RUN_HANG,               /* past the time limit: killed */
    PMC_RUN_OOM,                /* past the memory limit */
};

struct pmc_run_result {
    enum pmc_run_outcome outcome;
    int code;                   /* exit status or signal number */
    double seconds;             /* wall clock of the run */
    char stderr_tail[2048];     /* last lines of its standard error */
    /* Persistent mode: it failed in a process that had recovered other
     * states first, and passed when run again in a new process - the
     * recovery carries something from one state to the next. */
    bool carried_over;
    /* With trace_loads: the run's trace, valid until the next run. */
    const char *trace_path;
};

/* Make a runner: its directory, its image files (zero-filled), and - when
 * the program allows - its fork server. */
int pmc_runner_new(const struct pmc_runner_options *opts,
                   struct pmc_runner **out, struct pmc_error *err);

/* The image file of image i, mapped read-write into this process: the
 * explorer writes crash states here. size bytes, valid until free. */
uint8_t *pmc_runner_image(struct pmc_runner *r, size_t i);

/* True when the last run may have written image i (no fork server): the
 * explorer must rewrite it whole before the next run. */
bool pmc_runner_image_dirty(const struct pmc_runner *r, size_t i);

/* Run the command once on the images as they are now. Returns 0 with
 * *res filled, or -1 when the runner itself failed (err set). */
int pmc_runner_run(struct pmc_runner *r, const struct pmc_run_request *req,
                   struct pmc_run_result *res, struct pmc_error *err);

/* True when runs go through a fork server. */
bool pmc_runner_forks(const struct pmc_runner *r);

/* Stop the fork server, kill what is left, remove the directory. */
void pmc_runner_free(struct pmc_runner *r);

const char *pmc_run_outcome_name(enum pmc_run_outcome o);

#endif /* PMC_RUNNER_H */
