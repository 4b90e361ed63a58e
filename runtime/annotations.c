/*
 * annotations.c - <pmtrace.h>: the annotations, and pmtrace_register /
 * pmtrace_unregister.
 *
 * The pass replaces a call of pmtrace_X(args) by __pmt_at_pmtrace_X(args,
 * site); the plain functions serve calls it did not rewrite (a function
 * pointer, a module built without the pass) and record site 0.
 */
#define __PMTRACE__ 1 /* what pmcc defines: the real declarations */
#include "pmtrace.h"

#include "hooks.h"

#include "emit.h"
#include "names.h"
#include "regions.h"
#include "rt.h"
#include "stream.h"

static uint64_t addr_of(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

PMT_EXPORT int __pmt_at_pmtrace_register(void *addr, size_t len,
                                         const char *name,
                                         struct __pmt_site *site)
{
    /* A constructor of code not built with pmcc may register memory before
     * the runtime's own constructor ran. */
    pmt_rt_init();
    /* Untraced, the program behaves as built without pmcc: success. */
    if (!pmt_rt_recording())
        return 0;
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return -1; /* called from a signal handler inside the runtime */
    struct pmt_region_source src = {
        .addr = addr_of(addr),
        .len = len,
        .name = name != NULL ? name : "",
        .flags = PMT_REGION_USER,
        .fd = -1,
        .file_offset = 0,
    };
    int rc = addr == NULL ? -1 : pmt_regions_add(t, &src, site);
    pmt_stream_leave(t);
    return rc;
}

/* 0 when some region met the range (all such regions end), -1 if none. */
PMT_EXPORT int __pmt_at_pmtrace_unregister(void *addr, size_t len,
                                           struct __pmt_site *site)
{
    if (!pmt_rt_recording())
        return 0;
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return -1;
    int removed = pmt_regions_remove(t, addr_of(addr), len, site);
    pmt_stream_leave(t);
    return removed > 0 ? 0 : -1;
}

static void annotate_range(unsigned kind, const void *addr, size_t len,
                           struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_emit_range(t, kind, 0, pmt_site_id(t, site), addr_of(addr), len);
    pmt_stream_leave(t);
}

static void annotate(unsigned kind, struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_emit_fixed(t, kind, 0, pmt_site_id(t, site), NULL, 0);
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_at_pmtrace_assert_persisted(const void *addr, size_t len,
                                                  struct __pmt_site *site)
{
    annotate_range(PMT_ASSERT_PERSISTED, addr, len, site);
}

PMT_EXPORT void __pmt_at_pmtrace_assert_ordered(const void *a, size_t alen,
                                                const void *b, size_t blen,
                                                struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    struct pmt_body_range2 body = {addr_of(a), alen, addr_of(b), blen};
    pmt_emit_fixed(t, PMT_ASSERT_ORDERED, 0, pmt_site_id(t, site), &body,
                   sizeof(body));
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_at_pmtrace_durable(struct __pmt_site *site)
{
    annotate(PMT_DURABLE, site);
}

PMT_EXPORT void __pmt_at_pmtrace_crash_point(struct __pmt_site *site)
{
    annotate(PMT_CRASH_POINT, site);
}

PMT_EXPORT void __pmt_at_pmtrace_commit_var(const void *addr, size_t len,
                                            struct __pmt_site *site)
{
    annotate_range(PMT_COMMIT_VAR, addr, len, site);
}

PMT_EXPORT void __pmt_at_pmtrace_marker(const char *name,
                                        struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    uint32_t sid = pmt_site_id(t, site);
    struct pmt_body_marker body = {
        .name = pmt_names_string(t, name != NULL ? name : ""),
    };
    pmt_emit_fixed(t, PMT_MARKER, 0, sid, &body, sizeof(body));
    pmt_stream_leave(t);
}

/* ---- the same, called directly: no site ------------------------------ */

PMT_EXPORT int pmtrace_register(void *addr, size_t len, const char *name)
{
    return __pmt_at_pmtrace_register(addr, len, name, NULL);
}

PMT_EXPORT int pmtrace_unregister(void *addr, size_t len)
{
    return __pmt_at_pmtrace_unregister(addr, len, NULL);
}

PMT_EXPORT void pmtrace_assert_persisted(const void *addr, size_t len)
{
    __pmt_at_pmtrace_assert_persisted(addr, len, NULL);
}

PMT_EXPORT void pmtrace_assert_ordered(const void *a, size_t alen,
                                       const void *b, size_t blen)
{
    __pmt_at_pmtrace_assert_ordered(a, alen, b, blen, NULL);
}

PMT_EXPORT void pmtrace_durable(void)
{
    __pmt_at_pmtrace_durable(NULL);
}

PMT_EXPORT void pmtrace_crash_point(void)
{
    __pmt_at_pmtrace_crash_point(NULL);
}

PMT_EXPORT void pmtrace_commit_var(const void *addr, size_t len)
{
    __pmt_at_pmtrace_commit_var(addr, len, NULL);
}

PMT_EXPORT void pmtrace_marker(const char *name)
{
    __pmt_at_pmtrace_marker(name, NULL);
}
