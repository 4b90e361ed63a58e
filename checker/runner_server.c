/*
 * runner_server.c - the process that starts a runner's runs (see
 * runner_internal.h).
 *
 * Which one it is: a program whose file holds the runtime's marker
 * (PMT_FS_MARKER: built with pmcc) is started with PMCHECK_FORKSERVER set,
 * and says hello at once, from its first constructor. Any other program
 * is never started just to find out: the supervisor serves it. Should a
 * marked program not say hello (it started a thread before its first
 * constructor, say), it has run as a recovery would, on the zero-filled
 * images: it is stopped after PROBE_SECONDS, or as soon as it exits or
 * closes the answer pipe, what it may have written is cleared, and the
 * supervisor takes over.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "program_file.h"
#include "proctree.h"
#include "pmtrace_forkserver.h"
#include "runner_internal.h"
#include "sandbox.h"
#include "supervisor.h"

#define PROBE_SECONDS 3.0  /* for a hello from the program itself */
#define HELLO_SECONDS 10.0 /* from the supervisor: pmcheck starting again */
#define STOP_SECONDS 5.0   /* for a server to end at end of file */

double pmc_runner_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void pmc_runner_drain_stderr(struct pmc_runner *r)
{
    /* At most a pipe's worth at a time: a run that writes as fast as this
     * reads must not keep the runner from its clock. */
    char buf[4096];
    for (int reads = 0; reads < 16; reads++) {
        ssize_t n = read(r->err_r, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        pmc_tail_add(&r->tail, buf, (size_t)n);
    }
}

int pmc_runner_read_answer(struct pmc_runner *r, void *buf, size_t len,
                           size_t *got, double deadline)
{
    while (*got < len) {
        double left = deadline - pmc_runner_now();
        if (left <= 0)
            return 0;
        struct pollfd fds[2] = {{r->status_r, POLLIN, 0},
                                {r->err_r, POLLIN, 0}};
        int n = poll(fds, 2, left > 1e6 ? -1 : (int)(left * 1000) + 1);
        if (n < 0 && errno != EINTR)
            return -1;
        if (n <= 0)
            continue;
        if (fds[1].revents != 0)
            pmc_runner_drain_stderr(r);
        if (fds[0].revents != 0) {
            ssize_t k = read(r->status_r, (char *)buf + *got, len - *got);
            if (k == 0 || (k < 0 && errno != EINTR))
                return -1;
            if (k > 0)
                *got += (size_t)k;
        }
    }
    return 1;
}

/* The servers' environment plus marker ("NAME=C,S"). The strings are the
 * servers' own; only the array is new. */
static char **env_with(char *const *env, char *marker)
{
    size_t n = 0;
    while (env[n] != NULL)
        n++;
    char **out = calloc(n + 2, sizeof(*out));
    if (out == NULL)
        return NULL;
    memcpy(out, env, n * sizeof(*env));
    out[n] = marker;
    return out;
}

/* Start a server: the program itself when supervise is false, else
 * pmcheck's supervisor. */
static int spawn(struct pmc_runner *r, const char *path, char *const *argv,
                 bool supervise, struct pmc_error *err)
{
    char *marker = supervise ? PMC_SUPERVISOR_ENV "=" PMC_SANDBOX_FDS
                             : PMT_FS_ENV "=" PMC_SANDBOX_FDS;
    int ctl[2], status[2];
    if (pipe2(ctl, O_CLOEXEC) != 0)
        return pmc_error_errno(err, errno, "cannot make a pipe");
    if (pipe2(status, O_CLOEXEC) != 0) {
        close(ctl[0]);
        close(ctl[1]);
        return pmc_error_errno(err, errno, "cannot make a pipe");
    }
    char **env = env_with(r->server_env, marker);
    size_t ncgroup_fds = 0;
    const int *cgroup_fds =
        r->cgroup != NULL ? pmc_cgroup_join_fds(r->cgroup, &ncgroup_fds) : NULL;
    struct pmc_sandbox_spawn s = {
        .path = path,
        .argv = argv,
        .envp = env,
        .dir = r->files->run_dir,
        .null_fd = r->null_fd,
        .stderr_fd = r->err_w,
        .ctl_fd = ctl[0],
        .status_fd = status[1],
        .cgroup_fds = cgroup_fds,
        .ncgroup_fds = ncgroup_fds,
        .landlock_fd = r->landlock_fd,
        /* The supervisor is pmcheck, which may be built with ASan (it
         * reserves terabytes of address space): it sets the runs' limit
         * in each run's child. */
        .rlimit_as = supervise ? 0 : r->rlimit_as,
        .rlimit_nproc = r->rlimit_nproc,
    };
    pid_t pid = env != NULL ? pmc_sandbox_spawn(&s, err)
                            : pmc_error_set(err, "out of memory");
    free(env);
    close(ctl[0]);
    close(status[1]);
    if (pid < 0) {
        close(ctl[1]);
        close(status[0]);
        return -1;
    }
    r->server = pid;
    r->ctl_w = ctl[1];
    r->status_r = status[0];
    return 0;
}

static bool said_hello(struct pmc_runner *r, double seconds)
{
    struct pmt_fs_hello hello;
    size_t got = 0;
    return pmc_runner_read_answer(r, &hello, sizeof(hello), &got,
                                  pmc_runner_now() + seconds) == 1 &&
           hello.magic == PMT_FS_MAGIC_HELLO && hello.version == PMT_FS_VERSION;
}

/* The server is gone or must go: kill it with everything below it (it is
 * a subreaper: nothing it started has escaped while it lived), and reap
 * it. */
static void kill_server(struct pmc_runner *r)
{
    pmc_kill_tree(r->server);
    while (waitpid(r->server, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* A server ends at end of file on its requests, after killing and reaping
 * the run it has; one that does not in time is killed. */
static void stop(struct pmc_runner *r, bool graceful)
{
    close(r->ctl_w);
    bool ended = false;
    for (double deadline = pmc_runner_now() + STOP_SECONDS;
         graceful && !ended && pmc_runner_now() < deadline;) {
        pid_t p = waitpid(r->server, NULL, WNOHANG);
        ended = p == r->server || (p < 0 && errno != EINTR);
        if (!ended) {
            struct pollfd fd = {r->err_r, POLLIN, 0};
            if (poll(&fd, 1, 1) > 0)
                pmc_runner_drain_stderr(r);
        }
    }
    if (!ended)
        kill_server(r);
    close(r->status_r);
    /* Whatever the server could not reap (it was killed) is in the
     * cgroup, when there is one. */
    if (r->cgroup != NULL)
        pmc_cgroup_kill(r->cgroup);
    pmc_runner_drain_stderr(r);
    r->server = 0;
}

void pmc_runner_server_stop(struct pmc_runner *r)
{
    if (r->server != 0)
        stop(r, true);
}

/* Does the program's file hold the runtime's marker? */
static bool marked(const char *path)
{
    struct pmc_program_file pf;
    return pmc_program_file_read(path, &pf) == 0 && pf.fork_server;
}

/* The probe ran the program as a recovery: undo what it did. */
static int after_probe(struct pmc_runner *r, struct pmc_error *err)
{
    stop(r, false);
    pmc_tail_reset(&r->tail);
    pmc_run_files_leave(r->files);
    if (pmc_run_files_enter(r->files, err) != 0)
        return -1;
    return pmc_run_files_zero(r->files, err);
}

int pmc_runner_server_start(struct pmc_runner *r, bool try_program,
                            struct pmc_error *err)
{
    if (try_program && marked(r->program)) {
        double probe = r->opts.time_limit < PROBE_SECONDS ? r->opts.time_limit
                                                          : PROBE_SECONDS;
        if (spawn(r, r->program, r->cmd.argv, false, err) != 0)
            return -1;
        if (said_hello(r, probe)) {
            r->forks = true;
            return 0;
        }
        if (after_probe(r, err) != 0)
            return -1;
    }
    r->forks = false;
    char **argv = pmc_supervisor_argv(r->program, r->cmd.argv);
    if (argv == NULL)
        return pmc_error_set(err, "out of memory");
    int rc = spawn(r, "/proc/self/exe", argv, true, err);
    free(argv);
    if (rc != 0)
        return -1;
    if (!said_hello(r, HELLO_SECONDS)) {
        stop(r, false);
        return pmc_error_set(err, "cannot start pmcheck's supervisor "
                                  "(/proc/self/exe)");
    }
    return 0;
}
