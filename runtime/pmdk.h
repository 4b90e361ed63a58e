/*
 * pmdk.h - what the libpmemobj hooks share (hooks_pmemobj.c,
 * hooks_pmemobj_tx.c): LIB_CALL records, and the few libpmemobj functions
 * the hooks call themselves.
 *
 * Contract:
 *  - pmt_lib_call_begin/end write LIB_CALL BEGIN/END records for a
 *    function (a struct pmt_lib_fn: its name, and the string id the trace
 *    gave it, cached) and set/clear the thread's call_site (stream.h): the
 *    library's LIB_WRITEs in between are attributed to the program's call.
 *    One slot, not a stack: after a nested call (a constructor that
 *    pmemobj_alloc runs may call the library again) the rest of the outer
 *    call's writes have no site, which costs only the attribution. A call
 *    that never returns (pmemobj_tx_abort longjmps) has no END; its site
 *    stays until the next call begins.
 *  - libpmemobj is found with dlsym(RTLD_DEFAULT) the first time a hook
 *    needs it: the runtime does not link it, and only a program that calls
 *    libpmemobj runs these hooks. Without it (impossible in practice) the
 *    stage is NONE and objects have no address.
 */
#ifndef PMT_PMDK_H
#define PMT_PMDK_H

#include <stddef.h>
#include <stdint.h>

#include "pmdk_abi.h"
#include "pmtrace_abi.h"
#include "stream.h"

struct pmt_lib_fn {
    const char *name;
    uint32_t id; /* string id, 0 until first used; atomic */
};

#define PMT_LIB_FN(var, fname) static struct pmt_lib_fn var = {fname, 0}

void pmt_lib_call_begin(struct pmt_thread *t, struct pmt_lib_fn *fn,
                        struct __pmt_site *site);
void pmt_lib_call_end(struct pmt_thread *t, struct pmt_lib_fn *fn,
                      int32_t result, struct __pmt_site *site);

/* The same, entering and leaving the thread's stream themselves, for hooks
 * that only mark a call's boundaries. */
void pmt_lib_call_enter(struct pmt_lib_fn *fn, struct __pmt_site *site);
void pmt_lib_call_leave(struct pmt_lib_fn *fn, int32_t result,
                        struct __pmt_site *site);

/* pmemobj_tx_stage() (enum pobj_tx_stage). */
int pmt_pmemobj_tx_stage(void);

/* pmemobj_direct(oid), NULL for OID_NULL; and the object's usable size. */
void *pmt_pmemobj_direct(struct pmt_oid oid);
size_t pmt_pmemobj_usable_size(struct pmt_oid oid);

#endif /* PMT_PMDK_H */
