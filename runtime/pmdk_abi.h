/*
 * pmdk_abi.h - the few libpmem constants the runtime's hooks interpret,
 * copied by value from libpmem.h (PMDK 1.12; these values are part of
 * libpmem's stable ABI). The runtime never includes or links libpmem:
 * programs that do not use PMDK link the runtime too. The runtime tests
 * compare these with libpmem.h when it is installed.
 */
#ifndef PMT_PMDK_ABI_H
#define PMT_PMDK_ABI_H

/* pmem_map_file() flags */
#define PMT_PMEM_FILE_TMPFILE (1 << 3) /* PMEM_FILE_TMPFILE */

/* pmem_memcpy/memmove/memset() flags */
#define PMT_PMEM_F_MEM_NODRAIN (1U << 0)     /* PMEM_F_MEM_NODRAIN */
#define PMT_PMEM_F_MEM_NONTEMPORAL (1U << 1) /* PMEM_F_MEM_NONTEMPORAL */
#define PMT_PMEM_F_MEM_NOFLUSH (1U << 5)     /* PMEM_F_MEM_NOFLUSH */

#endif /* PMT_PMDK_ABI_H */
