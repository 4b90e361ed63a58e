/*
 * runner_standin.c - a stand-in for the runner (runner.h) until its owner
 * commits checker/runner.c: fork and exec per run, no sandbox, no fork
 * server. meson builds this file only while runner.c does not exist; it is
 * deleted once the real runner is in.
 *
 * What it keeps of the contract: image files in a directory of its own,
 * mapped read-write for the explorer; "{image}" and "{image:NAME}" in the
 * command; plain words split on blanks, anything else under /bin/sh -c;
 * the PMCHECK_* environment; stdout discarded, the tail of stderr kept;
 * a wall-clock limit (outcome HANG) that kills the run's process group.
 * Faults are passed in the environment only (PMCHECK_FAULT_POISON,
 * PMCHECK_FAULT_ALLOC) - the real runner injects them. Every run may
 * write the images, so they are always dirty.
 */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIME_LIMIT 10.0

struct runner_file {
    char *path;
    uint8_t *map;
    uint64_t size;
};

struct pmc_runner {
    char *dir;
    struct runner_file *files;
    size_t nfiles;
    char **argv; /* NULL-terminated */
    double time_limit;
};

static char *join_path(const char *dir, const char *name)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", dir, name) < 0)
        return NULL;
    return p;
}

static bool needs_shell(const char *cmd)
{
    return strpbrk(cmd, "|&;<>()$`\\\"'*?[]#~=%{}") != NULL;
}

/* The command with {image} and {image:NAME} replaced. */
static char *expand(const struct pmc_runner *r,
                    const struct pmc_runner_options *o, struct pmc_error *err)
{
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    if (f == NULL)
        return NULL;
    const char *p = o->command;
    while (*p) {
        if (strncmp(p, "{image}", 7) == 0 && r->nfiles > 0) {
            fputs(r->files[0].path, f);
            p += 7;
            continue;
        }
        if (strncmp(p, "{image:", 7) == 0) {
            const char *end = strchr(p, '}');
            size_t i = 0;
            for (; end != NULL && i < o->nimages; i++)
                if (strlen(o->images[i].name) == (size_t)(end - p - 7) &&
                    strncmp(o->images[i].name, p + 7, (size_t)(end - p - 7)) ==
                        0)
                    break;
            if (end == NULL || i == o->nimages) {
                fclose(f);
                free(out);
                pmc_error_set(err, "recovery command: %s names no image", p);
                return NULL;
            }
            fputs(r->files[i].path, f);
            p = end + 1;
            continue;
        }
        fputc(*p++, f);
    }
    fclose(f);
    return out;
}

static int split_command(struct pmc_runner *r, char *cmd)
{
    size_t n = 0, cap = 8;
    r->argv = calloc(cap, sizeof(char *));
    if (r->argv == NULL)
        return -1;
    if (needs_shell(cmd)) {
        r->argv[0] = strdup("/bin/sh");
        r->argv[1] = strdup("-c");
        r->argv[2] = cmd;
        return r->argv[0] && r->argv[1] ? 0 : -1;
    }
    for (char *save = NULL, *w = strtok_r(cmd, " \t\n", &save); w != NULL;
         w = strtok_r(NULL, " \t\n", &save)) {
        if (n + 2 > cap) {
            char **p = realloc(r->argv, (cap *= 2) * sizeof(char *));
            if (p == NULL)
                return -1;
            r->argv = p;
        }
        r->argv[n++] = strdup(w);
        r->argv[n] = NULL;
    }
    free(cmd);
    return n > 0 ? 0 : -1;
}

static int make_file(struct runner_file *f, const char *dir, const char *name,
                     uint64_t size, struct pmc_error *err)
{
    f->path = join_path(dir, name);
    f->size = size;
    int fd = f->path
                 ? open(f->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                 : -1;
    if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return pmc_error_errno(err, e, "%s", f->path ? f->path : name);
    }
    f->map =
        mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (f->map == MAP_FAILED) {
        f->map = NULL;
        return pmc_error_errno(err, errno, "%s: mmap", f->path);
    }
    return 0;
}

int pmc_runner_new(const struct pmc_runner_options *opts,
                   struct pmc_runner **out, struct pmc_error *err)
{
    struct pmc_runner *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return pmc_error_set(err, "runner: out of memory");
    const char *tmp = opts->workdir ? opts->workdir : getenv("TMPDIR");
    char *templ = join_path(tmp ? tmp : "/tmp", "pmcheck-run-XXXXXX");
    r->dir = templ ? mkdtemp(templ) : NULL;
    r->time_limit =
        opts->time_limit > 0 ? opts->time_limit : DEFAULT_TIME_LIMIT;
    r->files = calloc(opts->nimages ? opts->nimages : 1, sizeof(r->files[0]));
    if (r->dir == NULL || r->files == NULL) {
        free(templ);
        free(r->files);
        free(r);
        return pmc_error_errno(err, errno, "runner: a directory under %s",
                               tmp ? tmp : "/tmp");
    }
    int rc = 0;
    for (size_t i = 0; i < opts->nimages && rc == 0; i++, r->nfiles++)
        rc = make_file(&r->files[i], r->dir, opts->images[i].name,
                       opts->images[i].size, err);
    char *cmd = rc == 0 ? expand(r, opts, err) : NULL;
    if (rc == 0 && cmd == NULL)
        rc = -1;
    if (rc == 0 && split_command(r, cmd) != 0)
        rc =
            pmc_error_set(err, "recovery command '%s' is empty", opts->command);
    if (rc == 0 && strchr(r->argv[0], '/') != NULL &&
        access(r->argv[0], X_OK) != 0)
        rc = pmc_error_errno(err, errno, "recovery command: %s", r->argv[0]);
    if (rc != 0) {
        pmc_runner_free(r);
        return -1;
    }
    *out = r;
    return 0;
}

