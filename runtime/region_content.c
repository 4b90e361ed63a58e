/*
 * region_content.c - a new region's initial content as REGION_DATA records
 * (see regions.h).
 *
 * Readers take bytes not covered by REGION_DATA as zero, so only non-zero
 * data is written: the file's holes are skipped without being touched
 * (lseek SEEK_DATA/SEEK_HOLE; reading a hole would also allocate page
 * cache for it on tmpfs), and the data that is read is written in runs of
 * 4 KiB pages that are not all zero. A fresh pool costs nothing; a pool
 * reopened costs what it holds.
 */
#include "regions.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit.h"

#define PAGE_SIZE_ 4096u

static bool all_zero(const unsigned char *p, uint64_t n)
{
    /* 64 bytes at a time, OR-ed without branches so the compiler
     * vectorises it; stop at the first non-zero line. */
    uint64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        uint64_t acc = 0;
        for (unsigned k = 0; k < 64; k += 8) {
            uint64_t w;
            memcpy(&w, p + i + k, 8);
            acc |= w;
        }
        if (acc != 0)
            return false;
    }
    for (; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

static void emit_run(struct pmt_thread *t, uint32_t site, uint64_t lo,
                     uint64_t hi)
{
    pmt_emit_data(t, PMT_REGION_DATA, 0, site, lo, (const void *)lo, hi - lo);
}

/* REGION_DATA for the pages of [lo, hi) that are not all zero, merged into
 * runs. Pages are the memory's 4 KiB pages, clipped to the range. */
static void content_of_memory(struct pmt_thread *t, uint32_t site, uint64_t lo,
                              uint64_t hi)
{
    uint64_t run_lo = 0;
    bool in_run = false;
    for (uint64_t p = lo; p < hi;) {
        uint64_t next = (p & ~(uint64_t)(PAGE_SIZE_ - 1)) + PAGE_SIZE_;
        if (next > hi)
            next = hi;
        bool zero = all_zero((const unsigned char *)p, next - p);
        if (!zero && !in_run) {
            run_lo = p;
            in_run = true;
        } else if (zero && in_run) {
            emit_run(t, site, run_lo, p);
            in_run = false;
        }
        p = next;
    }
    if (in_run)
        emit_run(t, site, run_lo, hi);
}

void pmt_region_content(struct pmt_thread *t, uint32_t site, uint64_t addr,
                        uint64_t len, int fd, uint64_t file_offset)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        /* Registered memory, or a device (devdax): no holes to ask for. */
        content_of_memory(t, site, addr, addr + len);
        return;
    }
    /* Only the part of the mapping backed by the file has content; the
     * rest cannot even be read (SIGBUS). */
    uint64_t file_size = (uint64_t)st.st_size;
    if (file_size <= file_offset)
        return;
    uint64_t file_end = file_offset + len;
    if (file_end > file_size)
        file_end = file_size;
    uint64_t off = file_offset;
    while (off < file_end) {
        off_t data = lseek(fd, (off_t)off, SEEK_DATA);
        if (data < 0 && errno == ENXIO)
            return; /* only holes from here to the end of the file */
        if (data < 0) {
            /* The file system cannot tell: all of it may be data. */
            content_of_memory(t, site, addr + (off - file_offset),
                              addr + (file_end - file_offset));
            return;
        }
        if ((uint64_t)data >= file_end)
            return;
        off_t hole = lseek(fd, data, SEEK_HOLE);
        uint64_t data_end =
            hole < 0 || (uint64_t)hole > file_end ? file_end : (uint64_t)hole;
        content_of_memory(t, site, addr + ((uint64_t)data - file_offset),
                          addr + (data_end - file_offset));
        off = data_end;
    }
}
