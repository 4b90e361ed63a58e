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
#include "model_events.h"

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
    struct model_fx mf;
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
    model_open(&f->mf, &(struct pmc_model_options){
                           .persistency = p,
                           .on_persist = on_persist,
                           .persist_ctx = f,
                       });
}

static uint64_t store(struct fx *f, uint32_t thread, uint64_t addr,
                      uint64_t len, const uint8_t *data)
{
    return model_range(&f->mf, thread, PMT_STORE, 0, 1, addr, len, data);
}

static void flush(struct fx *f, uint32_t thread, uint64_t addr, uint32_t kind)
{
    model_range(&f->mf, thread, PMT_FLUSH, kind, 2, addr, 64, NULL);
}

static void fence(struct fx *f, uint32_t thread)
{
    model_event(&f->mf, thread, PMT_FENCE, PMT_FENCE_SFENCE, 3);
}

static int setup(void **state)
{
    static struct fx f;
    memset(&f, 0, sizeof(f));
    model_fx_init(&f.mf);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    model_fx_fini(&f->mf);
    return 0;
}

static void map_pool(struct fx *f)
{
    model_map(&f->mf, 0, 1, POOL, POOL_LEN, 0);
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
    uint64_t w =
        model_range(&f->mf, T1, PMT_LIB_WRITE, 0, 0, POOL + 56, 16, bytes);
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
    model_range(&f->mf, T1, PMT_STORE_FILL, 0, 0, POOL + 64, 64, &fill);
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
    model_range(&f->mf, T1, PMT_LIB_WRITE, 0, 0, 0x2000, 8, bytes);
    model_range(&f->mf, T1, PMT_REGION_UNMAP, 0, 0, POOL, POOL_LEN, NULL);
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
