/*
 * pmtrace_abi.h - the C ABI between the instrumentation pass (instrument/)
 * and the trace runtime (runtime/). Version 1.
 *
 * This header is the only thing the pass knows of the runtime: the names
 * and C signatures of the entry points the pass calls, the layout of the
 * per-site records it emits, the fast-path hull it tests inline, and the
 * table of library calls it hooks. It is C so the runtime compiles against
 * it; the pass includes it for the names and the hook table.
 *
 * Division of work, as in the sanitizers:
 *  - The pass emits, after each store-like instruction, an inline test of
 *    the address against __pmt_hull (one subtraction, one compare) and only
 *    on a hit a call into the runtime. Stores to the stack (allocas) and to
 *    the program's globals are never pmem and are not instrumented.
 *  - Entry points marked "always" are called unconditionally: they are rare
 *    (flushes, fences, library calls) or must see DRAM too (a locked RMW
 *    orders pending flushes wherever it points).
 *  - Store-like hooks run after the instruction: the runtime reads the bytes
 *    written from memory, so one entry point serves every width and type.
 *  - Every entry point takes the site of the instruction last.
 */
#ifndef PMTRACE_ABI_H
#define PMTRACE_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PMT_ABI_VERSION 1

/*
 * One per instrumented instruction, emitted by the pass as a private,
 * writable global. The runtime owns `id`: 0 until the site is first used,
 * then the id under which the trace defines the site (a PMT_SITE record).
 * Strings are the pass's private constants; equal pointers, equal strings.
 */
struct __pmt_site {
    uint32_t id;
    uint32_t line;    /* 0: no debug location */
    uint32_t column;  /* 0: unknown */
    uint32_t flags;   /* reserved, 0 */
    const char *file; /* never NULL: the module's source file without -g */
    const char *dir;  /* compilation directory; may be "" */
    const char *func; /* enclosing function; after inlining, the callee */
};

/*
 * The fast path. The pass tests (uintptr_t)addr - lo < span inline and
 * calls the runtime only on a hit. The runtime keeps [lo, lo + span) the
 * hull of all pmem regions (span 0 when there are none, or when tracing is
 * off); the load hull is empty unless the run traces loads. A hit is not a
 * verdict: the runtime looks the address up in its region table.
 */
struct __pmt_hull {
    uint64_t store_lo;
    uint64_t store_span;
    uint64_t load_lo;
    uint64_t load_span;
};
extern struct __pmt_hull __pmt_hull;

/* Called once from each instrumented module's constructor. The versioned
 * name makes a pass/runtime mismatch a link error, not a wrong trace. */
void __pmt_module_init_v1(void);

/* Hull-gated on addr, after the store. Also for volatile and atomic (not
 * locked) stores, vector stores and masked stores (whole vector range). */
void __pmt_store(void *addr, uint64_t size, struct __pmt_site *site);

/* Hull-gated, after a non-temporal store (!nontemporal, movnt*). */
void __pmt_nt_store(void *addr, uint64_t size, struct __pmt_site *site);

/* Always, after a locked read-modify-write: atomicrmw, cmpxchg, and seq_cst
 * atomic stores (xchg on x86). `stored` is 0 for a cmpxchg that failed.
 * The runtime records the store when addr is pmem, and the ordering effect
 * (an MFENCE) when the thread has flushes waiting for a fence. */
void __pmt_locked_rmw(void *addr, uint64_t size, uint32_t stored,
                      struct __pmt_site *site);

/* After llvm.memset: gated inline on [addr, addr + len) meeting the hull. */
void __pmt_fill(void *addr, uint32_t byte, uint64_t len,
                struct __pmt_site *site);

/* After llvm.memcpy / llvm.memmove: gated inline on dst meeting the store
 * hull or src meeting the load hull. */
void __pmt_copy(void *dst, const void *src, uint64_t len,
                struct __pmt_site *site);

/* Always. kind is PMT_FLUSH_CLFLUSH, _CLFLUSHOPT or _CLWB of
 * pmtrace_format.h. Intrinsics and recognised inline asm alike. */
void __pmt_flush(const void *addr, uint32_t kind, struct __pmt_site *site);

