/*
 * tracefile.c - the trace file: create, header, claim blocks, close
 * (see tracefile.h).
 */
#include "tracefile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "pmtrace_crc32c.h"
#include "rt.h"

/* Address space reserved for the mapping. MAP_NORESERVE file mappings cost
 * no memory until touched; if the process is limited (ulimit -v), smaller
 * reservations are tried down to the last one. */
#define RESERVE_MAX (1ull << 40)
#define RESERVE_MIN (64ull << 20)

/* Growth: first 1 MiB, then doubling up to 32 MiB at a time, so a small
 * program pays for a small file and a big one grows rarely. */
#define GROW_FIRST (1ull << 20)
#define GROW_MAX (32ull << 20)

/* Header bytes covered by header_crc before the command line: everything up
 * to and including cmdline_len (pmtrace_format.h). */
#define HEADER_CRC_SPAN 44u

_Static_assert(sizeof(struct pmt_file_header) == PMT_HEADER_SIZE,
               "file header size");
_Static_assert(offsetof(struct pmt_file_header, header_crc) == HEADER_CRC_SPAN,
               "header_crc follows the covered bytes");
_Static_assert(sizeof(struct pmt_block_header) == 32, "block header size");

static struct {
    pthread_mutex_t lock;
    int fd;
    char *map; /* header at map[0], block i at map[HEADER + i * BLOCK] */
    uint64_t reserved;
    uint64_t file_size;
    uint64_t claimed;
    bool closed;
} trace = {.lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1};

static struct pmt_file_header *trace_header(void)
{
    return (struct pmt_file_header *)trace.map;
}

static uint64_t block_offset(uint64_t i)
{
    return PMT_HEADER_SIZE + i * (uint64_t)PMT_BLOCK_SIZE;
}

/* The largest file this process may write (RLIMIT_FSIZE, `ulimit -f`).
 * Growing past it raises SIGXFSZ, whose default action kills the program:
 * tracing must stop instead, as on a full disk. */
static uint64_t file_size_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return UINT64_MAX;
    return rl.rlim_cur;
}

/* Extend the file to at least `need` bytes, always to the end of a whole
 * block: a trace left behind by a kill is then the header plus whole
 * blocks (unclaimed ones all zero), which is what readers accept.
 * fallocate allocates the disk space now, so running out of it is reported
 * here instead of raising SIGBUS on a later store into the mapping; file
 * systems without it get a sparse ftruncate. */
static int trace_grow(uint64_t need)
{
    uint64_t step = trace.file_size < GROW_FIRST ? GROW_FIRST
                    : trace.file_size < GROW_MAX ? trace.file_size
                                                 : GROW_MAX;
    uint64_t size = trace.file_size + step;
    if (size < need)
        size = need;
    uint64_t blocks =
        (size - PMT_HEADER_SIZE + PMT_BLOCK_SIZE - 1) / PMT_BLOCK_SIZE;
    size = block_offset(blocks);
    if (size > trace.reserved)
        size =
            block_offset((trace.reserved - PMT_HEADER_SIZE) / PMT_BLOCK_SIZE);
    uint64_t limit = file_size_limit();
    if (size > limit)
        size = limit < PMT_HEADER_SIZE
                   ? 0
                   : block_offset((limit - PMT_HEADER_SIZE) / PMT_BLOCK_SIZE);
    if (size < need) {
        errno = EFBIG;
        return -1;
    }
    int rc = posix_fallocate(trace.fd, (off_t)trace.file_size,
                             (off_t)(size - trace.file_size));
    if (rc == EOPNOTSUPP || rc == EINVAL)
        rc = ftruncate(trace.fd, (off_t)size) == 0 ? 0 : errno;
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    trace.file_size = size;
    return 0;
}

/* argv of this process as /proc/self/cmdline has it (NUL-terminated
 * arguments), cut to fit the header and still NUL-terminated. */
static uint32_t read_cmdline(char *buf, size_t size)
{
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (got == size)
        buf[size - 1] = '\0';
    return (uint32_t)got;
}

static void write_header(uint32_t file_flags)
{
    struct pmt_file_header *h = trace_header();
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    memcpy(h->magic, PMT_MAGIC, sizeof(h->magic));
    h->version = PMT_VERSION;
    h->header_size = PMT_HEADER_SIZE;
    h->block_size = PMT_BLOCK_SIZE;
    h->flags = file_flags;
    h->pid = (uint64_t)getpid();
    h->start_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    h->cmdline_len = read_cmdline(h->cmdline, sizeof(h->cmdline));
    uint32_t crc = pmt_crc32c(0, h, HEADER_CRC_SPAN);
    h->header_crc = pmt_crc32c(crc, h->cmdline, h->cmdline_len);
}

static int fail(char *why, size_t why_size, const char *what)
{
    snprintf(why, why_size, "%s", what);
    if (trace.map != NULL)
        munmap(trace.map, trace.reserved);
    if (trace.fd >= 0)
        close(trace.fd);
    trace.map = NULL;
    trace.fd = -1;
    return -1;
}

