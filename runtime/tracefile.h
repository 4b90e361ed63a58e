/*
 * tracefile.h - the trace file: its header and its blocks
 * (pmtrace_format.h).
 *
 * The file is mapped MAP_SHARED once, over a large reserved range of
 * address space, and records are written straight into the mapping: the
 * page cache holds every completed record whatever kills the process, so
 * nothing needs flushing at death. The file grows in big chunks as blocks
 * are claimed (fallocate, so a full disk is an error here rather than a
 * SIGBUS in the middle of the target's store).
 *
 * Contract:
 *  - pmt_tracefile_create() is called once, by init. It takes an exclusive
 *    flock on the file so a second instrumented process given the same
 *    PMTRACE_FILE (a fork child that execs, a program run by the target)
 *    cannot clobber a live trace. The lock is released by the kernel when
 *    the process dies.
 *  - pmt_tracefile_claim() hands out the next block with its header filled
 *    in (magic last). It is the only place that grows the file; it takes a
 *    mutex, which is fine because it runs once per 64 KiB of records. NULL
 *    when the trace is closed or cannot grow (recording is then stopped,
 *    and the header says so: end_kind PMT_END_STOPPED, with the errno).
 *  - pmt_tracefile_close() records how the process ended in the header's
 *    live fields, unless they say PMT_END_STOPPED, and cuts the file to
 *    its exact size; later claims fail.
 *  - pmt_tracefile_forget() is for a fork child: it drops the child's copy
 *    of the mapping and descriptor without touching the file.
 */
#ifndef PMT_TRACEFILE_H
#define PMT_TRACEFILE_H

#include <stddef.h>
#include <stdint.h>

#include "pmtrace_format.h"

/* 0, or -1 with the reason in why. */
int pmt_tracefile_create(const char *path, uint32_t file_flags, char *why,
                         size_t why_size);

struct pmt_block_header *pmt_tracefile_claim(uint32_t thread, uint32_t index);

void pmt_tracefile_close(uint32_t end_kind, int32_t end_code);

void pmt_tracefile_forget(void);

#endif /* PMT_TRACEFILE_H */
