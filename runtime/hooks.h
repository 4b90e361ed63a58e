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
#include <sys/types.h>

#include "pmtrace_abi.h"

/* Parameter count of each hooked function, from the table. */
#define PMT_HOOK_NPARAMS(name, hooks, nparams)                                 \
    pmt_hook_nparams_##name = nparams,
enum { PMT_CALL_HOOKS(PMT_HOOK_NPARAMS) };
#undef PMT_HOOK_NPARAMS

#define PMT_NARGS(...) PMT_NARGS_(__VA_ARGS__, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define PMT_NARGS_(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, n, ...) n

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