int pmt_tracefile_create(const char *path, uint32_t file_flags, char *why,
                         size_t why_size)
{
    trace.fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (trace.fd < 0)
        return fail(why, why_size, strerror(errno));
    if (flock(trace.fd, LOCK_EX | LOCK_NB) != 0)
        return fail(why, why_size,
                    errno == EWOULDBLOCK ? "in use by another traced process"
                                         : strerror(errno));
    /* A stale trace from an earlier run: start from nothing. */
    if (ftruncate(trace.fd, 0) != 0)
        return fail(why, why_size, strerror(errno));
    for (trace.reserved = RESERVE_MAX; trace.reserved >= RESERVE_MIN;
         trace.reserved /= 4) {
        void *map = mmap(NULL, trace.reserved, PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_NORESERVE, trace.fd, 0);
        if (map != MAP_FAILED) {
            trace.map = map;
            break;
        }
    }
    if (trace.map == NULL)
        return fail(why, why_size, strerror(errno));
    /* Let the page cache back the trace with large folios where the file
     * system can: a store-heavy program fills pages of trace faster than
     * the kernel can fault 4 KiB pages in (a tenth of the tracing cost).
     * Only a hint; ignored where unsupported. */
    madvise(trace.map, trace.reserved, MADV_HUGEPAGE);
    if (trace_grow(PMT_HEADER_SIZE) != 0)
        return fail(why, why_size, strerror(errno));
    write_header(file_flags);
    return 0;
}

static void block_init(struct pmt_block_header *b, uint32_t thread,
                       uint32_t index)
{
    b->thread = thread;
    b->index = index;
    b->flags = 0;
    b->used = 0;
    b->crc = 0;
    b->reserved = 0;
    /* Magic last: a reader that sees it sees a well-formed header. */
    __atomic_store_n(&b->magic, PMT_BLOCK_MAGIC, __ATOMIC_RELEASE);
}

/* The trace cannot grow, so recording stops while the program runs on
 * (lock held): the header says the trace is incomplete, with the errno,
 * for good. Readers then never take the end of the file for the end of
 * the program. */
static void mark_stopped(int errno_value)
{
    struct pmt_file_header *h = trace_header();
    __atomic_store_n(&h->end_code, errno_value, __ATOMIC_RELAXED);
    __atomic_store_n(&h->end_kind, PMT_END_STOPPED, __ATOMIC_RELEASE);
}

struct pmt_block_header *pmt_tracefile_claim(uint32_t thread, uint32_t index)
{
    struct pmt_block_header *b = NULL;
    char why[160];
    why[0] = '\0';
    pthread_mutex_lock(&trace.lock);
    if (!trace.closed && trace.map != NULL) {
        uint64_t i = trace.claimed;
        if (block_offset(i + 1) <= trace.file_size ||
            trace_grow(block_offset(i + 1)) == 0) {
            b = (struct pmt_block_header *)(trace.map + block_offset(i));
            /* One call maps the block's pages writable instead of a page
             * fault on each as the thread fills it: a few percent of a
             * store-heavy run. Kernels before 5.14 refuse it; the faults
             * then come as before. */
            madvise(b, PMT_BLOCK_SIZE, MADV_POPULATE_WRITE);
            block_init(b, thread, index);
            trace.claimed = i + 1;
            __atomic_store_n(&trace_header()->blocks_claimed, trace.claimed,
                             __ATOMIC_RELEASE);
        } else {
            int e = errno;
            snprintf(why, sizeof(why), "cannot grow the trace: %s",
                     strerror(e));
            mark_stopped(e);
        }
    }
    pthread_mutex_unlock(&trace.lock);
    if (why[0] != '\0')
        pmt_rt_stop(why);
    return b;
}

void pmt_tracefile_close(uint32_t end_kind, int32_t end_code)
{
    pthread_mutex_lock(&trace.lock);
    if (!trace.closed && trace.map != NULL) {
        trace.closed = true;
        struct pmt_file_header *h = trace_header();
        if (h->end_kind != PMT_END_STOPPED) { /* an incomplete trace stays so */
            __atomic_store_n(&h->end_code, end_code, __ATOMIC_RELAXED);
            __atomic_store_n(&h->end_kind, end_kind, __ATOMIC_RELEASE);
        }
        /* The exact size: readers need not look past the last block. A
         * failure leaves zero-filled unclaimed blocks, which readers skip. */
        uint64_t size = block_offset(trace.claimed);
        if (ftruncate(trace.fd, (off_t)size) == 0)
            trace.file_size = size;
        /* Nothing writes past the last claimed block any more; unmapping
         * the rest of the reservation keeps tools that scan all memory at
         * exit (valgrind's leak check) from reading beyond the end of the
         * file, where every access raises SIGBUS. */
        munmap(trace.map + trace.file_size, trace.reserved - trace.file_size);
        trace.reserved = trace.file_size;
    }
    pthread_mutex_unlock(&trace.lock);
}

void pmt_tracefile_forget(void)
{
    /* Runs in a fork child, single-threaded: no lock (another thread of
     * the parent may have held it at fork time). Closing our descriptor
     * does not release the parent's flock: the lock belongs to the open
     * file description, which the parent still holds. */
    if (trace.map != NULL)
        munmap(trace.map, trace.reserved);
    if (trace.fd >= 0)
        close(trace.fd);
    trace.map = NULL;
    trace.fd = -1;
    trace.closed = true;
}
