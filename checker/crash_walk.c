/*
 * crash_walk.c - the replay under the crash explorer: the trace through
 * the persistency model, the base images kept up to date from what the
 * model says became persistent, the markers passed, and a call at every
 * crash point with its live lines (see crash_internal.h).
 *
 * A first pass over the trace finds its images (one per region name, as
 * large as the largest mapping of it) and whether it needs the model's
 * history (PMT_ASSERT_ORDERED: a model without history stops modelling
 * there). It reads records only, so it costs a fraction of the replay.
 */
#include "crash_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rangeset.h"

/* PMCHECK_MARKERS holds at most this many names (the latest passed). */
#define MARKERS_MAX 64u
#define MARKERS_TEXT 4096u

/* A library call in progress: its crash point (POINT_LIB_CALL) comes just
 * before the first event of the call that changes what pmem may hold - a
 * LIB_WRITE to a region, the commit or the abort of a transaction. Until
 * then the call has changed nothing a crash could show, so a crash point
 * at its BEGIN would hold a subset of the states of this one: the same
 * persistent content, fewer live stores. A call that writes nothing has
 * no crash point. After another crash point (a fence of the constructor
 * pmemobj_alloc runs, or any thread's), or a store of the program (any
 * thread's), the next library write is due one again: the state before
 * it differs. Calls are per thread, as LIB_CALL records are: another
 * thread's call in between neither ends this one nor takes its point. */
struct lib_call {
    bool in;      /* between a BEGIN and its END */
    bool pointed; /* it had its crash point, at the walk's step `step` */
    uint64_t step;
    uint32_t site;
    const char *function;
};

/*
 * A thread's PMDK transaction, as a library call's crash point inside it
 * sees it. Such a point asks one question: is the pool consistent after
 * the rollback, whatever of the transaction persisted? Whichever stores
 * inside the open transactions' ranges (any thread's: a crash rolls them
 * all back) persisted, the next pmemobj_open restores what was added and
 * frees what was allocated; so only the lines holding a store no rollback
 * undoes vary - a store of the thread since its transaction began, or a
 * live store of another thread (nothing orders it before the
 * transaction), outside the ranges - and the others are fixed all in (the
 * thread's older live stores vary at the fences and durability points
 * around).
 *
 * A point with no line to vary, or with the same varied stores as the
 * last one explored in the same transaction, recovers to the pools the
 * points before it hold: it is not explored - unless something of another
 * thread became persistent since (its commit, its library writes, its
 * stores a fence persisted), which no rollback of this transaction undoes
 * and the earlier point did not hold. Transactions are per thread, as in
 * PMDK (and tx.c): two threads' transactions at once are two, each with
 * its own last point.
 */
struct thread_tx {
    uint64_t depth;        /* TX_BEGINs not yet ended */
    uint64_t begin_seq;    /* of the outermost TX_BEGIN */
    bool explored;         /* a point of the transaction was explored */
    uint64_t signature;    /* of its last point's varied stores */
    uint64_t foreign;      /* parts of other threads made persistent */
    uint64_t foreign_seen; /* `foreign` at its begin or last point */
};

/* What the walk keeps of a thread: only while it is in a libpmemobj call
 * or a transaction, so memory is bounded by the threads inside one at
 * once, not by the threads the program ever ran. */
struct thread_walk {
    uint32_t thread;
    struct lib_call call;
    struct thread_tx tx;
};

struct walk {
    struct pmc_trace *trace;
    enum pmc_persistency persistency;
    bool torn;
    bool history; /* the trace asserts an order */
    struct image_set *images;
    struct pmc_model *model;
    struct pmc_findings *discarded; /* the model's findings: not ours */
    struct crash_point point;
    uint64_t points;
    uint64_t events, total_events;
    uint64_t last_seq;
    /* the last region an address was found in, and its image */
    uint32_t cached_region;
    long cached_image;
    const struct pmc_region *found_region; /* by the last image_of */
    /* markers passed, oldest first (trace strings) */
    const char *markers[MARKERS_MAX];
    size_t nmarkers;
    char markers_text[MARKERS_TEXT];
    /* PMT_COMMIT_VAR ranges declared so far, as positions (XFAIL_POS) */
    struct rangeset commit_vars;
    uint64_t persisted_seq; /* the newest store made persistent */
    /* The threads in a libpmemobj call (LIB_CALL BEGIN to END) or in a
     * transaction, in no order. */
    struct thread_walk *threads;
    size_t nthreads, threads_cap;
    /* Bumped by each crash point and program store: a call whose point
     * was at an older step has its point due again. */
    uint64_t step;
    /* At a point inside a transaction: the open transactions' ranges. */
    struct rangeset tx_ranges;
    bool damaged;
    bool saw_exit;
};

