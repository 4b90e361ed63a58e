/*
 * interpose_pmem.c - libpmem's flushes and copies, interposed, so that the
 * writes of libraries built without the pass (libpmemobj) reach the trace.
 *
 * libpmemobj writes pmem only through libpmem's exported functions, called
 * through its PLT (nm -D --undefined-only libpmemobj.so.1). pmcc exports
 * the definitions below from the executable (pmtrace.dynlist), so the
 * dynamic linker binds those calls here; each forwards to libpmem's own
 * function (dlsym(RTLD_NEXT), resolved once) and then, when the caller was
 * a library, records LIB_WRITE records with the bytes now in the part of
 * the range inside pmem regions: the flushed range for the flushes, the
 * destination for the copies. The model takes a LIB_WRITE as persistent
 * at once, and the crash images as part of the pool.
 *
 * Calls that only forward:
 *  - from the program itself (the return address is in the main
 *    executable): the pass's POST hooks model those with the program's
 *    sites (hooks_pmem.c);
 *  - made while the program is inside one of libpmemobj's flush calls
 *    (pmemobj_persist, pmemobj_memcpy_persist, ...): that call's POST hook
 *    models it (hooks_pmemobj.c), and recording the library's flush as
 *    well would model one flush twice;
 *  - nested in another interposed call (libpmem calls its own exported
 *    functions through its PLT: pmem_persist calls pmem_flush).
 * A failed msync persisted nothing and records nothing. The drains record
 * nothing: a LIB_WRITE is persistent already.
 *
 * The definitions are weak: a program that defines a function of the same
 * name keeps its own (and loses only this recording).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "program_text.h"
#include "regions.h"
#include "rt.h"
#include "stream.h"

#define PMT_INTERPOSER __attribute__((weak, visibility("default")))

/* libpmem.h 1.12, which the runtime does not include. */
void pmem_persist(const void *addr, size_t len);
void pmem_flush(const void *addr, size_t len);
void pmem_drain(void);
int pmem_msync(const void *addr, size_t len);
void pmem_deep_flush(const void *addr, size_t len);
int pmem_deep_drain(const void *addr, size_t len);
int pmem_deep_persist(const void *addr, size_t len);
void *pmem_memcpy(void *dst, const void *src, size_t len, unsigned flags);
void *pmem_memmove(void *dst, const void *src, size_t len, unsigned flags);
void *pmem_memset(void *dst, int c, size_t len, unsigned flags);
void *pmem_memcpy_persist(void *dst, const void *src, size_t len);
void *pmem_memmove_persist(void *dst, const void *src, size_t len);
void *pmem_memset_persist(void *dst, int c, size_t len);
void *pmem_memcpy_nodrain(void *dst, const void *src, size_t len);
void *pmem_memmove_nodrain(void *dst, const void *src, size_t len);
void *pmem_memset_nodrain(void *dst, int c, size_t len);

/* ---- the real functions ----------------------------------------------- */

#define REAL_FNS(X)                                                            \
    X(pmem_persist)                                                            \
    X(pmem_flush)                                                              \
    X(pmem_drain)                                                              \
    X(pmem_msync)                                                              \
    X(pmem_deep_flush)                                                         \
    X(pmem_deep_drain)                                                         \
    X(pmem_deep_persist)                                                       \
    X(pmem_memcpy)                                                             \
    X(pmem_memmove)                                                            \
    X(pmem_memset)                                                             \
    X(pmem_memcpy_persist)                                                     \
    X(pmem_memmove_persist)                                                    \
    X(pmem_memset_persist)                                                     \
    X(pmem_memcpy_nodrain)                                                     \
    X(pmem_memmove_nodrain)                                                    \
    X(pmem_memset_nodrain)

enum real_fn {
#define REAL_ENUM(name) REAL_##name,
    REAL_FNS(REAL_ENUM)
#undef REAL_ENUM
        REAL_COUNT
};

static const char *const real_names[REAL_COUNT] = {
#define REAL_NAME(name) #name,
    REAL_FNS(REAL_NAME)
#undef REAL_NAME
};

typedef void (*any_fn)(void);

/* Resolved on first use; a race resolves twice, to the same address. */
static any_fn real_fns[REAL_COUNT];

static any_fn real_resolve(enum real_fn f)
{
    void *sym = dlsym(RTLD_NEXT, real_names[f]);
    if (sym == NULL) {
        /* Only a program that calls libpmem without linking it gets here
         * (our definition satisfied its link): nothing to forward to. */
        fprintf(stderr,
                "pmtrace: %s: libpmem is not loaded (link with -lpmem)\n",
                real_names[f]);
        abort();
    }
    any_fn fn;
    memcpy(&fn, &sym, sizeof(fn)); /* POSIX: dlsym's result is callable */
    __atomic_store_n(&real_fns[f], fn, __ATOMIC_RELEASE);
    return fn;
}

static inline any_fn real(enum real_fn f)
{
    any_fn fn = __atomic_load_n(&real_fns[f], __ATOMIC_ACQUIRE);
    return __builtin_expect(fn != NULL, 1) ? fn : real_resolve(f);
}

#define REAL(name) ((__typeof__(&name))real(REAL_##name))

/* ---- recording -------------------------------------------------------- */

