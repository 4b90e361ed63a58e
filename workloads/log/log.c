/*
 * log - an append-only log with a commit record, in a file mapped with
 * libpmem.
 *
 *   log POOL append MSG...   append each MSG as one entry
 *   log POOL verify          check every committed entry; exit 1 if one is
 *                            damaged
 *
 * Layout: a header whose `committed` field is the commit record (bytes of
 * entries that are complete), then the entries, each a size, a checksum and
 * the bytes. The protocol: write the entry past the committed end, persist
 * it, then advance `committed` and persist that. A crash leaves the log as
 * it was before or after the append, never a committed entry that is not
 * all there.
 *
 * Built with -DBUG_x, the program has one bug (the fixed twin has none):
 *   BUG_COMMIT_FIRST       the commit record is persisted before the entry:
 *                          a crash can leave a committed, unwritten entry
 *   BUG_COMMIT_UNFLUSHED   the commit record is never flushed
 * A comment "expect BUG_NAME: rule" marks where pmcheck must report a bug,
 * "expect(adr) BUG_NAME: rule" one that is a bug only under --model adr;
 * for crash-recovery-failed it is the crash point.
 */
#include <libpmem.h>
#include <pmtrace.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_SIZE (256u * 1024)
#define LOG_MAGIC 0x4c4f474845414452ull /* "LOGHEADR" */

struct log_header {
    uint64_t magic;
    uint64_t committed; /* bytes of complete entries after the header */
};

struct log_entry {
    uint32_t size;     /* bytes of data */
    uint32_t checksum; /* of data */
    char data[];
};

static uint32_t checksum(const char *data, uint32_t size)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (uint32_t i = 0; i < size; i++)
        h = (h ^ (unsigned char)data[i]) * 16777619u;
    return h;
}

static size_t entry_span(uint32_t size)
{
    return (sizeof(struct log_entry) + size + 7) & ~(size_t)7;
}

static void log_init(struct log_header *hdr)
{
    if (hdr->magic == LOG_MAGIC)
        return;
    hdr->committed = 0;
    pmem_persist(&hdr->committed, sizeof(hdr->committed));
    hdr->magic = LOG_MAGIC;
    pmem_persist(&hdr->magic, sizeof(hdr->magic));
}

/* With BUG_COMMIT_FIRST the entry is not even written when the commit
 * record persists: a crash at this persist's fence leaves a committed
 * length over bytes that are not an entry, which `log verify` rejects (no
 * store is left out: the entry's stores come later). */
static void log_commit(struct log_header *hdr, uint64_t committed)
{
    hdr->committed = committed; /* expect(adr) BUG_COMMIT_UNFLUSHED: unpersisted-store */
#ifndef BUG_COMMIT_UNFLUSHED
    pmem_persist(&hdr->committed, sizeof(hdr->committed)); /* expect BUG_COMMIT_FIRST: crash-recovery-failed */
#endif
}

static int log_append(struct log_header *hdr, const char *msg)
{
    char *end = (char *)(hdr + 1) + hdr->committed;
    uint32_t size = (uint32_t)strlen(msg);
    size_t span = entry_span(size);
    if (sizeof(*hdr) + hdr->committed + span > POOL_SIZE)
        return -1;
    struct log_entry *e = (struct log_entry *)end;
#ifdef BUG_COMMIT_FIRST
    log_commit(hdr, hdr->committed + span);
#endif
    e->size = size;
    e->checksum = checksum(msg, size);
    memcpy(e->data, msg, size);
    pmem_persist(e, sizeof(*e) + size);
#ifndef BUG_COMMIT_FIRST
    log_commit(hdr, hdr->committed + span);
#endif
    /* The protocol, stated for pmcheck: the entry persists before the
     * commit record, and the commit record is persistent on return. */
    PMT_ASSERT_ORDERED(e, sizeof(*e) + size, &hdr->committed, 8); /* expect BUG_COMMIT_FIRST: assert-ordered */
    PMT_ASSERT_PERSISTED(&hdr->committed, 8); /* expect(adr) BUG_COMMIT_UNFLUSHED: assert-persisted */
    return 0;
}

static int log_verify(struct log_header *hdr)
{
    if (hdr->magic != LOG_MAGIC)
        return 0; /* never initialised: empty */
    if (hdr->committed > POOL_SIZE - sizeof(*hdr)) {
        fprintf(stderr, "log: committed length %llu beyond the pool\n",
                (unsigned long long)hdr->committed);
        return -1;
    }
    char *p = (char *)(hdr + 1), *end = p + hdr->committed;
    while (p < end) {
        struct log_entry *e = (struct log_entry *)p;
        if (p + entry_span(e->size) > end ||
            e->checksum != checksum(e->data, e->size)) {
            fprintf(stderr, "log: entry at offset %td is damaged\n",
                    p - (char *)(hdr + 1));
            return -1;
        }
        p += entry_span(e->size);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: log POOL append MSG... | log POOL verify\n");
        return 2;
    }
    size_t mapped_len;
    int is_pmem;
    struct log_header *hdr = pmem_map_file(
        argv[1], POOL_SIZE, PMEM_FILE_CREATE, 0644, &mapped_len, &is_pmem);
    if (hdr == NULL) {
        perror(argv[1]);
        return 2;
    }
    int status = 0;
    if (strcmp(argv[2], "verify") == 0) {
        status = log_verify(hdr) == 0 ? 0 : 1;
    } else if (strcmp(argv[2], "append") == 0) {
        /* What verify validates rather than trusts: a crash may leave
         * either value of these (pmcheck crash --loads). */
        PMT_COMMIT_VAR(&hdr->magic, sizeof(hdr->magic));
        PMT_COMMIT_VAR(&hdr->committed, sizeof(hdr->committed));
        log_init(hdr);
        for (int i = 3; i < argc && status == 0; i++)
            status = log_append(hdr, argv[i]) == 0 ? 0 : 1;
    } else {
        fprintf(stderr, "log: unknown command %s\n", argv[2]);
        status = 2;
    }
    pmem_unmap(hdr, mapped_len);
    return status;
}
