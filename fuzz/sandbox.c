/*
 * sandbox.c - the fuzz targets' private working directory (sandbox.h).
 * Its descriptors are process state, as a fuzz target's setup is.
 */
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct {
    char path[PATH_MAX];
    char file[2 * PATH_MAX]; /* sandbox_path's answer */
    int fd;                  /* the sandbox */
    int home_fd;             /* the working directory it was made from */
} sandbox = {.fd = -1, .home_fd = -1};

int sandbox_clear(void)
{
    int fd = dup(sandbox.fd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d == NULL) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    rewinddir(d);
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (unlinkat(sandbox.fd, e->d_name, 0) != 0 && errno != ENOENT)
            rc = -1;
    }
    closedir(d);
    return rc;
}

static void sandbox_remove(void)
{
    if (sandbox.fd < 0)
        return;
    sandbox_clear();
    rmdir(sandbox.path);
}

int sandbox_make(void)
{
    /* In memory when there is /dev/shm: pmcheck's database syncs its
     * writes, which on a disk would make fuzzing crawl. */
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0')
        tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    int n = snprintf(sandbox.path, sizeof(sandbox.path),
                     "%s/pmcheck-fuzz.XXXXXX", tmp);
    if (n < 0 || (size_t)n >= sizeof(sandbox.path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (mkdtemp(sandbox.path) == NULL)
        return -1;
    sandbox.fd = open(sandbox.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    sandbox.home_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sandbox.fd < 0 || sandbox.home_fd < 0) {
        rmdir(sandbox.path);
        return -1;
    }
    atexit(sandbox_remove);
    return 0;
}

int sandbox_write(const char *name, const uint8_t *data, size_t size)
{
    int fd = openat(sandbox.fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                    0644);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    return close(fd);
}

int sandbox_enter(void)
{
    return fchdir(sandbox.fd);
}

int sandbox_leave(void)
{
    return fchdir(sandbox.home_fd);
}

const char *sandbox_path(const char *name)
{
    snprintf(sandbox.file, sizeof(sandbox.file), "%s/%s", sandbox.path, name);
    return sandbox.file;
}
