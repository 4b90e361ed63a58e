/*
 * test_crash.c - the crash explorer (checker/crash.h) end to end on
 * traces built byte for byte, with this program as the recovery:
 *
 *   test-crash --recover IMAGE
 *
 * checks the invariants of the 256-byte test pool and exits 1 (saying
 * why on stderr) when one does not hold:
 *   [0, 8)     data          must be eight 0x11 bytes when flag is 1
 *   [64]       flag
 *   [128, 144) pair          its two words must be equal
 *   [200]      scratch       must be 0; the recovery then writes 0xff
 *                            there, so an image that is not restored
 *                            between runs fails the next one
 * and exits 3 when PMCHECK_MARKERS names "boom".
 *
 * Each test explores a trace and asserts the exact states (ids, order,
 * duplicates, outcomes), the findings, and what --jobs, --shard, budgets,
 * torn writes and replay do to them.
 */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "crash.h"
#include "image.h"
#include "test_support.h"
#include "trace_builder.h"

#define POOL 0x7f0000000000ull
#define POOL_LEN 256u

/* Sites of the test traces. */
#define SITE_DATA 10u
#define SITE_FLAG 11u
#define SITE_FLUSH 12u
#define SITE_FENCE 13u
#define SITE_FENCE2 14u
#define SITE_PAIR 15u

static char recover_command[PATH_MAX + 32];

/* ---- the recovery ----------------------------------------------------- */

static int recover(const char *path)
{
    uint8_t img[POOL_LEN];
    int fd = open(path, O_RDWR);
    if (fd < 0 || pread(fd, img, sizeof(img), 0) != (ssize_t)sizeof(img)) {
        perror(path);
        return 2;
    }
    const char *markers = getenv("PMCHECK_MARKERS");
    if (markers != NULL && strstr(markers, "boom") != NULL)
        return 3;
    static const uint8_t ones[8] = {0x11, 0x11, 0x11, 0x11,
                                    0x11, 0x11, 0x11, 0x11};
    const char *id = getenv("PMCHECK_STATE");
    int status = 0;
    if (img[200] != 0) {
        fprintf(stderr, "recover: the image was not restored\n");
        status = 1;
    } else if (img[64] == 1 && memcmp(img, ones, 8) != 0) {
        fprintf(stderr, "recover: flag set, data missing\n");
        status = 1;
    } else if (memcmp(img + 128, img + 136, 8) != 0) {
        fprintf(stderr, "recover: torn pair (state %s)\n", id ? id : "");
        status = 1;
    }
    const uint8_t mark = 0xff;
    if (pwrite(fd, &mark, 1, 200) != 1)
        status = 2;
    close(fd);
    return status;
}

/* ---- traces ----------------------------------------------------------- */

struct tracer {
    struct tb *b;
    uint32_t blk;
    uint64_t seq;
};

static const char *const test_argv[] = {"./pool-writer", NULL};

static void tracer_begin(struct tracer *t)
{
    t->b = tb_new(test_argv);
    t->blk = tb_block(t->b, 1, 0);
    t->seq = 1;
    tb_thread(t->b, t->blk, t->seq++, 100);
    tb_string(t->b, t->blk, t->seq++, 1, "/mnt/pmem/pool.img");
    tb_string(t->b, t->blk, t->seq++, 2, "pool.c");
    const uint32_t sites[] = {SITE_DATA,  SITE_FLAG,   SITE_FLUSH,
                              SITE_FENCE, SITE_FENCE2, SITE_PAIR};
    for (size_t i = 0; i < sizeof(sites) / sizeof(sites[0]); i++)
        tb_site(t->b, t->blk, t->seq++, sites[i], sites[i] * 10, 1, 2, 0, 0);
    tb_region_map(t->b, t->blk, t->seq++, 1, POOL, POOL_LEN, 1);
}

static void put(struct tracer *t, uint32_t site, uint64_t offset,
                const void *data, size_t len)
{
    tb_store(t->b, t->blk, t->seq++, site, POOL + offset, data, len);
}

static void flush(struct tracer *t, uint64_t offset)
{
    tb_flush(t->b, t->blk, t->seq++, SITE_FLUSH, POOL + offset, PMT_FLUSH_CLWB);
}

static void fence(struct tracer *t, uint32_t site)
{
    tb_fence(t->b, t->blk, t->seq++, site);
}

static void addr_record(struct tracer *t, uint8_t kind, uint64_t offset,
                        const void *data, size_t len)
{
    struct pmt_body_addr body = {.addr = POOL + offset};
    tb_rec(t->b, t->blk, kind, 0, 0, t->seq++, &body, sizeof(body), data, len);
}

