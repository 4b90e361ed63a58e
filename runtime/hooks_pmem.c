/*
 * hooks_pmem.c - the program's own calls of libpmem's flushes, drains and
 * copies, with their documented semantics (pmem_persist(3),
 * pmem_memcpy(3)): a library flush is FLUSH(addr, len, PMT_FLUSH_LIB), a
 * drain is FENCE(PMT_FENCE_LIB), a copy is the STORE it made followed by the
 * flush and drain it promises. The stores libpmem makes inside are not
 * instrumented; the hook reads back what the call wrote.
 *
 * As everywhere, only the parts of a write inside a region are STOREs; a
 * flush is recorded wherever it points.
 */
#include "hooks.h"

#include "events.h"
#include "lib_semantics.h"
#include "pmdk_abi.h"
#include "rt.h"
#include "stream.h"

static uint64_t addr_of(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

static void lib_steps(struct pmt_thread *t, struct __pmt_site *site,
                      const void *addr, size_t len, unsigned steps)
{
    if (steps & PMT_LIB_FLUSH)
        pmt_event_flush(t, site, addr_of(addr), len, PMT_FLUSH_LIB);
    if (steps & PMT_LIB_FENCE)
        pmt_event_fence(t, site, PMT_FENCE_LIB);
}

void pmt_lib_persist(const void *addr, size_t len, unsigned steps,
                     struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    lib_steps(t, site, addr, len, steps);
    pmt_stream_leave(t);
}

void pmt_lib_copy(void *dst, const void *src, size_t len, unsigned store_kind,
                  unsigned steps, struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    if (pmt_rt_loads_traced())
        pmt_event_load(t, site, addr_of(src), len);
    pmt_event_store(t, store_kind, 0, site, addr_of(dst), len);
    lib_steps(t, site, dst, len, steps);
    pmt_stream_leave(t);
}

void pmt_lib_fill(void *dst, int byte, size_t len, unsigned steps,
                  struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_event_fill(t, site, addr_of(dst), len, (uint8_t)byte);
    lib_steps(t, site, dst, len, steps);
    pmt_stream_leave(t);
}

/* PMEM_F_MEM_NOFLUSH implies PMEM_F_MEM_NODRAIN (pmem_memcpy(3)). */
unsigned pmt_lib_steps_of_flags(unsigned flags)
{
    if (flags & PMT_PMEM_F_MEM_NOFLUSH)
        return 0;
    return PMT_LIB_FLUSH | (flags & PMT_PMEM_F_MEM_NODRAIN ? 0 : PMT_LIB_FENCE);
}

/* NOFLUSH copies with plain stores, whatever else the flags ask for: only
 * a flushed copy can be non-temporal. */
unsigned pmt_lib_store_kind_of_flags(unsigned flags)
{
    bool nt = (flags & PMT_PMEM_F_MEM_NONTEMPORAL) &&
              !(flags & PMT_PMEM_F_MEM_NOFLUSH);
    return nt ? PMT_NT_STORE : PMT_STORE;
}

/* ---- flushes and drains ---------------------------------------------- */

PMT_EXPORT void __pmt_post_pmem_persist(const void *addr, size_t len,
                                        struct __pmt_site *site)
{
    pmt_lib_persist(addr, len, PMT_LIB_FLUSH | PMT_LIB_FENCE, site);
}

PMT_EXPORT void __pmt_post_pmem_flush(const void *addr, size_t len,
                                      struct __pmt_site *site)
{
    pmt_lib_persist(addr, len, PMT_LIB_FLUSH, site);
}

PMT_EXPORT void __pmt_post_pmem_drain(struct __pmt_site *site)
{
    pmt_lib_persist(NULL, 0, PMT_LIB_FENCE, site);
}

/* msync and the deep variants can fail (-1): then nothing was made
 * persistent. */
PMT_EXPORT void __pmt_post_pmem_msync(int result, const void *addr, size_t len,
                                      struct __pmt_site *site)
{
    if (result == 0)
        pmt_lib_persist(addr, len, PMT_LIB_FLUSH | PMT_LIB_FENCE, site);
}

PMT_EXPORT void __pmt_post_pmem_deep_persist(int result, const void *addr,
                                             size_t len,
                                             struct __pmt_site *site)
{
    if (result == 0)
        pmt_lib_persist(addr, len, PMT_LIB_FLUSH | PMT_LIB_FENCE, site);
}

PMT_EXPORT void __pmt_post_pmem_deep_flush(const void *addr, size_t len,
                                           struct __pmt_site *site)
{
    pmt_lib_persist(addr, len, PMT_LIB_FLUSH, site);
}

PMT_EXPORT void __pmt_post_pmem_deep_drain(int result, const void *addr,
                                           size_t len, struct __pmt_site *site)
{
    (void)addr;
    (void)len;
    if (result == 0)
        pmt_lib_persist(NULL, 0, PMT_LIB_FENCE, site);
}

/* ---- copies that flush ------------------------------------------------ */

PMT_EXPORT void __pmt_post_pmem_memcpy_persist(void *result, void *dst,
                                               const void *src, size_t len,
                                               struct __pmt_site *site)
{
    (void)result;
    pmt_lib_copy(dst, src, len, PMT_STORE, PMT_LIB_FLUSH | PMT_LIB_FENCE, site);
}

PMT_EXPORT void __pmt_post_pmem_memcpy_nodrain(void *result, void *dst,
                                               const void *src, size_t len,
                                               struct __pmt_site *site)
{
    (void)result;
    pmt_lib_copy(dst, src, len, PMT_STORE, PMT_LIB_FLUSH, site);
}

PMT_EXPORT void __pmt_post_pmem_memmove_persist(void *result, void *dst,
                                                const void *src, size_t len,
                                                struct __pmt_site *site)
{
    (void)result;
    pmt_lib_copy(dst, src, len, PMT_STORE, PMT_LIB_FLUSH | PMT_LIB_FENCE, site);
}

PMT_EXPORT void __pmt_post_pmem_memmove_nodrain(void *result, void *dst,
                                                const void *src, size_t len,
                                                struct __pmt_site *site)
{
    (void)result;
    pmt_lib_copy(dst, src, len, PMT_STORE, PMT_LIB_FLUSH, site);
}

PMT_EXPORT void __pmt_post_pmem_memset_persist(void *result, void *dst,
                                               int byte, size_t len,
                                               struct __pmt_site *site)
{
    (void)result;
    pmt_lib_fill(dst, byte, len, PMT_LIB_FLUSH | PMT_LIB_FENCE, site);
}

PMT_EXPORT void __pmt_post_pmem_memset_nodrain(void *result, void *dst,
                                               int byte, size_t len,
                                               struct __pmt_site *site)
{
    (void)result;
    pmt_lib_fill(dst, byte, len, PMT_LIB_FLUSH, site);
}

PMT_EXPORT void __pmt_post_pmem_memcpy(void *result, void *dst, const void *src,
                                       size_t len, unsigned flags,
                                       struct __pmt_site *site)
{
    (void)result;
    pmt_lib_copy(dst, src, len, pmt_lib_store_kind_of_flags(flags),
                 pmt_lib_steps_of_flags(flags), site);
}

PMT_EXPORT void __pmt_post_pmem_memmove(void *result, void *dst,
                                        const void *src, size_t len,
                                        unsigned flags, struct __pmt_site *site)
{
    (void)result;
    pmt_lib_copy(dst, src, len, pmt_lib_store_kind_of_flags(flags),
                 pmt_lib_steps_of_flags(flags), site);
}

/* A fill has no non-temporal record kind; a filled range followed by its
 * flush and drain persists exactly as non-temporal stores would. */
PMT_EXPORT void __pmt_post_pmem_memset(void *result, void *dst, int byte,
                                       size_t len, unsigned flags,
                                       struct __pmt_site *site)
{
    (void)result;
    pmt_lib_fill(dst, byte, len, pmt_lib_steps_of_flags(flags), site);
}
