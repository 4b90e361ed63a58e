/*
 * lib_semantics.h - a library call of the program as the events it stands
 * for: libpmem's and libpmemobj's flushes, drains and copies, with their
 * documented semantics (pmem_persist(3), pmem_memcpy(3),
 * pmemobj_persist(3)). Shared by their POST hooks (hooks_pmem.c,
 * hooks_pmemobj.c).
 *
 * Contract: a flush is FLUSH(addr, len, PMT_FLUSH_LIB) wherever it points;
 * a drain is FENCE(PMT_FENCE_LIB); a copy or fill is the STORE (NT_STORE)
 * or STORE_FILL of the part of its destination inside pmem regions, read
 * back from memory after the call, followed by the steps it promises. All
 * at the program's call site. Each function enters and leaves the
 * thread's stream itself.
 */
#ifndef PMT_LIB_SEMANTICS_H
#define PMT_LIB_SEMANTICS_H

#include <stddef.h>

#include "pmtrace_abi.h"

/* steps: what the call does after writing */
#define PMT_LIB_FLUSH 1u
#define PMT_LIB_FENCE 2u

void pmt_lib_persist(const void *addr, size_t len, unsigned steps,
                     struct __pmt_site *site);

/* store_kind: PMT_STORE or PMT_NT_STORE */
void pmt_lib_copy(void *dst, const void *src, size_t len, unsigned store_kind,
                  unsigned steps, struct __pmt_site *site);

/* A fill has no non-temporal record kind; a filled range followed by its
 * flush and drain persists exactly as non-temporal stores would. */
void pmt_lib_fill(void *dst, int byte, size_t len, unsigned steps,
                  struct __pmt_site *site);

/* The steps and store kind of a PMEM_F_MEM_* (= PMEMOBJ_F_MEM_*) flags
 * word. */
unsigned pmt_lib_steps_of_flags(unsigned flags);
unsigned pmt_lib_store_kind_of_flags(unsigned flags);

#endif /* PMT_LIB_SEMANTICS_H */
