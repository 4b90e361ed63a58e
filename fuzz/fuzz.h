/*
 * fuzz.h - what the fuzz targets share: libFuzzer's entry points and how a
 * target says that pmcheck broke a promise.
 *
 * A target is built twice over (fuzz/meson.build): with libFuzzer when the
 * build is sanitized and the compiler has it, and always with
 * replay_main.c, which runs given inputs once each, so the seed corpus is a
 * regression test in every build. A target crashes (abort) only when
 * pmcheck does something its contract forbids; bad input itself is never
 * a finding.
 */
#ifndef PMC_FUZZ_H
#define PMC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* libFuzzer's interface (https://llvm.org/docs/LibFuzzer.html). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* tools/pmcheck.c's main(), which fuzz/meson.build compiles renamed for
 * fuzz_cli (and force-includes this header, so it has a prototype). */
int pmcheck_main(int argc, char **argv);

/* A broken promise: say which, then crash so the fuzzer keeps the input. */
#define FUZZ_ASSERT(cond, ...)                                                 \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: broken promise: ", __FILE__, __LINE__);    \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            abort();                                                           \
        }                                                                      \
    } while (0)

#endif /* PMC_FUZZ_H */
