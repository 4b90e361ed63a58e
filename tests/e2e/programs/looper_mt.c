/*
 * looper_mt - looper.c in several threads at once, for the robustness
 * tests (test_robust_kill.py) and the fuzz seeds (fuzz/make_seeds.py).
 *
 *   looper_mt POOL THREADS [ITERATIONS [exit|abort]]
 *
 * Thread k owns the cache line of done[k] and a share of the slots; each
 * iteration i stores i and 2i into its next slot, persists them, stores
 * done[k] = i + 1 and persists it: the same seven events per iteration as
 * looper.c. Without ITERATIONS the threads loop until the process is
 * killed; with it they stop there and the program exits normally, or
 * aborts (which leaves each thread's last trace block unsealed).
 */
#include <libpmem.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 8
#define LINE_WORDS 8   /* uint64_t per cache line */
#define SLOTS_AT 4096u /* the slots start after the done lines */

struct looper {
    uint64_t *base;
    size_t len;
    unsigned threads;
    uint64_t iterations; /* 0: forever */
};

struct worker {
    const struct looper *l;
    unsigned k;
};

static void *work(void *arg)
{
    const struct worker *w = arg;
    const struct looper *l = w->l;
    uint64_t *done = &l->base[w->k * LINE_WORDS];
    size_t share = (l->len - SLOTS_AT) / l->threads / sizeof(uint64_t);
    uint64_t *slots = l->base + SLOTS_AT / sizeof(uint64_t) + w->k * share;
    uint64_t nslots = share / 2;
    for (uint64_t i = 0; l->iterations == 0 || i < l->iterations; i++) {
        uint64_t *slot = &slots[2 * (i % nslots)];
        slot[0] = i;
        slot[1] = 2 * i;
        pmem_persist(slot, 16);
        *done = i + 1;
        pmem_persist(done, 8);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5)
        return 2;
    struct looper l = {.threads = (unsigned)atoi(argv[2])};
    if (l.threads < 1 || l.threads > MAX_THREADS)
        return 2;
    if (argc >= 4)
        l.iterations = strtoull(argv[3], NULL, 10);
    int is_pmem;
    l.base = pmem_map_file(argv[1], 1 << 20, PMEM_FILE_CREATE, 0644, &l.len,
                           &is_pmem);
    if (l.base == NULL)
        return 1;
    pthread_t tids[MAX_THREADS];
    struct worker workers[MAX_THREADS];
    for (unsigned k = 0; k < l.threads; k++) {
        workers[k] = (struct worker){&l, k};
        if (pthread_create(&tids[k], NULL, work, &workers[k]) != 0)
            return 1;
    }
    for (unsigned k = 0; k < l.threads; k++)
        pthread_join(tids[k], NULL);
    if (argc == 5 && strcmp(argv[4], "abort") == 0)
        abort();
    pmem_unmap(l.base, l.len);
    return 0;
}
