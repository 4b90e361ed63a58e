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
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pmtrace_forkserver.h"

/* The answers are written with one write(2) each: they arrive whole. */
_Static_assert(sizeof(struct pmt_fs_hello) <= PIPE_BUF &&
                   sizeof(struct pmt_fs_started) <= PIPE_BUF &&
                   sizeof(struct pmt_fs_ended) <= PIPE_BUF,
               "a fork server's answer must fit in one pipe write");

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

/* Persistent mode, between a run's child and its server, on a socket pair
 * private to the two: the child says its run is over, the server answers
 * with the next request's strings (pmtrace_forkserver.h). */
#define NEXT_MAGIC_DONE 0x454e4f44u /* "DONE" */
#define NEXT_MAGIC_RUN 0x4e55524eu  /* "NRUN" */

struct next_done {
    uint32_t magic;
    int32_t status;       /* the run's exit status */
    uint64_t max_rss_kib; /* the process's peak so far */
};

struct next_run {
    uint32_t magic;
    uint32_t strings_size; /* as in the request; the strings follow */
};

struct server {
    pid_t pid;
    int ctl, status;
    bool offer_next;              /* persistent mode offered */
    struct sigaction pipe_action; /* SIGPIPE's before the server ignored it */
    /* A run's process waiting in pmt_fs_next_run, or 0; the server's end
     * of its socket, and the limits it runs under. */
    pid_t waiting;
    int waiting_fd;
    uint64_t waiting_as, waiting_nproc;
    unsigned waiting_runs; /* the runs it has had */
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

/* Call visit(pid, arg) for every child of this process: from the kernel's
 * list (/proc/PID/task/TID/children, one thread here), or by scanning
 * /proc when the kernel does not keep that list. */
static void each_child(void (*visit)(pid_t pid, void *arg), void *arg)
{
    char path[64], buf[4096];
    pid_t self = getpid();
    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)self,
             (int)self);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n;
        while ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
            buf[n] = '\0';
            for (char *p = buf, *end; *p != '\0'; p = end) {
                long pid = strtol(p, &end, 10);
                if (end == p)
                    break;
                visit((pid_t)pid, arg);
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
            ppid == (int)self)
            visit((pid_t)pid, arg);
    }
    closedir(proc);
}

/* A child that is not a group leader has no group of its id, so
 * kill(-pid) is harmless then, and kills an escaped group otherwise. */
static void kill_child(pid_t pid, void *arg)
{
    (void)arg;
    kill(pid, SIGKILL);
    kill(-pid, SIGKILL);
}

static void kill_children(void)
{
    each_child(kill_child, NULL);
}

/* Kill and reap a child other than the one *arg keeps; count it. */
struct others {
    pid_t keep;
    unsigned seen;
};

