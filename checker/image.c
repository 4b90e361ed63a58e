/*
 * image.c - the bases of crash images and the lists of lines their writes
 * changed (see image.h).
 */
#include "image_internal.h"

#include <stdlib.h>
#include <string.h>

/* A change list longer than this says "everything changed": copying whole
 * images is then cheaper than walking the list, and the list's memory
 * stays small whatever the images' size. */
#define CHANGE_LIST_MAX 65536u

static int change_list_init(struct change_list *l, uint64_t total_lines)
{
    uint64_t cap = total_lines / 4;
    if (cap > CHANGE_LIST_MAX)
        cap = CHANGE_LIST_MAX;
    if (cap == 0)
        cap = 1;
    l->cap = (size_t)cap;
    l->items = calloc(l->cap, sizeof(l->items[0]));
    l->listed = calloc((size_t)(total_lines + 63) / 64, sizeof(uint64_t));
    return l->items != NULL && l->listed != NULL ? 0 : -1;
}

static void change_list_destroy(struct change_list *l)
{
    free(l->items);
    free(l->listed);
}

void change_list_clear(struct change_list *l, const struct image_set *s)
{
    if (l->all) {
        memset(l->listed, 0, (size_t)(s->total_lines + 63) / 64 * 8);
    } else {
        for (size_t i = 0; i < l->count; i++) {
            const struct image_line_ref *ref = &l->items[i];
            uint64_t global =
                s->images[ref->img].first_line + ref->offset / IMAGE_LINE;
            l->listed[global / 64] &= ~((uint64_t)1 << (global % 64));
        }
    }
    l->count = 0;
    l->all = false;
}

static void change_list_add(struct change_list *l, const struct image *im,
                            size_t img, uint64_t line)
{
    if (l->all)
        return;
    uint64_t global = im->first_line + line;
    uint64_t bit = (uint64_t)1 << (global % 64);
    if (l->listed[global / 64] & bit)
        return;
    if (l->count == l->cap) {
        l->all = true;
        return;
    }
    l->listed[global / 64] |= bit;
    l->items[l->count++] = (struct image_line_ref){
        .img = (uint32_t)img,
        .offset = line * IMAGE_LINE,
    };
}

int image_set_new(const struct image_spec *specs, size_t n,
                  struct image_set **out, struct pmc_error *err)
{
    struct image_set *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return pmc_error_set(err, "crash images: out of memory");
    s->images = calloc(n ? n : 1, sizeof(s->images[0]));
    if (s->images == NULL) {
        free(s);
        return pmc_error_set(err, "crash images: out of memory");
    }
    s->count = n;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct image *im = &s->images[i];
        im->name = strdup(specs[i].name);
        im->size = specs[i].size;
        im->nlines = (specs[i].size + IMAGE_LINE - 1) / IMAGE_LINE;
        im->first_line = s->total_lines;
        s->total_lines += im->nlines;
        im->base = calloc((size_t)im->nlines, IMAGE_LINE);
        if (im->name == NULL || im->base == NULL)
            rc = -1;
    }
    if (rc == 0)
        s->line_hash = calloc((size_t)s->total_lines + 1, sizeof(uint64_t));
    if (rc != 0 || s->line_hash == NULL ||
        change_list_init(&s->stale, s->total_lines) != 0 ||
        change_list_init(&s->pending, s->total_lines) != 0 ||
        change_list_init(&s->taken, s->total_lines) != 0) {
        image_set_free(s);
        return pmc_error_set(err,
                             "crash images: out of memory for %zu "
                             "images",
                             n);
    }
    image_hash_all(s);
    *out = s;
    return 0;
}

void image_set_free(struct image_set *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->count; i++) {
        free(s->images[i].name);
        free(s->images[i].base);
    }
    free(s->images);
    free(s->line_hash);
    change_list_destroy(&s->stale);
    change_list_destroy(&s->pending);
    change_list_destroy(&s->taken);
    free(s);
}

size_t image_count(const struct image_set *s)
{
    return s->count;
}

const char *image_name(const struct image_set *s, size_t img)
{
    return s->images[img].name;
}

uint64_t image_size(const struct image_set *s, size_t img)
{
    return s->images[img].size;
}

long image_find(const struct image_set *s, const char *name)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->images[i].name, name) == 0)
            return (long)i;
    return -1;
}

const uint8_t *image_base(const struct image_set *s, size_t img)
{
    return s->images[img].base;
}

static void lines_changed(struct image_set *s, size_t img, uint64_t offset,
                          uint64_t len)
{
    const struct image *im = &s->images[img];
    uint64_t last = (offset + len - 1) / IMAGE_LINE;
    for (uint64_t line = offset / IMAGE_LINE; line <= last; line++) {
        change_list_add(&s->stale, im, img, line);
        change_list_add(&s->pending, im, img, line);
    }
}

/* Clip [offset, offset + len) to the image; 0 when nothing is left. */
static uint64_t clip(const struct image *im, uint64_t offset, uint64_t len)
{
    if (offset >= im->size)
        return 0;
    return len < im->size - offset ? len : im->size - offset;
}

void image_write(struct image_set *s, size_t img, uint64_t offset,
                 const uint8_t *data, uint64_t len)
{
    struct image *im = &s->images[img];
    len = clip(im, offset, len);
    if (len == 0 || data == NULL)
        return;
    memcpy(im->base + offset, data, (size_t)len);
    lines_changed(s, img, offset, len);
}

void image_fill(struct image_set *s, size_t img, uint64_t offset, uint8_t byte,
                uint64_t len)
{
    struct image *im = &s->images[img];
    len = clip(im, offset, len);
    if (len == 0)
        return;
    memset(im->base + offset, byte, (size_t)len);
    lines_changed(s, img, offset, len);
}

void image_part_to_line(uint8_t line[IMAGE_LINE],
                        const struct pmc_live_store *part, int skip_word)
{
    if (part->data == NULL)
        return;
    bool fill = (part->flags & PMC_LIVE_FILL) != 0;
    unsigned end = (unsigned)part->offset + part->len;
    for (unsigned b = part->offset; b < end && b < IMAGE_LINE; b++) {
        if (skip_word >= 0 && b / 8 == (unsigned)skip_word)
            continue;
        line[b] = fill ? part->data[0] : part->data[b - part->offset];
    }
}

void image_apply_part(struct image_set *s, size_t img, uint64_t line_offset,
                      const struct pmc_live_store *part)
{
    if (part->data == NULL)
        return;
    uint64_t at = line_offset + part->offset;
    if (part->flags & PMC_LIVE_FILL)
        image_fill(s, img, at, part->data[0], part->len);
    else
        image_write(s, img, at, part->data, part->len);
}

void image_base_line(const struct image_set *s, size_t img,
                     uint64_t line_offset, uint8_t out[IMAGE_LINE])
{
    const struct image *im = &s->images[img];
    if (line_offset >= im->nlines * IMAGE_LINE) {
        memset(out, 0, IMAGE_LINE);
        return;
    }
    memcpy(out, im->base + line_offset, IMAGE_LINE);
}

void image_take_changes(struct image_set *s, const struct image_line_ref **list,
                        size_t *count, bool *all)
{
    /* The previous hand-out is over: its list becomes the next pending. */
    change_list_clear(&s->taken, s);
    struct change_list tmp = s->taken;
    s->taken = s->pending;
    s->pending = tmp;
    *list = s->taken.items;
    *count = s->taken.count;
    *all = s->taken.all;
}

bool image_region_aligned(uint64_t addr, uint64_t file_offset)
{
    return (addr - file_offset) % IMAGE_LINE == 0;
}
