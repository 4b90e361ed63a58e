/*
 * model.h - the persistency model of `pmcheck check` (DESIGN.md section 3)
 * and the rules judged while replaying a trace through it.
 *
 * A model is fed the events of one trace in global sequence order
 * (pmc_model_event), then told how the trace ended (pmc_model_end). It adds
 * what it finds to the struct pmc_findings it was created with.
 *
 * State. Per 64-byte cache line inside a pmem region, the model keeps the
 * stores not yet guaranteed persistent ("live" stores), in program order,
 * one entry per part of a store that falls in the line. A part is DIRTY (not
 * flushed since stored), FLUSHED (a clwb/clflushopt/library flush of its
 * thread covered it; persistent at that thread's next fence) or NT
 * (non-temporal; persistent at its own thread's next fence). A store leaves
 * the table once it is guaranteed persistent, and a line with no live store
 * leaves the line table, so memory follows the live state, not the trace.
 * A line is written back as a whole, so when a part becomes persistent every
 * older part of the same line does too: the live parts of a line are always
 * the newest stores of that line. This is also why "the latest store of a
 * byte" is live exactly when some live part covers the byte.
 *
 * Transitions under adr (the default):
 *   STORE, STORE_FILL     a DIRTY part per line (PMT_STORE_LOCKED: then a
 *                         fence of its thread, as a locked RMW orders)
 *   NT_STORE              an NT part per line, pending on its thread
 *   FLUSH CLFLUSH         the line's DIRTY parts are persistent at once
 *   FLUSH other kinds     DIRTY parts become FLUSHED by this thread
 *   FENCE (any kind)      parts FLUSHED by this thread and its NT parts are
 *                         persistent
 *   LIB_WRITE             a library's write, persistent at once
 * Under eadr a STORE/STORE_FILL is persistent once visible (no live part);
 * NT stores still wait for a fence.
 *
 * Rules judged here (ids in rules.h):
 *   unpersisted-store, missing-fence  at each durability point: an EXIT
 *       record, a REGION_UNMAP (its lines only; they then leave the model),
 *       PMT_DURABLE(), and the end of a trace whose header says the program
 *       exited when no EXIT record came (pmc_model_end). Every live part
 *       that is still the latest store of one of its bytes is reported once:
 *       it is marked reported, and stays live (the crash explorer needs it).
 *       Parts of one store are one occurrence. A trace ended by a signal or
 *       in an unknown way has no final durability point.
 *   assert-persisted  some byte of the range has a live latest store.
 *   assert-ordered    a crash here can leave b's latest store persistent
 *       while a's is not: for bytes x of a and y of b with latest stores sx
 *       and sy, in one line it holds iff seq(sx) <= seq(sy) (one store
 *       persists as a whole, and a line in program order), in different
 *       lines iff sx was persistent no later than sy was stored. That needs
 *       the persist time of stores that already left the live table, kept by
 *       an optional history (per line, coalesced byte ranges -> store seq,
 *       persist seq). History is off by default, because it grows with the
 *       pmem footprint. A model without history that meets ASSERT_ORDERED
 *       judges nothing more and sets pmc_model_needs_history(): its caller
 *       must discard its findings and replay the whole trace into a model
 *       created with history on (check.c does so).
 *   redundant-flush   adr: a FLUSH none of whose lines holds a DIRTY part
 *       (a range flush that is partly useful is fine); eadr: every flush.
 *   redundant-fence   an SFENCE, MFENCE or LIB fence when its thread issued
 *       no useful flush (one that found a DIRTY part), no flush outside
 *       pmem and no NT store since its previous fence; except a LIB fence
 *       right after its thread's FLUSH from the same site (one pmem_persist
 *       call: its drain is not the user's to remove). Locked fences (a
 *       locked RMW) are never redundant: they are not there for persistence.
 *   flush-non-pmem    a FLUSH whose range meets no region.
 *   tx-unlogged-store, tx-redundant-add  PMDK transactions (tx.c): a
 *       program store inside a transaction to pmem it neither added
 *       (TX_ADD) nor allocated (TX_ALLOC), unless the program flushed it
 *       itself inside the transaction; a TX_ADD of a range already in the
 *       transaction. Nested transactions count as the outermost one. Its
 *       TX_COMMIT persists the stores in the lines of its ranges (not those
 *       flagged PMT_TX_NO_FLUSH); TX_ABORT drops the live stores inside
 *       them (the library restores what was added, frees what was
 *       allocated).
 * Other kinds (LIB_CALL, LOAD, LOCK, UNLOCK, CRASH_POINT, COMMIT_VAR,
 * MARKER, metadata, and kinds this version does not know) are accepted and
 * ignored.
 *
 * Findings: the primary site is the store (durability rules), the flush,
 * the fence or the annotation; first_seq is that event's seq; the range is
 * region-relative (region 0 with the absolute address when in no region).
 *
 * Pointers the model hands out (live parts, regions) are valid until the
 * next pmc_model_event/pmc_model_end/pmc_model_free. Event data pointers are
 * kept, so the trace must stay open while the model lives. A model is used
 * by one thread at a time and has no global state.
 */
#ifndef PMC_MODEL_H
#define PMC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "finding.h"
#include "trace.h"

enum pmc_persistency {
    PMC_PERSIST_ADR = 0, /* caches are volatile: flush and fence */
    PMC_PERSIST_EADR,    /* caches are persistent: only NT stores wait */
};

