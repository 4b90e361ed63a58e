/*
 * trace_builder.h - exact traces for tests, built in memory.
 *
 * A builder holds a whole trace file: the header, then blocks appended in
 * the order tests claim them, each filled with records a test chooses byte
 * for byte (any kind, flags, seq, even wrong lengths). tb_bytes() exposes
 * the file so a test can damage it; tb_write() writes it, whole or cut.
 * Nothing here checks what a test builds: making bad traces is the point.
 */
#ifndef TRACE_BUILDER_H
#define TRACE_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "pmtrace_format.h"

struct tb;

/* A new trace whose header says argv (NULL-terminated) ran. */
struct tb *tb_new(const char *const *argv);
void tb_free(struct tb *b);

/* Append a claimed block of `thread`, chain position `index`; returns its
 * block number (its slot in the file). tb_unclaimed appends a zero slot. */
uint32_t tb_block(struct tb *b, uint32_t thread, uint32_t index);
void tb_unclaimed(struct tb *b);

/* Append a record to block blk; returns its byte offset in the file.
 * body/data may be NULL with a zero length; data is padded to 8 bytes and
 * the padding goes into the low bits of flags (only pass data for kinds
 * that carry it). */
uint64_t tb_rec(struct tb *b, uint32_t blk, uint8_t kind, uint8_t flags,
                uint32_t site, uint64_t seq, const void *body, size_t body_len,
                const void *data, size_t data_len);

/* Shorthands for the common kinds. */
uint64_t tb_thread(struct tb *b, uint32_t blk, uint64_t seq, uint64_t tid);
uint64_t tb_string(struct tb *b, uint32_t blk, uint64_t seq, uint32_t id,
                   const char *s);
uint64_t tb_site(struct tb *b, uint32_t blk, uint64_t seq, uint32_t id,
                 uint32_t line, uint32_t column, uint32_t file, uint32_t dir,
                 uint32_t function);
uint64_t tb_store(struct tb *b, uint32_t blk, uint64_t seq, uint32_t site,
                  uint64_t addr, const void *data, size_t len);
uint64_t tb_flush(struct tb *b, uint32_t blk, uint64_t seq, uint32_t site,
                  uint64_t addr, uint8_t kind);
uint64_t tb_fence(struct tb *b, uint32_t blk, uint64_t seq, uint32_t site);
uint64_t tb_region_map(struct tb *b, uint32_t blk, uint64_t seq,
                       uint32_t region, uint64_t addr, uint64_t len,
                       uint32_t path);

/* Seal block blk as the runtime does: the checksum (of the header with
 * the sealed flag set, then the records), then the flag. */
void tb_seal(struct tb *b, uint32_t blk);

/* The file header (live fields may be set directly) and the file. The
 * header checksum is recomputed by tb_finish and tb_write. */
struct pmt_file_header *tb_header(struct tb *b);
struct pmt_block_header *tb_block_header(struct tb *b, uint32_t blk);
uint64_t tb_block_offset(uint32_t blk);
void tb_finish(struct tb *b);
uint8_t *tb_bytes(struct tb *b);
size_t tb_size(const struct tb *b);

/* Finish and write the first `len` bytes (SIZE_MAX: all); 0 or -1. */
int tb_write(struct tb *b, const char *path, size_t len);
/* Write bytes as they are (no finishing). */
int tb_write_raw(const char *path, const void *bytes, size_t len);

#endif /* TRACE_BUILDER_H */
