/*
 * test_crash_image.c - crash images (checker/image.h), the states of a
 * hand-built crash point (crash_point.c: prefix and torn contents, hashes,
 * stores left out) and state ids with the set of distinct states
 * (crash_id.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crash_internal.h"
#include "image.h"

static struct image_set *two_images(void)
{
    /* 200 bytes: the last line is short */
    const struct image_spec specs[] = {{"pool", 200}, {"other", 4096}};
    struct image_set *s;
    struct pmc_error err;
    assert_int_equal(image_set_new(specs, 2, &s, &err), 0);
    return s;
}

/* The hash kept up to date line by line equals the hash of a set built
 * afresh with the same content, whatever the order of the writes. */
static void test_hash_follows_content(void **state)
{
    (void)state;
    struct image_set *a = two_images(), *b = two_images();
    uint64_t empty = image_base_hash(a);
    assert_int_equal(empty, image_base_hash(b));
    static const uint8_t data[100] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    image_write(a, 0, 10, data, 100);
    image_fill(a, 1, 4000, 0xab, 500); /* clipped at 4096 */
    image_fill(b, 1, 4000, 0xab, 96);
    image_write(b, 0, 10, data, 100);
    assert_int_not_equal(image_base_hash(a), empty);
    assert_int_equal(image_base_hash(a), image_base_hash(b));
    assert_int_equal(image_base(a, 1)[4095], 0xab);
    /* Writing the old bytes back gives the old hash. */
    static const uint8_t zero[200]; /* the largest write below */
    image_write(a, 0, 10, zero, 100);
    image_fill(a, 1, 4000, 0, 96);
    assert_int_equal(image_base_hash(a), empty);
    /* The same content elsewhere is another image. */
    image_write(b, 0, 0, zero, 200);
    image_fill(b, 1, 0, 0, 4096);
    image_write(b, 1, 10, data, 100);
    assert_int_not_equal(image_base_hash(b), empty);
    assert_int_not_equal(image_line_hash(0, 0, image_base(b, 1)),
                         image_line_hash(0, 64, image_base(b, 1)));
    assert_int_not_equal(image_line_hash(0, 0, image_base(b, 1)),
                         image_line_hash(1, 0, image_base(b, 1)));
    image_set_free(a);
    image_set_free(b);
}

/* Changes are handed out once per line, then forgotten; too many say
 * "everything". */
static void test_changes(void **state)
{
    (void)state;
    struct image_set *s = two_images();
    const struct image_line_ref *list;
    size_t n;
    bool all;
    image_take_changes(s, &list, &n, &all);
    assert_int_equal(n, 0);
    static const uint8_t data[70] = {1};
    image_write(s, 0, 60, data, 70); /* lines 0, 64, 128 */
    image_write(s, 0, 64, data, 8);  /* 64 again */
    image_fill(s, 1, 128, 7, 1);
    image_take_changes(s, &list, &n, &all);
    assert_false(all);
    assert_int_equal(n, 4);
    assert_int_equal(list[0].img, 0);
    assert_int_equal(list[0].offset, 0);
    assert_int_equal(list[2].offset, 128);
    assert_int_equal(list[3].img, 1);
    assert_int_equal(list[3].offset, 128);
    image_take_changes(s, &list, &n, &all);
    assert_int_equal(n, 0);
    image_fill(s, 1, 0, 1, 4096); /* 64 lines: past a quarter of 68 */
    image_take_changes(s, &list, &n, &all);
    assert_true(all);
    image_take_changes(s, &list, &n, &all);
    assert_false(all);
    image_set_free(s);
}

