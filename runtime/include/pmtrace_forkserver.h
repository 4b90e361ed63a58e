/*
 * pmtrace_forkserver.h - how pmcheck's recovery runner (checker/runner.h)
 * talks to the process that starts its runs, and what a run finds in its
 * environment. Version 3.
 *
 * The fork server. The runner starts the recovery program once with
 * PMCHECK_FORKSERVER="C,S": C is the read end of a pipe the runner writes
 * requests to, S the write end of a pipe it reads answers from. A program
 * built with pmcc answers at its first constructor, before the program's
 * own constructors and before the runtime opens any trace: it writes a
 * hello on S and from then on serves. For each request it forks; the child
 * sets the run up (below) and returns into the program, which runs main as
 * usual; the server answers with the child's pid, then - once the child
 * and everything it left behind are gone - with the child's wait status.
 * End of file on C ends the server (and kills a run in progress). A
 * program whose file lacks PMT_FS_MARKER, or that does not say hello
 * within a short time, is not a fork server: the runner then starts a
 * supervisor of its own that serves the same protocol and execs the
 * command for each run (runtime/forkserver.c is shared by both).
 *
 * A run, in the child, before the program goes on: its own process group
 * (the runner kills the group at the time limit); SIGKILL when the server
 * dies; no core dumps; the request's rlimits; the request's working
 * directory; the request's environment edits; the protocol pipes closed.
 * The server is a subreaper: processes a run leaves behind, even in
 * another process group or session, end up its children and are killed
 * and reaped before the server reports the run's end.
 *
 * Messages are fixed-size structs in host byte order, each written with
 * one write(2) (at most PIPE_BUF bytes, so it arrives whole); a request is
 * followed by its strings. Both ends are on one machine, built from this
 * header.
 */
#ifndef PMTRACE_FORKSERVER_H
#define PMTRACE_FORKSERVER_H

#include <stdint.h>

#define PMT_FS_VERSION 3

/* In the file of every program that can serve: the runner looks for it
 * before it starts a program with PMCHECK_FORKSERVER, so that a program
 * that cannot serve is never run just to find that out. */
#define PMT_FS_MARKER "pmtrace: fork server, protocol version 3"

/* "C,S": the server's request and answer descriptors. Unset by the server
 * before its first fork, so nothing a run starts sees it. */
#define PMT_FS_ENV "PMCHECK_FORKSERVER"

/* The runner's image files, ':'-separated (the runner names them without
 * ':'). In a program built with pmcc, every mapping of one of these files
 * is made MAP_PRIVATE, so a recovery never writes the crash image (see
 * runtime/interpose_mmap.c). Set for the server, inherited by every run. */
#define PMT_FS_ENV_IMAGES "PMCHECK_IMAGES"

/* Faults of one run (checker/runner.h, struct pmc_run_faults), honoured by
 * a program built with pmcc:
 *  - PMCHECK_POISON=OFFSET: the page of image 0 that holds byte OFFSET
 *    raises SIGBUS when touched, in every mapping of the image;
 *  - PMCHECK_FAIL_ALLOC=N: the Nth PMDK allocation of the run fails with
 *    ENOMEM (transactional ones abort their transaction). */
#define PMT_FS_ENV_POISON "PMCHECK_POISON"
#define PMT_FS_ENV_FAIL_ALLOC "PMCHECK_FAIL_ALLOC"

#define PMT_FS_MAGIC_HELLO 0x4f4c4548u   /* "HELO" */
#define PMT_FS_MAGIC_REQUEST 0x4e555252u /* "RRUN" */
#define PMT_FS_MAGIC_STARTED 0x54525453u /* "STRT" */
#define PMT_FS_MAGIC_ENDED 0x45444e45u   /* "ENDE" */

/* Server -> runner, once, first. */
struct pmt_fs_hello {
    uint32_t magic;
    uint32_t version; /* PMT_FS_VERSION */
    int32_t pid;      /* the server's */
    uint32_t reserved;
};

/* The most bytes of strings a request may carry. */
#define PMT_FS_MAX_STRINGS (1u << 20)

/* Runner -> server: run once. strings_size bytes of NUL-terminated strings
 * follow: the run's working directory, then environment edits in order,
 * "NAME=VALUE" to set NAME, "NAME" to unset it. */
