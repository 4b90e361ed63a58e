/*
 * crash_xfail.c - cross-failure reads in the crash explorer (see
 * crash_internal.h and xfail.h): a crash point's uncertain set from its
 * live lines and the walk's exempt ranges, and a run's trace read against
 * it into cross-failure-read findings.
 *
 * A finding's primary site is the store, not the load. The store is where
 * the fix goes (persist it before the crash point, order it after what
 * validates it, or declare the commit variable it is), it is a site of
 * the trace being checked - as every other rule's primary site is - and
 * it puts the finding on the same line as an unpersisted-store of the
 * same bytes, which a SARIF viewer then shows together. The load, in the
 * recovery, is the first note and part of the finding's identity
 * (key_site): one finding per (store, load) pair.
 *
 * The rule is the point's: at a sequential point (xfail.h: every state a
 * program-order prefix) the read saw a value in flight, in-flight-read, a
 * warning; elsewhere a race with relaxed persistency, cross-failure-read.
 * A pair can be both, at two points; each is reported under its rule.
 */
#include "crash_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int exempt(void *x, uint64_t lo, uint64_t hi)
{
    return xfail_point_exempt(x, lo, hi);
}

static int commit_var(void *x, uint64_t lo, uint64_t hi)
{
    return xfail_point_commit_var(x, lo, hi);
}

int crash_xfail_point(struct xfail *x, struct walk *w,
                      const struct crash_point *cp, struct pmc_error *err)
{
    xfail_point_begin(x);
    for (size_t i = 0; i < cp->nlines; i++) {
        const struct point_line *l = &cp->lines[i];
        if (xfail_point_line(x, XFAIL_POS(l->img, l->offset), l->parts,
                             l->nparts, l->region, l->region_base) != 0)
            return pmc_error_set(err, "crash: out of memory");
    }
    if (cp->nlines > 0 && walk_exempt(w, exempt, commit_var, x) != 0)
        return pmc_error_set(err, "crash: out of memory");
    if (xfail_point_end(x, walk_persisted_seq(w)) != 0)
        return pmc_error_set(err, "crash: out of memory");
    return 0;
}

/* Read the recovery's trace to its end or its damage (a recovery killed
 * by a signal leaves a trace cut short: what it did up to there counts). */
static int scan(struct xfail *x, struct pmc_trace *t, struct pmc_error *err)
{
    struct pmc_event ev;
    struct pmc_error damage;
    while (pmc_trace_next(t, &ev, &damage) > 0) {
        const char *path =
            ev.kind == PMT_REGION_MAP ? pmc_trace_string(t, ev.str) : NULL;
        if (xfail_run_event(x, &ev, path) != 0)
            return pmc_error_set(err, "crash: out of memory");
    }
    return 0;
}

/* Why the store was not persistent. */
static const char *store_words(uint8_t state)
{
    switch (state) {
    case PMC_STORE_FLUSHED:
        return "flushed but not fenced";
    case PMC_STORE_NT:
        return "non-temporal and not fenced";
    default:
        return "unflushed";
    }
}

static void make_finding(const struct image_set *imgs,
                         const struct crash_point *cp, const char *state_id,
                         bool sequential, const struct xfail_pair *p,
                         uint32_t load_site, struct pmc_finding *f)
{
    pmc_finding_init(
        f, sequential ? PMC_RULE_IN_FLIGHT_READ : PMC_RULE_CROSS_FAILURE_READ,
        p->store_site, cp->seq);
    f->key_site = load_site;
    f->region = p->region;
    f->offset = p->region_offset;
    f->len = p->hi - p->lo;
    f->declared_commit_var = p->commit_var;
    const char *image = image_name(imgs, XFAIL_POS_IMAGE(p->lo));
    uint64_t offset = XFAIL_POS_OFFSET(p->lo);
    snprintf(f->message, sizeof(f->message),
             "recovery read %" PRIu64 " %s at %s+0x%" PRIx64
             " that this store left %s at the crash%s (crash state %s)",
             f->len, f->len == 1 ? "byte" : "bytes", image, offset,
             store_words(p->state),
             sequential ? ", in flight: the old or the new value, as after "
                          "a crash between two instructions"
                        : "",
             state_id);
    pmc_finding_note(f, PMC_NOTE_LOAD, load_site,
                     "read by the recovery before it wrote %s+0x%" PRIx64,
                     image, offset);
    char point[160];
    crash_point_describe(cp, point, sizeof(point));
    pmc_finding_note(f, PMC_NOTE_CRASH_POINT, cp->site, "%s", point);
}

int crash_xfail_run(struct xfail *x, const struct image_set *imgs,
                    const char *trace_path, const struct crash_point *cp,
                    const char *state_id, struct pmc_site_pool *sites,
                    struct pmc_finding **out, size_t *n, struct pmc_error *err)
{
    *out = NULL;
    *n = 0;
    const struct xfail_range *ranges;
    if (xfail_point_ranges(x, &ranges) == 0)
        return 0; /* nothing uncertain: no need to read the trace */
    struct pmc_trace *t;
    struct pmc_error why;
    if (trace_path == NULL || pmc_trace_open(trace_path, &t, &why) != 0)
        return 1;
    xfail_run_begin(x, imgs);
    int rc = scan(x, t, err);
    const struct xfail_pair *pairs;
    size_t npairs = rc == 0 ? xfail_run_pairs(x, &pairs) : 0;
    if (npairs > 0 && (*out = calloc(npairs, sizeof(**out))) == NULL)
        rc = pmc_error_set(err, "crash: out of memory");
    for (size_t i = 0; rc == 0 && i < npairs; i++) {
        const struct pmc_site *s = pmc_trace_site(t, pairs[i].load_site);
        uint32_t load_site = s != NULL ? pmc_site_pool_add(sites, s) : 0;
        /* 0 from the pool is no memory: the pair would lose its load and
         * merge with every other pair of its store. */
        if (s != NULL && load_site == 0) {
            rc = pmc_error_set(err, "crash: out of memory");
            break;
        }
        make_finding(imgs, cp, state_id, xfail_point_sequential(x), &pairs[i],
                     load_site, &(*out)[i]);
    }
    pmc_trace_close(t);
    if (rc != 0) {
        free(*out);
        *out = NULL;
        return -1;
    }
    *n = npairs;
    return 0;
}
