/*
 * model.c - a pmc_model's life cycle and the dispatch of events to the
 * transitions and rules (model_internal.h says which file does what).
 */
#include "model_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Thread numbers index an array; a number past this is a damaged trace,
 * not a program (the runtime numbers threads 1.. as they first appear). */
#define MAX_THREADS (1u << 20)

int model_oom(struct pmc_error *err)
{
    return pmc_error_set(err, "persistency model: out of memory");
}

int pmc_model_new(const struct pmc_model_options *opts,
                  struct pmc_findings *out, struct pmc_model **model,
                  struct pmc_error *err)
{
    struct pmc_model *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return model_oom(err);
    if (opts != NULL)
        m->opts = *opts;
    m->out = out;
    linetab_init(&m->lines, sizeof(struct model_line));
    region_table_init(&m->regions);
    history_init(&m->history);
    linetab_init(&m->reported, sizeof(uint64_t));
    for (size_t i = 0; i < FLUSH_MEMO_SLOTS; i++)
        m->flush_memo[i].line = LINETAB_EMPTY;
    *model = m;
    return 0;
}

void pmc_model_free(struct pmc_model *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->lines.cap; i++) {
        struct model_line *line = linetab_slot(&m->lines, i);
        if (line != NULL)
            free(line->stores);
    }
    linetab_destroy(&m->lines);
    for (size_t i = 0; i < m->spares.count; i++)
        free(m->spares.arrays[i]);
    region_table_destroy(&m->regions);
    history_destroy(&m->history);
    linetab_destroy(&m->reported);
    for (size_t i = 0; i < m->nthreads; i++) {
        line_list_destroy(&m->threads[i].pending);
        model_tx_free(m->threads[i].tx);
    }
    free(m->threads);
    line_list_destroy(&m->scratch_lines);
    free(m->offenses.items);
    free(m);
}

struct thread_state *model_thread(struct pmc_model *m, uint32_t thread,
                                  struct pmc_error *err)
{
    if (thread < m->nthreads)
        return &m->threads[thread];
    if (thread >= MAX_THREADS) {
        pmc_error_set(
            err, "persistency model: thread number %" PRIu32 " out of range",
            thread);
        return NULL;
    }
    size_t n = m->nthreads ? m->nthreads : 8;
    while (n <= thread)
        n *= 2;
    struct thread_state *p = realloc(m->threads, n * sizeof(*p));
    if (p == NULL) {
        model_oom(err);
        return NULL;
    }
    memset(p + m->nthreads, 0, (n - m->nthreads) * sizeof(*p));
    for (size_t i = m->nthreads; i < n; i++)
        p[i].epoch = 1;
    m->threads = p;
    m->nthreads = n;
    return &m->threads[thread];
}

/* A linetab key for (rule, site): shifted as a line address is, so the
 * table's hash spreads it, and never the empty key. */
static uint64_t repeat_key(enum pmc_rule rule, uint32_t site)
{
    return (((uint64_t)rule << 32) | site) << 6;
}

int model_report(struct pmc_model *m, const struct pmc_finding *f,
                 struct pmc_error *err)
{
    bool created;
    if (pmc_findings_add(m->out, f) != 0 ||
        linetab_insert(&m->reported, repeat_key(f->rule, f->site), &created) ==
            NULL)
        return model_oom(err);
    return 0;
}

int model_repeat(struct pmc_model *m, enum pmc_rule rule, uint32_t site,
                 uint64_t seq, struct pmc_error *err)
{
    if (linetab_find(&m->reported, repeat_key(rule, site)) == NULL)
        return 0;
    struct pmc_finding f;
    pmc_finding_init(&f, rule, site, seq);
    return model_report(m, &f, err) != 0 ? -1 : 1;
}

void model_finding_range(const struct pmc_model *m, struct pmc_finding *f,
                         uint64_t addr, uint64_t len)
{
    const struct pmc_region *r = region_lookup(&m->regions, addr);
    f->region = r ? r->id : 0;
    f->offset = r ? addr - r->addr : addr;
    f->len = len;
}

void model_where(const struct pmc_model *m, uint64_t addr, char *buf,
                 size_t size)
{
    const struct pmc_region *r = region_lookup(&m->regions, addr);
    if (r == NULL)
        snprintf(buf, size, "0x%" PRIx64, addr);
    else if (r->name != NULL)
        snprintf(buf, size, "%s+0x%" PRIx64, r->name, addr - r->addr);
    else
        snprintf(buf, size, "region %" PRIu32 "+0x%" PRIx64, r->id,
                 addr - r->addr);
}

static const char *path_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int region_map(struct pmc_model *m, const struct pmc_event *ev,
                      struct pmc_error *err)
{
    struct pmc_region r = {
        .id = ev->id,
        .path_id = ev->str,
        .flags = ev->flags,
        .addr = ev->addr,
        .len = ev->len,
        .file_offset = ev->file_offset,
        .map_seq = ev->seq,
    };
    if (m->opts.string_lookup != NULL && ev->str != 0)
        r.path = m->opts.string_lookup(m->opts.string_ctx, ev->str);
    if (r.path != NULL && r.path[0] != '\0')
        r.name = path_basename(r.path);
    if (region_table_add(&m->regions, &r) != 0)
        return model_oom(err);
    return 0;
}

