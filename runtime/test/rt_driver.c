/*
 * rt_driver.c - drives libpmtrace directly, as the pass would, one scenario
 * per run:
 *
 *     rt_driver SCENARIO [DIR]
 *
 * Each scenario makes memory, tells the runtime about it, performs writes
 * and calls the entry points and hooks the pass would emit after them, with
 * static sites. It prints what the checker needs to know (addresses, pid)
 * as KEY=VALUE lines on stdout; check_trace.py runs it under PMTRACE_FILE
 * and asserts the trace record by record.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hooks.h"
#include "pmdk_abi.h"
#include "pmtrace.h"
#include "pmtrace_abi.h"
#include "pmtrace_format.h"

#if __has_include(<libpmem.h>)
#include <libpmem.h>
_Static_assert(PMT_PMEM_FILE_TMPFILE == PMEM_FILE_TMPFILE, "libpmem.h");
_Static_assert(PMT_PMEM_F_MEM_NODRAIN == PMEM_F_MEM_NODRAIN, "libpmem.h");
_Static_assert(PMT_PMEM_F_MEM_NONTEMPORAL == PMEM_F_MEM_NONTEMPORAL,
               "libpmem.h");
_Static_assert(PMT_PMEM_F_MEM_NOFLUSH == PMEM_F_MEM_NOFLUSH, "libpmem.h");
#endif

#define SITE(name, ln, col, fn)                                                \
    static struct __pmt_site name = {0, ln, col, 0, "rt_driver.c", "/src/t", fn}

SITE(site_store, 100, 9, "do_store");
SITE(site_flush, 101, 5, "do_flush");
SITE(site_fence, 102, 5, "do_fence");
SITE(site_other, 103, 0, "do_other");
/* No debug location: line 0, the module's file, no directory. */
static struct __pmt_site site_nodebug = {0,  0,        0, 0, "rt_driver.c",
                                         "", "nodebug"};

static void die(const char *what)
{
    fprintf(stderr, "rt_driver: %s: %s\n", what, strerror(errno));
    exit(99);
}

static void say(const char *key, unsigned long long value)
{
    printf("%s=%#llx\n", key, value);
    fflush(stdout);
}

