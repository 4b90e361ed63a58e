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

#define PMT_ASSERT_PERSISTED(addr, len)                                        \
    pmtrace_assert_persisted((addr), (size_t)(len))
#define PMT_ASSERT_ORDERED(a, alen, b, blen)                                   \
    pmtrace_assert_ordered((a), (size_t)(alen), (b), (size_t)(blen))
#define PMT_DURABLE() pmtrace_durable()
#define PMT_CRASH_POINT() pmtrace_crash_point()
#define PMT_COMMIT_VAR(addr, len) pmtrace_commit_var((addr), (size_t)(len))
#define PMT_MARKER(name) pmtrace_marker((name))

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

#endif

#ifdef __cplusplus
}
#endif

#endif /* PMTRACE_H */
