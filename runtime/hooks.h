/*
 * hooks.h - the C declaration of every call hook named by PMT_CALL_HOOKS
 * (pmtrace_abi.h), checked against that table at compile time.
 *
 * The table gives each hooked function's name, hook kinds and number of
 * fixed parameters; the C types are only here, written as the hooked
 * function declares them (the pass passes arguments with the IR types of
 * the call). Two checks keep the two in step:
 *  - arity: each declaration below counts its parameters and a static
 *    assertion compares them with the table's (plus the site, plus the
 *    result for a POST hook of a non-void function);
 *  - existence: hook_table.c expands the table into the address of every
 *    hook it implies, so a hook missing here is a compile error and one
 *    declared but not defined is a link error for anything that links the
 *    table (pmcc links the whole runtime).
 */
#ifndef PMT_HOOKS_H
#define PMT_HOOKS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <wchar.h>

#include "pmtrace_abi.h"

/* Parameter count of each hooked function, from the table. */
#define PMT_HOOK_NPARAMS(name, hooks, nparams)                                 \
    pmt_hook_nparams_##name = nparams,
enum { PMT_CALL_HOOKS(PMT_HOOK_NPARAMS) };
#undef PMT_HOOK_NPARAMS

#define PMT_NARGS(...)                                                         \
    PMT_NARGS_(__VA_ARGS__, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3,   \
               2, 1, 0)
#define PMT_NARGS_(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13,     \
                   a14, a15, a16, n, ...)                                      \
    n

