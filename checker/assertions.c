/*
 * assertions.c - the annotations PMT_ASSERT_PERSISTED and
 * PMT_ASSERT_ORDERED (rules assert-persisted and assert-ordered; the
 * semantics are in model.h).
 */
#include "model_internal.h"

#include <inttypes.h>
#include <stdio.h>

/* The bytes [lo, hi) of the line that [addr, addr + len) covers. */
static void line_span(uint64_t line, uint64_t addr, uint64_t end, unsigned *lo,
                      unsigned *hi)
{
    *lo = addr > line ? (unsigned)(addr - line) : 0;
    *hi = end - line < LINE_SIZE ? (unsigned)(end - line) : LINE_SIZE;
}

/* ---- assert-persisted ----------------------------------------------- */

static const char *state_words(uint8_t state)
{
    switch (state) {
    case PMC_STORE_DIRTY:
        return "not flushed";
    case PMC_STORE_FLUSHED:
        return "flushed but not fenced";
    case PMC_STORE_NT:
        return "non-temporal, not fenced";
    }
    return "not persistent";
}

/* The newest live part of the line that covers byte b. */
static const struct pmc_live_store *latest_part(const struct model_line *line,
                                                unsigned b)
{
    for (uint32_t i = line->nstores; i-- > 0;) {
        const struct pmc_live_store *s = &line->stores[i];
        if (b >= s->offset && b < (unsigned)s->offset + s->len)
            return s;
    }
    return NULL;
}

static int report_not_persisted(struct pmc_model *m, const struct pmc_event *ev,
                                uint64_t bad,
                                const struct pmc_live_store *first,
                                struct pmc_error *err)
{
    int repeat =
        model_repeat(m, PMC_RULE_ASSERT_PERSISTED, ev->site, ev->seq, err);
    if (repeat != 0)
        return repeat < 0 ? -1 : 0;
    char where[128];
    model_where(m, ev->addr, where, sizeof(where));
    struct pmc_finding f;
    pmc_finding_init(&f, PMC_RULE_ASSERT_PERSISTED, ev->site, ev->seq);
    model_finding_range(m, &f, ev->addr, ev->len);
    snprintf(f.message, sizeof(f.message),
             "range asserted persistent is not: %" PRIu64 " of %" PRIu64
             " bytes at %s are not guaranteed persistent",
             bad, ev->len, where);
    pmc_finding_note(&f, PMC_NOTE_STORE, first->site,
                     "latest store to the range, %s",
                     state_words(first->state));
    if (first->state == PMC_STORE_FLUSHED)
        pmc_finding_note(&f, PMC_NOTE_FLUSH, first->flush_site,
                         "flushed here; no fence of thread %" PRIu32 " since",
                         first->flush_thread);
    return model_report(m, &f, err);
}

int model_assert_persisted(struct pmc_model *m, const struct pmc_event *ev,
                           struct pmc_error *err)
{
    uint64_t end = range_end(ev->addr, ev->len);
    struct line_list *lines = &m->scratch_lines;
    if (linetab_keys_in_range(&m->lines, ev->addr, end, lines) != 0)
        return model_oom(err);
    uint64_t bad = 0;
    const struct pmc_live_store *first = NULL;
    for (size_t i = 0; i < lines->count; i++) {
        const struct model_line *line =
            linetab_find(&m->lines, lines->addrs[i]);
        unsigned lo, hi;
        line_span(line->addr, ev->addr, end, &lo, &hi);
        uint64_t live = 0;
        for (uint32_t s = 0; s < line->nstores; s++)
            live |= part_mask(line->stores[s].offset, line->stores[s].len);
        live &= part_mask(lo, hi - lo);
        if (live == 0)
            continue;
        bad += (uint64_t)__builtin_popcountll(live);
        if (first == NULL)
            first = latest_part(line, (unsigned)__builtin_ctzll(live));
    }
    if (bad == 0)
        return 0;
    return report_not_persisted(m, ev, bad, first, err);
}

/* ---- assert-ordered ------------------------------------------------- */

