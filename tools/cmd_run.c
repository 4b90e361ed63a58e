/*
 * cmd_run.c - `pmcheck run`: run a program built with pmcc and keep its
 * trace.
 *
 * The program learns what to do from its environment (pmtrace_abi.h):
 * PMTRACE_FILE, PMTRACE_PMEM, PMTRACE_LOADS. pmcheck waits for it as a
 * shell would, forwarding SIGINT and SIGTERM, then writes how it ended
 * into the trace header's live fields (the runtime cannot do that when the
 * program is killed), checks that the trace opens, and exits with the
 * program's status, so `pmcheck run` can stand in for the program in a
 * script.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "pmtrace_abi.h"
#include "pmtrace_format.h"
#include "trace.h"

struct run_options {
    char *trace; /* absolute */
    char *pmem;  /* absolute paths joined by ':', or NULL */
    bool loads;
    char **prog; /* PROG ARGS..., NULL-terminated */
};

static void run_usage(FILE *out)
{
    fputs("usage: pmcheck run [-o TRACE] [--pmem PATH]... [--loads] -- PROG "
          "[ARGS...]\n\n"
          "Runs PROG, built with pmcc, and writes its trace.\n\n"
          "  -o, --output TRACE  the trace file (default: ./PROG.pmt, PROG's "
          "base name);\n"
          "                      an old file of that name is removed first\n"
          "      --pmem PATH     a file mapped from PATH, or from under the "
          "directory\n"
          "                      PATH, is persistent memory (repeatable); "
          "pmem_map_file,\n"
          "                      PMDK pools and pmtrace_register() regions are "
          "found\n"
          "                      without it\n"
          "      --loads         trace loads from persistent memory too (for "
          "recovery runs)\n"
          "  -h, --help          this help\n\n"
          "PMEM_IS_PMEM_FORCE=1 is set unless already set: libpmem then treats "
          "the\n"
          "emulated pmem of a test machine as real pmem and uses flush "
          "instructions and\n"
          "fences, as it would in production, instead of msync; the trace then "
          "shows the\n"
          "ordering the program really relies on.\n\n"
          "Exit status: PROG's own, or 128+N when a signal N killed it (as a "
          "shell\n"
          "reports it); 2 when PROG cannot be run or leaves no readable "
          "trace, or an\n"
          "incomplete one (tracing stopped early: a full disk).\n",
          out);
}

/* path made absolute against the working directory, without resolving
 * links (the file may not exist yet). */
static char *path_absolute(const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    char cwd[PATH_MAX];
    char *abs = NULL;
    if (getcwd(cwd, sizeof(cwd)) == NULL ||
        asprintf(&abs, "%s/%s", cwd, path) < 0)
        return NULL;
    return abs;
}

/*
 * A --pmem path as the runtime will compare it with the target of
 * /proc/self/fd/N, which is canonical: resolve it, or its directory when
 * the file does not exist yet (the program will create it).
 */
static char *path_canonical(const char *path)
{
    char buf[PATH_MAX];
    if (realpath(path, buf) != NULL)
        return strdup(buf);
    char *dup_dir = strdup(path), *dup_base = strdup(path);
    char *result = NULL;
    if (dup_dir != NULL && dup_base != NULL &&
        realpath(dirname(dup_dir), buf) != NULL) {
        if (asprintf(&result, "%s/%s", buf, basename(dup_base)) < 0)
            result = NULL;
    } else {
        result = path_absolute(path);
    }
    free(dup_dir);
    free(dup_base);
    return result;
}

static int pmem_append(struct run_options *o, const char *path)
{
    if (strchr(path, ':') != NULL) {
        cli_error("--pmem path contains ':', which separates paths in %s "
                  "(%s)",
                  PMT_ENV_PMEM, path);
        return -1;
    }
    char *canon = path_canonical(path);
    char *joined = NULL;
    if (canon == NULL || asprintf(&joined, "%s%s%s", o->pmem ? o->pmem : "",
                                  o->pmem ? ":" : "", canon) < 0) {
        free(canon);
        cli_error("out of memory (--pmem %s)", path);
        return -1;
    }
    free(canon);
    free(o->pmem);
    o->pmem = joined;
    return 0;
}

static char *trace_default(const char *prog)
{
    const char *base = strrchr(prog, '/');
    char *name = NULL;
    if (asprintf(&name, "%s.pmt", base != NULL ? base + 1 : prog) < 0)
        return NULL;
    char *abs = path_absolute(name);
    free(name);
    return abs;
}

