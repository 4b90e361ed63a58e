/*
 * hooks_map.c - where pmem regions come from and go: the program's own
 * mmap/munmap and libpmem's pmem_map_file/pmem_unmap (PMT_CALL_HOOKS).
 *
 * A mapping is pmem when it is a MAP_SHARED mapping of a file named by
 * PMTRACE_PMEM (the file or a directory above it), or when pmem_map_file
 * made it. Paths are compared canonical: the mapped file's path comes from
 * /proc/self/fd, which resolves symlinks.
 */
#include "hooks.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mappings.h"
#include "pmdk_abi.h"
#include "regions.h"
#include "rt.h"
#include "stream.h"

#define PAGE_SIZE_ 4096u

static uint64_t addr_of(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

/* A second, read-only open file description of what fd refers to, for
 * lseek(SEEK_DATA) without moving the program's file offset. */
static int reopen_fd(int fd)
{
    char link[64];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    return open(link, O_RDONLY | O_CLOEXEC);
}

static bool fd_path(int fd, char *path, size_t size)
{
    char link[64];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, size - 1);
    if (n <= 0 || (size_t)n >= size - 1)
        return false;
    path[n] = '\0';
    return true;
}

/* Length of the file mapping that starts at addr, or 0. */
static uint64_t mapping_length(uint64_t addr)
{
    struct pmt_mapping m;
    return pmt_mapping_find(addr, &m) && m.lo == addr ? m.len : 0;
}

static bool is_pmem_mapping(int prot, int flags, int fd, char *path,
                            size_t size)
{
    int type = flags & (MAP_SHARED | MAP_PRIVATE);
    bool shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;
    /* PROT_NONE memory cannot be read for its content, nor stored to. */
    return shared && !(flags & MAP_ANONYMOUS) && fd >= 0 &&
           (prot & (PROT_READ | PROT_WRITE)) && fd_path(fd, path, size) &&
           pmt_rt_is_pmem_path(path);
}

static void mapped(void *result, size_t len, int prot, int flags, int fd,
                   off_t offset, struct __pmt_site *site)
{
    if (result == MAP_FAILED)
        return;
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    /* A new mapping replaces what was there (MAP_FIXED): regions there are
     * gone. */
    pmt_regions_remove(t, addr_of(result), len, site);
    char path[PATH_MAX];
    if (is_pmem_mapping(prot, flags, fd, path, sizeof(path))) {
        int content_fd = reopen_fd(fd);
        struct pmt_region_source src = {
            .addr = addr_of(result),
            .len = len,
            .name = path,
            .flags = PMT_REGION_FILE,
            .fd = content_fd,
            .file_offset = (uint64_t)offset,
        };
        pmt_regions_add(t, &src, site);
        if (content_fd >= 0)
            close(content_fd);
    }
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_post_mmap(void *result, void *addr, size_t len, int prot,
                                int flags, int fd, off_t offset,
                                struct __pmt_site *site)
{
    (void)addr;
    mapped(result, len, prot, flags, fd, offset, site);
}

PMT_EXPORT void __pmt_post_mmap64(void *result, void *addr, size_t len,
                                  int prot, int flags, int fd, off_t offset,
                                  struct __pmt_site *site)
{
    (void)addr;
    mapped(result, len, prot, flags, fd, offset, site);
}

static void unmapped(void *addr, size_t len, struct __pmt_site *site)
{
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    pmt_regions_remove(t, addr_of(addr), len, site);
    pmt_stream_leave(t);
}

PMT_EXPORT void __pmt_pre_munmap(void *addr, size_t len,
                                 struct __pmt_site *site)
{
    unmapped(addr, len, site);
}

PMT_EXPORT void __pmt_pre_pmem_unmap(void *addr, size_t len,
                                     struct __pmt_site *site)
{
    unmapped(addr, len, site);
}

/* The file behind a pmem_map_file mapping, for its holes. With
 * PMEM_FILE_TMPFILE the path is a directory and the file has no name left:
 * /proc/self/map_files has it (needs privileges; else the content is read
 * whole). */
static int pmem_file_fd(uint64_t addr, uint64_t len, const char *path,
                        int flags)
{
    if (!(flags & PMT_PMEM_FILE_TMPFILE))
        return open(path, O_RDONLY | O_CLOEXEC);
    char link[96];
    uint64_t end = (addr + len + PAGE_SIZE_ - 1) & ~(uint64_t)(PAGE_SIZE_ - 1);
    snprintf(link, sizeof(link), "/proc/self/map_files/%llx-%llx",
             (unsigned long long)addr, (unsigned long long)end);
    return open(link, O_RDONLY | O_CLOEXEC);
}

PMT_EXPORT void __pmt_post_pmem_map_file(void *result, const char *path,
                                         size_t len, int flags, mode_t mode,
                                         size_t *mapped_lenp, int *is_pmemp,
                                         struct __pmt_site *site)
{
    (void)len;
    (void)mode;
    (void)is_pmemp;
    if (result == NULL)
        return;
    struct pmt_thread *t = pmt_stream_enter();
    if (t == NULL)
        return;
    uint64_t addr = addr_of(result);
    uint64_t mapped_len =
        mapped_lenp != NULL ? *mapped_lenp : mapping_length(addr);
    if (mapped_len != 0) {
        char *canonical = realpath(path, NULL);
        int content_fd = pmem_file_fd(addr, mapped_len, path, flags);
        struct pmt_region_source src = {
            .addr = addr,
            .len = mapped_len,
            .name = canonical != NULL ? canonical : path,
            .flags = PMT_REGION_FILE,
            .fd = content_fd,
            .file_offset = 0,
        };
        pmt_regions_remove(t, addr, mapped_len, site);
        pmt_regions_add(t, &src, site);
        if (content_fd >= 0)
            close(content_fd);
        free(canonical);
    }
    pmt_stream_leave(t);
}
