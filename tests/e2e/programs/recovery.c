/*
 * recovery.c - a recovery program that misbehaves on request, for the
 * runner's tests (tests/unit/test_runner.c, tests/e2e/test_sandbox.py).
 * Built twice: with pmcc (a fork server) and with plain cc.
 *
 *   recovery MODE IMAGE [ARG...]
 *
 *   pass                exit 0
 *   exit N              exit N
 *   segv                a store through a null pointer
 *   hang                sleep until killed
 *   spin                loop until killed
 *   forkbomb            fork without end; every process keeps forking
 *   hog                 allocate and touch memory 1 MiB at a time, without
 *                       end; exits 1 when an allocation fails
 *   stderr N            write lines "line 1".."line N" on stderr, exit 1
 *   flood               write lines on stderr without end
 *   write PATH          create PATH and write it: exit 0 if that worked, 3
 *                       if it was refused (errno on stderr)
 *   cwd                 print the working directory, make a file in it
 *   mess                leave a directory with a file in the working
 *                       directory, and make it read-only
 *   env                 print PMCHECK_STATE, _CRASH_SITE, _MARKERS
 *   getenv NAME         print "NAME VALUE" ("-" when unset)
 *   daemon              leave a process behind, in a session of its own,
 *                       that prints its pid on stderr and sleeps; exit 0
 *   resize              open the image and try to keep, halve and
 *                       double its size, punch a hole in it and allocate
 *                       it: print each call's result (0 or an errno)
 *   pmem BYTE           pmem_map_file the image, fill its first 4 KiB
 *                       with BYTE, persist, exit with its old first byte
 *   create LAYOUT       pmemobj_create the image, 8 MiB (not a recovery:
 *                       the tests make pools with it)
 *   pmemobj LAYOUT      pmemobj_open the image (a pool), print "root XX"
 *                       (its first byte), write and persist the root,
 *                       allocate an object, exit 0 (2: no pool)
 *   read OFF...         map the image; for each OFF print "read OFF" on
 *                       stderr, then read that byte
 *   alloc LAYOUT N      N pmemobj_zalloc calls: print "alloc I failed
 *                       ERRNO" for each that fails; exit 0
 *   txalloc LAYOUT N    N pmemobj_tx_zalloc in one transaction: print
 *                       "aborted after I: ERRNO" when it aborts; exit 0
 *   txnoabort LAYOUT N  the same with POBJ_XALLOC_NO_ABORT: print
 *                       "tx_xalloc I failed ERRNO" for each failure
 *   next [pass]         persistent mode (PMT_RECOVERY_NEXT): for each
 *                       state, print "iteration I pid P state S" on
 *                       stderr, map the image, print "byte B"; the state's
 *                       status is B, its first byte, except 0xff: hang;
 *                       0xfe: a store through a null pointer; 0xfd: leave
 *                       a child running, status 0; 0xfc: leave a daemon
 *                       (printing "daemon PID"), status 0; 0xfb: 9 if
 *                       the process recovered a state before, else 0
 *                       (a recovery that carries something over). With
 *                       "pass": status 0, whatever the byte.
 *   ndctl               ask libndctl for a context twice (as libpmemobj's
 *                       pool open does, through the symbol it binds to),
 *                       on the main thread and on another; print "main
 *                       same|different thread same|different"
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* fallocate(2); pmcc's build does not set it */
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libpmem.h>
#include <libpmemobj.h>
#include <pthread.h>
#include <pmtrace.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int usage(void)
{
    fputs("usage: recovery MODE IMAGE [ARG...]\n", stderr);
    return 2;
}

static void forkbomb(void)
{
    for (;;)
        fork();
}

/* The blocks are chained through a volatile pointer, or the compiler
 * would drop allocations nobody reads. */
static int hog(void)
{
    static void *volatile last;
    for (;;) {
        char *p = malloc(1 << 20);
        if (p == NULL)
            return 1;
        memset(p, 1, 1 << 20);
        *(void **)p = last;
        last = p;
    }
}

static int write_file(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs("escaped\n", f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "write %s: %s\n", path, strerror(errno));
        return 3;
    }
    return 0;
}

static int cwd(void)
{
    char dir[4096];
    if (getcwd(dir, sizeof(dir)) == NULL)
        return 1;
    fprintf(stderr, "cwd %s\n", dir);
    return write_file("made-here");
}

static const char *env_or_dash(const char *name)
{
    const char *v = getenv(name);
    return v != NULL ? v : "-";
}

static int daemon_left_behind(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        if (fork() != 0)
            _exit(0); /* the grandchild is an orphan in its own session */
        fprintf(stderr, "daemon %d\n", (int)getpid());
        fflush(stderr);
        for (;;)
            pause();
    }
    sleep(1); /* the daemon has printed its pid */
    return 0;
}