struct pmt_fs_request {
    uint32_t magic;
    uint32_t strings_size;
    uint64_t rlimit_as;    /* RLIMIT_AS in bytes; 0: unchanged */
    uint64_t rlimit_nproc; /* RLIMIT_NPROC; 0: unchanged */
    uint32_t flags;        /* PMT_FS_REQUEST_* */
    uint32_t reserved;
};

/* Persistent mode. A run's process that calls pmtrace_recovery_next()
 * (pmtrace.h) offers to recover the next state itself: the server reports
 * the run ended with the status it passed, keeps the process stopped in
 * that call, and hands it the next request that allows it - one that is
 * PMT_FS_REQUEST_REUSABLE, not PMT_FS_REQUEST_NEW_PROCESS, with the same
 * limits. The process then changes to the request's directory, applies
 * its environment edits and goes on with the next state; its pid and
 * process group stay those of the first run. Any other request, or end of
 * file, kills it first.
 *  - REUSABLE: the run needs nothing a process sets up at its start (no
 *    injected fault, no trace of the recovery): it may run in a waiting
 *    process, and its own process may offer to take later runs.
 *  - NEW_PROCESS: not in a waiting one all the same. The runner says so
 *    after a run that did not pass: a run killed at its time limit may
 *    have said it was done in the same instant, and its process must not
 *    be handed the next run.
 *
 * A process is kept only when its run passed (on a failure the runtime
 * does not offer it: the program ends as it would have), while it is
 * alone (one thread, no child: the runtime checks), and for at most
 * PMT_FS_MAX_RUNS_PER_PROCESS runs, so that what a recovery leaks from
 * state to state stays bounded. Before it reports such a run's end, the
 * server kills and reaps every other process below it (daemons the run
 * left, reparented to the server). */
#define PMT_FS_REQUEST_REUSABLE 1u
#define PMT_FS_REQUEST_NEW_PROCESS 2u
#define PMT_FS_MAX_RUNS_PER_PROCESS 1000u

/* Server -> runner: the run's process, also its process group; -errno
 * when fork failed (no ended message follows then). */
struct pmt_fs_started {
    uint32_t magic;
    int32_t pid;
    uint32_t process_runs; /* this run included: 1 in a new process */
    uint32_t reserved;
};

/* Server -> runner: the run is over and nothing it started is left - or,
 * in persistent mode, its process waits for the next state. */
struct pmt_fs_ended {
    uint32_t magic;
    int32_t wait_status;  /* as waitpid(2) gives it */
    uint64_t max_rss_kib; /* the run's peak resident set (getrusage) */
};

/*
 * The loop that serves this protocol, runtime/forkserver.c: compiled into
 * the runtime (a program built with pmcc serves its own runs) and into
 * pmcheck (its supervisor, checker/supervisor.h), as crc32c.c is; it
 * needs only libc.
 *  - pmt_fs_serve(ctl, status, next_fd) writes the hello on status, then
 *    serves the requests read from ctl until end of file, and then
 *    _exit(0)s: in the server it never returns. It returns 0 in the child
 *    of each run, set up as above, with ctl and status closed; and -1
 *    (errno set) when the hello cannot be written: the caller is no fork
 *    server and goes on as it would have. With next_fd non-NULL the server
 *    offers persistent mode: a run's child gets in *next_fd the descriptor
 *    to pass pmt_fs_next_run (-1 when its request did not allow it).
 *  - pmt_fs_next_run(fd, status), in a run's child that is alone (one
 *    thread, no child): the run is over with exit status status. It
 *    returns 1 when the next request has been applied to this process
 *    (directory, environment) and it is to go on with it; 0 at once when
 *    fd is -1, status is not 0 or the server would not take the offer:
 *    the process then ends as it would have. A process the server does
 *    not hand a next run is killed in the call. It flushes stdio first,
 *    so what the run wrote is out when its end is reported.
 *  - The caller must be single-threaded and have no child: fork copies one
 *    thread, and the server reaps and kills every child it has.
 *  - The server takes no lock and uses no stdio stream; it uses the heap
 *    for the request it holds, and once, before its first fork, fills the
 *    rest of the 2 MiB range at the top of its heap (up to 2 MiB, kept) so
 *    that the runs' heaps start at a huge-page boundary. A run's child starts with the caller's
 *    state, plus what the request says.
 */
int pmt_fs_serve(int ctl, int status, int *next_fd);
int pmt_fs_next_run(int fd, int status);

#endif /* PMTRACE_FORKSERVER_H */
