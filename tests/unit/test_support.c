/*
 * test_support.c - the unit tests' scratch directory (see test_support.h).
 * A test program is one process: its directory is a plain static.
 */
#include "test_support.h"

#include <ftw.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char scratch[PATH_MAX];

void test_dir_create(const char *name)
{
    const char *tmp = getenv("TMPDIR");
    test_format(scratch, sizeof(scratch), "%s/pmcheck-%s-XXXXXX",
                tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", name);
    if (mkdtemp(scratch) == NULL) {
        perror(scratch);
        abort();
    }
}

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void test_dir_remove(void)
{
    if (scratch[0] != '\0')
        nftw(scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *test_dir(void)
{
    return scratch;
}

void test_format(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "test_format: '%s' does not fit in %zu bytes\n", fmt,
                size);
        abort();
    }
}

const char *test_path(const char *name)
{
    static char ring[8][PATH_MAX];
    static unsigned next;
    char *p = ring[next++ % 8];
    test_format(p, PATH_MAX, "%s/%s", scratch, name);
    return p;
}