/* Always. kind is PMT_FENCE_SFENCE or PMT_FENCE_MFENCE. An LLVM `fence
 * seq_cst` is an MFENCE; weaker fences emit no instruction on x86 and
 * order no flush, so they are not instrumented. */
void __pmt_fence(uint32_t kind, struct __pmt_site *site);

/* Load-hull gated, before a load (and for atomic loads, the read half of
 * RMWs, and memcpy sources). */
void __pmt_load(const void *addr, uint64_t size, struct __pmt_site *site);

/*
 * Calls to known external functions. For each line X(name, hooks, nparams)
 * the pass, at a direct call to `name` whose function type has exactly
 * `nparams` fixed parameters, all pointers or integers, emits:
 *   PMT_HOOK_PRE:     __pmt_pre_<name>(args..., site) just before the call;
 *   PMT_HOOK_POST:    __pmt_post_<name>([result,] args..., site) just after
 *                     it (no result for a void function);
 *   PMT_HOOK_REPLACE: the call itself becomes __pmt_at_<name>(args..., site),
 *                     returning what the original returns.
 * Variadic functions pass only their fixed parameters. Arguments keep the
 * IR types of the call, so each hook is declared in the runtime with the C
 * types of the function it hooks (pointers as pointers, size_t as size_t).
 * A struct passed or returned in two registers (PMDK's PMEMoid) is two
 * parameters in the IR: nparams counts both, and a POST hook receives such
 * a result as two parameters too (its members, in order). When the six
 * integer argument registers run out first, x86-64 passes the whole struct
 * in memory: one parameter, a pointer to the caller's copy (byval), which
 * the hook receives as `const void *`. So pmemobj_list_insert has 7 IR
 * parameters (dest in two registers, oid by pointer) and
 * pmemobj_list_move 8 (both PMEMoids by pointer).
 */
#define PMT_HOOK_PRE 1
#define PMT_HOOK_POST 2
#define PMT_HOOK_REPLACE 4
#define PMT_HOOK_PRE_POST (PMT_HOOK_PRE | PMT_HOOK_POST)