/* The latest store of every byte of a line: live parts, then history. */
static void line_latest(const struct pmc_model *m, uint64_t line_addr,
                        struct store_time bytes[LINE_SIZE])
{
    for (unsigned b = 0; b < LINE_SIZE; b++)
        bytes[b] = (struct store_time){0};
    const struct model_line *line = linetab_find(&m->lines, line_addr);
    for (uint32_t i = line ? line->nstores : 0; i-- > 0;) {
        const struct pmc_live_store *s = &line->stores[i];
        for (unsigned b = s->offset; b < (unsigned)s->offset + s->len; b++) {
            if (!bytes[b].exists)
                bytes[b] =
                    (struct store_time){s->seq, PERSIST_NEVER, s->site, true};
        }
    }
    history_fill(&m->history, line_addr, bytes);
}

/* Range a in one line: its latest stores, newest stored and latest to
 * persist. */
struct a_line {
    uint64_t line;
    bool exists;
    struct store_time newest;       /* max seq */
    struct store_time last_persist; /* max persist_seq */
};

static struct a_line summarize_a(const struct pmc_model *m, uint64_t line,
                                 uint64_t addr, uint64_t end)
{
    struct store_time bytes[LINE_SIZE];
    line_latest(m, line, bytes);
    unsigned lo, hi;
    line_span(line, addr, end, &lo, &hi);
    struct a_line sum = {.line = line};
    for (unsigned b = lo; b < hi; b++) {
        if (!bytes[b].exists)
            continue;
        if (!sum.exists || bytes[b].seq > sum.newest.seq)
            sum.newest = bytes[b];
        if (!sum.exists || bytes[b].persist_seq > sum.last_persist.persist_seq)
            sum.last_persist = bytes[b];
        sum.exists = true;
    }
    return sum;
}

/* Range b in one line: its oldest latest store. */
static bool oldest_b(const struct pmc_model *m, uint64_t line, uint64_t addr,
                     uint64_t end, struct store_time *oldest)
{
    struct store_time bytes[LINE_SIZE];
    line_latest(m, line, bytes);
    unsigned lo, hi;
    line_span(line, addr, end, &lo, &hi);
    bool found = false;
    for (unsigned b = lo; b < hi; b++) {
        if (bytes[b].exists && (!found || bytes[b].seq < oldest->seq)) {
            *oldest = bytes[b];
            found = true;
        }
    }
    return found;
}

/* The two lines of range a whose stores persisted last, so that for any
 * line of b the latest-persisting a store of another line is at hand. */
struct a_top2 {
    struct a_line first;
    struct a_line second;
};

static struct a_top2 top_persisting_a(const struct pmc_model *m,
                                      const struct line_list *a_lines,
                                      uint64_t a, uint64_t a_end)
{
    struct a_top2 top = {0};
    for (size_t i = 0; i < a_lines->count; i++) {
        struct a_line sum = summarize_a(m, a_lines->addrs[i], a, a_end);
        if (!sum.exists)
            continue;
        uint64_t p = sum.last_persist.persist_seq;
        if (!top.first.exists || p > top.first.last_persist.persist_seq) {
            top.second = top.first;
            top.first = sum;
        } else if (!top.second.exists ||
                   p > top.second.last_persist.persist_seq) {
            top.second = sum;
        }
    }
    return top;
}

struct order_violation {
    struct store_time a_store;
    struct store_time b_store;
    bool same_line;
};

static int report_unordered(struct pmc_model *m, const struct pmc_event *ev,
                            const struct order_violation *v,
                            struct pmc_error *err)
{
    int repeat =
        model_repeat(m, PMC_RULE_ASSERT_ORDERED, ev->site, ev->seq, err);
    if (repeat != 0)
        return repeat < 0 ? -1 : 0;
    /* 80 each: both fit the message whole (gcc checks the bound). */
    char where_a[80], where_b[80];
    model_where(m, ev->addr, where_a, sizeof(where_a));
    model_where(m, ev->addr2, where_b, sizeof(where_b));
    struct pmc_finding f;
    pmc_finding_init(&f, PMC_RULE_ASSERT_ORDERED, ev->site, ev->seq);
    model_finding_range(m, &f, ev->addr, ev->len);
    snprintf(f.message, sizeof(f.message),
             "range a (%s, %" PRIu64 " bytes) may persist after range b "
             "(%s, %" PRIu64 " bytes)",
             where_a, ev->len, where_b, ev->len2);
    if (v->same_line)
        pmc_finding_note(&f, PMC_NOTE_STORE, v->a_store.site,
                         "range a stored here, after range b in the same "
                         "cache line");
    else if (v->a_store.persist_seq == PERSIST_NEVER)
        pmc_finding_note(&f, PMC_NOTE_STORE, v->a_store.site,
                         "range a stored here, not yet guaranteed "
                         "persistent");
    else
        pmc_finding_note(&f, PMC_NOTE_STORE, v->a_store.site,
                         "range a stored here, guaranteed persistent only "
                         "after range b was stored");
    pmc_finding_note(&f, PMC_NOTE_STORE, v->b_store.site,
                     "range b stored here");
    return model_report(m, &f, err);
}

