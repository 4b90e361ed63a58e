/*
 * persist.c - the persistency state machine of model.h: stores, flushes and
 * fences move line parts from DIRTY to FLUSHED to persistent, and the rules
 * that are judged on those moves (redundant-flush, redundant-fence,
 * flush-non-pmem).
 */
#include "model_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t part_mask(unsigned offset, unsigned len)
{
    uint64_t bits = len >= 64 ? UINT64_MAX : (((uint64_t)1 << len) - 1);
    return bits << offset;
}

int persist_prefix(struct pmc_model *m, struct model_line *line, uint32_t last,
                   uint64_t persist_seq)
{
    uint32_t n = last + 1;
    if (m->opts.on_persist != NULL)
        m->opts.on_persist(m->opts.persist_ctx, line->addr, line->stores, n);
    if (m->opts.history) {
        for (uint32_t i = 0; i < n; i++) {
            const struct pmc_live_store *s = &line->stores[i];
            if (history_record(&m->history, line->addr, s->offset, s->len,
                               s->seq, persist_seq, s->site) != 0)
                return -1;
        }
    }
    memmove(line->stores, line->stores + n,
            (line->nstores - n) * sizeof(line->stores[0]));
    line->nstores -= n;
    m->live_stores -= n;
    if (line->nstores == 0) {
        line_release_stores(m, line);
        linetab_remove(&m->lines, line);
    }
    return 0;
}

void line_release_stores(struct pmc_model *m, struct model_line *line)
{
    struct spare_arrays *sp = &m->spares;
    if (line->cap == SPARE_ARRAY_CAP && sp->count < SPARE_ARRAYS_MAX)
        sp->arrays[sp->count++] = line->stores;
    else
        free(line->stores);
    line->stores = NULL;
    line->cap = 0;
}

static struct pmc_live_store *grow_stores(struct pmc_model *m,
                                          struct model_line *line)
{
    struct spare_arrays *sp = &m->spares;
    if (line->cap == 0 && sp->count > 0) {
        line->cap = SPARE_ARRAY_CAP;
        return line->stores = sp->arrays[--sp->count];
    }
    uint32_t cap = line->cap ? line->cap * 2 : SPARE_ARRAY_CAP;
    struct pmc_live_store *p =
        realloc(line->stores, cap * sizeof(line->stores[0]));
    if (p == NULL)
        return NULL;
    line->cap = cap;
    return line->stores = p;
}

static int line_append(struct pmc_model *m, uint64_t addr,
                       const struct pmc_live_store *part,
                       struct model_line **out)
{
    bool created;
    struct model_line *line = linetab_insert(&m->lines, addr, &created);
    if (line == NULL)
        return -1;
    if (line->nstores == line->cap && grow_stores(m, line) == NULL) {
        if (line->nstores == 0)
            linetab_remove(&m->lines, line);
        return -1;
    }
    line->stores[line->nstores++] = *part;
    m->live_stores++;
    *out = line;
    return 0;
}

/* Put a line on the thread's list of lines its next fence persists. */
static int pending_add(struct pmc_model *m, struct thread_state *ts,
                       struct model_line *line, uint32_t thread)
{
    (void)m;
    if (line->mark_thread == thread && line->mark_epoch == ts->epoch)
        return 0;
    line->mark_thread = thread;
    line->mark_epoch = ts->epoch;
    return line_list_push(&ts->pending, line->addr);
}

/*
 * Add live parts for a store (state DIRTY or NT) to every line it touches
 * inside its region. Data of a store outside every region is not pmem and
 * is not modelled.
 */
