/*
 * recovery.c - the runtime's side of recovery runs (see recovery.h).
 *
 * Images are known by device and inode, not by path: a recovery may open
 * an image through a link, a relative path or /proc/self/fd, and a file
 * of the same name elsewhere is not the image.
 */
#include "recovery.h"

/* What pmcc defines for the programs it builds (a reserved name, as the
 * compiler's own are): the real declarations of pmtrace.h. */
#define __PMTRACE__ 1
#include "pmtrace.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interpose_ndctl.h"
#include "pmtrace_forkserver.h"
#include "rt.h"

/* The runner starts a program as a fork server only when it finds this in
 * the program's file (pmtrace_forkserver.h). */
__attribute__((used)) static const char fs_marker[] = PMT_FS_MARKER;

struct image_id {
    dev_t dev;
    ino_t ino;
};

static struct {
    struct image_id *images;
    size_t count; /* published last (release): readers load it first */
    bool images_read;
    uint64_t poison;
    uint32_t fail_alloc;
    int next_fd; /* persistent mode's socket to the server, or -1 */
} recovery = {.poison = UINT64_MAX, .next_fd = -1};

bool pmt_recovery_images(void)
{
    return __atomic_load_n(&recovery.count, __ATOMIC_ACQUIRE) != 0;
}

int pmt_recovery_image_of_fd(int fd, off_t *size)
{
    size_t count = __atomic_load_n(&recovery.count, __ATOMIC_ACQUIRE);
    struct stat st;
    if (count == 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    for (size_t i = 0; i < count; i++) {
        if (recovery.images[i].dev == st.st_dev &&
            recovery.images[i].ino == st.st_ino) {
            *size = st.st_size;
            return (int)i;
        }
    }
    return -1;
}

uint64_t pmt_recovery_poison_offset(void)
{
    return recovery.poison;
}

uint32_t pmt_recovery_fail_alloc(void)
{
    return recovery.fail_alloc;
}

/* The images, in list order: image 0 is the first path. A path that does
 * not exist keeps its place (as an identity nothing has) so the indices
 * stay the runner's. */
static void read_images(const char *list)
{
    if (recovery.images_read)
        return;
    recovery.images_read = true;
    if (list == NULL || list[0] == '\0')
        return;
    size_t max = 1;
    for (const char *c = list; *c != '\0'; c++)
        max += *c == ':';
    char *copy = strdup(list);
    struct image_id *ids = calloc(max, sizeof(*ids));
    if (copy == NULL || ids == NULL) {
        free(copy);
        free(ids);
        return;
    }
    size_t n = 0;
    char *save = NULL;
    for (char *p = strtok_r(copy, ":", &save); p != NULL && n < max;
         p = strtok_r(NULL, ":", &save)) {
        struct stat st;
        if (stat(p, &st) == 0)
            ids[n] = (struct image_id){st.st_dev, st.st_ino};
        n++;
    }
    free(copy);
    recovery.images = ids;
    __atomic_store_n(&recovery.count, n, __ATOMIC_RELEASE);
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (s == NULL || *s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

static void read_faults(void)
{
    uint64_t v;
    recovery.poison =
        parse_u64(secure_getenv(PMT_FS_ENV_POISON), &v) ? v : UINT64_MAX;
    recovery.fail_alloc =
        parse_u64(secure_getenv(PMT_FS_ENV_FAIL_ALLOC), &v) && v <= UINT32_MAX
            ? (uint32_t)v
            : 0;
}

/* One thread and no child: fork copies only the calling thread (a lock
 * another thread holds would stay held in every run), and the server
 * reaps all its children as leftovers of runs. */
static bool process_alone(void)
{
    DIR *tasks = opendir("/proc/self/task");
    if (tasks == NULL)
        return false;
    int threads = 0;
    struct dirent *e;
    while ((e = readdir(tasks)) != NULL)
        threads += e->d_name[0] != '.';
    closedir(tasks);
    char path[64], c;
    snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool childless = fd >= 0 && read(fd, &c, 1) == 0;
    if (fd >= 0)
        close(fd);
    return threads == 1 && childless;
}

/* PMCHECK_FORKSERVER="C,S": serve, or hand the descriptors back closed so
 * the runner sees at once that this process will not serve. */
static void maybe_serve(const char *value)
{
    char fds[64];
    snprintf(fds, sizeof(fds), "%s", value);
    unsetenv(PMT_FS_ENV); /* nothing this process starts may serve */
    char *end;
    long ctl = strtol(fds, &end, 10);
    if (end == fds || *end != ',')
        return;
    const char *second = end + 1;
    long status = strtol(second, &end, 10);
    if (end == second || *end != '\0' || ctl < 0 || status < 0 ||
        ctl > INT32_MAX || status > INT32_MAX || ctl == status)
        return;
    /* Pipes, as the runner makes them: a variable left in an environment
     * by mistake must not make the program write into some file. */
    struct stat ctl_st, status_st;
    if (fstat((int)ctl, &ctl_st) != 0 || !S_ISFIFO(ctl_st.st_mode) ||
        fstat((int)status, &status_st) != 0 || !S_ISFIFO(status_st.st_mode))
        return;
    /* The compiler runtime's CPU feature probe is a constructor that would
     * otherwise run after this one, in every run's child: CPUID traps to
     * the hypervisor in a virtual machine, and there the probe cost half
     * of a small recovery's run. Done once here, it is a no-op there. */
    __builtin_cpu_init();
    if (process_alone()) {
        /* libndctl's context likewise: every pool open asks for one. */
        pmt_ndctl_prepare();
        if (pmt_fs_serve((int)ctl, (int)status, &recovery.next_fd) == 0)
            return; /* a run's child */
    }
    close((int)ctl);
    close((int)status);
}

void pmt_recovery_init(void)
{
    const char *fds = secure_getenv(PMT_FS_ENV);
    read_images(secure_getenv(PMT_FS_ENV_IMAGES));
    if (fds != NULL)
        maybe_serve(fds);
    read_faults();
}

/* <pmtrace.h>: one process, state after state - only while the process is
 * alone: a thread or a child of the last state would run on into the next
 * one. The descriptor is taken for the call (a second thread calling at
 * the same time finds none) and given back for the next state. */
PMT_EXPORT int pmtrace_recovery_next(int status)
{
    int fd = __atomic_exchange_n(&recovery.next_fd, -1, __ATOMIC_ACQ_REL);
    if (fd < 0)
        return 0;
    if (process_alone() && pmt_fs_next_run(fd, status) == 1) {
        __atomic_store_n(&recovery.next_fd, fd, __ATOMIC_RELEASE);
        return 1;
    }
    close(fd);
    return 0;
}
