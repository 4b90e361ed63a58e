/*
 * crash_point.c - a crash point's live lines and the states they allow:
 * each line's choices (prefixes of its live stores, torn variants), the
 * content of a line under a choice, and the hash of a state (see
 * crash_internal.h and image.h).
 *
 * Every choice's hash delta is computed once per crash point, building
 * each prefix's content from the previous one, so a state's hash costs one
 * XOR per line whatever the strategy asks for.
 */
#include "crash_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void crash_point_init(struct crash_point *cp)
{
    memset(cp, 0, sizeof(*cp));
}

void crash_point_destroy(struct crash_point *cp)
{
    free(cp->lines);
    free(cp->choices);
    free(cp->torn);
    free(cp->deltas);
    crash_point_init(cp);
}

const char *crash_point_words(enum crash_point_kind kind)
{
    switch (kind) {
    case POINT_FENCE:
        return "crash point: before this fence";
    case POINT_LOCKED:
        return "crash point: before this locked instruction (a fence)";
    case POINT_EXIT:
        return "crash point: program exit";
    case POINT_UNMAP:
        return "crash point: the region is unmapped here";
    case POINT_DURABLE:
        return "crash point: PMT_DURABLE()";
    case POINT_ANNOTATION:
        return "crash point: PMT_CRASH_POINT()";
    case POINT_END:
        return "crash point: the end of the trace";
    case POINT_LIB_CALL:
        return "crash point: in this library call, before it wrote to pmem";
    case POINT_NONE:
        break;
    }
    return "crash point";
}

void crash_point_describe(const struct crash_point *cp, char *buf, size_t size)
{
    if (cp->kind == POINT_LIB_CALL && cp->function != NULL)
        snprintf(buf, size,
                 "crash point: in this %s call, before it wrote to pmem",
                 cp->function);
    else
        snprintf(buf, size, "%s", crash_point_words(cp->kind));
}

/* A part tears when it spans more than one aligned 8-byte word: only an
 * aligned 8-byte store is failure-atomic (DESIGN.md section 3). */
static unsigned part_words(const struct pmc_live_store *p, unsigned *first)
{
    *first = p->offset / 8u;
    unsigned last = ((unsigned)p->offset + p->len - 1) / 8u;
    return last - *first + 1;
}

static int grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *p = realloc(*items, n * size);
    if (p == NULL)
        return -1;
    *items = p;
    *cap = n;
    return 0;
}

static int add_torn(struct crash_point *cp, struct point_line *l)
{
    l->torn_first = cp->ntorn;
    l->ntorn = 0;
    for (uint32_t p = 0; p < l->nparts; p++) {
        unsigned first, words = part_words(&l->parts[p], &first);
        if (words < 2 || l->parts[p].data == NULL)
            continue;
        if (grow((void **)&cp->torn, &cp->torn_cap, cp->ntorn + words,
                 sizeof(cp->torn[0])) != 0)
            return -1;
        for (unsigned w = 0; w < words; w++)
            cp->torn[cp->ntorn++] = (struct torn_variant){
                .part = p,
                .word = (uint8_t)(first + w),
            };
        l->ntorn += words;
    }
    return 0;
}

void point_line_content(const struct image_set *imgs,
                        const struct crash_point *cp,
                        const struct point_line *l, uint32_t c,
                        uint8_t out[IMAGE_LINE])
{
    image_base_line(imgs, l->img, l->offset, out);
    if (c <= l->nparts) {
        for (uint32_t p = 0; p < c; p++)
            image_part_to_line(out, &l->parts[p], -1);
        return;
    }
    const struct torn_variant *v = &cp->torn[l->torn_first + c - l->nparts - 1];
    for (uint32_t p = 0; p < v->part; p++)
        image_part_to_line(out, &l->parts[p], -1);
    image_part_to_line(out, &l->parts[v->part], v->word);
}

static void line_deltas(struct crash_point *cp, const struct image_set *imgs,
                        const struct point_line *l)
{
    uint8_t content[IMAGE_LINE];
    uint64_t *delta = &cp->deltas[l->delta_first];
    image_base_line(imgs, l->img, l->offset, content);
    uint64_t base = image_line_hash(l->img, l->offset, content);
    delta[0] = 0;
    for (uint32_t c = 1; c <= l->nparts; c++) {
        image_part_to_line(content, &l->parts[c - 1], -1);
        delta[c] = base ^ image_line_hash(l->img, l->offset, content);
    }
    for (uint32_t t = 0; t < l->ntorn; t++) {
        uint32_t c = l->nparts + 1 + t;
        point_line_content(imgs, cp, l, c, content);
        delta[c] = base ^ image_line_hash(l->img, l->offset, content);
    }
}

