/*
 * record - numbered records in a file mapped with libpmem, each with a
 * valid flag that says its data was written whole; the recovery prints
 * the valid records and never fails, so only what it reads can show that
 * a record's data may be lost.
 *
 *   record POOL put N    write records 0..N-1: the data, then the flag
 *   record POOL dump     print the data of every valid record (recovery)
 *
 * The protocol: persist a record's data, then set its valid flag and
 * persist that. The flag is the record's commit variable
 * (PMT_COMMIT_VAR): a crash before its fence leaves it 0 or 1, and `dump`
 * reads the data only when it is 1, by which time the data is persistent.
 *
 * A record's data is 128 bytes, two cache lines: a crash can persist
 * either line without the other, so data read while in flight is a race
 * with the hardware, not a value a crash between two instructions leaves.
 *
 * Built with -DBUG_x, the program has one bug (the fixed twin has none):
 *   BUG_FLAG_FIRST       the flag is set and persisted before the data: a
 *                        crash before the data's fence leaves a valid
 *                        record whose data the crash decided - a line of
 *                        it, or neither - which `dump` reads
 *                        (cross-failure-read)
 *   BUG_FLAG_UNDECLARED  the flag is not declared a commit variable: `dump`
 *                        reads it while its persist is in flight, the old
 *                        or the new flag, as after a crash between two
 *                        instructions - in-flight-read, a warning, until
 *                        PMT_COMMIT_VAR says `dump` validates it
 * A comment "expect BUG_NAME: rule" marks where pmcheck must report a bug;
 * for cross-failure-read and in-flight-read it is the store, and "xfail
 * BUG_NAME: load" marks the recovery's load of it.
 */
#include <libpmem.h>
#include <pmtrace.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_SIZE (64u << 10)
#define RECORDS 64u
#define RECORD_WORDS 16u /* 128 bytes of data */

/* The flag in a line of its own, the data in the next two. */
struct record {
    uint64_t valid; /* 1: data is whole */
    uint64_t pad[7];
    uint64_t data[RECORD_WORDS];
};

static void record_put(struct record *r, uint64_t value)
{
#ifndef BUG_FLAG_UNDECLARED
    PMT_COMMIT_VAR(&r->valid, sizeof(r->valid));
#endif
#ifdef BUG_FLAG_FIRST
    r->valid = 1;
    pmem_persist(&r->valid, sizeof(r->valid));
#endif
    for (unsigned w = 0; w < RECORD_WORDS; w++)
        r->data[w] = value + w; /* expect BUG_FLAG_FIRST: cross-failure-read */
    pmem_persist(r->data, sizeof(r->data));
#ifndef BUG_FLAG_FIRST
    r->valid = 1; /* expect BUG_FLAG_UNDECLARED: in-flight-read */
    pmem_persist(&r->valid, sizeof(r->valid));
#endif
}

static int record_dump(const struct record *records)
{
    unsigned valid = 0;
    for (unsigned i = 0; i < RECORDS; i++) {
        const struct record *r = &records[i];
        if (r->valid != 1) /* xfail BUG_FLAG_UNDECLARED: load */
            continue;
        uint64_t sum = 0;
        for (unsigned w = 0; w < RECORD_WORDS; w++)
            sum += r->data[w]; /* xfail BUG_FLAG_FIRST: load */
        printf("record %u: %llu\n", i, (unsigned long long)sum);
        valid++;
    }
    printf("record: %u valid\n", valid);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: record POOL put N | record POOL dump\n");
        return 2;
    }
    size_t mapped_len;
    int is_pmem;
    struct record *records = pmem_map_file(argv[1], POOL_SIZE, PMEM_FILE_CREATE,
                                           0644, &mapped_len, &is_pmem);
    if (records == NULL) {
        perror(argv[1]);
        return 2;
    }
    int status = 0;
    if (strcmp(argv[2], "dump") == 0) {
        status = record_dump(records);
    } else if (strcmp(argv[2], "put") == 0 && argc == 4) {
        long n = atol(argv[3]);
        for (long i = 0; i < n && i < (long)RECORDS; i++)
            record_put(&records[i], 1000 + (uint64_t)i);
    } else {
        fprintf(stderr, "record: unknown command %s\n", argv[2]);
        status = 2;
    }
    pmem_unmap(records, mapped_len);
    return status;
}
