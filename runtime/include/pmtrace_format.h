/*
 * pmtrace_format.h - the on-disk trace format, version 1.
 *
 * Contract: libpmtrace (runtime/) writes this format, libpmcheck (checker/)
 * reads it. docs/trace-format.md is the prose version of this file; when one
 * changes, the other changes in the same commit.
 *
 * Shape of a trace file:
 *
 *   [file header: PMT_HEADER_SIZE bytes][block 0][block 1]...[block n-1]
 *
 * Every block is PMT_BLOCK_SIZE bytes and belongs to one stream: the events
 * of one target thread, in that thread's program order. Block i of the file
 * starts at PMT_HEADER_SIZE + i * PMT_BLOCK_SIZE. A thread's blocks form a
 * chain by their per-thread index; blocks of different threads interleave in
 * the file in the order they were claimed.
 *
 * The writer maps the file MAP_SHARED and writes records straight into it, so
 * whatever kills the target (exit, _exit, abort, a signal, SIGKILL) the
 * kernel still writes back every record that was completed: after each record
 * the writer stores the block's new `used` length with one aligned 32-bit
 * store. A block is sealed (PMT_BLOCK_SEALED, crc over header and records)
 * when it is full or the thread or the process ends normally. A reader checks
 * the crc of sealed blocks and accepts an unsealed block only as the last
 * block of its thread's chain (the target died while it was open).
 *
 * Records are 8-byte aligned and self-describing: every record starts with
 * struct pmt_rec, whose `len` covers the whole record, so a reader can skip
 * kinds it does not know. Every record carries a global sequence number; the
 * numbers of one thread increase, and the runtime takes them from one atomic
 * counter, so merging all streams by `seq` gives one order consistent with
 * each thread's program order and with every synchronisation between threads.
 *
 * All integers are little-endian (the format is x86-64 only, as the
 * persistency model is).
 */
#ifndef PMTRACE_FORMAT_H
#define PMTRACE_FORMAT_H

#include <stdint.h>

#define PMT_MAGIC "PMTRACE" /* 8 bytes with its NUL */
#define PMT_VERSION 1u
#define PMT_HEADER_SIZE 4096u
#define PMT_BLOCK_SIZE 65536u
#define PMT_BLOCK_MAGIC 0x42544d50u /* "PMTB" */

/* ---- file header ---------------------------------------------------- */

/* pmt_file_header.flags */
#define PMT_FILE_LOADS 0x1u /* loads were traced (pmcheck run --loads) */
/* No REGION_DATA: a region's content before the run is not in the trace
 * (PMTRACE_RECOVERY=1: pmcheck has the crash images it ran on). */
#define PMT_FILE_NO_CONTENT 0x2u

/* pmt_file_header.end_kind: how the target ended, when known */
#define PMT_END_UNKNOWN 0u /* still running, or died without a word */
#define PMT_END_EXIT 1u    /* exit(end_code), written by the runtime */
#define PMT_END_SIGNAL 2u  /* killed by signal end_code (pmcheck run) */
/* The runtime stopped tracing early (the trace could not grow: a full
 * disk), end_code an errno value: the trace is incomplete. Written by the
 * runtime when it stops and never overwritten; no EXIT record follows. */
#define PMT_END_STOPPED 3u

struct pmt_file_header {
    char magic[8];        /* PMT_MAGIC */
    uint32_t version;     /* PMT_VERSION */
    uint32_t header_size; /* PMT_HEADER_SIZE */
    uint32_t block_size;  /* PMT_BLOCK_SIZE */
    uint32_t flags;       /* PMT_FILE_* */
    uint64_t pid;         /* the target's process id */
    uint64_t start_ns;    /* CLOCK_REALTIME at trace start, ns */
    uint32_t cmdline_len; /* bytes of cmdline[] in use */
    uint32_t
        header_crc; /* crc32c of bytes [0, 44) then cmdline[0, cmdline_len) */
    /* Live fields: updated while the target runs, not covered by header_crc. */
    uint64_t blocks_claimed; /* blocks handed out so far */
    uint32_t end_kind;       /* PMT_END_* */
    int32_t end_code;        /* exit status or signal number */
    /* argv, each argument NUL-terminated, cut to fit the header */
    char cmdline[PMT_HEADER_SIZE - 64];
};

/* ---- blocks --------------------------------------------------------- */

#define PMT_BLOCK_SEALED 0x1u

