/*
 * forkserver.c - serving runs (see pmtrace_forkserver.h).
 *
 * The server is a subreaper: whatever a run leaves behind - a daemon in
 * its own session, the children of a process that died - is reparented to
 * the server rather than to init, so once the run's own process is gone
 * the server can find every survivor among its children, kill it and reap
 * it. Only then does it report the end of the run: when the runner reads
 * that message, nothing of the run is left.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pmtrace_forkserver.h"

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* 0 with len bytes read, -1 at end of file or error. */
static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The next request and its strings (malloc'd, NUL-terminated), or -1 when
 * the runner has hung up or sent something that is not a request. */
static int read_request(int ctl, struct pmt_fs_request *req, char **strings)
{
    if (read_all(ctl, req, sizeof(*req)) != 0 ||
        req->magic != PMT_FS_MAGIC_REQUEST || req->strings_size == 0 ||
        req->strings_size > PMT_FS_MAX_STRINGS)
        return -1;
    char *s = malloc(req->strings_size);
    if (s == NULL || read_all(ctl, s, req->strings_size) != 0 ||
        s[req->strings_size - 1] != '\0') {
        free(s);
        return -1;
    }
    *strings = s;
    return 0;
}

/* Lower a limit to value, never above its hard limit (raising that needs
 * privileges). Soft and hard both: the run must not raise it back. */
static void limit_to(int resource, uint64_t value)
{
    struct rlimit rl;
    if (value == 0 || getrlimit(resource, &rl) != 0)
        return;
    rlim_t v = (rlim_t)value;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < v)
        v = rl.rlim_max;
    rl.rlim_cur = rl.rlim_max = v;
    setrlimit(resource, &rl);
}

static void edit_environment(const char *s, const char *end)
{
    for (; s < end; s += strlen(s) + 1) {
        const char *eq = strchr(s, '=');
        if (eq == NULL) {
            unsetenv(s);
            continue;
        }
        char name[256];
        size_t n = (size_t)(eq - s);
        if (n == 0 || n >= sizeof(name))
            continue;
        memcpy(name, s, n);
        name[n] = '\0';
        setenv(name, eq + 1, 1);
    }
}

struct server {
    pid_t pid;
    int ctl, status;
    struct sigaction pipe_action; /* SIGPIPE's before the server ignored it */
};

/* In the run's child: everything pmtrace_forkserver.h promises. */
static int run_setup(const struct server *sv, const struct pmt_fs_request *req,
                     char *strings)
{
    sigaction(SIGPIPE, &sv->pipe_action, NULL);
    setpgid(0, 0);
    /* The runner counts on the server to clean up; if the server is gone,
     * so is the run. The check after the prctl closes the window in which
     * the server could have died first. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != sv->pid)
        return -1;
    if (chdir(strings) != 0)
        return -1;
    edit_environment(strings + strlen(strings) + 1,
                     strings + req->strings_size);
    /* The limits last: the server may be using more address space than a
     * run may (pmcheck's supervisor, built with ASan, reserves terabytes),
     * and setenv allocates. */
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core); /* a crash must not write a core */
    limit_to(RLIMIT_AS, req->rlimit_as);
    limit_to(RLIMIT_NPROC, req->rlimit_nproc);
    return 0;
}

/* Call kill_one for every child of this process: from the kernel's list
 * (/proc/PID/task/TID/children, one thread here), or by scanning /proc
 * when the kernel does not keep that list. */
static void kill_children(void)
{
    char path[64], buf[4096];
    pid_t self = getpid();
    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)self,
             (int)self);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n;
        /* A child that is not a group leader has no group of its id, so
         * kill(-pid) is harmless then, and kills an escaped group
         * otherwise. */
        while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
            buf[n] = '\0';
            for (char *p = buf, *end; *p != '\0'; p = end) {
                long pid = strtol(p, &end, 10);
                if (end == p)
                    break;
                kill((pid_t)pid, SIGKILL);
                kill((pid_t)-pid, SIGKILL);
            }
        }
        close(fd);
        return;
    }
    DIR *proc = opendir("/proc");
    if (proc == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(proc)) != NULL) {
        long pid = strtol(e->d_name, NULL, 10);
        if (pid <= 0)
            continue;
        snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
        int sfd = open(path, O_RDONLY | O_CLOEXEC);
        if (sfd < 0)
            continue;
        ssize_t n = read(sfd, buf, sizeof(buf) - 1);
        close(sfd);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        /* "pid (comm) state ppid ...": comm may hold anything but ')'
         * ends at the last one. */
        char *rp = strrchr(buf, ')');
        int ppid = 0;
        if (rp != NULL && sscanf(rp + 1, " %*c %d", &ppid) == 1 &&
            ppid == (int)self) {
            kill((pid_t)pid, SIGKILL);
            kill((pid_t)-pid, SIGKILL);
        }
    }
    closedir(proc);
}

