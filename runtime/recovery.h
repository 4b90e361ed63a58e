/*
 * recovery.h - what the runtime does when pmcheck runs the program as a
 * recovery on crash images (pmtrace_forkserver.h, checker/runner.h): serve
 * runs from its first constructor, keep the images out of reach of the
 * recovery's writes, and inject the run's faults.
 *
 * Contract:
 *  - pmt_recovery_init() is the first thing runtime init does. With
 *    PMCHECK_FORKSERVER set (and the process still single-threaded and
 *    childless) it becomes the fork server and returns only in each run's
 *    child, whose environment then is the run's. Then it reads, in the
 *    process that goes on, the image list (PMCHECK_IMAGES) and the run's
 *    faults (PMCHECK_POISON, PMCHECK_FAIL_ALLOC). A fork server reads the
 *    image list once, before its first fork.
 *  - The image table is immutable once read; the queries below are lock
 *    free and cost one load when there are no images.
 *  - pmtrace_recovery_next (pmtrace.h, defined in recovery.c) is persistent
 *    mode's side in the run's process: pmt_fs_next_run on the socket the
 *    server gave the run, while the process is alone.
 */
#ifndef PMT_RECOVERY_H
#define PMT_RECOVERY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

void pmt_recovery_init(void);

/* Is there any image to protect? */
bool pmt_recovery_images(void);

/* The index of the image fd refers to (same device and inode), or -1;
 * *size is the file's size then. */
int pmt_recovery_image_of_fd(int fd, off_t *size);

/* PMCHECK_POISON: the poisoned byte offset of image 0, or UINT64_MAX. */
uint64_t pmt_recovery_poison_offset(void);

/* PMCHECK_FAIL_ALLOC: the allocation to fail (1-based), or 0. */
uint32_t pmt_recovery_fail_alloc(void);

#endif /* PMT_RECOVERY_H */