/* What a recovery could do to an image's size: print each result. */
static int resize(const char *path)
{
    int fd = open(path, O_RDWR);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        return 2;
    off_t size = st.st_size;
    struct {
        const char *what;
        int rc;
    } calls[] = {
        {"ftruncate same", ftruncate(fd, size) == 0 ? 0 : errno},
        {"ftruncate half", ftruncate(fd, size / 2) == 0 ? 0 : errno},
        {"posix_fallocate inside", posix_fallocate(fd, 0, size)},
        {"posix_fallocate double", posix_fallocate(fd, 0, 2 * size)},
        {"punch hole",
         fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096) == 0
             ? 0
             : errno},
    };
    for (size_t i = 0; i < sizeof(calls) / sizeof(*calls); i++)
        fprintf(stderr, "%s %d\n", calls[i].what, calls[i].rc);
    close(fd);
    return 0;
}

static char *map_image(const char *path, size_t *len)
{
    int is_pmem;
    char *p = pmem_map_file(path, 0, 0, 0, len, &is_pmem);
    if (p == NULL)
        perror(path);
    return p;
}

static int pmem(const char *path, int byte)
{
    size_t len;
    char *p = map_image(path, &len);
    if (p == NULL)
        return 2;
    int old = (unsigned char)p[0];
    memset(p, byte, 4096);
    pmem_persist(p, 4096);
    pmem_unmap(p, len);
    return old;
}

static int pmemobj(const char *path, const char *layout)
{
    PMEMobjpool *pop = pmemobj_open(path, layout);
    if (pop == NULL) {
        fprintf(stderr, "pmemobj_open %s: %s\n", path, pmemobj_errormsg());
        return 2;
    }
    PMEMoid root = pmemobj_root(pop, 64);
    char *r = pmemobj_direct(root);
    fprintf(stderr, "root %02x\n", (unsigned char)r[0]);
    memset(r, 0x5a, 64);
    pmemobj_persist(pop, r, 64);
    PMEMoid oid;
    pmemobj_zalloc(pop, &oid, 128, 1);
    pmemobj_close(pop);
    return 0;
}

static int read_offsets(const char *path, int n, char **offsets)
{
    size_t len;
    volatile char *p = map_image(path, &len);
    if (p == NULL)
        return 2;
    unsigned sum = 0;
    for (int i = 0; i < n; i++) {
        unsigned long off = strtoul(offsets[i], NULL, 0);
        fprintf(stderr, "read %lu\n", off);
        sum += (unsigned char)p[off];
    }
    fprintf(stderr, "sum %u\n", sum);
    return 0;
}

static int allocs(const char *path, const char *layout, int n, int mode)
{
    PMEMobjpool *pop = pmemobj_open(path, layout);
    if (pop == NULL) {
        fprintf(stderr, "pmemobj_open %s: %s\n", path, pmemobj_errormsg());
        return 2;
    }
    if (mode == 0) {
        for (int i = 1; i <= n; i++) {
            PMEMoid oid;
            if (pmemobj_zalloc(pop, &oid, 64, 1) != 0)
                fprintf(stderr, "alloc %d failed %d\n", i, errno);
        }
    } else {
        volatile int i = 0;
        TX_BEGIN(pop)
        {
            for (i = 1; i <= n; i++) {
                PMEMoid oid =
                    mode == 1 ? pmemobj_tx_zalloc(64, 1)
                              : pmemobj_tx_xalloc(64, 1, POBJ_XALLOC_NO_ABORT);
                if (OID_IS_NULL(oid))
                    fprintf(stderr, "tx_xalloc %d failed %d\n", i, errno);
            }
        }
        TX_ONABORT
        {
            fprintf(stderr, "aborted after %d: %d\n", i - 1, errno);
        }
        TX_END
    }
    pmemobj_close(pop);
    return 0;
}

/* The "iteration" line, then the image's first byte (-1: no image). The
 * line comes first: a run whose image is poisoned dies reading it. */
static int print_iteration(const char *path, int iteration)
{
    fprintf(stderr, "iteration %d pid %d state %s\n", iteration, (int)getpid(),
            env_or_dash("PMCHECK_STATE"));
    size_t len;
    char *p = map_image(path, &len);
    if (p == NULL)
        return -1;
    int byte = (unsigned char)p[0];
    pmem_unmap(p, len);
    fprintf(stderr, "byte %d\n", byte);
    return byte;
}

/* One state of "next": the image's first byte says what to do. */
static int next_state(const char *path, int iteration)
{
    int byte = print_iteration(path, iteration);
    if (byte < 0)
        return 2;
    if (byte == 0xff) {
        for (;;)
            pause();
    }
    if (byte == 0xfe) {
        volatile int *null = NULL;
        *null = 1;
    }
    if (byte == 0xfb)
        return iteration > 1 ? 9 : 0;
    if (byte == 0xfd) {
        if (fork() == 0) {
            for (;;)
                pause();
        }
        return 0;
    }
    if (byte == 0xfc) {
        pid_t middle = fork();
        if (middle == 0) {
            setsid();
            pid_t daemon = fork();
            if (daemon == 0) {
                for (;;)
                    pause();
            }
            fprintf(stderr, "daemon %d\n", (int)daemon);
            _exit(0);
        }
        waitpid(middle, NULL, 0);
        return 0;
    }
    return byte;
}