/* Kill the run's process group and everything else still alive below the
 * server, and reap it all. Each round kills every child the server has
 * now, then waits for one to die: the children of the dead come to the
 * server (it is their subreaper) and are killed in the next round. */
static void reap_leftovers(pid_t group)
{
    kill(-group, SIGKILL);
    for (;;) {
        pid_t p = waitpid(-1, NULL, WNOHANG);
        if (p > 0 || (p < 0 && errno == EINTR))
            continue;
        if (p < 0)
            return; /* ECHILD: nothing left */
        kill_children();
        p = waitpid(-1, NULL, 0);
        if (p < 0 && errno == ECHILD)
            return;
    }
}

/* The runner hung up in the middle of a run: end the run and the server. */
static void runner_gone(pid_t run)
{
    kill(-run, SIGKILL);
    kill(run, SIGKILL);
    reap_leftovers(run);
    _exit(0);
}

/* Wait for the run's process to end, watching ctl meanwhile: the runner
 * writes nothing during a run, so ctl turns readable only when it is gone.
 * Without pidfd_open (Linux < 5.3) the wait is a plain one. */
static int wait_run(pid_t run, int ctl, int *wait_status, struct rusage *ru)
{
#ifdef SYS_pidfd_open
    int pidfd = (int)syscall(SYS_pidfd_open, run, 0);
    if (pidfd >= 0) {
        struct pollfd fds[2] = {{pidfd, POLLIN, 0}, {ctl, POLLIN, 0}};
        for (;;) {
            int n = poll(fds, 2, -1);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 || fds[0].revents != 0)
                break;
            if (fds[1].revents != 0)
                runner_gone(run);
        }
        close(pidfd);
    }
#else
    (void)ctl;
#endif
    while (wait4(run, wait_status, 0, ru) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* Serve one request; returns true in the run's child. */
static bool serve_one(const struct server *sv)
{
    struct pmt_fs_request req;
    char *strings = NULL;
    if (read_request(sv->ctl, &req, &strings) != 0)
        _exit(0);
    pid_t run = fork();
    if (run == 0) {
        close(sv->ctl);
        close(sv->status);
        if (run_setup(sv, &req, strings) != 0)
            _exit(127);
        free(strings);
        return true;
    }
    free(strings);
    struct pmt_fs_started started = {PMT_FS_MAGIC_STARTED,
                                     run > 0 ? (int32_t)run : -errno};
    if (run > 0)
        setpgid(run, run); /* also here: the runner may kill the group at
                              once, before the child ran at all */
    if (write_all(sv->status, &started, sizeof(started)) != 0) {
        if (run > 0)
            runner_gone(run);
        _exit(0);
    }
    if (run < 0)
        return false;
    struct pmt_fs_ended ended = {PMT_FS_MAGIC_ENDED, 0, 0};
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    if (wait_run(run, sv->ctl, &ended.wait_status, &ru) != 0)
        ended.wait_status = W_EXITCODE(127, 0);
    ended.max_rss_kib = (uint64_t)ru.ru_maxrss;
    reap_leftovers(run);
    if (write_all(sv->status, &ended, sizeof(ended)) != 0)
        _exit(0);
    return false;
}

int pmt_fs_serve(int ctl, int status)
{
    struct server sv = {.pid = getpid(), .ctl = ctl, .status = status};
    struct pmt_fs_hello hello = {PMT_FS_MAGIC_HELLO, PMT_FS_VERSION,
                                 (int32_t)sv.pid, 0};
    /* A runner that is gone must end the server with an error on write,
     * not kill it with SIGPIPE before it has killed the run. */
    struct sigaction ignore = {.sa_handler = SIG_IGN};
    sigaction(SIGPIPE, &ignore, &sv.pipe_action);
    if (write_all(status, &hello, sizeof(hello)) != 0) {
        sigaction(SIGPIPE, &sv.pipe_action, NULL);
        return -1;
    }
    fcntl(ctl, F_SETFD, FD_CLOEXEC);
    fcntl(status, F_SETFD, FD_CLOEXEC);
    signal(SIGCHLD, SIG_DFL); /* children must stay waitable */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    while (!serve_one(&sv))
        ;
    return 0;
}
