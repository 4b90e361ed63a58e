/*
 * libpmemblk.h - the declarations PMDK's pmemblk/obj_pmemblk.c example
 * includes. The example implements libpmemblk's API itself on top of
 * libpmemobj, so it needs only its types and prototypes (as in PMDK 1.12's
 * libpmemblk.h), not the library; written for pmcheck so that the corpus
 * builds with what libpmemobj-dev installs.
 */
#ifndef LIBPMEMBLK_H
#define LIBPMEMBLK_H

#include <stddef.h>
#include <sys/types.h>

typedef struct pmemblk PMEMblkpool;

PMEMblkpool *pmemblk_open(const char *path, size_t bsize);
PMEMblkpool *pmemblk_create(const char *path, size_t bsize, size_t poolsize,
	mode_t mode);
void pmemblk_close(PMEMblkpool *pbp);
int pmemblk_check(const char *path, size_t bsize);
size_t pmemblk_bsize(PMEMblkpool *pbp);
size_t pmemblk_nblock(PMEMblkpool *pbp);
int pmemblk_read(PMEMblkpool *pbp, void *buf, long long blockno);
int pmemblk_write(PMEMblkpool *pbp, const void *buf, long long blockno);
int pmemblk_set_zero(PMEMblkpool *pbp, long long blockno);
int pmemblk_set_error(PMEMblkpool *pbp, long long blockno);

#endif /* LIBPMEMBLK_H */
