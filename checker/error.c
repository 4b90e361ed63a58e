/*
 * error.c - filling struct pmc_error.
 */
#include "error.h"

#include <stdio.h>
#include <string.h>

static void error_vset(struct pmc_error *err, const char *fmt, va_list ap)
{
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int pmc_error_set(struct pmc_error *err, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        error_vset(err, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int pmc_error_errno(struct pmc_error *err, int errno_value, const char *fmt,
                    ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        error_vset(err, fmt, ap);
        va_end(ap);
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof(err->msg) - n, ": %s",
                 strerror(errno_value));
    }
    return -1;
}
