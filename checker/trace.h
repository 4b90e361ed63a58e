/*
 * trace.h - reading a trace written by libpmtrace (format: pmtrace_format.h,
 * docs/trace-format.md).
 *
 * pmc_trace_open() maps the file read-only, checks the file header and
 * indexes every block header into per-thread chains; it reads no record.
 * pmc_trace_next() then yields the records of all threads merged into one
 * order by their global sequence number. Each block's checksum is verified
 * when the merge first enters it, so the work and memory of a pass are
 * proportional to the number of blocks and threads, not to the events.
 *
 * Metadata records (STRING, SITE) are yielded like any other record and
 * also kept in tables: pmc_trace_site() and pmc_trace_string() answer for
 * every id defined by a record already yielded (the runtime always defines
 * an id before the first record that uses it).
 *
 * Damage: a trace cut at any byte or with any bit flipped makes
 * pmc_trace_next() return -1 with an error that names the byte offset; the
 * events yielded before stay valid, and the same error is returned again by
 * every later call. A trace whose last block of some thread is unsealed (the
 * target was killed) is not damaged: its records up to the block's `used`
 * length are yielded and pmc_trace_info() says so. A trace whose writer
 * stopped early (end_kind PMT_END_STOPPED: it could not grow) is damaged
 * at its end: all its records are yielded, then the error.
 *
 * A pmc_trace is used by one thread at a time. Pointers it returns (event
 * data, sites, strings) stay valid until pmc_trace_close().
 */
#ifndef PMC_TRACE_H
#define PMC_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "pmtrace_format.h"

struct pmc_trace;

/* One record, decoded. Fields not used by a kind are zero. */
struct pmc_event {
    enum pmt_kind kind;
    uint32_t flags;   /* the record's flags without the padding bits */
    uint32_t thread;  /* runtime thread number from the block header */
    uint32_t site;    /* site id, 0: none */
    uint64_t seq;     /* global sequence number */
    uint64_t offset;  /* byte offset of the record in the file */
    /*
     * addr/len: STORE, NT_STORE, LIB_WRITE, REGION_DATA: where the data
     * went and its size; STORE_FILL, FLUSH, LOAD, REGION_MAP, REGION_UNMAP,
     * ASSERT_PERSISTED, COMMIT_VAR, TX_ADD, TX_ALLOC, TX_FREE: the range;
     * ASSERT_ORDERED: range a; LOCK, UNLOCK: the mutex (len 0);
     * THREAD: addr is the OS thread id.
     */
    uint64_t addr;
    uint64_t len;
    uint64_t addr2; /* ASSERT_ORDERED: range b */
    uint64_t len2;
    /*
     * STORE, NT_STORE, LIB_WRITE, REGION_DATA: the bytes written (len of
     * them); STRING: the string, NUL-terminated; STORE_FILL: one byte, the
     * fill value. Points into the mapped trace.
     */
    const uint8_t *data;
    /* REGION_MAP: region number; MARKER: name string id; LIB_CALL:
     * function string id; STRING: the string id. */
    uint32_t id;
    /* REGION_MAP: path string id. */
    uint32_t str;
    /* REGION_MAP: file offset of addr. */
    uint64_t file_offset;
    /* EXIT: status; LIB_CALL: result. */
    int32_t value;
};

/* A source site. Strings are never NULL ("" when unknown). */
struct pmc_site {
    uint32_t id;
    uint32_t line;
    uint32_t column;
    const char *file;
    const char *dir;
    const char *function;
};

struct pmc_trace_info {
    uint32_t version;
    uint32_t flags;          /* PMT_FILE_* */
    uint64_t pid;
    uint64_t start_ns;
    const char *cmdline;     /* argv joined by spaces */
    uint32_t end_kind;       /* PMT_END_* */
    int32_t end_code;
    uint64_t file_size;
    uint64_t blocks;         /* claimed blocks indexed */
    uint32_t threads;
    bool unsealed_tail;      /* some thread's last block was never sealed */
};

/* Open and index a trace. Errors: missing or unreadable file, not a trace,
 * an unsupported version, a damaged file header. */
int pmc_trace_open(const char *path, struct pmc_trace **out,
                   struct pmc_error *err);

/* The next record in sequence order: 1 and *ev filled, 0 at the end, -1 on
 * damage (see above). */
int pmc_trace_next(struct pmc_trace *t, struct pmc_event *ev,
                   struct pmc_error *err);

/* Start again from the first record (tables are kept). */
void pmc_trace_rewind(struct pmc_trace *t);

const struct pmc_trace_info *pmc_trace_info(const struct pmc_trace *t);
const char *pmc_trace_path(const struct pmc_trace *t);

/* NULL when the id is 0 or not (yet) defined. */
const struct pmc_site *pmc_trace_site(const struct pmc_trace *t, uint32_t id);
const char *pmc_trace_string(const struct pmc_trace *t, uint32_t id);

/* The name of a record kind ("STORE"), or NULL for an unknown kind. */
const char *pmc_kind_name(unsigned kind);

void pmc_trace_close(struct pmc_trace *t);

#endif /* PMC_TRACE_H */
