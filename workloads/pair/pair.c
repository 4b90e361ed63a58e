/*
 * pair - a record of two words that must agree, in a file mapped with
 * libpmem, updated with one 16-byte store.
 *
 *   pair POOL update N    set the record to (i, ~i) for i = 1..N
 *   pair POOL verify      exit 1 if the record's words disagree
 *
 * Only an aligned 8-byte store is failure-atomic: a 16-byte store can
 * reach pmem half done. The protocol that makes an update crash-consistent
 * is double buffering: write the record into the slot not in use (one
 * 16-byte store), persist it, then switch `current` to it with one aligned
 * 8-byte store and persist that. A crash leaves `current` naming a slot
 * that was whole when it was named.
 *
 * Built with -DBUG_x, the program has one bug (the fixed twin has none):
 *   BUG_TORN   the record is updated in place: a crash can leave one word
 *              new and the other old (found by `pmcheck crash --torn`)
 * A comment "expect BUG_NAME: rule" marks where pmcheck must report a bug:
 * for crash-recovery-failed the crash point; "crash BUG_NAME: left out"
 * marks the store the failing crash state lacks (here: tears).
 */
#include <emmintrin.h>
#include <libpmem.h>
#include <pmtrace.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_SIZE 4096u
#define PAIR_MAGIC 0x5041495253454754ull /* "PAIRSEGT" */

struct record {
    uint64_t value;
    uint64_t check; /* ~value */
};

struct pair_root {
    uint64_t magic;
    uint64_t current; /* the slot in use: 0 or 1 */
    uint8_t pad[48];  /* the slots start a cache line of their own */
    struct record slots[2];
};

/* One 16-byte store of the whole record. */
static void record_store(struct record *r, uint64_t value)
{
    __m128i words = _mm_set_epi64x((long long)~value, (long long)value);
    _mm_storeu_si128((__m128i *)r, words); /* crash BUG_TORN: left out */
}

static void pair_init(struct pair_root *root)
{
    if (root->magic == PAIR_MAGIC)
        return;
    record_store(&root->slots[0], 0);
    pmem_persist(&root->slots[0], sizeof(root->slots[0]));
    root->current = 0;
    pmem_persist(&root->current, sizeof(root->current));
    root->magic = PAIR_MAGIC;
    pmem_persist(&root->magic, sizeof(root->magic));
}

static void pair_update(struct pair_root *root, uint64_t value)
{
#ifdef BUG_TORN
    struct record *r = &root->slots[root->current];
    record_store(r, value);
    pmem_persist(r, sizeof(*r)); /* expect BUG_TORN: crash-recovery-failed */
#else
    uint64_t next = 1 - root->current;
    record_store(&root->slots[next], value);
    pmem_persist(&root->slots[next], sizeof(root->slots[next]));
    root->current = next;
    pmem_persist(&root->current, sizeof(root->current));
#endif
}

static int pair_verify(const struct pair_root *root)
{
    if (root->magic != PAIR_MAGIC)
        return 0; /* never initialised: an empty pool is consistent */
    if (root->current > 1) {
        fprintf(stderr, "pair: current slot %llu does not exist\n",
                (unsigned long long)root->current);
        return -1;
    }
    const struct record *r = &root->slots[root->current];
    if (r->check != ~r->value) {
        fprintf(stderr, "pair: record torn: value %llu, check %llx\n",
                (unsigned long long)r->value, (unsigned long long)r->check);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: pair POOL update N | pair POOL verify\n");
        return 2;
    }
    size_t mapped_len;
    int is_pmem;
    struct pair_root *root = pmem_map_file(
        argv[1], POOL_SIZE, PMEM_FILE_CREATE, 0644, &mapped_len, &is_pmem);
    if (root == NULL) {
        perror(argv[1]);
        return 2;
    }
    int status = 0;
    if (strcmp(argv[2], "verify") == 0) {
        status = pair_verify(root) == 0 ? 0 : 1;
    } else if (strcmp(argv[2], "update") == 0 && argc == 4) {
        /* What verify validates rather than trusts: a crash may leave
         * either value of these (pmcheck crash --loads). */
        PMT_COMMIT_VAR(&root->magic, sizeof(root->magic));
        PMT_COMMIT_VAR(&root->current, sizeof(root->current));
        pair_init(root);
        long n = atol(argv[3]);
        for (long i = 1; i <= n; i++)
            pair_update(root, (uint64_t)i);
    } else {
        fprintf(stderr, "pair: unknown command %s\n", argv[2]);
        status = 2;
    }
    pmem_unmap(root, mapped_len);
    return status;
}
