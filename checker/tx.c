/*
 * tx.c - PMDK transactions in the model: the ranges a transaction added or
 * allocated, the rules judged on them (tx-unlogged-store,
 * tx-redundant-add), and what commit and abort do to the stores in them.
 *
 * Per thread (PMDK transactions are per thread), nested transactions are
 * flattened into the outermost: TX_BEGIN/TX_END count the depth, and the
 * transaction is active from the outermost TX_BEGIN until the outermost
 * TX_COMMIT or any TX_ABORT (an abort at any depth aborts them all). The
 * ranges live in a rangeset (rangeset.h), emptied when the outermost
 * TX_END comes, so memory is bounded by one transaction.
 *
 * While active:
 *   STORE, STORE_FILL, NT_STORE to pmem not wholly inside the ranges (at
 *       that moment: an add after the store does not log it) is a suspect;
 *       when the transaction commits, aborts or ends, each suspect the
 *       program has not flushed itself (a FLUSH of its thread, inside the
 *       transaction, after the store, whose range covers it) is
 *       tx-unlogged-store at the store, with a note at the TX_BEGIN. A
 *       store the program persists itself inside a transaction is a
 *       deliberate write around the undo log - PMDK's examples append to a
 *       log with pmemobj_memcpy_persist into free space, then log and move
 *       the offset that publishes it - so it is not reported; a store left
 *       to the transaction to persist is;
 *   TX_ADD wholly inside the ranges: tx-redundant-add at the add, with a
 *       note at the add (or allocation) that first covered its start;
 *   TX_ADD, TX_ALLOC: their range joins the ranges.
 * At the outermost TX_COMMIT the live stores in the lines of every range
 * not flagged NO_FLUSH are persistent: the library flushes the ranges and
 * drains before the commit returns (its flushes also come as LIB_WRITEs;
 * this holds when a trace lacks them). At TX_ABORT the live stores wholly
 * inside the ranges are dropped: the library restores what was added (its
 * LIB_WRITEs carry the restored bytes) and frees what was allocated, so
 * those stores are no longer the program's to persist.
 */
#include "model_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Suspects kept per transaction; past this many, a suspect is reported at
 * once (a program storing that often outside its log has the bug anyway,
 * and memory stays bounded). */
#define SUSPECTS_MAX 65536u

/* A store not in the ranges, not yet flushed by the program. */
struct suspect {
    uint64_t seq;
    uint64_t lo, hi;
    uint32_t site;
    uint32_t kind;
};

struct tx_state {
    uint32_t depth; /* TX_BEGINs not yet ended */
    bool active;    /* between the outermost begin and commit or abort */
    uint32_t begin_site;
    struct rangeset ranges;
    struct suspect *suspects; /* in program order */
    size_t nsuspects, cap;
};

void model_tx_free(struct tx_state *tx)
{
    if (tx == NULL)
        return;
    rangeset_destroy(&tx->ranges);
    free(tx->suspects);
    free(tx);
}

static struct tx_state *thread_tx(struct pmc_model *m, uint32_t thread,
                                  struct pmc_error *err)
{
    struct thread_state *ts = model_thread(m, thread, err);
    if (ts == NULL)
        return NULL;
    if (ts->tx == NULL) {
        ts->tx = calloc(1, sizeof(*ts->tx));
        if (ts->tx == NULL) {
            model_oom(err);
            return NULL;
        }
        rangeset_init(&ts->tx->ranges);
    }
    return ts->tx;
}

/* The transaction of the event's thread when it is active, else NULL. */
static struct tx_state *active_tx(const struct pmc_model *m, uint32_t thread)
{
    if (m->tx_active == 0 || thread >= m->nthreads)
        return NULL;
    struct tx_state *tx = m->threads[thread].tx;
    return tx != NULL && tx->active ? tx : NULL;
}

/* ---- tx-unlogged-store ------------------------------------------------- */

