/*
 * history.c - the persisted-store history of history.h.
 *
 * A line's segments are sorted, disjoint byte ranges. Recording a store
 * splices its range in: segments before it are kept, one it cuts keeps
 * its outer parts, segments it covers go, and equal neighbours merge. A
 * line rarely has more than a few segments, so this is a short copy.
 */
#include "history.h"

#include <stdlib.h>
#include <string.h>

#include "regions.h"

struct history_seg {
    uint64_t seq;
    uint64_t persist_seq;
    uint32_t site;
    uint8_t offset;
    uint8_t len;
};

struct history_line {
    uint64_t addr; /* the linetab key */
    struct history_seg *segs;
    uint32_t nsegs;
    uint32_t cap;
};

void history_init(struct history *h)
{
    linetab_init(&h->lines, sizeof(struct history_line));
}

void history_destroy(struct history *h)
{
    for (size_t i = 0; i < h->lines.cap; i++) {
        struct history_line *hl = linetab_slot(&h->lines, i);
        if (hl != NULL)
            free(hl->segs);
    }
    linetab_destroy(&h->lines);
}

static bool same_store(const struct history_seg *a, const struct history_seg *b)
{
    return a->seq == b->seq && a->persist_seq == b->persist_seq &&
           a->site == b->site;
}

/* Append seg to out[*n], merging it into the previous one when it is the
 * same store and they touch. */
static void append_seg(struct history_seg *out, uint32_t *n,
                       struct history_seg seg)
{
    if (seg.len == 0)
        return;
    if (*n > 0) {
        struct history_seg *last = &out[*n - 1];
        if (same_store(last, &seg) && last->offset + last->len == seg.offset) {
            last->len = (uint8_t)(last->len + seg.len);
            return;
        }
    }
    out[(*n)++] = seg;
}

static struct history_seg cut(struct history_seg s, unsigned from, unsigned to)
{
    s.offset = (uint8_t)from;
    s.len = (uint8_t)(to - from);
    return s;
}

int history_record(struct history *h, uint64_t line, unsigned offset,
                   unsigned len, uint64_t seq, uint64_t persist_seq,
                   uint32_t site)
{
    bool created;
    struct history_line *hl = linetab_insert(&h->lines, line, &created);
    if (hl == NULL)
        return -1;
    /* At most one segment is cut in two: nsegs + 2 bounds the result. */
    if (hl->nsegs + 2 > hl->cap) {
        uint32_t cap = hl->cap ? hl->cap * 2 : 4;
        struct history_seg *p = realloc(hl->segs, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        hl->segs = p;
        hl->cap = cap;
    }
    struct history_seg out[LINE_SIZE + 2];
    uint32_t n = 0;
    unsigned end = offset + len;
    struct history_seg added = {seq, persist_seq, site, (uint8_t)offset,
                                (uint8_t)len};
    bool placed = false;
    for (uint32_t i = 0; i < hl->nsegs; i++) {
        struct history_seg s = hl->segs[i];
        unsigned s_end = (unsigned)s.offset + s.len;
        if (s_end <= offset) {
            append_seg(out, &n, s);
            continue;
        }
        if (!placed && s.offset >= end) {
            append_seg(out, &n, added);
            placed = true;
        }
        if (s.offset < offset)
            append_seg(out, &n, cut(s, s.offset, offset));
        if (!placed && s.offset < end) {
            append_seg(out, &n, added);
            placed = true;
        }
        if (s_end > end)
            append_seg(out, &n, cut(s, s.offset > end ? s.offset : end, s_end));
    }
    if (!placed)
        append_seg(out, &n, added);
    memcpy(hl->segs, out, n * sizeof(out[0]));
    hl->nsegs = n;
    return 0;
}

void history_fill(const struct history *h, uint64_t line,
                  struct store_time bytes[LINE_SIZE])
{
    const struct history_line *hl = linetab_find(&h->lines, line);
    if (hl == NULL)
        return;
    for (uint32_t i = 0; i < hl->nsegs; i++) {
        const struct history_seg *s = &hl->segs[i];
        for (unsigned b = s->offset; b < (unsigned)s->offset + s->len; b++) {
            if (!bytes[b].exists)
                bytes[b] =
                    (struct store_time){s->seq, s->persist_seq, s->site, true};
        }
    }
}

int history_forget(struct history *h, uint64_t addr, uint64_t len)
{
    struct line_list lines = {0};
    if (linetab_keys_in_range(&h->lines, addr, range_end(addr, len), &lines) !=
        0)
        return -1;
    for (size_t i = 0; i < lines.count; i++) {
        struct history_line *hl = linetab_find(&h->lines, lines.addrs[i]);
        free(hl->segs);
        linetab_remove(&h->lines, hl);
    }
    line_list_destroy(&lines);
    return 0;
}

uint64_t history_line_count(const struct history *h)
{
    return h->lines.count;
}
