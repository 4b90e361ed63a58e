/*
 * test_crash_persist.c - the model's word that stores became persistent
 * (model.h, pmc_model_options.on_persist), which the crash explorer builds
 * its base images from.
 *
 * Each test replays a few events and asserts the exact calls: which line,
 * which parts (by seq) in which order, and that nothing else was said.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "finding.h"
#include "model.h"

#define POOL 0x10000000ull
#define POOL_LEN 0x10000ull
#define T1 1u
#define T2 2u

struct call {
    uint64_t line;
    uint64_t seq;
    uint8_t offset;
    uint8_t len;
    uint8_t first_byte;
};

struct fx {
    struct pmc_findings *set;
    struct pmc_model *m;
    uint64_t seq;
    struct call calls[64];
    size_t ncalls;
};

static const uint8_t bytes[128] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0xcc, 0xdd, 0xee, 0xf0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
};

static void on_persist(void *ctx, uint64_t line,
                       const struct pmc_live_store *parts, size_t n)
{
    struct fx *f = ctx;
    for (size_t i = 0; i < n; i++) {
        assert_true(f->ncalls < 64);
        f->calls[f->ncalls++] = (struct call){
            .line = line,
            .seq = parts[i].seq,
            .offset = parts[i].offset,
            .len = parts[i].len,
            .first_byte = parts[i].data ? parts[i].data[0] : 0,
        };
    }
}

static void fx_model(struct fx *f, enum pmc_persistency p)
{
    struct pmc_model_options o = {
        .persistency = p,
        .on_persist = on_persist,
        .persist_ctx = f,
    };
    struct pmc_error err;
    assert_int_equal(pmc_model_new(&o, f->set, &f->m, &err), 0);
}

static void feed(struct fx *f, struct pmc_event ev)
{
    struct pmc_error err;
    ev.seq = f->seq++;
    assert_int_equal(pmc_model_event(f->m, &ev, &err), 0);
}

static uint64_t store(struct fx *f, uint32_t thread, uint64_t addr,
                      uint64_t len, const uint8_t *data)
{
    uint64_t seq = f->seq;
    feed(f, (struct pmc_event){.kind = PMT_STORE,
                               .thread = thread,
                               .site = 1,
                               .addr = addr,
                               .len = len,
                               .data = data});
    return seq;
}

static void flush(struct fx *f, uint32_t thread, uint64_t addr, uint32_t kind)
{
    feed(f, (struct pmc_event){.kind = PMT_FLUSH,
                               .flags = kind,
                               .thread = thread,
                               .site = 2,
                               .addr = addr,
                               .len = 64});
}

static void fence(struct fx *f, uint32_t thread)
{
    feed(f, (struct pmc_event){.kind = PMT_FENCE,
                               .flags = PMT_FENCE_SFENCE,
                               .thread = thread,
                               .site = 3});
}

static int setup(void **state)
{
    static struct fx f;
    memset(&f, 0, sizeof(f));
    f.set = pmc_findings_new();
    assert_non_null(f.set);
    f.seq = 1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    pmc_model_free(f->m);
    pmc_findings_free(f->set);
    return 0;
}

static void map_pool(struct fx *f)
{
    feed(f, (struct pmc_event){.kind = PMT_REGION_MAP,
                               .thread = T1,
                               .id = 1,
                               .addr = POOL,
                               .len = POOL_LEN});
}

/* A fence persists a flushed line's parts, oldest first, in one call per
 * line; an unflushed line says nothing. */
static void test_fence_persists_in_order(void **state)
{
    struct fx *f = *state;
    fx_model(f, PMC_PERSIST_ADR);
    map_pool(f);
    uint64_t a = store(f, T1, POOL + 8, 8, bytes);
    uint64_t b = store(f, T1, POOL + 0, 4, bytes + 8);
    store(f, T1, POOL + 64, 8, bytes);
    flush(f, T1, POOL, PMT_FLUSH_CLWB);
    assert_int_equal(f->ncalls, 0);
    fence(f, T1);
    assert_int_equal(f->ncalls, 2);
    assert_int_equal(f->calls[0].seq, a);
    assert_int_equal(f->calls[0].line, POOL);
    assert_int_equal(f->calls[0].offset, 8);
    assert_int_equal(f->calls[0].first_byte, 0x11);
    assert_int_equal(f->calls[1].seq, b);
    assert_int_equal(f->calls[1].offset, 0);
    assert_int_equal(f->calls[1].len, 4);
    assert_int_equal(f->calls[1].first_byte, 0x99);
}