static int report_unlogged(struct pmc_model *m, const struct tx_state *tx,
                           const struct suspect *s, struct pmc_error *err)
{
    int repeat =
        model_repeat(m, PMC_RULE_TX_UNLOGGED_STORE, s->site, s->seq, err);
    if (repeat != 0)
        return repeat < 0 ? -1 : 0;
    struct pmc_finding f;
    pmc_finding_init(&f, PMC_RULE_TX_UNLOGGED_STORE, s->site, s->seq);
    model_finding_range(m, &f, s->lo, s->hi - s->lo);
    char where[128];
    model_where(m, s->lo, where, sizeof(where));
    snprintf(f.message, sizeof(f.message),
             "%s of %" PRIu64 " bytes to pmem (%s) inside a transaction, to "
             "memory neither added to it nor allocated in it",
             s->kind == PMT_STORE_FILL ? "memset" : "store", s->hi - s->lo,
             where);
    pmc_finding_note(&f, PMC_NOTE_TX, tx->begin_site,
                     "the transaction began here");
    return model_report(m, &f, err);
}

/* The transaction is over: its suspects are findings. */
static int judge_suspects(struct pmc_model *m, struct tx_state *tx,
                          struct pmc_error *err)
{
    for (size_t i = 0; i < tx->nsuspects; i++)
        if (report_unlogged(m, tx, &tx->suspects[i], err) != 0)
            return -1;
    tx->nsuspects = 0;
    return 0;
}

static int deactivate(struct pmc_model *m, struct tx_state *tx,
                      struct pmc_error *err)
{
    if (!tx->active)
        return 0;
    tx->active = false;
    m->tx_active--;
    return judge_suspects(m, tx, err);
}

