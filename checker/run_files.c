/*
 * run_files.c - a runner's directories and image files (see run_files.h).
 */
#include "run_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rmtree.h"

/* The mtime an image has while nothing changed it: one second after the
 * epoch, a time no write can give a file. */
static const struct timespec unchanged_mtime = {1, 0};

static char *join(const char *dir, const char *name)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, name) < 0)
        return NULL;
    return path;
}

/* A fresh directory named prefix-XXXXXX under base; NULL with err set. */
static char *make_dir(const char *base, const char *prefix,
                      struct pmc_error *err)
{
    char *tmpl = NULL;
    if (asprintf(&tmpl, "%s/%s-XXXXXX", base, prefix) < 0) {
        pmc_error_set(err, "out of memory");
        return NULL;
    }
    if (mkdtemp(tmpl) == NULL) {
        pmc_error_errno(err, errno, "cannot make a directory in %s", base);
        free(tmpl);
        return NULL;
    }
    return tmpl;
}

/* Is /dev/shm a directory pmcheck may make files in? */
static bool have_tmpfs(void)
{
    struct stat st;
    return stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
           access("/dev/shm", W_OK | X_OK) == 0;
}

/* The file name of image i: the region's base name, sanitized, and
 * suffixed when an earlier image has it already. */
static char *image_name(const struct pmc_run_files *f, const char *region,
                        size_t i)
{
    const char *base = strrchr(region, '/');
    base = base != NULL && base[1] != '\0' ? base + 1 : region;
    char *name = NULL;
    if (asprintf(&name, "%s", base[0] != '\0' ? base : "image") < 0)
        return NULL;
    for (char *c = name; *c != '\0'; c++)
        if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789._+,@=-",
                   *c) == NULL)
            *c = '_';
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        name[0] = '_';
    for (size_t j = 0; j < i; j++) {
        if (strcmp(f->images[j].name, name) == 0) {
            char *unique = NULL;
            if (asprintf(&unique, "%s.%zu", name, i) < 0)
                unique = NULL;
            free(name);
            return unique;
        }
    }
    return name;
}

