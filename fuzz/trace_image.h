/*
 * trace_image.h - the trace file a fuzz input stands for.
 *
 * A real trace is mostly zeros (every block is 64 KiB however little it
 * holds) and guarded by CRC-32C checksums, which a mutating fuzzer almost
 * never gets right. So an input is a compact trace, which this module
 * expands, optionally recomputing the checksums the mutations broke:
 *
 *   byte 0         flags (TRACE_IMAGE_*)
 *   64 bytes       the file header up to its command line
 *                  (struct pmt_file_header, little-endian as in the file)
 *   cmdline_len    bytes of command line, cmdline_len taken from that
 *                  header (at most the header's room)
 *   then blocks    each a 32-byte block header followed by `used` bytes of
 *                  records (`used` from that header, at most a block's
 *                  payload); they fill the file's block slots in order
 *
 * Missing bytes are zeros; at most TRACE_IMAGE_MAX_BLOCKS blocks are
 * made, the rest of the input is ignored. With TRACE_IMAGE_RAW, the rest
 * of the input is the file itself, byte for byte. fuzz/make_seeds.py
 * writes real traces in this form.
 */
#ifndef PMC_FUZZ_TRACE_IMAGE_H
#define PMC_FUZZ_TRACE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define TRACE_IMAGE_FIX_HEADER 0x01u /* recompute header_crc */
#define TRACE_IMAGE_FIX_BLOCKS 0x02u /* recompute the crc of sealed blocks */
#define TRACE_IMAGE_CUT 0x04u /* the file ends after the last input byte */
#define TRACE_IMAGE_RAW 0x80u /* the input is the file */

#define TRACE_IMAGE_MAX_BLOCKS 64u

/* The file, malloc'ed, and its size in *size; NULL when out of memory. */
uint8_t *trace_image(const uint8_t *in, size_t n, size_t *size);

#endif /* PMC_FUZZ_TRACE_IMAGE_H */
