/*
 * hooks_libc.c - libc calls that write memory, and mutexes (PMT_CALL_HOOKS).
 *
 * The write hooks run after the call and record the bytes it actually
 * wrote, read back from memory. Every libc call of an instrumented program
 * that stays a call comes through here, so each hook first tests the
 * destination against the hull, with no TLS access, and DRAM-only work
 * costs two loads and a compare.
 */
#include "hooks.h"

#include <string.h>

#include "events.h"
#include "rt.h"
#include "stream.h"

static uint64_t addr_of(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

/* A copy of len bytes done: STORE for the destination in pmem (and LOAD for
 * the source in pmem when loads are traced). */
static void copied(void *dst, const void *src, size_t len,
                   struct __pmt_site *site)
{
    if (!pmt_hull_meets(addr_of(dst), len) &&
        !(pmt_rt_loads_traced() && pmt_hull_meets(addr_of(src), len)))
        return;
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_event_copy(t, site, addr_of(dst), addr_of(src), len);
    pmt_stream_leave(t);
}

/* [dst, dst + len) was written, from wherever. */
static void written(const void *dst, size_t len, struct __pmt_site *site)
{
    if (!pmt_hull_meets(addr_of(dst), len))
        return;
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_event_store(t, PMT_STORE, 0, site, addr_of(dst), len);
    pmt_stream_leave(t);
}

static void filled(void *dst, int byte, size_t len, struct __pmt_site *site)
{
    if (!pmt_hull_meets(addr_of(dst), len))
        return;
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_event_fill(t, site, addr_of(dst), len, (uint8_t)byte);
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_post_memcpy(void *result, void *dst, const void *src,
                                  size_t len, struct __pmt_site *site)
{
    (void)result;
    copied(dst, src, len, site);
}

PMT_EXPORT void __pmt_post_memmove(void *result, void *dst, const void *src,
                                   size_t len, struct __pmt_site *site)
{
    (void)result;
    copied(dst, src, len, site);
}

PMT_EXPORT void __pmt_post_mempcpy(void *result, void *dst, const void *src,
                                   size_t len, struct __pmt_site *site)
{
    (void)result;
    copied(dst, src, len, site);
}

PMT_EXPORT void __pmt_post_memset(void *result, void *dst, int byte, size_t len,
                                  struct __pmt_site *site)
{
    (void)result;
    filled(dst, byte, len, site);
}

PMT_EXPORT void __pmt_post_bzero(void *dst, size_t len, struct __pmt_site *site)
{
    filled(dst, 0, len, site);
}

PMT_EXPORT void __pmt_post_explicit_bzero(void *dst, size_t len,
                                          struct __pmt_site *site)
{
    filled(dst, 0, len, site);
}

/* The string functions: the length written is known only now. strlen runs
 * only when the destination starts in the hull. */

PMT_EXPORT void __pmt_post_strcpy(char *result, char *dst, const char *src,
                                  struct __pmt_site *site)
{
    (void)result;
    (void)src;
    if (pmt_hull_meets(addr_of(dst), 1))
        written(dst, strlen(dst) + 1, site);
}

/* stpcpy returns the address of the NUL it wrote. */
PMT_EXPORT void __pmt_post_stpcpy(char *result, char *dst, const char *src,
                                  struct __pmt_site *site)
{
    (void)src;
    written(dst, (size_t)(result - dst) + 1, site);
}

/* strncpy and stpncpy write exactly len bytes (padding with NULs). */
PMT_EXPORT void __pmt_post_strncpy(char *result, char *dst, const char *src,
                                   size_t len, struct __pmt_site *site)
{
    (void)result;
    (void)src;
    written(dst, len, site);
}

PMT_EXPORT void __pmt_post_stpncpy(char *result, char *dst, const char *src,
                                   size_t len, struct __pmt_site *site)
{
    (void)result;
    (void)src;
    written(dst, len, site);
}

/* strcat and strncat write from the old end of dst: PRE remembers where it
 * was, POST records from there to the new NUL. */
static void before_cat(char *dst)
{
    if (!pmt_hull_meets(addr_of(dst), 1))
        return;
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    t->cat_len = strlen(dst);
    pmt_stream_leave(t);
}

static void after_cat(char *dst, struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    if (t->cat_len != SIZE_MAX) {
        char *from = dst + t->cat_len;
        pmt_event_store(t, PMT_STORE, 0, site, addr_of(from), strlen(from) + 1);
        t->cat_len = SIZE_MAX;
    }
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_pre_strcat(char *dst, const char *src,
                                 struct __pmt_site *site)
{
    (void)src;
    (void)site;
    before_cat(dst);
}

PMT_EXPORT void __pmt_post_strcat(char *result, char *dst, const char *src,
                                  struct __pmt_site *site)
{
    (void)result;
    (void)src;
    after_cat(dst, site);
}

PMT_EXPORT void __pmt_pre_strncat(char *dst, const char *src, size_t len,
                                  struct __pmt_site *site)
{
    (void)src;
    (void)len;
    (void)site;
    before_cat(dst);
}

PMT_EXPORT void __pmt_post_strncat(char *result, char *dst, const char *src,
                                   size_t len, struct __pmt_site *site)
{
    (void)result;
    (void)src;
    (void)len;
    after_cat(dst, site);
}

/* Mutexes: LOCK after a successful lock, UNLOCK before the unlock, so the
 * sequence numbers order each critical section after the previous one.
 * Only programs with pmem regions care (persist-before-unlock). */
static void mutex_event(unsigned kind, pthread_mutex_t *mutex,
                        struct __pmt_site *site)
{
    if (pmt_regions()->count == 0)
        return;
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    struct pmt_body_addr body = {addr_of(mutex)};
    pmt_emit_fixed(t, kind, 0, pmt_site_id(t, site), &body, sizeof(body));
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_post_pthread_mutex_lock(int result,
                                              pthread_mutex_t *mutex,
                                              struct __pmt_site *site)
{
    if (result == 0)
        mutex_event(PMT_LOCK, mutex, site);
}

PMT_EXPORT void __pmt_post_pthread_mutex_trylock(int result,
                                                 pthread_mutex_t *mutex,
                                                 struct __pmt_site *site)
{
    if (result == 0)
        mutex_event(PMT_LOCK, mutex, site);
}

PMT_EXPORT void __pmt_pre_pthread_mutex_unlock(pthread_mutex_t *mutex,
                                               struct __pmt_site *site)
{
    mutex_event(PMT_UNLOCK, mutex, site);
}
