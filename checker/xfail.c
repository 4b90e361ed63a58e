/*
 * xfail.c - the uncertain set of a crash point and the scan of a
 * recovery's trace against it (see xfail.h).
 *
 * The uncertain set is an array of ranges sorted by position, built per
 * line (a byte belongs to its newest live part) and then cut by the exempt
 * ranges. A run keeps, as a rangeset, the bytes it settled: written by the
 * recovery or read once. Only bytes that are uncertain ever enter it, so a
 * recovery that writes a whole pool costs a binary search per write, not
 * a set as large as the pool.
 *
 * The point's live parts are kept too, as positions, for the sequential
 * test of xfail_point_end: which parts the transactions exempt is known
 * only once their ranges are in, after the lines.
 */
#include "xfail.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rangeset.h"

/* Where a recovery mapped (part of) an image. */
struct mapping {
    uint64_t addr, len;
    uint64_t file_offset;
    uint32_t img;
};

/* A live part of the point, as positions. */
struct live_part {
    uint64_t lo, hi;
    uint64_t seq;
};

struct xfail {
    struct xfail_range *ranges; /* the uncertain set */
    size_t nranges, ranges_cap;
    struct xfail_range *scratch; /* the set being cut */
    size_t scratch_cap;
    struct rangeset exempt;
    struct rangeset commit_vars;
    struct live_part *parts; /* every live part of the point */
    size_t nparts, parts_cap;
    bool sequential; /* see xfail_point_sequential */
    /* the run */
    const struct image_set *imgs;
    struct mapping *maps;
    size_t nmaps, maps_cap;
    struct rangeset settled;
    struct xfail_pair pairs[XFAIL_MAX_PAIRS];
    size_t npairs;
};

struct xfail *xfail_new(void)
{
    struct xfail *x = calloc(1, sizeof(*x));
    if (x == NULL)
        return NULL;
    rangeset_init(&x->exempt);
    rangeset_init(&x->commit_vars);
    rangeset_init(&x->settled);
    return x;
}

void xfail_free(struct xfail *x)
{
    if (x == NULL)
        return;
    free(x->ranges);
    free(x->scratch);
    free(x->parts);
    free(x->maps);
    rangeset_destroy(&x->exempt);
    rangeset_destroy(&x->commit_vars);
    rangeset_destroy(&x->settled);
    free(x);
}

static int reserve(struct xfail_range **items, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    struct xfail_range *p = realloc(*items, n * sizeof(*p));
    if (p == NULL)
        return -1;
    *items = p;
    *cap = n;
    return 0;
}

/* ---- the uncertain set ---------------------------------------------- */

void xfail_point_begin(struct xfail *x)
{
    x->nranges = 0;
    x->nparts = 0;
    x->sequential = false;
    rangeset_clear(&x->exempt);
    rangeset_clear(&x->commit_vars);
}

