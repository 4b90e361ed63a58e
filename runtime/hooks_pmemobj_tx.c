/*
 * hooks_pmemobj_tx.c - libpmemobj transactions as TX_* records
 * (PMT_CALL_HOOKS).
 *
 * The TX_BEGIN ... TX_END macros call pmemobj_tx_begin, then loop on
 * pmemobj_tx_stage() calling pmemobj_tx_process(), which commits by itself
 * (the program never calls pmemobj_tx_commit), and end with
 * pmemobj_tx_end(); an abort longjmps back to the setjmp of TX_BEGIN. So
 * the commit and the abort are derived from the transaction's stage as the
 * program observes it: each hook that can see it change compares the stage
 * now (pmemobj_tx_stage, pmdk.h) with the last one the thread saw (stream.h)
 * and records the transition:
 *   pmemobj_tx_begin (POST)   TX_BEGIN, once per begin (nested ones too),
 *                             and TX_ABORT when the begin failed
 *   WORK -> ONCOMMIT          TX_COMMIT (of the transaction at that depth)
 *   -> ONABORT                TX_ABORT: from WORK, or seen again in the
 *                             outer transaction after a nested one aborted
 *                             (its pmemobj_tx_end longjmps there)
 *   pmemobj_tx_abort (PRE)    TX_ABORT before the library rolls back
 *   pmemobj_tx_end (PRE)      TX_END: before the call, which may longjmp
 * The checker flattens nested transactions into the outermost one.
 *
 * Ranges: TX_ADD from the POST hooks of the add functions that succeeded
 * (an object's offset made an address with pmemobj_direct), TX_ALLOC from
 * the tx allocations that returned an object (its usable size, which the
 * program may use whole), TX_FREE from pmemobj_tx_free's PRE hook, while
 * the object still has its size. Each call is also bracketed by LIB_CALL
 * records (pmdk.h): the undo log the library writes is attributed to it.
 */
#include "hooks.h"

#include "emit.h"
#include "names.h"
#include "pmdk.h"
#include "rt.h"
#include "stream.h"

