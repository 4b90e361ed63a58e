/*
 * xfail.h - cross-failure reads (rule cross-failure-read, DESIGN.md
 * section 2): after a crash, the recovery reads bytes whose last store
 * before the crash was not guaranteed persistent, before it wrote them
 * itself. Such a read sees a value the crash may or may not have kept, so
 * the recovery's behaviour rests on luck even when this run passed.
 *
 * Two halves, used by each job of the crash explorer (crash_xfail.c is
 * the glue):
 *
 * The uncertain set of a crash point. Its bytes are those of the point's
 * live stores, whatever the state chose (in another state of the same
 * point the byte differs), each with the site of its newest live store;
 * minus the exempt ranges: commit variables declared before the point
 * (PMT_COMMIT_VAR: the recovery validates them, a checksum or a valid
 * flag) and the ranges of the PMDK transactions open there (TX_ADD,
 * TX_ALLOC: pmemobj_open rolls them back from the undo log before the
 * recovery sees them - and may write a byte back with the value it had,
 * so the recovery's trace alone could not tell it was restored).
 *
 * A commit variable is exempt only while its oldest live store is newer
 * than every store already guaranteed persistent. Its protocol is: persist the
 * data, then set and persist the variable, then go on; a crash before the
 * variable's fence leaves its old or its new value, and the recovery
 * tells them apart. Once a later store is persistent while the variable
 * is not (it was never flushed, or flushed and never fenced), the program
 * went on as if it were committed, and a crash can show the later work
 * without the commit: reading it then is a cross-failure read again. So
 * a commit variable left unpersisted is still found, declared or not.
 *
 * A scan of the recovery's trace. Its REGION_MAPs tie its addresses to
 * the crash images by file name; its STORE, NT_STORE, STORE_FILL and
 * LIB_WRITE mark bytes written; a LOAD that meets an uncertain byte the
 * recovery had neither written nor read yet is a cross-failure read of
 * the pair (newest live store's site, load site). Only a byte's first
 * read counts: after it, the recovery has seen the value and whatever it
 * did next follows from that read.
 *
 * Sequential crash points (rule in-flight-read). Let L be the point's
 * live stores, less those wholly inside a transaction's ranges (rolled
 * back). When L lies in one cache line of one image, each of its stores
 * is failure-atomic (at most 8 bytes inside one aligned 8-byte word), and
 * each is newer than every store already guaranteed persistent, then a
 * crash there persists a prefix, in program order, of L over a persistent
 * past that holds everything older: exactly what a crash between two
 * instructions leaves. A read of an uncertain byte at such a point sees
 * the old or the new value as after any crash - a value in flight, not a
 * race with relaxed persistency. Anything else (L over two lines, a store
 * that can tear, or a later store persisted first) can show a later
 * store's effect without an earlier one's, a state no sequential crash
 * leaves: a cross-failure read. Declared commit variables stay in L (they
 * are stores the crash decides), and stay exempt as above.
 *
 * Positions. The byte at offset o of image i is XFAIL_POS(i, o): one
 * ordered space spans every image of a trace (images up to 2^48 bytes).
 *
 * Memory: the uncertain set (the point's live bytes, as ranges, and its
 * live parts for the sequential test), the bytes settled in a run
 * (written or read, only where uncertain), and at most XFAIL_MAX_PAIRS
 * pairs per run. Nothing grows with the length of a trace. One struct
 * xfail per thread; no global state.
 */
#ifndef PMC_XFAIL_H
#define PMC_XFAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "model.h"
#include "trace.h"

#define XFAIL_POS_BITS 48
#define XFAIL_POS(img, offset)                                                 \
    (((uint64_t)(img) << XFAIL_POS_BITS) | (uint64_t)(offset))
#define XFAIL_POS_IMAGE(pos) ((uint32_t)((pos) >> XFAIL_POS_BITS))
#define XFAIL_POS_OFFSET(pos) ((pos) & ((UINT64_C(1) << XFAIL_POS_BITS) - 1))

/* Distinct (store, load) pairs kept per run; more are not reported from
 * that run (other states usually show them). */
#define XFAIL_MAX_PAIRS 256u

/* Uncertain bytes [lo, hi) whose newest live store is at site. */
struct xfail_range {
    uint64_t lo, hi;      /* positions */
    uint64_t seq;         /* the oldest live store's seq over these bytes */
    uint32_t site;        /* the newest live store's site (checked trace) */
    uint8_t state;        /* the store's enum pmc_store_state */
    uint32_t region;      /* the checked trace's region of the store */
    uint64_t region_base; /* image offset where that region starts */
};

/* A cross-failure read found in a run: the first one of its pair. */
struct xfail_pair {
    uint32_t store_site; /* checked trace's site */
    uint32_t load_site;  /* the recovery trace's site */
    uint64_t load_seq;   /* the load's seq in the recovery trace */
    uint64_t lo, hi;     /* the uncertain bytes it read first (positions) */
    uint32_t region;     /* of the store, with the offset of lo in it */
    uint64_t region_offset;
    uint8_t state; /* the store's enum pmc_store_state */
    /* lo lies in a declared commit variable (PMT_COMMIT_VAR), uncertain
     * because a later store persisted first: declaring it again is no fix */
    bool commit_var;
};

struct xfail;

/* NULL without memory. */
struct xfail *xfail_new(void);
void xfail_free(struct xfail *x);

/* ---- the uncertain set of a crash point ----------------------------- */

/* Start a crash point's set, empty. */
void xfail_point_begin(struct xfail *x);

/* A live line at line_pos (a line's first position): its live parts,
 * oldest first, as the model gives them (a newer part covers an older).
 * Returns 0, or -1 without memory. */
int xfail_point_line(struct xfail *x, uint64_t line_pos,
                     const struct pmc_live_store *parts, size_t nparts,
                     uint32_t region, uint64_t region_base);

/* Bytes [lo, hi) that are never uncertain at this point (a transaction's
 * ranges). Returns 0, or -1 without memory. */
int xfail_point_exempt(struct xfail *x, uint64_t lo, uint64_t hi);

/* A commit variable [lo, hi): exempt where its oldest live store is newer
 * than every persistent store (see above). Returns 0, or -1 without memory. */
int xfail_point_commit_var(struct xfail *x, uint64_t lo, uint64_t hi);

/* The set is complete: ranges sorted and the exempt bytes taken out;
 * persisted_seq is the newest seq of a store guaranteed persistent at the
 * point (0: none). Returns 0, or -1 without memory. */
int xfail_point_end(struct xfail *x, uint64_t persisted_seq);

/* After xfail_point_end: is every crash state of the point a program-order
 * prefix (see above), so that its reads are in flight, not races? */
bool xfail_point_sequential(const struct xfail *x);

/* The uncertain ranges, sorted and disjoint, after xfail_point_end. */
size_t xfail_point_ranges(const struct xfail *x,
                          const struct xfail_range **out);

/* ---- a run of the recovery ------------------------------------------ */

/* Start a run on images imgs (its REGION_MAPs name them): nothing
 * written, nothing read, no pair. */
void xfail_run_begin(struct xfail *x, const struct image_set *imgs);

/* One event of the recovery's trace, in order. path: a REGION_MAP's file
 * path (NULL otherwise or when unknown). Returns 0, or -1 without memory. */
int xfail_run_event(struct xfail *x, const struct pmc_event *ev,
                    const char *path);

/* The pairs found so far in this run, in the order first read. */
size_t xfail_run_pairs(const struct xfail *x, const struct xfail_pair **out);

#endif /* PMC_XFAIL_H */