static void marker(struct tracer *t, uint32_t string, const char *name)
{
    tb_string(t->b, t->blk, t->seq++, string, name);
    struct pmt_body_marker body = {.name = string};
    tb_rec(t->b, t->blk, PMT_MARKER, 0, 0, t->seq++, &body, sizeof(body), NULL,
           0);
}

static const char *tracer_end(struct tracer *t, const char *name)
{
    struct pmt_body_exit body = {.status = 0};
    tb_rec(t->b, t->blk, PMT_EXIT, 0, 0, t->seq++, &body, sizeof(body), NULL,
           0);
    tb_seal(t->b, t->blk);
    tb_header(t->b)->end_kind = PMT_END_EXIT;
    const char *path = test_path(name);
    assert_int_equal(tb_write(t->b, path, SIZE_MAX), 0);
    tb_free(t->b);
    return path;
}

static const uint8_t data8[8] = {0x11, 0x11, 0x11, 0x11,
                                 0x11, 0x11, 0x11, 0x11};
static const uint8_t flag1 = 1;
static const uint8_t pair16[16] = {0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
                                   0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
                                   0x22, 0x22, 0x22, 0x22};

static const uint8_t pair16_b[16] = {0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
                                     0x44, 0x44, 0x44, 0x44, 0x44, 0x44,
                                     0x44, 0x44, 0x44, 0x44};

/* The flag is published in the same epoch as the data: a crash can
 * persist the flag's line without the data's. */
static const char *publish_early_trace(void)
{
    struct tracer t;
    tracer_begin(&t);
    put(&t, SITE_DATA, 0, data8, 8);
    put(&t, SITE_FLAG, 64, &flag1, 1);
    flush(&t, 0);
    flush(&t, 64);
    fence(&t, SITE_FENCE);
    return tracer_end(&t, "early.pmt");
}

static const char *publish_late_trace(void)
{
    struct tracer t;
    tracer_begin(&t);
    put(&t, SITE_DATA, 0, data8, 8);
    flush(&t, 0);
    fence(&t, SITE_FENCE);
    put(&t, SITE_FLAG, 64, &flag1, 1);
    flush(&t, 64);
    fence(&t, SITE_FENCE2);
    return tracer_end(&t, "late.pmt");
}

/* ---- exploring -------------------------------------------------------- */

#define MAX_STATES 64

struct seen_state {
    char id[PMC_CRASH_STATE_ID_SIZE];
    char duplicate_of[PMC_CRASH_STATE_ID_SIZE];
    uint64_t ordinal;
    uint64_t hash;
    uint32_t crash_site;
    bool duplicate;
    enum pmc_run_outcome outcome;
    int code;
    char stderr_tail[128];
};

struct seen {
    size_t n;
    struct seen_state s[MAX_STATES];
};

static int on_state(void *ctx, const struct pmc_crash_state *st,
                    struct pmc_error *err)
{
    (void)err;
    struct seen *seen = ctx;
    assert_true(seen->n < MAX_STATES);
    struct seen_state *r = &seen->s[seen->n++];
    snprintf(r->id, sizeof(r->id), "%s", st->id);
    snprintf(r->duplicate_of, sizeof(r->duplicate_of), "%s", st->duplicate_of);
    snprintf(r->stderr_tail, sizeof(r->stderr_tail), "%s",
             st->duplicate ? "" : st->stderr_tail);
    r->ordinal = st->ordinal;
    r->hash = st->image_hash;
    r->crash_site = st->crash_site;
    r->duplicate = st->duplicate;
    r->outcome = st->duplicate ? 0 : st->outcome;
    r->code = st->duplicate ? 0 : st->code;
    return 0;
}

/* The recovery is this program: in a sanitized build (-Dsanitize=true) it
 * reserves terabytes of address space for ASan's shadow, which no memory
 * limit of the runner (RLIMIT_AS) allows. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RECOVERY_MEMORY_LIMIT UINT64_MAX
#endif
#endif
#ifndef RECOVERY_MEMORY_LIMIT
#define RECOVERY_MEMORY_LIMIT 0 /* the runner's default */
#endif

static struct pmc_crash_options options(void)
{
    return (struct pmc_crash_options){
        .recover = recover_command,
        .jobs = 1,
        .workdir = test_dir(),
        .run_memory_limit = RECOVERY_MEMORY_LIMIT,
    };
}

struct explored {
    struct seen seen;
    struct pmc_findings *findings;
    struct pmc_crash_summary summary;
};

