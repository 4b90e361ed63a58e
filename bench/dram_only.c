/*
 * dram_only - a program that never touches pmem, for the cost of the
 * instrumentation's fast path: every store and load goes through the
 * inline hull test and nothing else.
 *
 *   dram_only N
 *
 * Builds an open-addressing hash table of N keys on the heap, looks every
 * key up twice, and sorts an array of N values: pointer-chasing loads and
 * stores through heap pointers (which the pass cannot prove are DRAM).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct slot {
    uint64_t key;
    uint64_t value;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

static void table_put(struct slot *t, uint64_t mask, uint64_t key,
                      uint64_t value)
{
    for (uint64_t i = mix(key) & mask;; i = (i + 1) & mask) {
        if (t[i].key == 0 || t[i].key == key) {
            t[i].key = key;
            t[i].value = value;
            return;
        }
    }
}

static uint64_t table_get(const struct slot *t, uint64_t mask, uint64_t key)
{
    for (uint64_t i = mix(key) & mask;; i = (i + 1) & mask) {
        if (t[i].key == key)
            return t[i].value;
        if (t[i].key == 0)
            return 0;
    }
}

static void sort(uint64_t *a, uint64_t *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort(a, tmp, h);
    sort(a + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
    while (i < h)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    for (k = 0; k < n; k++)
        a[k] = tmp[k];
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    uint64_t cap = 1;
    while (cap < 2 * n)
        cap <<= 1;
    struct slot *table = calloc(cap, sizeof(*table));
    uint64_t *a = malloc(n * sizeof(*a)), *tmp = malloc(n * sizeof(*tmp));
    if (table == NULL || a == NULL || tmp == NULL)
        return 2;
    for (size_t i = 0; i < n; i++)
        table_put(table, cap - 1, mix(i + 1) | 1, i);
    uint64_t sum = 0;
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < n; i++)
            sum += table_get(table, cap - 1, mix(i + 1) | 1);
    for (size_t i = 0; i < n; i++)
        a[i] = mix(i ^ sum);
    sort(a, tmp, n);
    printf("%llu %llu\n", (unsigned long long)sum, (unsigned long long)a[n / 2]);
    free(table);
    free(a);
    free(tmp);
    return 0;
}
