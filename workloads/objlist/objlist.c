/*
 * objlist - a list of records in a libpmemobj pool, kept with the atomic
 * API (no transactions).
 *
 *   objlist POOL add N     add N records at the head of the list
 *   objlist POOL verify    check the list; exit 1 if it is damaged
 *
 * Each record is allocated by pmemobj_alloc (POBJ_NEW), whose constructor
 * fills it in, linked to the list as it is, and persists it: the library
 * publishes it in the allocator only after the constructor returns. Then
 * the program counts it and publishes it itself, persisting each step in
 * order: the count first, then the head, so a crash leaves at most one
 * record more in the list than counted, never a head that points to a
 * record not yet written.
 *
 * Built with -DBUG_x, the program has one bug (the fixed twin has none):
 *   BUG_CTOR_UNPERSISTED  the constructor does not persist the record
 *   BUG_HEAD_UNPERSISTED  the new head is never persisted
 *   BUG_PERSIST_TWICE     the count is persisted twice (a wasted flush)
 *   BUG_PUBLISH_EARLY     the record is allocated without a constructor,
 *                         filled in, and published before it is persisted:
 *                         a crash in between leaves the head on a blank
 *                         record
 * A comment "expect BUG_NAME: rule" marks where pmcheck must report a bug;
 * for crash-recovery-failed it is the crash point.
 */
#include <libpmemobj.h>
#include <pmtrace.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

POBJ_LAYOUT_BEGIN(objlist);
POBJ_LAYOUT_ROOT(objlist, struct root);
POBJ_LAYOUT_TOID(objlist, struct record);
POBJ_LAYOUT_END(objlist);

#define RECORD_MAGIC 0x5245434f5244ull /* "RECORD" */

struct record {
    uint64_t magic;
    uint64_t id;
    uint64_t checksum; /* of id and text */
    char text[40];
    TOID(struct record) next;
};

struct root {
    uint64_t count; /* records counted; the list may hold one more */
    uint64_t pad[7];
    TOID(struct record) head; /* on a line of its own */
};

struct record_args {
    uint64_t id;
    TOID(struct record) next;
};

static uint64_t record_checksum(uint64_t id, const char *text)
{
    uint64_t h = 1469598103934665603ull ^ id; /* FNV-1a */
    for (; *text != '\0'; text++)
        h = (h ^ (unsigned char)*text) * 1099511628211ull;
    return h;
}

/* The record is built in DRAM and copied in one go: one store to pmem. */
static void record_fill(struct record *r, const struct record_args *a)
{
    struct record tmp = {.magic = RECORD_MAGIC, .id = a->id, .next = a->next};
    snprintf(tmp.text, sizeof(tmp.text), "record %llu",
             (unsigned long long)a->id);
    tmp.checksum = record_checksum(a->id, tmp.text);
    *r = tmp; /* expect(adr) BUG_CTOR_UNPERSISTED: unpersisted-store */ /* crash BUG_PUBLISH_EARLY: left out */
}

/* The atomic API's contract: the constructor persists what it writes. */
static int record_construct(PMEMobjpool *pop, void *ptr, void *arg)
{
    record_fill(ptr, arg);
#ifndef BUG_CTOR_UNPERSISTED
    pmemobj_persist(pop, ptr, sizeof(struct record));
#endif
    return 0;
}

/* With BUG_PUBLISH_EARLY a crash before the head's persist fence can
 * leave the head persistent and the record not: the record's store,
 * marked "left out" above, is what the crash state lacks. */
static int add(PMEMobjpool *pop, TOID(struct root) root, uint64_t id)
{
    struct record_args args = {id, D_RO(root)->head};
    TOID(struct record) r;
#ifdef BUG_PUBLISH_EARLY
    if (POBJ_ZNEW(pop, &r, struct record) != 0)
        return -1;
    record_fill(D_RW(r), &args);
#else
    if (POBJ_NEW(pop, &r, struct record, record_construct, &args) != 0)
        return -1;
#endif
    D_RW(root)->count++;
    pmemobj_persist(pop, &D_RW(root)->count, sizeof(uint64_t));
#ifdef BUG_PERSIST_TWICE
    pmemobj_persist(pop, &D_RW(root)->count, sizeof(uint64_t)); /* expect BUG_PERSIST_TWICE: redundant-flush */
#endif
    D_RW(root)->head = r; /* expect(adr) BUG_HEAD_UNPERSISTED: unpersisted-store */
#ifndef BUG_HEAD_UNPERSISTED
    pmemobj_persist(pop, &D_RW(root)->head, sizeof(D_RO(root)->head)); /* expect BUG_PUBLISH_EARLY: crash-recovery-failed */
#endif
#ifdef BUG_PUBLISH_EARLY
    pmemobj_persist(pop, D_RW(r), sizeof(struct record));
#endif
    return 0;
}

static int verify(TOID(struct root) root)
{
    uint64_t n = 0;
    for (TOID(struct record) r = D_RO(root)->head; !TOID_IS_NULL(r);
         r = D_RO(r)->next, n++) {
        const struct record *p = D_RO(r);
        if (p->magic != RECORD_MAGIC ||
            p->checksum != record_checksum(p->id, p->text)) {
            fprintf(stderr, "objlist: record %llu is damaged\n",
                    (unsigned long long)n);
            return -1;
        }
    }
    uint64_t count = D_RO(root)->count;
    if (n != count && n + 1 != count) {
        fprintf(stderr, "objlist: %llu records, count %llu\n",
                (unsigned long long)n, (unsigned long long)count);
        return -1;
    }
    return 0;
}

static PMEMobjpool *pool_open(const char *path)
{
    if (access(path, F_OK) != 0)
        return pmemobj_create(path, POBJ_LAYOUT_NAME(objlist), PMEMOBJ_MIN_POOL,
                              0644);
    return pmemobj_open(path, POBJ_LAYOUT_NAME(objlist));
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: objlist POOL add N | verify\n");
        return 2;
    }
    PMEMobjpool *pop = pool_open(argv[1]);
    if (pop == NULL) {
        fprintf(stderr, "objlist: %s: %s\n", argv[1], pmemobj_errormsg());
        return 2;
    }
    TOID(struct root) root = POBJ_ROOT(pop, struct root);
    int status = 0;
    if (strcmp(argv[2], "verify") == 0) {
        status = verify(root) == 0 ? 0 : 1;
    } else if (strcmp(argv[2], "add") == 0 && argc == 4) {
        /* What verify validates rather than trusts: a crash may leave
         * either value of these (pmcheck crash --loads). */
        PMT_COMMIT_VAR(&D_RW(root)->head, sizeof(D_RO(root)->head));
        PMT_COMMIT_VAR(&D_RW(root)->count, sizeof(D_RO(root)->count));
        uint64_t n = strtoull(argv[3], NULL, 10);
        for (uint64_t i = 0; i < n && status == 0; i++)
            status = add(pop, root, D_RO(root)->count + 1) == 0 ? 0 : 1;
    } else {
        fprintf(stderr, "objlist: unknown command %s\n", argv[2]);
        status = 2;
    }
    pmemobj_close(pop);
    return status;
}
