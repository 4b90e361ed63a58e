/*
 * runner.c - running a recovery command on crash images (see runner.h).
 *
 * One run: the runner sends its server a request (the run's directory,
 * limits and environment); the server forks and the child becomes the
 * run; the runner waits for the end, draining the run's standard error,
 * and kills the run's process group at the time limit. The server reports
 * the end once the run and everything it started are gone; the runner
 * then reads the outcome, keeps the trace, empties the run's directory
 * and looks at what happened to the images.
 *
 * Limits: with a control group (cgroup.h) the kernel holds the memory and
 * task limits over the server and everything below it; without one, each
 * run gets RLIMIT_AS, and RLIMIT_NPROC when it means anything (it counts
 * all the tasks of the user, and does not bind root).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "landlock.h"
#include "malloc_tunables.h"
#include "pmtrace_abi.h"
#include "pmtrace_forkserver.h"
#include "runner_internal.h"
#include "supervisor.h"

#define DEFAULT_TIME_LIMIT 10.0
#define DEFAULT_MEMORY_LIMIT (4ull << 30)
#define DEFAULT_MAX_PROCESSES 64
#define STARTED_SECONDS 10.0 /* for the server's fork */
#define CLEANUP_SECONDS 10.0 /* for the server to reap a killed run */
#define BUSY_SECONDS 2.0     /* of retries while the server cannot fork */

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

/* ---- making a runner ---------------------------------------------------- */

static bool is_executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
           access(path, X_OK) == 0;
}

/* The program a command runs, as an absolute path: each run has its own
 * working directory, so "./kv" must be found now. */
static char *resolve_program(const char *name, struct pmc_error *err)
{
    if (strchr(name, '/') != NULL) {
        char *path = realpath(name, NULL);
        if (path != NULL && is_executable(path))
            return path;
        free(path);
        pmc_error_set(err, "recovery command: %s: no such program", name);
        return NULL;
    }
    const char *search = getenv("PATH");
    char *dirs =
        strdup(search != NULL ? search : "/usr/local/bin:/usr/bin:/bin");
    char *found = NULL, *save = NULL;
    for (char *d = dirs != NULL ? strtok_r(dirs, ":", &save) : NULL;
         d != NULL && found == NULL; d = strtok_r(NULL, ":", &save)) {
        char *path = NULL;
        if (asprintf(&path, "%s/%s", d, name) < 0)
            break;
        char *abs = is_executable(path) ? realpath(path, NULL) : NULL;
        free(path);
        found = abs;
    }
    free(dirs);
    if (found == NULL)
        pmc_error_set(err, "recovery command: %s: no such program", name);
    return found;
}

static char *image_list(const struct pmc_run_files *f)
{
    size_t len = 1;
    for (size_t i = 0; i < f->count; i++)
        len += strlen(f->images[i].path) + 1;
    char *list = calloc(1, len);
    for (size_t i = 0; list != NULL && i < f->count; i++) {
        if (i > 0)
            strcat(list, ":");
        strcat(list, f->images[i].path);
    }
    return list;
}

