/*
 * trace_builder.c - exact traces for tests (see trace_builder.h).
 */
#include "trace_builder.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pmtrace_crc32c.h"

struct tb {
    uint8_t *bytes; /* header + blocks */
    size_t size;
};

/* Tests build small traces: an allocation failure is a broken test run. */
static void *tb_xrealloc(void *p, size_t size)
{
    p = realloc(p, size);
    if (p == NULL)
        abort();
    return p;
}

struct tb *tb_new(const char *const *argv)
{
    struct tb *b = tb_xrealloc(NULL, sizeof(*b));
    b->size = PMT_HEADER_SIZE;
    b->bytes = tb_xrealloc(NULL, b->size);
    memset(b->bytes, 0, b->size);
    struct pmt_file_header *h = tb_header(b);
    memcpy(h->magic, PMT_MAGIC, sizeof(h->magic));
    h->version = PMT_VERSION;
    h->header_size = PMT_HEADER_SIZE;
    h->block_size = PMT_BLOCK_SIZE;
    h->pid = 4242;
    h->start_ns = 1000000000ull;
    for (; argv != NULL && *argv != NULL; argv++) {
        size_t n = strlen(*argv) + 1;
        if (h->cmdline_len + n > sizeof(h->cmdline))
            break;
        memcpy(h->cmdline + h->cmdline_len, *argv, n);
        h->cmdline_len += (uint32_t)n;
    }
    return b;
}

void tb_free(struct tb *b)
{
    if (b != NULL)
        free(b->bytes);
    free(b);
}

struct pmt_file_header *tb_header(struct tb *b)
{
    return (struct pmt_file_header *)(void *)b->bytes;
}

uint64_t tb_block_offset(uint32_t blk)
{
    return PMT_HEADER_SIZE + (uint64_t)blk * PMT_BLOCK_SIZE;
}

struct pmt_block_header *tb_block_header(struct tb *b, uint32_t blk)
{
    return (struct pmt_block_header *)(void *)(b->bytes + tb_block_offset(blk));
}

static uint32_t tb_append_slot(struct tb *b)
{
    uint32_t blk = (uint32_t)((b->size - PMT_HEADER_SIZE) / PMT_BLOCK_SIZE);
    b->bytes = tb_xrealloc(b->bytes, b->size + PMT_BLOCK_SIZE);
    memset(b->bytes + b->size, 0, PMT_BLOCK_SIZE);
    b->size += PMT_BLOCK_SIZE;
    return blk;
}

uint32_t tb_block(struct tb *b, uint32_t thread, uint32_t index)
{
    uint32_t blk = tb_append_slot(b);
    struct pmt_block_header *bh = tb_block_header(b, blk);
    bh->magic = PMT_BLOCK_MAGIC;
    bh->thread = thread;
    bh->index = index;
    tb_header(b)->blocks_claimed = blk + 1;
    return blk;
}

void tb_unclaimed(struct tb *b)
{
    tb_append_slot(b);
}

uint64_t tb_rec(struct tb *b, uint32_t blk, uint8_t kind, uint8_t flags,
                uint32_t site, uint64_t seq, const void *body, size_t body_len,
                const void *data, size_t data_len)
{
    struct pmt_block_header *bh = tb_block_header(b, blk);
    unsigned pad = (unsigned)((8 - data_len % 8) % 8);
    size_t len = sizeof(struct pmt_rec) + body_len + data_len + pad;
    if (bh->used + len > PMT_BLOCK_PAYLOAD)
        abort(); /* the test asked for more than a block holds */
    struct pmt_rec r = {.kind = kind,
                        .flags = (uint8_t)(flags | pad),
                        .len = (uint16_t)len,
                        .site = site,
                        .seq = seq};
    uint64_t off = tb_block_offset(blk) + sizeof(*bh) + bh->used;
    uint8_t *p = b->bytes + off;
    memcpy(p, &r, sizeof(r));
    if (body_len)
        memcpy(p + sizeof(r), body, body_len);
    if (data_len)
        memcpy(p + sizeof(r) + body_len, data, data_len);
    bh->used += (uint32_t)len;
    return off;
}