/* clflush is ordered by itself; another thread's fence persists nothing
 * of this thread's flush. */
static void test_clflush_and_other_thread(void **state)
{
    struct fx *f = *state;
    fx_model(f, PMC_PERSIST_ADR);
    map_pool(f);
    uint64_t a = store(f, T1, POOL, 8, bytes);
    flush(f, T1, POOL, PMT_FLUSH_CLFLUSH);
    assert_int_equal(f->ncalls, 1);
    assert_int_equal(f->calls[0].seq, a);
    uint64_t b = store(f, T1, POOL + 128, 8, bytes);
    flush(f, T1, POOL + 128, PMT_FLUSH_CLFLUSHOPT);
    fence(f, T2);
    assert_int_equal(f->ncalls, 1);
    fence(f, T1);
    assert_int_equal(f->ncalls, 2);
    assert_int_equal(f->calls[1].seq, b);
    assert_int_equal(f->calls[1].line, POOL + 128);
}

/* A library write is persistent at once: older live parts of its line
 * first, then the write itself, split per line. */
static void test_lib_write(void **state)
{
    struct fx *f = *state;
    fx_model(f, PMC_PERSIST_ADR);
    map_pool(f);
    uint64_t a = store(f, T1, POOL + 60, 4, bytes);
    uint64_t w = f->seq;
    feed(f, (struct pmc_event){.kind = PMT_LIB_WRITE,
                               .thread = T1,
                               .addr = POOL + 56,
                               .len = 16,
                               .data = bytes});
    assert_int_equal(f->ncalls, 3);
    assert_int_equal(f->calls[0].seq, a);
    assert_int_equal(f->calls[1].seq, w);
    assert_int_equal(f->calls[1].line, POOL);
    assert_int_equal(f->calls[1].offset, 56);
    assert_int_equal(f->calls[1].len, 8);
    assert_int_equal(f->calls[1].first_byte, 0x11);
    assert_int_equal(f->calls[2].seq, w);
    assert_int_equal(f->calls[2].line, POOL + 64);
    assert_int_equal(f->calls[2].offset, 0);
    assert_int_equal(f->calls[2].len, 8);
    assert_int_equal(f->calls[2].first_byte, 0x99);
}

/* Under eadr a store is persistent when made; a fill keeps its byte. */
static void test_eadr_store(void **state)
{
    struct fx *f = *state;
    fx_model(f, PMC_PERSIST_EADR);
    map_pool(f);
    uint64_t a = store(f, T1, POOL + 16, 8, bytes + 2);
    static const uint8_t fill = 0x5a;
    feed(f, (struct pmc_event){.kind = PMT_STORE_FILL,
                               .thread = T1,
                               .addr = POOL + 64,
                               .len = 64,
                               .data = &fill});
    assert_int_equal(f->ncalls, 2);
    assert_int_equal(f->calls[0].seq, a);
    assert_int_equal(f->calls[0].first_byte, 0x33);
    assert_int_equal(f->calls[1].len, 64);
    assert_int_equal(f->calls[1].first_byte, 0x5a);
}

/* An unmap drops live stores without persisting them; outside every
 * region nothing is said. */
static void test_unmap_and_outside(void **state)
{
    struct fx *f = *state;
    fx_model(f, PMC_PERSIST_ADR);
    map_pool(f);
    store(f, T1, POOL, 8, bytes);
    store(f, T1, 0x1000, 8, bytes);
    feed(f, (struct pmc_event){.kind = PMT_LIB_WRITE,
                               .thread = T1,
                               .addr = 0x2000,
                               .len = 8,
                               .data = bytes});
    feed(f, (struct pmc_event){.kind = PMT_REGION_UNMAP,
                               .thread = T1,
                               .addr = POOL,
                               .len = POOL_LEN});
    flush(f, T1, POOL, PMT_FLUSH_CLFLUSH);
    assert_int_equal(f->ncalls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fence_persists_in_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_clflush_and_other_thread, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_lib_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eadr_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmap_and_outside, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
