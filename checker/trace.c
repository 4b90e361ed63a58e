/*
 * trace.c - reading a trace (contract: trace.h; format: pmtrace_format.h).
 *
 * Open maps the file, checks its header and reads the header of every whole
 * block slot once. Claimed blocks are sorted by (thread, index), so each
 * thread's chain is one run of that array. Open reports only problems of the
 * file header: anything wrong with blocks becomes damage that the merge
 * reports at its place in the sequence.
 *
 * The merge keeps, per chain, a cursor and the chain's next record decoded
 * (its "head"), and a binary heap of chains ordered by the head's seq. A
 * chain whose next record cannot be read gets a damage head instead, keyed by
 * the smallest seq its lost records could carry: its last good seq + 1.
 * Every record yielded before the damage thus has a smaller seq than any
 * record the damage may have hidden, so what was yielded is a true prefix of
 * the sequence, and a checker that stops there sees a consistent history.
 *
 * Blocks the index cannot place (a file cut short, a mangled block header)
 * may hold records of any thread, even of a thread whose chain is lost
 * whole, so no chain can bound them. Then the merge yields a record only
 * when every smaller seq has been yielded: seqs are unique and the runtime
 * takes them from one counter from 1 (pmt_seq_next), so the lost records
 * can only be above the first gap, where the damage is reported. (Were
 * seqs not dense, the rule would stop early, never late.)
 *
 * The input is untrusted (it will be fuzzed): every length read from the
 * file is checked against the mapping before it is used, records are copied
 * out with memcpy, and ids read from the file only index tables that grow
 * in proportion to the definitions seen (see id_table_put).
 */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pmtrace_crc32c.h"

#define REC_HDR ((uint32_t)sizeof(struct pmt_rec))
#define BLOCK_HDR ((uint32_t)sizeof(struct pmt_block_header))
#define HEADER_CRC_SPAN 44u /* header bytes covered by header_crc */
#define INDEX_RELEASE 64u   /* block headers indexed between releases */

/* ---- record kinds --------------------------------------------------- */

struct kind_desc {
    const char *name;
    uint32_t body; /* size of the fixed body after struct pmt_rec */
};