/* Kinds that are the program's own events, as opposed to metadata: they
 * make up a thread's "previous event" (see thread_state.prev_kind). */
static bool is_program_event(enum pmt_kind kind)
{
    return kind >= PMT_STORE;
}

static int dispatch(struct pmc_model *m, const struct pmc_event *ev,
                    struct pmc_error *err)
{
    switch (ev->kind) {
    case PMT_STORE:
    case PMT_STORE_FILL:
        if (m->tx_active != 0 && model_tx_store(m, ev, err) != 0)
            return -1;
        return model_store(m, ev, err);
    case PMT_NT_STORE:
        if (m->tx_active != 0 && model_tx_store(m, ev, err) != 0)
            return -1;
        return model_nt_store(m, ev, err);
    case PMT_LIB_WRITE:
        return model_persistent_write(m, ev, err);
    case PMT_FLUSH:
        if (m->tx_active != 0)
            model_tx_flush(m, ev);
        return model_flush(m, ev, err);
    case PMT_FENCE:
        return model_fence(m, ev, err);
    case PMT_REGION_MAP:
        return region_map(m, ev, err);
    case PMT_REGION_UNMAP:
        return model_unmap(m, ev, err);
    case PMT_EXIT:
        m->saw_exit = true;
        return model_durability_point(m, DURABLE_EXIT, ev, err);
    case PMT_DURABLE:
        return model_durability_point(m, DURABLE_ANNOTATION, ev, err);
    case PMT_ASSERT_PERSISTED:
        return model_assert_persisted(m, ev, err);
    case PMT_ASSERT_ORDERED:
        return model_assert_ordered(m, ev, err);
    case PMT_TX_BEGIN:
    case PMT_TX_ADD:
    case PMT_TX_COMMIT:
    case PMT_TX_ABORT:
    case PMT_TX_END:
    case PMT_TX_ALLOC:
    case PMT_TX_FREE:
        return model_tx_event(m, ev, err);
    /* Metadata the reader already tables. */
    case PMT_STRING:
    case PMT_SITE:
    case PMT_THREAD:
    case PMT_REGION_DATA:
    /* Accepted, judged by later rules (crash exploration, cross-failure
     * reads, persist-before-unlock); LIB_CALL only names the call a
     * library's writes belong to. */
    case PMT_LOAD:
    case PMT_LOCK:
    case PMT_UNLOCK:
    case PMT_CRASH_POINT:
    case PMT_COMMIT_VAR:
    case PMT_MARKER:
    case PMT_LIB_CALL:
        return 0;
    }
    return 0; /* a kind newer than this model: skipped, as readers do */
}

int pmc_model_event(struct pmc_model *m, const struct pmc_event *ev,
                    struct pmc_error *err)
{
    m->events++;
    m->last_seq = ev->seq;
    /* After an ASSERT_ORDERED without history this pass is discarded. */
    if (m->needs_history)
        return 0;
    if (dispatch(m, ev, err) != 0)
        return -1;
    if (is_program_event(ev->kind)) {
        struct thread_state *ts = model_thread(m, ev->thread, err);
        if (ts == NULL)
            return -1;
        ts->prev_kind = ev->kind;
        ts->prev_site = ev->site;
    }
    if (m->live_stores > m->peak_live_stores)
        m->peak_live_stores = m->live_stores;
    if (m->lines.count > m->peak_lines)
        m->peak_lines = m->lines.count;
    return 0;
}

int pmc_model_end(struct pmc_model *m, const struct pmc_trace_info *info,
                  struct pmc_error *err)
{
    if (m->needs_history)
        return 0;
    if (model_tx_finish(m, err) != 0)
        return -1;
    if (m->saw_exit || info == NULL || info->end_kind != PMT_END_EXIT)
        return 0;
    struct pmc_event end = {.kind = PMT_EXIT, .seq = m->last_seq + 1};
    return model_durability_point(m, DURABLE_END, &end, err);
}

bool pmc_model_needs_history(const struct pmc_model *m)
{
    return m->needs_history;
}

bool pmc_model_saw_exit(const struct pmc_model *m)
{
    return m->saw_exit;
}

void pmc_model_stats(const struct pmc_model *m, struct pmc_model_stats *out)
{
    *out = (struct pmc_model_stats){
        .events = m->events,
        .live_stores = m->live_stores,
        .peak_live_stores = m->peak_live_stores,
        .lines = m->lines.count,
        .peak_lines = m->peak_lines,
        .regions = m->regions.count,
        .history_lines = history_line_count(&m->history),
    };
}

bool pmc_model_next_line(const struct pmc_model *m, size_t *cursor,
                         struct pmc_line_view *out)
{
    for (; *cursor < m->lines.cap; (*cursor)++) {
        const struct model_line *line = linetab_slot(&m->lines, *cursor);
        if (line == NULL)
            continue;
        out->addr = line->addr;
        out->nstores = line->nstores;
        out->stores = line->stores;
        (*cursor)++;
        return true;
    }
    return false;
}

size_t pmc_model_region_count(const struct pmc_model *m)
{
    return m->regions.count;
}

const struct pmc_region *pmc_model_region(const struct pmc_model *m, size_t i)
{
    return i < m->regions.count ? &m->regions.items[i] : NULL;
}

const struct pmc_region *pmc_model_region_of(const struct pmc_model *m,
                                             uint64_t addr)
{
    return region_lookup(&m->regions, addr);
}