static int next_loop(const char *path, bool always_pass)
{
    int status, iteration = 0;
    do
        status = always_pass ? (print_iteration(path, ++iteration), 0)
                             : next_state(path, ++iteration);
    while (PMT_RECOVERY_NEXT(status));
    return status;
}

/* Two contexts from ndctl_new, as the program's libraries would get them:
 * "same" when they are one, "different" otherwise, "none" on failure. */
static void *two_contexts(void *unused)
{
    (void)unused;
    /* As the dynamic linker binds libpmem's and libpmemobj's references
     * (ndctl_new@LIBNDCTL_1: an unversioned definition in the executable
     * satisfies them, LD_DEBUG=bindings shows; dlvsym would not take it). */
    void *sym_new = dlsym(RTLD_DEFAULT, "ndctl_new");
    void *sym_unref = dlsym(RTLD_DEFAULT, "ndctl_unref");
    if (sym_new == NULL || sym_unref == NULL)
        return "none";
    int (*ctx_new)(void **);
    void *(*ctx_unref)(void *);
    memcpy(&ctx_new, &sym_new, sizeof(ctx_new));
    memcpy(&ctx_unref, &sym_unref, sizeof(ctx_unref));
    void *a = NULL, *b = NULL;
    if (ctx_new(&a) != 0 || ctx_new(&b) != 0)
        return "none";
    const char *what = a == b ? "same" : "different";
    ctx_unref(a);
    ctx_unref(b);
    return (void *)what;
}

static int ndctl_contexts(void)
{
    const char *main_thread = two_contexts(NULL);
    pthread_t t;
    void *other = "none";
    if (pthread_create(&t, NULL, two_contexts, NULL) == 0)
        pthread_join(t, &other);
    fprintf(stderr, "main %s thread %s\n", main_thread, (const char *)other);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *mode = argv[1], *image = argv[2];
    const char *arg = argc > 3 ? argv[3] : NULL;
    if (strcmp(mode, "pass") == 0)
        return 0;
    if (strcmp(mode, "exit") == 0 && arg != NULL)
        return atoi(arg);
    if (strcmp(mode, "segv") == 0) {
        volatile int *null = NULL;
        *null = 1;
        return 0;
    }
    if (strcmp(mode, "hang") == 0) {
        for (;;)
            pause();
    }
    if (strcmp(mode, "spin") == 0) {
        for (volatile unsigned long i = 0;; i++)
            ;
    }
    if (strcmp(mode, "forkbomb") == 0)
        forkbomb();
    if (strcmp(mode, "hog") == 0)
        return hog();
    if (strcmp(mode, "flood") == 0) {
        for (unsigned long i = 1;; i++)
            fprintf(stderr, "flood %lu\n", i);
    }
    if (strcmp(mode, "stderr") == 0 && arg != NULL) {
        for (int i = 1; i <= atoi(arg); i++)
            fprintf(stderr, "line %d\n", i);
        return 1;
    }
    if (strcmp(mode, "write") == 0 && arg != NULL)
        return write_file(arg);
    if (strcmp(mode, "cwd") == 0)
        return cwd();
    if (strcmp(mode, "mess") == 0) {
        if (mkdir("left", 0700) != 0 || write_file("left/behind") != 0 ||
            chmod(".", 0500) != 0)
            return 1;
        return 0;
    }
    if (strcmp(mode, "env") == 0) {
        fprintf(stderr, "state %s site %s markers %s\n",
                env_or_dash("PMCHECK_STATE"), env_or_dash("PMCHECK_CRASH_SITE"),
                env_or_dash("PMCHECK_MARKERS"));
        return 0;
    }
    if (strcmp(mode, "getenv") == 0 && arg != NULL) {
        fprintf(stderr, "%s %s\n", arg, env_or_dash(arg));
        return 0;
    }
    if (strcmp(mode, "daemon") == 0)
        return daemon_left_behind();
    if (strcmp(mode, "resize") == 0)
        return resize(image);
    if (strcmp(mode, "pmem") == 0 && arg != NULL)
        return pmem(image, atoi(arg));
    if (strcmp(mode, "create") == 0 && arg != NULL) {
        PMEMobjpool *pop = pmemobj_create(image, arg, 8 << 20, 0644);
        if (pop == NULL)
            perror(image);
        else
            pmemobj_close(pop);
        return pop != NULL ? 0 : 1;
    }
    if (strcmp(mode, "pmemobj") == 0 && arg != NULL)
        return pmemobj(image, arg);
    if (strcmp(mode, "read") == 0)
        return read_offsets(image, argc - 3, argv + 3);
    if (argc > 4 && strcmp(mode, "alloc") == 0)
        return allocs(image, arg, atoi(argv[4]), 0);
    if (argc > 4 && strcmp(mode, "txalloc") == 0)
        return allocs(image, arg, atoi(argv[4]), 1);
    if (argc > 4 && strcmp(mode, "txnoabort") == 0)
        return allocs(image, arg, atoi(argv[4]), 2);
    if (strcmp(mode, "ndctl") == 0)
        return ndctl_contexts();
    if (strcmp(mode, "next") == 0)
        return next_loop(image, arg != NULL && strcmp(arg, "pass") == 0);
    return usage();
}