static const struct kind_desc kind_table[] = {
#define PMC_KIND_DESC(kname, value, body_size)                                 \
    [value] = {#kname, (uint32_t)(body_size)},
    PMT_KINDS(PMC_KIND_DESC)
#undef PMC_KIND_DESC
};

#define KIND_COUNT (sizeof(kind_table) / sizeof(kind_table[0]))

const char *pmc_kind_name(unsigned kind)
{
    return kind < KIND_COUNT ? kind_table[kind].name : NULL;
}

/* Kinds whose record ends with `size` bytes of data (pmtrace_format.h). */
static bool kind_has_data(unsigned kind)
{
    return kind == PMT_STRING || kind == PMT_STORE || kind == PMT_NT_STORE ||
           kind == PMT_LIB_WRITE || kind == PMT_REGION_DATA;
}

/* ---- id tables (sites, strings) -------------------------------------- */

/*
 * Ids are dense from 1 and defined in sequence order, so a slot array
 * indexed by id is enough. An id far beyond the definitions seen so far
 * can only come from damage; refusing it keeps the array within twice the
 * number of definitions, whatever the file says.
 */
struct id_table {
    const void **slots; /* slots[id], id 0 unused */
    uint32_t cap;
    uint32_t count; /* ids defined */
};

#define ID_SLACK 64u

static const void *id_table_get(const struct id_table *tab, uint32_t id)
{
    return id < tab->cap ? tab->slots[id] : NULL;
}

/* 1: stored; 0: id out of range; -1: out of memory. */
static int id_table_put(struct id_table *tab, uint32_t id, const void *value)
{
    if (id == 0 || id > 2 * (uint64_t)tab->count + ID_SLACK)
        return 0;
    if (id >= tab->cap) {
        uint64_t cap = tab->cap ? tab->cap : 64;
        while (cap <= id)
            cap *= 2;
        if (cap > UINT32_MAX)
            return -1;
        const void **slots = realloc(tab->slots, cap * sizeof(*slots));
        if (slots == NULL)
            return -1;
        memset(slots + tab->cap, 0, (cap - tab->cap) * sizeof(*slots));
        tab->slots = slots;
        tab->cap = (uint32_t)cap;
    }
    tab->slots[id] = value;
    tab->count++;
    return 1;
}

/* ---- the trace -------------------------------------------------------- */

/* A claimed block, as indexed at open. */
struct block_ref {
    uint64_t offset; /* of its header in the file */
    uint32_t thread;
    uint32_t index;
    uint32_t flags;
};

enum head_state { HEAD_RECORD, HEAD_DAMAGE, HEAD_END };

/* One thread's chain of blocks and the merge's cursor in it. */
struct chain {
    uint32_t thread;
    uint32_t nblocks;
    const struct block_ref *blocks; /* a run of pmc_trace.blocks */
    uint32_t cur;                   /* block being read */
    bool entered;                   /* blocks[cur] was checked */
    uint32_t used;                  /* its payload length */
    uint32_t pos;                   /* next record, from payload start */
    bool any;                       /* a record was read: last_seq is set */
    uint64_t last_seq;
    enum head_state state;
    uint64_t key; /* the head's seq, or for damage a lower bound */
    struct pmc_event head;
    struct pmc_error damage;
};

struct pmc_trace {
    char *path;
    const uint8_t *map;
    size_t size;
    char *cmdline;
    struct pmc_trace_info info;
    struct block_ref *blocks;
    size_t nblocks;
    struct chain *chains;
    uint32_t nchains;
    struct chain **heap;
    uint32_t heap_len;
    bool primed; /* heads decoded since open or rewind */
    /* The index found blocks it cannot place (a cut file, a mangled block
     * header): see the gap rule at the top. */
    bool tail_uncertain;
    struct pmc_error tail_damage;
    uint64_t last_yielded; /* seq of the last record yielded, 0: none */
    bool yielded;          /* a record was yielded since open or rewind */
    bool failed;           /* damage was returned: return it again */
    struct pmc_error failure;
    struct id_table strings; /* const char * into the map */
    struct id_table sites;   /* struct pmc_site *, owned */
};

__attribute__((format(printf, 4, 5))) static int
trace_damage(const struct pmc_trace *t, struct pmc_error *err, uint64_t off,
             const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return pmc_error_set(err, "%s: byte %" PRIu64 ": %s", t->path, off, what);
}

/*
 * Give back the mapped pages of [off, off + len) plus the block before:
 * reading is done with them. So a pass over a trace keeps resident only
 * the blocks it is in (one per thread), whatever the trace's size: mapped
 * file pages count in the process's memory until unmapped. The block
 * before goes too because the kernel maps a page's neighbours on a fault
 * (fault-around), up to 64 KiB. The page cache keeps the file; a pointer
 * into a released page stays valid and reads the file again.
 */
static void map_release(const struct pmc_trace *t, uint64_t off, uint64_t len)
{
    uint64_t from = off >= PMT_HEADER_SIZE + PMT_BLOCK_SIZE
                        ? off - PMT_BLOCK_SIZE
                        : PMT_HEADER_SIZE;
    uint64_t end = off + len < t->size ? off + len : t->size;
    if (from < end)
        madvise((void *)(t->map + from), end - from, MADV_DONTNEED);
}

/* ---- open: file header ------------------------------------------------ */

static int map_file(struct pmc_trace *t, struct pmc_error *err)
{
    int fd = open(t->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pmc_error_errno(err, errno, "cannot open trace %s", t->path);
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        rc = pmc_error_errno(err, errno, "cannot stat trace %s", t->path);
    } else if (!S_ISREG(st.st_mode)) {
        rc = pmc_error_set(err, "%s: not a regular file", t->path);
    } else if ((uint64_t)st.st_size < sizeof(struct pmt_file_header)) {
        rc = pmc_error_set(err,
                           "%s: not a pmcheck trace (%jd bytes, shorter "
                           "than a trace header)",
                           t->path, (intmax_t)st.st_size);
    } else {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            rc = pmc_error_errno(err, errno, "cannot map trace %s", t->path);
        } else {
            t->map = p;
            t->size = (size_t)st.st_size;
        }
    }
    close(fd);
    return rc;
}

