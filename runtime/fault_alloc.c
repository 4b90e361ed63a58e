/*
 * fault_alloc.c - failing the Nth PMDK allocation (see fault_alloc.h).
 */
#include "fault_alloc.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recovery.h"

#define PMT_INTERPOSER __attribute__((weak, visibility("default")))

/* libpmemobj's definition of name, resolved into *cache once (a race
 * resolves twice, alike). */
static void *real_symbol(void **cache, const char *name)
{
    void *sym = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
    if (sym != NULL)
        return sym;
    sym = dlsym(RTLD_NEXT, name);
    if (sym == NULL) {
        /* Only a program that calls libpmemobj without linking it gets
         * here (this definition satisfied its link). */
        fprintf(stderr,
                "pmtrace: %s: libpmemobj is not loaded (link with "
                "-lpmemobj)\n",
                name);
        abort();
    }
    __atomic_store_n(cache, sym, __ATOMIC_RELEASE);
    return sym;
}

/* Is the caller (its return address) in the same object as real, that is
 * libpmemobj calling itself through its PLT? */
static bool called_from(const void *ret, const void *real)
{
    Dl_info caller, callee;
    return dladdr(ret, &caller) != 0 && dladdr(real, &callee) != 0 &&
           caller.dli_fbase == callee.dli_fbase;
}

/* Is this the allocation to fail? Counts it when a fault was asked for and
 * the call comes from outside libpmemobj. */
static bool fail_this_call(const void *ret, const void *real)
{
    static uint32_t calls;
    uint32_t n = pmt_recovery_fail_alloc();
    if (n == 0 || called_from(ret, real))
        return false;
    return __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED) == n;
}

/* The function behind sym, with the type of the function `name` declared
 * in fault_alloc.h. POSIX: dlsym's result is callable. */
#define REAL(name, sym, fn)                                                    \
    __typeof__(&name) fn;                                                      \
    memcpy(&fn, &sym, sizeof(fn))

