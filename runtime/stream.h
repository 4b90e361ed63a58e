/*
 * stream.h - per-thread record streams: each thread writes its records
 * into its own open block, in program order, with no lock.
 *
 * Contract:
 *  - Every entry point brackets its work with pmt_stream_enter() and
 *    pmt_stream_leave(). enter returns NULL when recording is off or when
 *    the thread is already inside the runtime (a signal handler that
 *    interrupted it): that event is dropped, never written into a record
 *    that is half done.
 *  - A record is written by: resolving its site id first (that may write
 *    SITE/STRING records), then pmt_stream_reserve(len), then taking its
 *    sequence number with pmt_seq_next(), filling it in, and
 *    pmt_stream_commit(len). Commit publishes the block's new `used` length
 *    with one aligned 32-bit store: a record is in the trace, whatever kills
 *    the process next, exactly when its `used` store is done.
 *  - A thread joins the registry of live threads on its first entry. Its
 *    first block gets it a thread number (1.., dense) and starts with a
 *    THREAD record (its OS tid).
 *  - A block is sealed (crc, then PMT_BLOCK_SEALED) when it is full, when
 *    the thread exits (a pthread key destructor), and at process exit
 *    (pmt_stream_seal_all, over the registry of live threads).
 *  - Sequence numbers come from one process-wide counter (pmt_seq_next).
 */
#ifndef PMT_STREAM_H
#define PMT_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmtrace_abi.h"
#include "pmtrace_format.h"
#include "rt.h"

/* What the PMDK hooks and interposers keep per thread (pmdk.h). */
struct pmt_pmdk_thread {
    /* Inside a libpmemobj flush call of the program (pmemobj_persist, ...):
     * its POST hook models the call, so the libpmem calls it makes only
     * forward. Counted: the program's constructors may nest them. */
    uint32_t quiet;
    /* libpmem interposers running: libpmem calls its own exported
     * functions, and only the outermost call records. */
    uint32_t nesting;
    /* Transactions begun and not ended, and the stage last seen (enum
     * pobj_tx_stage), from which TX_COMMIT and TX_ABORT are derived. */
    uint32_t tx_depth;
    int32_t tx_stage;
    /* The program's libpmemobj call now running (its site), which the
     * library's writes are attributed to; NULL outside one. */
    struct __pmt_site *call_site;
};

struct pmt_thread {
    struct pmt_block_header *block; /* open block, NULL: none */
    uint32_t used;                  /* bytes of records in it */
    uint32_t busy;                  /* inside the runtime (enter..leave) */
    uint32_t pending;    /* flushes and NT stores not yet followed by a fence */
    uint32_t number;     /* runtime thread number, 0: none yet */
    uint32_t next_index; /* index of the thread's next block */
    uint32_t dtor_rounds; /* times the thread-exit destructor ran */
    bool registered;      /* in the registry of live threads */
    bool finished;        /* past its last destructor: record nothing more */
    bool quiet;           /* seen outside the runtime at process exit */
    size_t cat_len;       /* strcat/strncat: strlen(dst) before the call, or
                             SIZE_MAX */
    struct pmt_pmdk_thread pmdk;
    struct pmt_thread *reg_prev, *reg_next;
};

/* The calling thread's state, initial-exec TLS: the runtime is linked into
 * executables only, so this is one %fs-relative access. */
extern _Thread_local struct pmt_thread pmt_self;

/* Set up the thread-exit destructor and what the exit handler needs. */
int pmt_stream_setup(void);

/* Join the registry (a thread's first entry): false when the thread may
 * record nothing more. */
bool pmt_stream_join(struct pmt_thread *t);

static inline struct pmt_thread *pmt_stream_enter(void)
{
    if (!pmt_rt_recording())
        return NULL;
    struct pmt_thread *t = &pmt_self;
    if (__atomic_load_n(&t->busy, __ATOMIC_RELAXED))
        return NULL;
    __atomic_store_n(&t->busy, 1, __ATOMIC_RELAXED);
    /* Only the compiler must not move the loads below above the busy
     * store: the exit handler, and a thread that makes the seq counter
     * shared, supply the matching full barrier on every thread at once
     * with membarrier() (an asymmetric Dekker handshake), so this path
     * pays no fence instruction. */
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (!pmt_rt_recording() ||
        (__builtin_expect(!t->registered, 0) && !pmt_stream_join(t))) {
        __atomic_store_n(&t->busy, 0, __ATOMIC_RELAXED);
        return NULL;
    }
    return t;
}

static inline void pmt_stream_leave(struct pmt_thread *t)
{
    /* Release: whoever sees busy == 0 sees the records written. */
    __atomic_store_n(&t->busy, 0, __ATOMIC_RELEASE);
}