static uint64_t addr_of(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

static struct pmt_oid oid_of(uint64_t pool_uuid_lo, uint64_t off)
{
    return (struct pmt_oid){pool_uuid_lo, off};
}

static void tx_event(struct pmt_thread *t, unsigned kind,
                     struct __pmt_site *site)
{
    pmt_emit_fixed(t, kind, 0, pmt_site_id(t, site), NULL, 0);
}

/* The stage the program sees now: record what changed since the last. */
static void tx_observe(struct pmt_thread *t, int now, struct __pmt_site *site)
{
    struct pmt_pmdk_thread *p = &t->pmdk;
    if (p->tx_depth > 0 && now != p->tx_stage) {
        if (now == PMT_TX_STAGE_ONCOMMIT && p->tx_stage == PMT_TX_STAGE_WORK)
            tx_event(t, PMT_TX_COMMIT, site);
        else if (now == PMT_TX_STAGE_ONABORT)
            tx_event(t, PMT_TX_ABORT, site);
    }
    p->tx_stage = now;
}

/* ---- begin, stage, commit, abort, end --------------------------------- */

PMT_LIB_FN(fn_begin, "pmemobj_tx_begin");
PMT_LIB_FN(fn_process, "pmemobj_tx_process");
PMT_LIB_FN(fn_commit, "pmemobj_tx_commit");
PMT_LIB_FN(fn_end, "pmemobj_tx_end");
PMT_LIB_FN(fn_abort, "pmemobj_tx_abort");

PMT_EXPORT void __pmt_pre_pmemobj_tx_begin(void *pop, void *env,
                                           struct __pmt_site *site)
{
    (void)pop, (void)env;
    pmt_lib_call_enter(&fn_begin, site);
}

/* A begin that failed has still opened a transaction (the stage is
 * ONABORT, and the program calls pmemobj_tx_end). */
PMT_EXPORT void __pmt_post_pmemobj_tx_begin(int result, void *pop, void *env,
                                            struct __pmt_site *site)
{
    (void)pop, (void)env;
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    int now = pmt_pmemobj_tx_stage();
    if (now != PMT_TX_STAGE_NONE) {
        t->pmdk.tx_depth++;
        t->pmdk.tx_stage = PMT_TX_STAGE_WORK;
        tx_event(t, PMT_TX_BEGIN, site);
        tx_observe(t, now, site);
    }
    pmt_lib_call_end(t, &fn_begin, result, site);
    pmt_stream_leave(t);
}

/* Called on every turn of the TX_BEGIN loop: costs nothing unless the
 * stage changed. */
PMT_EXPORT void __pmt_post_pmemobj_tx_stage(int result, struct __pmt_site *site)
{
    const struct pmt_pmdk_thread *p = &pmt_self.pmdk;
    if (p->tx_depth == 0 || p->tx_stage == result)
        return;
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    tx_observe(t, result, site);
    pmt_stream_leave(t);
}

static void stage_call_end(struct pmt_lib_fn *fn, int32_t result,
                           struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    if (t->pmdk.tx_depth > 0)
        tx_observe(t, pmt_pmemobj_tx_stage(), site);
    pmt_lib_call_end(t, fn, result, site);
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_process(struct __pmt_site *site)
{
    pmt_lib_call_enter(&fn_process, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_process(struct __pmt_site *site)
{
    stage_call_end(&fn_process, 0, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_commit(struct __pmt_site *site)
{
    pmt_lib_call_enter(&fn_commit, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_commit(struct __pmt_site *site)
{
    stage_call_end(&fn_commit, 0, site);
}

/* Never returns: the rollback follows this record, then a longjmp. */
PMT_EXPORT void __pmt_pre_pmemobj_tx_abort(int errnum, struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_lib_call_begin(t, &fn_abort, site);
    tx_observe(t, PMT_TX_STAGE_ONABORT, site);
    (void)errnum;
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_end(struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_lib_call_begin(t, &fn_end, site);
    if (t->pmdk.tx_depth > 0) {
        t->pmdk.tx_depth--;
        tx_event(t, PMT_TX_END, site);
    }
    pmt_stream_leave(t);
}

/* Back in the outer transaction (or in none): its stage is the last seen. */
PMT_EXPORT void __pmt_post_pmemobj_tx_end(int result, struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    t->pmdk.tx_stage = pmt_pmemobj_tx_stage();
    pmt_lib_call_end(t, &fn_end, result, site);
    pmt_stream_leave(t);
}

/* ---- ranges ------------------------------------------------------------- */

/* TX_ADD, TX_ALLOC and TX_FREE flags from POBJ_XADD_* / POBJ_XALLOC_*. */
static unsigned range_flags(uint64_t pobj_flags)
{
    unsigned flags = 0;
    if (pobj_flags & PMT_POBJ_FLAG_NO_FLUSH)
        flags |= PMT_TX_NO_FLUSH;
    if (pobj_flags & PMT_POBJ_FLAG_NO_SNAPSHOT)
        flags |= PMT_TX_NO_SNAPSHOT;
    return flags;
}

/* LIB_CALL END of fn, after a range record when addr is not NULL. */
static void range_call_end(struct pmt_lib_fn *fn, int32_t result, unsigned kind,
                           const void *addr, uint64_t len, unsigned flags,
                           struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    if (addr != NULL)
        pmt_emit_range(t, kind, flags, pmt_site_id(t, site), addr_of(addr),
                       len);
    pmt_lib_call_end(t, fn, result, site);
    pmt_stream_leave(t);
}

static const void *oid_addr(struct pmt_oid oid, uint64_t offset)
{
    const char *base = pmt_pmemobj_direct(oid);
    return base != NULL ? base + offset : NULL;
}

PMT_LIB_FN(fn_add_range, "pmemobj_tx_add_range");
PMT_LIB_FN(fn_add_range_direct, "pmemobj_tx_add_range_direct");
PMT_LIB_FN(fn_xadd_range, "pmemobj_tx_xadd_range");
PMT_LIB_FN(fn_xadd_range_direct, "pmemobj_tx_xadd_range_direct");

PMT_EXPORT void __pmt_pre_pmemobj_tx_add_range(uint64_t oid_pool,
                                               uint64_t oid_off, uint64_t off,
                                               size_t size,
                                               struct __pmt_site *site)
{
    (void)oid_pool, (void)oid_off, (void)off, (void)size;
    pmt_lib_call_enter(&fn_add_range, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_add_range(int result, uint64_t oid_pool,
                                                uint64_t oid_off, uint64_t off,
                                                size_t size,
                                                struct __pmt_site *site)
{
    const void *addr =
        result == 0 ? oid_addr(oid_of(oid_pool, oid_off), off) : NULL;
    range_call_end(&fn_add_range, result, PMT_TX_ADD, addr, size, 0, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_add_range_direct(const void *ptr,
                                                      size_t size,
                                                      struct __pmt_site *site)
{
    (void)ptr, (void)size;
    pmt_lib_call_enter(&fn_add_range_direct, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_add_range_direct(int result,
                                                       const void *ptr,
                                                       size_t size,
                                                       struct __pmt_site *site)
{
    range_call_end(&fn_add_range_direct, result, PMT_TX_ADD,
                   result == 0 ? ptr : NULL, size, 0, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_xadd_range(uint64_t oid_pool,
                                                uint64_t oid_off, uint64_t off,
                                                size_t size, uint64_t flags,
                                                struct __pmt_site *site)
{
    (void)oid_pool, (void)oid_off, (void)off, (void)size, (void)flags;
    pmt_lib_call_enter(&fn_xadd_range, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_xadd_range(int result, uint64_t oid_pool,
                                                 uint64_t oid_off, uint64_t off,
                                                 size_t size, uint64_t flags,
                                                 struct __pmt_site *site)
{
    const void *addr =
        result == 0 ? oid_addr(oid_of(oid_pool, oid_off), off) : NULL;
    range_call_end(&fn_xadd_range, result, PMT_TX_ADD, addr, size,
                   range_flags(flags), site);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_xadd_range_direct(const void *ptr,
                                                       size_t size,
                                                       uint64_t flags,
                                                       struct __pmt_site *site)
{
    (void)ptr, (void)size, (void)flags;
    pmt_lib_call_enter(&fn_xadd_range_direct, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_xadd_range_direct(int result,
                                                        const void *ptr,
                                                        size_t size,
                                                        uint64_t flags,
                                                        struct __pmt_site *site)
{
    range_call_end(&fn_xadd_range_direct, result, PMT_TX_ADD,
                   result == 0 ? ptr : NULL, size, range_flags(flags), site);
}

/* ---- allocations and frees -------------------------------------------- */

/* TX_ALLOC of a new object, when there is one. */
static void allocated(struct pmt_lib_fn *fn, uint64_t oid_pool,
                      uint64_t oid_off, uint64_t pobj_flags,
                      struct __pmt_site *site)
{
    struct pmt_oid oid = oid_of(oid_pool, oid_off);
    const void *addr = oid_off != 0 ? pmt_pmemobj_direct(oid) : NULL;
    size_t len = addr != NULL ? pmt_pmemobj_usable_size(oid) : 0;
    range_call_end(fn, oid_off != 0 ? 0 : -1, PMT_TX_ALLOC, addr, len,
                   range_flags(pobj_flags & PMT_POBJ_FLAG_NO_FLUSH), site);
}

PMT_LIB_FN(fn_alloc, "pmemobj_tx_alloc");
PMT_LIB_FN(fn_zalloc, "pmemobj_tx_zalloc");
PMT_LIB_FN(fn_xalloc, "pmemobj_tx_xalloc");
PMT_LIB_FN(fn_realloc, "pmemobj_tx_realloc");
PMT_LIB_FN(fn_zrealloc, "pmemobj_tx_zrealloc");
PMT_LIB_FN(fn_strdup, "pmemobj_tx_strdup");
PMT_LIB_FN(fn_xstrdup, "pmemobj_tx_xstrdup");
PMT_LIB_FN(fn_wcsdup, "pmemobj_tx_wcsdup");
PMT_LIB_FN(fn_xwcsdup, "pmemobj_tx_xwcsdup");

PMT_EXPORT void __pmt_pre_pmemobj_tx_alloc(size_t size, uint64_t type,
                                           struct __pmt_site *site)
{
    (void)size, (void)type;
    pmt_lib_call_enter(&fn_alloc, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_alloc(uint64_t oid_pool, uint64_t oid_off,
                                            size_t size, uint64_t type,
                                            struct __pmt_site *site)
{
    (void)size, (void)type;
    allocated(&fn_alloc, oid_pool, oid_off, 0, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_zalloc(size_t size, uint64_t type,
                                            struct __pmt_site *site)
{
    (void)size, (void)type;
    pmt_lib_call_enter(&fn_zalloc, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_zalloc(uint64_t oid_pool,
                                             uint64_t oid_off, size_t size,
                                             uint64_t type,
                                             struct __pmt_site *site)
{
    (void)size, (void)type;
    allocated(&fn_zalloc, oid_pool, oid_off, 0, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_xalloc(size_t size, uint64_t type,
                                            uint64_t flags,
                                            struct __pmt_site *site)
{
    (void)size, (void)type, (void)flags;
    pmt_lib_call_enter(&fn_xalloc, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_xalloc(uint64_t oid_pool,
                                             uint64_t oid_off, size_t size,
                                             uint64_t type, uint64_t flags,
                                             struct __pmt_site *site)
{
    (void)size, (void)type;
    allocated(&fn_xalloc, oid_pool, oid_off, flags, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_realloc(uint64_t oid_pool,
                                             uint64_t oid_off, size_t size,
                                             uint64_t type,
                                             struct __pmt_site *site)
{
    (void)oid_pool, (void)oid_off, (void)size, (void)type;
    pmt_lib_call_enter(&fn_realloc, site);
}

PMT_EXPORT void
__pmt_post_pmemobj_tx_realloc(uint64_t new_pool, uint64_t new_off,
                              uint64_t oid_pool, uint64_t oid_off, size_t size,
                              uint64_t type, struct __pmt_site *site)
{
    (void)oid_pool, (void)oid_off, (void)size, (void)type;
    allocated(&fn_realloc, new_pool, new_off, 0, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_zrealloc(uint64_t oid_pool,
                                              uint64_t oid_off, size_t size,
                                              uint64_t type,
                                              struct __pmt_site *site)
{
    (void)oid_pool, (void)oid_off, (void)size, (void)type;
    pmt_lib_call_enter(&fn_zrealloc, site);
}

PMT_EXPORT void
__pmt_post_pmemobj_tx_zrealloc(uint64_t new_pool, uint64_t new_off,
                               uint64_t oid_pool, uint64_t oid_off, size_t size,
                               uint64_t type, struct __pmt_site *site)
{
    (void)oid_pool, (void)oid_off, (void)size, (void)type;
    allocated(&fn_zrealloc, new_pool, new_off, 0, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_strdup(const char *s, uint64_t type,
                                            struct __pmt_site *site)
{
    (void)s, (void)type;
    pmt_lib_call_enter(&fn_strdup, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_strdup(uint64_t oid_pool,
                                             uint64_t oid_off, const char *s,
                                             uint64_t type,
                                             struct __pmt_site *site)
{
    (void)s, (void)type;
    allocated(&fn_strdup, oid_pool, oid_off, 0, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_xstrdup(const char *s, uint64_t type,
                                             uint64_t flags,
                                             struct __pmt_site *site)
{
    (void)s, (void)type, (void)flags;
    pmt_lib_call_enter(&fn_xstrdup, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_xstrdup(uint64_t oid_pool,
                                              uint64_t oid_off, const char *s,
                                              uint64_t type, uint64_t flags,
                                              struct __pmt_site *site)
{
    (void)s, (void)type;
    allocated(&fn_xstrdup, oid_pool, oid_off, flags, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_wcsdup(const wchar_t *s, uint64_t type,
                                            struct __pmt_site *site)
{
    (void)s, (void)type;
    pmt_lib_call_enter(&fn_wcsdup, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_wcsdup(uint64_t oid_pool,
                                             uint64_t oid_off, const wchar_t *s,
                                             uint64_t type,
                                             struct __pmt_site *site)
{
    (void)s, (void)type;
    allocated(&fn_wcsdup, oid_pool, oid_off, 0, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_xwcsdup(const wchar_t *s, uint64_t type,
                                             uint64_t flags,
                                             struct __pmt_site *site)
{
    (void)s, (void)type, (void)flags;
    pmt_lib_call_enter(&fn_xwcsdup, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_xwcsdup(uint64_t oid_pool,
                                              uint64_t oid_off,
                                              const wchar_t *s, uint64_t type,
                                              uint64_t flags,
                                              struct __pmt_site *site)
{
    (void)s, (void)type;
    allocated(&fn_xwcsdup, oid_pool, oid_off, flags, site);
}

PMT_LIB_FN(fn_free, "pmemobj_tx_free");
PMT_LIB_FN(fn_xfree, "pmemobj_tx_xfree");

/* TX_FREE while the object still has its size, then the call begins. */
static void freeing(struct pmt_lib_fn *fn, uint64_t oid_pool, uint64_t oid_off,
                    struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    struct pmt_oid oid = oid_of(oid_pool, oid_off);
    const void *addr = pmt_pmemobj_direct(oid);
    if (addr != NULL)
        pmt_emit_range(t, PMT_TX_FREE, 0, pmt_site_id(t, site), addr_of(addr),
                       pmt_pmemobj_usable_size(oid));
    pmt_lib_call_begin(t, fn, site);
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_free(uint64_t oid_pool, uint64_t oid_off,
                                          struct __pmt_site *site)
{
    freeing(&fn_free, oid_pool, oid_off, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_free(int result, uint64_t oid_pool,
                                           uint64_t oid_off,
                                           struct __pmt_site *site)
{
    (void)oid_pool, (void)oid_off;
    pmt_lib_call_leave(&fn_free, result, site);
}

PMT_EXPORT void __pmt_pre_pmemobj_tx_xfree(uint64_t oid_pool, uint64_t oid_off,
                                           uint64_t flags,
                                           struct __pmt_site *site)
{
    (void)flags;
    freeing(&fn_xfree, oid_pool, oid_off, site);
}

PMT_EXPORT void __pmt_post_pmemobj_tx_xfree(int result, uint64_t oid_pool,
                                            uint64_t oid_off, uint64_t flags,
                                            struct __pmt_site *site)
{
    (void)oid_pool, (void)oid_off, (void)flags;
    pmt_lib_call_leave(&fn_xfree, result, site);
}