static int add_live_store(struct pmc_model *m, const struct pmc_event *ev,
                          enum pmc_store_state state, struct thread_state *ts)
{
    const struct pmc_region *r =
        region_lookup_range(&m->regions, ev->addr, ev->len);
    if (r == NULL || ev->len == 0)
        return 0;
    uint64_t from = ev->addr > r->addr ? ev->addr : r->addr;
    uint64_t end = range_end(ev->addr, ev->len);
    uint64_t region_end = range_end(r->addr, r->len);
    if (end > region_end)
        end = region_end;
    bool fill = ev->kind == PMT_STORE_FILL;
    for (uint64_t a = from; a < end;) {
        uint64_t line_addr = a & LINE_MASK;
        unsigned offset = (unsigned)(a - line_addr);
        uint64_t left = end - a;
        unsigned len =
            left < LINE_SIZE - offset ? (unsigned)left : LINE_SIZE - offset;
        struct pmc_live_store part = {
            .seq = ev->seq,
            .data =
                fill || ev->data == NULL ? ev->data : ev->data + (a - ev->addr),
            .site = ev->site,
            .thread = ev->thread,
            .offset = (uint8_t)offset,
            .len = (uint8_t)len,
            .state = (uint8_t)state,
            .flags = fill ? PMC_LIVE_FILL : 0,
        };
        struct model_line *line;
        if (line_append(m, line_addr, &part, &line) != 0)
            return -1;
        if (state == PMC_STORE_NT && pending_add(m, ts, line, ev->thread) != 0)
            return -1;
        a += len;
    }
    return 0;
}

/* Tell on_persist of the part of a persistent write in one line. */
static void persistent_part(struct pmc_model *m, const struct pmc_event *ev,
                            uint64_t line_addr, unsigned offset, unsigned len)
{
    bool fill = ev->kind == PMT_STORE_FILL;
    uint64_t skip = line_addr + offset - ev->addr;
    struct pmc_live_store part = {
        .seq = ev->seq,
        .data = fill || ev->data == NULL ? ev->data : ev->data + skip,
        .site = ev->site,
        .thread = ev->thread,
        .offset = (uint8_t)offset,
        .len = (uint8_t)len,
        .state = PMC_STORE_DIRTY,
        .flags = fill ? PMC_LIVE_FILL : 0,
    };
    m->opts.on_persist(m->opts.persist_ctx, line_addr, &part, 1);
}

/*
 * A write that is persistent as soon as it is made (a library's write, or
 * any store under eADR): every older live part of its lines persists with
 * it, since a line is written back as a whole and in program order.
 */
int model_persistent_write(struct pmc_model *m, const struct pmc_event *ev,
                           struct pmc_error *err)
{
    const struct pmc_region *r =
        region_lookup_range(&m->regions, ev->addr, ev->len);
    if (r == NULL || ev->len == 0)
        return 0;
    uint64_t from = ev->addr > r->addr ? ev->addr : r->addr;
    uint64_t end = range_end(ev->addr, ev->len);
    uint64_t region_end = range_end(r->addr, r->len);
    if (end > region_end)
        end = region_end;
    for (uint64_t a = from; a < end;) {
        uint64_t line_addr = a & LINE_MASK;
        unsigned offset = (unsigned)(a - line_addr);
        uint64_t left = end - a;
        unsigned len =
            left < LINE_SIZE - offset ? (unsigned)left : LINE_SIZE - offset;
        struct model_line *line = linetab_find(&m->lines, line_addr);
        if (line != NULL &&
            persist_prefix(m, line, line->nstores - 1, ev->seq) != 0)
            return model_oom(err);
        if (m->opts.on_persist != NULL)
            persistent_part(m, ev, line_addr, offset, len);
        if (m->opts.history &&
            history_record(&m->history, line_addr, offset, len, ev->seq,
                           ev->seq, ev->site) != 0)
            return model_oom(err);
        a += len;
    }
    return 0;
}

/* A locked RMW (PMT_STORE_LOCKED) is a store followed by a fence. */
static int locked_store_fence(struct pmc_model *m, const struct pmc_event *ev,
                              struct pmc_error *err)
{
    struct pmc_event fence = *ev;
    fence.kind = PMT_FENCE;
    fence.flags = PMT_FENCE_LOCKED;
    return model_fence(m, &fence, err);
}

int model_store(struct pmc_model *m, const struct pmc_event *ev,
                struct pmc_error *err)
{
    if (m->opts.persistency == PMC_PERSIST_EADR) {
        if (model_persistent_write(m, ev, err) != 0)
            return -1;
    } else {
        if (add_live_store(m, ev, PMC_STORE_DIRTY, NULL) != 0)
            return model_oom(err);
    }
    if (ev->kind == PMT_STORE && (ev->flags & PMT_STORE_LOCKED))
        return locked_store_fence(m, ev, err);
    return 0;
}

