/*
 * program_file.c - the program file facts of program_file.h: the file is
 * mapped and searched, never read into memory of ours.
 */
#include "program_file.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pmtrace_forkserver.h"

int pmc_program_file_read(const char *path, struct pmc_program_file *out)
{
    static const char soname[] = "libpmemobj.so";
    static const char marker[] = PMT_FS_MARKER;
    *out = (struct pmc_program_file){0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || st.st_size <= 0) {
        close(fd);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return -1;
    out->fork_server = memmem(map, size, marker, sizeof(marker) - 1) != NULL;
    out->pmemobj = memmem(map, size, soname, sizeof(soname) - 1) != NULL;
    munmap(map, size);
    return 0;
}
