/*
 * crc32c.c - CRC-32C for trace blocks (see pmtrace_crc32c.h).
 *
 * The hardware path consumes 8 bytes per instruction; a 64 KiB block costs
 * a few microseconds, paid once when the block is sealed. The table path
 * exists so the checker still runs on a CPU without SSE4.2.
 */
#include "pmtrace_crc32c.h"

#include <string.h>

#define CRC32C_POLY 0x82f63b78u /* reflected Castagnoli polynomial */

static uint32_t crc_table[256];
static int crc_have_sse42 = -1; /* -1: not probed yet */

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ CRC32C_POLY : c >> 1;
        crc_table[i] = c;
    }
    __builtin_cpu_init();
    int have = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    __atomic_store_n(&crc_have_sse42, have, __ATOMIC_RELEASE);
}

static uint32_t crc_soft(uint32_t crc, const unsigned char *p, size_t len)
{
    while (len--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

__attribute__((target("sse4.2"))) static uint32_t
crc_sse42(uint32_t crc, const unsigned char *p, size_t len)
{
    uint64_t c = crc;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
        p += 8;
        len -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (len--)
        c32 = __builtin_ia32_crc32qi(c32, *p++);
    return c32;
}

uint32_t pmt_crc32c(uint32_t crc, const void *buf, size_t len)
{
    /* Racing first calls both compute the same table: harmless. */
    if (__atomic_load_n(&crc_have_sse42, __ATOMIC_ACQUIRE) < 0)
        crc_init();
    crc = ~crc;
    crc = crc_have_sse42 ? crc_sse42(crc, buf, len) : crc_soft(crc, buf, len);
    return ~crc;
}
