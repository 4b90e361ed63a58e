/*
 * image.h - crash images: the content of each pmem image a recovery opens,
 * as the crash explorer (crash.h) builds it.
 *
 * An image is named after the file (or registered name) of the regions
 * mapped from it; a trace has one image per distinct name. Its *base* is
 * what is guaranteed persistent now: the regions' initial content
 * (REGION_DATA) with every library write and every store applied at the
 * moment the model says it became persistent. A crash state is the base
 * with some cache lines overlaid (image_line_content), so images are kept
 * and compared line by line:
 *
 * - Lines are the 64-byte aligned chunks of an image (the last may be
 *   short; bytes past the end read as zero and are never written). A
 *   region's memory lines must fall on image lines, so a region whose
 *   address and file offset differ by a multiple of 64 is required (mmap
 *   gives page-aligned both; see image_region_aligned()).
 * - Every write to a base records the lines it changed twice: in the list
 *   the hash is brought up to date from (image_base_hash), and in the list
 *   of changes the explorer's workers copy into their own images before
 *   their next run (image_take_changes), so a worker's image is updated by
 *   its difference from the base it held, never rewritten whole. A list
 *   that would outgrow a quarter of the lines says "everything changed".
 * - The hash of an image set is the XOR over every line of
 *   image_line_hash(image, offset, content), an xxh3 hash that includes
 *   where the line is. A state's hash is the base hash with the overlaid
 *   lines' hashes swapped, so it costs O(lines overlaid), and identical
 *   images have identical hashes whatever path built them.
 *
 * Memory: the bases (the images' total size) plus a hash and two bits per
 * line; nothing grows with the trace. Not thread-safe for writers; readers
 * (the workers) may read a base while nobody writes it.
 */
#ifndef PMC_IMAGE_H
#define PMC_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "model.h"

#define IMAGE_LINE 64u

struct image_spec {
    const char *name; /* copied */
    uint64_t size;    /* bytes, > 0 */
};

struct image_set;

/* Bases of the given images, zero-filled. Errors: out of memory. */
int image_set_new(const struct image_spec *specs, size_t n,
                  struct image_set **out, struct pmc_error *err);
void image_set_free(struct image_set *s);

size_t image_count(const struct image_set *s);
const char *image_name(const struct image_set *s, size_t img);
uint64_t image_size(const struct image_set *s, size_t img);
/* The index of the image with this name, or -1. */
long image_find(const struct image_set *s, const char *name);

/* The base of image img (image_size bytes, readable past the end up to the
 * next multiple of IMAGE_LINE, where it is zero). */
const uint8_t *image_base(const struct image_set *s, size_t img);

/* Write to a base; bytes past the image's end are dropped. */
void image_write(struct image_set *s, size_t img, uint64_t offset,
                 const uint8_t *data, uint64_t len);
void image_fill(struct image_set *s, size_t img, uint64_t offset, uint8_t byte,
                uint64_t len);

/* Apply a line part (model.h) to the base line at line_offset. A part
 * without data (unknown bytes) changes nothing. */
void image_apply_part(struct image_set *s, size_t img, uint64_t line_offset,
                      const struct pmc_live_store *part);

/* Apply part to a 64-byte line buffer; with skip_word in 0..7, the part's
 * bytes in that aligned 8-byte word of the line are left out (a torn
 * write). skip_word < 0: the whole part. */
void image_part_to_line(uint8_t line[IMAGE_LINE],
                        const struct pmc_live_store *part, int skip_word);

/* The hash of one line of image img at line_offset holding content. */
uint64_t image_line_hash(size_t img, uint64_t line_offset,
                         const uint8_t content[IMAGE_LINE]);

/* An xxh3 hash of any bytes (markers, fault descriptions). */
uint64_t image_hash_bytes(const void *data, size_t len);

/* The hash of every base now. */
uint64_t image_base_hash(struct image_set *s);

/* Copy the base line (img, line_offset) into out (zero past the end). */
void image_base_line(const struct image_set *s, size_t img,
                     uint64_t line_offset, uint8_t out[IMAGE_LINE]);

/* The lines changed since the previous call: list of (img, line_offset)
 * pairs, or *all when too many to list (copy every base whole). The list
 * stays valid until the next write. */
struct image_line_ref {
    uint32_t img;
    uint64_t offset;
};
void image_take_changes(struct image_set *s, const struct image_line_ref **list,
                        size_t *count, bool *all);

/* True when a region at addr mapped from file_offset keeps memory lines on
 * image lines. */
bool image_region_aligned(uint64_t addr, uint64_t file_offset);

#endif /* PMC_IMAGE_H */
