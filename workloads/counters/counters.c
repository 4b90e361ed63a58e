/*
 * counters - an array of persistent counters in a file mapped with mmap,
 * made durable with the x86 instructions themselves (clwb, sfence).
 *
 *   counters FILE ROUNDS    each round increments every counter once
 *   counters FILE verify    all counters must be equal; exit 1 if not
 *
 * Run it under `pmcheck run --pmem FILE` (or --pmem DIR): the file is
 * mapped with plain mmap, so pmcheck learns it is pmem from the command.
 *
 * Each round increments all counters, writes back each cache line once with
 * clwb, and ends with one sfence: the cheapest correct way. (A crash in a
 * round may leave some counters one ahead: verify allows a difference of 1.)
 *
 * Built with -DBUG_x, the program has one bug (the fixed twin has none):
 *   BUG_NO_FENCE       the sfence is missing: the write-backs are never
 *                      ordered before exit (missing-fence)
 *   BUG_FLUSH_EACH     clwb per counter rather than per line: seven of
 *                      every eight are redundant (redundant-flush)
 *   BUG_DOUBLE_FENCE   a second sfence with nothing to order
 *                      (redundant-fence)
 *   BUG_FLUSH_DRAM     also flushes the DRAM scratch copy (flush-non-pmem)
 * A comment "expect BUG_NAME: rule" marks where pmcheck must report a bug,
 * "expect(adr) BUG_NAME: rule" one that is a bug only under --model adr.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <immintrin.h>
#include <pmtrace.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NCOUNTERS 64
#define CACHELINE 64
#define PER_LINE (CACHELINE / sizeof(uint64_t))

struct counters {
    uint64_t value[NCOUNTERS];
};

__attribute__((target("clwb"))) static void
counters_round(struct counters *c, uint64_t *scratch)
{
    for (int i = 0; i < NCOUNTERS; i++) {
        c->value[i]++; /* expect(adr) BUG_NO_FENCE: missing-fence */
        scratch[i] = c->value[i];
    }
#ifdef BUG_FLUSH_EACH
    for (int i = 0; i < NCOUNTERS; i++)
        _mm_clwb(&c->value[i]); /* expect BUG_FLUSH_EACH: redundant-flush */
#else
    for (int i = 0; i < NCOUNTERS; i += PER_LINE)
        _mm_clwb(&c->value[i]);
#endif
#ifdef BUG_FLUSH_DRAM
    for (int i = 0; i < NCOUNTERS; i += PER_LINE)
        _mm_clwb(&scratch[i]); /* expect BUG_FLUSH_DRAM: flush-non-pmem */
#endif
#ifndef BUG_NO_FENCE
    _mm_sfence();
#endif
#ifdef BUG_DOUBLE_FENCE
    _mm_sfence(); /* expect BUG_DOUBLE_FENCE: redundant-fence */
#endif
}

static int counters_verify(const struct counters *c)
{
    for (int i = 1; i < NCOUNTERS; i++) {
        uint64_t a = c->value[0], b = c->value[i];
        if (a > b + 1 || b > a + 1) {
            fprintf(stderr, "counters: counter %d is %llu, counter 0 is %llu\n",
                    i, (unsigned long long)b, (unsigned long long)a);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: counters FILE ROUNDS | counters FILE verify\n");
        return 2;
    }
    int fd = open(argv[1], O_RDWR | O_CREAT, 0644);
    if (fd < 0 || ftruncate(fd, sizeof(struct counters)) != 0) {
        perror(argv[1]);
        return 2;
    }
    struct counters *c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
                              MAP_SHARED, fd, 0);
    if (c == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    close(fd);
    int status = 0;
    if (strcmp(argv[2], "verify") == 0) {
        status = counters_verify(c) == 0 ? 0 : 1;
    } else {
        static uint64_t scratch[NCOUNTERS]; /* DRAM */
        uint64_t *dram = scratch;
        long rounds = atol(argv[2]);
        /* verify lets each counter be one round behind: a crash may leave
         * either value of each (pmcheck crash --loads). */
        PMT_COMMIT_VAR(c->value, sizeof(c->value));
        for (long r = 0; r < rounds; r++)
            counters_round(c, dram);
    }
    munmap(c, sizeof(*c));
    return status;
}
