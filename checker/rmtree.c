/*
 * rmtree.c - recursive removal (see rmtree.h).
 */
#include "rmtree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Directories deeper than this below the top are moved up to it. */
#define MAX_DEPTH 32

struct removal {
    int top;          /* the tree's root directory */
    unsigned hoisted; /* names given to directories moved to the top */
    bool again;       /* something was moved up: go over the top again */
    int first_errno;
};

static void failed(struct removal *rm)
{
    if (rm->first_errno == 0)
        rm->first_errno = errno;
}

static int open_dir(int parent, const char *name)
{
    int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = openat(parent, name, flags);
    if (fd < 0 && errno == EACCES && fchmodat(parent, name, S_IRWXU, 0) == 0)
        fd = openat(parent, name, flags);
    return fd;
}

static void remove_dir_at(struct removal *rm, int parent, const char *name,
                          unsigned depth);

/* Remove what directory fd holds (and close fd). */
static void empty_dir(struct removal *rm, int fd, unsigned depth)
{
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        failed(rm);
        close(fd);
        return;
    }
    rewinddir(d); /* fd may be a dup of one read to its end */
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' &&
            (e->d_name[1] == '\0' ||
             (e->d_name[1] == '.' && e->d_name[2] == '\0')))
            continue;
        if (unlinkat(fd, e->d_name, 0) == 0)
            continue;
        /* A directory the recovery made read-only: make it writable. */
        if (errno == EACCES && fchmod(fd, S_IRWXU) == 0 &&
            unlinkat(fd, e->d_name, 0) == 0)
            continue;
        if (errno != EISDIR && errno != EPERM) {
            failed(rm);
            continue;
        }
        remove_dir_at(rm, fd, e->d_name, depth + 1);
    }
    closedir(d);
}

static void remove_dir_at(struct removal *rm, int parent, const char *name,
                          unsigned depth)
{
    if (depth > MAX_DEPTH) {
        char top_name[32];
        snprintf(top_name, sizeof(top_name), ".rmtree-%u", rm->hoisted++);
        if (renameat(parent, name, rm->top, top_name) == 0)
            rm->again = true;
        else
            failed(rm);
        return;
    }
    int fd = open_dir(parent, name);
    if (fd < 0) {
        failed(rm);
        return;
    }
    empty_dir(rm, fd, depth);
    if (unlinkat(parent, name, AT_REMOVEDIR) != 0)
        failed(rm);
}

int pmc_rmtree(const char *path)
{
    struct removal rm = {.top = -1};
    rm.top = open_dir(AT_FDCWD, path);
    if (rm.top < 0)
        return errno == ENOENT ? 0 : -1;
    do {
        rm.again = false;
        int fd = dup(rm.top);
        if (fd < 0) {
            failed(&rm);
            break;
        }
        empty_dir(&rm, fd, 0);
    } while (rm.again);
    close(rm.top);
    if (rmdir(path) != 0)
        failed(&rm);
    if (rm.first_errno != 0) {
        errno = rm.first_errno;
        return -1;
    }
    return 0;
}