#define PMT_CALL_HOOKS(X)                                                      \
    /* libc writes that stay calls (-fno-builtin, or not lowered) */           \
    X(memcpy, PMT_HOOK_POST, 3)                                                \
    X(memmove, PMT_HOOK_POST, 3)                                               \
    X(memset, PMT_HOOK_POST, 3)                                                \
    X(mempcpy, PMT_HOOK_POST, 3)                                               \
    X(bzero, PMT_HOOK_POST, 2)                                                 \
    X(explicit_bzero, PMT_HOOK_POST, 2)                                        \
    X(strcpy, PMT_HOOK_POST, 2)                                                \
    X(stpcpy, PMT_HOOK_POST, 2)                                                \
    X(strncpy, PMT_HOOK_POST, 3)                                               \
    X(stpncpy, PMT_HOOK_POST, 3)                                               \
    X(strcat, PMT_HOOK_PRE_POST, 2)                                            \
    X(strncat, PMT_HOOK_PRE_POST, 3)                                           \
    /* mappings the program makes itself */                                    \
    X(mmap, PMT_HOOK_POST, 6)                                                  \
    X(mmap64, PMT_HOOK_POST, 6)                                                \
    X(munmap, PMT_HOOK_PRE, 2)                                                 \
    /* locks, for persist-before-unlock ordering */                            \
    X(pthread_mutex_lock, PMT_HOOK_POST, 1)                                    \
    X(pthread_mutex_trylock, PMT_HOOK_POST, 1)                                 \
    X(pthread_mutex_unlock, PMT_HOOK_PRE, 1)                                   \
    /* libpmem: regions */                                                     \
    X(pmem_map_file, PMT_HOOK_POST, 6)                                         \
    X(pmem_unmap, PMT_HOOK_PRE, 2)                                             \
    /* libpmem: flushes, drains and the copies that flush (the program's */    \
    /* own calls; the library's internal writes are another matter) */         \
    X(pmem_persist, PMT_HOOK_POST, 2)                                          \
    X(pmem_flush, PMT_HOOK_POST, 2)                                            \
    X(pmem_drain, PMT_HOOK_POST, 0)                                            \
    X(pmem_msync, PMT_HOOK_POST, 2)                                            \
    X(pmem_deep_persist, PMT_HOOK_POST, 2)                                     \
    X(pmem_deep_flush, PMT_HOOK_POST, 2)                                       \
    X(pmem_deep_drain, PMT_HOOK_POST, 2)                                       \
    X(pmem_memcpy_persist, PMT_HOOK_POST, 3)                                   \
    X(pmem_memcpy_nodrain, PMT_HOOK_POST, 3)                                   \
    X(pmem_memmove_persist, PMT_HOOK_POST, 3)                                  \
    X(pmem_memmove_nodrain, PMT_HOOK_POST, 3)                                  \
    X(pmem_memset_persist, PMT_HOOK_POST, 3)                                   \
    X(pmem_memset_nodrain, PMT_HOOK_POST, 3)                                   \
    X(pmem_memcpy, PMT_HOOK_POST, 4)                                           \
    X(pmem_memmove, PMT_HOOK_POST, 4)                                          \
    X(pmem_memset, PMT_HOOK_POST, 4)                                           \
    /* libpmemobj: pools (a pool is a region; close is a durability point) */  \
    X(pmemobj_create, PMT_HOOK_PRE_POST, 4)                                    \
    X(pmemobj_open, PMT_HOOK_PRE_POST, 2)                                      \
    X(pmemobj_close, PMT_HOOK_PRE, 1)                                          \
    /* libpmemobj: the program's flushes (the library's own are LIB_WRITEs) */ \
    X(pmemobj_persist, PMT_HOOK_PRE_POST, 3)                                   \
    X(pmemobj_xpersist, PMT_HOOK_PRE_POST, 4)                                  \
    X(pmemobj_flush, PMT_HOOK_PRE_POST, 3)                                     \
    X(pmemobj_xflush, PMT_HOOK_PRE_POST, 4)                                    \
    X(pmemobj_drain, PMT_HOOK_PRE_POST, 1)                                     \
    X(pmemobj_memcpy_persist, PMT_HOOK_PRE_POST, 4)                            \
    X(pmemobj_memset_persist, PMT_HOOK_PRE_POST, 4)                            \
    X(pmemobj_memcpy, PMT_HOOK_PRE_POST, 5)                                    \
    X(pmemobj_memmove, PMT_HOOK_PRE_POST, 5)                                   \
    X(pmemobj_memset, PMT_HOOK_PRE_POST, 5)                                    \
    /* libpmemobj: transactions (a PMEMoid by value is two parameters) */      \
    X(pmemobj_tx_begin, PMT_HOOK_PRE_POST, 2)                                  \
    X(pmemobj_tx_stage, PMT_HOOK_POST, 0)                                      \
    X(pmemobj_tx_process, PMT_HOOK_PRE_POST, 0)                                \
    X(pmemobj_tx_commit, PMT_HOOK_PRE_POST, 0)                                 \
    X(pmemobj_tx_end, PMT_HOOK_PRE_POST, 0)                                    \
    X(pmemobj_tx_abort, PMT_HOOK_PRE, 1)                                       \
    X(pmemobj_tx_add_range, PMT_HOOK_PRE_POST, 4)                              \
    X(pmemobj_tx_add_range_direct, PMT_HOOK_PRE_POST, 2)                       \
    X(pmemobj_tx_xadd_range, PMT_HOOK_PRE_POST, 5)                             \
    X(pmemobj_tx_xadd_range_direct, PMT_HOOK_PRE_POST, 3)                      \
    X(pmemobj_tx_alloc, PMT_HOOK_PRE_POST, 2)                                  \
    X(pmemobj_tx_zalloc, PMT_HOOK_PRE_POST, 2)                                 \
    X(pmemobj_tx_xalloc, PMT_HOOK_PRE_POST, 3)                                 \
    X(pmemobj_tx_realloc, PMT_HOOK_PRE_POST, 4)                                \
    X(pmemobj_tx_zrealloc, PMT_HOOK_PRE_POST, 4)                               \
    X(pmemobj_tx_strdup, PMT_HOOK_PRE_POST, 2)                                 \
    X(pmemobj_tx_xstrdup, PMT_HOOK_PRE_POST, 3)                                \
    X(pmemobj_tx_wcsdup, PMT_HOOK_PRE_POST, 2)                                 \
    X(pmemobj_tx_xwcsdup, PMT_HOOK_PRE_POST, 3)                                \
    X(pmemobj_tx_free, PMT_HOOK_PRE_POST, 2)                                   \
    X(pmemobj_tx_xfree, PMT_HOOK_PRE_POST, 3)                                  \
    /* libpmemobj: atomic allocations, lists and actions (call boundaries) */  \
    X(pmemobj_alloc, PMT_HOOK_PRE_POST, 6)                                     \
    X(pmemobj_xalloc, PMT_HOOK_PRE_POST, 7)                                    \
    X(pmemobj_zalloc, PMT_HOOK_PRE_POST, 4)                                    \
    X(pmemobj_realloc, PMT_HOOK_PRE_POST, 4)                                   \
    X(pmemobj_zrealloc, PMT_HOOK_PRE_POST, 4)                                  \
    X(pmemobj_strdup, PMT_HOOK_PRE_POST, 4)                                    \
    X(pmemobj_wcsdup, PMT_HOOK_PRE_POST, 4)                                    \
    X(pmemobj_free, PMT_HOOK_PRE_POST, 1)                                      \
    X(pmemobj_root, PMT_HOOK_PRE_POST, 2)                                      \
    X(pmemobj_root_construct, PMT_HOOK_PRE_POST, 4)                            \
    X(pmemobj_list_insert, PMT_HOOK_PRE_POST, 7)                               \
    X(pmemobj_list_insert_new, PMT_HOOK_PRE_POST, 10)                          \
    X(pmemobj_list_remove, PMT_HOOK_PRE_POST, 6)                               \
    X(pmemobj_list_move, PMT_HOOK_PRE_POST, 8)                                 \
    X(pmemobj_publish, PMT_HOOK_PRE_POST, 3)                                   \
    X(pmemobj_tx_publish, PMT_HOOK_PRE_POST, 2)                                \
    /* annotations of <pmtrace.h> */                                           \
    X(pmtrace_register, PMT_HOOK_REPLACE, 3)                                   \
    X(pmtrace_unregister, PMT_HOOK_REPLACE, 2)                                 \
    X(pmtrace_assert_persisted, PMT_HOOK_REPLACE, 2)                           \
    X(pmtrace_assert_ordered, PMT_HOOK_REPLACE, 4)                             \
    X(pmtrace_durable, PMT_HOOK_REPLACE, 0)                                    \
    X(pmtrace_crash_point, PMT_HOOK_REPLACE, 0)                                \
    X(pmtrace_commit_var, PMT_HOOK_REPLACE, 2)                                 \
    X(pmtrace_marker, PMT_HOOK_REPLACE, 1)

/*
 * Environment of an instrumented program (set by `pmcheck run`):
 *   PMTRACE_FILE   path of the trace to write; unset: tracing is off and
 *                  the program runs as if not instrumented (empty hulls).
 *   PMTRACE_PMEM   colon-separated paths; a file mapped from under one of
 *                  them (the path itself or a directory above it) is pmem.
 *   PMTRACE_LOADS  "1": trace loads too (recovery runs).
 *   PMTRACE_RECOVERY "1": a recovery run of `pmcheck crash --loads`: the
 *                  trace leaves out what its reader already has - the
 *                  regions' content before the run (REGION_DATA; header
 *                  flag PMT_FILE_NO_CONTENT) - which for a pool is as
 *                  large as the pool.
 */
#define PMT_ENV_FILE "PMTRACE_FILE"
#define PMT_ENV_PMEM "PMTRACE_PMEM"
#define PMT_ENV_LOADS "PMTRACE_LOADS"
#define PMT_ENV_RECOVERY "PMTRACE_RECOVERY"

#ifdef __cplusplus
}
#endif

#endif /* PMTRACE_ABI_H */