uint8_t *pmc_runner_image(struct pmc_runner *r, size_t i)
{
    return r->files[i].map;
}

bool pmc_runner_image_dirty(const struct pmc_runner *r, size_t i)
{
    (void)r;
    (void)i;
    return true;
}

bool pmc_runner_forks(const struct pmc_runner *r)
{
    (void)r;
    return false;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void child(const struct pmc_runner *r, const struct pmc_run_request *q,
                  int err_fd)
{
    setpgid(0, 0);
    int null = open("/dev/null", O_RDWR);
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    if (chdir(r->dir) != 0)
        _exit(126);
    setenv("PMCHECK_STATE", q->state_id ? q->state_id : "", 1);
    setenv("PMCHECK_CRASH_SITE", q->crash_site ? q->crash_site : "", 1);
    setenv("PMCHECK_MARKERS", q->markers ? q->markers : "", 1);
    char buf[32];
    if (q->faults.poison_offset != UINT64_MAX) {
        snprintf(buf, sizeof(buf), "%" PRIu64, q->faults.poison_offset);
        setenv("PMCHECK_FAULT_POISON", buf, 1);
    }
    if (q->faults.fail_alloc != 0) {
        snprintf(buf, sizeof(buf), "%" PRIu32, q->faults.fail_alloc);
        setenv("PMCHECK_FAULT_ALLOC", buf, 1);
    }
    execvp(r->argv[0], r->argv);
    dprintf(STDERR_FILENO, "pmcheck: cannot run %s: %s\n", r->argv[0],
            strerror(errno));
    _exit(127);
}

/* Keep the last bytes of stderr in tail (NUL-terminated). */
static void keep_tail(char *tail, size_t size, size_t *used, const char *buf,
                      size_t n)
{
    if (n >= size - 1) {
        memcpy(tail, buf + n - (size - 1), size - 1);
        *used = size - 1;
    } else {
        if (*used + n > size - 1) {
            size_t drop = *used + n - (size - 1);
            memmove(tail, tail + drop, *used - drop);
            *used -= drop;
        }
        memcpy(tail + *used, buf, n);
        *used += n;
    }
    tail[*used] = '\0';
}

int pmc_runner_run(struct pmc_runner *r, const struct pmc_run_request *req,
                   struct pmc_run_result *res, struct pmc_error *err)
{
    memset(res, 0, sizeof(*res));
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0)
        return pmc_error_errno(err, errno, "runner: pipe");
    double start = now();
    pid_t pid = fork();
    if (pid < 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        return pmc_error_errno(err, errno, "runner: fork");
    }
    if (pid == 0)
        child(r, req, pipefd[1]);
    close(pipefd[1]);
    size_t used = 0;
    bool hung = false, open_pipe = true;
    int status = 0;
    for (;;) {
        double left = r->time_limit - (now() - start);
        if (left <= 0 && !hung) {
            hung = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
        }
        if (open_pipe) {
            struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
            int ms = left > 0 ? (int)(left * 1000) + 1 : 100;
            if (poll(&p, 1, ms) > 0) {
                char buf[4096];
                ssize_t n = read(pipefd[0], buf, sizeof(buf));
                if (n > 0)
                    keep_tail(res->stderr_tail, sizeof(res->stderr_tail), &used,
                              buf, (size_t)n);
                else
                    open_pipe = false;
            }
            continue;
        }
        pid_t done = waitpid(pid, &status, hung ? 0 : WNOHANG);
        if (done == pid)
            break;
        struct timespec ts = {0, 20000}; /* it closed stderr: exiting */
        nanosleep(&ts, NULL);
    }
    close(pipefd[0]);
    kill(-pid, SIGKILL); /* anything the run left behind */
    res->seconds = now() - start;
    if (hung) {
        res->outcome = PMC_RUN_HANG;
    } else if (WIFEXITED(status)) {
        res->code = WEXITSTATUS(status);
        res->outcome = res->code == 0 ? PMC_RUN_PASS : PMC_RUN_EXIT;
    } else {
        res->code = WTERMSIG(status);
        res->outcome = PMC_RUN_SIGNAL;
    }
    return 0;
}

void pmc_runner_free(struct pmc_runner *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nfiles; i++) {
        if (r->files[i].map != NULL)
            munmap(r->files[i].map, (size_t)r->files[i].size);
        if (r->files[i].path != NULL)
            unlink(r->files[i].path);
        free(r->files[i].path);
    }
    free(r->files);
    for (size_t i = 0; r->argv != NULL && r->argv[i] != NULL; i++)
        free(r->argv[i]);
    free(r->argv);
    if (r->dir != NULL)
        rmdir(r->dir);
    free(r->dir);
    free(r);
}

const char *pmc_run_outcome_name(enum pmc_run_outcome o)
{
    switch (o) {
    case PMC_RUN_PASS:
        return "pass";
    case PMC_RUN_EXIT:
        return "exit";
    case PMC_RUN_SIGNAL:
        return "signal";
    case PMC_RUN_HANG:
        return "hang";
    case PMC_RUN_OOM:
        return "oom";
    }
    return "unknown";
}
