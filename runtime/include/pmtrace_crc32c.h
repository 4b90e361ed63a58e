/*
 * pmtrace_crc32c.h - CRC-32C (Castagnoli), the checksum of trace blocks.
 *
 * One implementation serves the writer (runtime/) and the reader
 * (checker/): the SSE4.2 crc32 instruction when the CPU has it, a table
 * otherwise. pmt_crc32c(0, buf, n) is the CRC of buf; pass a previous
 * result as `crc` to continue it over more bytes.
 */
#ifndef PMTRACE_CRC32C_H
#define PMTRACE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t pmt_crc32c(uint32_t crc, const void *buf, size_t len);

#endif /* PMTRACE_CRC32C_H */
