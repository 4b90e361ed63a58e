/*
 * test_support.h - a scratch directory for the unit tests' files.
 *
 * Each test program makes one directory under $TMPDIR (or /tmp) at start
 * and removes it with its content at the end.
 */
#ifndef TEST_SUPPORT_H
#define TEST_SUPPORT_H

#include <stddef.h>

/* Create the directory; aborts the program when it cannot. */
void test_dir_create(const char *name);
void test_dir_remove(void);
const char *test_dir(void);

/* snprintf that aborts the test program when the text does not fit: a
 * path or an expected output cut short would make a test lie. */
void test_format(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* test_dir()/name; the result stays valid for the next 8 calls. */
const char *test_path(const char *name);

#endif /* TEST_SUPPORT_H */