/*
 * Sequence numbers: one counter for the whole process, incremented by
 * every record. The order of its values must agree with each thread's
 * program order and with every synchronisation between threads.
 *
 * Shared mode: a relaxed atomic fetch_add is enough. All increments are
 * read-modify-writes of a single atomic object, so they have one
 * modification order, and that order is consistent with happens-before
 * (write-write coherence): if event A happens before event B - same thread
 * in program order, or A precedes a release (an unlock, an atomic store)
 * that B's thread acquired before B - then A's increment precedes B's in
 * the counter's modification order and A gets the smaller number.
 *
 * Single mode: while only one registered thread records, nobody else
 * writes the counter and a plain load and store do the same. This matters:
 * a locked add waits for the store buffer to drain, which exposes the
 * latency of the program's own store that was just traced; in a
 * store-heavy program that was a third of the tracing cost. Only
 * registered threads take numbers, and joining the registry happens in
 * pmt_stream_enter, before any lock; the second thread to join switches
 * the counter to shared mode for good, then makes every registered thread
 * pass a full barrier (membarrier) and waits until none is inside the
 * runtime: an increment begun before the switch has finished, and one
 * begun after sees the flag. Without membarrier the counter is shared from
 * the start.
 */
struct pmt_seq_counter {
    /* Alone on its cache line (a struct's size is a multiple of its
     * alignment): in shared mode every thread writes it. */
    _Alignas(64) uint64_t last;
};
extern struct pmt_seq_counter pmt_seq_counter;
extern bool pmt_seq_shared;

static inline uint64_t pmt_seq_next(void)
{
    if (__builtin_expect(!__atomic_load_n(&pmt_seq_shared, __ATOMIC_RELAXED),
                         1)) {
        uint64_t next =
            __atomic_load_n(&pmt_seq_counter.last, __ATOMIC_RELAXED) + 1;
        __atomic_store_n(&pmt_seq_counter.last, next, __ATOMIC_RELAXED);
        return next;
    }
    return __atomic_add_fetch(&pmt_seq_counter.last, 1, __ATOMIC_RELAXED);
}

/* The first 8 bytes of a record (struct pmt_rec without seq) as one store:
 * kind, flags, len, site, little-endian. */
static inline uint64_t pmt_rec_head(unsigned kind, unsigned flags, uint32_t len,
                                    uint32_t site)
{
    return (uint64_t)kind | (uint64_t)flags << 8 | (uint64_t)len << 16 |
           (uint64_t)site << 32;
}

/* Bytes left in the open block, 0 when none is open. */
static inline uint32_t pmt_stream_room(const struct pmt_thread *t)
{
    return t->block != NULL ? PMT_BLOCK_PAYLOAD - t->used : 0;
}

/* Seal the open block (if any) and open the thread's next one; false when
 * the trace cannot take more records. */
bool pmt_stream_next_block(struct pmt_thread *t);

/* Where a record of len bytes (<= PMT_BLOCK_PAYLOAD - 24) goes, or NULL. */
static inline void *pmt_stream_reserve(struct pmt_thread *t, uint32_t len)
{
    if (__builtin_expect(pmt_stream_room(t) < len, 0) &&
        !pmt_stream_next_block(t))
        return NULL;
    return (char *)(t->block + 1) + t->used;
}

static inline void pmt_stream_commit(struct pmt_thread *t, uint32_t len)
{
    t->used += len;
    __atomic_store_n(&t->block->used, t->used, __ATOMIC_RELEASE);
}

/*
 * Process exit, in three steps once recording is off:
 *  - pmt_stream_stop() waits until every live thread is outside the
 *    runtime (and marks those it could see so);
 *  - pmt_stream_enter_last() enters the calling thread although recording
 *    is off, so the exit handler can write the trace's last record;
 *  - pmt_stream_seal_all() seals the open block of the calling thread and
 *    of every thread pmt_stream_stop() saw quiet.
 */
void pmt_stream_stop(void);

static inline struct pmt_thread *pmt_stream_enter_last(void)
{
    struct pmt_thread *t = &pmt_self;
    if (__atomic_load_n(&t->busy, __ATOMIC_RELAXED))
        return NULL;
    __atomic_store_n(&t->busy, 1, __ATOMIC_RELAXED);
    if (!t->registered && !pmt_stream_join(t)) {
        __atomic_store_n(&t->busy, 0, __ATOMIC_RELAXED);
        return NULL;
    }
    return t;
}

void pmt_stream_seal_all(void);

#endif /* PMT_STREAM_H */