static int make_image(struct pmc_run_files *f, size_t i,
                      const struct pmc_runner_image *in, struct pmc_error *err)
{
    struct pmc_run_image *im = &f->images[i];
    im->fd = -1;
    if (in->size == 0)
        return pmc_error_set(err, "image %s: size 0", in->name);
    im->name = image_name(f, in->name, i);
    im->path = im->name != NULL ? join(f->image_dir, im->name) : NULL;
    if (im->path == NULL)
        return pmc_error_set(err, "out of memory");
    im->size = in->size;
    im->fd = open(im->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (im->fd < 0 || ftruncate(im->fd, (off_t)in->size) != 0)
        return pmc_error_errno(err, errno, "%s: cannot make the image",
                               im->path);
    void *map =
        mmap(NULL, in->size, PROT_READ | PROT_WRITE, MAP_SHARED, im->fd, 0);
    if (map == MAP_FAILED)
        return pmc_error_errno(err, errno, "%s: cannot map the image",
                               im->path);
    im->map = map;
    return 0;
}

int pmc_run_files_new(const char *workdir, const struct pmc_runner_image *in,
                      size_t count, struct pmc_run_files **out,
                      struct pmc_error *err)
{
    struct pmc_run_files *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return pmc_error_set(err, "out of memory");
    f->run_fd = -1;
    f->dir = make_dir(workdir, "pmcheck-runner", err);
    if (f->dir == NULL)
        goto fail;
    f->run_dir = join(f->dir, "run");
    if (f->run_dir == NULL) {
        pmc_error_set(err, "out of memory");
        goto fail;
    }
    if (have_tmpfs()) {
        f->image_dir = make_dir("/dev/shm", "pmcheck-images", err);
        if (f->image_dir == NULL)
            goto fail;
    } else if ((f->image_dir = strdup(f->dir)) == NULL) {
        pmc_error_set(err, "out of memory");
        goto fail;
    }
    f->images = calloc(count ? count : 1, sizeof(*f->images));
    if (f->images == NULL) {
        pmc_error_set(err, "out of memory");
        goto fail;
    }
    for (; f->count < count; f->count++)
        if (make_image(f, f->count, &in[f->count], err) != 0) {
            f->count++; /* free what it made */
            goto fail;
        }
    pmc_run_files_mark(f);
    *out = f;
    return 0;
fail:
    pmc_run_files_free(f);
    return -1;
}

/* Is the run directory there as the runner left it: its own inode, mode
 * 0700? */
static bool run_dir_intact(const struct pmc_run_files *f)
{
    struct stat st;
    return f->run_fd >= 0 && lstat(f->run_dir, &st) == 0 &&
           S_ISDIR(st.st_mode) && st.st_dev == f->run_dev &&
           st.st_ino == f->run_ino && (st.st_mode & 07777) == 0700;
}

int pmc_run_files_enter(struct pmc_run_files *f, struct pmc_error *err)
{
    if (run_dir_intact(f))
        return 0;
    if (f->run_fd >= 0)
        close(f->run_fd);
    f->run_fd = -1;
    struct stat st;
    if (pmc_rmtree(f->run_dir) != 0 || mkdir(f->run_dir, 0700) != 0 ||
        (f->run_fd = open(f->run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) <
            0 ||
        fstat(f->run_fd, &st) != 0)
        return pmc_error_errno(err, errno, "%s", f->run_dir);
    f->run_dev = st.st_dev;
    f->run_ino = st.st_ino;
    return 0;
}

/* Does the open directory hold nothing but . and ..? */
static bool dir_empty(int fd)
{
    char buf[1024];
    if (lseek(fd, 0, SEEK_SET) != 0)
        return false;
    ssize_t n = getdents64(fd, buf, sizeof(buf));
    for (ssize_t at = 0; n > 0 && at < n;) {
        const struct dirent64 *e = (const struct dirent64 *)(buf + at);
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            return false;
        at += e->d_reclen;
    }
    return n >= 0;
}

void pmc_run_files_leave(struct pmc_run_files *f)
{
    if (run_dir_intact(f) && dir_empty(f->run_fd))
        return;
    /* Left something (or changed the directory): it all goes, and the
     * next run gets a new one. */
    if (f->run_fd >= 0)
        close(f->run_fd);
    f->run_fd = -1;
    pmc_rmtree(f->run_dir);
}

void pmc_run_files_mark(struct pmc_run_files *f)
{
    const struct timespec times[2] = {unchanged_mtime, unchanged_mtime};
    for (size_t i = 0; i < f->count; i++) {
        struct stat st;
        if (fstat(f->images[i].fd, &st) != 0 ||
            st.st_mtim.tv_sec != unchanged_mtime.tv_sec ||
            st.st_mtim.tv_nsec != unchanged_mtime.tv_nsec)
            futimens(f->images[i].fd, times);
    }
}

bool pmc_run_files_changed(struct pmc_run_files *f, size_t i)
{
    struct pmc_run_image *im = &f->images[i];
    struct stat st;
    if (fstat(im->fd, &st) != 0)
        return true;
    if ((uint64_t)st.st_size != im->size)
        ftruncate(im->fd, (off_t)im->size);
    return (uint64_t)st.st_size != im->size ||
           st.st_mtim.tv_sec != unchanged_mtime.tv_sec ||
           st.st_mtim.tv_nsec != unchanged_mtime.tv_nsec;
}

int pmc_run_files_zero(struct pmc_run_files *f, struct pmc_error *err)
{
    /* Cutting a file to nothing and back drops its pages: cheaper than
     * writing zeros, and the mapping stays valid. */
    for (size_t i = 0; i < f->count; i++) {
        struct pmc_run_image *im = &f->images[i];
        if (ftruncate(im->fd, 0) != 0 ||
            ftruncate(im->fd, (off_t)im->size) != 0)
            return pmc_error_errno(err, errno, "%s: cannot clear the image",
                                   im->path);
    }
    pmc_run_files_mark(f);
    return 0;
}

void pmc_run_files_free(struct pmc_run_files *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->count; i++) {
        struct pmc_run_image *im = &f->images[i];
        if (im->map != NULL)
            munmap(im->map, im->size);
        if (im->fd >= 0)
            close(im->fd);
        if (im->path != NULL)
            unlink(im->path);
        free(im->name);
        free(im->path);
    }
    free(f->images);
    if (f->run_fd >= 0)
        close(f->run_fd);
    if (f->image_dir != NULL && f->dir != NULL &&
        strcmp(f->image_dir, f->dir) != 0)
        pmc_rmtree(f->image_dir);
    if (f->dir != NULL)
        pmc_rmtree(f->dir);
    free(f->image_dir);
    free(f->run_dir);
    free(f->dir);
    free(f);
}