uint64_t tb_thread(struct tb *b, uint32_t blk, uint64_t seq, uint64_t tid)
{
    struct pmt_body_thread body = {.os_tid = tid};
    return tb_rec(b, blk, PMT_THREAD, 0, 0, seq, &body, sizeof(body), NULL, 0);
}

uint64_t tb_string(struct tb *b, uint32_t blk, uint64_t seq, uint32_t id,
                   const char *s)
{
    return tb_rec(b, blk, PMT_STRING, 0, id, seq, NULL, 0, s, strlen(s) + 1);
}

uint64_t tb_site(struct tb *b, uint32_t blk, uint64_t seq, uint32_t id,
                 uint32_t line, uint32_t column, uint32_t file, uint32_t dir,
                 uint32_t function)
{
    struct pmt_body_site body = {.line = line,
                                 .column = column,
                                 .file = file,
                                 .dir = dir,
                                 .function = function};
    return tb_rec(b, blk, PMT_SITE, 0, id, seq, &body, sizeof(body), NULL, 0);
}

uint64_t tb_store(struct tb *b, uint32_t blk, uint64_t seq, uint32_t site,
                  uint64_t addr, const void *data, size_t len)
{
    struct pmt_body_addr body = {.addr = addr};
    return tb_rec(b, blk, PMT_STORE, 0, site, seq, &body, sizeof(body), data,
                  len);
}

uint64_t tb_flush(struct tb *b, uint32_t blk, uint64_t seq, uint32_t site,
                  uint64_t addr, uint8_t kind)
{
    struct pmt_body_range body = {.addr = addr, .len = 64};
    return tb_rec(b, blk, PMT_FLUSH, kind, site, seq, &body, sizeof(body), NULL,
                  0);
}

uint64_t tb_fence(struct tb *b, uint32_t blk, uint64_t seq, uint32_t site)
{
    return tb_rec(b, blk, PMT_FENCE, PMT_FENCE_SFENCE, site, seq, NULL, 0, NULL,
                  0);
}

uint64_t tb_region_map(struct tb *b, uint32_t blk, uint64_t seq,
                       uint32_t region, uint64_t addr, uint64_t len,
                       uint32_t path)
{
    struct pmt_body_region_map body = {
        .addr = addr, .len = len, .region = region, .path = path};
    return tb_rec(b, blk, PMT_REGION_MAP, PMT_REGION_FILE, 0, seq, &body,
                  sizeof(body), NULL, 0);
}

void tb_seal(struct tb *b, uint32_t blk)
{
    struct pmt_block_header *bh = tb_block_header(b, blk);
    /* The crc covers the header as it reads once sealed, flag included. */
    struct pmt_block_header sealed = *bh;
    sealed.flags |= PMT_BLOCK_SEALED;
    uint32_t crc = pmt_crc32c(0, &sealed, 16);
    bh->crc = pmt_crc32c(crc, (const uint8_t *)bh + sizeof(*bh), bh->used);
    bh->flags |= PMT_BLOCK_SEALED;
}

void tb_finish(struct tb *b)
{
    struct pmt_file_header *h = tb_header(b);
    /* a test may have spoiled cmdline_len: never read past the header */
    size_t cmdline_len = h->cmdline_len < sizeof(h->cmdline)
                             ? h->cmdline_len
                             : sizeof(h->cmdline);
    uint32_t crc = pmt_crc32c(0, h, 44);
    h->header_crc = pmt_crc32c(crc, h->cmdline, cmdline_len);
}

uint8_t *tb_bytes(struct tb *b)
{
    return b->bytes;
}

size_t tb_size(const struct tb *b)
{
    return b->size;
}

int tb_write_raw(const char *path, const void *bytes, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    const uint8_t *p = bytes;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    return close(fd);
}

int tb_write(struct tb *b, const char *path, size_t len)
{
    tb_finish(b);
    return tb_write_raw(path, b->bytes, len < b->size ? len : b->size);
}
