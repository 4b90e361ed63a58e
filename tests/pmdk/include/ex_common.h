/*
 * ex_common.h - what PMDK's example programs take from PMDK's source tree
 * (src/examples/ex_common.h), which Debian's libpmemobj-dev does not ship.
 * Written for pmcheck from what the examples use; only Linux is needed.
 */
#ifndef EX_COMMON_H
#define EX_COMMON_H

#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

/* mode of the pools the examples create */
#define CREATE_MODE_RW (S_IWUSR | S_IRUSR)

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

/* 0 when the file exists (access(2)'s convention, which callers test). */
static inline int
file_exists(char const *file)
{
	return access(file, F_OK);
}

/* Index of the most significant set bit of a non-zero value. */
static inline unsigned
find_last_set_64(uint64_t val)
{
	return 63u - (unsigned)__builtin_clzll(val);
}

#endif /* EX_COMMON_H */
