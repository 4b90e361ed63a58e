/*
 * loop_loads - loops over a pmem array whose loads the pass versions
 * (LoopVersions.h): a copy of each loop without load tests runs when the
 * run does not trace loads, the original when it does.
 *
 *   loop_loads POOL
 *
 * Prints the results of each loop, so the test can tell a copy that
 * computes the wrong thing (a phi at an exit wired to the wrong loop) from a
 * right one; the copy's output is also left in the pool.
 */
#include <libpmem.h>
#include <stdint.h>
#include <stdio.h>

#define WORDS 40

/* WORDS, hidden from the optimiser: with a known count it would unroll the
 * loops away. */
static volatile size_t words = WORDS;

/* One exit, a value carried out of the loop. */
__attribute__((noinline)) static uint64_t sum(const uint64_t *a, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i];
    return s;
}

/* Two exits, each with its own value. */
__attribute__((noinline)) static long find(const uint64_t *a, size_t n,
                                           uint64_t key)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] == key)
            return (long)i;
    return -1;
}

/* Loads and stores in one loop. */
__attribute__((noinline)) static void twice(uint64_t *dst, const uint64_t *src,
                                            size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = 2 * src[i];
}

int main(int argc, char **argv)
{
    size_t len;
    int is_pmem;
    if (argc != 2)
        return 2;
    size_t n = words;
    uint64_t *p = pmem_map_file(argv[1], 4096, PMEM_FILE_CREATE, 0644, &len,
                                &is_pmem);
    if (p == NULL)
        return 1;
    for (size_t i = 0; i < n; i++)
        p[i] = 3 * i + 1;
    printf("sum %llu\n", (unsigned long long)sum(p, n));
    printf("find %ld %ld\n", find(p, n, 3 * 5 + 1), find(p, n, 2));
    twice(p + n, p, n);
    pmem_persist(p, 2 * n * sizeof(*p));
    pmem_unmap(p, len);
    return 0;
}