static uint64_t addr_of(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

/* Bracket a forwarded call: nested interposed calls only forward. */
static inline struct pmt_pmdk_thread *forward_begin(void)
{
    struct pmt_pmdk_thread *p = &pmt_self.pmdk;
    p->nesting++;
    return p;
}

/* After the forwarded call: should its writes be recorded? Cheap tests
 * first: most calls come from a library while tracing is on. */
static inline bool forward_end(struct pmt_pmdk_thread *p, void *return_addr)
{
    return --p->nesting == 0 && p->quiet == 0 && pmt_rt_recording() &&
           !pmt_program_text_has((uintptr_t)return_addr);
}

static void lib_write(const void *addr, size_t len)
{
    if (len == 0 || !pmt_hull_meets(addr_of(addr), len))
        return;
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_event_store(t, PMT_LIB_WRITE, 0, t->pmdk.call_site, addr_of(addr), len);
    pmt_stream_leave(t);
}

#define CALLER __builtin_return_address(0)

/* ---- flushes ---------------------------------------------------------- */

PMT_INTERPOSER void pmem_persist(const void *addr, size_t len)
{
    struct pmt_pmdk_thread *p = forward_begin();
    REAL(pmem_persist)(addr, len);
    if (forward_end(p, CALLER))
        lib_write(addr, len);
}

PMT_INTERPOSER void pmem_flush(const void *addr, size_t len)
{
    struct pmt_pmdk_thread *p = forward_begin();
    REAL(pmem_flush)(addr, len);
    if (forward_end(p, CALLER))
        lib_write(addr, len);
}

PMT_INTERPOSER void pmem_deep_flush(const void *addr, size_t len)
{
    struct pmt_pmdk_thread *p = forward_begin();
    REAL(pmem_deep_flush)(addr, len);
    if (forward_end(p, CALLER))
        lib_write(addr, len);
}

PMT_INTERPOSER int pmem_msync(const void *addr, size_t len)
{
    struct pmt_pmdk_thread *p = forward_begin();
    int rc = REAL(pmem_msync)(addr, len);
    if (forward_end(p, CALLER) && rc == 0)
        lib_write(addr, len);
    return rc;
}

PMT_INTERPOSER int pmem_deep_persist(const void *addr, size_t len)
{
    struct pmt_pmdk_thread *p = forward_begin();
    int rc = REAL(pmem_deep_persist)(addr, len);
    if (forward_end(p, CALLER) && rc == 0)
        lib_write(addr, len);
    return rc;
}

PMT_INTERPOSER void pmem_drain(void)
{
    struct pmt_pmdk_thread *p = forward_begin();
    REAL(pmem_drain)();
    (void)forward_end(p, CALLER);
}

PMT_INTERPOSER int pmem_deep_drain(const void *addr, size_t len)
{
    struct pmt_pmdk_thread *p = forward_begin();
    int rc = REAL(pmem_deep_drain)(addr, len);
    (void)forward_end(p, CALLER);
    return rc;
}

/* ---- copies: the destination as written ------------------------------- */

PMT_INTERPOSER void *pmem_memcpy(void *dst, const void *src, size_t len,
                                 unsigned flags)
{
    struct pmt_pmdk_thread *p = forward_begin();
    void *r = REAL(pmem_memcpy)(dst, src, len, flags);
    if (forward_end(p, CALLER))
        lib_write(dst, len);
    return r;
}

PMT_INTERPOSER void *pmem_memmove(void *dst, const void *src, size_t len,
                                  unsigned flags)
{
    struct pmt_pmdk_thread *p = forward_begin();
    void *r = REAL(pmem_memmove)(dst, src, len, flags);
    if (forward_end(p, CALLER))
        lib_write(dst, len);
    return r;
}

PMT_INTERPOSER void *pmem_memset(void *dst, int c, size_t len, unsigned flags)
{
    struct pmt_pmdk_thread *p = forward_begin();
    void *r = REAL(pmem_memset)(dst, c, len, flags);
    if (forward_end(p, CALLER))
        lib_write(dst, len);
    return r;
}

PMT_INTERPOSER void *pmem_memcpy_persist(void *dst, const void *src, size_t len)
{
    struct pmt_pmdk_thread *p = forward_begin();
    void *r = REAL(pmem_memcpy_persist)(dst, src, len);
    if (forward_end(p, CALLER))
        lib_write(dst, len);
    return r;
}

PMT_INTERPOSER void *pmem_memmove_persist(void *dst, const void *src,
                                          size_t len)
{
    struct pmt_pmdk_thread *p = forward_begin();
    void *r = REAL(pmem_memmove_persist)(dst, src, len);
    if (forward_end(p, CALLER))
        lib_write(dst, len);
    return r;
}

PMT_INTERPOSER void *pmem_memset_persist(void *dst, int c, size_t len)
{
    struct pmt_pmdk_thread *p = forward_begin();
    void *r = REAL(pmem_memset_persist)(dst, c, len);
    if (forward_end(p, CALLER))
        lib_write(dst, len);
    return r;
}

PMT_INTERPOSER void *pmem_memcpy_nodrain(void *dst, const void *src, size_t len)
{
    struct pmt_pmdk_thread *p = forward_begin();
    void *r = REAL(pmem_memcpy_nodrain)(dst, src, len);
    if (forward_end(p, CALLER))
        lib_write(dst, len);
    return r;
}

PMT_INTERPOSER void *pmem_memmove_nodrain(void *dst, const void *src,
                                          size_t len)
{
    struct pmt_pmdk_thread *p = forward_begin();
    void *r = REAL(pmem_memmove_nodrain)(dst, src, len);
    if (forward_end(p, CALLER))
        lib_write(dst, len);
    return r;
}

PMT_INTERPOSER void *pmem_memset_nodrain(void *dst, int c, size_t len)
{
    struct pmt_pmdk_thread *p = forward_begin();
    void *r = REAL(pmem_memset_nodrain)(dst, c, len);
    if (forward_end(p, CALLER))
        lib_write(dst, len);
    return r;
}
