/*
 * obj_list - a linked list in a libpmemobj pool, for bench/crash_speed.py:
 * a PMDK program whose recovery opens the pool and walks it, as a real
 * application's consistency check would.
 *
 *   obj_list POOL insert N   create the pool (8 MiB, PMDK's minimum) and
 *                            insert 1..N at the head, one transaction each,
 *                            with a crash point after each (libpmemobj's
 *                            own fences are not traced: without them the
 *                            only crash points would be the pool's close)
 *   obj_list POOL verify     open the pool, walk the list; exit 1 when the
 *                            count does not match the nodes
 *   obj_list POOL verify-next  the same, state after state in one process
 *                            under `pmcheck crash` (PMT_RECOVERY_NEXT)
 */
#include <libpmemobj.h>
#include <pmtrace.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAYOUT "obj_list"
#define POOL_SIZE (8u << 20)

struct node {
    uint64_t value;
    PMEMoid next;
};

struct root {
    uint64_t count;
    PMEMoid head;
};

static int insert(PMEMobjpool *pop, uint64_t value)
{
    PMEMoid root_oid = pmemobj_root(pop, sizeof(struct root));
    struct root *root = pmemobj_direct(root_oid);
    int status = 0;
    TX_BEGIN(pop)
    {
        PMEMoid oid = pmemobj_tx_alloc(sizeof(struct node), 1);
        struct node *n = pmemobj_direct(oid);
        n->value = value;
        n->next = root->head;
        pmemobj_tx_add_range(root_oid, 0, sizeof(*root));
        root->head = oid;
        root->count++;
    }
    TX_ONABORT
    {
        status = -1;
    }
    TX_END
    return status;
}

static int verify(PMEMobjpool *pop)
{
    struct root *root = pmemobj_direct(pmemobj_root(pop, sizeof(struct root)));
    uint64_t n = 0;
    for (PMEMoid oid = root->head; !OID_IS_NULL(oid);
         oid = ((struct node *)pmemobj_direct(oid))->next) {
        if (pmemobj_direct(oid) == NULL || ++n > root->count) {
            fprintf(stderr, "obj_list: more nodes than the count %llu\n",
                    (unsigned long long)root->count);
            return -1;
        }
    }
    if (n != root->count) {
        fprintf(stderr, "obj_list: count %llu but %llu nodes\n",
                (unsigned long long)root->count, (unsigned long long)n);
        return -1;
    }
    return 0;
}

static int open_and_verify(const char *path)
{
    PMEMobjpool *pop = pmemobj_open(path, LAYOUT);
    if (pop == NULL) {
        fprintf(stderr, "obj_list: cannot open %s: %s\n", path,
                pmemobj_errormsg());
        return 1;
    }
    int status = verify(pop) == 0 ? 0 : 1;
    pmemobj_close(pop);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: obj_list POOL insert N | obj_list POOL "
                        "verify\n");
        return 2;
    }
    PMEMobjpool *pop;
    if (strcmp(argv[2], "insert") == 0 && argc == 4) {
        pop = pmemobj_create(argv[1], LAYOUT, POOL_SIZE, 0644);
        if (pop == NULL) {
            perror(argv[1]);
            return 2;
        }
        int status = 0;
        long count = atol(argv[3]);
        for (long i = 1; i <= count && status == 0; i++) {
            status = insert(pop, (uint64_t)i) == 0 ? 0 : 1;
            PMT_CRASH_POINT();
        }
        pmemobj_close(pop);
        return status;
    }
    bool next = strcmp(argv[2], "verify-next") == 0;
    if (!next && strcmp(argv[2], "verify") != 0) {
        fprintf(stderr, "obj_list: unknown command %s\n", argv[2]);
        return 2;
    }
    int status;
    do
        status = open_and_verify(argv[1]);
    while (next && PMT_RECOVERY_NEXT(status));
    return status;
}
