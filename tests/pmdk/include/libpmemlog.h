/*
 * libpmemlog.h - the declarations PMDK's pmemlog/obj_pmemlog*.c examples
 * include. Those examples implement libpmemlog's API themselves on top of
 * libpmemobj, so they need only its types and prototypes (as in PMDK
 * 1.12's libpmemlog.h), not the library; written for pmcheck so that the
 * corpus builds with what libpmemobj-dev installs.
 */
#ifndef LIBPMEMLOG_H
#define LIBPMEMLOG_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

typedef struct pmemlog PMEMlogpool;

PMEMlogpool *pmemlog_open(const char *path);
PMEMlogpool *pmemlog_create(const char *path, size_t poolsize, mode_t mode);
void pmemlog_close(PMEMlogpool *plp);
size_t pmemlog_nbyte(PMEMlogpool *plp);
int pmemlog_append(PMEMlogpool *plp, const void *buf, size_t count);
int pmemlog_appendv(PMEMlogpool *plp, const struct iovec *iov, int iovcnt);
long long pmemlog_tell(PMEMlogpool *plp);
void pmemlog_rewind(PMEMlogpool *plp);
void pmemlog_walk(PMEMlogpool *plp, size_t chunksize,
	int (*process_chunk)(const void *buf, size_t len, void *arg),
	void *arg);

#endif /* LIBPMEMLOG_H */