static void test_part_to_line(void **state)
{
    (void)state;
    uint8_t line[IMAGE_LINE] = {0};
    static const uint8_t data[16] = {1, 2,  3,  4,  5,  6,  7,  8,
                                     9, 10, 11, 12, 13, 14, 15, 16};
    struct pmc_live_store part = {.data = data, .offset = 12, .len = 16};
    image_part_to_line(line, &part, 2); /* word 2: bytes 16..23 */
    assert_int_equal(line[12], 1);
    assert_int_equal(line[15], 4);
    assert_int_equal(line[16], 0);
    assert_int_equal(line[23], 0);
    assert_int_equal(line[24], 13);
    static const uint8_t fill = 0x5a;
    struct pmc_live_store memset_part = {
        .data = &fill, .offset = 60, .len = 4, .flags = PMC_LIVE_FILL};
    image_part_to_line(line, &memset_part, -1);
    assert_int_equal(line[59], 0);
    assert_int_equal(line[63], 0x5a);
}

/* ---- a crash point with two lines ----------------------------------- */

static const uint8_t w8[8] = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8};
static const uint8_t w16[16] = {0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1, 0xb1,
                                0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2};

/* Line 0 of image 0: an 8-byte store at 0 (seq 10) then a 16-byte store
 * at 8 (seq 11); line 1 (offset 64): a 4-byte store at 66 (seq 12). */
static struct pmc_live_store line0[] = {
    {.seq = 10, .data = w8, .site = 1, .offset = 0, .len = 8},
    {.seq = 11, .data = w16, .site = 2, .offset = 8, .len = 16},
};
static struct pmc_live_store line1[] = {
    {.seq = 12, .data = w8, .site = 3, .offset = 2, .len = 4},
};

static void make_point(struct crash_point *cp, struct image_set *s, bool torn)
{
    crash_point_init(cp);
    cp->lines = calloc(2, sizeof(cp->lines[0]));
    cp->lines_cap = 2;
    cp->nlines = 2;
    cp->lines[0] =
        (struct point_line){.img = 0, .offset = 0, .parts = line0, .nparts = 2};
    cp->lines[1] = (struct point_line){
        .img = 0, .offset = 64, .parts = line1, .nparts = 1};
    cp->base_hash = image_base_hash(s);
    assert_int_equal(crash_point_prepare(cp, s, torn), 0);
}

/* A state's hash is the hash of the image it makes. */
static void test_point_hash_is_image_hash(void **state)
{
    (void)state;
    struct image_set *s = two_images();
    image_fill(s, 0, 0, 0xee, 200); /* the content before the stores */
    struct crash_point cp;
    make_point(&cp, s, false);
    assert_int_equal(cp.choices[0].nparts, 2);
    assert_int_equal(cp.choices[0].ntorn, 0);
    const uint32_t choices[][2] = {{0, 0}, {1, 0}, {2, 1}, {0, 1}};
    for (size_t i = 0; i < 4; i++) {
        /* Apply the state to a copy of the set and hash that. */
        struct image_set *copy = two_images();
        image_write(copy, 0, 0, image_base(s, 0), 200);
        for (size_t l = 0; l < 2; l++) {
            uint8_t content[IMAGE_LINE];
            point_line_content(s, &cp, &cp.lines[l], choices[i][l], content);
            image_write(copy, 0, cp.lines[l].offset, content, IMAGE_LINE);
        }
        assert_int_equal(crash_point_hash(&cp, choices[i]),
                         image_base_hash(copy));
        image_set_free(copy);
    }
    uint8_t content[IMAGE_LINE];
    point_line_content(s, &cp, &cp.lines[0], 1, content);
    assert_int_equal(content[0], 0xa1);
    assert_int_equal(content[8], 0xee); /* the second store is not in */
    crash_point_destroy(&cp);
    image_set_free(s);
}

/* With torn writes, the 16-byte store tears into each of its two words;
 * the 8-byte and the 4-byte stores cannot. */
