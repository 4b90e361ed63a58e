/*
 * sandbox.h - starting the process that serves a runner's runs (the
 * recovery program itself when it is a fork server, else pmcheck's
 * supervisor), inside the sandbox that every run inherits from it.
 *
 * What the process gets, set up in the fork child before exec:
 *  - default signal dispositions and an empty signal mask (pmcheck's own,
 *    such as an ignored SIGPIPE, would otherwise pass to the recovery);
 *  - its own process group, and a subreaper: what it starts stays below it
 *    (proctree.h) even when the process in between dies;
 *  - no core dumps, and the limits given (the runs' RLIMIT_AS and
 *    RLIMIT_NPROC: a program started as a fork server runs as a recovery
 *    when it turns out not to be one, and is held to the same limits);
 *  - the runner's control group, when there is one (cgroup.h);
 *  - standard input and output from /dev/null, standard error into the
 *    runner's pipe;
 *  - the protocol pipes as descriptors 3 (requests) and 4 (answers), and
 *    no other descriptor: pmcheck's files (its database, the trace) must
 *    not reach a recovery;
 *  - the given working directory;
 *  - the Landlock write confinement, when there is one (landlock.h).
 * Failing to set any of it up makes the child exit with 127 before exec.
 *
 * Contract: pmc_sandbox_spawn() forks and execs; it returns the child's
 * pid, or -1 with err set when fork failed. Everything the child needs is
 * prepared by the caller, so the child calls async-signal-safe functions
 * only (the caller may have threads).
 */
#ifndef PMC_SANDBOX_H
#define PMC_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define PMC_SANDBOX_CTL_FD 3
#define PMC_SANDBOX_STATUS_FD 4
#define PMC_SANDBOX_FDS "3,4" /* as PMCHECK_FORKSERVER gives them */

struct pmc_sandbox_spawn {
    const char *path; /* what to exec */
    char *const *argv;
    char *const *envp;
    const char *dir;       /* working directory */
    int null_fd;           /* /dev/null, read-write */
    int stderr_fd;         /* the write end of the runner's stderr pipe */
    int ctl_fd;            /* the read end of the request pipe */
    int status_fd;         /* the write end of the answer pipe */
    const int *cgroup_fds; /* pmc_cgroup_join_fds(), or NULL */
    size_t ncgroup_fds;
    int landlock_fd;       /* pmc_landlock_prepare(), or -1 */
    uint64_t rlimit_as;    /* 0: unchanged (the supervisor) */
    uint64_t rlimit_nproc; /* 0: unchanged */
};

pid_t pmc_sandbox_spawn(const struct pmc_sandbox_spawn *s,
                        struct pmc_error *err);

#endif /* PMC_SANDBOX_H */
