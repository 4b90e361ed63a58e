/*
 * tally - a count of bumps in a file mapped with libpmem, and a log of
 * them; the recovery prints both and never fails, so only what it reads
 * can show that a crash lost a bump.
 *
 *   tally POOL bump N    N bumps: each is logged and persisted, then the
 *                        count goes up by one and is persisted
 *   tally POOL show      print the count and the bumps it logged (recovery)
 *
 * The count is the commit variable of a bump (PMT_COMMIT_VAR): a crash
 * before its fence leaves its old or its new value, and `show` takes
 * either; it reads only the log entries the count covers, which were
 * persisted before it.
 *
 * Built with -DBUG_x, the program has one bug (the fixed twin has none):
 *   BUG_COUNT_UNFLUSHED  the count is never flushed: the next bump's log
 *                        entry, persisted after it, can survive a crash
 *                        the count does not, and `show` reads a count the
 *                        crash decided
 * A comment "expect BUG_NAME: rule" marks where pmcheck must report a bug
 * ("expect(adr)": only under --model adr); for cross-failure-read it is the
 * store, and "xfail BUG_NAME: load" marks the recovery's load of it.
 */
#include <libpmem.h>
#include <pmtrace.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_SIZE (64u << 10)
#define TALLY_MAGIC 0x54414c4c59505354ull /* "TALLYPST" */
#define LOG_MAX 64u

/* The count and the log in lines of their own: a flush of a log entry
 * must not write the count back with it. */
struct tally {
    uint64_t magic;
    uint64_t count;
    uint64_t pad[6];
    uint64_t log[LOG_MAX]; /* bump i logs i + 1 in log[i]; 0: none */
};

static void tally_init(struct tally *t)
{
    PMT_COMMIT_VAR(&t->magic, sizeof(t->magic));
    PMT_COMMIT_VAR(&t->count, sizeof(t->count));
    if (t->magic == TALLY_MAGIC)
        return;
    memset(t, 0, sizeof(*t));
    pmem_persist(t, sizeof(*t));
    t->magic = TALLY_MAGIC;
    pmem_persist(&t->magic, sizeof(t->magic));
}

static int tally_bump(struct tally *t)
{
    uint64_t n = t->count;
    if (n >= LOG_MAX)
        return -1;
    t->log[n] = n + 1;
    pmem_persist(&t->log[n], sizeof(t->log[n]));
    t->count = n + 1; /* expect(adr) BUG_COUNT_UNFLUSHED: unpersisted-store */ /* expect BUG_COUNT_UNFLUSHED: cross-failure-read */
#ifndef BUG_COUNT_UNFLUSHED
    pmem_persist(&t->count, sizeof(t->count));
#endif
    return 0;
}

static int tally_show(const struct tally *t)
{
    if (t->magic != TALLY_MAGIC) {
        printf("tally: empty\n");
        return 0;
    }
    uint64_t count = t->count; /* xfail BUG_COUNT_UNFLUSHED: load */
    uint64_t logged = 0;
    for (uint64_t i = 0; i < count && i < LOG_MAX; i++)
        logged += t->log[i] == i + 1;
    printf("tally: count %llu, %llu bumps logged\n", (unsigned long long)count,
           (unsigned long long)logged);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: tally POOL bump N | tally POOL show\n");
        return 2;
    }
    size_t mapped_len;
    int is_pmem;
    struct tally *t = pmem_map_file(argv[1], POOL_SIZE, PMEM_FILE_CREATE, 0644,
                                    &mapped_len, &is_pmem);
    if (t == NULL) {
        perror(argv[1]);
        return 2;
    }
    int status = 0;
    if (strcmp(argv[2], "show") == 0) {
        status = tally_show(t);
    } else if (strcmp(argv[2], "bump") == 0 && argc == 4) {
        tally_init(t);
        long n = atol(argv[3]);
        for (long i = 0; i < n && status == 0; i++)
            status = tally_bump(t) == 0 ? 0 : 1;
    } else {
        fprintf(stderr, "tally: unknown command %s\n", argv[2]);
        status = 2;
    }
    pmem_unmap(t, mapped_len);
    return status;
}
