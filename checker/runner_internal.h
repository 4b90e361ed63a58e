/*
 * runner_internal.h - what runner.c (runs and outcomes) and
 * runner_server.c (the process that starts the runs) share.
 *
 * A runner has at most one server at a time: the recovery program itself
 * when it is a fork server (forks), else pmcheck's supervisor
 * (supervisor.h). Both speak pmtrace_forkserver.h over two pipes, and
 * write their runs' standard error into one pipe the runner drains while
 * it waits.
 */
#ifndef PMC_RUNNER_INTERNAL_H
#define PMC_RUNNER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "cmdline.h"
#include "run_files.h"
#include "runner.h"
#include "stderr_tail.h"

struct pmc_runner {
    struct pmc_runner_options opts; /* defaults filled in */
    struct pmc_run_files *files;
    struct pmc_cmdline cmd;
    char *program;     /* cmd.argv[0], resolved to an absolute path */
    char *image_list;  /* the images' paths, ':'-separated */
    char **server_env; /* the servers' environment, without the marker */
    struct pmc_cgroup *cgroup;        /* NULL: rlimits only */
    uint64_t rlimit_as, rlimit_nproc; /* per run; 0: none */
    int landlock_fd;                  /* -1: writes not confined */
    int null_fd;                      /* /dev/null */
    int err_r, err_w;                 /* the runs' standard error */
    pid_t server;                     /* 0: none running */
    int ctl_w, status_r;
    bool forks;       /* the server is the program itself */
    bool may_reuse;   /* the last run passed: its process may take the next
                         (persistent mode, pmtrace_forkserver.h) */
    bool *dirty;      /* per image, after the last run */
    char *trace_path; /* <dir>/trace.pmt: the last run's trace */
    struct pmc_tail tail;
};

/* Seconds on the monotonic clock. */
double pmc_runner_now(void);

/* Start the server: the program itself as a fork server when it says
 * hello, else the supervisor; r->forks says which. */
int pmc_runner_server_start(struct pmc_runner *r, bool try_program,
                            struct pmc_error *err);

/* End the server and everything it runs; r->server is 0 after. */
void pmc_runner_server_stop(struct pmc_runner *r);

/* Read exactly len bytes of the server's answers into buf, draining the
 * runs' standard error into r->tail meanwhile, until the monotonic time
 * deadline. *got counts the bytes read so far (start it at 0; a call that
 * timed out may be resumed). 1: done; 0: the deadline passed; -1: the
 * server is gone. */
int pmc_runner_read_answer(struct pmc_runner *r, void *buf, size_t len,
                           size_t *got, double deadline);

/* What the runs' standard error holds now (up to 64 KiB), into r->tail. */
void pmc_runner_drain_stderr(struct pmc_runner *r);

#endif /* PMC_RUNNER_INTERNAL_H */