static void explore(const char *trace, const struct pmc_crash_options *o,
                    struct explored *out)
{
    memset(&out->seen, 0, sizeof(out->seen));
    out->findings = pmc_findings_new();
    assert_non_null(out->findings);
    struct pmc_trace *t;
    struct pmc_error err;
    assert_int_equal(pmc_trace_open(trace, &t, &err), 0);
    struct pmc_crash_callbacks cb = {.state = on_state, .ctx = &out->seen};
    if (pmc_crash_explore(t, o, &cb, out->findings, &out->summary, &err) != 0)
        fail_msg("explore %s: %s", trace, err.msg);
    pmc_trace_close(t);
}

static void explored_free(struct explored *e)
{
    pmc_findings_free(e->findings);
}

static size_t index_of(const struct seen *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->s[i].id, id) == 0)
            return i;
    fail_msg("no state %s", id);
    return 0;
}

/* ---- the tests -------------------------------------------------------- */

/* Crash point 0 (before the fence) has the four line subsets; only the
 * flag's line without the data's fails. The exit and the end of the
 * trace leave the full state again: duplicates. */
static void test_publish_early_fails(void **state)
{
    (void)state;
    static struct explored e;
    struct pmc_crash_options o = options();
    explore(publish_early_trace(), &o, &e);
    const struct seen *s = &e.seen;
    assert_int_equal(s->n, 6);
    const char *ids[] = {"0.0", "0.1", "0.2", "0.3", "1.0", "2.0"};
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(s->s[i].id, ids[i]);
        assert_int_equal(s->s[i].ordinal, i);
    }
    assert_int_equal(s->s[3].outcome, PMC_RUN_EXIT);
    assert_int_equal(s->s[3].code, 1);
    assert_string_equal(s->s[3].stderr_tail,
                        "recover: flag set, data missing\n");
    assert_int_equal(s->s[3].crash_site, SITE_FENCE);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(s->s[i].outcome, PMC_RUN_PASS);
    assert_true(s->s[4].duplicate);
    assert_string_equal(s->s[4].duplicate_of, "0.1");
    assert_string_equal(s->s[5].duplicate_of, "0.1");
    assert_int_equal(e.summary.totals.runs, 4);
    assert_int_equal(e.summary.totals.duplicates, 2);
    assert_int_equal(e.summary.totals.failures, 1);
    assert_int_equal(e.summary.totals.points, 3);
    assert_null(e.summary.stopped);

    assert_int_equal(pmc_findings_count(e.findings), 1);
    const struct pmc_finding *f = pmc_findings_get(e.findings, 0);
    assert_int_equal(f->rule, PMC_RULE_CRASH_RECOVERY_FAILED);
    assert_int_equal(f->site, SITE_FENCE);
    assert_int_equal(f->count, 1);
    assert_int_equal(f->nnotes, 2);
    assert_int_equal(f->notes[0].role, PMC_NOTE_STORE);
    assert_int_equal(f->notes[0].site, SITE_DATA);
    assert_non_null(strstr(f->notes[0].message, "pool.img+0x0"));
    assert_int_equal(f->notes[1].role, PMC_NOTE_CRASH_POINT);
    assert_non_null(strstr(f->message, "exited with status 1"));
    assert_non_null(strstr(f->message, "state 0.3"));
    explored_free(&e);
}

/* Persisting the data first leaves no failing state; every run starts
 * from a restored image (the recovery checks it). */
static void test_publish_late_passes(void **state)
{
    (void)state;
    static struct explored e;
    struct pmc_crash_options o = options();
    explore(publish_late_trace(), &o, &e);
    assert_int_equal(pmc_findings_count(e.findings), 0);
    assert_int_equal(e.summary.totals.failures, 0);
    assert_true(e.summary.totals.runs >= 3);
    for (size_t i = 0; i < e.seen.n; i++)
        assert_true(e.seen.s[i].duplicate ||
                    e.seen.s[i].outcome == PMC_RUN_PASS);
    explored_free(&e);
}

static void assert_same_states(const struct seen *a, const struct seen *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_string_equal(a->s[i].id, b->s[i].id);
        assert_string_equal(a->s[i].duplicate_of, b->s[i].duplicate_of);
        assert_int_equal(a->s[i].hash, b->s[i].hash);
        assert_int_equal(a->s[i].outcome, b->s[i].outcome);
        assert_int_equal(a->s[i].code, b->s[i].code);
        assert_string_equal(a->s[i].stderr_tail, b->s[i].stderr_tail);
    }
}

/* --jobs changes who runs a state, never what is reported or its order
 * (a queued record's strings included). */
