/*
 * pmtrace.h - what a program may tell pmcheck. All of it is optional.
 *
 * Built with pmcc (which defines __PMTRACE__), the annotations below record
 * events in the trace at the line where they are written. Built with any
 * other compiler they compile to nothing, and their arguments are not
 * evaluated, so a program that includes this header still builds and runs
 * with plain cc.
 *
 *   PMT_ASSERT_PERSISTED(addr, len)        the range must be guaranteed
 *                                          persistent here
 *   PMT_ASSERT_ORDERED(a, alen, b, blen)   range a must persist no later
 *                                          than range b
 *   PMT_DURABLE()                          a durability point: everything
 *                                          stored so far must be persistent
 *   PMT_CRASH_POINT()                      an extra crash point for
 *                                          `pmcheck crash`
 *   PMT_COMMIT_VAR(addr, len)              a commit variable: recovery may
 *                                          read it while it is uncertain
 *   PMT_MARKER(name)                       a named marker; recovery runs see
 *                                          the markers passed before their
 *                                          crash point in PMCHECK_MARKERS
 *   PMT_RECOVERY_NEXT(status)              persistent mode, below
 *
 * Persistent mode. `pmcheck crash` starts a new process for each crash
 * state it recovers; a recovery can instead take state after state in one
 * process, which spares the process start and warms what it allocates
 * (libpmemobj's pool open costs half as much in a warm process):
 *
 *     int status;
 *     do
 *         status = recover(argv[1]);   open the pool, check it, close it
 *     while (PMT_RECOVERY_NEXT(status));
 *     return status;
 *
 * PMT_RECOVERY_NEXT(status) ends the recovery of one state with exit
 * status status (0: it passed). It returns nonzero when the next state is
 * ready: the image files named on the command line hold it (the same
 * paths), the working directory and environment are the next run's. It
 * returns 0 at once - the program then ends as usual, its exit the
 * state's outcome - when status is not 0, when the process has another
 * thread or a child, when it is not run by `pmcheck crash`'s fork server,
 * and when built without pmcc. When pmcheck has no next state for this
 * process (the next one needs a fresh process: a fault, `--loads`; or
 * the process has had 1,000), it ends the process in the call. Between
 * states the program must hold nothing of the last one: the pool closed,
 * its threads joined, its children waited for, no memory derived from
 * the image kept, no timer or signal pending.
 *
 * pmtrace_register(addr, len, name) declares [addr, addr + len) persistent
 * memory when pmcheck cannot learn it from pmem_map_file, a PMDK pool or a
 * mapping of a file under `pmcheck run --pmem PATH`; pmtrace_unregister()
 * ends it, as an unmap would (a durability point). Both return 0, or -1 when
 * the range is invalid or overlaps a region already known.
 */
#ifndef PMTRACE_H
#define PMTRACE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__PMTRACE__)

int pmtrace_register(void *addr, size_t len, const char *name);
int pmtrace_unregister(void *addr, size_t len);
void pmtrace_assert_persisted(const void *addr, size_t len);
void pmtrace_assert_ordered(const void *a, size_t alen, const void *b,
                            size_t blen);
void pmtrace_durable(void);
void pmtrace_crash_point(void);
void pmtrace_commit_var(const void *addr, size_t len);
void pmtrace_marker(const char *name);
int pmtrace_recovery_next(int status);

#define PMT_ASSERT_PERSISTED(addr, len)                                        \
    pmtrace_assert_persisted((addr), (size_t)(len))
#define PMT_ASSERT_ORDERED(a, alen, b, blen)                                   \
    pmtrace_assert_ordered((a), (size_t)(alen), (b), (size_t)(blen))
#define PMT_DURABLE() pmtrace_durable()
#define PMT_CRASH_POINT() pmtrace_crash_point()
#define PMT_COMMIT_VAR(addr, len) pmtrace_commit_var((addr), (size_t)(len))
#define PMT_MARKER(name) pmtrace_marker((name))
#define PMT_RECOVERY_NEXT(status) pmtrace_recovery_next((status))

#else /* not built with pmcc: nothing at all */

static inline int pmtrace_register(void *addr, size_t len, const char *name)
{
    (void)addr;
    (void)len;
    (void)name;
    return 0;
}

static inline int pmtrace_unregister(void *addr, size_t len)
{
    (void)addr;
    (void)len;
    return 0;
}

/* sizeof does not evaluate its operand, yet the names count as used. */
#define PMT_ASSERT_PERSISTED(addr, len) ((void)sizeof(addr), (void)sizeof(len))
#define PMT_ASSERT_ORDERED(a, alen, b, blen)                                   \
    ((void)sizeof(a), (void)sizeof(alen), (void)sizeof(b), (void)sizeof(blen))
#define PMT_DURABLE() ((void)0)
#define PMT_CRASH_POINT() ((void)0)
#define PMT_COMMIT_VAR(addr, len) ((void)sizeof(addr), (void)sizeof(len))
#define PMT_MARKER(name) ((void)sizeof(name))
#define PMT_RECOVERY_NEXT(status) ((void)sizeof(status), 0)

#endif

#ifdef __cplusplus
}
#endif

#endif /* PMTRACE_H */