struct pmt_block_header {
    uint32_t magic;  /* PMT_BLOCK_MAGIC; 0 in a block never claimed */
    uint32_t thread; /* runtime thread number, 1.. in order of first event */
    uint32_t index;  /* position of this block in its thread's chain, 0.. */
    uint32_t flags;  /* PMT_BLOCK_* */
    uint32_t used;   /* bytes of records after this header */
    uint32_t crc;    /* crc32c of header bytes [0, 16) then the records;
                        meaningful only when PMT_BLOCK_SEALED is set */
    uint64_t reserved;
};

#define PMT_BLOCK_PAYLOAD                                                      \
    (PMT_BLOCK_SIZE - (uint32_t)sizeof(struct pmt_block_header))

/* ---- records -------------------------------------------------------- */

struct pmt_rec {
    uint8_t kind;  /* enum pmt_kind */
    uint8_t flags; /* kind-specific; see below */
    uint16_t len;  /* whole record, header included, a multiple of 8 */
    uint32_t site; /* site id (a PMT_SITE record defines it); 0: none */
    uint64_t seq;  /* global sequence number */
};

/*
 * Records that carry data (STORE, NT_STORE, LIB_WRITE, REGION_DATA, STRING)
 * end with `size` bytes padded with zeros to a multiple of 8; the low three
 * bits of pmt_rec.flags hold the padding, so
 *     size = len - sizeof(struct pmt_rec) - sizeof(body) - PMT_REC_PAD(flags).
 * Such kinds keep their own flags in the upper five bits.
 */
#define PMT_REC_PAD(flags) ((unsigned)(flags)&7u)
#define PMT_REC_UFLAGS(flags) ((unsigned)(flags) & ~7u)

/* X-macro: kind name, value, size of the fixed body that follows struct
 * pmt_rec. One line per record kind. */
#define PMT_KINDS(X)                                                           \
    /* metadata */                                                             \
    X(STRING, 1, 0)                                                            \
    X(SITE, 2, sizeof(struct pmt_body_site))                                   \
    X(THREAD, 3, sizeof(struct pmt_body_thread))                               \
    X(REGION_MAP, 4, sizeof(struct pmt_body_region_map))                       \
    X(REGION_DATA, 5, sizeof(struct pmt_body_addr))                            \
    X(REGION_UNMAP, 6, sizeof(struct pmt_body_range))                          \
    X(EXIT, 7, sizeof(struct pmt_body_exit))                                   \
    /* the program's own memory events */                                      \
    X(STORE, 10, sizeof(struct pmt_body_addr))                                 \
    X(NT_STORE, 11, sizeof(struct pmt_body_addr))                              \
    X(STORE_FILL, 12, sizeof(struct pmt_body_fill))                            \
    X(FLUSH, 13, sizeof(struct pmt_body_range))                                \
    X(FENCE, 14, 0)                                                            \
    X(LOAD, 15, sizeof(struct pmt_body_range))                                 \
    X(LOCK, 16, sizeof(struct pmt_body_addr))                                  \
    X(UNLOCK, 17, sizeof(struct pmt_body_addr))                                \
    /* annotations of <pmtrace.h> */                                           \
    X(ASSERT_PERSISTED, 20, sizeof(struct pmt_body_range))                     \
    X(ASSERT_ORDERED, 21, sizeof(struct pmt_body_range2))                      \
    X(DURABLE, 22, 0)                                                          \
    X(CRASH_POINT, 23, 0)                                                      \
    X(COMMIT_VAR, 24, sizeof(struct pmt_body_range))                           \
    X(MARKER, 25, sizeof(struct pmt_body_marker))                              \
    /* libraries not compiled with the pass (PMDK) */                          \
    X(LIB_WRITE, 30, sizeof(struct pmt_body_addr))                             \
    X(LIB_CALL, 31, sizeof(struct pmt_body_lib_call))                          \
    X(TX_BEGIN, 32, 0)                                                         \
    X(TX_ADD, 33, sizeof(struct pmt_body_range))                               \
    X(TX_COMMIT, 34, 0)                                                        \
    X(TX_ABORT, 35, 0)                                                         \
    X(TX_END, 36, 0)                                                           \
    X(TX_ALLOC, 37, sizeof(struct pmt_body_range))                             \
    X(TX_FREE, 38, sizeof(struct pmt_body_range))

enum pmt_kind {
#define PMT_KIND_ENUM(name, value, body_size) PMT_##name = value,
    PMT_KINDS(PMT_KIND_ENUM)
#undef PMT_KIND_ENUM
};

/* Bodies: what follows struct pmt_rec for each kind. */

/* FENCE, DURABLE, CRASH_POINT, TX_BEGIN, TX_COMMIT, TX_ABORT, TX_END: no body.
 *
 * STRING: no body; pmt_rec.site holds the string id, the bytes follow,
 * NUL-terminated (the NUL is counted in size). Ids are per trace, 1.. */