#define PMT_CHECK_ARITY(hook, name, extra, ...)                                \
    _Static_assert(PMT_NARGS(__VA_ARGS__) == pmt_hook_nparams_##name + extra,  \
                   #hook " does not match PMT_CALL_HOOKS")

/* PRE: the arguments, then the site. */
#define PMT_DECLARE_PRE(name, ...)                                             \
    void __pmt_pre_##name(__VA_ARGS__);                                        \
    PMT_CHECK_ARITY(__pmt_pre_##name, name, 1, __VA_ARGS__)
/* POST of a void function: the arguments, then the site. */
#define PMT_DECLARE_POST(name, ...)                                            \
    void __pmt_post_##name(__VA_ARGS__);                                       \
    PMT_CHECK_ARITY(__pmt_post_##name, name, 1, __VA_ARGS__)
/* POST of a function with a result: the result, the arguments, the site. */
#define PMT_DECLARE_POST_RESULT(name, ...)                                     \
    void __pmt_post_##name(__VA_ARGS__);                                       \
    PMT_CHECK_ARITY(__pmt_post_##name, name, 2, __VA_ARGS__)
/* POST of a function returning a register pair (a PMEMoid): its two
 * members, the arguments, the site. */
#define PMT_DECLARE_POST_PAIR(name, ...)                                       \
    void __pmt_post_##name(__VA_ARGS__);                                       \
    PMT_CHECK_ARITY(__pmt_post_##name, name, 3, __VA_ARGS__)
/* REPLACE: the arguments, then the site; returns what the original does. */
#define PMT_DECLARE_AT(ret, name, ...)                                         \
    ret __pmt_at_##name(__VA_ARGS__);                                          \
    PMT_CHECK_ARITY(__pmt_at_##name, name, 1, __VA_ARGS__)

/* libc writes */
PMT_DECLARE_POST_RESULT(memcpy, void *, void *, const void *, size_t,
                        struct __pmt_site *);
PMT_DECLARE_POST_RESULT(memmove, void *, void *, const void *, size_t,
                        struct __pmt_site *);
PMT_DECLARE_POST_RESULT(memset, void *, void *, int, size_t,
                        struct __pmt_site *);
PMT_DECLARE_POST_RESULT(mempcpy, void *, void *, const void *, size_t,
                        struct __pmt_site *);
PMT_DECLARE_POST(bzero, void *, size_t, struct __pmt_site *);
PMT_DECLARE_POST(explicit_bzero, void *, size_t, struct __pmt_site *);
PMT_DECLARE_POST_RESULT(strcpy, char *, char *, const char *,
                        struct __pmt_site *);
PMT_DECLARE_POST_RESULT(stpcpy, char *, char *, const char *,
                        struct __pmt_site *);
PMT_DECLARE_POST_RESULT(strncpy, char *, char *, const char *, size_t,
                        struct __pmt_site *);
PMT_DECLARE_POST_RESULT(stpncpy, char *, char *, const char *, size_t,
                        struct __pmt_site *);
PMT_DECLARE_PRE(strcat, char *, const char *, struct __pmt_site *);
PMT_DECLARE_POST_RESULT(strcat, char *, char *, const char *,
                        struct __pmt_site *);
PMT_DECLARE_PRE(strncat, char *, const char *, size_t, struct __pmt_site *);
PMT_DECLARE_POST_RESULT(strncat, char *, char *, const char *, size_t,
                        struct __pmt_site *);

/* mappings (off_t is 64-bit on x86-64, so mmap64 has the same types) */
PMT_DECLARE_POST_RESULT(mmap, void *, void *, size_t, int, int, int, off_t,
                        struct __pmt_site *);
PMT_DECLARE_POST_RESULT(mmap64, void *, void *, size_t, int, int, int, off_t,
                        struct __pmt_site *);
PMT_DECLARE_PRE(munmap, void *, size_t, struct __pmt_site *);

/* locks */
PMT_DECLARE_POST_RESULT(pthread_mutex_lock, int, pthread_mutex_t *,
                        struct __pmt_site *);
PMT_DECLARE_POST_RESULT(pthread_mutex_trylock, int, pthread_mutex_t *,
                        struct __pmt_site *);
PMT_DECLARE_PRE(pthread_mutex_unlock, pthread_mutex_t *, struct __pmt_site *);

/* libpmem (types as in libpmem.h 1.12) */
PMT_DECLARE_POST_RESULT(pmem_map_file, void *, const char *, size_t, int,
                        mode_t, size_t *, int *, struct __pmt_site *);
PMT_DECLARE_PRE(pmem_unmap, void *, size_t, struct __pmt_site *);
PMT_DECLARE_POST(pmem_persist, const void *, size_t, struct __pmt_site *);
PMT_DECLARE_POST(pmem_flush, const void *, size_t, struct __pmt_site *);
PMT_DECLARE_POST(pmem_drain, struct __pmt_site *);
PMT_DECLARE_POST_RESULT(pmem_msync, int, const void *, size_t,
                        struct __pmt_site *);
PMT_DECLARE_POST_RESULT(pmem_deep_persist, int, const void *, size_t,
                        struct __pmt_site *);
PMT_DECLARE_POST(pmem_deep_flush, const void *, size_t, struct __pmt_site *);
PMT_DECLARE_POST_RESULT(pmem_deep_drain, int, const void *, size_t,
                        struct __pmt_site *);
PMT_DECLARE_POST_RESULT(pmem_memcpy_persist, void *, void *, const void *,
                        size_t, struct __pmt_site *);
PMT_DECLARE_POST_RESULT(pmem_memcpy_nodrain, void *, void *, const void *,
                        size_t, struct __pmt_site *);
PMT_DECLARE_POST_RESULT(pmem_memmove_persist, void *, void *, const void *,
                        size_t, struct __pmt_site *);
PMT_DECLARE_POST_RESULT(pmem_memmove_nodrain, void *, void *, const void *,
                        size_t, struct __pmt_site *);
PMT_DECLARE_POST_RESULT(pmem_memset_persist, void *, void *, int, size_t,
                        struct __pmt_site *);
PMT_DECLARE_POST_RESULT(pmem_memset_nodrain, void *, void *, int, size_t,
                        struct __pmt_site *);
PMT_DECLARE_POST_RESULT(pmem_memcpy, void *, void *, const void *, size_t,
                        unsigned, struct __pmt_site *);
PMT_DECLARE_POST_RESULT(pmem_memmove, void *, void *, const void *, size_t,
                        unsigned, struct __pmt_site *);
PMT_DECLARE_POST_RESULT(pmem_memset, void *, void *, int, size_t, unsigned,
                        struct __pmt_site *);

/*
 * libpmemobj (types as in libpmemobj.h 1.12, which the runtime does not
 * include: pools, jmp_bufs and actions are plain pointers, a PMEMoid by
 * value is its two members (pool_uuid_lo, off), size_t and uint64_t as
 * declared). The shorthands below keep the lists readable.
 */
#define PMT_OID uint64_t, uint64_t /* a PMEMoid by value */
/* a PMEMoid by value after the argument registers ran out: passed in
 * memory, the pass hands the hook its address (pmtrace_abi.h) */
#define PMT_OID_IN_MEMORY const void *
#define PMT_SITE struct __pmt_site *

/* pools */
PMT_DECLARE_PRE(pmemobj_create, const char *, const char *, size_t, mode_t,
                PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_create, void *, const char *, const char *,
                        size_t, mode_t, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_open, const char *, const char *, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_open, void *, const char *, const char *,
                        PMT_SITE);
PMT_DECLARE_PRE(pmemobj_close, void *, PMT_SITE);

/* the program's flushes */
PMT_DECLARE_PRE(pmemobj_persist, void *, const void *, size_t, PMT_SITE);
PMT_DECLARE_POST(pmemobj_persist, void *, const void *, size_t, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_xpersist, void *, const void *, size_t, unsigned,
                PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_xpersist, int, void *, const void *, size_t,
                        unsigned, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_flush, void *, const void *, size_t, PMT_SITE);
PMT_DECLARE_POST(pmemobj_flush, void *, const void *, size_t, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_xflush, void *, const void *, size_t, unsigned,
                PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_xflush, int, void *, const void *, size_t,
                        unsigned, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_drain, void *, PMT_SITE);
PMT_DECLARE_POST(pmemobj_drain, void *, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_memcpy_persist, void *, void *, const void *, size_t,
                PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_memcpy_persist, void *, void *, void *,
                        const void *, size_t, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_memset_persist, void *, void *, int, size_t, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_memset_persist, void *, void *, void *, int,
                        size_t, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_memcpy, void *, void *, const void *, size_t, unsigned,
                PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_memcpy, void *, void *, void *, const void *,
                        size_t, unsigned, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_memmove, void *, void *, const void *, size_t, unsigned,
                PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_memmove, void *, void *, void *, const void *,
                        size_t, unsigned, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_memset, void *, void *, int, size_t, unsigned,
                PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_memset, void *, void *, void *, int, size_t,
                        unsigned, PMT_SITE);

/* transactions (the stage is an enum: int) */
PMT_DECLARE_PRE(pmemobj_tx_begin, void *, void *, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_tx_begin, int, void *, void *, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_tx_stage, int, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_process, PMT_SITE);
PMT_DECLARE_POST(pmemobj_tx_process, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_commit, PMT_SITE);
PMT_DECLARE_POST(pmemobj_tx_commit, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_end, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_tx_end, int, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_abort, int, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_add_range, PMT_OID, uint64_t, size_t, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_tx_add_range, int, PMT_OID, uint64_t, size_t,
                        PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_add_range_direct, const void *, size_t, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_tx_add_range_direct, int, const void *, size_t,
                        PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_xadd_range, PMT_OID, uint64_t, size_t, uint64_t,
                PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_tx_xadd_range, int, PMT_OID, uint64_t, size_t,
                        uint64_t, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_xadd_range_direct, const void *, size_t, uint64_t,
                PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_tx_xadd_range_direct, int, const void *, size_t,
                        uint64_t, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_alloc, size_t, uint64_t, PMT_SITE);
PMT_DECLARE_POST_PAIR(pmemobj_tx_alloc, PMT_OID, size_t, uint64_t, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_zalloc, size_t, uint64_t, PMT_SITE);
PMT_DECLARE_POST_PAIR(pmemobj_tx_zalloc, PMT_OID, size_t, uint64_t, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_xalloc, size_t, uint64_t, uint64_t, PMT_SITE);
PMT_DECLARE_POST_PAIR(pmemobj_tx_xalloc, PMT_OID, size_t, uint64_t, uint64_t,
                      PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_realloc, PMT_OID, size_t, uint64_t, PMT_SITE);
PMT_DECLARE_POST_PAIR(pmemobj_tx_realloc, PMT_OID, PMT_OID, size_t, uint64_t,
                      PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_zrealloc, PMT_OID, size_t, uint64_t, PMT_SITE);
PMT_DECLARE_POST_PAIR(pmemobj_tx_zrealloc, PMT_OID, PMT_OID, size_t, uint64_t,
                      PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_strdup, const char *, uint64_t, PMT_SITE);
PMT_DECLARE_POST_PAIR(pmemobj_tx_strdup, PMT_OID, const char *, uint64_t,
                      PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_xstrdup, const char *, uint64_t, uint64_t, PMT_SITE);
PMT_DECLARE_POST_PAIR(pmemobj_tx_xstrdup, PMT_OID, const char *, uint64_t,
                      uint64_t, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_wcsdup, const wchar_t *, uint64_t, PMT_SITE);
PMT_DECLARE_POST_PAIR(pmemobj_tx_wcsdup, PMT_OID, const wchar_t *, uint64_t,
                      PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_xwcsdup, const wchar_t *, uint64_t, uint64_t,
                PMT_SITE);
PMT_DECLARE_POST_PAIR(pmemobj_tx_xwcsdup, PMT_OID, const wchar_t *, uint64_t,
                      uint64_t, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_free, PMT_OID, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_tx_free, int, PMT_OID, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_xfree, PMT_OID, uint64_t, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_tx_xfree, int, PMT_OID, uint64_t, PMT_SITE);

/* atomic allocations (constructors are function pointers), lists, actions */
PMT_DECLARE_PRE(pmemobj_alloc, void *, void *, size_t, uint64_t, void *, void *,
                PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_alloc, int, void *, void *, size_t, uint64_t,
                        void *, void *, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_xalloc, void *, void *, size_t, uint64_t, uint64_t,
                void *, void *, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_xalloc, int, void *, void *, size_t, uint64_t,
                        uint64_t, void *, void *, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_zalloc, void *, void *, size_t, uint64_t, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_zalloc, int, void *, void *, size_t, uint64_t,
                        PMT_SITE);
PMT_DECLARE_PRE(pmemobj_realloc, void *, void *, size_t, uint64_t, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_realloc, int, void *, void *, size_t, uint64_t,
                        PMT_SITE);
PMT_DECLARE_PRE(pmemobj_zrealloc, void *, void *, size_t, uint64_t, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_zrealloc, int, void *, void *, size_t, uint64_t,
                        PMT_SITE);
PMT_DECLARE_PRE(pmemobj_strdup, void *, void *, const char *, uint64_t,
                PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_strdup, int, void *, void *, const char *,
                        uint64_t, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_wcsdup, void *, void *, const wchar_t *, uint64_t,
                PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_wcsdup, int, void *, void *, const wchar_t *,
                        uint64_t, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_free, void *, PMT_SITE);
PMT_DECLARE_POST(pmemobj_free, void *, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_root, void *, size_t, PMT_SITE);
PMT_DECLARE_POST_PAIR(pmemobj_root, PMT_OID, void *, size_t, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_root_construct, void *, size_t, void *, void *,
                PMT_SITE);
PMT_DECLARE_POST_PAIR(pmemobj_root_construct, PMT_OID, void *, size_t, void *,
                      void *, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_list_insert, void *, size_t, void *, PMT_OID, int,
                PMT_OID_IN_MEMORY, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_list_insert, int, void *, size_t, void *,
                        PMT_OID, int, PMT_OID_IN_MEMORY, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_list_insert_new, void *, size_t, void *, PMT_OID, int,
                size_t, uint64_t, void *, void *, PMT_SITE);
PMT_DECLARE_POST_PAIR(pmemobj_list_insert_new, PMT_OID, void *, size_t, void *,
                      PMT_OID, int, size_t, uint64_t, void *, void *, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_list_remove, void *, size_t, void *, PMT_OID, int,
                PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_list_remove, int, void *, size_t, void *,
                        PMT_OID, int, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_list_move, void *, size_t, void *, size_t, void *,
                PMT_OID_IN_MEMORY, int, PMT_OID_IN_MEMORY, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_list_move, int, void *, size_t, void *, size_t,
                        void *, PMT_OID_IN_MEMORY, int, PMT_OID_IN_MEMORY,
                        PMT_SITE);
PMT_DECLARE_PRE(pmemobj_publish, void *, void *, size_t, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_publish, int, void *, void *, size_t, PMT_SITE);
PMT_DECLARE_PRE(pmemobj_tx_publish, void *, size_t, PMT_SITE);
PMT_DECLARE_POST_RESULT(pmemobj_tx_publish, int, void *, size_t, PMT_SITE);

#undef PMT_OID
#undef PMT_SITE

/* annotations of <pmtrace.h> */
PMT_DECLARE_AT(int, pmtrace_register, void *, size_t, const char *,
               struct __pmt_site *);
PMT_DECLARE_AT(int, pmtrace_unregister, void *, size_t, struct __pmt_site *);
PMT_DECLARE_AT(void, pmtrace_assert_persisted, const void *, size_t,
               struct __pmt_site *);
PMT_DECLARE_AT(void, pmtrace_assert_ordered, const void *, size_t, const void *,
               size_t, struct __pmt_site *);
PMT_DECLARE_AT(void, pmtrace_durable, struct __pmt_site *);
PMT_DECLARE_AT(void, pmtrace_crash_point, struct __pmt_site *);
PMT_DECLARE_AT(void, pmtrace_commit_var, const void *, size_t,
               struct __pmt_site *);
PMT_DECLARE_AT(void, pmtrace_marker, const char *, struct __pmt_site *);

/* Every hook the table implies, by address (hook_table.c). */
struct pmt_hook_entry {
    const char *name; /* "__pmt_post_memcpy" */
    void (*fn)(void);
};
extern const struct pmt_hook_entry __pmt_hook_table[];
extern const size_t __pmt_hook_count;

#endif /* PMT_HOOKS_H */
