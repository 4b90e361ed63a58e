/*
 * pmem_stores - the store-heavy pmem workload of the tracing benchmark.
 *
 *   pmem_stores FILE NSTORES
 *
 * Fills a 64 MiB pool mapped with pmem_map_file with NSTORES 8-byte
 * stores, written back line by line (clwb after each full line) with an
 * sfence per 4 KiB page: the pattern of a log or a bulk initialisation
 * done right. Prints a checksum so the compiler cannot drop the stores.
 */
#include <immintrin.h>
#include <libpmem.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define POOL_SIZE (64u << 20)
#define WORDS_PER_LINE 8
#define WORDS_PER_PAGE 512

__attribute__((target("clwb"))) static uint64_t fill(uint64_t *words,
                                                     uint64_t nstores)
{
    uint64_t nwords = POOL_SIZE / sizeof(uint64_t), sum = 0;
    for (uint64_t i = 0; i < nstores; i++) {
        uint64_t w = i % nwords;
        words[w] = i * 0x9e3779b97f4a7c15ull;
        sum += words[w];
        if (w % WORDS_PER_LINE == WORDS_PER_LINE - 1)
            _mm_clwb(&words[w]);
        if (w % WORDS_PER_PAGE == WORDS_PER_PAGE - 1)
            _mm_sfence();
    }
    _mm_sfence();
    return sum;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: pmem_stores FILE NSTORES\n");
        return 2;
    }
    size_t mapped;
    int is_pmem;
    uint64_t *words = pmem_map_file(argv[1], POOL_SIZE, PMEM_FILE_CREATE,
                                    0644, &mapped, &is_pmem);
    if (words == NULL) {
        perror(argv[1]);
        return 2;
    }
    uint64_t sum = fill(words, strtoull(argv[2], NULL, 10));
    printf("%llu\n", (unsigned long long)sum);
    pmem_unmap(words, mapped);
    return 0;
}
