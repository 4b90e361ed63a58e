/*
 * pmdk_abi.h - the few libpmem and libpmemobj constants and types the
 * runtime's hooks interpret, copied by value from libpmem.h and
 * libpmemobj.h (PMDK 1.12; these values are part of PMDK's stable ABI).
 * The runtime never includes or links PMDK: programs that do not use it
 * link the runtime too. The runtime tests compare these with the headers
 * when they are installed.
 */
#ifndef PMT_PMDK_ABI_H
#define PMT_PMDK_ABI_H

#include <stdint.h>

/* pmem_map_file() flags */
#define PMT_PMEM_FILE_TMPFILE (1 << 3) /* PMEM_FILE_TMPFILE */

/* pmem_memcpy/memmove/memset() flags */
#define PMT_PMEM_F_MEM_NODRAIN (1U << 0)     /* PMEM_F_MEM_NODRAIN */
#define PMT_PMEM_F_MEM_NONTEMPORAL (1U << 1) /* PMEM_F_MEM_NONTEMPORAL */
#define PMT_PMEM_F_MEM_NOFLUSH (1U << 5)     /* PMEM_F_MEM_NOFLUSH */

/* PMEMoid, as passed by value */
struct pmt_oid {
    uint64_t pool_uuid_lo;
    uint64_t off; /* 0: OID_NULL */
};

/* enum pobj_tx_stage */
#define PMT_TX_STAGE_NONE 0
#define PMT_TX_STAGE_WORK 1
#define PMT_TX_STAGE_ONCOMMIT 2
#define PMT_TX_STAGE_ONABORT 3
#define PMT_TX_STAGE_FINALLY 4

/* pmemobj_tx_xadd_range / pmemobj_tx_xalloc flags (POBJ_FLAG_*) */
#define PMT_POBJ_FLAG_ZERO (1u << 0)
#define PMT_POBJ_FLAG_NO_FLUSH (1u << 1)
#define PMT_POBJ_FLAG_NO_SNAPSHOT (1u << 2)
#define PMT_POBJ_FLAG_TX_NO_ABORT (1u << 4) /* = POBJ_XALLOC_NO_ABORT */

/* enum pobj_tx_failure_behavior */
#define PMT_POBJ_TX_FAILURE_ABORT 0
#define PMT_POBJ_TX_FAILURE_RETURN 1

/* pmemobj_memcpy/memmove/memset flags: PMEMOBJ_F_MEM_* has the values of
 * PMEM_F_MEM_* above. */

#endif /* PMT_PMDK_ABI_H */
