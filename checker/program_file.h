/*
 * program_file.h - what the runner learns from a recovery program's file
 * before it starts it: whether it was built with pmcc (it holds the fork
 * server's marker, PMT_FS_MARKER: its runs can be forks of a server) and
 * whether it names libpmemobj's shared object (its runs want
 * malloc_tunables.h's settings). One read of the file answers both.
 *
 * Contract: pmc_program_file_read() returns 0 and fills *out, or -1 when
 * the file cannot be read or is empty (*out all false then).
 */
#ifndef PMC_PROGRAM_FILE_H
#define PMC_PROGRAM_FILE_H

#include <stdbool.h>

struct pmc_program_file {
    bool fork_server; /* holds PMT_FS_MARKER */
    bool pmemobj;     /* names libpmemobj.so */
};

int pmc_program_file_read(const char *path, struct pmc_program_file *out);

#endif /* PMC_PROGRAM_FILE_H */