static int suspect_push(struct tx_state *tx, const struct suspect *s)
{
    if (tx->nsuspects == tx->cap) {
        size_t cap = tx->cap ? tx->cap * 2 : 16;
        struct suspect *p = realloc(tx->suspects, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        tx->suspects = p;
        tx->cap = cap;
    }
    tx->suspects[tx->nsuspects++] = *s;
    return 0;
}

int model_tx_store(struct pmc_model *m, const struct pmc_event *ev,
                   struct pmc_error *err)
{
    struct tx_state *tx = active_tx(m, ev->thread);
    if (tx == NULL || ev->len == 0)
        return 0;
    const struct pmc_region *r =
        region_lookup_range(&m->regions, ev->addr, ev->len);
    if (r == NULL)
        return 0;
    /* Only the part in pmem is the transaction's business. */
    uint64_t lo = ev->addr > r->addr ? ev->addr : r->addr;
    uint64_t hi = range_end(ev->addr, ev->len);
    uint64_t region_end = range_end(r->addr, r->len);
    if (hi > region_end)
        hi = region_end;
    if (rangeset_covers(&tx->ranges, lo, hi))
        return 0;
    struct suspect s = {ev->seq, lo, hi, ev->site, ev->kind};
    if (tx->nsuspects == SUSPECTS_MAX)
        return report_unlogged(m, tx, &s, err);
    return suspect_push(tx, &s) != 0 ? model_oom(err) : 0;
}

/* A flush of the program clears the suspects it covers. Its own range
 * counts, not its lines: a flush of data next to an unlogged store (a copy
 * that persists what follows a log's header) must not excuse the store;
 * a flush instruction's range is its line, flushed on purpose. */
void model_tx_flush(struct pmc_model *m, const struct pmc_event *ev)
{
    struct tx_state *tx = active_tx(m, ev->thread);
    if (tx == NULL || tx->nsuspects == 0 || ev->len == 0)
        return;
    uint64_t lo = ev->addr;
    uint64_t hi = range_end(ev->addr, ev->len);
    size_t kept = 0;
    for (size_t i = 0; i < tx->nsuspects; i++) {
        const struct suspect *s = &tx->suspects[i];
        if (s->lo >= lo && s->hi <= hi)
            continue;
        tx->suspects[kept++] = *s;
    }
    tx->nsuspects = kept;
}

static int report_redundant_add(struct pmc_model *m, const struct pmc_event *ev,
                                const struct range *first,
                                struct pmc_error *err)
{
    int repeat =
        model_repeat(m, PMC_RULE_TX_REDUNDANT_ADD, ev->site, ev->seq, err);
    if (repeat != 0)
        return repeat < 0 ? -1 : 0;
    bool allocated = first->tag.kind == PMT_TX_ALLOC;
    struct pmc_finding f;
    pmc_finding_init(&f, PMC_RULE_TX_REDUNDANT_ADD, ev->site, ev->seq);
    model_finding_range(m, &f, ev->addr, ev->len);
    char where[128];
    model_where(m, ev->addr, where, sizeof(where));
    snprintf(f.message, sizeof(f.message),
             "%s (%" PRIu64 " bytes) is added to a transaction that already "
             "%s it",
             where, ev->len, allocated ? "allocated" : "added");
    pmc_finding_note(&f, PMC_NOTE_TX, first->tag.site,
                     allocated ? "allocated in the transaction here"
                               : "first added here");
    return model_report(m, &f, err);
}

static int tx_range(struct pmc_model *m, const struct pmc_event *ev,
                    struct pmc_error *err)
{
    struct tx_state *tx = active_tx(m, ev->thread);
    if (tx == NULL || ev->len == 0)
        return 0;
    uint64_t hi = range_end(ev->addr, ev->len);
    if (ev->kind == PMT_TX_ADD && rangeset_covers(&tx->ranges, ev->addr, hi) &&
        report_redundant_add(m, ev, rangeset_find(&tx->ranges, ev->addr),
                             err) != 0)
        return -1;
    struct range_tag tag = {ev->site, (uint8_t)ev->kind, (uint8_t)ev->flags};
    if (rangeset_add(&tx->ranges, ev->addr, hi, tag) != 0)
        return model_oom(err);
    return 0;
}

/* ---- commit and abort ------------------------------------------------- */

/* Every live part of the lines meeting [lo, hi) is persistent at seq: the
 * library flushed the range, and a flush writes whole lines back. */
static int persist_lines(struct pmc_model *m, uint64_t lo, uint64_t hi,
                         uint64_t seq)
{
    struct line_list *lines = &m->scratch_lines;
    if (linetab_keys_in_range(&m->lines, lo, hi, lines) != 0)
        return -1;
    for (size_t i = 0; i < lines->count; i++) {
        struct model_line *line = linetab_find(&m->lines, lines->addrs[i]);
        if (persist_prefix(m, line, line->nstores - 1, seq) != 0)
            return -1;
    }
    return 0;
}

static int commit(struct pmc_model *m, struct tx_state *tx, uint64_t seq)
{
    if (m->opts.persistency != PMC_PERSIST_ADR)
        return 0; /* stores are persistent already (NT ones wait) */
    for (size_t i = 0; i < tx->ranges.count; i++) {
        const struct range *r = &tx->ranges.items[i];
        if (!(r->tag.flags & PMT_TX_NO_FLUSH) &&
            persist_lines(m, r->lo, r->hi, seq) != 0)
            return -1;
    }
    return 0;
}

/* Drop the live parts of one line that lie wholly in [lo, hi). */
static void drop_parts(struct pmc_model *m, struct model_line *line,
                       uint64_t lo, uint64_t hi)
{
    uint32_t kept = 0;
    for (uint32_t i = 0; i < line->nstores; i++) {
        const struct pmc_live_store *s = &line->stores[i];
        uint64_t s_lo = line->addr + s->offset;
        if (s_lo >= lo && s_lo + s->len <= hi)
            continue;
        line->stores[kept++] = *s;
    }
    m->live_stores -= line->nstores - kept;
    line->nstores = kept;
    if (kept == 0) {
        line_release_stores(m, line);
        linetab_remove(&m->lines, line);
    }
}

static int abort_ranges(struct pmc_model *m, struct tx_state *tx)
{
    struct line_list *lines = &m->scratch_lines;
    for (size_t i = 0; i < tx->ranges.count; i++) {
        const struct range *r = &tx->ranges.items[i];
        if (linetab_keys_in_range(&m->lines, r->lo, r->hi, lines) != 0)
            return -1;
        for (size_t k = 0; k < lines->count; k++)
            drop_parts(m, linetab_find(&m->lines, lines->addrs[k]), r->lo,
                       r->hi);
    }
    return 0;
}

/* The trace ended inside transactions: their suspects are findings (the
 * transactions never commit; recovery rolls back only what was logged). */
int model_tx_finish(struct pmc_model *m, struct pmc_error *err)
{
    for (size_t i = 0; i < m->nthreads && m->tx_active != 0; i++) {
        struct tx_state *tx = m->threads[i].tx;
        if (tx != NULL && deactivate(m, tx, err) != 0)
            return -1;
    }
    return 0;
}

/* ---- dispatch ----------------------------------------------------------- */

static int tx_begin(struct pmc_model *m, const struct pmc_event *ev,
                    struct pmc_error *err)
{
    struct tx_state *tx = thread_tx(m, ev->thread, err);
    if (tx == NULL)
        return -1;
    if (tx->depth++ == 0) {
        rangeset_clear(&tx->ranges);
        tx->active = true;
        tx->begin_site = ev->site;
        m->tx_active++;
    }
    return 0;
}

static int tx_outcome(struct pmc_model *m, const struct pmc_event *ev,
                      struct pmc_error *err)
{
    struct tx_state *tx = active_tx(m, ev->thread);
    if (tx == NULL)
        return 0;
    if (ev->kind == PMT_TX_ABORT) {
        if (abort_ranges(m, tx) != 0)
            return model_oom(err);
        return deactivate(m, tx, err);
    }
    if (tx->depth > 1)
        return 0; /* a nested commit: the outermost one counts */
    if (commit(m, tx, ev->seq) != 0)
        return model_oom(err);
    return deactivate(m, tx, err);
}

static int tx_end(struct pmc_model *m, const struct pmc_event *ev,
                  struct pmc_error *err)
{
    if (ev->thread >= m->nthreads || m->threads[ev->thread].tx == NULL)
        return 0;
    struct tx_state *tx = m->threads[ev->thread].tx;
    if (tx->depth == 0 || --tx->depth > 0)
        return 0;
    int rc = deactivate(m, tx, err);
    rangeset_clear(&tx->ranges);
    return rc;
}

int model_tx_event(struct pmc_model *m, const struct pmc_event *ev,
                   struct pmc_error *err)
{
    switch (ev->kind) {
    case PMT_TX_BEGIN:
        return tx_begin(m, ev, err);
    case PMT_TX_ADD:
    case PMT_TX_ALLOC:
        return tx_range(m, ev, err);
    case PMT_TX_COMMIT:
    case PMT_TX_ABORT:
        return tx_outcome(m, ev, err);
    case PMT_TX_END:
        return tx_end(m, ev, err);
    default: /* TX_FREE: the object goes at commit; nothing to judge */
        return 0;
    }
}

void pmc_model_tx_ranges(const struct pmc_model *m, pmc_range_fn fn, void *ctx)
{
    for (size_t t = 0; m->tx_active > 0 && t < m->nthreads; t++) {
        const struct tx_state *tx = m->threads[t].tx;
        if (tx == NULL || !tx->active)
            continue;
        for (size_t i = 0; i < tx->ranges.count; i++)
            fn(ctx, tx->ranges.items[i].lo, tx->ranges.items[i].hi);
    }
}