static void test_jobs_deterministic(void **state)
{
    (void)state;
    static struct explored one, two, three;
    /* Many failing states, each saying its id on stderr. */
    struct tracer t;
    tracer_begin(&t);
    for (int i = 0; i < 6; i++) {
        put(&t, SITE_PAIR, 128, i % 2 ? pair16 : pair16_b, 16);
        flush(&t, 128);
        fence(&t, SITE_FENCE);
    }
    const char *trace = tracer_end(&t, "jobs.pmt");
    struct pmc_crash_options o = options();
    o.torn = true;
    explore(trace, &o, &one);
    o.jobs = 2;
    explore(trace, &o, &two);
    o.jobs = 3;
    explore(trace, &o, &three);
    assert_same_states(&one.seen, &two.seen);
    assert_same_states(&one.seen, &three.seen);
    assert_int_equal(pmc_findings_count(three.findings), 1);
    assert_int_equal(pmc_findings_get(three.findings, 0)->count, 4);
    assert_string_equal(pmc_findings_get(one.findings, 0)->message,
                        pmc_findings_get(three.findings, 0)->message);
    explored_free(&one);
    explored_free(&two);
    explored_free(&three);
}

/* Two shards: every state once, by one of them, as the unsharded run
 * has it (duplicates found across shards). */
static void test_shards_partition(void **state)
{
    (void)state;
    static struct explored all, s0, s1;
    const char *trace = publish_early_trace();
    struct pmc_crash_options o = options();
    explore(trace, &o, &all);
    o.shard_count = 2;
    explore(trace, &o, &s0);
    o.shard_index = 1;
    explore(trace, &o, &s1);
    assert_int_equal(s0.seen.n + s1.seen.n, all.seen.n);
    for (size_t i = 0; i < all.seen.n; i++) {
        const struct seen *part = i % 2 == 0 ? &s0.seen : &s1.seen;
        size_t j = index_of(part, all.seen.s[i].id);
        assert_int_equal(part->s[j].ordinal, all.seen.s[i].ordinal);
        assert_int_equal(part->s[j].outcome, all.seen.s[i].outcome);
        assert_string_equal(part->s[j].duplicate_of,
                            all.seen.s[i].duplicate_of);
    }
    assert_int_equal(
        pmc_findings_count(s0.findings) + pmc_findings_count(s1.findings), 1);
    explored_free(&all);
    explored_free(&s0);
    explored_free(&s1);
}

/* --max-states bounds the distinct states and says it stopped. */
static void test_budget_stops(void **state)
{
    (void)state;
    static struct explored e;
    struct pmc_crash_options o = options();
    o.max_states = 2;
    explore(publish_early_trace(), &o, &e);
    assert_int_equal(e.seen.n, 2);
    assert_string_equal(e.summary.stopped, "max-states");
    assert_int_equal(e.summary.stopped_point, 0);
    assert_int_equal(e.summary.stopped_site, SITE_FENCE);
    assert_int_equal(pmc_findings_count(e.findings), 0);
    explored_free(&e);
}

/* The hash of a file as one image of the test pool. */
static uint64_t file_hash(const char *path)
{
    uint8_t bytes[POOL_LEN];
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_size, POOL_LEN);
    assert_int_equal(read(fd, bytes, sizeof(bytes)), (ssize_t)POOL_LEN);
    close(fd);
    const struct image_spec spec = {"pool.img", POOL_LEN};
    struct image_set *s;
    struct pmc_error err;
    assert_int_equal(image_set_new(&spec, 1, &s, &err), 0);
    image_write(s, 0, 0, bytes, POOL_LEN);
    uint64_t h = image_base_hash(s);
    image_set_free(s);
    return h;
}

/* Every state rebuilt from its id has the hash the exploration gave it,
 * and the failing one fails the recovery again. */
static void test_replay_round_trip(void **state)
{
    (void)state;
    static struct explored e;
    const char *trace = publish_early_trace();
    struct pmc_crash_options o = options();
    explore(trace, &o, &e);
    struct pmc_trace *t;
    struct pmc_error err;
    assert_int_equal(pmc_trace_open(trace, &t, &err), 0);
    for (size_t i = 0; i < e.seen.n; i++) {
        const char *out = test_path("replay.img");
        struct pmc_crash_replay_info info;
        if (pmc_crash_replay(t, &o, e.seen.s[i].id, out, &info, &err) != 0)
            fail_msg("replay %s: %s", e.seen.s[i].id, err.msg);
        assert_int_equal(info.image_hash, e.seen.s[i].hash);
        assert_int_equal(file_hash(out), e.seen.s[i].hash);
        assert_int_equal(info.nimages, 1);
    }
    const char *out = test_path("failing.img");
    assert_int_equal(pmc_crash_replay(t, &o, "0.3", out, NULL, &err), 0);
    assert_int_equal(recover(out), 1);
    assert_int_equal(pmc_crash_replay(t, &o, "0.9", out, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "does not exist"));
    assert_int_equal(pmc_crash_replay(t, &o, "7.0", out, NULL, &err), -1);
    assert_int_equal(pmc_crash_replay(t, &o, "zero", out, NULL, &err), -1);
    pmc_trace_close(t);
    explored_free(&e);
}