/* SITE: pmt_rec.site holds the id being defined. Strings by id; 0 = none. */
struct pmt_body_site {
    uint32_t line;     /* 0 when unknown */
    uint32_t column;   /* 0 when unknown */
    uint32_t file;     /* source file as the compiler saw it */
    uint32_t dir;      /* compilation directory, for relative files */
    uint32_t function; /* enclosing function (after inlining: the callee) */
    uint32_t reserved;
};

/* THREAD: first record of each thread's chain. */
struct pmt_body_thread {
    uint64_t os_tid;
};

/* REGION_MAP flags (upper bits of pmt_rec.flags are free: no data) */
#define PMT_REGION_FILE 0x01u /* mapped from a file (path set) */
#define PMT_REGION_PMDK 0x02u /* a PMDK pool (pmemobj_create/open) */
#define PMT_REGION_USER 0x04u /* pmtrace_register() */

/* REGION_MAP: a pmem region appears. Its initial content follows as
 * REGION_DATA records of the same thread; bytes not covered are zero. */
struct pmt_body_region_map {
    uint64_t addr;
    uint64_t len;
    uint32_t region;      /* region number, 1.., never reused in a trace */
    uint32_t path;        /* string id of the file or the registered name */
    uint64_t file_offset; /* offset of addr in the file */
};

/* Address with trailing data (STORE, NT_STORE, LIB_WRITE, REGION_DATA),
 * or a bare address (LOCK, UNLOCK: the mutex). */
struct pmt_body_addr {
    uint64_t addr;
};

/* STORE flags (upper bits) */
#define PMT_STORE_LOCKED 0x08u /* locked RMW / xchg: also orders like MFENCE   \
                                */
#define PMT_STORE_ATOMIC 0x10u /* atomic or volatile store */

/* STORE_FILL: memset(addr, byte, len). */
struct pmt_body_fill {
    uint64_t addr;
    uint64_t len;
    uint8_t byte;
    uint8_t pad[7];
};

/* Address range: FLUSH, LOAD, REGION_UNMAP, ASSERT_PERSISTED, COMMIT_VAR,
 * TX_ADD, TX_ALLOC, TX_FREE. A flush instruction covers one 64-byte line:
 * addr is the operand, len 64; pmem_flush(addr, len) keeps its own range. */
struct pmt_body_range {
    uint64_t addr;
    uint64_t len;
};

/* FLUSH flags */
#define PMT_FLUSH_CLFLUSH 1u    /* ordered by itself */
#define PMT_FLUSH_CLFLUSHOPT 2u /* needs a fence */
#define PMT_FLUSH_CLWB 3u       /* needs a fence */
#define PMT_FLUSH_LIB 4u /* a library flush (pmem_flush): needs a fence */

/* FENCE flags */
#define PMT_FENCE_SFENCE 1u
#define PMT_FENCE_MFENCE 2u
#define PMT_FENCE_LOCKED                                                       \
    3u                   /* a locked RMW on DRAM, recorded only when it        \
                            orders pending flushes of its thread */
#define PMT_FENCE_LIB 4u /* a library drain (pmem_drain) */

/* ASSERT_ORDERED: a must persist no later than b. */
struct pmt_body_range2 {
    uint64_t a_addr;
    uint64_t a_len;
    uint64_t b_addr;
    uint64_t b_len;
};

/* MARKER: the marker's name. */
struct pmt_body_marker {
    uint32_t name; /* string id */
    uint32_t reserved;
};

/* EXIT: the program called exit() or returned from main: a durability point. */
struct pmt_body_exit {
    int32_t status;
    uint32_t reserved;
};

/* TX_ADD and TX_ALLOC flags (no data: all eight bits are theirs).
 * NO_FLUSH: POBJ_XADD_NO_FLUSH or POBJ_XALLOC_NO_FLUSH, the commit does not
 * flush the range. NO_SNAPSHOT: POBJ_XADD_NO_SNAPSHOT, the range is not
 * logged and an abort does not restore it. */
#define PMT_TX_NO_FLUSH 0x1u
#define PMT_TX_NO_SNAPSHOT 0x2u

/* LIB_CALL flags */
#define PMT_LIB_CALL_BEGIN 1u
#define PMT_LIB_CALL_END 2u /* library writes since BEGIN are persistent */

/* LIB_CALL: the program entered or left a library function. */
struct pmt_body_lib_call {
    uint32_t function; /* string id */
    int32_t result;    /* END: the function's int result, when it has one;
                          for a pointer or PMEMoid, 0 or -1 when NULL */
};

#endif /* PMTRACE_FORMAT_H */