/* Keep the line's parts for the sequential test. */
static int keep_parts(struct xfail *x, uint64_t line_pos,
                      const struct pmc_live_store *parts, size_t nparts)
{
    if (x->nparts + nparts > x->parts_cap) {
        size_t cap = x->parts_cap ? x->parts_cap * 2 : 64;
        while (cap < x->nparts + nparts)
            cap *= 2;
        struct live_part *p = realloc(x->parts, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        x->parts = p;
        x->parts_cap = cap;
    }
    for (size_t i = 0; i < nparts; i++)
        x->parts[x->nparts++] = (struct live_part){
            .lo = line_pos + parts[i].offset,
            .hi = line_pos + parts[i].offset + parts[i].len,
            .seq = parts[i].seq,
        };
    return 0;
}

int xfail_point_line(struct xfail *x, uint64_t line_pos,
                     const struct pmc_live_store *parts, size_t nparts,
                     uint32_t region, uint64_t region_base)
{
    if (keep_parts(x, line_pos, parts, nparts) != 0)
        return -1;
    /* The newest and the oldest part over each byte of the line; -1:
     * none. */
    int owner[IMAGE_LINE], oldest[IMAGE_LINE];
    for (unsigned b = 0; b < IMAGE_LINE; b++)
        owner[b] = oldest[b] = -1;
    for (size_t i = 0; i < nparts; i++) {
        for (unsigned b = parts[i].offset;
             b < (unsigned)parts[i].offset + parts[i].len && b < IMAGE_LINE;
             b++) {
            owner[b] = (int)i;
            if (oldest[b] < 0)
                oldest[b] = (int)i;
        }
    }
    for (unsigned b = 0; b < IMAGE_LINE;) {
        if (owner[b] < 0) {
            b++;
            continue;
        }
        unsigned end = b + 1;
        while (end < IMAGE_LINE && owner[end] == owner[b] &&
               oldest[end] == oldest[b])
            end++;
        if (reserve(&x->ranges, &x->ranges_cap, x->nranges + 1) != 0)
            return -1;
        x->ranges[x->nranges++] = (struct xfail_range){
            .lo = line_pos + b,
            .hi = line_pos + end,
            .seq = parts[oldest[b]].seq,
            .site = parts[owner[b]].site,
            .state = parts[owner[b]].state,
            .region = region,
            .region_base = region_base,
        };
        b = end;
    }
    return 0;
}

int xfail_point_exempt(struct xfail *x, uint64_t lo, uint64_t hi)
{
    if (lo >= hi)
        return 0;
    return rangeset_add(&x->exempt, lo, hi, (struct range_tag){0});
}

int xfail_point_commit_var(struct xfail *x, uint64_t lo, uint64_t hi)
{
    if (lo >= hi)
        return 0;
    return rangeset_add(&x->commit_vars, lo, hi, (struct range_tag){0});
}

static int compare_ranges(const void *a, const void *b)
{
    const struct xfail_range *x = a, *y = b;
    return (x->lo > y->lo) - (x->lo < y->lo);
}

static bool same_store(const struct xfail_range *a, const struct xfail_range *b)
{
    return a->site == b->site && a->seq == b->seq && a->state == b->state &&
           a->region == b->region && a->region_base == b->region_base;
}

/* Append [lo, hi) of r to the scratch set, joining a neighbour from the
 * same store. */
static int keep(struct xfail *x, size_t *n, const struct xfail_range *r,
                uint64_t lo, uint64_t hi)
{
    if (*n > 0) {
        struct xfail_range *last = &x->scratch[*n - 1];
        if (last->hi == lo && same_store(last, r)) {
            last->hi = hi;
            return 0;
        }
    }
    if (reserve(&x->scratch, &x->scratch_cap, *n + 1) != 0)
        return -1;
    x->scratch[*n] = *r;
    x->scratch[*n].lo = lo;
    x->scratch[*n].hi = hi;
    (*n)++;
    return 0;
}

/* Take the bytes of set out of the ranges (only_newer: out of those
 * whose store is newer than persisted_seq). */
static int subtract(struct xfail *x, const struct rangeset *set,
                    bool only_newer, uint64_t persisted_seq)
{
    const struct range *ex = set->items;
    size_t nex = set->count, j = 0, n = 0;
    for (size_t i = 0; i < x->nranges; i++) {
        const struct xfail_range *r = &x->ranges[i];
        if (only_newer && r->seq <= persisted_seq) {
            if (keep(x, &n, r, r->lo, r->hi) != 0)
                return -1;
            continue;
        }
        while (j < nex && ex[j].hi <= r->lo)
            j++;
        uint64_t cur = r->lo;
        /* The exempt ranges over r: keep what lies between them. An
         * exempt range past r's end may cover the next range too, so j
         * stays on it. */
        for (size_t k = j; k < nex && ex[k].lo < r->hi; k++) {
            if (ex[k].lo > cur && keep(x, &n, r, cur, ex[k].lo) != 0)
                return -1;
            if (ex[k].hi > cur)
                cur = ex[k].hi;
        }
        if (cur < r->hi && keep(x, &n, r, cur, r->hi) != 0)
            return -1;
    }
    struct xfail_range *t = x->ranges;
    size_t tcap = x->ranges_cap;
    x->ranges = x->scratch;
    x->ranges_cap = x->scratch_cap;
    x->nranges = n;
    x->scratch = t;
    x->scratch_cap = tcap;
    return 0;
}

/* A store the hardware writes whole: at most 8 bytes inside one aligned
 * 8-byte word (the torn-store model tears at word boundaries). */
static bool failure_atomic(const struct live_part *p)
{
    return p->hi - p->lo <= 8 &&
           (p->lo & ~UINT64_C(7)) == ((p->hi - 1) & ~UINT64_C(7));
}

/* Is every crash state of the point a program-order prefix (xfail.h)?
 * The parts not rolled back by a transaction must be failure-atomic, in
 * one line, and newer than every persistent store: a line persists a
 * prefix of its live parts, everything older being persistent already. */
static bool point_sequential(const struct xfail *x, uint64_t persisted_seq)
{
    bool have_line = false;
    uint64_t line = 0;
    for (size_t i = 0; i < x->nparts; i++) {
        const struct live_part *p = &x->parts[i];
        if (rangeset_covers(&x->exempt, p->lo, p->hi))
            continue;
        if (p->seq <= persisted_seq || !failure_atomic(p))
            return false;
        uint64_t p_line = p->lo - p->lo % IMAGE_LINE;
        if (have_line && p_line != line)
            return false;
        have_line = true;
        line = p_line;
    }
    return true;
}

int xfail_point_end(struct xfail *x, uint64_t persisted_seq)
{
    x->sequential = point_sequential(x, persisted_seq);
    if (x->nranges > 1)
        qsort(x->ranges, x->nranges, sizeof(x->ranges[0]), compare_ranges);
    if (x->exempt.count > 0 && subtract(x, &x->exempt, false, 0) != 0)
        return -1;
    if (x->commit_vars.count > 0 &&
        subtract(x, &x->commit_vars, true, persisted_seq) != 0)
        return -1;
    return 0;
}

bool xfail_point_sequential(const struct xfail *x)
{
    return x->sequential;
}

size_t xfail_point_ranges(const struct xfail *x, const struct xfail_range **out)
{
    *out = x->ranges;
    return x->nranges;
}

/* The first uncertain range that ends after pos. */
static size_t first_range_after(const struct xfail *x, uint64_t pos)
{
    size_t lo = 0, hi = x->nranges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->ranges[mid].hi <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- a run ------------------------------------------------------------ */

void xfail_run_begin(struct xfail *x, const struct image_set *imgs)
{
    x->imgs = imgs;
    x->nmaps = 0;
    x->npairs = 0;
    rangeset_clear(&x->settled);
}

size_t xfail_run_pairs(const struct xfail *x, const struct xfail_pair **out)
{
    *out = x->pairs;
    return x->npairs;
}

/* Returns 0, or -1 without memory (its loads would go unseen: the run's
 * findings would be lost without a word). */
static int region_mapped(struct xfail *x, const struct pmc_event *ev,
                         const char *path)
{
    if (ev->len == 0 || path == NULL || x->imgs == NULL)
        return 0;
    const char *slash = strrchr(path, '/');
    long img = image_find(x->imgs, slash != NULL ? slash + 1 : path);
    if (img < 0)
        return 0; /* pmem, but not one of the crash images */
    /* The trace is untrusted: only the image's bytes are mapped, and only
     * below 2^64, so every position each_piece makes is one of the
     * image's (an offset past 2^48 would name another image's byte). */
    uint64_t size = image_size(x->imgs, (size_t)img);
    if (ev->file_offset >= size)
        return 0;
    uint64_t len =
        ev->len < size - ev->file_offset ? ev->len : size - ev->file_offset;
    if (len > UINT64_MAX - ev->addr)
        len = UINT64_MAX - ev->addr;
    if (x->nmaps == x->maps_cap) {
        size_t cap = x->maps_cap ? x->maps_cap * 2 : 8;
        struct mapping *p = realloc(x->maps, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        x->maps = p;
        x->maps_cap = cap;
    }
    x->maps[x->nmaps++] = (struct mapping){
        .addr = ev->addr,
        .len = len,
        .file_offset = ev->file_offset,
        .img = (uint32_t)img,
    };
    return 0;
}

static void region_unmapped(struct xfail *x, const struct pmc_event *ev)
{
    size_t kept = 0;
    for (size_t i = 0; i < x->nmaps; i++) {
        const struct mapping *m = &x->maps[i];
        if (m->addr >= ev->addr && m->addr - ev->addr < ev->len)
            continue;
        x->maps[kept++] = *m;
    }
    x->nmaps = kept;
}

/* What to do with the uncertain positions an access meets. */
typedef int (*piece_fn)(struct xfail *x, uint64_t lo, uint64_t hi,
                        const struct pmc_event *ev);

/* The access [addr, addr + len) of ev, as positions, mapping by mapping. */
static int each_piece(struct xfail *x, const struct pmc_event *ev, piece_fn fn)
{
    uint64_t lo = ev->addr;
    uint64_t hi = ev->len > UINT64_MAX - lo ? UINT64_MAX : lo + ev->len;
    for (size_t i = 0; i < x->nmaps; i++) {
        const struct mapping *m = &x->maps[i];
        uint64_t m_hi = m->addr + m->len;
        uint64_t a = lo > m->addr ? lo : m->addr;
        uint64_t b = hi < m_hi ? hi : m_hi;
        if (a >= b)
            continue;
        uint64_t pos = XFAIL_POS(m->img, a - m->addr + m->file_offset);
        if (fn(x, pos, pos + (b - a), ev) != 0)
            return -1;
    }
    return 0;
}

/* The recovery wrote [lo, hi): its uncertain bytes are settled. */
static int written(struct xfail *x, uint64_t lo, uint64_t hi,
                   const struct pmc_event *ev)
{
    (void)ev;
    for (size_t i = first_range_after(x, lo);
         i < x->nranges && x->ranges[i].lo < hi; i++) {
        uint64_t a = lo > x->ranges[i].lo ? lo : x->ranges[i].lo;
        uint64_t b = hi < x->ranges[i].hi ? hi : x->ranges[i].hi;
        if (rangeset_add(&x->settled, a, b, (struct range_tag){0}) != 0)
            return -1;
    }
    return 0;
}

static void add_pair(struct xfail *x, const struct xfail_range *r, uint64_t lo,
                     uint64_t hi, const struct pmc_event *ev)
{
    for (size_t i = 0; i < x->npairs; i++)
        if (x->pairs[i].store_site == r->site &&
            x->pairs[i].load_site == ev->site)
            return;
    if (x->npairs == XFAIL_MAX_PAIRS)
        return;
    x->pairs[x->npairs++] = (struct xfail_pair){
        .store_site = r->site,
        .load_site = ev->site,
        .load_seq = ev->seq,
        .lo = lo,
        .hi = hi,
        .region = r->region,
        .region_offset = XFAIL_POS_OFFSET(lo) - r->region_base,
        .state = r->state,
        .commit_var = rangeset_find(&x->commit_vars, lo) != NULL,
    };
}

/* The gaps of the settled set in [lo, hi) are first reads of r's bytes. */
static void first_reads(struct xfail *x, const struct xfail_range *r,
                        uint64_t lo, uint64_t hi, const struct pmc_event *ev)
{
    const struct range *s = x->settled.items;
    size_t n = x->settled.count, k = 0, top = n;
    while (k < top) { /* the first settled range ending after lo */
        size_t mid = k + (top - k) / 2;
        if (s[mid].hi <= lo)
            k = mid + 1;
        else
            top = mid;
    }
    uint64_t cur = lo;
    for (; k < n && s[k].lo < hi && cur < hi; k++) {
        if (s[k].lo > cur) {
            add_pair(x, r, cur, s[k].lo, ev);
            return; /* one pair per range per load: the first bytes */
        }
        if (s[k].hi > cur)
            cur = s[k].hi;
    }
    if (cur < hi)
        add_pair(x, r, cur, hi, ev);
}

/* The recovery read [lo, hi). */
static int read_bytes(struct xfail *x, uint64_t lo, uint64_t hi,
                      const struct pmc_event *ev)
{
    for (size_t i = first_range_after(x, lo);
         i < x->nranges && x->ranges[i].lo < hi; i++) {
        const struct xfail_range *r = &x->ranges[i];
        uint64_t a = lo > r->lo ? lo : r->lo;
        uint64_t b = hi < r->hi ? hi : r->hi;
        if (!rangeset_covers(&x->settled, a, b))
            first_reads(x, r, a, b, ev);
        if (rangeset_add(&x->settled, a, b, (struct range_tag){0}) != 0)
            return -1;
    }
    return 0;
}

int xfail_run_event(struct xfail *x, const struct pmc_event *ev,
                    const char *path)
{
    switch (ev->kind) {
    case PMT_REGION_MAP:
        return region_mapped(x, ev, path);
    case PMT_REGION_UNMAP:
        region_unmapped(x, ev);
        return 0;
    default:
        break;
    }
    if (x->nranges == 0 || ev->len == 0)
        return 0;
    switch (ev->kind) {
    case PMT_STORE:
    case PMT_NT_STORE:
    case PMT_STORE_FILL:
    case PMT_LIB_WRITE:
        return each_piece(x, ev, written);
    case PMT_LOAD:
        return each_piece(x, ev, read_bytes);
    default:
        return 0;
    }
}
