/*
 * list - a persistent singly-linked list in a file mapped with libpmem.
 *
 *   list POOL insert N     insert the values 1..N at the head
 *   list POOL verify       walk the list; exit 1 if it is inconsistent
 *
 * The pool holds a root and a bump-allocated array of nodes; links are
 * offsets from the start of the pool, so the pool may map anywhere.
 *
 * The protocol that makes an insert crash-consistent: initialise the node
 * and persist it; only then publish it (root->head) and persist that; then
 * persist the count. A crash at any instant leaves either the old list or
 * the new one, and `verify` accepts both.
 *
 * Built with -DBUG_x, the program has one bug (the fixed twin has none):
 *   BUG_NODE_UNFLUSHED  the node is never flushed: its stores may be lost
 *   BUG_PUBLISH_EARLY   the node is published before it is persisted: after
 *                       a crash, head may point at an uninitialised node
 * A comment "expect BUG_NAME: rule" marks where pmcheck must report a bug,
 * "expect(adr) BUG_NAME: rule" one that is a bug only under --model adr;
 * for crash-recovery-failed it is the crash point, and "crash BUG_NAME:
 * left out" marks the stores the failing crash state may lack.
 */
#include <libpmem.h>
#include <pmtrace.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_SIZE (1u << 20)
#define ROOT_MAGIC 0x4c495354524f4f54ull /* "LISTROOT" */
#define NODE_MAGIC 0x4c4953544e4f4445ull /* "LISTNODE" */

struct list_root {
    uint64_t magic;
    uint64_t head;      /* offset of the first node, 0: empty */
    uint64_t count;     /* nodes reachable from head */
    uint64_t next_free; /* bump allocator: offset of the next free node */
};

struct list_node {
    uint64_t magic;
    uint64_t value;
    uint64_t next; /* offset, 0: end of list */
};

static struct list_node *node_at(char *base, uint64_t off)
{
    return (struct list_node *)(base + off);
}

static void list_init(char *base)
{
    struct list_root *root = (struct list_root *)base;
    if (root->magic == ROOT_MAGIC)
        return;
    root->head = 0;
    root->count = 0;
    root->next_free = sizeof(*root);
    pmem_persist(root, sizeof(*root));
    root->magic = ROOT_MAGIC;
    pmem_persist(&root->magic, sizeof(root->magic));
}

/* With BUG_PUBLISH_EARLY a crash before this persist's fence can leave
 * head persistent and the node not: the node's stores, marked "left out"
 * below, are what the crash state lacks. */
static void list_publish(struct list_root *root, uint64_t off)
{
    root->head = off;
    pmem_persist(&root->head, sizeof(root->head)); /* expect BUG_PUBLISH_EARLY: crash-recovery-failed */
}

static int list_insert(char *base, uint64_t value)
{
    struct list_root *root = (struct list_root *)base;
    uint64_t off = root->next_free;
    if (off + sizeof(struct list_node) > POOL_SIZE)
        return -1;
    root->next_free = off + sizeof(struct list_node);
    pmem_persist(&root->next_free, sizeof(root->next_free));

    struct list_node *node = node_at(base, off);
    node->magic = NODE_MAGIC; /* expect(adr) BUG_NODE_UNFLUSHED: unpersisted-store */ /* crash BUG_PUBLISH_EARLY: left out */
    node->value = value;      /* expect(adr) BUG_NODE_UNFLUSHED: unpersisted-store */ /* crash BUG_PUBLISH_EARLY: left out */
    node->next = root->head;  /* expect(adr) BUG_NODE_UNFLUSHED: unpersisted-store */ /* crash BUG_PUBLISH_EARLY: left out */
#if defined(BUG_PUBLISH_EARLY)
    list_publish(root, off);
    pmem_persist(node, sizeof(*node));
#elif defined(BUG_NODE_UNFLUSHED)
    list_publish(root, off);
#else
    pmem_persist(node, sizeof(*node));
    list_publish(root, off);
#endif
    root->count++;
    pmem_persist(&root->count, sizeof(root->count));
    return 0;
}

/* Every node reachable from head must be initialised, and the count may lag
 * the list by at most the one insert a crash interrupted. */
static int list_verify(char *base)
{
    struct list_root *root = (struct list_root *)base;
    if (root->magic != ROOT_MAGIC)
        return 0; /* never initialised: an empty pool is consistent */
    uint64_t n = 0;
    for (uint64_t off = root->head; off != 0; off = node_at(base, off)->next) {
        if (off < sizeof(*root) || off + sizeof(struct list_node) > POOL_SIZE) {
            fprintf(stderr, "list: node offset %llu out of the pool\n",
                    (unsigned long long)off);
            return -1;
        }
        if (node_at(base, off)->magic != NODE_MAGIC) {
            fprintf(stderr, "list: node at offset %llu is not initialised\n",
                    (unsigned long long)off);
            return -1;
        }
        if (++n > POOL_SIZE / sizeof(struct list_node))
            return -1; /* a cycle */
    }
    if (root->count != n && root->count + 1 != n) {
        fprintf(stderr, "list: count %llu but %llu nodes\n",
                (unsigned long long)root->count, (unsigned long long)n);
        return -1;
    }
    return 0;
}

/* One recovery: map the pool, walk it, unmap it. */
static int verify_file(const char *path)
{
    size_t mapped_len;
    int is_pmem;
    char *base = pmem_map_file(path, 0, 0, 0, &mapped_len, &is_pmem);
    if (base == NULL) {
        perror(path);
        return 2;
    }
    int status = list_verify(base) == 0 ? 0 : 1;
    pmem_unmap(base, mapped_len);
    return status;
}

/* `list POOL verify-next` is `verify` in pmcheck crash's persistent mode:
 * crash state after crash state in one process (<pmtrace.h>). */
int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: list POOL insert N | list POOL verify | "
                        "list POOL verify-next\n");
        return 2;
    }
    int next = strcmp(argv[2], "verify-next") == 0;
    if (next || strcmp(argv[2], "verify") == 0) {
        int status;
        do
            status = verify_file(argv[1]);
        while (next && PMT_RECOVERY_NEXT(status));
        return status;
    }
    size_t mapped_len;
    int is_pmem;
    char *base = pmem_map_file(argv[1], POOL_SIZE, PMEM_FILE_CREATE, 0644,
                               &mapped_len, &is_pmem);
    if (base == NULL) {
        perror(argv[1]);
        return 2;
    }
    int status = 0;
    if (strcmp(argv[2], "insert") == 0 && argc == 4) {
        /* What verify validates rather than trusts: a crash may leave
         * either value of these (pmcheck crash --loads). */
        struct list_root *root = (struct list_root *)base;
        PMT_COMMIT_VAR(&root->magic, sizeof(root->magic));
        PMT_COMMIT_VAR(&root->head, sizeof(root->head));
        PMT_COMMIT_VAR(&root->count, sizeof(root->count));
        list_init(base);
        long n = atol(argv[3]);
        for (long i = 1; i <= n && status == 0; i++)
            status = list_insert(base, (uint64_t)i) == 0 ? 0 : 1;
    } else {
        fprintf(stderr, "list: unknown command %s\n", argv[2]);
        status = 2;
    }
    pmem_unmap(base, mapped_len);
    return status;
}
