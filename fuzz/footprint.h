/*
 * footprint.h - how much persistent memory a trace says its program
 * mapped: the sum of the lengths of its REGION_MAP records.
 *
 * The persistency model keeps state per cache line stored and not yet
 * persistent, so its memory follows the pmem footprint a program touches
 * (checker/model.h), and a trace can claim a region of any length: a
 * memset over a fabricated 2^40-byte region costs 2^34 lines. That is a
 * known limit, not a finding, so the targets check only traces whose
 * footprint is at most FOOTPRINT_CHECK_MAX and still read every trace.
 */
#ifndef PMC_FUZZ_FOOTPRINT_H
#define PMC_FUZZ_FOOTPRINT_H

#include <stdint.h>

#define FOOTPRINT_CHECK_MAX (64ull << 20)

/* The footprint of the trace at path, as far as it reads (saturating at
 * UINT64_MAX); 0 when it does not open. */
uint64_t trace_footprint(const char *path);

#endif /* PMC_FUZZ_FOOTPRINT_H */