/* 0: parsed; 1: --help given; -1: usage error (printed). */
static int run_parse(int argc, char **argv, struct run_options *o)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},
        {"pmem", required_argument, NULL, 'p'},
        {"loads", no_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "+o:h", options, NULL)) != -1) {
        switch (opt) {
        case 'o':
            free(o->trace);
            o->trace = path_absolute(optarg);
            break;
        case 'p':
            if (pmem_append(o, optarg) != 0)
                return -1;
            break;
        case 'l':
            o->loads = true;
            break;
        case 'h':
            run_usage(stdout);
            return 1;
        default:
            return -1;
        }
    }
    if (optind >= argc) {
        cli_error("no program to run (pmcheck run [OPTIONS] -- PROG "
                  "[ARGS...])");
        return -1;
    }
    o->prog = argv + optind;
    if (o->trace == NULL)
        o->trace = trace_default(o->prog[0]);
    if (o->trace == NULL) {
        cli_error("cannot make the trace path absolute");
        return -1;
    }
    return 0;
}

static int run_environment(const struct run_options *o)
{
    int rc = setenv(PMT_ENV_FILE, o->trace, 1);
    if (o->pmem != NULL)
        rc |= setenv(PMT_ENV_PMEM, o->pmem, 1);
    else
        rc |= unsetenv(PMT_ENV_PMEM);
    if (o->loads)
        rc |= setenv(PMT_ENV_LOADS, "1", 1);
    else
        rc |= unsetenv(PMT_ENV_LOADS);
    rc |= setenv("PMEM_IS_PMEM_FORCE", "1", 0); /* see run_usage */
    if (rc != 0)
        cli_error("cannot set the program's environment: %s", strerror(errno));
    return rc;
}

/* In the child: exec PROG, or report errno through the pipe. */
static void child_exec(char **prog, const sigset_t *mask, int report_fd)
{
    sigprocmask(SIG_SETMASK, mask, NULL);
    execvp(prog[0], prog);
    int e = errno;
    if (write(report_fd, &e, sizeof(e)) < 0)
        _exit(127);
    _exit(127);
}

/*
 * Wait for the child, forwarding SIGINT and SIGTERM. The signals are
 * blocked and taken with sigwaitinfo, so no handler and no global state
 * are needed. A signal the terminal generated (si_code SI_KERNEL) went to
 * the whole foreground process group, the child included: forwarding it
 * would deliver it twice.
 */
static int child_wait(pid_t pid, const sigset_t *waitset, int *status)
{
    for (;;) {
        pid_t done = waitpid(pid, status, WNOHANG);
        if (done == pid)
            return 0;
        if (done < 0 && errno != EINTR) {
            cli_error("waiting for %d: %s", (int)pid, strerror(errno));
            return -1;
        }
        siginfo_t si;
        if (sigwaitinfo(waitset, &si) < 0)
            continue;
        if ((si.si_signo == SIGINT || si.si_signo == SIGTERM) &&
            si.si_code != SI_KERNEL)
            kill(pid, si.si_signo);
    }
}