static void test_point_torn(void **state)
{
    (void)state;
    struct image_set *s = two_images();
    struct crash_point cp;
    make_point(&cp, s, true);
    assert_int_equal(cp.choices[0].ntorn, 2);
    assert_int_equal(cp.choices[1].ntorn, 0);
    uint8_t content[IMAGE_LINE];
    point_line_content(s, &cp, &cp.lines[0], 3, content); /* word 1 out */
    assert_int_equal(content[0], 0xa1);
    assert_int_equal(content[8], 0);
    assert_int_equal(content[16], 0xb2);
    point_line_content(s, &cp, &cp.lines[0], 4, content); /* word 2 out */
    assert_int_equal(content[8], 0xb1);
    assert_int_equal(content[16], 0);
    /* What a torn state leaves out: the torn store (partly), and the
     * other line's store. */
    const uint32_t torn[2] = {3, 0};
    struct left_out lo[8];
    assert_int_equal(crash_point_parts(&cp), 3);
    size_t n = crash_point_left_out(&cp, torn, lo);
    assert_int_equal(n, 2);
    assert_int_equal(lo[0].seq, 11);
    assert_true(lo[0].torn);
    assert_int_equal(lo[0].site, 2);
    assert_int_equal(lo[1].seq, 12);
    assert_false(lo[1].torn);
    assert_int_equal(lo[1].offset, 66);
    /* The torn image differs from both prefixes around it. */
    const uint32_t one[2] = {1, 0}, two[2] = {2, 0};
    assert_int_not_equal(crash_point_hash(&cp, torn),
                         crash_point_hash(&cp, one));
    assert_int_not_equal(crash_point_hash(&cp, torn),
                         crash_point_hash(&cp, two));
    crash_point_destroy(&cp);
    image_set_free(s);
}

/* ---- ids and the set of distinct states ------------------------------ */

static void test_state_ids(void **state)
{
    (void)state;
    const struct state_ref refs[] = {
        {.point = 12, .index = 3},
        {.point = 0, .index = 0},
        {.point = 7, .fault = FAULT_ALLOC, .arg = 2},
        {.point = 40, .fault = FAULT_POISON, .arg = 0x1040},
    };
    const char *ids[] = {"12.3", "0.0", "7.alloc2", "40.poison0x1040"};
    for (size_t i = 0; i < 4; i++) {
        char buf[PMC_CRASH_STATE_ID_SIZE];
        state_id_format(&refs[i], buf, sizeof(buf));
        assert_string_equal(buf, ids[i]);
        struct state_ref back;
        assert_int_equal(state_id_parse(buf, &back), 0);
        assert_memory_equal(&back, &refs[i], sizeof(back));
    }
    const char *bad[] = {
        "",     "12",    ".3",           "12.",      "12.x",
        "a.1",  "12.3x", "12.alloc0",    "12.alloc", "12.poison12",
        "-1.2", "12.-3", "1.99999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct state_ref r;
        if (state_id_parse(bad[i], &r) == 0)
            fail_msg("'%s' parsed as a state id", bad[i]);
    }
}

static void test_state_set(void **state)
{
    (void)state;
    struct state_set set;
    state_set_init(&set);
    bool failed;
    for (uint32_t i = 0; i < 5000; i++) {
        struct state_ref r = {.point = i / 10, .index = i % 10};
        assert_null(
            state_set_add(&set, 0x9e3779b97f4a7c15ull * (i + 1), &r, &failed));
        assert_false(failed);
    }
    assert_int_equal(set.count, 5000);
    struct state_ref later = {.point = 999, .index = 1};
    const struct state_ref *first =
        state_set_add(&set, 0x9e3779b97f4a7c15ull * 1234, &later, &failed);
    assert_non_null(first);
    assert_int_equal(first->point, 123);
    assert_int_equal(first->index, 3);
    assert_non_null(state_set_find(&set, 0x9e3779b97f4a7c15ull * 5000));
    assert_null(state_set_find(&set, 42));
    assert_int_equal(set.count, 5000);
    state_set_destroy(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_follows_content),
        cmocka_unit_test(test_changes),
        cmocka_unit_test(test_part_to_line),
        cmocka_unit_test(test_point_hash_is_image_hash),
        cmocka_unit_test(test_point_torn),
        cmocka_unit_test(test_state_ids),
        cmocka_unit_test(test_state_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
