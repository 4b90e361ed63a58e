/*
 * rt.h - the runtime's life cycle and configuration: whether tracing is on,
 * what the environment asked for, and what happens at init, exit and fork.
 *
 * Contract:
 *  - pmt_rt_init() is idempotent and thread-safe. It runs from a priority
 *    101 constructor and from __pmt_module_init_v1 (the instrumented
 *    modules' constructors run first, at priority 1), whichever comes first.
 *  - pmt_rt_recording() is the first test of every entry point: a relaxed
 *    load of a flag that init sets once and that is cleared at exit, in a
 *    fork child, or when the trace cannot grow. While it is clear, entry
 *    points return at once. Entry points test it again after raising their
 *    per-thread busy flag (stream.h), which is what lets the exit handler
 *    know when other threads are done writing.
 *  - pmt_rt_forked() says this process is the fork child of a traced
 *    process: the trace, its mapping and the runtime's locks belong to the
 *    parent, and nothing in the child may touch them.
 */
#ifndef PMT_RT_H
#define PMT_RT_H

#include <stdbool.h>

/* Entry points the pass and the program call keep default visibility; the
 * rest of the library is compiled with -fvisibility=hidden. */
#define PMT_EXPORT __attribute__((visibility("default")))

/* 1 while events are recorded. Read with pmt_rt_recording(). */
extern int pmt_rt_recording_flag;

static inline bool pmt_rt_recording(void)
{
    return __atomic_load_n(&pmt_rt_recording_flag, __ATOMIC_RELAXED) != 0;
}

void pmt_rt_init(void);

/* This process is a fork child of a traced process: hands off. */
bool pmt_rt_forked(void);

/* PMTRACE_LOADS=1: loads are traced and the load hull follows the store
 * hull. */
bool pmt_rt_loads_traced(void);

/* False under PMTRACE_RECOVERY=1: no REGION_DATA. */
bool pmt_rt_region_content_traced(void);

/* Is this file (an absolute, canonical path) under one of the PMTRACE_PMEM
 * paths: the path itself or a directory above it? */
bool pmt_rt_is_pmem_path(const char *path);

/* Stop recording for good (the trace cannot grow): one line on stderr
 * saying why, then the program runs on untraced. The trace stays valid and
 * is still closed at exit, without an EXIT record (its header says it is
 * incomplete: see pmt_tracefile_claim). */
void pmt_rt_stop(const char *why);

#endif /* PMT_RT_H */