/* A 16-byte store is all or nothing without --torn; with it, each of its
 * words may be missing, and the recovery sees a torn pair. */
static void test_torn_pair(void **state)
{
    (void)state;
    struct tracer t;
    tracer_begin(&t);
    put(&t, SITE_PAIR, 128, pair16, 16);
    flush(&t, 128);
    fence(&t, SITE_FENCE);
    const char *trace = tracer_end(&t, "torn.pmt");
    static struct explored whole, torn;
    struct pmc_crash_options o = options();
    explore(trace, &o, &whole);
    assert_int_equal(pmc_findings_count(whole.findings), 0);
    o.torn = true;
    explore(trace, &o, &torn);
    assert_int_equal(torn.summary.totals.failures, 2);
    assert_string_equal(torn.seen.s[2].id, "0.2");
    assert_string_equal(torn.seen.s[2].stderr_tail,
                        "recover: torn pair (state 0.2)\n");
    assert_int_equal(pmc_findings_count(torn.findings), 1);
    const struct pmc_finding *f = pmc_findings_get(torn.findings, 0);
    assert_int_equal(f->count, 2);
    assert_int_equal(f->notes[0].site, SITE_PAIR);
    assert_non_null(strstr(f->notes[0].message, "torn"));
    explored_free(&whole);
    explored_free(&torn);
}

/* The base starts from REGION_DATA and takes library writes at once:
 * with the data there from the start and the flag written by a library,
 * no state fails, and the replayed image holds both. */
static void test_region_data_and_lib_write(void **state)
{
    (void)state;
    struct tracer t;
    tracer_begin(&t);
    addr_record(&t, PMT_REGION_DATA, 0, data8, 8);
    addr_record(&t, PMT_LIB_WRITE, 64, &flag1, 1);
    put(&t, SITE_PAIR, 128, pair16, 8); /* half a pair: live */
    fence(&t, SITE_FENCE);
    const char *trace = tracer_end(&t, "lib.pmt");
    static struct explored e;
    struct pmc_crash_options o = options();
    explore(trace, &o, &e);
    /* The half pair reaches the pool in the "all" state: a failure. */
    assert_int_equal(e.summary.totals.failures, 1);
    assert_string_equal(e.seen.s[1].id, "0.1");
    assert_int_equal(e.seen.s[0].outcome, PMC_RUN_PASS);
    struct pmc_trace *tr;
    struct pmc_error err;
    assert_int_equal(pmc_trace_open(trace, &tr, &err), 0);
    const char *out = test_path("lib.img");
    assert_int_equal(pmc_crash_replay(tr, &o, "0.0", out, NULL, &err), 0);
    pmc_trace_close(tr);
    uint8_t img[POOL_LEN];
    int fd = open(out, O_RDONLY);
    assert_int_equal(read(fd, img, sizeof(img)), (ssize_t)POOL_LEN);
    close(fd);
    assert_memory_equal(img, data8, 8);
    assert_int_equal(img[64], 1);
    assert_int_equal(img[128], 0);
    explored_free(&e);
}

/* Markers reach the recovery; identical images with other markers are
 * different states. */
static void test_markers(void **state)
{
    (void)state;
    struct tracer t;
    tracer_begin(&t);
    fence(&t, SITE_FENCE);
    marker(&t, 20, "boom");
    fence(&t, SITE_FENCE2);
    const char *trace = tracer_end(&t, "marker.pmt");
    static struct explored e;
    struct pmc_crash_options o = options();
    explore(trace, &o, &e);
    /* Replay says which markers the state's runs saw. */
    struct pmc_trace *tr;
    struct pmc_error err;
    struct pmc_crash_replay_info info;
    assert_int_equal(pmc_trace_open(trace, &tr, &err), 0);
    assert_int_equal(
        pmc_crash_replay(tr, &o, "1.0", test_path("m.img"), &info, &err), 0);
    pmc_trace_close(tr);
    assert_string_equal(info.markers, "boom");
    assert_int_equal(e.seen.n, 4); /* 0.0, 1.0, then exit and end dups */
    assert_int_equal(e.seen.s[0].outcome, PMC_RUN_PASS);
    assert_false(e.seen.s[1].duplicate);
    assert_int_equal(e.seen.s[1].outcome, PMC_RUN_EXIT);
    assert_int_equal(e.seen.s[1].code, 3);
    assert_int_equal(e.seen.s[0].hash, e.seen.s[1].hash);
    assert_string_equal(e.seen.s[2].duplicate_of, "1.0");
    explored_free(&e);
}

