/*
 * image_internal.h - the state of an image_set, shared by image.c (bases,
 * writes, change lists) and image_hash.c (line and base hashes).
 */
#ifndef PMC_IMAGE_INTERNAL_H
#define PMC_IMAGE_INTERNAL_H

#include "image.h"

/* Lines changed since a consumer last looked, each listed once (the
 * bitmap, by global line number, says which are listed). */
struct change_list {
    struct image_line_ref *items;
    size_t count;
    size_t cap; /* fixed at creation: past it, `all` */
    bool all;
    uint64_t *listed; /* bitmap over global line numbers */
};

struct image {
    char *name;
    uint64_t size;
    uint64_t nlines;
    uint64_t first_line; /* global number of its line 0 */
    uint8_t *base;       /* nlines * IMAGE_LINE bytes */
};

struct image_set {
    struct image *images;
    size_t count;
    uint64_t total_lines;
    uint64_t *line_hash;      /* by global line number: hash of the base line */
    uint64_t hash;            /* XOR of line_hash, up to date but for stale */
    struct change_list stale; /* lines whose line_hash is out of date */
    struct change_list pending; /* changes the workers have not taken */
    struct change_list taken;   /* handed out by image_take_changes */
};

/* image.c: empty the list. */
void change_list_clear(struct change_list *l, const struct image_set *s);

/* image_hash.c: compute every line hash and the total. */
void image_hash_all(struct image_set *s);

#endif /* PMC_IMAGE_INTERNAL_H */