/* argv, NUL-separated, becomes one line joined by spaces. */
static int header_cmdline(struct pmc_trace *t, const struct pmt_file_header *h)
{
    t->cmdline = malloc((size_t)h->cmdline_len + 1);
    if (t->cmdline == NULL)
        return -1;
    memcpy(t->cmdline, h->cmdline, h->cmdline_len);
    size_t n = h->cmdline_len;
    while (n > 0 && t->cmdline[n - 1] == '\0')
        n--;
    for (size_t i = 0; i < n; i++)
        if (t->cmdline[i] == '\0')
            t->cmdline[i] = ' ';
    t->cmdline[n] = '\0';
    return 0;
}

static int header_check(struct pmc_trace *t, struct pmc_error *err)
{
    struct pmt_file_header h;
    memcpy(&h, t->map, sizeof(h));
    if (memcmp(h.magic, PMT_MAGIC, sizeof(h.magic)) != 0)
        return pmc_error_set(err, "%s: not a pmcheck trace (bad magic)",
                             t->path);
    if (h.version != PMT_VERSION)
        return pmc_error_set(err,
                             "%s: unsupported trace version %" PRIu32
                             " (this pmcheck reads version %u)",
                             t->path, h.version, PMT_VERSION);
    if (h.header_size != PMT_HEADER_SIZE || h.block_size != PMT_BLOCK_SIZE ||
        h.cmdline_len > sizeof(h.cmdline))
        return pmc_error_set(
            err,
            "%s: damaged trace header (header size %" PRIu32
            ", block size %" PRIu32 ", command line %" PRIu32 " bytes)",
            t->path, h.header_size, h.block_size, h.cmdline_len);
    uint32_t crc = pmt_crc32c(0, &h, HEADER_CRC_SPAN);
    crc = pmt_crc32c(crc, h.cmdline, h.cmdline_len);
    if (crc != h.header_crc)
        return pmc_error_set(err,
                             "%s: damaged trace header (checksum "
                             "mismatch)",
                             t->path);
    if (header_cmdline(t, &h) != 0)
        return pmc_error_errno(err, ENOMEM, "%s", t->path);
    t->info = (struct pmc_trace_info){
        .version = h.version,
        .flags = h.flags,
        .pid = h.pid,
        .start_ns = h.start_ns,
        .cmdline = t->cmdline,
        .end_kind = h.end_kind,
        .end_code = h.end_code,
        .file_size = t->size,
    };
    return 0;
}

/* ---- open: block index ------------------------------------------------ */

static void index_uncertain(struct pmc_trace *t, uint64_t off, const char *what)
{
    if (!t->tail_uncertain)
        trace_damage(t, &t->tail_damage, off, "%s", what);
    t->tail_uncertain = true;
}

static struct pmt_block_header block_header_at(const struct pmc_trace *t,
                                               uint64_t off)
{
    struct pmt_block_header b;
    memcpy(&b, t->map + off, sizeof(b));
    return b;
}