/* ---- library calls (libpmemobj) ----------------------------------- */

#define SITE_BEGIN 16u
#define SITE_ADD 17u
#define SITE_COMMIT 18u
#define STR_BEGIN 3u
#define STR_ADD 4u
#define STR_COMMIT 5u

static void lib_call(struct tracer *t, uint32_t site, uint32_t function,
                     unsigned flags)
{
    struct pmt_body_lib_call body = {.function = function};
    tb_rec(t->b, t->blk, PMT_LIB_CALL, (uint8_t)flags, site, t->seq++, &body,
           sizeof(body), NULL, 0);
}

static void tx_record(struct tracer *t, uint8_t kind, uint32_t site,
                      uint64_t offset, uint64_t len)
{
    struct pmt_body_range body = {.addr = POOL + offset, .len = len};
    tb_rec(t->b, t->blk, kind, 0, site, t->seq++, &body,
           kind == PMT_TX_ADD || kind == PMT_TX_ALLOC ? sizeof(body) : 0, NULL,
           0);
}

/* A transaction that adds [160, 168) and stores there (logged), and
 * stores the data and the flag without adding them (unlogged); its
 * commit flushes the added range. The begin writes nothing; the add
 * writes its undo log (at 232) before any store. */
static const char *unlogged_tx_trace(void)
{
    struct tracer t;
    tracer_begin(&t);
    tb_string(t.b, t.blk, t.seq++, STR_BEGIN, "pmemobj_tx_begin");
    tb_string(t.b, t.blk, t.seq++, STR_ADD, "pmemobj_tx_add_range");
    tb_string(t.b, t.blk, t.seq++, STR_COMMIT, "pmemobj_tx_process");
    const uint32_t sites[] = {SITE_BEGIN, SITE_ADD, SITE_COMMIT};
    for (size_t i = 0; i < sizeof(sites) / sizeof(sites[0]); i++)
        tb_site(t.b, t.blk, t.seq++, sites[i], sites[i] * 10, 1, 2, 0, 0);
    static const uint8_t undo[8] = {0x5a};
    lib_call(&t, SITE_BEGIN, STR_BEGIN, PMT_LIB_CALL_BEGIN);
    tx_record(&t, PMT_TX_BEGIN, SITE_BEGIN, 0, 0);
    lib_call(&t, SITE_BEGIN, STR_BEGIN, PMT_LIB_CALL_END);
    lib_call(&t, SITE_ADD, STR_ADD, PMT_LIB_CALL_BEGIN);
    addr_record(&t, PMT_LIB_WRITE, 232, undo, sizeof(undo));
    tx_record(&t, PMT_TX_ADD, SITE_ADD, 160, 8);
    lib_call(&t, SITE_ADD, STR_ADD, PMT_LIB_CALL_END);
    put(&t, SITE_PAIR, 160, data8, 8);
    put(&t, SITE_DATA, 0, data8, 8);
    put(&t, SITE_FLAG, 64, &flag1, 1);
    lib_call(&t, SITE_COMMIT, STR_COMMIT, PMT_LIB_CALL_BEGIN);
    addr_record(&t, PMT_LIB_WRITE, 160, data8, 8);
    tx_record(&t, PMT_TX_COMMIT, SITE_COMMIT, 0, 0);
    lib_call(&t, SITE_COMMIT, STR_COMMIT, PMT_LIB_CALL_END);
    tx_record(&t, PMT_TX_END, SITE_COMMIT, 0, 0);
    return tracer_end(&t, "unlogged.pmt");
}

/* The commit's first write is a crash point at the call site; the begin
 * (no write) and the add (nothing to vary yet) are none. Only the
 * unlogged lines vary there: the logged one is fixed in. The failing
 * state keeps the flag and not the data, and the finding says so. */