static void reap_other(pid_t pid, void *arg)
{
    struct others *o = arg;
    if (pid == o->keep)
        return;
    o->seen++;
    kill_child(pid, NULL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* Kill and reap every process below the server but keep, the process
 * waiting for its next run: what its run left behind. The children of
 * the killed come to the server (its subreaper) and go in the next round. */
static void reap_others(pid_t keep)
{
    struct others o = {keep, 1};
    while (o.seen > 0) {
        o.seen = 0;
        each_child(reap_other, &o);
    }
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

/* End the process waiting for a next run, if any: it is not to have one. */
static void end_waiting(struct server *sv)
{
    if (sv->waiting == 0)
        return;
    kill(-sv->waiting, SIGKILL);
    kill(sv->waiting, SIGKILL);
    reap_leftovers(sv->waiting);
    close(sv->waiting_fd);
    sv->waiting = 0;
    sv->waiting_fd = -1;
}

/* The done message of a run in persistent mode: 1 with it read, 0 when the
 * child closed its end (it is ending), -1 on a message that is not one. */
static int read_done(int fd, struct next_done *done)
{
    ssize_t n;
    do
        n = recv(fd, done, sizeof(*done), MSG_WAITALL);
    while (n < 0 && errno == EINTR);
    if (n == 0)
        return 0;
    return n == (ssize_t)sizeof(*done) && done->magic == NEXT_MAGIC_DONE ? 1
                                                                         : -1;
}

enum run_end {
    RUN_EXITED,  /* the run's process is gone: *wait_status */
    RUN_WAITING, /* it waits in pmt_fs_next_run: *done */
    RUN_LOST,    /* waiting for it failed */
};

/* Wait for the run's process to end or, with next_fd >= 0, to say its run
 * is over, watching ctl meanwhile: the runner writes nothing during a run,
 * so ctl turns readable only when it is gone. Without pidfd_open (Linux <
 * 5.3) the wait is a plain one, and persistent mode is refused: the
 * child's message then fails and it ends as it would have. */
static enum run_end wait_run(pid_t run, int ctl, int next_fd, int *wait_status,
                             struct rusage *ru, struct next_done *done)
{
#ifdef SYS_pidfd_open
    int pidfd = (int)syscall(SYS_pidfd_open, run, 0);
    if (pidfd >= 0) {
        struct pollfd fds[3] = {
            {pidfd, POLLIN, 0}, {ctl, POLLIN, 0}, {next_fd, POLLIN, 0}};
        for (;;) {
            int n = poll(fds, next_fd >= 0 ? 3 : 2, -1);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 || fds[0].revents != 0)
                break;
            if (fds[1].revents != 0)
                runner_gone(run);
            if (next_fd >= 0 && fds[2].revents != 0) {
                int got = read_done(next_fd, done);
                if (got == 1) {
                    close(pidfd);
                    return RUN_WAITING;
                }
                /* Not a done message: the child is ending, or has gone
                 * wrong; either way its end is what is reported. */
                shutdown(next_fd, SHUT_RDWR);
                next_fd = -1;
            }
        }
        close(pidfd);
    } else if (next_fd >= 0) {
        shutdown(next_fd, SHUT_RDWR);
    }
#else
    (void)ctl;
    if (next_fd >= 0)
        shutdown(next_fd, SHUT_RDWR);
#endif
    while (wait4(run, wait_status, 0, ru) < 0)
        if (errno != EINTR)
            return RUN_LOST;
    return RUN_EXITED;
}

/* Hand the waiting process the request: 0 when it has it. */
static int hand_over(struct server *sv, const struct pmt_fs_request *req,
                     const char *strings)
{
    if (sv->waiting == 0 || !(req->flags & PMT_FS_REQUEST_REUSABLE) ||
        (req->flags & PMT_FS_REQUEST_NEW_PROCESS) ||
        req->rlimit_as != sv->waiting_as ||
        req->rlimit_nproc != sv->waiting_nproc)
        return -1;
    struct next_run next = {NEXT_MAGIC_RUN, req->strings_size};
    struct iovec iov[2] = {{&next, sizeof(next)},
                           {(void *)strings, req->strings_size}};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
    ssize_t want = (ssize_t)(sizeof(next) + req->strings_size);
    ssize_t n;
    do
        n = sendmsg(sv->waiting_fd, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == want ? 0 : -1;
}

/* Fork the run's process; in the child, set it up and return 0 (with
 * *child_fd its end of the persistent-mode socket, or -1). In the server,
 * the pid (or -errno) and *server_fd the server's end, or -1. */
static pid_t fork_run(const struct server *sv, const struct pmt_fs_request *req,
                      char *strings, int *server_fd, int *child_fd)
{
    int pair[2] = {-1, -1};
    if (sv->offer_next && (req->flags & PMT_FS_REQUEST_REUSABLE) &&
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        pair[0] = pair[1] = -1;
    pid_t run = fork();
    if (run == 0) {
        close(sv->ctl);
        close(sv->status);
        if (pair[0] >= 0)
            close(pair[0]);
        if (run_setup(sv, req, strings) != 0)
            _exit(127);
        *child_fd = pair[1];
        return 0;
    }
    int fork_errno = errno;
    if (pair[1] >= 0)
        close(pair[1]);
    if (run < 0 && pair[0] >= 0) {
        close(pair[0]);
        pair[0] = -1;
    }
    *server_fd = pair[0];
    return run > 0 ? run : -fork_errno;
}

/* Serve one request; returns true in the run's child. */
static bool serve_one(struct server *sv, int *child_fd)
{
    struct pmt_fs_request req;
    char *strings = NULL;
    if (read_request(sv->ctl, &req, &strings) != 0) {
        end_waiting(sv);
        _exit(0);
    }
    pid_t run;
    int next_fd = -1;
    unsigned runs = 1; /* of the run's process, this one included */
    if (hand_over(sv, &req, strings) == 0) {
        run = sv->waiting;
        next_fd = sv->waiting_fd;
        runs = sv->waiting_runs + 1;
        sv->waiting = 0;
        sv->waiting_fd = -1;
    } else {
        end_waiting(sv);
        run = fork_run(sv, &req, strings, &next_fd, child_fd);
        if (run == 0) {
            free(strings);
            return true;
        }
        if (run > 0)
            setpgid(run, run); /* also here: the runner may kill the group
                                  at once, before the child ran at all */
    }
    free(strings);
    struct pmt_fs_started started = {PMT_FS_MAGIC_STARTED, (int32_t)run, runs,
                                     0};
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
    struct next_done done;
    switch (wait_run(run, sv->ctl, next_fd, &ended.wait_status, &ru, &done)) {
    case RUN_WAITING:
        ended.wait_status = W_EXITCODE(done.status & 0xff, 0);
        ended.max_rss_kib = done.max_rss_kib;
        sv->waiting = run;
        sv->waiting_fd = next_fd;
        sv->waiting_as = req.rlimit_as;
        sv->waiting_nproc = req.rlimit_nproc;
        sv->waiting_runs = runs;
        reap_others(run);
        break;
    case RUN_LOST:
        ended.wait_status = W_EXITCODE(127, 0);
        /* fall through */
    case RUN_EXITED:
        ended.max_rss_kib = (uint64_t)ru.ru_maxrss;
        if (next_fd >= 0)
            close(next_fd);
        reap_leftovers(run);
        break;
    }
    if (write_all(sv->status, &ended, sizeof(ended)) != 0) {
        end_waiting(sv);
        _exit(0);
    }
    /* Not kept after a failure or at its limit (pmtrace_forkserver.h);
     * ended after the report, while the runner readies the next state. */
    if (sv->waiting != 0 && (ended.wait_status != 0 ||
                             sv->waiting_runs >= PMT_FS_MAX_RUNS_PER_PROCESS))
        end_waiting(sv);
    return false;
}

/* glibc's malloc: a chunk's header (prev_size, size) is the 16 bytes
 * before its memory, and no chunk is smaller than 32 bytes. */
#define CHUNK_HEADER ((uintptr_t)16)
#define CHUNK_MIN ((uintptr_t)32)
#define HUGE_RANGE ((uintptr_t)2 << 20)
/* Under malloc's smallest mmap threshold (128 KiB): from the heap. */
#define FILLER_MAX ((uintptr_t)64 << 10)

/*
 * Have the runs allocate from a fresh 2 MiB range. With pmcheck's malloc
 * tunables (docs/recovery-runs.md) a run's heap grows in transparent huge
 * pages - except in the range that holds the top of the server's own heap:
 * the server touched 4 KiB pages there, so a run faults in every other
 * page of it one by one (up to 511 faults, as many as the heap's random
 * start decides: 0.6 ms of an 8 MiB pmemobj_open, and its spread). So,
 * once, the server allocates the rest of that range and never frees it:
 * malloc writes only the chunks' headers, and the runs' top chunk then
 * starts just below the next boundary. Anything unexpected (another
 * allocator, a free chunk that fits, a heap not made by brk) and it stops,
 * no worse off.
 */
static void align_heap_top(void)
{
    struct mallinfo2 mi = mallinfo2();
    uintptr_t top = (uintptr_t)sbrk(0) - mi.keepcost; /* the top chunk */
    uintptr_t want = ((top + CHUNK_MIN + CHUNK_HEADER + HUGE_RANGE - 1) &
                      ~(HUGE_RANGE - 1)) -
                     CHUNK_HEADER;
    if (mi.keepcost == 0 || top % CHUNK_HEADER != 0 ||
        mi.keepcost < want - top + HUGE_RANGE)
        return;
    while (top < want) {
        uintptr_t size = want - top < FILLER_MAX ? want - top : FILLER_MAX;
        if (want - top - size != 0 && want - top - size < CHUNK_MIN)
            size -= CHUNK_MIN;
        void *filler = malloc(size - 8); /* a chunk of exactly size */
        if (filler == NULL)
            return;
        if ((uintptr_t)filler != top + CHUNK_HEADER) {
            free(filler);
            return;
        }
        top += size;
    }
}

int pmt_fs_serve(int ctl, int status, int *next_fd)
{
    struct server sv = {.pid = getpid(),
                        .ctl = ctl,
                        .status = status,
                        .offer_next = next_fd != NULL,
                        .waiting_fd = -1};
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
    align_heap_top();
    int child_fd = -1;
    while (!serve_one(&sv, &child_fd))
        ;
    if (next_fd != NULL)
        *next_fd = child_fd;
    else if (child_fd >= 0)
        close(child_fd);
    return 0;
}

/* ---- persistent mode, in a run's child ---------------------------------- */

int pmt_fs_next_run(int fd, int status)
{
    /* A failed run's process is not kept: a recovery that gave up may hold
     * what it would have released (the pool's lock, say) and fail the next
     * state for it. It ends as it would have, its exit the run's outcome. */
    if (fd < 0 || status != 0)
        return 0;
    fflush(NULL);
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    getrusage(RUSAGE_SELF, &ru);
    struct next_done done = {NEXT_MAGIC_DONE, status, (uint64_t)ru.ru_maxrss};
    ssize_t n;
    do
        n = send(fd, &done, sizeof(done), MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof(done))
        return 0; /* not taken: this process ends, as it would have */
    /* Taken: the run's end is reported. From here on the server counts
     * this process as its next run's, so a failure is that run's failure,
     * as a child that cannot be set up fails (127). The server kills a
     * process it will not hand a run to. */
    struct next_run next;
    if (read_all(fd, &next, sizeof(next)) != 0 ||
        next.magic != NEXT_MAGIC_RUN || next.strings_size == 0 ||
        next.strings_size > PMT_FS_MAX_STRINGS)
        _exit(127);
    char *strings = malloc(next.strings_size);
    if (strings == NULL || read_all(fd, strings, next.strings_size) != 0 ||
        strings[next.strings_size - 1] != '\0' || chdir(strings) != 0)
        _exit(127);
    edit_environment(strings + strlen(strings) + 1,
                     strings + next.strings_size);
    free(strings);
    return 1;
}
