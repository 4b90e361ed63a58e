/*
 * emit.c - data records that need more than the inline path (see emit.h).
 */
#include "emit.h"

/* A data record that does not fit the rest of the open block is split
 * there only if that rest can hold this much data; otherwise the block is
 * sealed and the record starts a new one. Small writes thus stay whole and
 * big ones pack the blocks. */
#define SPLIT_MIN_DATA 512u

static uint64_t round8(uint64_t n)
{
    return (n + 7) & ~(uint64_t)7;
}

void pmt_emit_data_split(struct pmt_thread *t, unsigned kind, unsigned uflags,
                         uint32_t site, uint64_t addr, const void *data,
                         uint64_t size)
{
    const unsigned char *src = data;
    while (size > 0) {
        uint32_t room = pmt_stream_room(t);
        uint64_t fits = room > PMT_DATA_HEAD ? (room - PMT_DATA_HEAD) & ~7u : 0;
        if (round8(size) > fits && fits < SPLIT_MIN_DATA) {
            if (!pmt_stream_next_block(t))
                return;
            continue;
        }
        uint64_t chunk = size < fits ? size : fits;
        uint32_t padded = (uint32_t)round8(chunk);
        uint32_t len = PMT_DATA_HEAD + padded;
        char *r = (char *)(t->block + 1) + t->used;
        uint64_t *head = (uint64_t *)r;
        head[0] =
            pmt_rec_head(kind, uflags | (padded - (uint32_t)chunk), len, site);
        head[1] = pmt_seq_next();
        head[2] = addr;
        /* Zero the last word first: the data overwrites all but the
         * padding, which the format wants zero. */
        memset(r + len - 8, 0, 8);
        memcpy(r + PMT_DATA_HEAD, src, chunk);
        pmt_stream_commit(t, len);
        addr += chunk;
        src += chunk;
        size -= chunk;
    }
}

void pmt_emit_string(struct pmt_thread *t, uint32_t id, const char *text,
                     uint32_t size)
{
    uint32_t padded = (uint32_t)round8(size);
    uint32_t len = (uint32_t)sizeof(struct pmt_rec) + padded;
    char *r = pmt_stream_reserve(t, len);
    if (r == NULL)
        return;
    uint64_t *head = (uint64_t *)r;
    head[0] = pmt_rec_head(PMT_STRING, padded - size, len, id);
    head[1] = pmt_seq_next();
    if (padded != 0)
        memset(r + len - 8, 0, 8);
    memcpy(r + sizeof(struct pmt_rec), text, size);
    pmt_stream_commit(t, len);
}
