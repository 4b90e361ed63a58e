/*
 * error.h - how libpmcheck reports a failure to its caller.
 *
 * Libraries return errors, only tools print them. A function that can fail
 * takes a `struct pmc_error *` last and returns -1 (or NULL) after filling
 * it with one line that says WHAT went wrong and WHERE (a file, a byte
 * offset, a command), e.g.
 *     "trace.pmt: byte 69664: block checksum mismatch (thread 1, block 2)"
 * Tools print it as `pmcheck: error: <msg>`. The error may be NULL when the
 * caller does not care why.
 */
#ifndef PMC_ERROR_H
#define PMC_ERROR_H

#include <stdarg.h>

struct pmc_error {
    char msg[1024];
};

/* Fill err (if not NULL) from a printf format; always returns -1. */
int pmc_error_set(struct pmc_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The same, with ": strerror(errno_value)" appended. Returns -1. */
int pmc_error_errno(struct pmc_error *err, int errno_value, const char *fmt,
                    ...) __attribute__((format(printf, 3, 4)));

#endif /* PMC_ERROR_H */