/*
 * The lines of [addr, end) that hold a store, live or in the history, in
 * address order: the only lines an assertion can learn anything from. So
 * an assertion costs what the model holds, never the length of its ranges
 * (walking every line of a range asserted over 2^40 bytes never ended).
 */
static int stored_lines(struct pmc_model *m, uint64_t addr, uint64_t end,
                        struct line_list *out)
{
    struct line_list live = {0}, old = {0};
    int rc = -1;
    out->count = 0;
    if (linetab_keys_in_range(&m->lines, addr, end, &live) != 0 ||
        linetab_keys_in_range(&m->history.lines, addr, end, &old) != 0)
        goto done;
    /* Merge the two ordered lists, each line once. */
    size_t i = 0, j = 0;
    while (i < live.count || j < old.count) {
        bool take_live =
            j == old.count || (i < live.count && live.addrs[i] <= old.addrs[j]);
        uint64_t next = take_live ? live.addrs[i] : old.addrs[j];
        i += i < live.count && live.addrs[i] == next;
        j += j < old.count && old.addrs[j] == next;
        if (line_list_push(out, next) != 0)
            goto done;
    }
    rc = 0;
done:
    line_list_destroy(&live);
    line_list_destroy(&old);
    return rc;
}

/* Is there a byte pair whose order a crash can break? 1 and *v filled, 0,
 * or -1 without memory. */
static int find_violation(struct pmc_model *m, const struct pmc_event *ev,
                          struct order_violation *v)
{
    uint64_t a_end = range_end(ev->addr, ev->len);
    uint64_t b_end = range_end(ev->addr2, ev->len2);
    struct line_list *lines = &m->scratch_lines;
    if (stored_lines(m, ev->addr, a_end, lines) != 0)
        return -1;
    struct a_top2 top = top_persisting_a(m, lines, ev->addr, a_end);
    if (!top.first.exists)
        return 0;
    if (stored_lines(m, ev->addr2, b_end, lines) != 0)
        return -1;
    for (size_t i = 0; i < lines->count; i++) {
        uint64_t line = lines->addrs[i];
        struct store_time sy;
        if (!oldest_b(m, line, ev->addr2, b_end, &sy))
            continue;
        /* Same line: it persists in program order. */
        if (line >= (ev->addr & LINE_MASK) && line < a_end) {
            struct a_line here = summarize_a(m, line, ev->addr, a_end);
            if (here.exists && here.newest.seq > sy.seq) {
                *v = (struct order_violation){here.newest, sy, true};
                return 1;
            }
        }
        /* Other lines: a's store must be persistent by the time b's was
         * stored. */
        const struct a_line *other =
            top.first.line != line ? &top.first : &top.second;
        if (other->exists && other->last_persist.persist_seq > sy.seq) {
            *v = (struct order_violation){other->last_persist, sy, false};
            return 1;
        }
    }
    return 0;
}

int model_assert_ordered(struct pmc_model *m, const struct pmc_event *ev,
                         struct pmc_error *err)
{
    if (!m->opts.history) {
        m->needs_history = true;
        return 0;
    }
    if (ev->len == 0 || ev->len2 == 0)
        return 0;
    struct order_violation v;
    int found = find_violation(m, ev, &v);
    if (found <= 0)
        return found < 0 ? model_oom(err) : 0;
    return report_unordered(m, ev, &v, err);
}
