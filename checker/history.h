/*
 * history.h - when each byte's latest persisted store was stored and when
 * it became guaranteed persistent, for the stores that already left the
 * model's live table.
 *
 * assert-ordered compares the persist time of one range's latest store with
 * the store time of another's, and either may have persisted long ago, so
 * the model keeps this history when asked to (pmc_model_options.history).
 * Per line it holds byte ranges -> (store seq, persist seq, site), with
 * equal neighbours coalesced: memory follows the pmem footprint touched,
 * never the length of the trace.
 */
#ifndef PMC_HISTORY_H
#define PMC_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "linetab.h"

/* What is known of one byte's latest store. */
struct store_time {
    uint64_t seq;         /* when it was stored */
    uint64_t persist_seq; /* when it became persistent; UINT64_MAX: not */
    uint32_t site;
    bool exists; /* false: never stored (initial content) */
};

#define PERSIST_NEVER UINT64_MAX

struct history {
    struct linetab lines; /* of struct history_line (history.c) */
};

void history_init(struct history *h);
void history_destroy(struct history *h);

/* The store (seq, site) wrote bytes [offset, offset + len) of the line at
 * `line` and became persistent at persist_seq; it is newer than every store
 * already recorded for those bytes. Returns 0, or -1 without memory. */
int history_record(struct history *h, uint64_t line, unsigned offset,
                   unsigned len, uint64_t seq, uint64_t persist_seq,
                   uint32_t site);

/* Fill the entries of bytes[0..63] of the line that do not exist yet from
 * the history. */
void history_fill(const struct history *h, uint64_t line,
                  struct store_time bytes[LINE_SIZE]);

/* Forget the lines that meet [addr, addr + len) (the region is unmapped).
 * Returns 0, or -1 without memory. */
int history_forget(struct history *h, uint64_t addr, uint64_t len);

uint64_t history_line_count(const struct history *h);

#endif /* PMC_HISTORY_H */