static uint64_t addr_of(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

static char *anon(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die("mmap");
    return p;
}

static void store64(char *p, uint64_t v, struct __pmt_site *site)
{
    memcpy(p, &v, 8);
    __pmt_store(p, 8, site);
}

/* A region registered by name, reported as base. */
static char *user_region(size_t len, const char *name)
{
    char *r = anon(len);
    if (pmtrace_register(r, len, name) != 0)
        die("pmtrace_register");
    say("base", addr_of(r));
    return r;
}

/* ---- basic: every entry point and annotation, in a known order -------- */

static int scenario_basic(void)
{
    say("pid", (unsigned long long)getpid());
    say("hooks", __pmt_hook_count);
    for (size_t i = 0; i < __pmt_hook_count; i++)
        if (__pmt_hook_table[i].fn == NULL)
            die(__pmt_hook_table[i].name);

    /* 128 KiB mapped, the first 64 KiB registered, with 5 non-zero bytes
     * in its second page. */
    char *r = anon(128 << 10);
    memcpy(r + 4096, "seeds", 5);
    say("base", addr_of(r));
    say("register", (unsigned)pmtrace_register(r, 64 << 10, "basic-region"));
    say("overlap", (unsigned)pmtrace_register(r + 4096, 100, "overlap"));
    say("store_lo", __pmt_hull.store_lo);
    say("store_span", __pmt_hull.store_span);
    say("load_span", __pmt_hull.load_span);

    uint64_t local = 5;
    store64(r + 0x40, 0x1122334455667788ull, &site_store);
    __pmt_store(&local, 8, &site_store); /* DRAM: nothing */
    memcpy(r + (64 << 10) - 4, "ABCDEFGH", 8);
    __pmt_store(r + (64 << 10) - 4, 8, &site_store); /* straddles the end */
    __pmt_flush(r + 0x44, PMT_FLUSH_CLWB, &site_flush);
    __pmt_flush(&local, PMT_FLUSH_CLFLUSHOPT, &site_flush); /* DRAM too */
    __pmt_fence(PMT_FENCE_SFENCE, &site_fence);
    memcpy(r + 0x80, "nt!!", 4);
    __pmt_nt_store(r + 0x80, 4, &site_store);
    __pmt_locked_rmw(&local, 8, 1, &site_other); /* orders the NT store */
    __pmt_locked_rmw(&local, 8, 1, &site_other); /* nothing pending */
    store64(r + 0x88, 7, &site_other);
    __pmt_locked_rmw(r + 0x88, 8, 1, &site_other); /* a locked pmem store */
    __pmt_locked_rmw(r + 0x88, 8, 0, &site_other); /* failed cmpxchg */
    memset(r + 0x100, 0xab, 300);
    __pmt_fill(r + 0x100, 0xab, 300, &site_other);
    memcpy(r + 0x400, "hello world", 12);
    __pmt_copy(r + 0x400, "hello world", 12, &site_other);
    __pmt_fence(PMT_FENCE_MFENCE, &site_nodebug);

    pmtrace_assert_persisted(r + 0x40, 8);
    __pmt_at_pmtrace_assert_ordered(r + 0x40, 8, r + 0x80, 4, &site_other);
    pmtrace_durable();
    __pmt_at_pmtrace_crash_point(&site_other);
    pmtrace_commit_var(r + 0x88, 8);
    pmtrace_marker("phase-1");
    char name[16];
    snprintf(name, sizeof(name), "phase-%d", 1); /* equal text: same id */
    __pmt_at_pmtrace_marker(name, &site_other);

    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    __pmt_post_pthread_mutex_lock(0, &m, &site_other);
    __pmt_post_pthread_mutex_trylock(EBUSY, &m, &site_other); /* failed */
    __pmt_pre_pthread_mutex_unlock(&m, &site_other);
    say("mutex", addr_of(&m));

    say("unregister", (unsigned)pmtrace_unregister(r + 8, 8));
    say("unregister2", (unsigned)pmtrace_unregister(r, 8));
    say("span_after", __pmt_hull.store_span);
    store64(r + 0x40, 1, &site_store);                 /* no region: nothing */
    __pmt_post_pthread_mutex_lock(0, &m, &site_other); /* no region */
    exit(3);
}

/* ---- libc: the write hooks ------------------------------------------- */

static int scenario_libc(void)
{
    char *r = user_region(8192, "libc");
    char dram[64];
    memcpy(r, "abcdefgh", 8);
    __pmt_post_memcpy(r, r, "abcdefgh", 8, &site_other);
    memmove(r + 4, r, 8);
    __pmt_post_memmove(r + 4, r + 4, r, 8, &site_other);
    void *end = mempcpy(r + 0x20, "xyz", 3);
    __pmt_post_mempcpy(end, r + 0x20, "xyz", 3, &site_other);
    memset(r + 0x100, 'x', 10);
    __pmt_post_memset(r + 0x100, r + 0x100, 'x', 10, &site_other);
    bzero(r + 0x200, 16);
    __pmt_post_bzero(r + 0x200, 16, &site_other);
    explicit_bzero(r + 0x210, 8);
    __pmt_post_explicit_bzero(r + 0x210, 8, &site_other);
    strcpy(r + 0x300, "pmem");
    __pmt_post_strcpy(r + 0x300, r + 0x300, "pmem", &site_other);
    char *nul = stpcpy(r + 0x310, "abc");
    __pmt_post_stpcpy(nul, r + 0x310, "abc", &site_other);
    strncpy(r + 0x320, "ab", 6);
    __pmt_post_strncpy(r + 0x320, r + 0x320, "ab", 6, &site_other);
    nul = stpncpy(r + 0x330, "abcdef", 4);
    __pmt_post_stpncpy(nul, r + 0x330, "abcdef", 4, &site_other);
    __pmt_pre_strcat(r + 0x300, "++", &site_other);
    strcat(r + 0x300, "++");
    __pmt_post_strcat(r + 0x300, r + 0x300, "++", &site_other);
    __pmt_pre_strncat(r + 0x300, "xyz", 2, &site_other);
    /* Copying less than the source is what this case tests. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#endif
    strncat(r + 0x300, "xyz", 2);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
    __pmt_post_strncat(r + 0x300, r + 0x300, "xyz", 2, &site_other);
    /* DRAM only: nothing. */
    memcpy(dram, "dram", 5);
    __pmt_post_memcpy(dram, dram, "dram", 5, &site_other);
    __pmt_pre_strcat(dram, "x", &site_other);
    strcat(dram, "x");
    __pmt_post_strcat(dram, dram, "x", &site_other);
    exit(0);
}

/* ---- pmem: libpmem's hooks, on file mappings ------------------------- */

static char *map_file(const char *path, size_t len, int prot, int flags,
                      off_t offset)
{
    int fd = open(path, O_RDWR);
    if (fd < 0)
        die(path);
    char *p = mmap(NULL, len, prot, flags, fd, offset);
    if (p == MAP_FAILED)
        die("mmap");
    close(fd);
    return p;
}

/* A sparse file of `size` bytes holding `data` at `offset`. */
static void make_file(const char *path, size_t size, off_t offset,
                      const char *data)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)size) != 0)
        die(path);
    if (data != NULL &&
        pwrite(fd, data, strlen(data), offset) != (ssize_t)strlen(data))
        die("pwrite");
    close(fd);
}

