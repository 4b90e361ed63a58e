/*
 * kvtx - a hash map from keys to values in a libpmemobj pool, changed only
 * inside transactions.
 *
 *   kvtx POOL put N       insert keys 1..N (value 3 * key), one
 *                         transaction per key
 *   kvtx POOL del K...    delete keys, one transaction each
 *   kvtx POOL churn N     put N, then delete every third key
 *   kvtx POOL verify      check the map; exit 1 if it is damaged
 *
 * Layout: the root holds a count, a generation (changes made so far) and
 * the heads of NBUCKETS chains of nodes. Every change runs in one
 * transaction that adds what it changes to the undo log before changing
 * it; new nodes are allocated in the transaction, so their stores need no
 * add. A crash or an abort leaves the map as before or after the change.
 *
 * Built with -DBUG_x, the program has one bug (the fixed twin has none):
 *   BUG_UNLOGGED          the generation is changed without being added to
 *                         the transaction: an abort or a crash in the
 *                         transaction keeps the new value (which verify
 *                         accepts: generation only has to be at least
 *                         the count, so pmcheck crash cannot fail it)
 *   BUG_STORE_BEFORE_ADD  the bucket head is stored before it is added: the
 *                         snapshot holds the new value, so the rollback
 *                         restores nothing; under pmcheck crash, a crash
 *                         before the add's write (a crash point in that
 *                         libpmemobj call) or in the transaction leaves
 *                         the head on a node the rollback frees
 *   BUG_ADD_TWICE         the count is added twice (wasted undo log)
 * A comment "expect BUG_NAME: rule" marks where pmcheck must report a bug.
 */
#include <libpmemobj.h>
#include <pmtrace.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NBUCKETS 16

POBJ_LAYOUT_BEGIN(kvtx);
POBJ_LAYOUT_ROOT(kvtx, struct root);
POBJ_LAYOUT_TOID(kvtx, struct node);
POBJ_LAYOUT_END(kvtx);

struct node {
    uint64_t key;
    uint64_t value;
    TOID(struct node) next;
};

struct root {
    uint64_t count;      /* nodes in the map */
    uint64_t generation; /* changes made so far */
    TOID(struct node) buckets[NBUCKETS];
};

static unsigned bucket_of(uint64_t key)
{
    return (unsigned)(key * 0x9e3779b97f4a7c15ull >> 60);
}

static int put(PMEMobjpool *pop, TOID(struct root) root, uint64_t key)
{
    unsigned b = bucket_of(key);
    int status = 0;
    TX_BEGIN(pop)
    {
        TOID(struct node) n = TX_NEW(struct node);
        D_RW(n)->key = key; /* crash BUG_STORE_BEFORE_ADD: left out */
        D_RW(n)->value = 3 * key; /* crash BUG_STORE_BEFORE_ADD: left out */
        D_RW(n)->next = D_RO(root)->buckets[b]; /* crash BUG_STORE_BEFORE_ADD: left out */
#ifdef BUG_STORE_BEFORE_ADD
        D_RW(root)->buckets[b] =
            n; /* expect BUG_STORE_BEFORE_ADD: tx-unlogged-store; crash BUG_STORE_BEFORE_ADD: kept in */
        TX_ADD_FIELD(root, buckets[b]); /* expect BUG_STORE_BEFORE_ADD: crash-recovery-failed */
#else
        TX_ADD_FIELD(root, buckets[b]);
        D_RW(root)->buckets[b] = n;
#endif
        TX_ADD_FIELD(root, count);
        D_RW(root)->count++;
#ifdef BUG_ADD_TWICE
        TX_ADD_FIELD(root, count); /* expect BUG_ADD_TWICE: tx-redundant-add */
#endif
#ifndef BUG_UNLOGGED
        TX_ADD_FIELD(root, generation);
#endif
        D_RW(root)->generation++; /* expect BUG_UNLOGGED: tx-unlogged-store */
        /* A crash here, every store of the transaction live: the next
         * pmemobj_open rolls them back (pmcheck crash, with --loads too). */
        PMT_CRASH_POINT(); /* expect BUG_STORE_BEFORE_ADD: crash-recovery-failed */
    }
    TX_ONABORT
    {
        status = -1;
    }
    TX_END
    return status;
}

