/*
 * pmdk.c - LIB_CALL records and libpmemobj's own functions, for the
 * libpmemobj hooks (see pmdk.h).
 */
#include "pmdk.h"

#include <dlfcn.h>
#include <string.h>

#include "emit.h"
#include "names.h"

/* ---- LIB_CALL ----------------------------------------------------------- */

static uint32_t lib_fn_id(struct pmt_thread *t, struct pmt_lib_fn *fn)
{
    uint32_t id = __atomic_load_n(&fn->id, __ATOMIC_ACQUIRE);
    if (id == 0) {
        id = pmt_names_string(t, fn->name);
        __atomic_store_n(&fn->id, id, __ATOMIC_RELEASE);
    }
    return id;
}

static void lib_call(struct pmt_thread *t, struct pmt_lib_fn *fn,
                     unsigned flags, int32_t result, struct __pmt_site *site)
{
    uint32_t sid = pmt_site_id(t, site);
    struct pmt_body_lib_call body = {
        .function = lib_fn_id(t, fn),
        .result = result,
    };
    pmt_emit_fixed(t, PMT_LIB_CALL, flags, sid, &body, sizeof(body));
}

void pmt_lib_call_begin(struct pmt_thread *t, struct pmt_lib_fn *fn,
                        struct __pmt_site *site)
{
    lib_call(t, fn, PMT_LIB_CALL_BEGIN, 0, site);
    t->pmdk.call_site = site;
}

void pmt_lib_call_end(struct pmt_thread *t, struct pmt_lib_fn *fn,
                      int32_t result, struct __pmt_site *site)
{
    lib_call(t, fn, PMT_LIB_CALL_END, result, site);
    t->pmdk.call_site = NULL;
}

void pmt_lib_call_enter(struct pmt_lib_fn *fn, struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_lib_call_begin(t, fn, site);
    pmt_stream_leave(t);
}

void pmt_lib_call_leave(struct pmt_lib_fn *fn, int32_t result,
                        struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_lib_call_end(t, fn, result, site);
    pmt_stream_leave(t);
}

/* ---- libpmemobj, through dlsym -------------------------------------- */

typedef int (*tx_stage_fn)(void);
typedef void *(*direct_fn)(struct pmt_oid);
typedef size_t (*usable_size_fn)(struct pmt_oid);

static struct {
    void *tx_stage, *direct, *usable_size; /* atomic; resolved once */
} pmemobj;

/* NULL when libpmemobj is not loaded. A race resolves twice, alike. */
static void *pmemobj_symbol(void **cache, const char *name)
{
    void *sym = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
    if (sym == NULL) {
        sym = dlsym(RTLD_DEFAULT, name);
        __atomic_store_n(cache, sym, __ATOMIC_RELEASE);
    }
    return sym;
}

int pmt_pmemobj_tx_stage(void)
{
    void *sym = pmemobj_symbol(&pmemobj.tx_stage, "pmemobj_tx_stage");
    if (sym == NULL)
        return PMT_TX_STAGE_NONE;
    tx_stage_fn fn;
    memcpy(&fn, &sym, sizeof(fn)); /* POSIX: dlsym's result is callable */
    return fn();
}

void *pmt_pmemobj_direct(struct pmt_oid oid)
{
    void *sym = pmemobj_symbol(&pmemobj.direct, "pmemobj_direct");
    if (sym == NULL || oid.off == 0)
        return NULL;
    direct_fn fn;
    memcpy(&fn, &sym, sizeof(fn));
    return fn(oid);
}

size_t pmt_pmemobj_usable_size(struct pmt_oid oid)
{
    void *sym =
        pmemobj_symbol(&pmemobj.usable_size, "pmemobj_alloc_usable_size");
    if (sym == NULL || oid.off == 0)
        return 0;
    usable_size_fn fn;
    memcpy(&fn, &sym, sizeof(fn));
    return fn(oid);
}