static int scenario_pmem(const char *dir)
{
    char pool[4096], pool2[4096];
    snprintf(pool, sizeof(pool), "%s/pool", dir);
    snprintf(pool2, sizeof(pool2), "%s/pool2", dir);
    make_file(pool, 1 << 20, 8192, "DDDD");
    /* An extent of explicit zeros: data to SEEK_DATA, skipped as zero. */
    int fd = open(pool, O_RDWR);
    static const char zeros[4096];
    if (fd < 0 || pwrite(fd, zeros, sizeof(zeros), 16384) != 4096)
        die("zeros");
    close(fd);
    make_file(pool2, 65536, 0, "second");

    /* pmem_map_file made these (the hooks are what matter here). */
    char *r = map_file(pool, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
    __pmt_post_pmem_map_file(r, pool, 0, 0, 0, NULL, NULL, &site_other);
    size_t len2 = 65536;
    char *r2 = map_file(pool2, len2, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
    __pmt_post_pmem_map_file(r2, pool2, len2, 0, 0644, &len2, NULL,
                             &site_other);
    __pmt_post_pmem_map_file(NULL, pool2, 0, 0, 0, NULL, NULL, &site_other);
    say("base", addr_of(r));
    say("base2", addr_of(r2));
    say("span", __pmt_hull.store_span);
    /* Reading the content must not have touched the holes: only the two
     * pages pwrite filled are in the page cache. */
    unsigned char resident[256];
    if (mincore(r, 1 << 20, resident) != 0)
        die("mincore");
    unsigned pages = 0;
    for (int i = 0; i < 256; i++)
        pages += resident[i] & 1;
    say("resident", pages);

    char dram[64];
    __pmt_post_pmem_persist(r + 0x10, 8, &site_other);
    __pmt_post_pmem_flush(r + 0x20, 100, &site_other);
    __pmt_post_pmem_drain(&site_other);
    __pmt_post_pmem_msync(0, r + 0x30, 8, &site_other);
    __pmt_post_pmem_msync(-1, r + 0x30, 8, &site_other); /* failed */
    __pmt_post_pmem_deep_persist(0, r + 0x40, 8, &site_other);
    __pmt_post_pmem_deep_flush(r + 0x50, 8, &site_other);
    __pmt_post_pmem_deep_drain(0, r + 0x50, 8, &site_other);
    __pmt_post_pmem_deep_drain(-1, r + 0x50, 8, &site_other); /* failed */
    __pmt_post_pmem_persist(dram, 8, &site_other);            /* DRAM */

    memcpy(r + 0x100, "cp", 2);
    __pmt_post_pmem_memcpy_persist(r + 0x100, r + 0x100, "cp", 2, &site_other);
    memcpy(r + 0x110, "cn", 2);
    __pmt_post_pmem_memcpy_nodrain(r + 0x110, r + 0x110, "cn", 2, &site_other);
    memmove(r + 0x120, "mp", 2);
    __pmt_post_pmem_memmove_persist(r + 0x120, r + 0x120, "mp", 2, &site_other);
    memmove(r + 0x130, "mn", 2);
    __pmt_post_pmem_memmove_nodrain(r + 0x130, r + 0x130, "mn", 2, &site_other);
    memset(r + 0x140, 's', 3);
    __pmt_post_pmem_memset_persist(r + 0x140, r + 0x140, 's', 3, &site_other);
    memset(r + 0x150, 'n', 3);
    __pmt_post_pmem_memset_nodrain(r + 0x150, r + 0x150, 'n', 3, &site_other);
    memcpy(r + 0x200, "f0", 2);
    __pmt_post_pmem_memcpy(r + 0x200, r + 0x200, "f0", 2, 0, &site_other);
    memcpy(r + 0x210, "nt", 2);
    __pmt_post_pmem_memcpy(r + 0x210, r + 0x210, "nt", 2,
                           PMT_PMEM_F_MEM_NONTEMPORAL, &site_other);
    memcpy(r + 0x220, "nd", 2);
    __pmt_post_pmem_memcpy(r + 0x220, r + 0x220, "nd", 2,
                           PMT_PMEM_F_MEM_NODRAIN, &site_other);
    memcpy(r + 0x230, "nf", 2);
    __pmt_post_pmem_memcpy(r + 0x230, r + 0x230, "nf", 2,
                           PMT_PMEM_F_MEM_NOFLUSH, &site_other);
    memmove(r + 0x240, "mv", 2);
    __pmt_post_pmem_memmove(r + 0x240, r + 0x240, "mv", 2, 0, &site_other);
    memset(r + 0x250, 'z', 4);
    __pmt_post_pmem_memset(r + 0x250, r + 0x250, 'z', 4, PMT_PMEM_F_MEM_NOFLUSH,
                           &site_other);
    memcpy(dram, "dr", 2);
    __pmt_post_pmem_memcpy_persist(dram, dram, "dr", 2, &site_other);

    __pmt_pre_pmem_unmap(r, 1 << 20, &site_other);
    munmap(r, 1 << 20);
    exit(0);
}

/* ---- mmap: which mappings are pmem ----------------------------------- */

static char *mmap_hooked(const char *path, size_t len, int flags, off_t off)
{
    int fd = open(path, O_RDWR);
    if (fd < 0)
        die(path);
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, off);
    if (p == MAP_FAILED)
        die("mmap");
    __pmt_post_mmap(p, NULL, len, PROT_READ | PROT_WRITE, flags, fd, off,
                    &site_other);
    close(fd);
    return p;
}

static int scenario_mmap(const char *dir)
{
    /* PMTRACE_PMEM=DIR/pm:DIR/one (set by the checker) */
    char path[4096];
    snprintf(path, sizeof(path), "%s/pm/pool", dir);
    make_file(path, 65536, 0, "MMAP");
    {
        int fd = open(path, O_RDWR);
        if (fd < 0 || pwrite(fd, "OFFS", 4, 4096) != 4)
            die("pwrite");
        close(fd);
    }
    char *a = mmap_hooked(path, 65536, MAP_SHARED, 0);
    say("a", addr_of(a));
    char *b = mmap_hooked(path, 8192, MAP_SHARED_VALIDATE, 4096);
    say("b", addr_of(b));
    char *priv = mmap_hooked(path, 4096, MAP_PRIVATE, 0); /* not pmem */
    say("priv", addr_of(priv));

    char one[4096], other[4096], near[4096];
    snprintf(one, sizeof(one), "%s/one", dir);
    snprintf(other, sizeof(other), "%s/other", dir);
    snprintf(near, sizeof(near), "%s/pmx/pool", dir); /* "pm" is a prefix */
    make_file(one, 4096, 0, NULL);
    make_file(other, 4096, 0, NULL);
    make_file(near, 4096, 0, NULL);
    char *c = mmap_hooked(one, 4096, MAP_SHARED, 0);
    say("c", addr_of(c));
    char *d = mmap_hooked(other, 4096, MAP_SHARED, 0);
    char *e = mmap_hooked(near, 4096, MAP_SHARED, 0);
    char *anon_shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    __pmt_post_mmap(anon_shared, NULL, 4096, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0, &site_other);
    store64(d, 1, &site_store);
    store64(e, 1, &site_store);
    store64(priv, 1, &site_store);
    store64(anon_shared, 1, &site_store);
    store64(a + 8, 0x0a, &site_store);
    store64(b + 8, 0x0b, &site_store);
    store64(c + 8, 0x0c, &site_store);

    /* Part of a unmapped: all of a goes. */
    __pmt_pre_munmap(a + 4096, 4096, &site_other);
    munmap(a + 4096, 4096);
    store64(a + 16, 2, &site_store);
    /* A fixed mapping over b replaces it. */
    char *fixed = mmap(b, 8192, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    __pmt_post_mmap(fixed, b, 8192, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0,
                    &site_other);
    store64(b + 16, 2, &site_store);
    store64(c + 16, 0x0c, &site_store);
    exit(0);
}

/* ---- loads ------------------------------------------------------------ */

static int scenario_loads(void)
{
    char *r = user_region(4096, "loads");
    say("load_lo", __pmt_hull.load_lo);
    say("load_span", __pmt_hull.load_span);
    char dram[16];
    __pmt_load(r + 8, 8, &site_other);
    __pmt_load(dram, 8, &site_other); /* DRAM: nothing */
    memcpy(dram, r, 16);
    __pmt_copy(dram, r, 16, &site_other); /* LOAD only */
    memcpy(r + 0x100, r, 16);
    __pmt_post_memcpy(r + 0x100, r + 0x100, r, 16, &site_other);
    exit(0);
}

/* ---- threads: streams, seqs and lock order ---------------------------- */

#define THREADS 4
#define PER_THREAD 5000

static struct {
    char *r;
    pthread_mutex_t lock;
    uint64_t counter; /* at r + 0, under lock */
    int running;      /* the runner has recorded a while */
    int joined;       /* workers that have recorded */
} shared = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void *worker(void *arg)
{
    long id = (long)arg;
    char *slot = shared.r + 4096 + id * 8192;
    for (int i = 0; i < PER_THREAD; i++) {
        store64(slot + (i % 1024) * 8, (uint64_t)i, &site_store);
        __pmt_flush(slot + (i % 1024) * 8, PMT_FLUSH_CLWB, &site_flush);
        __pmt_fence(PMT_FENCE_SFENCE, &site_fence);
        int rc = pthread_mutex_lock(&shared.lock);
        __pmt_post_pthread_mutex_lock(rc, &shared.lock, &site_other);
        shared.counter++;
        store64(shared.r, shared.counter, &site_store);
        __pmt_pre_pthread_mutex_unlock(&shared.lock, &site_other);
        pthread_mutex_unlock(&shared.lock);
        if (i == 0)
            __atomic_add_fetch(&shared.joined, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

/* Still storing when main exits: the exit handler must stop and seal it. */
static void *runner(void *arg)
{
    (void)arg;
    char *slot = shared.r + 4096 + THREADS * 8192;
    for (uint64_t i = 0;; i++) {
        store64(slot + (i % 512) * 8, i, &site_store);
        if (i == 10000)
            __atomic_store_n(&shared.running, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

static int scenario_threads(void)
{
    shared.r = user_region(1 << 20, "threads");
    say("mutex", addr_of(&shared.lock));
    pthread_t tids[THREADS], run;
    for (long i = 0; i < THREADS; i++)
        if (pthread_create(&tids[i], NULL, worker, (void *)i) != 0)
            die("pthread_create");
    /* Main records while the workers join: the seq counter turns shared
     * under its feet. */
    char *slot = shared.r + 4096 + (THREADS + 1) * 8192;
    for (uint64_t i = 0;
         __atomic_load_n(&shared.joined, __ATOMIC_ACQUIRE) < THREADS; i++)
        store64(slot + (i % 512) * 8, i, &site_store);
    for (int i = 0; i < THREADS; i++)
        pthread_join(tids[i], NULL);
    if (pthread_create(&run, NULL, runner, NULL) != 0)
        die("pthread_create");
    while (!__atomic_load_n(&shared.running, __ATOMIC_ACQUIRE))
        sched_yield();
    exit(0);
}

/* ---- deaths ----------------------------------------------------------- */

/* Stores 1, 2, 3... with a flush and a fence each; prints ready after
 * `ready` of them and goes on until killed (or `stop_after`). */
static void counting(char *r, uint64_t ready, uint64_t stop_after)
{
    for (uint64_t i = 1; stop_after == 0 || i <= stop_after; i++) {
        char *p = r + (i % 4096) * 8;
        store64(p, i, &site_store);
        __pmt_flush(p, PMT_FLUSH_CLWB, &site_flush);
        __pmt_fence(PMT_FENCE_SFENCE, &site_fence);
        if (i == ready)
            say("ready", i);
    }
}

static int scenario_kill(void)
{
    counting(user_region(1 << 16, "kill"), 20000, 0);
    return 0;
}

static int scenario_exit_(void)
{
    counting(user_region(1 << 16, "exit"), 0, 5000);
    _exit(5);
}

static int scenario_abort(void)
{
    counting(user_region(1 << 16, "abort"), 0, 5000);
    abort();
}

/* ---- split: writes bigger than a block -------------------------------- */

static int scenario_split(void)
{
    size_t len = 512 << 10;
    char *r = anon(len);
    for (size_t i = 0; i < len; i++)
        r[i] = (char)(i * 7 + 3);
    if (pmtrace_register(r, len, "split") != 0)
        die("register");
    say("base", addr_of(r));
    size_t n = 200 << 10;
    char *src = malloc(n);
    for (size_t i = 0; i < n; i++)
        src[i] = (char)(i * 13 + 1);
    memcpy(r + 1000, src, n);
    __pmt_copy(r + 1000, src, n, &site_other);
    store64(r, 42, &site_store);
    exit(0);
}

/* ---- fork: the child records nothing ---------------------------------- */

static int scenario_fork(const char *self)
{
    char *r = user_region(65536, "fork");
    store64(r, 0xaaaa, &site_store);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        store64(r + 8, 0xcccc, &site_store);
        __pmt_flush(r, PMT_FLUSH_CLWB, &site_flush);
        __pmt_fence(PMT_FENCE_SFENCE, &site_fence);
        char *other = anon(4096);
        printf("child_register=%d\n", pmtrace_register(other, 4096, "kid"));
        printf("child_span=%#llx\n", (unsigned long long)__pmt_hull.store_span);
        pmtrace_marker("child");
        exit(0); /* runs the exit handler: it must leave the trace alone */
    }
    int status;
    waitpid(pid, &status, 0);
    say("child_status", (unsigned)status);
    /* A child that execs an instrumented program with the same
     * PMTRACE_FILE: it must not take over the live trace. */
    pid = fork();
    if (pid == 0) {
        execl(self, self, "exec-child", (char *)NULL);
        _exit(98);
    }
    waitpid(pid, &status, 0);
    say("exec_status", (unsigned)status);
    store64(r + 16, 0xbbbb, &site_store);
    exit(0);
}

static int scenario_exec_child(void)
{
    char *r = anon(4096);
    printf("exec_register=%d\n", pmtrace_register(r, 4096, "exec-child"));
    printf("exec_span=%#llx\n", (unsigned long long)__pmt_hull.store_span);
    store64(r, 0xdddd, &site_store);
    pmtrace_marker("exec-child");
    return 0;
}

/* ---- signals: a handler that traces, interrupting the runtime --------- */

#define SIGNAL_STORES 100000

static char *signal_region;
static volatile sig_atomic_t handled;

static void on_alarm(int sig)
{
    (void)sig;
    handled++;
    store64(signal_region + 8, (uint64_t)handled, &site_other);
}

static int scenario_signals(void)
{
    signal_region = user_region(65536, "signals");
    struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval every = {{0, 50}, {0, 50}};
    setitimer(ITIMER_REAL, &every, NULL);
    for (uint64_t i = 1; i <= SIGNAL_STORES; i++) {
        store64(signal_region + 64 + (i % 512) * 8, i, &site_store);
        __pmt_flush(signal_region + 64, PMT_FLUSH_CLWB, &site_flush);
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    say("handled", (unsigned)handled);
    exit(0);
}

/* ---- off: no PMTRACE_FILE, or one that cannot be created -------------- */

static int scenario_off(void)
{
    char *r = anon(4096);
    say("register", (unsigned)pmtrace_register(r, 4096, "off"));
    say("store_span", __pmt_hull.store_span);
    say("load_span", __pmt_hull.load_span);
    store64(r, 1, &site_store);
    __pmt_flush(r, PMT_FLUSH_CLWB, &site_flush);
    __pmt_fence(PMT_FENCE_SFENCE, &site_fence);
    __pmt_locked_rmw(r, 8, 1, &site_other);
    pmtrace_marker("off");
    say("unregister", (unsigned)pmtrace_unregister(r, 4096));
    exit(0);
}

int main(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : "";
    const char *dir = argc > 2 ? argv[2] : ".";
    if (strcmp(s, "basic") == 0)
        return scenario_basic();
    if (strcmp(s, "libc") == 0)
        return scenario_libc();
    if (strcmp(s, "pmem") == 0)
        return scenario_pmem(dir);
    if (strcmp(s, "mmap") == 0)
        return scenario_mmap(dir);
    if (strcmp(s, "loads") == 0)
        return scenario_loads();
    if (strcmp(s, "threads") == 0)
        return scenario_threads();
    if (strcmp(s, "kill") == 0)
        return scenario_kill();
    if (strcmp(s, "exit_") == 0)
        return scenario_exit_();
    if (strcmp(s, "abort") == 0)
        return scenario_abort();
    if (strcmp(s, "split") == 0)
        return scenario_split();
    if (strcmp(s, "fork") == 0)
        return scenario_fork(argv[0]);
    if (strcmp(s, "exec-child") == 0)
        return scenario_exec_child();
    if (strcmp(s, "signals") == 0)
        return scenario_signals();
    if (strcmp(s, "off") == 0)
        return scenario_off();
    fprintf(stderr, "usage: rt_driver SCENARIO [DIR]\n");
    return 2;
}
