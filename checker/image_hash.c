/*
 * image_hash.c - hashes of image lines and of whole image sets (image.h).
 *
 * xxh3 (Debian's libxxhash) hashes a 64-byte line in a few nanoseconds;
 * the line's image and offset go into the seed, so the XOR of all lines
 * identifies the content *and* where each line is.
 */
#include "image_internal.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

/* An odd constant (2^64 / golden ratio) spreads image numbers apart. */
#define IMAGE_SEED_MIX 0x9e3779b97f4a7c15ull

uint64_t image_line_hash(size_t img, uint64_t line_offset,
                         const uint8_t content[IMAGE_LINE])
{
    uint64_t seed = ((uint64_t)img + 1) * IMAGE_SEED_MIX ^ line_offset;
    return XXH3_64bits_withSeed(content, IMAGE_LINE, seed);
}

uint64_t image_hash_bytes(const void *data, size_t len)
{
    return XXH3_64bits(data, len);
}

void image_hash_all(struct image_set *s)
{
    s->hash = 0;
    for (size_t i = 0; i < s->count; i++) {
        const struct image *im = &s->images[i];
        for (uint64_t line = 0; line < im->nlines; line++) {
            uint64_t h = image_line_hash(i, line * IMAGE_LINE,
                                         im->base + line * IMAGE_LINE);
            s->line_hash[im->first_line + line] = h;
            s->hash ^= h;
        }
    }
    change_list_clear(&s->stale, s);
}

uint64_t image_base_hash(struct image_set *s)
{
    if (s->stale.all) {
        image_hash_all(s);
        return s->hash;
    }
    for (size_t i = 0; i < s->stale.count; i++) {
        const struct image_line_ref *ref = &s->stale.items[i];
        const struct image *im = &s->images[ref->img];
        uint64_t global = im->first_line + ref->offset / IMAGE_LINE;
        uint64_t h =
            image_line_hash(ref->img, ref->offset, im->base + ref->offset);
        s->hash ^= s->line_hash[global] ^ h;
        s->line_hash[global] = h;
    }
    change_list_clear(&s->stale, s);
    return s->hash;
}