int crash_point_prepare(struct crash_point *cp, const struct image_set *imgs,
                        bool torn)
{
    cp->ntorn = 0;
    cp->ndeltas = 0;
    if (grow((void **)&cp->choices, &cp->choices_cap, cp->nlines,
             sizeof(cp->choices[0])) != 0)
        return -1;
    for (size_t i = 0; i < cp->nlines; i++) {
        struct point_line *l = &cp->lines[i];
        l->ntorn = 0;
        l->torn_first = cp->ntorn;
        if (torn && !l->fixed && add_torn(cp, l) != 0)
            return -1;
        l->delta_first = cp->ndeltas;
        cp->ndeltas += (size_t)l->nparts + 1 + l->ntorn;
        cp->choices[i] = (struct strategy_line){
            .nparts = l->nparts,
            .ntorn = l->ntorn,
        };
    }
    if (grow((void **)&cp->deltas, &cp->deltas_cap, cp->ndeltas,
             sizeof(cp->deltas[0])) != 0)
        return -1;
    for (size_t i = 0; i < cp->nlines; i++)
        line_deltas(cp, imgs, &cp->lines[i]);
    return 0;
}

uint64_t crash_point_hash(const struct crash_point *cp, const uint32_t *choices)
{
    uint64_t h = cp->base_hash;
    for (size_t i = 0; i < cp->nlines; i++)
        h ^= cp->deltas[cp->lines[i].delta_first + choices[i]];
    return h;
}

void crash_point_all(const struct crash_point *cp, uint32_t *choices)
{
    for (size_t i = 0; i < cp->nlines; i++)
        choices[i] = cp->lines[i].nparts;
}

void crash_point_fill_fixed(const struct crash_point *cp, uint32_t *choices)
{
    for (size_t i = cp->nvaried; i < cp->nlines; i++)
        choices[i] = cp->lines[i].nparts;
}

static int compare_left_out(const void *a, const void *b)
{
    const struct left_out *x = a, *y = b;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    if (x->img != y->img)
        return x->img < y->img ? -1 : 1;
    return (x->offset > y->offset) - (x->offset < y->offset);
}

static size_t add_part(const struct point_line *l,
                       const struct pmc_live_store *p, bool torn,
                       struct left_out *out, size_t n)
{
    out[n] = (struct left_out){
        .seq = p->seq,
        .site = p->site,
        .img = l->img,
        .offset = l->offset + p->offset,
        .region = l->region,
        .region_offset = l->offset + p->offset - l->region_base,
        .len = p->len,
        .torn = torn,
    };
    return n + 1;
}

size_t crash_point_parts(const struct crash_point *cp)
{
    size_t n = 0;
    for (size_t i = 0; i < cp->nlines; i++)
        n += cp->lines[i].nparts;
    return n;
}

static size_t merge_parts(struct left_out *out, size_t n);

size_t crash_point_left_out(const struct crash_point *cp,
                            const uint32_t *choices, struct left_out *out)
{
    size_t n = 0;
    for (size_t i = 0; i < cp->nlines; i++) {
        const struct point_line *l = &cp->lines[i];
        uint32_t from = choices[i];
        if (from > l->nparts) {
            const struct torn_variant *v =
                &cp->torn[l->torn_first + from - l->nparts - 1];
            n = add_part(l, &l->parts[v->part], true, out, n);
            from = v->part + 1;
        }
        for (uint32_t p = from; p < l->nparts; p++)
            n = add_part(l, &l->parts[p], false, out, n);
    }
    return merge_parts(out, n);
}

/* Sort parts by seq; the parts of one store (in two lines) make one
 * entry. Returns how many entries. */
static size_t merge_parts(struct left_out *out, size_t n)
{
    qsort(out, n, sizeof(out[0]), compare_left_out);
    size_t merged = 0;
    for (size_t i = 0; i < n; i++) {
        struct left_out *last = merged ? &out[merged - 1] : NULL;
        if (last != NULL && last->seq == out[i].seq &&
            last->img == out[i].img) {
            uint64_t end = out[i].offset + out[i].len;
            if (end > last->offset + last->len)
                last->len = (uint32_t)(end - last->offset);
            last->torn |= out[i].torn;
            continue;
        }
        out[merged++] = out[i];
    }
    return merged;
}

size_t crash_point_unlogged(const struct crash_point *cp,
                            const uint32_t *choices, struct left_out *out)
{
    if (cp->tx_ranges == NULL)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < cp->nvaried; i++) {
        const struct point_line *l = &cp->lines[i];
        uint32_t in =
            choices[i] <= l->nparts
                ? choices[i]
                : cp->torn[l->torn_first + choices[i] - l->nparts - 1].part;
        for (uint32_t p = 0; p < in; p++)
            if (crash_store_unlogged(cp->tx_ranges, cp->tx_begin_seq,
                                     cp->tx_thread, l->addr, &l->parts[p]))
                n = add_part(l, &l->parts[p], false, out, n);
    }
    return merge_parts(out, n);
}

bool crash_store_unlogged(const struct rangeset *tx_ranges, uint64_t begin_seq,
                          uint32_t thread, uint64_t line_addr,
                          const struct pmc_live_store *p)
{
    uint64_t lo = line_addr + p->offset;
    return (p->thread != thread || p->seq > begin_seq) &&
           !rangeset_covers(tx_ranges, lo, lo + p->len);
}
