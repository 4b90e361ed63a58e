/*
 * looper - stores to pmem until killed: each iteration writes a counter
 * and its double into the next slot, persists them, and bumps `done`.
 * The SIGKILL test kills it at random instants and reads the trace back.
 */
#include <libpmem.h>
#include <stddef.h>
#include <stdint.h>

int main(int argc, char **argv)
{
    size_t len;
    int is_pmem;
    if (argc != 2)
        return 2;
    uint64_t *p = pmem_map_file(argv[1], 1 << 20, PMEM_FILE_CREATE, 0644,
                                &len, &is_pmem);
    if (p == NULL)
        return 1;
    uint64_t slots = len / sizeof(uint64_t) / 2 - 1;
    for (uint64_t i = 0;; i++) {
        uint64_t *slot = &p[2 + 2 * (i % slots)];
        slot[0] = i;
        slot[1] = 2 * i;
        pmem_persist(slot, 16);
        p[0] = i + 1;
        pmem_persist(&p[0], 8);
    }
}