/* Resolves a trace string id (a region's path); NULL when unknown. */
typedef const char *(*pmc_string_lookup_fn)(void *ctx, uint32_t id);

struct pmc_live_store;

/*
 * Told when line parts become guaranteed persistent: n parts of the line at
 * line_addr, oldest first (a fence's or clflush's prefix of the line's live
 * parts, or one part of a write persistent at once: LIB_WRITE, a store
 * under eadr). Called before the parts leave the live table, in the order
 * the writes reach the persistence domain, so applying them in call order
 * rebuilds what is guaranteed persistent (the crash explorer's base image).
 */
typedef void (*pmc_persist_fn)(void *ctx, uint64_t line_addr,
                               const struct pmc_live_store *parts, size_t n);

struct pmc_model_options {
    enum pmc_persistency persistency;
    bool history; /* keep persisted-store history (assert-ordered) */
    /* Optional: names regions in messages ("region 1" without it). */
    pmc_string_lookup_fn string_lookup;
    void *string_ctx;
    /* Optional: see pmc_persist_fn. */
    pmc_persist_fn on_persist;
    void *persist_ctx;
};

enum pmc_store_state {
    PMC_STORE_DIRTY = 1, /* not flushed since it was stored */
    PMC_STORE_FLUSHED,   /* flushed; waits for a fence of flush_thread */
    PMC_STORE_NT,        /* non-temporal; waits for a fence of thread */
};

/* pmc_live_store.flags */
#define PMC_LIVE_FILL 0x1u     /* data is one fill byte (memset) */
#define PMC_LIVE_REPORTED 0x2u /* reported at a durability point */

/* The part of a live store that falls in one cache line. */
struct pmc_live_store {
    uint64_t seq;
    const uint8_t *data; /* this part's bytes (FILL: the one fill byte) */
    uint32_t site;
    uint32_t thread;
    uint32_t flush_site;   /* FLUSHED: the flush that covered it */
    uint32_t flush_thread; /* FLUSHED: the thread whose fence persists it */
    uint8_t offset;        /* first byte within the line */
    uint8_t len;           /* 1..64 */
    uint8_t state;         /* enum pmc_store_state */
    uint8_t flags;         /* PMC_LIVE_* */
};

/* A line with live stores, oldest first. */
struct pmc_line_view {
    uint64_t addr; /* 64-byte aligned */
    size_t nstores;
    const struct pmc_live_store *stores;
};

/* A pmem region, from REGION_MAP. */
struct pmc_region {
    uint32_t id;      /* the trace's region number, 1.. */
    uint32_t path_id; /* string id of the path or registered name */
    uint32_t flags;   /* PMT_REGION_* */
    uint64_t addr;
    uint64_t len;
    uint64_t file_offset;
    uint64_t map_seq;
    const char *path; /* NULL when not resolved */
    const char *name; /* the path's basename, or NULL */
};

struct pmc_model_stats {
    uint64_t events;           /* events fed */
    uint64_t live_stores;      /* live line parts now */
    uint64_t peak_live_stores; /* their maximum */
    uint64_t lines;            /* lines with live stores now */
    uint64_t peak_lines;
    uint64_t regions;       /* regions mapped now */
    uint64_t history_lines; /* lines with history (history on) */
};

struct pmc_model;

/* A model adding to `out` (which must outlive it). opts NULL: adr, no
 * history. Errors: out of memory. */
int pmc_model_new(const struct pmc_model_options *opts,
                  struct pmc_findings *out, struct pmc_model **model,
                  struct pmc_error *err);
void pmc_model_free(struct pmc_model *m);

/* Replay one event. Returns 0, or -1 with err set when out of memory or
 * when the event cannot be modelled (a thread number out of range). */
int pmc_model_event(struct pmc_model *m, const struct pmc_event *ev,
                    struct pmc_error *err);

/* The trace ended: info (NULL: unknown end) says how. A trace whose program
 * exited (end_kind PMT_END_EXIT) without an EXIT record ends with a
 * durability point. Returns 0, or -1 when out of memory. */
int pmc_model_end(struct pmc_model *m, const struct pmc_trace_info *info,
                  struct pmc_error *err);

/* True once an ASSERT_ORDERED was met by a model without history. */
bool pmc_model_needs_history(const struct pmc_model *m);

/* True once an EXIT record was replayed. */
bool pmc_model_saw_exit(const struct pmc_model *m);

void pmc_model_stats(const struct pmc_model *m, struct pmc_model_stats *out);

/* Live lines in no particular order: start with *cursor = 0; returns false
 * after the last one. */
bool pmc_model_next_line(const struct pmc_model *m, size_t *cursor,
                         struct pmc_line_view *out);

/* Regions mapped now, by address; and the region holding addr (or NULL). */
size_t pmc_model_region_count(const struct pmc_model *m);
const struct pmc_region *pmc_model_region(const struct pmc_model *m, size_t i);
const struct pmc_region *pmc_model_region_of(const struct pmc_model *m,
                                             uint64_t addr);

/* Called with a byte range [lo, hi). */
typedef void (*pmc_range_fn)(void *ctx, uint64_t lo, uint64_t hi);

/* The ranges added to (TX_ADD) or allocated in (TX_ALLOC) the PMDK
 * transactions active now, any thread's (tx.c): a crash now rolls them
 * back when the pool is next opened. */
void pmc_model_tx_ranges(const struct pmc_model *m, pmc_range_fn fn, void *ctx);

#endif /* PMC_MODEL_H */