static const char *trace_string(void *ctx, uint32_t id)
{
    return pmc_trace_string(ctx, id);
}

/* The image name of a region: its file's basename, else "region<id>". */
static void region_image_name(const char *path, uint32_t id, char *buf,
                              size_t size)
{
    const char *slash = path != NULL ? strrchr(path, '/') : NULL;
    const char *base = slash != NULL ? slash + 1 : path;
    if (base != NULL && base[0] != '\0')
        snprintf(buf, size, "%s", base);
    else
        snprintf(buf, size, "region%" PRIu32, id);
}

/* ---- the first pass: images ----------------------------------------- */

struct image_list {
    struct image_spec *items;
    size_t count, cap;
};

static void image_list_destroy(struct image_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free((char *)l->items[i].name);
    free(l->items);
}

static int image_list_note(struct image_list *l, const char *name,
                           uint64_t size)
{
    for (size_t i = 0; i < l->count; i++) {
        if (strcmp(l->items[i].name, name) == 0) {
            if (size > l->items[i].size)
                l->items[i].size = size;
            return 0;
        }
    }
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        struct image_spec *p = realloc(l->items, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        l->items = p;
        l->cap = cap;
    }
    char *copy = strdup(name);
    if (copy == NULL)
        return -1;
    l->items[l->count++] = (struct image_spec){.name = copy, .size = size};
    return 0;
}

static int note_region(struct walk *w, struct image_list *l,
                       const struct pmc_event *ev, struct pmc_error *err)
{
    if (ev->len == 0)
        return 0;
    const char *path = pmc_trace_string(w->trace, ev->str);
    char name[256];
    region_image_name(path, ev->id, name, sizeof(name));
    if (!image_region_aligned(ev->addr, ev->file_offset))
        return pmc_error_set(
            err,
            "%s: region %s is mapped at 0x%" PRIx64 " from file offset "
            "0x%" PRIx64 ": crash images need both to agree modulo 64",
            pmc_trace_path(w->trace), name, ev->addr, ev->file_offset);
    if (ev->file_offset > UINT64_MAX - ev->len ||
        image_list_note(l, name, ev->file_offset + ev->len) != 0)
        return pmc_error_set(err,
                             "%s: region %s: out of memory or too "
                             "large",
                             pmc_trace_path(w->trace), name);
    return 0;
}

/* Read every record once: images, history, the number of events. A
 * damaged trace is read up to the damage here; the replay reports it. */
static int first_pass(struct walk *w, struct image_list *l,
                      struct pmc_error *err)
{
    pmc_trace_rewind(w->trace);
    struct pmc_event ev;
    struct pmc_error damage;
    int rc;
    while ((rc = pmc_trace_next(w->trace, &ev, &damage)) > 0) {
        w->total_events++;
        if (ev.kind == PMT_ASSERT_ORDERED)
            w->history = true;
        if (ev.kind == PMT_REGION_MAP && note_region(w, l, &ev, err) != 0)
            return -1;
    }
    return 0;
}

int walk_new(struct pmc_trace *t, enum pmc_persistency persistency, bool torn,
             struct walk **out, struct pmc_error *err)
{
    struct walk *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return pmc_error_set(err, "crash: out of memory");
    w->trace = t;
    w->persistency = persistency;
    w->torn = torn;
    crash_point_init(&w->point);
    rangeset_init(&w->commit_vars);
    rangeset_init(&w->tx_ranges);
    struct image_list l = {0};
    int rc = 0;
    if (pmc_trace_info(t)->flags & PMT_FILE_NO_CONTENT)
        rc = pmc_error_set(err,
                           "%s: a recovery run's trace, without the pools' "
                           "content: crash images cannot be rebuilt from it",
                           pmc_trace_path(t));
    if (rc == 0)
        rc = first_pass(w, &l, err);
    if (rc == 0)
        rc = image_set_new(l.items, l.count, &w->images, err);
    image_list_destroy(&l);
    if (rc != 0) {
        walk_free(w);
        return -1;
    }
    *out = w;
    return 0;
}

