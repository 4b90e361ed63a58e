/*
 * mappings.h - what the kernel says is mapped where (/proc/self/maps), for
 * regions whose extent the runtime did not see being mapped: pmem_map_file
 * without a length pointer, and PMDK pools, which libpmemobj maps itself.
 *
 * Contract: pmt_mapping_find(addr, &m) fills m with the file mapping that
 * contains addr: from the start of its /proc/self/maps line, extended over
 * the lines that continue it (the same file, contiguous in memory and in
 * the file: a mapping the kernel split, e.g. by mprotect). Returns false
 * when addr is in no mapping of a file, or /proc is unreadable. It opens a
 * file and allocates: call it only from hooks of rare calls.
 */
#ifndef PMT_MAPPINGS_H
#define PMT_MAPPINGS_H

#include <stdbool.h>
#include <stdint.h>

struct pmt_mapping {
    uint64_t lo;
    uint64_t len;
    uint64_t file_offset; /* of lo in the file */
    uint64_t inode;       /* of the file */
};

bool pmt_mapping_find(uint64_t addr, struct pmt_mapping *out);

#endif /* PMT_MAPPINGS_H */
