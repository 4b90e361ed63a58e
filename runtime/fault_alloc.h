/*
 * fault_alloc.h - the Nth PMDK allocation of a recovery run fails
 * (PMCHECK_FAIL_ALLOC=N, pmtrace_forkserver.h), as it would when the pool
 * is full.
 *
 * The executable defines libpmemobj's allocation functions (weak, default
 * visibility, exported by pmtrace.dynlist): the program's calls bind
 * to them, and each forwards to libpmemobj's own (dlsym(RTLD_NEXT),
 * resolved once) unless it is the one to fail. Only calls from outside
 * libpmemobj count: pmemobj_tx_strdup calls pmemobj_tx_xstrdup through
 * its PLT, and that is one allocation. The one that fails does what
 * libpmemobj does when the heap is exhausted:
 *  - the atomic API (pmemobj_alloc, _xalloc, _zalloc, _realloc,
 *    _zrealloc, _strdup, _wcsdup) returns -1 with errno ENOMEM and leaves
 *    *oidp alone; pmemobj_reserve, _xreserve and pmemobj_list_insert_new
 *    return OID_NULL with errno ENOMEM;
 *  - the transactional API (pmemobj_tx_alloc, _zalloc, _xalloc, _realloc,
 *    _zrealloc, _strdup, _xstrdup, _wcsdup, _xwcsdup) aborts the
 *    transaction with ENOMEM through libpmemobj's pmemobj_tx_abort (which
 *    jumps back to TX_BEGIN's setjmp), unless POBJ_XALLOC_NO_ABORT or the
 *    transaction's POBJ_TX_FAILURE_RETURN asks for an error instead; then
 *    (or when pmemobj_tx_abort returns) it returns OID_NULL with errno
 *    ENOMEM. Outside a transaction's work stage nothing is injected:
 *    libpmemobj reports that misuse itself.
 * Without PMCHECK_FAIL_ALLOC the functions only forward.
 *
 * The types are libpmemobj.h's (1.12), copied by value as pmdk_abi.h does:
 * the runtime does not include or link PMDK.
 */
#ifndef PMT_FAULT_ALLOC_H
#define PMT_FAULT_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "pmdk_abi.h"

/* pmemobj_constr; the pool and struct pobj_action are opaque here. */
typedef int (*pmt_alloc_constr)(void *pop, void *ptr, void *arg);

int pmemobj_alloc(void *pop, struct pmt_oid *oidp, size_t size,
                  uint64_t type_num, pmt_alloc_constr constructor, void *arg);
int pmemobj_xalloc(void *pop, struct pmt_oid *oidp, size_t size,
                   uint64_t type_num, uint64_t flags,
                   pmt_alloc_constr constructor, void *arg);
int pmemobj_zalloc(void *pop, struct pmt_oid *oidp, size_t size,
                   uint64_t type_num);
int pmemobj_realloc(void *pop, struct pmt_oid *oidp, size_t size,
                    uint64_t type_num);
int pmemobj_zrealloc(void *pop, struct pmt_oid *oidp, size_t size,
                     uint64_t type_num);
int pmemobj_strdup(void *pop, struct pmt_oid *oidp, const char *s,
                   uint64_t type_num);
int pmemobj_wcsdup(void *pop, struct pmt_oid *oidp, const wchar_t *s,
                   uint64_t type_num);
struct pmt_oid pmemobj_reserve(void *pop, void *act, size_t size,
                               uint64_t type_num);
struct pmt_oid pmemobj_xreserve(void *pop, void *act, size_t size,
                                uint64_t type_num, uint64_t flags);
struct pmt_oid pmemobj_list_insert_new(void *pop, size_t pe_offset, void *head,
                                       struct pmt_oid dest, int before,
                                       size_t size, uint64_t type_num,
                                       pmt_alloc_constr constructor, void *arg);

struct pmt_oid pmemobj_tx_alloc(size_t size, uint64_t type_num);
struct pmt_oid pmemobj_tx_zalloc(size_t size, uint64_t type_num);
struct pmt_oid pmemobj_tx_xalloc(size_t size, uint64_t type_num,
                                 uint64_t flags);
struct pmt_oid pmemobj_tx_realloc(struct pmt_oid oid, size_t size,
                                  uint64_t type_num);
struct pmt_oid pmemobj_tx_zrealloc(struct pmt_oid oid, size_t size,
                                   uint64_t type_num);
struct pmt_oid pmemobj_tx_strdup(const char *s, uint64_t type_num);
struct pmt_oid pmemobj_tx_xstrdup(const char *s, uint64_t type_num,
                                  uint64_t flags);
struct pmt_oid pmemobj_tx_wcsdup(const wchar_t *s, uint64_t type_num);
struct pmt_oid pmemobj_tx_xwcsdup(const wchar_t *s, uint64_t type_num,
                                  uint64_t flags);

#endif /* PMT_FAULT_ALLOC_H */
