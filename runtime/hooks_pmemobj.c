/*
 * hooks_pmemobj.c - libpmemobj's pools, the program's flushes through it,
 * and the call boundaries of its atomic API (PMT_CALL_HOOKS).
 *
 * Pools. A pool is a pmem region (PMT_REGION_PMDK, named by the path the
 * program gave): pmemobj_create and pmemobj_open map it themselves, so
 * their POST hook finds the mapping that holds the returned pool in
 * /proc/self/maps and registers it with its content at that moment - what
 * the library wrote while creating or opening it is initial content.
 * pmemobj_close's PRE hook ends the region: a durability point.
 *
 * Flushes. pmemobj_persist, _flush, _drain, _memcpy_persist and the rest
 * are modelled by their POST hooks with their documented semantics
 * (lib_semantics.h), at the program's site. Their PRE hooks make the
 * thread quiet (stream.h): the libpmem calls libpmemobj makes for them
 * (pmem_persist, or pmem_msync when the pool is not pmem) only forward
 * (interpose_pmem.c), so one flush is never modelled twice.
 *
 * Atomic API, lists, actions. pmemobj_alloc and the like write the pool
 * only inside libpmemobj, through the interposed libpmem calls; their hooks
 * only mark the call's boundaries (LIB_CALL), to which those writes are
 * attributed. A constructor they run is the program's own code: its stores
 * are instrumented, and it must persist them itself.
 */
#include "hooks.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib_semantics.h"
#include "mappings.h"
#include "pmdk.h"
#include "regions.h"
#include "rt.h"
#include "stream.h"

static uint64_t addr_of(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

static int32_t pointer_result(const void *p)
{
    return p != NULL ? 0 : -1;
}

static int32_t oid_result(uint64_t off)
{
    return off != 0 ? 0 : -1;
}

/* ---- pools ------------------------------------------------------------ */

/* The pool file, when the mapping is of it (a pool set maps its parts:
 * then no file, and the content is read from memory). */
static int pool_file_fd(const char *path, const struct pmt_mapping *m)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || (uint64_t)st.st_ino != m->inode)) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void pool_register(struct pmt_thread *t, void *pop, const char *path,
                          struct __pmt_site *site)
{
    struct pmt_mapping m;
    if (pop == NULL || !pmt_mapping_find(addr_of(pop), &m))
        return;
    char *canonical = realpath(path, NULL);
    int fd = pool_file_fd(path, &m);
    struct pmt_region_source src = {
        .addr = m.lo,
        .len = m.len,
        .name = canonical != NULL ? canonical : path,
        .flags = PMT_REGION_PMDK | PMT_REGION_FILE,
        .fd = fd,
        .file_offset = m.file_offset,
    };
    pmt_regions_remove(t, m.lo, m.len, site);
    pmt_regions_add(t, &src, site);
    if (fd >= 0)
        close(fd);
    free(canonical);
}

PMT_LIB_FN(fn_create, "pmemobj_create");
PMT_LIB_FN(fn_open, "pmemobj_open");

PMT_EXPORT void __pmt_pre_pmemobj_create(const char *path, const char *layout,
                                         size_t poolsize, mode_t mode,
                                         struct __pmt_site *site)
{
    (void)path, (void)layout, (void)poolsize, (void)mode;
    pmt_lib_call_enter(&fn_create, site);
}

