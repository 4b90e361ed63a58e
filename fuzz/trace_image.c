/*
 * trace_image.c - expanding a compact fuzz input into a trace file (see
 * trace_image.h).
 */
#include "trace_image.h"

#include <stdlib.h>
#include <string.h>

#include "pmtrace_crc32c.h"
#include "pmtrace_format.h"

#define HEADER_FIXED 64u    /* header bytes before the command line */
#define HEADER_CRC_SPAN 44u /* header bytes covered by header_crc */
#define BLOCK_HDR ((uint32_t)sizeof(struct pmt_block_header))

/* Reading the input front to back; past its end everything reads as 0. */
struct input {
    const uint8_t *p;
    size_t left;
};

static size_t input_take(struct input *in, uint8_t *dst, size_t want)
{
    size_t n = want < in->left ? want : in->left;
    if (n == 0)
        return 0;
    memcpy(dst, in->p, n);
    in->p += n;
    in->left -= n;
    return n;
}

static uint64_t block_offset(uint32_t i)
{
    return PMT_HEADER_SIZE + (uint64_t)i * PMT_BLOCK_SIZE;
}

static void fix_header_crc(uint8_t *file)
{
    struct pmt_file_header h;
    memcpy(&h, file, sizeof(h));
    uint32_t len = h.cmdline_len;
    if (len > sizeof(h.cmdline))
        len = sizeof(h.cmdline); /* the reader refuses it anyway */
    uint32_t crc = pmt_crc32c(0, &h, HEADER_CRC_SPAN);
    h.header_crc = pmt_crc32c(crc, h.cmdline, len);
    memcpy(file + offsetof(struct pmt_file_header, header_crc), &h.header_crc,
           sizeof(h.header_crc));
}

/* As the runtime seals: the header as it reads sealed, then the records. */
static void fix_block_crc(uint8_t *block, size_t avail)
{
    struct pmt_block_header b;
    memcpy(&b, block, sizeof(b));
    if (b.magic != PMT_BLOCK_MAGIC || !(b.flags & PMT_BLOCK_SEALED))
        return;
    size_t used = b.used;
    if (used > PMT_BLOCK_PAYLOAD || used > avail - BLOCK_HDR)
        return; /* damage the reader reports before any checksum */
    uint32_t crc = pmt_crc32c(0, &b, 16);
    b.crc = pmt_crc32c(crc, block + BLOCK_HDR, used);
    memcpy(block + offsetof(struct pmt_block_header, crc), &b.crc,
           sizeof(b.crc));
}

static uint8_t *raw_image(const uint8_t *in, size_t n, size_t *size)
{
    uint8_t *file = malloc(n ? n : 1);
    if (file != NULL)
        memcpy(file, in, n);
    *size = n;
    return file;
}

/* Where the input's blocks go: each takes its header, then `used` bytes.
 * With file NULL only count them. Returns how many were placed and sets
 * *end to the offset just after the last input byte placed. */
static uint32_t place_blocks(struct input in, uint8_t *file, uint64_t *end)
{
    uint32_t nblocks = 0;
    while (in.left > 0 && nblocks < TRACE_IMAGE_MAX_BLOCKS) {
        uint8_t hdr[BLOCK_HDR] = {0};
        size_t got = input_take(&in, hdr, BLOCK_HDR);
        struct pmt_block_header b;
        memcpy(&b, hdr, sizeof(b));
        uint32_t used = b.used < PMT_BLOCK_PAYLOAD ? b.used : PMT_BLOCK_PAYLOAD;
        uint8_t *block = file ? file + block_offset(nblocks) : NULL;
        if (block != NULL)
            memcpy(block, hdr, got);
        size_t want = got == BLOCK_HDR ? used : 0;
        size_t n = want < in.left ? want : in.left;
        if (block != NULL && n > 0)
            memcpy(block + BLOCK_HDR, in.p, n);
        in.p += n;
        in.left -= n;
        *end = block_offset(nblocks) + got + n;
        nblocks++;
    }
    return nblocks;
}

uint8_t *trace_image(const uint8_t *in, size_t n, size_t *size)
{
    if (n > 0 && (in[0] & TRACE_IMAGE_RAW))
        return raw_image(in + 1, n - 1, size);
    unsigned flags = n > 0 ? in[0] : 0;
    struct input input = {n > 0 ? in + 1 : in, n > 0 ? n - 1 : 0};
    uint8_t fixed[HEADER_FIXED] = {0};
    uint64_t end = input_take(&input, fixed, HEADER_FIXED);
    struct pmt_file_header h;
    memcpy(&h, fixed, HEADER_FIXED);
    size_t room = sizeof(h.cmdline);
    size_t cmdline = h.cmdline_len < room ? h.cmdline_len : room;
    cmdline = cmdline < input.left ? cmdline : input.left;
    end += cmdline;
    struct input blocks = {input.p + cmdline, input.left - cmdline};
    uint32_t nblocks = place_blocks(blocks, NULL, &end);
    *size = (flags & TRACE_IMAGE_CUT) ? end : block_offset(nblocks);
    /* The whole header and every slot, even when the file is cut. */
    uint8_t *file = calloc(1, block_offset(nblocks));
    if (file == NULL)
        return NULL;
    memcpy(file, fixed, HEADER_FIXED);
    if (cmdline > 0)
        memcpy(file + HEADER_FIXED, input.p, cmdline);
    place_blocks(blocks, file, &end);
    if (flags & TRACE_IMAGE_FIX_HEADER)
        fix_header_crc(file);
    for (uint32_t i = 0; (flags & TRACE_IMAGE_FIX_BLOCKS) && i < nblocks; i++)
        if (block_offset(i) + BLOCK_HDR <= *size)
            fix_block_crc(file + block_offset(i), *size - block_offset(i));
    return file;
}