void walk_free(struct walk *w)
{
    if (w == NULL)
        return;
    pmc_model_free(w->model);
    pmc_findings_free(w->discarded);
    image_set_free(w->images);
    crash_point_destroy(&w->point);
    rangeset_destroy(&w->commit_vars);
    rangeset_destroy(&w->tx_ranges);
    free(w->threads);
    free(w);
}

struct image_set *walk_images(struct walk *w)
{
    return w->images;
}

struct pmc_trace *walk_trace(struct walk *w)
{
    return w->trace;
}

double walk_fraction(const struct walk *w)
{
    if (w->total_events == 0)
        return 1.0;
    double f = (double)w->events / (double)w->total_events;
    return f < 1.0 ? f : 1.0;
}

void walk_site_words(const struct walk *w, uint32_t site, char *buf,
                     size_t size)
{
    const struct pmc_site *s = pmc_trace_site(w->trace, site);
    if (s == NULL || s->file[0] == '\0')
        snprintf(buf, size, "%s", "");
    else
        snprintf(buf, size, "%s:%" PRIu32, s->file, s->line);
}

/* ---- threads in calls and transactions ------------------------------ */

/* The walk's state of a thread, or NULL when it is in no call and no
 * transaction. A linear search: few threads are inside one at once. */
static struct thread_walk *thread_find(struct walk *w, uint32_t thread)
{
    for (size_t i = 0; i < w->nthreads; i++)
        if (w->threads[i].thread == thread)
            return &w->threads[i];
    return NULL;
}

/* The same, added when missing; NULL without memory. */
static struct thread_walk *thread_get(struct walk *w, uint32_t thread)
{
    struct thread_walk *t = thread_find(w, thread);
    if (t != NULL)
        return t;
    if (w->nthreads == w->threads_cap) {
        size_t cap = w->threads_cap ? w->threads_cap * 2 : 4;
        struct thread_walk *p = realloc(w->threads, cap * sizeof(*p));
        if (p == NULL)
            return NULL;
        w->threads = p;
        w->threads_cap = cap;
    }
    t = &w->threads[w->nthreads++];
    *t = (struct thread_walk){.thread = thread};
    return t;
}

/* Forget a thread out of its call and its transaction. */
static void thread_settle(struct walk *w, struct thread_walk *t)
{
    if (t->call.in || t->tx.depth > 0)
        return;
    *t = w->threads[--w->nthreads];
}

/* ---- regions to images ---------------------------------------------- */

/* The image of the region holding addr, and addr's offset in it; -1 when
 * addr is in no region. */
static long image_of(struct walk *w, uint64_t addr, uint64_t *offset)
{
    const struct pmc_region *r = pmc_model_region_of(w->model, addr);
    if (r == NULL)
        return -1;
    w->found_region = r;
    if (r->id != w->cached_region || w->cached_image < 0) {
        char name[256];
        region_image_name(r->path, r->id, name, sizeof(name));
        w->cached_region = r->id;
        w->cached_image = image_find(w->images, name);
    }
    *offset = addr - r->addr + r->file_offset;
    return w->cached_image;
}

/* The model's word that parts are persistent: into the base. */
static void on_persist(void *ctx, uint64_t line_addr,
                       const struct pmc_live_store *parts, size_t n)
{
    struct walk *w = ctx;
    for (size_t i = 0; i < n; i++) {
        if (parts[i].seq > w->persisted_seq)
            w->persisted_seq = parts[i].seq;
        for (size_t t = 0; t < w->nthreads; t++)
            w->threads[t].tx.foreign += w->threads[t].thread != parts[i].thread;
    }
    uint64_t first = line_addr + parts[0].offset, offset;
    long img = image_of(w, first, &offset);
    if (img < 0)
        return;
    uint64_t line_offset = offset - parts[0].offset;
    for (size_t i = 0; i < n; i++)
        image_apply_part(w->images, (size_t)img, line_offset, &parts[i]);
}