static int block_ref_cmp(const void *pa, const void *pb)
{
    const struct block_ref *a = pa, *b = pb;
    if (a->thread != b->thread)
        return a->thread < b->thread ? -1 : 1;
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/*
 * Every whole block slot is read, not only the claimed ones: the header's
 * blocks_claimed is a live field outside the header checksum, so it only
 * serves to notice a file cut short.
 */
static int index_scan(struct pmc_trace *t, struct pmc_error *err)
{
    uint64_t body = t->size - PMT_HEADER_SIZE;
    uint64_t slots = body / PMT_BLOCK_SIZE;
    uint64_t claimed;
    memcpy(&claimed, t->map + offsetof(struct pmt_file_header, blocks_claimed),
           sizeof(claimed));
    if (slots > 0) {
        t->blocks = malloc(slots * sizeof(*t->blocks));
        if (t->blocks == NULL)
            return pmc_error_errno(err, ENOMEM, "%s: block index", t->path);
    }
    for (uint64_t i = 0; i < slots; i++) {
        uint64_t off = PMT_HEADER_SIZE + i * PMT_BLOCK_SIZE;
        if (i % INDEX_RELEASE == 0 && i > 0)
            map_release(t, off - INDEX_RELEASE * PMT_BLOCK_SIZE,
                        INDEX_RELEASE * PMT_BLOCK_SIZE);
        struct pmt_block_header b = block_header_at(t, off);
        if (b.magic == 0)
            continue; /* never claimed */
        if (b.magic != PMT_BLOCK_MAGIC) {
            index_uncertain(t, off, "bad block magic");
            continue;
        }
        t->blocks[t->nblocks++] = (struct block_ref){.offset = off,
                                                     .thread = b.thread,
                                                     .index = b.index,
                                                     .flags = b.flags};
    }
    map_release(t, PMT_HEADER_SIZE, body);
    if (body % PMT_BLOCK_SIZE != 0)
        index_uncertain(t, t->size, "file ends inside a block (cut short?)");
    else if (claimed > slots)
        index_uncertain(t, t->size,
                        "file ends before the last claimed block (cut "
                        "short?)");
    return 0;
}

static int index_chains(struct pmc_trace *t, struct pmc_error *err)
{
    if (t->nblocks > 0) /* qsort wants an array even for no element */
        qsort(t->blocks, t->nblocks, sizeof(*t->blocks), block_ref_cmp);
    uint32_t n = 0;
    for (size_t i = 0; i < t->nblocks; i++)
        if (i == 0 || t->blocks[i].thread != t->blocks[i - 1].thread)
            n++;
    t->chains = calloc(n ? n : 1, sizeof(*t->chains));
    t->heap = calloc(n ? n : 1, sizeof(*t->heap));
    if (t->chains == NULL || t->heap == NULL)
        return pmc_error_errno(err, ENOMEM, "%s: block index", t->path);
    for (size_t i = 0; i < t->nblocks; i++) {
        if (i == 0 || t->blocks[i].thread != t->blocks[i - 1].thread) {
            struct chain *c = &t->chains[t->nchains++];
            c->thread = t->blocks[i].thread;
            c->blocks = &t->blocks[i];
        }
        t->chains[t->nchains - 1].nblocks++;
    }
    for (uint32_t k = 0; k < t->nchains; k++) {
        const struct chain *c = &t->chains[k];
        if (!(c->blocks[c->nblocks - 1].flags & PMT_BLOCK_SEALED))
            t->info.unsealed_tail = true;
    }
    t->info.blocks = t->nblocks;
    t->info.threads = t->nchains;
    return 0;
}

int pmc_trace_open(const char *path, struct pmc_trace **out,
                   struct pmc_error *err)
{
    *out = NULL;
    struct pmc_trace *t = calloc(1, sizeof(*t));
    if (t == NULL || (t->path = strdup(path)) == NULL) {
        free(t);
        return pmc_error_errno(err, ENOMEM, "cannot open trace %s", path);
    }
    if (map_file(t, err) != 0 || header_check(t, err) != 0 ||
        index_scan(t, err) != 0 || index_chains(t, err) != 0) {
        pmc_trace_close(t);
        return -1;
    }
    *out = t;
    return 0;
}

/* ---- decoding one record ---------------------------------------------- */

/* Fill ev->addr.. from the body at p, whose size the caller checked. */
static void body_decode(struct pmc_event *ev, const uint8_t *p)
{
    switch (ev->kind) {
    case PMT_THREAD: {
        struct pmt_body_thread b;
        memcpy(&b, p, sizeof(b));
        ev->addr = b.os_tid;
        break;
    }
    case PMT_REGION_MAP: {
        struct pmt_body_region_map b;
        memcpy(&b, p, sizeof(b));
        ev->addr = b.addr;
        ev->len = b.len;
        ev->id = b.region;
        ev->str = b.path;
        ev->file_offset = b.file_offset;
        break;
    }
    case PMT_STORE:
    case PMT_NT_STORE:
    case PMT_LIB_WRITE:
    case PMT_REGION_DATA:
    case PMT_LOCK:
    case PMT_UNLOCK: {
        struct pmt_body_addr b;
        memcpy(&b, p, sizeof(b));
        ev->addr = b.addr;
        break;
    }
    case PMT_STORE_FILL: {
        struct pmt_body_fill b;
        memcpy(&b, p, sizeof(b));
        ev->addr = b.addr;
        ev->len = b.len;
        ev->data = p + offsetof(struct pmt_body_fill, byte);
        break;
    }
    case PMT_FLUSH:
    case PMT_LOAD:
    case PMT_REGION_UNMAP:
    case PMT_ASSERT_PERSISTED:
    case PMT_COMMIT_VAR:
    case PMT_TX_ADD:
    case PMT_TX_ALLOC:
    case PMT_TX_FREE: {
        struct pmt_body_range b;
        memcpy(&b, p, sizeof(b));
        ev->addr = b.addr;
        ev->len = b.len;
        break;
    }
    case PMT_ASSERT_ORDERED: {
        struct pmt_body_range2 b;
        memcpy(&b, p, sizeof(b));
        ev->addr = b.a_addr;
        ev->len = b.a_len;
        ev->addr2 = b.b_addr;
        ev->len2 = b.b_len;
        break;
    }
    case PMT_MARKER: {
        struct pmt_body_marker b;
        memcpy(&b, p, sizeof(b));
        ev->id = b.name;
        break;
    }
    case PMT_EXIT: {
        struct pmt_body_exit b;
        memcpy(&b, p, sizeof(b));
        ev->value = b.status;
        break;
    }
    case PMT_LIB_CALL: {
        struct pmt_body_lib_call b;
        memcpy(&b, p, sizeof(b));
        ev->id = b.function;
        ev->value = b.result;
        break;
    }
    default: /* no body, or SITE (kept in the site table) */
        break;
    }
}

/* The data that ends a data-carrying record: check it fits, point at it. */
static int data_decode(const struct pmc_trace *t, struct pmc_event *ev,
                       const struct pmt_rec *r, const uint8_t *p,
                       struct pmc_error *err)
{
    uint32_t fixed = REC_HDR + kind_table[r->kind].body;
    uint32_t pad = PMT_REC_PAD(r->flags);
    if (r->len < fixed + pad)
        return trace_damage(t, err, ev->offset,
                            "%s record of %u bytes too short for its "
                            "padding %u",
                            kind_table[r->kind].name, (unsigned)r->len, pad);
    uint32_t size = r->len - fixed - pad;
    ev->data = p + fixed;
    if (r->kind == PMT_STRING) {
        if (size == 0 || ev->data[size - 1] != '\0')
            return trace_damage(t, err, ev->offset,
                                "string %u is not NUL-terminated", r->site);
        ev->id = r->site;
        ev->site = 0;
    } else {
        ev->len = size;
    }
    return 0;
}

/*
 * Decode the record at p, `avail` bytes before the block's used length.
 * 1: *ev filled; 0: a kind this reader does not know, to skip; -1: damage.
 * On 1 and 0, *len is the record's length. The chain's last_seq moves only
 * past a good record, so damage is keyed below the damaged record's seq.
 */
static int record_decode(const struct pmc_trace *t, struct chain *c,
                         const uint8_t *p, uint32_t avail, uint64_t off,
                         struct pmc_event *ev, uint32_t *len,
                         struct pmc_error *err)
{
    struct pmt_rec r;
    if (avail < REC_HDR)
        return trace_damage(t, err, off,
                            "record header cut by the block's "
                            "used length");
    memcpy(&r, p, sizeof(r));
    if (r.len < REC_HDR || r.len % 8 != 0 || r.len > avail)
        return trace_damage(t, err, off,
                            "bad record length %u (%u bytes left in block)",
                            (unsigned)r.len, avail);
    if (c->any && r.seq <= c->last_seq)
        return trace_damage(t, err, off,
                            "sequence number %" PRIu64
                            " does not follow %" PRIu64 " (thread %" PRIu32 ")",
                            r.seq, c->last_seq, c->thread);
    *len = r.len;
    if (pmc_kind_name(r.kind) == NULL) {
        c->any = true;
        c->last_seq = r.seq;
        return 0;
    }
    *ev = (struct pmc_event){.kind = (enum pmt_kind)r.kind,
                             .flags = r.flags,
                             .thread = c->thread,
                             .site = r.site,
                             .seq = r.seq,
                             .offset = off};
    if (kind_has_data(r.kind)) {
        ev->flags = PMT_REC_UFLAGS(r.flags);
        if (data_decode(t, ev, &r, p, err) != 0)
            return -1;
    } else if (r.len < REC_HDR + kind_table[r.kind].body) {
        return trace_damage(t, err, off, "%s record of %u bytes too short",
                            kind_table[r.kind].name, (unsigned)r.len);
    }
    body_decode(ev, p + REC_HDR);
    c->any = true;
    c->last_seq = r.seq;
    return 1;
}

/* ---- walking a chain -------------------------------------------------- */

static const uint8_t *block_payload(const struct pmc_trace *t,
                                    const struct block_ref *b)
{
    return t->map + b->offset + BLOCK_HDR;
}

/* Check blocks[cur] before its first record is read. */
static int chain_enter(const struct pmc_trace *t, struct chain *c,
                       struct pmc_error *err)
{
    const struct block_ref *b = &c->blocks[c->cur];
    if (b->index > c->cur)
        return trace_damage(t, err, b->offset,
                            "block %" PRIu32 " of thread %" PRIu32
                            " is missing (next is block %" PRIu32 ")",
                            c->cur, c->thread, b->index);
    if (b->index < c->cur)
        return trace_damage(t, err, b->offset,
                            "a second block %" PRIu32 " of thread %" PRIu32
                            " (first at byte %" PRIu64 ")",
                            b->index, c->thread, c->blocks[c->cur - 1].offset);
    struct pmt_block_header h = block_header_at(t, b->offset);
    if (h.used > PMT_BLOCK_PAYLOAD)
        return trace_damage(t, err, b->offset,
                            "block used length %" PRIu32 " exceeds the block "
                            "(thread %" PRIu32 ", block %" PRIu32 ")",
                            h.used, c->thread, b->index);
    if (h.flags & PMT_BLOCK_SEALED) {
        uint32_t crc = pmt_crc32c(0, &h, 16);
        crc = pmt_crc32c(crc, block_payload(t, b), h.used);
        if (crc != h.crc)
            return trace_damage(t, err, b->offset,
                                "block checksum mismatch (thread %" PRIu32
                                ", block %" PRIu32 ")",
                                c->thread, b->index);
    } else if (c->cur + 1 < c->nblocks) {
        return trace_damage(t, err, b->offset,
                            "unsealed block is not the last of its thread "
                            "(thread %" PRIu32 ", block %" PRIu32 ")",
                            c->thread, b->index);
    }
    c->entered = true;
    c->used = h.used;
    c->pos = 0;
    return 0;
}

static void chain_set_damage(struct chain *c)
{
    c->state = HEAD_DAMAGE;
    c->key = c->any ? c->last_seq + 1 : 0;
}

/* Decode the chain's next record into its head. */
static void chain_advance(const struct pmc_trace *t, struct chain *c)
{
    for (;;) {
        if (!c->entered) {
            if (c->cur >= c->nblocks) {
                c->state = HEAD_END;
                return;
            }
            if (chain_enter(t, c, &c->damage) != 0) {
                chain_set_damage(c);
                return;
            }
        }
        if (c->pos >= c->used) {
            map_release(t, c->blocks[c->cur].offset, PMT_BLOCK_SIZE);
            c->cur++;
            c->entered = false;
            continue;
        }
        const struct block_ref *b = &c->blocks[c->cur];
        uint64_t off = b->offset + BLOCK_HDR + c->pos;
        uint32_t len = 0;
        int rc =
            record_decode(t, c, block_payload(t, b) + c->pos, c->used - c->pos,
                          off, &c->head, &len, &c->damage);
        if (rc < 0) {
            chain_set_damage(c);
            return;
        }
        c->pos += len;
        if (rc > 0) {
            c->state = HEAD_RECORD;
            c->key = c->head.seq;
            return;
        }
    }
}

/* ---- the merge -------------------------------------------------------- */

/* Heap order: by key; on equal keys a record before damage (the damage's
 * key is only a lower bound), then by thread so the order is stable. */
static bool chain_before(const struct chain *a, const struct chain *b)
{
    if (a->key != b->key)
        return a->key < b->key;
    if (a->state != b->state)
        return a->state == HEAD_RECORD;
    return a->thread < b->thread;
}

static void heap_sift_down(struct pmc_trace *t, uint32_t i)
{
    for (;;) {
        uint32_t least = i, l = 2 * i + 1, r = 2 * i + 2;
        if (l < t->heap_len && chain_before(t->heap[l], t->heap[least]))
            least = l;
        if (r < t->heap_len && chain_before(t->heap[r], t->heap[least]))
            least = r;
        if (least == i)
            return;
        struct chain *tmp = t->heap[i];
        t->heap[i] = t->heap[least];
        t->heap[least] = tmp;
        i = least;
    }
}

/* Decode every chain's first head and heapify the chains that have one. */
static void merge_prime(struct pmc_trace *t)
{
    t->heap_len = 0;
    for (uint32_t k = 0; k < t->nchains; k++) {
        struct chain *c = &t->chains[k];
        chain_advance(t, c);
        if (c->state != HEAD_END)
            t->heap[t->heap_len++] = c;
    }
    for (uint32_t i = t->heap_len / 2; i-- > 0;)
        heap_sift_down(t, i);
    t->primed = true;
}

/* The top chain's head was taken: refill it and restore the heap. */
static void merge_pop(struct pmc_trace *t)
{
    struct chain *c = t->heap[0];
    chain_advance(t, c);
    if (c->state == HEAD_END)
        t->heap[0] = t->heap[--t->heap_len];
    heap_sift_down(t, 0);
}

static int trace_fail(struct pmc_trace *t, const struct pmc_error *damage,
                      struct pmc_error *err)
{
    if (!t->failed) {
        t->failure = *damage;
        t->failed = true;
    }
    if (err != NULL)
        *err = t->failure;
    return -1;
}

/* The writer stopped early (PMT_END_STOPPED): every record is read, but
 * the program went on untraced, so the end of the file is not its end. */
static int trace_fail_stopped(struct pmc_trace *t, struct pmc_error *err)
{
    char buf[128];
    const char *why = strerror_r(t->info.end_code, buf, sizeof(buf));
    struct pmc_error stopped;
    trace_damage(t, &stopped, t->size,
                 "the trace is incomplete: tracing stopped early (%s) and "
                 "the program ran on untraced",
                 why);
    return trace_fail(t, &stopped, err);
}

/* ---- metadata tables -------------------------------------------------- */

static const char *string_or_empty(const struct pmc_trace *t, uint32_t id)
{
    const char *s = pmc_trace_string(t, id);
    return s != NULL ? s : "";
}

/* A SITE record: its body was checked by record_decode. */
static int site_define(struct pmc_trace *t, const struct pmc_event *ev,
                       struct pmc_error *err)
{
    if (id_table_get(&t->sites, ev->site) != NULL)
        return 0; /* seen before this rewind */
    struct pmt_body_site b;
    memcpy(&b, t->map + ev->offset + REC_HDR, sizeof(b));
    struct pmc_site *site = malloc(sizeof(*site));
    if (site == NULL)
        return pmc_error_errno(err, ENOMEM, "%s: site table", t->path);
    *site = (struct pmc_site){.id = ev->site,
                              .line = b.line,
                              .column = b.column,
                              .file = string_or_empty(t, b.file),
                              .dir = string_or_empty(t, b.dir),
                              .function = string_or_empty(t, b.function)};
    int rc = id_table_put(&t->sites, ev->site, site);
    if (rc <= 0)
        free(site);
    if (rc < 0)
        return pmc_error_errno(err, ENOMEM, "%s: site table", t->path);
    if (rc == 0)
        return trace_damage(t, err, ev->offset,
                            "site id %" PRIu32 " out of sequence", ev->site);
    return 0;
}

static int string_define(struct pmc_trace *t, const struct pmc_event *ev,
                         struct pmc_error *err)
{
    if (id_table_get(&t->strings, ev->id) != NULL)
        return 0;
    int rc = id_table_put(&t->strings, ev->id, ev->data);
    if (rc < 0)
        return pmc_error_errno(err, ENOMEM, "%s: string table", t->path);
    if (rc == 0)
        return trace_damage(t, err, ev->offset,
                            "string id %" PRIu32 " out of sequence", ev->id);
    return 0;
}

static int metadata_define(struct pmc_trace *t, const struct pmc_event *ev,
                           struct pmc_error *err)
{
    if (ev->kind == PMT_STRING)
        return string_define(t, ev, err);
    if (ev->kind == PMT_SITE)
        return site_define(t, ev, err);
    return 0;
}

/* ---- public ----------------------------------------------------------- */

int pmc_trace_next(struct pmc_trace *t, struct pmc_event *ev,
                   struct pmc_error *err)
{
    if (t->failed)
        return trace_fail(t, &t->failure, err);
    if (!t->primed)
        merge_prime(t);
    if (t->heap_len == 0) {
        if (t->tail_uncertain)
            return trace_fail(t, &t->tail_damage, err);
        if (t->info.end_kind == PMT_END_STOPPED)
            return trace_fail_stopped(t, err);
        return 0;
    }
    struct chain *c = t->heap[0];
    if (c->state == HEAD_DAMAGE)
        return trace_fail(t, &c->damage, err);
    if (t->tail_uncertain && c->head.seq != t->last_yielded + 1)
        return trace_fail(t, &t->tail_damage, err); /* see the top */
    if (t->yielded && c->head.seq <= t->last_yielded) {
        /* Seqs are unique: a thread's chain checks its own order, the
         * merge checks that no two threads share one. */
        struct pmc_error repeat;
        trace_damage(t, &repeat, c->head.offset,
                     "sequence number %" PRIu64 " of thread %" PRIu32
                     " is also another thread's",
                     c->head.seq, c->thread);
        return trace_fail(t, &repeat, err);
    }
    t->last_yielded = c->head.seq;
    t->yielded = true;
    *ev = c->head;
    merge_pop(t);
    struct pmc_error meta;
    if (metadata_define(t, ev, &meta) != 0)
        return trace_fail(t, &meta, err);
    return 1;
}

void pmc_trace_rewind(struct pmc_trace *t)
{
    for (uint32_t k = 0; k < t->nchains; k++) {
        struct chain *c = &t->chains[k];
        c->cur = 0;
        c->entered = false;
        c->any = false;
        c->last_seq = 0;
    }
    t->primed = false;
    t->last_yielded = 0;
    t->yielded = false;
    t->failed = false;
}

const struct pmc_trace_info *pmc_trace_info(const struct pmc_trace *t)
{
    return &t->info;
}

const char *pmc_trace_path(const struct pmc_trace *t)
{
    return t->path;
}

const struct pmc_site *pmc_trace_site(const struct pmc_trace *t, uint32_t id)
{
    return id_table_get(&t->sites, id);
}

const char *pmc_trace_string(const struct pmc_trace *t, uint32_t id)
{
    return id_table_get(&t->strings, id);
}

void pmc_trace_close(struct pmc_trace *t)
{
    if (t == NULL)
        return;
    for (uint32_t id = 0; id < t->sites.cap; id++)
        free((void *)t->sites.slots[id]);
    free(t->sites.slots);
    free(t->strings.slots);
    if (t->map != NULL)
        munmap((void *)t->map, t->size);
    free(t->heap);
    free(t->chains);
    free(t->blocks);
    free(t->cmdline);
    free(t->path);
    free(t);
}
