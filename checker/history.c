/*
 * history.c - the persisted-store history of history.h.
 *
 * A line's segments are rewritten by expanding them to 64 per-byte entries,
 * writing the new store and compressing again: a line is small, so this is
 * simpler than splicing ranges and costs a few dozen steps per persisted
 * store, only when history is on.
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

static void expand(const struct history_line *hl,
                   struct store_time bytes[LINE_SIZE])
{
    memset(bytes, 0, LINE_SIZE * sizeof(bytes[0]));
    for (uint32_t i = 0; i < hl->nsegs; i++) {
        const struct history_seg *s = &hl->segs[i];
        for (unsigned b = s->offset; b < (unsigned)s->offset + s->len; b++)
            bytes[b] =
                (struct store_time){s->seq, s->persist_seq, s->site, true};
    }
}

static bool same_store(const struct store_time *a, const struct store_time *b)
{
    return a->seq == b->seq && a->persist_seq == b->persist_seq &&
           a->site == b->site;
}

/* Compress bytes into hl->segs, which has room for LINE_SIZE segments:
 * the worst case of a different store in every byte. */
static void compress(struct history_line *hl,
                     const struct store_time bytes[LINE_SIZE])
{
    hl->nsegs = 0;
    for (unsigned b = 0; b < LINE_SIZE;) {
        if (!bytes[b].exists) {
            b++;
            continue;
        }
        unsigned e = b + 1;
        while (e < LINE_SIZE && bytes[e].exists &&
               same_store(&bytes[e], &bytes[b]))
            e++;
        hl->segs[hl->nsegs++] =
            (struct history_seg){bytes[b].seq, bytes[b].persist_seq,
                                 bytes[b].site, (uint8_t)b, (uint8_t)(e - b)};
        b = e;
    }
}

static int reserve_segs(struct history_line *hl)
{
    if (hl->cap >= LINE_SIZE)
        return 0;
    struct history_seg *p = realloc(hl->segs, LINE_SIZE * sizeof(*p));
    if (p == NULL)
        return -1;
    hl->segs = p;
    hl->cap = LINE_SIZE;
    return 0;
}

int history_record(struct history *h, uint64_t line, unsigned offset,
                   unsigned len, uint64_t seq, uint64_t persist_seq,
                   uint32_t site)
{
    bool created;
    struct history_line *hl = linetab_insert(&h->lines, line, &created);
    if (hl == NULL || reserve_segs(hl) != 0)
        return -1;
    struct store_time bytes[LINE_SIZE];
    expand(hl, bytes);
    for (unsigned b = offset; b < offset + len && b < LINE_SIZE; b++)
        bytes[b] = (struct store_time){seq, persist_seq, site, true};
    compress(hl, bytes);
    return 0;
}

void history_fill(const struct history *h, uint64_t line,
                  struct store_time bytes[LINE_SIZE])
{
    const struct history_line *hl = linetab_find(&h->lines, line);
    if (hl == NULL)
        return;
    struct store_time known[LINE_SIZE];
    expand(hl, known);
    for (unsigned b = 0; b < LINE_SIZE; b++) {
        if (!bytes[b].exists)
            bytes[b] = known[b];
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
