/*
 * sandbox.c - the fork child that becomes a runner's server (see
 * sandbox.h).
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"

/* Default dispositions for every signal that has one, and none blocked. */
static void reset_signals(void)
{
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The runner's descriptors to their numbers: 0-2, and the protocol's.
 * Each goes above those numbers first, so that no dup2 clobbers one still
 * to be moved. */
static int move_fds(const struct pmc_sandbox_spawn *s)
{
    int high[4] = {s->null_fd, s->stderr_fd, s->ctl_fd, s->status_fd};
    for (int i = 0; i < 4; i++) {
        high[i] = fcntl(high[i], F_DUPFD, PMC_SANDBOX_STATUS_FD + 1);
        if (high[i] < 0)
            return -1;
    }
    if (dup2(high[0], 0) < 0 || dup2(high[0], 1) < 0 || dup2(high[1], 2) < 0 ||
        dup2(high[2], PMC_SANDBOX_CTL_FD) < 0 ||
        dup2(high[3], PMC_SANDBOX_STATUS_FD) < 0)
        return -1;
    return 0;
}

static void close_range_(unsigned first, unsigned last)
{
    if (first > last)
        return;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, first, last, 0) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = first; fd <= (long)last && fd < max; fd++)
        close((int)fd);
}

/* Every descriptor above the protocol's but keep (-1: none). */
static void close_others(int keep)
{
    unsigned first = PMC_SANDBOX_STATUS_FD + 1;
    if (keep < 0) {
        close_range_(first, ~0U);
        return;
    }
    close_range_(first, (unsigned)keep - 1);
    close_range_((unsigned)keep + 1, ~0U);
}

/* Lower a limit, never above its hard limit (raising that needs
 * privileges); soft and hard, so the process cannot raise it back. */
static void limit_to(int resource, uint64_t value)
{
    struct rlimit rl;
    if (getrlimit(resource, &rl) != 0)
        return;
    rlim_t v = (rlim_t)value;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < v)
        v = rl.rlim_max;
    rl.rlim_cur = rl.rlim_max = v;
    setrlimit(resource, &rl);
}

static void child(const struct pmc_sandbox_spawn *s)
{
    reset_signals();
    setpgid(0, 0);
    prctl(PR_SET_CHILD_SUBREAPER, 1); /* kept across exec */
    limit_to(RLIMIT_CORE, 0);
    if (s->rlimit_as != 0)
        limit_to(RLIMIT_AS, s->rlimit_as);
    if (s->rlimit_nproc != 0)
        limit_to(RLIMIT_NPROC, s->rlimit_nproc);
    for (size_t i = 0; i < s->ncgroup_fds; i++)
        if (write(s->cgroup_fds[i], "0", 1) != 1)
            _exit(127);
    /* The Landlock ruleset is enforced last, once the working directory
     * is entered; until then it lives above the numbers being filled. */
    int ruleset = -1;
    if (s->landlock_fd >= 0) {
        ruleset =
            fcntl(s->landlock_fd, F_DUPFD_CLOEXEC, PMC_SANDBOX_STATUS_FD + 1);
        if (ruleset < 0)
            _exit(127);
    }
    if (move_fds(s) != 0)
        _exit(127);
    close_others(ruleset);
    if (chdir(s->dir) != 0)
        _exit(127);
    if (ruleset >= 0 && pmc_landlock_enforce(ruleset) != 0)
        _exit(127);
    execve(s->path, s->argv, s->envp);
    _exit(127);
}

pid_t pmc_sandbox_spawn(const struct pmc_sandbox_spawn *s,
                        struct pmc_error *err)
{
    pid_t pid = fork();
    if (pid == 0)
        child(s);
    if (pid < 0)
        return pmc_error_errno(err, errno, "cannot start %s", s->path);
    setpgid(pid, pid); /* also here: the runner may signal the group at
                          once */
    return pid;
}