static void test_lib_call_points(void **state)
{
    (void)state;
    static struct explored e;
    struct pmc_crash_options o = options();
    explore(unlogged_tx_trace(), &o, &e);
    /* none, all, data alone, flag alone (with two lines, the all-but-one
     * states are those) */
    assert_string_equal(e.seen.s[0].id, "0.0");
    assert_int_equal(e.seen.s[0].crash_site, SITE_COMMIT);
    assert_string_equal(e.seen.s[3].id, "0.3");
    assert_int_equal(e.seen.s[3].outcome, PMC_RUN_EXIT);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(e.seen.s[i].outcome == PMC_RUN_EXIT, i == 3);
    /* The logged line is in every state of point 0, and the commit made
     * it persistent: the exit and the end of the trace (points 1 and 2)
     * hold the same four images, which are not run again. */
    assert_int_equal(e.seen.n, 12);
    for (size_t i = 4; i < 12; i++) {
        assert_true(e.seen.s[i].duplicate);
        assert_int_equal(e.seen.s[i].duplicate_of[0], '0');
    }
    const struct pmc_finding *f = pmc_findings_get(e.findings, 0);
    assert_non_null(f);
    assert_int_equal(f->site, SITE_COMMIT);
    assert_int_equal(f->notes[0].site, SITE_FLAG);
    assert_non_null(strstr(f->notes[0].message, "no rollback undoes it"));
    assert_int_equal(f->notes[1].site, SITE_DATA);
    assert_non_null(strstr(f->notes[1].message, "left out"));
    assert_string_equal(f->notes[f->nnotes - 1].message,
                        "crash point: in this pmemobj_tx_process call, before "
                        "it wrote to pmem");
    explored_free(&e);
}

/* Two threads' transactions at once. A (thread 1) stores the data without
 * adding it and commits the flag it added; B (thread 2) began its
 * transaction before A's commit, and its first write (at 32, in the
 * data's line: it writes that line back, the data with it) comes after.
 * B's crash point there is the only one that can leave the flag in and
 * the data out. Its varied stores (A's data) are those of A's last
 * point explored, so when "the same transaction" was every thread's
 * together it was skipped and the state never ran. */
#define SITE_ADD_B 19u
#define STR_ALLOC 6u

static const char *two_thread_tx_trace(void)
{
    struct tracer t;
    tracer_begin(&t);
    const uint32_t a = t.blk, b = tb_block(t.b, 2, 0);
    tb_string(t.b, a, t.seq++, STR_BEGIN, "pmemobj_tx_begin");
    tb_string(t.b, a, t.seq++, STR_ADD, "pmemobj_tx_add_range");
    tb_string(t.b, a, t.seq++, STR_COMMIT, "pmemobj_tx_process");
    tb_string(t.b, a, t.seq++, STR_ALLOC, "pmemobj_tx_alloc");
    const uint32_t sites[] = {SITE_BEGIN, SITE_ADD, SITE_COMMIT, SITE_ADD_B};
    for (size_t i = 0; i < sizeof(sites) / sizeof(sites[0]); i++)
        tb_site(t.b, a, t.seq++, sites[i], sites[i] * 10, 1, 2, 0, 0);
    tb_thread(t.b, b, t.seq++, 101);
    static const uint8_t undo[8] = {0x5a}, zero[8] = {0};
    for (int i = 0; i < 2; i++) {
        t.blk = i == 0 ? a : b;
        lib_call(&t, SITE_BEGIN, STR_BEGIN, PMT_LIB_CALL_BEGIN);
        tx_record(&t, PMT_TX_BEGIN, SITE_BEGIN, 0, 0);
        lib_call(&t, SITE_BEGIN, STR_BEGIN, PMT_LIB_CALL_END);
    }
    t.blk = a;
    put(&t, SITE_DATA, 0, data8, 8); /* unlogged */
    lib_call(&t, SITE_ADD, STR_ADD, PMT_LIB_CALL_BEGIN);
    addr_record(&t, PMT_LIB_WRITE, 232, undo, sizeof(undo)); /* point 0 */
    tx_record(&t, PMT_TX_ADD, SITE_ADD, 64, 8);
    lib_call(&t, SITE_ADD, STR_ADD, PMT_LIB_CALL_END);
    put(&t, SITE_FLAG, 64, &flag1, 1); /* logged */
    lib_call(&t, SITE_COMMIT, STR_COMMIT, PMT_LIB_CALL_BEGIN);
    addr_record(&t, PMT_LIB_WRITE, 64, &flag1, 1); /* same varied: skipped */
    tx_record(&t, PMT_TX_COMMIT, SITE_COMMIT, 0, 0);
    lib_call(&t, SITE_COMMIT, STR_COMMIT, PMT_LIB_CALL_END);
    tx_record(&t, PMT_TX_END, SITE_COMMIT, 0, 0);
    t.blk = b;
    lib_call(&t, SITE_ADD_B, STR_ALLOC, PMT_LIB_CALL_BEGIN);
    addr_record(&t, PMT_LIB_WRITE, 32, zero, sizeof(zero)); /* point 1 */
    tx_record(&t, PMT_TX_ALLOC, SITE_ADD_B, 32, 8);
    lib_call(&t, SITE_ADD_B, STR_ALLOC, PMT_LIB_CALL_END);
    lib_call(&t, SITE_COMMIT, STR_COMMIT, PMT_LIB_CALL_BEGIN);
    tx_record(&t, PMT_TX_COMMIT, SITE_COMMIT, 0, 0);
    lib_call(&t, SITE_COMMIT, STR_COMMIT, PMT_LIB_CALL_END);
    tx_record(&t, PMT_TX_END, SITE_COMMIT, 0, 0);
    tb_seal(t.b, b);
    t.blk = a;
    return tracer_end(&t, "two-threads.pmt");
}

