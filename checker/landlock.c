/*
 * landlock.c - the write confinement of recovery runs (see landlock.h).
 *
 * glibc 2.36 has no wrappers for the Landlock system calls: they are made
 * with syscall(2). The rights handled grow with the kernel's ABI version
 * (REFER from 2, TRUNCATE from 3), so an older kernel enforces what it
 * knows.
 */
#include "landlock.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3, Linux 6.2 */
#endif

int pmc_landlock_abi(void)
{
#ifdef SYS_landlock_create_ruleset
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
                       LANDLOCK_CREATE_RULESET_VERSION);
    return abi > 0 ? (int)abi : 0;
#else
    return 0;
#endif
}

/* The rights that change the file system, as far as this kernel knows. */
static uint64_t write_rights(int abi)
{
    uint64_t rights =
        LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
        LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
        LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
        LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
        LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
    if (abi >= 2)
        rights |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        rights |= LANDLOCK_ACCESS_FS_TRUNCATE;
    return rights;
}

#ifdef SYS_landlock_create_ruleset
static void allow(int ruleset, const char *path, uint64_t rights)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return;
    struct landlock_path_beneath_attr rule = {
        .allowed_access = rights,
        .parent_fd = fd,
    };
    syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule,
            0);
    close(fd);
}
#endif

int pmc_landlock_prepare(const char *const *dirs, size_t ndirs,
                         const char *const *files, size_t nfiles)
{
#ifdef SYS_landlock_create_ruleset
    int abi = pmc_landlock_abi();
    if (abi == 0)
        return -1;
    uint64_t rights = write_rights(abi);
    struct landlock_ruleset_attr attr = {.handled_access_fs = rights};
    int ruleset =
        (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
    if (ruleset < 0)
        return -1;
    fcntl(ruleset, F_SETFD, FD_CLOEXEC);
    for (size_t i = 0; i < ndirs; i++)
        allow(ruleset, dirs[i], rights);
    uint64_t file_rights =
        rights & (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE);
    for (size_t i = 0; i < nfiles; i++)
        allow(ruleset, files[i], file_rights);
    return ruleset;
#else
    (void)dirs;
    (void)ndirs;
    (void)files;
    (void)nfiles;
    return -1;
#endif
}

int pmc_landlock_enforce(int ruleset_fd)
{
#ifdef SYS_landlock_restrict_self
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -1;
    return (int)syscall(SYS_landlock_restrict_self, ruleset_fd, 0);
#else
    (void)ruleset_fd;
    return -1;
#endif
}