int model_nt_store(struct pmc_model *m, const struct pmc_event *ev,
                   struct pmc_error *err)
{
    struct thread_state *ts = model_thread(m, ev->thread, err);
    if (ts == NULL)
        return -1;
    /* Counted even outside pmem: an NT store to DRAM needs its fence too,
     * for other threads to see it in order. */
    ts->unfenced++;
    if (add_live_store(m, ev, PMC_STORE_NT, ts) != 0)
        return model_oom(err);
    return 0;
}

/* ---- flushes -------------------------------------------------------- */

static struct flush_memo *memo_slot(struct pmc_model *m, uint64_t line)
{
    return &m->flush_memo[(line / LINE_SIZE) % FLUSH_MEMO_SLOTS];
}

static int report_flush_non_pmem(struct pmc_model *m,
                                 const struct pmc_event *ev,
                                 struct pmc_error *err)
{
    int repeat =
        model_repeat(m, PMC_RULE_FLUSH_NON_PMEM, ev->site, ev->seq, err);
    if (repeat != 0)
        return repeat < 0 ? -1 : 0;
    struct pmc_finding f;
    pmc_finding_init(&f, PMC_RULE_FLUSH_NON_PMEM, ev->site, ev->seq);
    model_finding_range(m, &f, ev->addr, ev->len);
    snprintf(f.message, sizeof(f.message),
             "flush of 0x%" PRIx64 " (%" PRIu64
             " bytes) is outside every pmem region",
             ev->addr, ev->len);
    return model_report(m, &f, err);
}

static int report_redundant_flush(struct pmc_model *m,
                                  const struct pmc_event *ev,
                                  const struct flush_memo *previous,
                                  struct pmc_error *err)
{
    int repeat =
        model_repeat(m, PMC_RULE_REDUNDANT_FLUSH, ev->site, ev->seq, err);
    if (repeat != 0)
        return repeat < 0 ? -1 : 0;
    struct pmc_finding f;
    pmc_finding_init(&f, PMC_RULE_REDUNDANT_FLUSH, ev->site, ev->seq);
    model_finding_range(m, &f, ev->addr, ev->len);
    char where[128];
    model_where(m, ev->addr, where, sizeof(where));
    if (m->opts.persistency == PMC_PERSIST_EADR)
        snprintf(f.message, sizeof(f.message),
                 "flush of %s (%" PRIu64
                 " bytes) is not needed under eADR: caches are persistent",
                 where, ev->len);
    else
        snprintf(f.message, sizeof(f.message),
                 "flush of %s (%" PRIu64
                 " bytes) has no unflushed store to write back",
                 where, ev->len);
    if (previous != NULL)
        pmc_finding_note(&f, PMC_NOTE_FLUSH, previous->site,
                         "the line was flushed here before");
    return model_report(m, &f, err);
}

/* Apply a flush to one live line. Returns whether it found a DIRTY part;
 * -1 without memory. */
static int flush_line(struct pmc_model *m, const struct pmc_event *ev,
                      struct thread_state *ts, struct model_line *line)
{
    bool clflush = ev->flags == PMT_FLUSH_CLFLUSH;
    int64_t last_dirty = -1;
    for (uint32_t i = 0; i < line->nstores; i++) {
        struct pmc_live_store *s = &line->stores[i];
        if (s->state != PMC_STORE_DIRTY || s->seq >= ev->seq)
            continue;
        last_dirty = i;
        if (!clflush) {
            s->state = PMC_STORE_FLUSHED;
            s->flush_site = ev->site;
            s->flush_thread = ev->thread;
        }
    }
    if (last_dirty < 0)
        return 0;
    /* clflush is ordered by itself: the line is persistent now. */
    if (clflush)
        return persist_prefix(m, line, (uint32_t)last_dirty, ev->seq) != 0 ? -1
                                                                           : 1;
    return pending_add(m, ts, line, ev->thread) != 0 ? -1 : 1;
}

int model_flush(struct pmc_model *m, const struct pmc_event *ev,
                struct pmc_error *err)
{
    struct thread_state *ts = model_thread(m, ev->thread, err);
    if (ts == NULL)
        return -1;
    bool needs_fence = ev->flags != PMT_FLUSH_CLFLUSH;
    if (region_lookup_range(&m->regions, ev->addr, ev->len) == NULL) {
        /* The memory may be pmem pmcheck was not told of: its fence is
         * then needed, and warning about it too would repeat one cause. */
        if (needs_fence)
            ts->unfenced++;
        return report_flush_non_pmem(m, ev, err);
    }
    uint64_t first_line = ev->addr & LINE_MASK;
    struct flush_memo *memo = memo_slot(m, first_line);
    const struct flush_memo previous = *memo;
    memo->line = first_line;
    memo->site = ev->site;

