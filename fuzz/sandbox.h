/*
 * sandbox.h - a private working directory for a fuzz target that runs
 * pmcheck's command line, so whatever file names an input makes up
 * (databases, reports, baselines) land there and nowhere else.
 *
 * sandbox_make() makes the directory under $TMPDIR (or /dev/shm, or
 * /tmp) and removes it at exit. sandbox_clear() empties it between
 * inputs, so one input never sees another's files; sandbox_write() puts a
 * file there. The
 * target runs pmcheck between sandbox_enter() and sandbox_leave(), which
 * change the working directory there and back: the fuzzer's own relative
 * paths (corpus, artifacts) keep meaning what they meant.
 */
#ifndef PMC_FUZZ_SANDBOX_H
#define PMC_FUZZ_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

/* All return 0, or -1 with errno set. Names must not contain '/'. */
int sandbox_make(void);
int sandbox_clear(void);
int sandbox_write(const char *name, const uint8_t *data, size_t size);
int sandbox_enter(void);
int sandbox_leave(void);

/* The absolute path of file `name` in the sandbox (a static buffer). */
const char *sandbox_path(const char *name);

#endif /* PMC_FUZZ_SANDBOX_H */
