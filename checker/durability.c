/*
 * durability.c - durability points: every store must be guaranteed
 * persistent here (unpersisted-store, missing-fence).
 *
 * Only a part that is still the latest store of one of its bytes counts:
 * an older store wholly overwritten by newer live ones is reported through
 * them. Parts are gathered first, then sorted by store, so the parts of one
 * store (in two lines) make one occurrence and findings come in program
 * order whatever the hash table's order.
 */
#include "model_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int offense_push(struct offense_list *l, const struct offense *o)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct offense *p = realloc(l->items, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        l->items = p;
        l->cap = cap;
    }
    l->items[l->count++] = *o;
    return 0;
}

static enum pmc_rule offense_rule(const struct offense *o)
{
    return o->state == PMC_STORE_DIRTY ? PMC_RULE_UNPERSISTED_STORE
                                       : PMC_RULE_MISSING_FENCE;
}

static int compare_offenses(const void *a, const void *b)
{
    const struct offense *x = a, *y = b;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    if (offense_rule(x) != offense_rule(y))
        return offense_rule(x) < offense_rule(y) ? -1 : 1;
    return (x->addr > y->addr) - (x->addr < y->addr);
}

/* Gather the line's unreported parts that are the latest store of some
 * byte, newest first, and mark them reported. */
static int gather_line(struct pmc_model *m, struct model_line *line)
{
    uint64_t covered = 0;
    for (uint32_t i = line->nstores; i-- > 0;) {
        struct pmc_live_store *s = &line->stores[i];
        uint64_t mask = part_mask(s->offset, s->len);
        bool latest = (mask & ~covered) != 0;
        covered |= mask;
        if (!latest || (s->flags & PMC_LIVE_REPORTED))
            continue;
        s->flags |= PMC_LIVE_REPORTED;
        struct offense o = {
            .seq = s->seq,
            .addr = line->addr + s->offset,
            .len = s->len,
            .site = s->site,
            .flush_site = s->flush_site,
            .thread = s->thread,
            .flush_thread = s->flush_thread,
            .state = s->state,
            .flags = s->flags,
        };
        if (offense_push(&m->offenses, &o) != 0)
            return -1;
    }
    return 0;
}

static const char *durability_words(enum durability_kind kind)
{
    switch (kind) {
    case DURABLE_EXIT:
        return "durability point: program exit";
    case DURABLE_END:
        return "durability point: program exit (the trace ends without an "
               "exit record)";
    case DURABLE_UNMAP:
        return "durability point: the region is unmapped here";
    case DURABLE_ANNOTATION:
        return "durability point: PMT_DURABLE()";
    }
    return "durability point";
}

/* Report one store, whose parts are o (the first) to o + n - 1. */
static int report_store(struct pmc_model *m, const struct offense *o, size_t n,
                        enum durability_kind kind, uint32_t site,
                        struct pmc_error *err)
{
    int repeat = model_repeat(m, offense_rule(o), o->site, o->seq, err);
    if (repeat != 0)
        return repeat < 0 ? -1 : 0;
    uint64_t end = o->addr + o->len;
    for (size_t i = 1; i < n; i++) {
        if (o[i].addr + o[i].len > end)
            end = o[i].addr + o[i].len;
    }
    uint64_t len = end - o->addr;
    char where[128];
    model_where(m, o->addr, where, sizeof(where));
    const char *what = (o->flags & PMC_LIVE_FILL) ? "memset" : "store";

    struct pmc_finding f;
    pmc_finding_init(&f, offense_rule(o), o->site, o->seq);
    model_finding_range(m, &f, o->addr, len);
    if (o->state == PMC_STORE_DIRTY) {
        snprintf(f.message, sizeof(f.message),
                 "%s of %" PRIu64 " bytes to pmem (%s) is never made "
                 "persistent",
                 what, len, where);
    } else if (o->state == PMC_STORE_FLUSHED) {
        snprintf(f.message, sizeof(f.message),
                 "%s of %" PRIu64 " bytes to pmem (%s) is flushed but never "
                 "fenced",
                 what, len, where);
        pmc_finding_note(&f, PMC_NOTE_FLUSH, o->flush_site,
                         "flushed here; no fence of thread %" PRIu32
                         " followed",
                         o->flush_thread);
    } else {
        snprintf(f.message, sizeof(f.message),
                 "non-temporal store of %" PRIu64 " bytes to pmem (%s) is "
                 "never fenced",
                 len, where);
    }
    pmc_finding_note(&f, PMC_NOTE_DURABILITY, site, "%s",
                     durability_words(kind));
    return model_report(m, &f, err);
}

static int report_offenses(struct pmc_model *m, enum durability_kind kind,
                           uint32_t site, struct pmc_error *err)
{
    struct offense_list *l = &m->offenses;
    if (l->count == 0)
        return 0;
    qsort(l->items, l->count, sizeof(l->items[0]), compare_offenses);
    for (size_t i = 0; i < l->count;) {
        size_t n = 1;
        while (i + n < l->count && l->items[i + n].seq == l->items[i].seq &&
               offense_rule(&l->items[i + n]) == offense_rule(&l->items[i]))
            n++;
        if (report_store(m, &l->items[i], n, kind, site, err) != 0)
            return -1;
        i += n;
    }
    return 0;
}

/* The durability point covers [addr, end), or every line when addr == end. */
static int durability_over(struct pmc_model *m, enum durability_kind kind,
                           const struct pmc_event *ev, uint64_t addr,
                           uint64_t end, struct pmc_error *err)
{
    struct line_list *lines = &m->scratch_lines;
    int rc = addr == end ? linetab_all_keys(&m->lines, lines)
                         : linetab_keys_in_range(&m->lines, addr, end, lines);
    if (rc != 0)
        return model_oom(err);
    m->offenses.count = 0;
    for (size_t i = 0; i < lines->count; i++) {
        if (gather_line(m, linetab_find(&m->lines, lines->addrs[i])) != 0)
            return model_oom(err);
    }
    uint32_t site = kind == DURABLE_EXIT || kind == DURABLE_END ? 0 : ev->site;
    return report_offenses(m, kind, site, err);
}

int model_durability_point(struct pmc_model *m, enum durability_kind kind,
                           const struct pmc_event *ev, struct pmc_error *err)
{
    return durability_over(m, kind, ev, 0, 0, err);
}

/* Drop the region's lines: its memory is gone, and a later mapping at the
 * same address starts from its own REGION_DATA. */
static int forget_lines(struct pmc_model *m, uint64_t addr, uint64_t end)
{
    struct line_list *lines = &m->scratch_lines;
    if (linetab_keys_in_range(&m->lines, addr, end, lines) != 0)
        return -1;
    for (size_t i = 0; i < lines->count; i++) {
        struct model_line *line = linetab_find(&m->lines, lines->addrs[i]);
        m->live_stores -= line->nstores;
        line_release_stores(m, line);
        linetab_remove(&m->lines, line);
    }
    return history_forget(&m->history, addr, end - addr);
}

int model_unmap(struct pmc_model *m, const struct pmc_event *ev,
                struct pmc_error *err)
{
    if (ev->len == 0)
        return 0;
    uint64_t end = range_end(ev->addr, ev->len);
    if (durability_over(m, DURABLE_UNMAP, ev, ev->addr, end, err) != 0)
        return -1;
    if (forget_lines(m, ev->addr, end) != 0)
        return model_oom(err);
    region_table_remove_range(&m->regions, ev->addr, ev->len);
    return 0;
}