PMT_EXPORT void __pmt_post_pmemobj_create(void *pop, const char *path,
                                          const char *layout, size_t poolsize,
                                          mode_t mode, struct __pmt_site *site)
{
    (void)layout, (void)poolsize, (void)mode;
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pool_register(t, pop, path, site);
    pmt_lib_call_end(t, &fn_create, pointer_result(pop), site);
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_pre_pmemobj_open(const char *path, const char *layout,
                                       struct __pmt_site *site)
{
    (void)path, (void)layout;
    pmt_lib_call_enter(&fn_open, site);
}

PMT_EXPORT void __pmt_post_pmemobj_open(void *pop, const char *path,
                                        const char *layout,
                                        struct __pmt_site *site)
{
    (void)layout;
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pool_register(t, pop, path, site);
    pmt_lib_call_end(t, &fn_open, pointer_result(pop), site);
    pmt_stream_leave(t);
}

/* The whole region holding the pool goes (regions.h). */
PMT_EXPORT void __pmt_pre_pmemobj_close(void *pop, struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    if (pop != NULL)
        pmt_regions_remove(t, addr_of(pop), 1, site);
    pmt_stream_leave(t);
}

/* ---- the program's flushes -------------------------------------------- */

/* PRE of every flush call: the library's own libpmem calls only forward
 * until the POST hook (counted on the thread, whether or not tracing). */
static void quiet_begin(void)
{
    pmt_self.pmdk.quiet++;
}

static void quiet_end(void)
{
    pmt_self.pmdk.quiet--;
}

PMT_EXPORT void __pmt_pre_pmemobj_persist(void *pop, const void *addr,
                                          size_t len, struct __pmt_site *site)
{
    (void)pop, (void)addr, (void)len, (void)site;
    quiet_begin();
}

PMT_EXPORT void __pmt_post_pmemobj_persist(void *pop, const void *addr,
                                           size_t len, struct __pmt_site *site)
{
    (void)pop;
    quiet_end();
    pmt_lib_persist(addr, len, PMT_LIB_FLUSH | PMT_LIB_FENCE, site);
}

/* flags: only PMEMOBJ_F_RELAXED, which changes nothing persisted. */
PMT_EXPORT void __pmt_pre_pmemobj_xpersist(void *pop, const void *addr,
                                           size_t len, unsigned flags,
                                           struct __pmt_site *site)
{
    (void)pop, (void)addr, (void)len, (void)flags, (void)site;
    quiet_begin();
}

PMT_EXPORT void __pmt_post_pmemobj_xpersist(int result, void *pop,
                                            const void *addr, size_t len,
                                            unsigned flags,
                                            struct __pmt_site *site)
{
    (void)pop, (void)flags;
    quiet_end();
    if (result == 0)
        pmt_lib_persist(addr, len, PMT_LIB_FLUSH | PMT_LIB_FENCE, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_flush(void *pop, const void *addr, size_t len,
                                        struct __pmt_site *site)
{
    (void)pop, (void)addr, (void)len, (void)site;
    quiet_begin();
}

PMT_EXPORT void __pmt_post_pmemobj_flush(void *pop, const void *addr,
                                         size_t len, struct __pmt_site *site)
{
    (void)pop;
    quiet_end();
    pmt_lib_persist(addr, len, PMT_LIB_FLUSH, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_xflush(void *pop, const void *addr,
                                         size_t len, unsigned flags,
                                         struct __pmt_site *site)
{
    (void)pop, (void)addr, (void)len, (void)flags, (void)site;
    quiet_begin();
}

PMT_EXPORT void __pmt_post_pmemobj_xflush(int result, void *pop,
                                          const void *addr, size_t len,
                                          unsigned flags,
                                          struct __pmt_site *site)
{
    (void)pop, (void)flags;
    quiet_end();
    if (result == 0)
        pmt_lib_persist(addr, len, PMT_LIB_FLUSH, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_drain(void *pop, struct __pmt_site *site)
{
    (void)pop, (void)site;
    quiet_begin();
}

PMT_EXPORT void __pmt_post_pmemobj_drain(void *pop, struct __pmt_site *site)
{
    (void)pop;
    quiet_end();
    pmt_lib_persist(NULL, 0, PMT_LIB_FENCE, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_memcpy_persist(void *pop, void *dst,
                                                 const void *src, size_t len,
                                                 struct __pmt_site *site)
{
    (void)pop, (void)dst, (void)src, (void)len, (void)site;
    quiet_begin();
}

PMT_EXPORT void __pmt_post_pmemobj_memcpy_persist(void *result, void *pop,
                                                  void *dst, const void *src,
                                                  size_t len,
                                                  struct __pmt_site *site)
{
    (void)result, (void)pop;
    quiet_end();
    pmt_lib_copy(dst, src, len, PMT_STORE, PMT_LIB_FLUSH | PMT_LIB_FENCE, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_memset_persist(void *pop, void *dst, int byte,
                                                 size_t len,
                                                 struct __pmt_site *site)
{
    (void)pop, (void)dst, (void)byte, (void)len, (void)site;
    quiet_begin();
}

PMT_EXPORT void __pmt_post_pmemobj_memset_persist(void *result, void *pop,
                                                  void *dst, int byte,
                                                  size_t len,
                                                  struct __pmt_site *site)
{
    (void)result, (void)pop;
    quiet_end();
    pmt_lib_fill(dst, byte, len, PMT_LIB_FLUSH | PMT_LIB_FENCE, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_memcpy(void *pop, void *dst, const void *src,
                                         size_t len, unsigned flags,
                                         struct __pmt_site *site)
{
    (void)pop, (void)dst, (void)src, (void)len, (void)flags, (void)site;
    quiet_begin();
}

PMT_EXPORT void __pmt_post_pmemobj_memcpy(void *result, void *pop, void *dst,
                                          const void *src, size_t len,
                                          unsigned flags,
                                          struct __pmt_site *site)
{
    (void)result, (void)pop;
    quiet_end();
    pmt_lib_copy(dst, src, len, pmt_lib_store_kind_of_flags(flags),
                 pmt_lib_steps_of_flags(flags), site);
}

PMT_EXPORT void __pmt_pre_pmemobj_memmove(void *pop, void *dst, const void *src,
                                          size_t len, unsigned flags,
                                          struct __pmt_site *site)
{
    (void)pop, (void)dst, (void)src, (void)len, (void)flags, (void)site;
    quiet_begin();
}

PMT_EXPORT void __pmt_post_pmemobj_memmove(void *result, void *pop, void *dst,
                                           const void *src, size_t len,
                                           unsigned flags,
                                           struct __pmt_site *site)
{
    (void)result, (void)pop;
    quiet_end();
    pmt_lib_copy(dst, src, len, pmt_lib_store_kind_of_flags(flags),
                 pmt_lib_steps_of_flags(flags), site);
}

PMT_EXPORT void __pmt_pre_pmemobj_memset(void *pop, void *dst, int byte,
                                         size_t len, unsigned flags,
                                         struct __pmt_site *site)
{
    (void)pop, (void)dst, (void)byte, (void)len, (void)flags, (void)site;
    quiet_begin();
}

PMT_EXPORT void __pmt_post_pmemobj_memset(void *result, void *pop, void *dst,
                                          int byte, size_t len, unsigned flags,
                                          struct __pmt_site *site)
{
    (void)result, (void)pop;
    quiet_end();
    pmt_lib_fill(dst, byte, len, pmt_lib_steps_of_flags(flags), site);
}

/* ---- atomic API, lists, actions: call boundaries ---------------------- */

PMT_LIB_FN(fn_alloc, "pmemobj_alloc");
PMT_LIB_FN(fn_xalloc, "pmemobj_xalloc");
PMT_LIB_FN(fn_zalloc, "pmemobj_zalloc");
PMT_LIB_FN(fn_realloc, "pmemobj_realloc");
PMT_LIB_FN(fn_zrealloc, "pmemobj_zrealloc");
PMT_LIB_FN(fn_strdup, "pmemobj_strdup");
PMT_LIB_FN(fn_wcsdup, "pmemobj_wcsdup");
PMT_LIB_FN(fn_free, "pmemobj_free");
PMT_LIB_FN(fn_root, "pmemobj_root");
PMT_LIB_FN(fn_root_construct, "pmemobj_root_construct");
PMT_LIB_FN(fn_list_insert, "pmemobj_list_insert");
PMT_LIB_FN(fn_list_insert_new, "pmemobj_list_insert_new");
PMT_LIB_FN(fn_list_remove, "pmemobj_list_remove");
PMT_LIB_FN(fn_list_move, "pmemobj_list_move");
PMT_LIB_FN(fn_publish, "pmemobj_publish");
PMT_LIB_FN(fn_tx_publish, "pmemobj_tx_publish");

PMT_EXPORT void __pmt_pre_pmemobj_alloc(void *pop, void *oidp, size_t size,
                                        uint64_t type, void *constructor,
                                        void *arg, struct __pmt_site *site)
{
    (void)pop, (void)oidp, (void)size, (void)type, (void)constructor, (void)arg;
    pmt_lib_call_enter(&fn_alloc, site);
}

PMT_EXPORT void __pmt_post_pmemobj_alloc(int result, void *pop, void *oidp,
                                         size_t size, uint64_t type,
                                         void *constructor, void *arg,
                                         struct __pmt_site *site)
{
    (void)pop, (void)oidp, (void)size, (void)type, (void)constructor, (void)arg;
    pmt_lib_call_leave(&fn_alloc, result, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_xalloc(void *pop, void *oidp, size_t size,
                                         uint64_t type, uint64_t flags,
                                         void *constructor, void *arg,
                                         struct __pmt_site *site)
{
    (void)pop, (void)oidp, (void)size, (void)type, (void)flags,
        (void)constructor, (void)arg;
    pmt_lib_call_enter(&fn_xalloc, site);
}

PMT_EXPORT void __pmt_post_pmemobj_xalloc(int result, void *pop, void *oidp,
                                          size_t size, uint64_t type,
                                          uint64_t flags, void *constructor,
                                          void *arg, struct __pmt_site *site)
{
    (void)pop, (void)oidp, (void)size, (void)type, (void)flags,
        (void)constructor, (void)arg;
    pmt_lib_call_leave(&fn_xalloc, result, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_zalloc(void *pop, void *oidp, size_t size,
                                         uint64_t type, struct __pmt_site *site)
{
    (void)pop, (void)oidp, (void)size, (void)type;
    pmt_lib_call_enter(&fn_zalloc, site);
}

PMT_EXPORT void __pmt_post_pmemobj_zalloc(int result, void *pop, void *oidp,
                                          size_t size, uint64_t type,
                                          struct __pmt_site *site)
{
    (void)pop, (void)oidp, (void)size, (void)type;
    pmt_lib_call_leave(&fn_zalloc, result, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_realloc(void *pop, void *oidp, size_t size,
                                          uint64_t type,
                                          struct __pmt_site *site)
{
    (void)pop, (void)oidp, (void)size, (void)type;
    pmt_lib_call_enter(&fn_realloc, site);
}

PMT_EXPORT void __pmt_post_pmemobj_realloc(int result, void *pop, void *oidp,
                                           size_t size, uint64_t type,
                                           struct __pmt_site *site)
{
    (void)pop, (void)oidp, (void)size, (void)type;
    pmt_lib_call_leave(&fn_realloc, result, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_zrealloc(void *pop, void *oidp, size_t size,
                                           uint64_t type,
                                           struct __pmt_site *site)
{
    (void)pop, (void)oidp, (void)size, (void)type;
    pmt_lib_call_enter(&fn_zrealloc, site);
}

PMT_EXPORT void __pmt_post_pmemobj_zrealloc(int result, void *pop, void *oidp,
                                            size_t size, uint64_t type,
                                            struct __pmt_site *site)
{
    (void)pop, (void)oidp, (void)size, (void)type;
    pmt_lib_call_leave(&fn_zrealloc, result, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_strdup(void *pop, void *oidp, const char *s,
                                         uint64_t type, struct __pmt_site *site)
{
    (void)pop, (void)oidp, (void)s, (void)type;
    pmt_lib_call_enter(&fn_strdup, site);
}

PMT_EXPORT void __pmt_post_pmemobj_strdup(int result, void *pop, void *oidp,
                                          const char *s, uint64_t type,
                                          struct __pmt_site *site)
{
    (void)pop, (void)oidp, (void)s, (void)type;
    pmt_lib_call_leave(&fn_strdup, result, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_wcsdup(void *pop, void *oidp,
                                         const wchar_t *s, uint64_t type,
                                         struct __pmt_site *site)
{
    (void)pop, (void)oidp, (void)s, (void)type;
    pmt_lib_call_enter(&fn_wcsdup, site);
}

PMT_EXPORT void __pmt_post_pmemobj_wcsdup(int result, void *pop, void *oidp,
                                          const wchar_t *s, uint64_t type,
                                          struct __pmt_site *site)
{
    (void)pop, (void)oidp, (void)s, (void)type;
    pmt_lib_call_leave(&fn_wcsdup, result, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_free(void *oidp, struct __pmt_site *site)
{
    (void)oidp;
    pmt_lib_call_enter(&fn_free, site);
}

PMT_EXPORT void __pmt_post_pmemobj_free(void *oidp, struct __pmt_site *site)
{
    (void)oidp;
    pmt_lib_call_leave(&fn_free, 0, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_root(void *pop, size_t size,
                                       struct __pmt_site *site)
{
    (void)pop, (void)size;
    pmt_lib_call_enter(&fn_root, site);
}

PMT_EXPORT void __pmt_post_pmemobj_root(uint64_t oid_pool, uint64_t oid_off,
                                        void *pop, size_t size,
                                        struct __pmt_site *site)
{
    (void)oid_pool, (void)pop, (void)size;
    pmt_lib_call_leave(&fn_root, oid_result(oid_off), site);
}

PMT_EXPORT void __pmt_pre_pmemobj_root_construct(void *pop, size_t size,
                                                 void *constructor, void *arg,
                                                 struct __pmt_site *site)
{
    (void)pop, (void)size, (void)constructor, (void)arg;
    pmt_lib_call_enter(&fn_root_construct, site);
}

PMT_EXPORT void __pmt_post_pmemobj_root_construct(uint64_t oid_pool,
                                                  uint64_t oid_off, void *pop,
                                                  size_t size,
                                                  void *constructor, void *arg,
                                                  struct __pmt_site *site)
{
    (void)oid_pool, (void)pop, (void)size, (void)constructor, (void)arg;
    pmt_lib_call_leave(&fn_root_construct, oid_result(oid_off), site);
}

PMT_EXPORT void __pmt_pre_pmemobj_list_insert(void *pop, size_t pe_offset,
                                              void *head, uint64_t dest_pool,
                                              uint64_t dest_off, int before,
                                              const void *oid,
                                              struct __pmt_site *site)
{
    (void)pop, (void)pe_offset, (void)head, (void)dest_pool, (void)dest_off,
        (void)before, (void)oid;
    pmt_lib_call_enter(&fn_list_insert, site);
}

PMT_EXPORT void __pmt_post_pmemobj_list_insert(
    int result, void *pop, size_t pe_offset, void *head, uint64_t dest_pool,
    uint64_t dest_off, int before, const void *oid, struct __pmt_site *site)
{
    (void)pop, (void)pe_offset, (void)head, (void)dest_pool, (void)dest_off,
        (void)before, (void)oid;
    pmt_lib_call_leave(&fn_list_insert, result, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_list_insert_new(
    void *pop, size_t pe_offset, void *head, uint64_t dest_pool,
    uint64_t dest_off, int before, size_t size, uint64_t type,
    void *constructor, void *arg, struct __pmt_site *site)
{
    (void)pop, (void)pe_offset, (void)head, (void)dest_pool, (void)dest_off,
        (void)before, (void)size, (void)type, (void)constructor, (void)arg;
    pmt_lib_call_enter(&fn_list_insert_new, site);
}

PMT_EXPORT void __pmt_post_pmemobj_list_insert_new(
    uint64_t oid_pool, uint64_t oid_off, void *pop, size_t pe_offset,
    void *head, uint64_t dest_pool, uint64_t dest_off, int before, size_t size,
    uint64_t type, void *constructor, void *arg, struct __pmt_site *site)
{
    (void)oid_pool, (void)pop, (void)pe_offset, (void)head, (void)dest_pool,
        (void)dest_off, (void)before, (void)size, (void)type, (void)constructor,
        (void)arg;
    pmt_lib_call_leave(&fn_list_insert_new, oid_result(oid_off), site);
}

PMT_EXPORT void __pmt_pre_pmemobj_list_remove(void *pop, size_t pe_offset,
                                              void *head, uint64_t oid_pool,
                                              uint64_t oid_off, int free_obj,
                                              struct __pmt_site *site)
{
    (void)pop, (void)pe_offset, (void)head, (void)oid_pool, (void)oid_off,
        (void)free_obj;
    pmt_lib_call_enter(&fn_list_remove, site);
}

PMT_EXPORT void __pmt_post_pmemobj_list_remove(int result, void *pop,
                                               size_t pe_offset, void *head,
                                               uint64_t oid_pool,
                                               uint64_t oid_off, int free_obj,
                                               struct __pmt_site *site)
{
    (void)pop, (void)pe_offset, (void)head, (void)oid_pool, (void)oid_off,
        (void)free_obj;
    pmt_lib_call_leave(&fn_list_remove, result, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_list_move(void *pop, size_t pe_old_offset,
                                            void *head_old,
                                            size_t pe_new_offset,
                                            void *head_new, const void *dest,
                                            int before, const void *oid,
                                            struct __pmt_site *site)
{
    (void)pop, (void)pe_old_offset, (void)head_old, (void)pe_new_offset,
        (void)head_new, (void)dest, (void)before, (void)oid;
    pmt_lib_call_enter(&fn_list_move, site);
}

PMT_EXPORT void
__pmt_post_pmemobj_list_move(int result, void *pop, size_t pe_old_offset,
                             void *head_old, size_t pe_new_offset,
                             void *head_new, const void *dest, int before,
                             const void *oid, struct __pmt_site *site)
{
    (void)pop, (void)pe_old_offset, (void)head_old, (void)pe_new_offset,
        (void)head_new, (void)dest, (void)before, (void)oid;
    pmt_lib_call_leave(&fn_list_move, result, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_publish(void *pop, void *actv, size_t count,
                                          struct __pmt_site *site)
{
    (void)pop, (void)actv, (void)count;
    pmt_lib_call_enter(&fn_publish, site);
}

PMT_EXPORT void __pmt_post_pmemobj_publish(int result, void *pop, void *actv,
                                           size_t count,
                                           struct __pmt_site *site)
{
    (void)pop, (void)actv, (void)count;
    pmt_lib_call_leave(&fn_publish, result, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_publish(void *actv, size_t count,
                                             struct __pmt_site *site)
{
    (void)actv, (void)count;
    pmt_lib_call_enter(&fn_tx_publish, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_publish(int result, void *actv,
                                              size_t count,
                                              struct __pmt_site *site)
{
    (void)actv, (void)count;
    pmt_lib_call_leave(&fn_tx_publish, result, site);
}
