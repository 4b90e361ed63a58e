/*
 * model_internal.h - the state of a pmc_model, shared by the files that
 * implement model.h:
 *   model.c       life cycle, event dispatch, threads, statistics, messages
 *   persist.c     stores, flushes and fences: the persistency state machine,
 *                 with the rules judged on it (redundant-flush,
 *                 redundant-fence, flush-non-pmem)
 *   durability.c  durability points (unpersisted-store, missing-fence)
 *   assertions.c  assert-persisted and assert-ordered
 *   tx.c          PMDK transactions (tx-unlogged-store, tx-redundant-add;
 *                 commit and abort)
 * A later rule (transactions, crash points) adds its state here and a file
 * of its own, and a case to model.c's dispatch.
 */
#ifndef PMC_MODEL_INTERNAL_H
#define PMC_MODEL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"
#include "linetab.h"
#include "model.h"
#include "rangeset.h"
#include "regions.h"

/* A line with live stores: the linetab entry of pmc_model.lines. */
struct model_line {
    uint64_t addr;                 /* key */
    struct pmc_live_store *stores; /* oldest first */
    uint32_t nstores;
    uint32_t cap;
    /* The last thread that put this line on its pending list, and in which
     * of its fence epochs: a line is listed once per thread and epoch. */
    uint32_t mark_thread;
    uint32_t mark_epoch;
};

struct thread_state {
    /* Lines holding parts that this thread's next fence persists. */
    struct line_list pending;
    /* Useful flushes, flushes outside pmem and NT stores since the last
     * fence: what a fence has to order (redundant-fence). */
    uint64_t unfenced;
    uint32_t epoch; /* 1 + fences so far */
    bool has_fenced;
    uint32_t last_fence_site;
    /* The thread's previous program event (not metadata), to recognise a
     * pmem_persist call's FLUSH + FENCE pair. */
    uint32_t prev_kind;
    uint32_t prev_site;
    /* The thread's PMDK transaction (tx.c), NULL before its first. */
    struct tx_state *tx;
};

/* The last flush per line, direct-mapped: the "previous flush" note of
 * redundant-flush survives the line leaving the live table, in a bounded
 * space (an evicted entry only costs the note). */
#define FLUSH_MEMO_SLOTS 4096u

struct flush_memo {
    uint64_t line; /* LINETAB_EMPTY: unused */
    uint32_t site;
};

/* A live part found at a durability point (durability.c). */
struct offense {
    uint64_t seq;
    uint64_t addr;
    uint32_t len;
    uint32_t site;
    uint32_t flush_site;
    uint32_t thread;
    uint32_t flush_thread;
    uint8_t state;
    uint8_t flags;
};

struct offense_list {
    struct offense *items;
    size_t count;
    size_t cap;
};

/* Store arrays of emptied lines, kept for the next new line: most lines
 * live briefly with a store or two, and malloc/free per line was a fifth
 * of the model's time. Bounded, so it never holds more than it saves. */
#define SPARE_ARRAYS_MAX 1024u
#define SPARE_ARRAY_CAP 4u

struct spare_arrays {
    struct pmc_live_store *arrays[SPARE_ARRAYS_MAX];
    size_t count;
};

struct pmc_model {
    struct pmc_model_options opts;
    struct pmc_findings *out;
    struct linetab lines; /* of struct model_line */
    struct region_table regions;
    struct history history; /* used when opts.history */
    /* (rule, site) pairs reported so far (keys of repeat_key()): a repeat
     * only counts, without building its message, which costs more than the
     * transitions that found it. */
    struct linetab reported;
    struct thread_state *threads; /* indexed by thread number */
    size_t nthreads;
    struct line_list scratch_lines;
    struct offense_list offenses;
    struct spare_arrays spares;
    struct flush_memo flush_memo[FLUSH_MEMO_SLOTS];
    uint64_t events;
    uint64_t live_stores;
    uint64_t peak_live_stores;
    uint64_t peak_lines;
    uint64_t last_seq;
    uint32_t tx_active; /* threads inside an active transaction */
    bool needs_history;
    bool saw_exit;
};

/* model.c */
struct thread_state *model_thread(struct pmc_model *m, uint32_t thread,
                                  struct pmc_error *err);
int model_report(struct pmc_model *m, const struct pmc_finding *f,
                 struct pmc_error *err);
/* When (rule, site) was reported before, count one more occurrence and
 * return 1; 0 when it is new (build it and model_report it); -1 when out
 * of memory. */
int model_repeat(struct pmc_model *m, enum pmc_rule rule, uint32_t site,
                 uint64_t seq, struct pmc_error *err);
/* Set f's region-relative range. */
void model_finding_range(const struct pmc_model *m, struct pmc_finding *f,
                         uint64_t addr, uint64_t len);
/* "pool.pmem+0x40", or "0x7f...": where addr is, for messages. */
void model_where(const struct pmc_model *m, uint64_t addr, char *buf,
                 size_t size);
int model_oom(struct pmc_error *err);

/* persist.c */
int model_store(struct pmc_model *m, const struct pmc_event *ev,
                struct pmc_error *err);
int model_nt_store(struct pmc_model *m, const struct pmc_event *ev,
                   struct pmc_error *err);
int model_persistent_write(struct pmc_model *m, const struct pmc_event *ev,
                           struct pmc_error *err);
int model_flush(struct pmc_model *m, const struct pmc_event *ev,
                struct pmc_error *err);
int model_fence(struct pmc_model *m, const struct pmc_event *ev,
                struct pmc_error *err);
/* Persist stores [0, last] of a line at persist_seq (the line may leave
 * the table). Returns 0, or -1 without memory for the history. */
int persist_prefix(struct pmc_model *m, struct model_line *line, uint32_t last,
                   uint64_t persist_seq);
uint64_t part_mask(unsigned offset, unsigned len);
/* Release a line's store array (to the spares when it is a small one). */
void line_release_stores(struct pmc_model *m, struct model_line *line);

/* durability.c */
enum durability_kind {
    DURABLE_EXIT,       /* an EXIT record */
    DURABLE_END,        /* the trace of an exited program ends */
    DURABLE_UNMAP,      /* REGION_UNMAP */
    DURABLE_ANNOTATION, /* PMT_DURABLE() */
};
int model_durability_point(struct pmc_model *m, enum durability_kind kind,
                           const struct pmc_event *ev, struct pmc_error *err);
int model_unmap(struct pmc_model *m, const struct pmc_event *ev,
                struct pmc_error *err);

/* assertions.c */
int model_assert_persisted(struct pmc_model *m, const struct pmc_event *ev,
                           struct pmc_error *err);
int model_assert_ordered(struct pmc_model *m, const struct pmc_event *ev,
                         struct pmc_error *err);

/* tx.c */
/* TX_BEGIN, TX_ADD, TX_COMMIT, TX_ABORT, TX_END, TX_ALLOC, TX_FREE. */
int model_tx_event(struct pmc_model *m, const struct pmc_event *ev,
                   struct pmc_error *err);
/* A program store (STORE, STORE_FILL, NT_STORE): judged when its thread is
 * inside a transaction. */
int model_tx_store(struct pmc_model *m, const struct pmc_event *ev,
                   struct pmc_error *err);
/* A program FLUSH: it may persist stores a transaction did not log. */
void model_tx_flush(struct pmc_model *m, const struct pmc_event *ev);
/* The trace ends: transactions still open are judged. */
int model_tx_finish(struct pmc_model *m, struct pmc_error *err);
void model_tx_free(struct tx_state *tx);

#endif /* PMC_MODEL_INTERNAL_H */
