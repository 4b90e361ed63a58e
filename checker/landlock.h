/*
 * landlock.h - confining where a recovery may write, with Landlock
 * (Linux >= 5.13; no privilege needed).
 *
 * Contract:
 *  - pmc_landlock_prepare() builds, in the runner (where it may allocate),
 *    a ruleset that allows every change - writing, creating, removing,
 *    renaming, truncating - below each of dirs, and writing (and
 *    truncating) each of files, and nothing else: no other file may be
 *    opened for writing, and no other directory changed. Reading and
 *    executing stay free, and so do descriptors already open. A path that
 *    does not exist is left out. Returns the ruleset's descriptor
 *    (O_CLOEXEC), or -1 when the kernel has no Landlock: writes are then
 *    not confined, which is not an error.
 *  - pmc_landlock_enforce() confines the calling process and everything
 *    it starts, for good: no_new_privs (Landlock's condition without
 *    CAP_SYS_ADMIN) and landlock_restrict_self. Async-signal-safe: it is
 *    meant for a fork child before exec. 0, or -1 with errno.
 *  - pmc_landlock_abi() is the kernel's Landlock ABI version (0: none).
 */
#ifndef PMC_LANDLOCK_H
#define PMC_LANDLOCK_H

#include <stddef.h>

int pmc_landlock_prepare(const char *const *dirs, size_t ndirs,
                         const char *const *files, size_t nfiles);

int pmc_landlock_enforce(int ruleset_fd);

int pmc_landlock_abi(void);

#endif /* PMC_LANDLOCK_H */