static bool env_named(const char *entry, const char *name)
{
    size_t n = strlen(name);
    return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

/* "GLIBC_TUNABLES=..." with malloc_tunables.h's added to user's. */
static char *tunables_entry(const char *user)
{
    char *value = pmc_malloc_tunables(user), *entry = NULL;
    if (value != NULL && asprintf(&entry, "%s=%s", PMC_TUNABLES_ENV, value) < 0)
        entry = NULL;
    free(value);
    return entry;
}

/* pmcheck's environment, for the servers: without the protocol's
 * variables, with the image list, and with PMEM_IS_PMEM_FORCE=1 unless
 * set (as `pmcheck run` does: libpmem then flushes with instructions
 * rather than msync, which a recovery on tmpfs would call for every
 * persist). libpmem reads it in its constructor, that is once for a fork
 * server: it cannot be a per-run setting. And when tunables_wanted,
 * malloc_tunables.h's are added to GLIBC_TUNABLES. */
static char **server_env(const char *images, bool tunables_wanted)
{
    size_t n = 0;
    while (environ[n] != NULL)
        n++;
    char **env = calloc(n + 4, sizeof(*env));
    if (env == NULL)
        return NULL;
    size_t k = 0;
    bool force_set = false;
    const char *tunables = NULL;
    for (size_t i = 0; i < n; i++) {
        if (env_named(environ[i], PMT_FS_ENV) ||
            env_named(environ[i], PMC_SUPERVISOR_ENV) ||
            env_named(environ[i], PMT_FS_ENV_IMAGES))
            continue;
        if (tunables_wanted && env_named(environ[i], PMC_TUNABLES_ENV)) {
            tunables = environ[i] + strlen(PMC_TUNABLES_ENV) + 1;
            continue;
        }
        force_set |= env_named(environ[i], "PMEM_IS_PMEM_FORCE");
        if ((env[k++] = strdup(environ[i])) == NULL)
            goto fail;
    }
    if (asprintf(&env[k++], "%s=%s", PMT_FS_ENV_IMAGES, images) < 0 ||
        (!force_set && (env[k++] = strdup("PMEM_IS_PMEM_FORCE=1")) == NULL) ||
        (tunables_wanted && (env[k++] = tunables_entry(tunables)) == NULL))
        goto fail;
    return env;
fail:
    for (size_t i = 0; i < k; i++)
        free(env[i]);
    free(env);
    return NULL;
}

/* The tasks (threads) of the user now: RLIMIT_NPROC counts them all, so a
 * run's limit is that many more than its own budget (and the server). */
static unsigned long user_tasks(uid_t uid)
{
    DIR *proc = opendir("/proc");
    if (proc == NULL)
        return 0;
    unsigned long tasks = 0;
    struct dirent *e;
    while ((e = readdir(proc)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[300], line[256];
        snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
        FILE *f = fopen(path, "re");
        if (f == NULL)
            continue;
        unsigned long real_uid = ULONG_MAX, threads = 0;
        while (fgets(line, sizeof(line), f) != NULL) {
            sscanf(line, "Uid: %lu", &real_uid);
            sscanf(line, "Threads: %lu", &threads);
        }
        fclose(f);
        if (real_uid == uid)
            tasks += threads;
    }
    closedir(proc);
    return tasks;
}

static void choose_limits(struct pmc_runner *r)
{
    /* The server is one task of the group besides the runs. */
    r->cgroup = pmc_cgroup_new(r->opts.memory_limit, r->opts.max_processes + 1);
    if (r->cgroup == NULL || !pmc_cgroup_limits_memory(r->cgroup))
        r->rlimit_as = r->opts.memory_limit;
    if ((r->cgroup == NULL || !pmc_cgroup_limits_tasks(r->cgroup)) &&
        getuid() != 0)
        r->rlimit_nproc = user_tasks(getuid()) + r->opts.max_processes + 1;
}

/* Writes allowed: the runner's directory (the runs' and the traces),
 * /tmp and $TMPDIR, the images, /dev/null. */
static void confine_writes(struct pmc_runner *r)
{
    const char *dirs[3] = {r->files->dir, "/tmp", getenv("TMPDIR")};
    size_t ndirs = dirs[2] != NULL && dirs[2][0] == '/' ? 3 : 2;
    size_t nfiles = r->files->count + 1;
    const char **files = calloc(nfiles, sizeof(*files));
    if (files == NULL)
        return;
    for (size_t i = 0; i < r->files->count; i++)
        files[i] = r->files->images[i].path;
    files[nfiles - 1] = "/dev/null";
    r->landlock_fd = pmc_landlock_prepare(dirs, ndirs, files, nfiles);
    free(files);
}

static int parse_command(struct pmc_runner *r, const char *command,
                         const struct pmc_runner_image *images,
                         struct pmc_error *err)
{
    size_t n = r->files->count;
    const char **names = calloc(n + 1, sizeof(*names));
    const char **paths = calloc(n + 1, sizeof(*paths));
    int rc = -1;
    if (names == NULL || paths == NULL) {
        pmc_error_set(err, "out of memory");
    } else {
        for (size_t i = 0; i < n; i++) {
            const char *slash = strrchr(images[i].name, '/');
            names[i] = slash != NULL ? slash + 1 : images[i].name;
            paths[i] = r->files->images[i].path;
        }
        rc = pmc_cmdline_parse(command, names, paths, n, &r->cmd, err);
    }
    free(names);
    free(paths);
    if (rc == 0 && (r->program = resolve_program(r->cmd.argv[0], err)) == NULL)
        rc = -1;
    return rc;
}

static int open_pipes(struct pmc_runner *r, struct pmc_error *err)
{
    int p[2];
    r->null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (r->null_fd < 0)
        return pmc_error_errno(err, errno, "/dev/null");
    if (pipe2(p, O_CLOEXEC) != 0)
        return pmc_error_errno(err, errno, "cannot make a pipe");
    r->err_r = p[0];
    r->err_w = p[1];
    fcntl(r->err_r, F_SETFL, O_NONBLOCK);
    return 0;
}

int pmc_runner_new(const struct pmc_runner_options *opts,
                   struct pmc_runner **out, struct pmc_error *err)
{
    struct pmc_runner *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return pmc_error_set(err, "out of memory");
    r->null_fd = r->err_r = r->err_w = r->landlock_fd = -1;
    r->opts = *opts;
    r->opts.command = NULL; /* the caller's strings are not kept */
    r->opts.images = NULL;
    r->opts.workdir = NULL;
    if (r->opts.time_limit <= 0)
        r->opts.time_limit = DEFAULT_TIME_LIMIT;
    if (r->opts.memory_limit == 0)
        r->opts.memory_limit = DEFAULT_MEMORY_LIMIT;
    if (r->opts.max_processes == 0)
        r->opts.max_processes = DEFAULT_MAX_PROCESSES;
    const char *workdir =
        opts->workdir != NULL ? opts->workdir : getenv("TMPDIR");
    if (workdir == NULL || workdir[0] == '\0')
        workdir = "/tmp";
    if (opts->command == NULL) {
        pmc_error_set(err, "no recovery command");
        goto fail;
    }
    if (pmc_run_files_new(workdir, opts->images, opts->nimages, &r->files,
                          err) != 0 ||
        parse_command(r, opts->command, opts->images, err) != 0 ||
        open_pipes(r, err) != 0)
        goto fail;
    r->image_list = image_list(r->files);
    bool tunables = pmc_malloc_tunables_wanted(r->program);
    r->server_env =
        r->image_list != NULL ? server_env(r->image_list, tunables) : NULL;
    r->dirty = calloc(r->files->count + 1, sizeof(*r->dirty));
    if (r->server_env == NULL || r->dirty == NULL ||
        asprintf(&r->trace_path, "%s/trace.pmt", r->files->dir) < 0) {
        r->trace_path = NULL;
        pmc_error_set(err, "out of memory");
        goto fail;
    }
    choose_limits(r);
    confine_writes(r);
    if (pmc_run_files_enter(r->files, err) != 0)
        goto fail;
    bool try_program = !opts->no_fork_server && !r->cmd.shell;
    if (pmc_runner_server_start(r, try_program, err) != 0)
        goto fail;
    *out = r;
    return 0;
fail:
    pmc_runner_free(r);
    return -1;
}

/* ---- one run ------------------------------------------------------------- */

/* The request: header, run directory, environment edits. */
struct request {
    char *bytes;
    size_t len;
};

static void add_edit(FILE *out, const char *name, const char *value)
{
    if (value != NULL)
        fprintf(out, "%s=%s%c", name, value, '\0');
    else
        fprintf(out, "%s%c", name, '\0');
}

static int build_request(const struct pmc_runner *r,
                         const struct pmc_run_request *req, bool may_reuse,
                         struct request *out)
{
    char *strings = NULL;
    size_t size = 0;
    FILE *s = open_memstream(&strings, &size);
    if (s == NULL)
        return -1;
    fprintf(s, "%s%c", r->files->run_dir, '\0');
    add_edit(s, "PMCHECK_STATE", req->state_id);
    add_edit(s, "PMCHECK_CRASH_SITE", req->crash_site);
    add_edit(s, "PMCHECK_MARKERS", req->markers);
    char num[32];
    snprintf(num, sizeof(num), "%llu",
             (unsigned long long)req->faults.poison_offset);
    add_edit(s, PMT_FS_ENV_POISON,
             req->faults.poison_offset != UINT64_MAX ? num : NULL);
    char alloc[32];
    snprintf(alloc, sizeof(alloc), "%u", (unsigned)req->faults.fail_alloc);
    add_edit(s, PMT_FS_ENV_FAIL_ALLOC,
             req->faults.fail_alloc != 0 ? alloc : NULL);
    bool trace = r->opts.trace_loads;
    fprintf(s, "%s", PMT_ENV_FILE);
    if (trace)
        fprintf(s, "=%s/trace.pmt", r->files->run_dir);
    fputc('\0', s);
    add_edit(s, PMT_ENV_LOADS, trace ? "1" : NULL);
    add_edit(s, PMT_ENV_PMEM, trace ? r->image_list : NULL);
    /* The explorer has the images: their content need not be traced. */
    add_edit(s, PMT_ENV_RECOVERY, trace ? "1" : NULL);
    if (fclose(s) != 0 || size > PMT_FS_MAX_STRINGS) {
        free(strings);
        return -1;
    }
    /* Persistent mode: a run may share a process with others when it needs
     * nothing set up at a process's start (the runtime reads the faults
     * and opens the trace only there); it may go to the last run's process
     * only when that run passed. */
    bool reusable = !trace && req->faults.fail_alloc == 0 &&
                    req->faults.poison_offset == UINT64_MAX;
    struct pmt_fs_request head = {
        .magic = PMT_FS_MAGIC_REQUEST,
        .strings_size = (uint32_t)size,
        .rlimit_as = r->rlimit_as,
        .rlimit_nproc = r->rlimit_nproc,
        .flags = (r->forks && reusable ? PMT_FS_REQUEST_REUSABLE : 0) |
                 (may_reuse ? 0 : PMT_FS_REQUEST_NEW_PROCESS),
    };
    out->len = sizeof(head) + size;
    out->bytes = malloc(out->len);
    if (out->bytes != NULL) {
        memcpy(out->bytes, &head, sizeof(head));
        memcpy(out->bytes + sizeof(head), strings, size);
    }
    free(strings);
    return out->bytes != NULL ? 0 : -1;
}

/* Write the request; -1 when the server is gone. A closed pipe must not
 * kill pmcheck with SIGPIPE: the signal is blocked in this thread for the
 * write, and a pending one taken away after. */
static int send_request(struct pmc_runner *r, const struct request *q)
{
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    int rc = 0;
    for (size_t done = 0; done < q->len && rc == 0;) {
        ssize_t n = write(r->ctl_w, q->bytes + done, q->len - done);
        if (n > 0)
            done += (size_t)n;
        else if (n < 0 && errno != EINTR)
            rc = -1;
    }
    if (rc != 0 && errno == EPIPE) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

enum wait_result {
    RUN_ENDED,
    RUN_HUNG,        /* killed at the time limit, and reaped */
    RUN_SERVER_GONE, /* the server died or stopped answering */
    RUN_NO_FORK,     /* the server could not fork (started.pid = -errno) */
    RUN_FAILED,      /* the runner failed (err set) */
};

/* Send the request and wait for the run's end, killing it at the time
 * limit. */
static enum wait_result wait_run(struct pmc_runner *r, const struct request *q,
                                 struct pmt_fs_started *started,
                                 struct pmt_fs_ended *ended, double *t0)
{
    *t0 = pmc_runner_now();
    if (send_request(r, q) != 0)
        return RUN_SERVER_GONE;
    size_t got = 0;
    if (pmc_runner_read_answer(r, started, sizeof(*started), &got,
                               *t0 + STARTED_SECONDS) != 1 ||
        started->magic != PMT_FS_MAGIC_STARTED)
        return RUN_SERVER_GONE;
    if (started->pid <= 0)
        return RUN_NO_FORK;
    got = 0;
    int rc = pmc_runner_read_answer(r, ended, sizeof(*ended), &got,
                                    *t0 + r->opts.time_limit);
    bool hung = rc == 0;
    if (hung) {
        kill(-started->pid, SIGKILL);
        rc = pmc_runner_read_answer(r, ended, sizeof(*ended), &got,
                                    pmc_runner_now() + CLEANUP_SECONDS);
    }
    if (rc != 1 || ended->magic != PMT_FS_MAGIC_ENDED)
        return RUN_SERVER_GONE;
    return hung ? RUN_HUNG : RUN_ENDED;
}

static void fill_outcome(const struct pmc_runner *r,
                         const struct pmt_fs_ended *ended, bool hung,
                         bool oom_killed, struct pmc_run_result *res)
{
    int st = ended->wait_status;
    bool passed = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    res->code = WIFEXITED(st)     ? WEXITSTATUS(st)
                : WIFSIGNALED(st) ? WTERMSIG(st)
                                  : 0;
    if (hung) /* even when its end, in persistent mode, crossed the kill */
        res->code = SIGKILL;
    /* Without a memory cgroup the kernel does not say a run died of its
     * limit: a failed run that came close to it (half) is taken for one
     * that ran out of memory (an allocation failed under RLIMIT_AS). */
    bool oom = r->cgroup != NULL && pmc_cgroup_limits_memory(r->cgroup)
                   ? oom_killed
                   : ended->max_rss_kib * 1024 >= r->opts.memory_limit / 2;
    if (hung)
        res->outcome = PMC_RUN_HANG;
    else if (!passed && oom)
        res->outcome = PMC_RUN_OOM;
    else if (passed)
        res->outcome = PMC_RUN_PASS;
    else
        res->outcome = WIFEXITED(st) ? PMC_RUN_EXIT : PMC_RUN_SIGNAL;
}

/* After the run: its trace kept, its directory emptied, the images
 * looked at. */
static void after_run(struct pmc_runner *r, struct pmc_run_result *res)
{
    if (r->opts.trace_loads) {
        char *made = NULL;
        if (asprintf(&made, "%s/trace.pmt", r->files->run_dir) >= 0 &&
            rename(made, r->trace_path) == 0)
            res->trace_path = r->trace_path;
        else
            unlink(r->trace_path);
        free(made);
    }
    pmc_run_files_leave(r->files);
    for (size_t i = 0; i < r->files->count; i++)
        r->dirty[i] = pmc_run_files_changed(r->files, i) || !r->forks;
    pmc_tail_text(&r->tail, res->stderr_tail, sizeof(res->stderr_tail));
}

/* One attempt; RUN_SERVER_GONE when the server must be started again.
 * *reused: the run was not its process's first (persistent mode). */
static enum wait_result run_once(struct pmc_runner *r,
                                 const struct pmc_run_request *req,
                                 struct pmc_run_result *res, bool *reused,
                                 struct pmc_error *err)
{
    if (pmc_run_files_enter(r->files, err) != 0)
        return RUN_FAILED;
    pmc_run_files_mark(r->files);
    uint64_t oom_before = r->cgroup ? pmc_cgroup_oom_kills(r->cgroup) : 0;
    pmc_tail_reset(&r->tail);
    struct request q = {NULL, 0};
    if (build_request(r, req, r->may_reuse, &q) != 0) {
        pmc_error_set(err, "out of memory (or markers over %u bytes)",
                      PMT_FS_MAX_STRINGS);
        return RUN_FAILED;
    }
    struct pmt_fs_started started;
    struct pmt_fs_ended ended;
    double t0;
    enum wait_result w = wait_run(r, &q, &started, &ended, &t0);
    free(q.bytes);
    if (w == RUN_NO_FORK) {
        pmc_error_errno(err, -started.pid, "cannot start a run");
        errno = -started.pid; /* for the caller: EAGAIN is worth a retry */
    }
    r->may_reuse = false;
    if (w == RUN_SERVER_GONE || w == RUN_NO_FORK)
        return w;
    *reused = started.process_runs > 1;
    res->seconds = pmc_runner_now() - t0;
    /* Every writer is gone (or, in persistent mode, flushed and waiting
     * for its next run): what is in the pipe is all there is. */
    struct pollfd more = {r->err_r, POLLIN, 0};
    while (poll(&more, 1, 0) > 0)
        pmc_runner_drain_stderr(r);
    uint64_t oom_after = r->cgroup ? pmc_cgroup_oom_kills(r->cgroup) : 0;
    fill_outcome(r, &ended, w == RUN_HUNG, oom_after > oom_before, res);
    after_run(r, res);
    r->may_reuse = res->outcome == PMC_RUN_PASS;
    return w;
}

static bool any_image_dirty(const struct pmc_runner *r)
{
    for (size_t i = 0; i < r->files->count; i++)
        if (r->dirty[i])
            return true;
    return false;
}

int pmc_runner_run(struct pmc_runner *r, const struct pmc_run_request *req,
                   struct pmc_run_result *res, struct pmc_error *err)
{
    static const struct pmc_run_request none = {
        .faults = {.poison_offset = UINT64_MAX}};
    memset(res, 0, sizeof(*res));
    /* A server that died (killed by a run, say) is started again, and the
     * run tried once more. A fork that failed for want of tasks (the dead
     * of a killed run not yet reaped by init) is tried again for a while. */
    int deaths = 0;
    bool again = false;
    double first_seconds = 0;
    double busy_until = pmc_runner_now() + BUSY_SECONDS;
    for (;;) {
        if (r->server == 0) {
            r->may_reuse = false;
            if (pmc_runner_server_start(r, r->forks, err) != 0)
                return -1;
        }
        bool reused = false;
        enum wait_result w =
            run_once(r, req != NULL ? req : &none, res, &reused, err);
        /* A run that failed in a process that had recovered other states
         * may have failed for what they left behind: the state is run again
         * in a new process (the last run failed: no reuse), and that is its
         * outcome - as with a process per state. Unless the run wrote an
         * image: then it is no longer the state's. */
        if ((w == RUN_ENDED || w == RUN_HUNG) && reused && !again &&
            res->outcome != PMC_RUN_PASS && !any_image_dirty(r)) {
            again = true;
            first_seconds = res->seconds;
            memset(res, 0, sizeof(*res));
            continue;
        }
        if (w == RUN_ENDED || w == RUN_HUNG) {
            res->seconds += first_seconds; /* both attempts took the time */
            res->carried_over = again && res->outcome == PMC_RUN_PASS;
            return 0;
        }
        if (w == RUN_NO_FORK && errno == EAGAIN &&
            pmc_runner_now() < busy_until) {
            struct timespec pause = {0, 10000000};
            nanosleep(&pause, NULL);
            continue;
        }
        if (w != RUN_SERVER_GONE)
            return -1;
        const char *who = r->forks ? "fork server" : "supervisor";
        pmc_runner_server_stop(r);
        if (++deaths > 1)
            return pmc_error_set(err, "the %s died during a run", who);
    }
}

/* ---- the rest of the interface ------------------------------------------ */

uint8_t *pmc_runner_image(struct pmc_runner *r, size_t i)
{
    return i < r->files->count ? r->files->images[i].map : NULL;
}

bool pmc_runner_image_dirty(const struct pmc_runner *r, size_t i)
{
    return i < r->files->count && r->dirty[i];
}

bool pmc_runner_forks(const struct pmc_runner *r)
{
    return r->forks;
}

void pmc_runner_free(struct pmc_runner *r)
{
    if (r == NULL)
        return;
    pmc_runner_server_stop(r);
    pmc_cgroup_free(r->cgroup);
    int fds[] = {r->null_fd, r->err_r, r->err_w, r->landlock_fd};
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
        if (fds[i] >= 0)
            close(fds[i]);
    pmc_run_files_free(r->files);
    pmc_cmdline_free(&r->cmd);
    for (char **e = r->server_env; e != NULL && *e != NULL; e++)
        free(*e);
    free(r->server_env);
    free(r->image_list);
    free(r->program);
    free(r->dirty);
    free(r->trace_path);
    free(r);
}
