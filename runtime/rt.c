/*
 * rt.c - init, configuration, exit and fork (see rt.h).
 */
#include "rt.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "pmtrace_abi.h"
#include "recovery.h"
#include "regions.h"
#include "stream.h"
#include "tracefile.h"

enum rt_state {
    RT_OFF,    /* no PMTRACE_FILE, or it could not be created */
    RT_ACTIVE, /* this process owns the open trace */
    RT_CLOSED, /* the exit handler closed it */
    RT_FORKED, /* a fork child: the trace is the parent's */
};

int pmt_rt_recording_flag;

static struct {
    pthread_once_t once;
    int state; /* enum rt_state, atomic */
    bool loads;
    bool recovery; /* PMTRACE_RECOVERY=1 */
    bool stopped; /* pmt_rt_stop() has spoken */
    char **pmem_paths;
    size_t pmem_count;
} rt = {.once = PTHREAD_ONCE_INIT};

bool pmt_rt_forked(void)
{
    return __atomic_load_n(&rt.state, __ATOMIC_ACQUIRE) == RT_FORKED;
}

bool pmt_rt_loads_traced(void)
{
    return rt.loads;
}

bool pmt_rt_region_content_traced(void)
{
    return !rt.recovery;
}

bool pmt_rt_is_pmem_path(const char *path)
{
    for (size_t i = 0; i < rt.pmem_count; i++) {
        const char *p = rt.pmem_paths[i];
        size_t n = strlen(p);
        if (strncmp(path, p, n) != 0)
            continue;
        /* The path itself, or below it as a directory ("/" ends with its
         * own separator). */
        if (path[n] == '\0' || path[n] == '/' || (n > 0 && p[n - 1] == '/'))
            return true;
    }
    return false;
}

/* One PMTRACE_PMEM entry, canonical when it exists (mappings are matched
 * by the canonical path /proc/self/fd gives), without a trailing slash. */
static char *pmem_path_entry(const char *entry)
{
    char *canon = realpath(entry, NULL);
    char *p = canon != NULL ? canon : strdup(entry);
    if (p == NULL)
        return NULL;
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    return p;
}

static void read_pmem_paths(const char *list)
{
    if (list == NULL)
        return;
    char *copy = strdup(list);
    if (copy == NULL)
        return;
    size_t max = 1;
    for (const char *c = list; *c != '\0'; c++)
        max += *c == ':';
    rt.pmem_paths = calloc(max, sizeof(*rt.pmem_paths));
    char *save = NULL;
    for (char *e = strtok_r(copy, ":", &save); e != NULL && rt.pmem_paths;
         e = strtok_r(NULL, ":", &save)) {
        char *p = pmem_path_entry(e);
        if (p != NULL)
            rt.pmem_paths[rt.pmem_count++] = p;
    }
    free(copy);
}

void pmt_rt_stop(const char *why)
{
    __atomic_store_n(&pmt_rt_recording_flag, 0, __ATOMIC_SEQ_CST);
    pmt_regions_hide();
    if (!__atomic_exchange_n(&rt.stopped, true, __ATOMIC_ACQ_REL))
        fprintf(stderr, "pmtrace: %s; tracing stops\n", why);
}

/*
 * Normal exit (exit() or return from main), after the program's own
 * atexit handlers: they were registered after init, and handlers run in
 * reverse order. Recording stops, the threads still inside the runtime are
 * waited for, and only then EXIT is written, so it is the last record of
 * the trace (the durability point at exit comes after every event). Then
 * every block is sealed and the file cut to its exact size. None of this
 * happens at _exit, abort or a signal, and none of it needs to: the
 * completed records are all in the shared mapping already.
 */
static void rt_exit(int status, void *arg)
{
    (void)arg;
    int active = RT_ACTIVE;
    if (!__atomic_compare_exchange_n(&rt.state, &active, RT_CLOSED, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return;
    __atomic_store_n(&pmt_rt_recording_flag, 0, __ATOMIC_SEQ_CST);
    pmt_regions_hide();
    pmt_stream_stop();
    /* After a stop the trace misses events: an EXIT record would make its
     * end look like the program's exit, a durability point it is not. */
    bool stopped = __atomic_load_n(&rt.stopped, __ATOMIC_ACQUIRE);
    struct pmt_thread *t = stopped ? NULL : pmt_stream_enter_last();
    if (t != NULL) {
        struct pmt_body_exit body = {.status = status};
        pmt_emit_fixed(t, PMT_EXIT, 0, 0, &body, sizeof(body));
        pmt_stream_leave(t);
    }
    pmt_stream_seal_all();
    pmt_tracefile_close(PMT_END_EXIT, status);
}

/* The child of a fork runs untraced: its records would interleave with the
 * parent's in the same blocks (the mapping is shared). It drops its copy of
 * the mapping so that nothing can write there. */
static void rt_fork_child(void)
{
    if (__atomic_load_n(&rt.state, __ATOMIC_ACQUIRE) != RT_ACTIVE)
        return;
    __atomic_store_n(&rt.state, RT_FORKED, __ATOMIC_RELEASE);
    __atomic_store_n(&pmt_rt_recording_flag, 0, __ATOMIC_SEQ_CST);
    pmt_regions_hide();
    pmt_tracefile_forget();
}

static void rt_init_once(void)
{
    /* First: as a fork server this returns only in each run's child, whose
     * environment (PMTRACE_FILE included) is the run's (recovery.h). */
    pmt_recovery_init();
    /* secure_getenv: a set-uid program must not write where its caller's
     * environment says. */
    const char *path = secure_getenv(PMT_ENV_FILE);
    if (path == NULL || path[0] == '\0')
        return;
    const char *loads = secure_getenv(PMT_ENV_LOADS);
    rt.loads = loads != NULL && strcmp(loads, "1") == 0;
    const char *recovery = secure_getenv(PMT_ENV_RECOVERY);
    rt.recovery = recovery != NULL && strcmp(recovery, "1") == 0;
    uint32_t flags = (rt.loads ? PMT_FILE_LOADS : 0) |
                     (rt.recovery ? PMT_FILE_NO_CONTENT : 0);
    char why[256];
    if (pmt_tracefile_create(path, flags, why, sizeof(why)) != 0) {
        fprintf(stderr, "pmtrace: cannot create trace %s: %s\n", path, why);
        return;
    }
    if (pmt_stream_setup() != 0) {
        fprintf(stderr, "pmtrace: cannot create trace %s: %s\n", path,
                "no thread key left");
        pmt_tracefile_close(PMT_END_UNKNOWN, 0);
        return;
    }
    read_pmem_paths(secure_getenv(PMT_ENV_PMEM));
    pthread_atfork(NULL, NULL, rt_fork_child);
    on_exit(rt_exit, NULL);
    __atomic_store_n(&rt.state, RT_ACTIVE, __ATOMIC_RELEASE);
    __atomic_store_n(&pmt_rt_recording_flag, 1, __ATOMIC_RELEASE);
}

void pmt_rt_init(void)
{
    pthread_once(&rt.once, rt_init_once);
}

/* Before the program's constructors (default priority 65535) and after the
 * instrumented modules' (priority 1), which call __pmt_module_init_v1. */
__attribute__((constructor(101))) static void rt_constructor(void)
{
    pmt_rt_init();
}

PMT_EXPORT void __pmt_module_init_v1(void)
{
    pmt_rt_init();
}
