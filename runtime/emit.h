/*
 * emit.h - encoding records (pmtrace_format.h) into the calling thread's
 * stream.
 *
 * Contract: every function takes the thread state returned by
 * pmt_stream_enter() and a site id already resolved (names.h), and writes
 * whole records or nothing (when the trace cannot take more). Records that
 * carry data are split when they do not fit a block: each piece is a record
 * of its own, with its own sequence number, covering the next part of the
 * address range, so a reader that applies them in order rebuilds the whole
 * write. Only data records are ever split.
 */
#ifndef PMT_EMIT_H
#define PMT_EMIT_H

#include <stdint.h>
#include <string.h>

#include "pmtrace_format.h"
#include "stream.h"

/* Record header plus an address: the fixed part of a data record. */
#define PMT_DATA_HEAD                                                          \
    ((uint32_t)(sizeof(struct pmt_rec) + sizeof(struct pmt_body_addr)))

/* A record with a fixed body (body_size a multiple of 8, may be 0). */
static inline void pmt_emit_fixed(struct pmt_thread *t, unsigned kind,
                                  unsigned flags, uint32_t site,
                                  const void *body, uint32_t body_size)
{
    uint32_t len = (uint32_t)sizeof(struct pmt_rec) + body_size;
    uint64_t *r = pmt_stream_reserve(t, len);
    if (r == NULL)
        return;
    r[0] = pmt_rec_head(kind, flags, len, site);
    r[1] = pmt_seq_next();
    if (body_size != 0)
        memcpy(r + 2, body, body_size);
    pmt_stream_commit(t, len);
}

static inline void pmt_emit_range(struct pmt_thread *t, unsigned kind,
                                  unsigned flags, uint32_t site, uint64_t addr,
                                  uint64_t len)
{
    struct pmt_body_range body = {addr, len};
    pmt_emit_fixed(t, kind, flags, site, &body, sizeof(body));
}

void pmt_emit_data_split(struct pmt_thread *t, unsigned kind, unsigned uflags,
                         uint32_t site, uint64_t addr, const void *data,
                         uint64_t size);

/* size (1..8) bytes at p, zero-extended: fixed sizes become one load. */
static inline uint64_t pmt_load_small(const void *p, uint64_t size)
{
    uint64_t word = 0;
    switch (size) {
    case 8:
        memcpy(&word, p, 8);
        break;
    case 4:
        memcpy(&word, p, 4);
        break;
    case 2:
        memcpy(&word, p, 2);
        break;
    case 1:
        memcpy(&word, p, 1);
        break;
    default:
        memcpy(&word, p, size);
        break;
    }
    return word;
}

/*
 * A data record (STORE, NT_STORE, LIB_WRITE, REGION_DATA): `size` bytes
 * read from `data`, written at `addr`. The common case - a store of at most
 * 8 bytes into a block with room - is four 8-byte stores and the `used`
 * store.
 */
static inline void pmt_emit_data(struct pmt_thread *t, unsigned kind,
                                 unsigned uflags, uint32_t site, uint64_t addr,
                                 const void *data, uint64_t size)
{
    const uint32_t len = PMT_DATA_HEAD + 8;
    if (__builtin_expect(size - 1 < 8 && pmt_stream_room(t) >= len, 1)) {
        uint64_t word = pmt_load_small(data, size);
        uint64_t *r = (uint64_t *)((char *)(t->block + 1) + t->used);
        r[0] = pmt_rec_head(kind, uflags | (unsigned)(8 - size), len, site);
        r[1] = pmt_seq_next();
        r[2] = addr;
        r[3] = word;
        pmt_stream_commit(t, len);
        return;
    }
    pmt_emit_data_split(t, kind, uflags, site, addr, data, size);
}

/* STRING: id in the site field, the bytes (NUL included) as data; size
 * must leave the record within a block (names.h caps strings). */
void pmt_emit_string(struct pmt_thread *t, uint32_t id, const char *text,
                     uint32_t size);

#endif /* PMT_EMIT_H */