    bool useful = false;
    if (m->opts.persistency == PMC_PERSIST_ADR) {
        struct line_list *lines = &m->scratch_lines;
        if (linetab_keys_in_range(&m->lines, ev->addr,
                                  range_end(ev->addr, ev->len), lines) != 0)
            return model_oom(err);
        for (size_t i = 0; i < lines->count; i++) {
            struct model_line *line = linetab_find(&m->lines, lines->addrs[i]);
            int found = flush_line(m, ev, ts, line);
            if (found < 0)
                return model_oom(err);
            useful |= found > 0;
        }
    }
    if (useful) {
        if (needs_fence)
            ts->unfenced++;
        return 0;
    }
    bool known = previous.line == first_line;
    return report_redundant_flush(m, ev, known ? &previous : NULL, err);
}

/* ---- fences --------------------------------------------------------- */

static const char *fence_name(uint32_t kind)
{
    switch (kind) {
    case PMT_FENCE_SFENCE:
        return "sfence";
    case PMT_FENCE_MFENCE:
        return "mfence";
    case PMT_FENCE_LIB:
        return "library drain (pmem_drain)";
    default:
        return "fence";
    }
}

static bool fence_is_redundant(const struct pmc_event *ev,
                               const struct thread_state *ts)
{
    if (ev->flags == PMT_FENCE_LOCKED || ts->unfenced > 0)
        return false;
    /* pmem_persist = pmem_flush + pmem_drain from one call site. */
    bool persist_call = ev->flags == PMT_FENCE_LIB &&
                        ts->prev_kind == PMT_FLUSH && ts->prev_site == ev->site;
    return !persist_call;
}

static int report_redundant_fence(struct pmc_model *m,
                                  const struct pmc_event *ev,
                                  const struct thread_state *ts,
                                  struct pmc_error *err)
{
    int repeat =
        model_repeat(m, PMC_RULE_REDUNDANT_FENCE, ev->site, ev->seq, err);
    if (repeat != 0)
        return repeat < 0 ? -1 : 0;
    struct pmc_finding f;
    pmc_finding_init(&f, PMC_RULE_REDUNDANT_FENCE, ev->site, ev->seq);
    snprintf(f.message, sizeof(f.message),
             "%s with no flush or non-temporal store of thread %" PRIu32
             " to order",
             fence_name(ev->flags), ev->thread);
    if (ts->has_fenced)
        pmc_finding_note(&f, PMC_NOTE_FENCE, ts->last_fence_site,
                         "previous fence of thread %" PRIu32, ev->thread);
    return model_report(m, &f, err);
}

/* Persist, in one line, the parts this thread's fence orders, and with
 * them every older part of the line. */
static int fence_line(struct pmc_model *m, struct model_line *line,
                      uint32_t thread, uint64_t seq)
{
    int64_t last = -1;
    for (uint32_t i = 0; i < line->nstores; i++) {
        const struct pmc_live_store *s = &line->stores[i];
        if ((s->state == PMC_STORE_FLUSHED && s->flush_thread == thread) ||
            (s->state == PMC_STORE_NT && s->thread == thread))
            last = i;
    }
    if (last < 0)
        return 0;
    return persist_prefix(m, line, (uint32_t)last, seq);
}

int model_fence(struct pmc_model *m, const struct pmc_event *ev,
                struct pmc_error *err)
{
    struct thread_state *ts = model_thread(m, ev->thread, err);
    if (ts == NULL)
        return -1;
    if (fence_is_redundant(ev, ts) &&
        report_redundant_fence(m, ev, ts, err) != 0)
        return -1;
    for (size_t i = 0; i < ts->pending.count; i++) {
        struct model_line *line = linetab_find(&m->lines, ts->pending.addrs[i]);
        if (line != NULL && fence_line(m, line, ev->thread, ev->seq) != 0)
            return model_oom(err);
    }
    ts->pending.count = 0;
    ts->unfenced = 0;
    ts->epoch++;
    ts->has_fenced = true;
    ts->last_fence_site = ev->site;
    return 0;
}