static void region_mapped(struct walk *w, const struct pmc_event *ev)
{
    uint64_t offset;
    long img = ev->len ? image_of(w, ev->addr, &offset) : -1;
    /* Bytes REGION_DATA does not cover are zero. */
    if (img >= 0)
        image_fill(w->images, (size_t)img, offset, 0, ev->len);
}

static void region_data(struct walk *w, const struct pmc_event *ev)
{
    uint64_t offset;
    long img = ev->len ? image_of(w, ev->addr, &offset) : -1;
    if (img >= 0)
        image_write(w->images, (size_t)img, offset, ev->data, ev->len);
}

/* ---- what cross-failure reads exempt --------------------------------- */

/* A commit variable stays one for the rest of the trace: the recovery
 * validates it whenever it reads it. A range past its region's end is
 * cut there (the rest is in no image). */
static void commit_var(struct walk *w, const struct pmc_event *ev)
{
    uint64_t offset;
    long img = ev->len ? image_of(w, ev->addr, &offset) : -1;
    if (img < 0)
        return;
    const struct pmc_region *r = w->found_region;
    uint64_t room = r->addr + r->len - ev->addr;
    uint64_t len = ev->len < room ? ev->len : room;
    /* Without memory the range is not exempt: a finding too many, never
     * one missed. */
    rangeset_add(&w->commit_vars, XFAIL_POS(img, offset),
                 XFAIL_POS(img, offset + len), (struct range_tag){0});
}

struct exempt_ctx {
    struct walk *w;
    walk_range_fn fn;
    void *ctx;
    int rc;
};

/* A transaction's range [lo, hi) of addresses, as positions. */
static void tx_range(void *arg, uint64_t lo, uint64_t hi)
{
    struct exempt_ctx *e = arg;
    uint64_t offset;
    long img = e->rc == 0 && hi > lo ? image_of(e->w, lo, &offset) : -1;
    if (img < 0)
        return;
    const struct pmc_region *r = e->w->found_region;
    uint64_t end = r->addr + r->len;
    uint64_t len = (hi < end ? hi : end) - lo;
    e->rc = e->fn(e->ctx, XFAIL_POS(img, offset), XFAIL_POS(img, offset + len));
}

int walk_exempt(struct walk *w, walk_range_fn tx_fn, walk_range_fn var_fn,
                void *ctx)
{
    for (size_t i = 0; i < w->commit_vars.count; i++)
        if (var_fn(ctx, w->commit_vars.items[i].lo,
                   w->commit_vars.items[i].hi) != 0)
            return -1;
    struct exempt_ctx e = {.w = w, .fn = tx_fn, .ctx = ctx};
    pmc_model_tx_ranges(w->model, tx_range, &e);
    return e.rc;
}

uint64_t walk_persisted_seq(const struct walk *w)
{
    return w->persisted_seq;
}

/* ---- markers --------------------------------------------------------- */

static void marker_passed(struct walk *w, const struct pmc_event *ev)
{
    const char *name = pmc_trace_string(w->trace, ev->id);
    if (name == NULL)
        return;
    size_t i = 0;
    while (i < w->nmarkers && strcmp(w->markers[i], name) != 0)
        i++;
    if (i == w->nmarkers && w->nmarkers == MARKERS_MAX)
        i = 0; /* full: the oldest goes */
    if (i < w->nmarkers) {
        memmove(&w->markers[i], &w->markers[i + 1],
                (w->nmarkers - i - 1) * sizeof(w->markers[0]));
        w->nmarkers--;
    }
    w->markers[w->nmarkers++] = name;
    size_t used = 0;
    w->markers_text[0] = '\0';
    for (i = 0; i < w->nmarkers && used < sizeof(w->markers_text); i++)
        used += (size_t)snprintf(w->markers_text + used,
                                 sizeof(w->markers_text) - used, "%s%s",
                                 i ? "," : "", w->markers[i]);
}

/* ---- crash points ---------------------------------------------------- */

static enum crash_point_kind point_kind(const struct pmc_event *ev)
{
    switch (ev->kind) {
    case PMT_FENCE:
        return POINT_FENCE;
    case PMT_STORE:
        return (ev->flags & PMT_STORE_LOCKED) ? POINT_LOCKED : POINT_NONE;
    case PMT_EXIT:
        return POINT_EXIT;
    case PMT_REGION_UNMAP:
        return POINT_UNMAP;
    case PMT_DURABLE:
        return POINT_DURABLE;
    case PMT_CRASH_POINT:
        return POINT_ANNOTATION;
    default:
        return POINT_NONE;
    }
}