static int del(PMEMobjpool *pop, TOID(struct root) root, uint64_t key)
{
    unsigned b = bucket_of(key);
    TOID(struct node) prev = TOID_NULL(struct node);
    TOID(struct node) n = D_RO(root)->buckets[b];
    while (!TOID_IS_NULL(n) && D_RO(n)->key != key) {
        prev = n;
        n = D_RO(n)->next;
    }
    if (TOID_IS_NULL(n))
        return 1;
    int status = 0;
    TX_BEGIN(pop)
    {
        if (TOID_IS_NULL(prev)) {
            TX_ADD_FIELD(root, buckets[b]);
            D_RW(root)->buckets[b] = D_RO(n)->next;
        } else {
            TX_ADD_FIELD(prev, next);
            D_RW(prev)->next = D_RO(n)->next;
        }
        TX_ADD_FIELD(root, count);
        D_RW(root)->count--;
        TX_ADD_FIELD(root, generation);
        D_RW(root)->generation++;
        TX_FREE(n);
    }
    TX_ONABORT
    {
        status = -1;
    }
    TX_END
    return status;
}

static int verify(TOID(struct root) root)
{
    uint64_t nodes = 0;
    for (unsigned b = 0; b < NBUCKETS; b++) {
        for (TOID(struct node) n = D_RO(root)->buckets[b]; !TOID_IS_NULL(n);
             n = D_RO(n)->next) {
            if (bucket_of(D_RO(n)->key) != b ||
                D_RO(n)->value != 3 * D_RO(n)->key) {
                fprintf(stderr, "kvtx: node of key %llu is damaged\n",
                        (unsigned long long)D_RO(n)->key);
                return -1;
            }
            nodes++;
        }
    }
    if (nodes != D_RO(root)->count || D_RO(root)->generation < nodes) {
        fprintf(stderr, "kvtx: %llu nodes, count %llu, generation %llu\n",
                (unsigned long long)nodes,
                (unsigned long long)D_RO(root)->count,
                (unsigned long long)D_RO(root)->generation);
        return -1;
    }
    return 0;
}

static PMEMobjpool *pool_open(const char *path)
{
    if (access(path, F_OK) != 0)
        return pmemobj_create(path, POBJ_LAYOUT_NAME(kvtx), PMEMOBJ_MIN_POOL,
                              0644);
    return pmemobj_open(path, POBJ_LAYOUT_NAME(kvtx));
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr,
                "usage: kvtx POOL put N | del K... | churn N | verify\n");
        return 2;
    }
    PMEMobjpool *pop = pool_open(argv[1]);
    if (pop == NULL) {
        fprintf(stderr, "kvtx: %s: %s\n", argv[1], pmemobj_errormsg());
        return 2;
    }
    TOID(struct root) root = POBJ_ROOT(pop, struct root);
    int status = 0;
    if (strcmp(argv[2], "verify") == 0) {
        status = verify(root) == 0 ? 0 : 1;
    } else if ((strcmp(argv[2], "put") == 0 || strcmp(argv[2], "churn") == 0) &&
               argc == 4) {
        uint64_t n = strtoull(argv[3], NULL, 10);
        for (uint64_t k = 1; k <= n && status == 0; k++)
            status = put(pop, root, k) == 0 ? 0 : 1;
        for (uint64_t k = 3; argv[2][0] == 'c' && k <= n && status == 0; k += 3)
            status = del(pop, root, k) < 0 ? 1 : 0;
    } else if (strcmp(argv[2], "del") == 0) {
        for (int i = 3; i < argc && status == 0; i++)
            status = del(pop, root, strtoull(argv[i], NULL, 10)) < 0 ? 1 : 0;
    } else {
        fprintf(stderr, "kvtx: unknown command %s\n", argv[2]);
        status = 2;
    }
    pmemobj_close(pop);
    return status;
}