/* Did the exec fail? The pipe closes on a successful exec (O_CLOEXEC). */
static int child_exec_error(int report_fd)
{
    int e = 0;
    ssize_t n;
    do {
        n = read(report_fd, &e, sizeof(e));
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof(e) ? e : 0;
}

static int run_child(char **prog, int *status)
{
    sigset_t waitset, oldmask;
    sigemptyset(&waitset);
    sigaddset(&waitset, SIGINT);
    sigaddset(&waitset, SIGTERM);
    sigaddset(&waitset, SIGCHLD);
    signal(SIGCHLD, SIG_DFL); /* an inherited SIG_IGN would reap the child */
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0 ||
        sigprocmask(SIG_BLOCK, &waitset, &oldmask) != 0) {
        cli_error("cannot run %s: %s", prog[0], strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0)
        child_exec(prog, &oldmask, fds[1]);
    close(fds[1]);
    int rc = -1;
    if (pid < 0) {
        cli_error("cannot run %s: fork: %s", prog[0], strerror(errno));
    } else {
        int exec_errno = child_exec_error(fds[0]);
        rc = child_wait(pid, &waitset, status);
        if (rc == 0 && exec_errno != 0) {
            cli_error("cannot run %s: %s", prog[0], strerror(exec_errno));
            rc = -1;
        }
    }
    close(fds[0]);
    sigprocmask(SIG_SETMASK, &oldmask, NULL);
    return rc;
}

/* Write how the program ended into the header's live fields. */
static int trace_record_end(const char *trace, int status)
{
    struct {
        uint32_t end_kind;
        int32_t end_code;
    } end;
    _Static_assert(offsetof(struct pmt_file_header, end_code) ==
                       offsetof(struct pmt_file_header, end_kind) + 4,
                   "end_kind and end_code are written together");
    if (WIFSIGNALED(status)) {
        end.end_kind = PMT_END_SIGNAL;
        end.end_code = WTERMSIG(status);
    } else {
        end.end_kind = PMT_END_EXIT;
        end.end_code = WEXITSTATUS(status);
    }
    int fd = open(trace, O_RDWR | O_CLOEXEC);
    struct stat st;
    uint32_t kind = 0;
    int rc = -1;
    /* A file shorter than a header is not a trace, and an incomplete one
     * (the runtime stopped tracing) must stay so: leave them as they are. */
    if (fd >= 0 && fstat(fd, &st) == 0 &&
        ((uint64_t)st.st_size < sizeof(struct pmt_file_header) ||
         (pread(fd, &kind, sizeof(kind),
                offsetof(struct pmt_file_header, end_kind)) ==
              (ssize_t)sizeof(kind) &&
          kind == PMT_END_STOPPED)))
        rc = 0;
    else if (fd >= 0 && pwrite(fd, &end, sizeof(end),
                               offsetof(struct pmt_file_header, end_kind)) ==
                            (ssize_t)sizeof(end))
        rc = 0;
    if (rc != 0)
        cli_error("cannot record the program's end in %s: %s", trace,
                  strerror(errno));
    if (fd >= 0)
        close(fd);
    return rc;
}

static int exit_status_of(int status)
{
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* Open the trace to check it, and say where it is. */
static int trace_announce(const char *trace)
{
    struct pmc_trace *t;
    struct pmc_error err;
    if (pmc_trace_open(trace, &t, &err) != 0) {
        cli_print_error(&err);
        return -1;
    }
    const struct pmc_trace_info *info = pmc_trace_info(t);
    char end[128];
    cli_describe_end(info->end_kind, info->end_code, end, sizeof(end));
    fprintf(stderr,
            "pmcheck: trace written to %s (%llu block%s, %u thread%s; "
            "program %s)\n",
            trace, (unsigned long long)info->blocks,
            info->blocks == 1 ? "" : "s", (unsigned)info->threads,
            info->threads == 1 ? "" : "s", end);
    /* Checking it would take its end for the program's: say so now. */
    int rc = 0;
    if (info->end_kind == PMT_END_STOPPED) {
        cli_error("%s: the trace is incomplete: the program ran on untraced "
                  "after tracing stopped (make room and run it again)",
                  trace);
        rc = -1;
    }
    pmc_trace_close(t);
    return rc;
}

/* A program killed in its first microseconds (before the runtime's
 * constructor completed the trace header, so before any event) leaves no
 * trace file, or one whose header is unfinished and that has no block. */
static bool trace_unstarted(const char *trace)
{
    struct pmt_file_header h;
    int fd = open(trace, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return true;
    bool whole = pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h);
    close(fd);
    if (!whole)
        return true;
    if (h.blocks_claimed != 0)
        return false;
    struct pmc_trace *t;
    if (pmc_trace_open(trace, &t, NULL) != 0)
        return true;
    pmc_trace_close(t);
    return false;
}

static int run_traced(const struct run_options *o)
{
    if (unlink(o->trace) != 0 && errno != ENOENT) {
        cli_error("cannot remove the old trace %s: %s", o->trace,
                  strerror(errno));
        return PMC_EXIT_USAGE;
    }
    int status;
    if (run_environment(o) != 0 || run_child(o->prog, &status) != 0)
        return PMC_EXIT_USAGE;
    if (access(o->trace, F_OK) != 0 && !WIFSIGNALED(status)) {
        cli_error("%s wrote no trace (was it built with pmcc?) (%s)",
                  o->prog[0], o->trace);
        return PMC_EXIT_USAGE;
    }
    if (trace_unstarted(o->trace)) {
        if (WIFSIGNALED(status)) {
            char end[128];
            cli_describe_end(PMT_END_SIGNAL, WTERMSIG(status), end,
                             sizeof(end));
            cli_error("%s %s before its trace was started: nothing was "
                      "traced (%s)",
                      o->prog[0], end, o->trace);
        } else {
            cli_error("%s could not start its trace (it said why above): "
                      "nothing was traced (%s)",
                      o->prog[0], o->trace);
        }
        return PMC_EXIT_USAGE;
    }
    if (trace_record_end(o->trace, status) != 0 ||
        trace_announce(o->trace) != 0)
        return PMC_EXIT_USAGE;
    return exit_status_of(status);
}

int cmd_run(int argc, char **argv)
{
    struct run_options o = {0};
    int rc = run_parse(argc, argv, &o);
    if (rc == 0)
        rc = run_traced(&o);
    else
        rc = rc > 0 ? PMC_EXIT_OK : cli_usage_error("run");
    free(o.trace);
    free(o.pmem);
    return rc;
}