/* The varied lines first, then the fixed ones; each by (img, offset). */
static int compare_lines(const void *a, const void *b)
{
    const struct point_line *x = a, *y = b;
    if (x->fixed != y->fixed)
        return x->fixed ? 1 : -1;
    if (x->img != y->img)
        return x->img < y->img ? -1 : 1;
    return (x->offset > y->offset) - (x->offset < y->offset);
}

/* Does the line hold a store no rollback undoes (struct thread_tx), at a
 * point of thread t's transaction? */
static bool line_unlogged(const struct walk *w, const struct thread_walk *t,
                          const struct pmc_line_view *v)
{
    for (size_t i = 0; i < v->nstores; i++)
        if (crash_store_unlogged(&w->tx_ranges, t->tx.begin_seq, t->thread,
                                 v->addr, &v->stores[i]))
            return true;
    return false;
}

/* in_tx: a library call's crash point inside thread in_tx's transaction,
 * where only the lines holding its unlogged stores vary; else NULL. */
static int add_line(struct walk *w, const struct pmc_line_view *v,
                    const struct thread_walk *in_tx)
{
    struct crash_point *cp = &w->point;
    uint64_t offset;
    long img = image_of(w, v->addr + v->stores[0].offset, &offset);
    if (img < 0)
        return 0;
    if (cp->nlines == cp->lines_cap) {
        size_t cap = cp->lines_cap ? cp->lines_cap * 2 : 64;
        struct point_line *p = realloc(cp->lines, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        cp->lines = p;
        cp->lines_cap = cap;
    }
    const struct pmc_region *r = w->found_region;
    cp->lines[cp->nlines++] = (struct point_line){
        .img = (uint32_t)img,
        .offset = offset - v->stores[0].offset,
        .region = r->id,
        .region_base = r->file_offset,
        .parts = v->stores,
        .nparts = (uint32_t)v->nstores,
        .fixed = in_tx != NULL && !line_unlogged(w, in_tx, v),
        .addr = v->addr,
    };
    return 0;
}

static void tx_range_add(void *ctx, uint64_t lo, uint64_t hi)
{
    struct rangeset *ranges = ctx;
    /* Without memory the range is not covered: more states, none wrong. */
    (void)rangeset_add(ranges, lo, hi, (struct range_tag){0});
}

/* The varied lines' stores, as one number: a library call's crash point
 * whose varied stores are those of the one explored before it in the same
 * transaction recovers to the same pools. */
static uint64_t varied_signature(const struct crash_point *cp)
{
    uint64_t h = cp->nvaried;
    for (size_t i = 0; i < cp->nvaried; i++) {
        const struct point_line *l = &cp->lines[i];
        h = (h ^ l->parts[l->nparts - 1].seq ^ ((uint64_t)l->nparts << 48)) *
            0x100000001b3ull;
    }
    return h;
}

/* Is this library call's crash point inside a transaction one to skip
 * (struct thread_tx)? */
static bool tx_point_redundant(struct thread_tx *tx,
                               const struct crash_point *cp)
{
    uint64_t signature = varied_signature(cp);
    if (tx->foreign == tx->foreign_seen &&
        (cp->nvaried == 0 || (tx->explored && tx->signature == signature)))
        return true;
    tx->explored = true;
    tx->signature = signature;
    tx->foreign_seen = tx->foreign;
    return false;
}

/* caller: at a library call's crash point, the thread in the call (site
 * is its call's); else NULL. */
static int at_point(struct walk *w, enum crash_point_kind kind, uint64_t seq,
                    uint32_t site, struct thread_walk *caller, walk_point_fn fn,
                    void *ctx, struct pmc_error *err)
{
    struct crash_point *cp = &w->point;
    struct thread_walk *in_tx =
        caller != NULL && caller->tx.depth > 0 ? caller : NULL;
    if (in_tx != NULL) {
        rangeset_clear(&w->tx_ranges);
        pmc_model_tx_ranges(w->model, tx_range_add, &w->tx_ranges);
    }
    cp->nlines = cp->nvaried = 0;
    size_t cursor = 0;
    struct pmc_line_view v;
    while (pmc_model_next_line(w->model, &cursor, &v))
        if (v.nstores > 0 && add_line(w, &v, in_tx) != 0)
            return pmc_error_set(err, "crash: out of memory");
    if (cp->nlines > 1) /* qsort wants an array, even for no element */
        qsort(cp->lines, cp->nlines, sizeof(cp->lines[0]), compare_lines);
    while (cp->nvaried < cp->nlines && !cp->lines[cp->nvaried].fixed)
        cp->nvaried++;
    /* Inside a library call, after another crash point, the next library
     * write is due one again: this one does not hold the state after what
     * comes in between. */
    w->step++;
    if (caller != NULL) {
        caller->call.pointed = true;
        caller->call.step = w->step;
    }
    if (in_tx != NULL && tx_point_redundant(&in_tx->tx, cp))
        return 0;
    cp->number = w->points++;
    cp->seq = seq;
    cp->site = site;
    cp->kind = kind;
    cp->function = caller != NULL ? caller->call.function : NULL;
    cp->tx_ranges = in_tx != NULL ? &w->tx_ranges : NULL;
    cp->tx_begin_seq = in_tx != NULL ? in_tx->tx.begin_seq : 0;
    cp->tx_thread = in_tx != NULL ? in_tx->thread : 0;
    cp->base_hash = image_base_hash(w->images);
    cp->markers = w->markers_text;
    cp->markers_hash =
        image_hash_bytes(w->markers_text, strlen(w->markers_text));
    if (crash_point_prepare(cp, w->images, w->torn) != 0)
        return pmc_error_set(err, "crash: out of memory");
    return fn(ctx, cp, err);
}

/* ---- library calls ------------------------------------------------- */

/* A call that never returned (pmemobj_tx_abort longjmps) ends at its
 * thread's next BEGIN. */
static int lib_call_passed(struct walk *w, const struct pmc_event *ev)
{
    if (ev->flags & PMT_LIB_CALL_BEGIN) {
        struct thread_walk *t = thread_get(w, ev->thread);
        if (t == NULL)
            return -1;
        t->call = (struct lib_call){
            .in = true,
            .site = ev->site,
            .function = pmc_trace_string(w->trace, ev->id),
        };
    } else if (ev->flags & PMT_LIB_CALL_END) {
        struct thread_walk *t = thread_find(w, ev->thread);
        if (t != NULL) {
            t->call.in = false;
            thread_settle(w, t);
        }
    }
    return 0;
}

static int tx_passed(struct walk *w, const struct pmc_event *ev)
{
    if (ev->kind == PMT_TX_BEGIN) {
        struct thread_walk *t = thread_get(w, ev->thread);
        if (t == NULL)
            return -1;
        if (t->tx.depth++ == 0) {
            t->tx.begin_seq = ev->seq;
            t->tx.explored = false;
            t->tx.foreign_seen = t->tx.foreign;
        }
        return 0;
    }
    struct thread_walk *t = thread_find(w, ev->thread);
    if (t != NULL && t->tx.depth > 0 && --t->tx.depth == 0)
        thread_settle(w, t);
    return 0;
}

/* The thread in a library call whose crash point is due before ev, when
 * ev changes what pmem may hold after a crash; else NULL. */
static struct thread_walk *lib_point_due(struct walk *w,
                                         const struct pmc_event *ev)
{
    bool writes = ev->kind == PMT_TX_COMMIT || ev->kind == PMT_TX_ABORT ||
                  (ev->kind == PMT_LIB_WRITE &&
                   pmc_model_region_of(w->model, ev->addr) != NULL);
    struct thread_walk *t = writes ? thread_find(w, ev->thread) : NULL;
    if (t == NULL || !t->call.in ||
        (t->call.pointed && t->call.step == w->step))
        return NULL;
    return t;
}

/* Returns 0, or -1 without memory. */
static int after_event(struct walk *w, const struct pmc_event *ev)
{
    switch (ev->kind) {
    case PMT_LIB_CALL:
        return lib_call_passed(w, ev);
    case PMT_TX_BEGIN:
    case PMT_TX_END:
        return tx_passed(w, ev);
    case PMT_STORE:
    case PMT_NT_STORE:
    case PMT_STORE_FILL:
        /* a constructor's store: the library may publish it next */
        w->step++;
        break;
    case PMT_REGION_MAP:
        region_mapped(w, ev);
        break;
    case PMT_REGION_DATA:
        region_data(w, ev);
        break;
    case PMT_MARKER:
        marker_passed(w, ev);
        break;
    case PMT_COMMIT_VAR:
        commit_var(w, ev);
        break;
    case PMT_EXIT:
        w->saw_exit = true;
        break;
    default:
        break;
    }
    return 0;
}

static int new_model(struct walk *w, struct pmc_error *err)
{
    pmc_model_free(w->model);
    w->model = NULL;
    if (w->discarded == NULL && (w->discarded = pmc_findings_new()) == NULL)
        return pmc_error_set(err, "crash: out of memory");
    pmc_findings_clear(w->discarded);
    struct pmc_model_options mo = {
        .persistency = w->persistency,
        .history = w->history,
        .string_lookup = trace_string,
        .string_ctx = w->trace,
        .on_persist = on_persist,
        .persist_ctx = w,
    };
    return pmc_model_new(&mo, w->discarded, &w->model, err);
}

int walk_run(struct walk *w, walk_point_fn fn, void *ctx, struct pmc_error *err)
{
    if (new_model(w, err) != 0)
        return -1;
    /* Bases start from nothing: every REGION_MAP zeroes its range. */
    pmc_trace_rewind(w->trace);
    w->points = w->events = w->last_seq = 0;
    w->nmarkers = 0;
    w->markers_text[0] = '\0';
    rangeset_clear(&w->commit_vars);
    w->persisted_seq = 0;
    w->nthreads = 0;
    w->step = 0;
    w->cached_region = 0;
    w->cached_image = -1;
    w->damaged = w->saw_exit = false;
    struct pmc_event ev;
    struct pmc_error damage;
    int rc;
    while ((rc = pmc_trace_next(w->trace, &ev, &damage)) > 0) {
        w->events++;
        w->last_seq = ev.seq;
        enum crash_point_kind kind = point_kind(&ev);
        struct thread_walk *caller =
            kind == POINT_NONE ? lib_point_due(w, &ev) : NULL;
        int stop = 0;
        if (kind != POINT_NONE)
            stop = at_point(w, kind, ev.seq, ev.site, NULL, fn, ctx, err);
        else if (caller != NULL)
            stop = at_point(w, POINT_LIB_CALL, ev.seq, caller->call.site,
                            caller, fn, ctx, err);
        if (stop != 0)
            return stop < 0 ? -1 : 0;
        if (pmc_model_event(w->model, &ev, err) != 0)
            return -1;
        if (after_event(w, &ev) != 0)
            return pmc_error_set(err, "crash: out of memory");
    }
    w->damaged = rc < 0;
    /* The end of the trace is a crash point too: after the last fence a
     * program may have stored more, and it may have been killed there. */
    int stop = at_point(w, POINT_END, w->last_seq + 1, 0, NULL, fn, ctx, err);
    if (stop < 0)
        return -1;
    if (w->damaged)
        return pmc_error_set(err, "%s", damage.msg);
    return 0;
}

static void add_note(struct pmc_crash_summary *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_note(struct pmc_crash_summary *s, const char *fmt, ...)
{
    if (s->nnotes >= PMC_CRASH_MAX_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->notes[s->nnotes++], sizeof(s->notes[0]), fmt, ap);
    va_end(ap);
}

void walk_summary(const struct walk *w, struct pmc_crash_summary *s)
{
    if (w->model != NULL)
        pmc_model_stats(w->model, &s->model);
    const struct pmc_trace_info *info = pmc_trace_info(w->trace);
    s->nnotes = 0;
    if (w->damaged)
        add_note(s, "the trace is damaged: crash points up to the damage "
                    "were explored, the last at the damage");
    else if (!w->saw_exit && info->end_kind == PMT_END_SIGNAL)
        add_note(s,
                 "the program was killed by signal %" PRId32 ": its last "
                 "crash point is the end of the trace",
                 info->end_code);
    else if (!w->saw_exit && info->end_kind != PMT_END_EXIT)
        add_note(s, "the trace does not say how the program ended: its last "
                    "crash point is the end of the trace");
    if (info->unsealed_tail)
        add_note(s, "a thread's last trace block was never sealed (the "
                    "program died while writing it): its records up to the "
                    "last complete one were replayed");
}
