/*
 * run_files.h - the files of one runner: its directory, the working
 * directory of its runs, and its image files, mapped into pmcheck so the
 * explorer writes crash states straight into them.
 *
 * Contract:
 *  - pmc_run_files_new() makes <workdir>/pmcheck-runner-XXXXXX, and the
 *    images in a directory of their own on tmpfs (/dev/shm, where an image
 *    costs no disk and behaves like emulated pmem) when there is one, else
 *    in the runner's directory. Each image is a file of its size, zero
 *    filled, mapped MAP_SHARED. Its name is the region's file name with
 *    every character but [A-Za-z0-9._+,@=-] made '_' and, when two
 *    regions share a name, a ".N" suffix: a path can then stand in a
 *    ':'-separated list and, unquoted, in a shell command.
 *  - Changes through the file system (write(2), truncation, a recovery
 *    that opened the image for writing) are told by the file's size and
 *    modification time: pmc_run_files_mark() before a run gives every
 *    image a fixed, past mtime, which any such change replaces with the
 *    current time; pmc_run_files_changed() after the run says whether
 *    image i changed so, and restores its size at once (the mapping would
 *    fault past a shorter file). Stores through a mapping of the file do
 *    not count: the explorer's own go through one, and a recovery's are
 *    either private (fork server) or assumed (plain runs).
 *  - The run directory is made by pmc_run_files_enter() before a run when
 *    it is not there as the runner left it (the run may have removed,
 *    renamed or chmod'ed it), and emptied by pmc_run_files_leave() after:
 *    every run starts in an empty directory, which is the same one while
 *    runs leave it alone. Making and removing a directory on a disk file
 *    system costs milliseconds (ext4's journal); checking that it is
 *    still empty costs two system calls.
 *  - pmc_run_files_zero() makes every image all zeros again.
 *  - pmc_run_files_free() unmaps and removes everything.
 */
#ifndef PMC_RUN_FILES_H
#define PMC_RUN_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "runner.h"

struct pmc_run_image {
    char *name; /* the file's name (sanitized) */
    char *path; /* absolute */
    uint64_t size;
    uint8_t *map; /* MAP_SHARED, size bytes */
    int fd;
};

struct pmc_run_files {
    char *dir;     /* the runner's directory */
    char *run_dir; /* dir/run: each run's working directory */
    int run_fd;    /* run_dir, open; -1: not made */
    dev_t run_dev; /* its identity, to tell it was replaced */
    ino_t run_ino;
    char *image_dir; /* the images' directory: its own, or dir */
    struct pmc_run_image *images;
    size_t count;
};

int pmc_run_files_new(const char *workdir, const struct pmc_runner_image *in,
                      size_t count, struct pmc_run_files **out,
                      struct pmc_error *err);

int pmc_run_files_enter(struct pmc_run_files *f, struct pmc_error *err);

void pmc_run_files_leave(struct pmc_run_files *f);

void pmc_run_files_mark(struct pmc_run_files *f);

bool pmc_run_files_changed(struct pmc_run_files *f, size_t i);

int pmc_run_files_zero(struct pmc_run_files *f, struct pmc_error *err);

void pmc_run_files_free(struct pmc_run_files *f);

#endif /* PMC_RUN_FILES_H */
