/*
 * entry.c - the entry points the pass calls after (or, for loads, before)
 * each instruction (pmtrace_abi.h).
 *
 * __pmt_store is the hot path of a store-heavy program: the pass calls it
 * only on a hull hit, and it runs with no lock, syscall or allocation - the
 * TLS busy flag, a scan of the (tiny) region table and, for pmem, a 32-byte
 * record plus one locked add for its sequence number.
 */
#include "pmtrace_abi.h"

#include "events.h"
#include "rt.h"
#include "stream.h"

static uint64_t addr_of(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

PMT_EXPORT void __pmt_store(void *addr, uint64_t size, struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_event_store(t, PMT_STORE, 0, site, addr_of(addr), size);
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_nt_store(void *addr, uint64_t size,
                               struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_event_store(t, PMT_NT_STORE, 0, site, addr_of(addr), size);
    pmt_stream_leave(t);
}

/* A locked RMW stores (when `stored`) and orders like MFENCE. On pmem the
 * STORE record with PMT_STORE_LOCKED says both. Elsewhere only the
 * ordering matters, and only if this thread has flushes or NT stores
 * waiting for a fence: the common DRAM atomic records nothing. */
PMT_EXPORT void __pmt_locked_rmw(void *addr, uint64_t size, uint32_t stored,
                                 struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    if (stored && pmt_event_store(t, PMT_STORE, PMT_STORE_LOCKED, site,
                                  addr_of(addr), size))
        t->pending = 0;
    else if (t->pending != 0)
        pmt_event_fence(t, site, PMT_FENCE_LOCKED);
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_fill(void *addr, uint32_t byte, uint64_t len,
                           struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_event_fill(t, site, addr_of(addr), len, (uint8_t)byte);
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_copy(void *dst, const void *src, uint64_t len,
                           struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_event_copy(t, site, addr_of(dst), addr_of(src), len);
    pmt_stream_leave(t);
}

/* A flush instruction writes back the whole 64-byte line its operand is
 * in: the record says which line. */
PMT_EXPORT void __pmt_flush(const void *addr, uint32_t kind,
                            struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_event_flush(t, site, addr_of(addr) & ~(uint64_t)63, 64, kind);
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_fence(uint32_t kind, struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_event_fence(t, site, kind);
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_load(const void *addr, uint64_t size,
                           struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_event_load(t, site, addr_of(addr), size);
    pmt_stream_leave(t);
}