/* B's crash point is explored: its state without A's data fails, at B's
 * call, and names the store left out. */
static void test_lib_call_points_per_thread(void **state)
{
    (void)state;
    static struct explored e;
    struct pmc_crash_options o = options();
    explore(two_thread_tx_trace(), &o, &e);
    /* A's add: data out, data in (the flag is not stored yet): both pass */
    assert_string_equal(e.seen.s[0].id, "0.0");
    assert_int_equal(e.seen.s[0].crash_site, SITE_ADD);
    assert_int_equal(e.seen.s[0].outcome, PMC_RUN_PASS);
    assert_string_equal(e.seen.s[1].id, "0.1");
    assert_int_equal(e.seen.s[1].outcome, PMC_RUN_PASS);
    /* B's allocation: the flag is committed, the data out fails */
    assert_string_equal(e.seen.s[2].id, "1.0");
    assert_int_equal(e.seen.s[2].crash_site, SITE_ADD_B);
    assert_false(e.seen.s[2].duplicate);
    assert_int_equal(e.seen.s[2].outcome, PMC_RUN_EXIT);
    assert_non_null(strstr(e.seen.s[2].stderr_tail, "flag set, data missing"));
    assert_string_equal(e.seen.s[3].id, "1.1");
    assert_int_equal(e.seen.s[3].outcome, PMC_RUN_PASS);
    assert_int_equal(e.summary.totals.failures, 1);
    const struct pmc_finding *f = pmc_findings_get(e.findings, 0);
    assert_non_null(f);
    assert_int_equal(f->site, SITE_ADD_B);
    assert_int_equal(f->notes[0].site, SITE_DATA);
    assert_non_null(strstr(f->notes[0].message, "left out"));
    assert_string_equal(f->notes[f->nnotes - 1].message,
                        "crash point: in this pmemobj_tx_alloc call, before "
                        "it wrote to pmem");
    /* Every later state holds the data and the flag: none fails. */
    for (size_t i = 4; i < e.seen.n; i++)
        assert_true(e.seen.s[i].duplicate ||
                    e.seen.s[i].outcome == PMC_RUN_PASS);
    explored_free(&e);
}

/* --fail-alloc runs each point's full state once more; --media-errors
 * runs the final state with lines that hold data poisoned. */
static void test_fault_states(void **state)
{
    (void)state;
    static struct explored e;
    struct pmc_crash_options o = options();
    o.fail_alloc = 2;
    o.media_errors = 3;
    explore(publish_late_trace(), &o, &e);
    size_t alloc = index_of(&e.seen, "0.alloc2");
    assert_false(e.seen.s[alloc].duplicate);
    /* Data (line 0) and flag (line 1) are the lines with data. */
    index_of(&e.seen, "3.poison0x0");
    index_of(&e.seen, "3.poison0x40");
    for (size_t i = 0; i < e.seen.n; i++)
        assert_null(strstr(e.seen.s[i].id, "poison0x80"));
    explored_free(&e);
}

static int setup_dir(void **state)
{
    (void)state;
    test_dir_create("test-crash");
    char self[PATH_MAX];
    if (realpath("/proc/self/exe", self) == NULL)
        return -1;
    test_format(recover_command, sizeof(recover_command),
                "%s --recover {image}", self);
    return 0;
}

static int remove_dir(void **state)
{
    (void)state;
    test_dir_remove();
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--recover") == 0)
        return recover(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_early_fails),
        cmocka_unit_test(test_publish_late_passes),
        cmocka_unit_test(test_jobs_deterministic),
        cmocka_unit_test(test_shards_partition),
        cmocka_unit_test(test_budget_stops),
        cmocka_unit_test(test_replay_round_trip),
        cmocka_unit_test(test_torn_pair),
        cmocka_unit_test(test_region_data_and_lib_write),
        cmocka_unit_test(test_markers),
        cmocka_unit_test(test_fault_states),
        cmocka_unit_test(test_lib_call_points),
        cmocka_unit_test(test_lib_call_points_per_thread),
    };
    return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