#define RESOLVE(name, sym)                                                     \
    static void *name##_cache;                                                 \
    void *sym = real_symbol(&name##_cache, #name)

/* ---- the atomic API ----------------------------------------------------- */

/* name params: an atomic allocation returning int, forwarding args. */
#define ATOMIC_ALLOC(name, params, args)                                       \
    PMT_INTERPOSER int name params                                             \
    {                                                                          \
        RESOLVE(name, sym);                                                    \
        if (fail_this_call(__builtin_return_address(0), sym)) {                \
            errno = ENOMEM;                                                    \
            return -1;                                                         \
        }                                                                      \
        REAL(name, sym, fn);                                                   \
        return fn args;                                                        \
    }

ATOMIC_ALLOC(pmemobj_alloc,
             (void *pop, struct pmt_oid *oidp, size_t size, uint64_t type_num,
              pmt_alloc_constr constructor, void *arg),
             (pop, oidp, size, type_num, constructor, arg))
ATOMIC_ALLOC(pmemobj_xalloc,
             (void *pop, struct pmt_oid *oidp, size_t size, uint64_t type_num,
              uint64_t flags, pmt_alloc_constr constructor, void *arg),
             (pop, oidp, size, type_num, flags, constructor, arg))
ATOMIC_ALLOC(pmemobj_zalloc,
             (void *pop, struct pmt_oid *oidp, size_t size, uint64_t type_num),
             (pop, oidp, size, type_num))
ATOMIC_ALLOC(pmemobj_realloc,
             (void *pop, struct pmt_oid *oidp, size_t size, uint64_t type_num),
             (pop, oidp, size, type_num))
ATOMIC_ALLOC(pmemobj_zrealloc,
             (void *pop, struct pmt_oid *oidp, size_t size, uint64_t type_num),
             (pop, oidp, size, type_num))
ATOMIC_ALLOC(pmemobj_strdup,
             (void *pop, struct pmt_oid *oidp, const char *s,
              uint64_t type_num),
             (pop, oidp, s, type_num))
ATOMIC_ALLOC(pmemobj_wcsdup,
             (void *pop, struct pmt_oid *oidp, const wchar_t *s,
              uint64_t type_num),
             (pop, oidp, s, type_num))

/* name params: an allocation returning an oid (OID_NULL on failure). */
#define OID_ALLOC(name, params, args)                                          \
    PMT_INTERPOSER struct pmt_oid name params {                                \
        RESOLVE(name, sym);                                                    \
        if (fail_this_call(__builtin_return_address(0), sym)) {                \
            errno = ENOMEM;                                                    \
            return (struct pmt_oid){0, 0};                                     \
        }                                                                      \
        REAL(name, sym, fn);                                                   \
        return fn args;                                                        \
    }

OID_ALLOC(pmemobj_reserve,
          (void *pop, void *act, size_t size, uint64_t type_num),
          (pop, act, size, type_num))
OID_ALLOC(pmemobj_xreserve,
          (void *pop, void *act, size_t size, uint64_t type_num,
           uint64_t flags),
          (pop, act, size, type_num, flags))
OID_ALLOC(pmemobj_list_insert_new,
          (void *pop, size_t pe_offset, void *head, struct pmt_oid dest,
           int before, size_t size, uint64_t type_num,
           pmt_alloc_constr constructor, void *arg),
          (pop, pe_offset, head, dest, before, size, type_num, constructor,
           arg))

/* ---- the transactional API ---------------------------------------------- */

static int tx_stage(void)
{
    static void *cache;
    void *sym = real_symbol(&cache, "pmemobj_tx_stage");
    int (*fn)(void);
    memcpy(&fn, &sym, sizeof(fn));
    return fn();
}

static bool tx_returns_failures(uint64_t flags)
{
    if (flags & PMT_POBJ_FLAG_TX_NO_ABORT)
        return true;
    static void *cache;
    void *sym = real_symbol(&cache, "pmemobj_tx_get_failure_behavior");
    int (*fn)(void);
    memcpy(&fn, &sym, sizeof(fn));
    return fn() == PMT_POBJ_TX_FAILURE_RETURN;
}

/* The failed transactional allocation: abort as libpmemobj does when its
 * heap is full (this may not return), else report the error. */
static struct pmt_oid tx_fail(uint64_t flags)
{
    if (!tx_returns_failures(flags)) {
        static void *cache;
        void *sym = real_symbol(&cache, "pmemobj_tx_abort");
        void (*fn)(int);
        memcpy(&fn, &sym, sizeof(fn));
        fn(ENOMEM);
    }
    errno = ENOMEM;
    return (struct pmt_oid){0, 0};
}

/* name params: a transactional allocation with the given flags word. */
#define TX_ALLOC(name, params, args, flags)                                    \
    PMT_INTERPOSER struct pmt_oid name params {                                \
        RESOLVE(name, sym);                                                    \
        if (pmt_recovery_fail_alloc() != 0 &&                                  \
            tx_stage() == PMT_TX_STAGE_WORK &&                                 \
            fail_this_call(__builtin_return_address(0), sym))                  \
            return tx_fail(flags);                                             \
        REAL(name, sym, fn);                                                   \
        return fn args;                                                        \
    }

TX_ALLOC(pmemobj_tx_alloc, (size_t size, uint64_t type_num), (size, type_num),
         0)
TX_ALLOC(pmemobj_tx_zalloc, (size_t size, uint64_t type_num), (size, type_num),
         0)
TX_ALLOC(pmemobj_tx_xalloc, (size_t size, uint64_t type_num, uint64_t flags),
         (size, type_num, flags), flags)
TX_ALLOC(pmemobj_tx_realloc,
         (struct pmt_oid oid, size_t size, uint64_t type_num),
         (oid, size, type_num), 0)
TX_ALLOC(pmemobj_tx_zrealloc,
         (struct pmt_oid oid, size_t size, uint64_t type_num),
         (oid, size, type_num), 0)
TX_ALLOC(pmemobj_tx_strdup, (const char *s, uint64_t type_num), (s, type_num),
         0)
TX_ALLOC(pmemobj_tx_xstrdup, (const char *s, uint64_t type_num, uint64_t flags),
         (s, type_num, flags), flags)
TX_ALLOC(pmemobj_tx_wcsdup, (const wchar_t *s, uint64_t type_num),
         (s, type_num), 0)
TX_ALLOC(pmemobj_tx_xwcsdup,
         (const wchar_t *s, uint64_t type_num, uint64_t flags),
         (s, type_num, flags), flags)
