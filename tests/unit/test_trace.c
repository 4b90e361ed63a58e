/*
 * test_trace.c - the trace reader (checker/trace.h) on exact traces made
 * by trace_builder: the merge across threads, the tables, and every kind of
 * damage, each reported with its byte offset after a true prefix.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_support.h"
#include "trace.h"
#include "trace_builder.h"

#define MAX_READ 4096

/* Everything one pass over a trace gave. */
struct pass {
    int n;
    uint64_t seq[MAX_READ];
    uint32_t thread[MAX_READ];
    int rc; /* the final pmc_trace_next: 0 end, -1 damage */
    struct pmc_error err;
};

static const char *const test_argv[] = {"prog", "a", "b", NULL};

static void pass_read(struct pmc_trace *t, struct pass *p)
{
    struct pmc_event ev;
    p->n = 0;
    while ((p->rc = pmc_trace_next(t, &ev, &p->err)) > 0) {
        assert_true(p->n < MAX_READ);
        p->seq[p->n] = ev.seq;
        p->thread[p->n] = ev.thread;
        p->n++;
    }
    /* Damage is sticky: the same error again, nothing more read. */
    struct pmc_error again;
    if (p->rc < 0) {
        assert_int_equal(pmc_trace_next(t, &ev, &again), -1);
        assert_string_equal(again.msg, p->err.msg);
    }
}

/* Open the trace at path; fails the test unless it opens. */
static struct pmc_trace *open_ok(const char *path)
{
    struct pmc_trace *t;
    struct pmc_error err;
    if (pmc_trace_open(path, &t, &err) != 0)
        fail_msg("pmc_trace_open: %s", err.msg);
    return t;
}

/* Write b whole to the scratch file `name` and open it. */
static struct pmc_trace *open_written(struct tb *b, const char *name)
{
    assert_int_equal(tb_write(b, test_path(name), SIZE_MAX), 0);
    return open_ok(test_path(name));
}

/* Write b to a fresh file, open it, read it all. */
static void pass_file(struct tb *b, struct pass *p)
{
    struct pmc_trace *t = open_written(b, "trace.pmt");
    pass_read(t, p);
    pmc_trace_close(t);
}

static void assert_seqs(const struct pass *p, const uint64_t *want, int n)
{
    assert_int_equal(p->n, n);
    for (int i = 0; i < n; i++)
        assert_int_equal(p->seq[i], want[i]);
}

static void assert_damage(const struct pass *p, uint64_t offset,
                          const char *what)
{
    char where[64];
    test_format(where, sizeof(where),
                ": byte %llu: ", (unsigned long long)offset);
    assert_int_equal(p->rc, -1);
    assert_non_null(strstr(p->err.msg, where));
    assert_non_null(strstr(p->err.msg, what));
}

/* Read b from a file: seqs 1 to `good` come out in order, then damage at
 * offset saying what. */
static void expect_damage_after(struct tb *b, struct pass *p, int good,
                                uint64_t offset, const char *what)
{
    pass_file(b, p);
    assert_int_equal(p->n, good);
    for (int i = 0; i < good; i++)
        assert_int_equal(p->seq[i], (uint64_t)i + 1);
    assert_damage(p, offset, what);
}

/* ---- the merge -------------------------------------------------------- */

static void two_threads_interleave_by_seq(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t b1 = tb_block(b, 1, 0), b2 = tb_block(b, 2, 0);
    tb_thread(b, b1, 1, 100);
    tb_thread(b, b2, 2, 200);
    uint64_t store_off = tb_store(b, b1, 3, 0, 0x1000, "abcdefghij", 10);
    tb_flush(b, b2, 4, 0, 0x1000, PMT_FLUSH_CLWB);
    tb_fence(b, b1, 5, 0);
    tb_store(b, b2, 6, 0, 0x1008, "12345678", 8);
    tb_seal(b, b1);
    tb_seal(b, b2);

    struct pmc_trace *t = open_written(b, "t.pmt");
    struct pmc_error err;
    const struct pmc_trace_info *info = pmc_trace_info(t);
    assert_int_equal(info->threads, 2);
    assert_int_equal(info->blocks, 2);
    assert_false(info->unsealed_tail);
    assert_string_equal(info->cmdline, "prog a b");

    static const enum pmt_kind kinds[] = {PMT_THREAD, PMT_THREAD, PMT_STORE,
                                          PMT_FLUSH,  PMT_FENCE,  PMT_STORE};
    struct pmc_event ev;
    for (int i = 0; i < 6; i++) {
        assert_int_equal(pmc_trace_next(t, &ev, &err), 1);
        assert_int_equal(ev.seq, i + 1);
        assert_int_equal(ev.thread, i % 2 ? 2 : 1);
        assert_int_equal(ev.kind, kinds[i]);
        if (i == 1)
            assert_int_equal(ev.addr, 200); /* THREAD: the OS tid */
        if (i == 2) {
            assert_int_equal(ev.offset, store_off);
            assert_int_equal(ev.addr, 0x1000);
            assert_int_equal(ev.len, 10);
            assert_memory_equal(ev.data, "abcdefghij", 10);
            assert_int_equal(ev.flags, 0); /* padding bits removed */
        }
        if (i == 3) {
            assert_int_equal(ev.flags, PMT_FLUSH_CLWB);
            assert_int_equal(ev.len, 64);
        }
    }
    assert_int_equal(pmc_trace_next(t, &ev, &err), 0);
    assert_int_equal(pmc_trace_next(t, &ev, &err), 0);
    pmc_trace_close(t);
    tb_free(b);
}

/* A killed target: the last block of a chain is open, the file goes on
 * with never-claimed slots. Not damage. */
static void unsealed_last_block_is_accepted(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t a0 = tb_block(b, 1, 0), c0 = tb_block(b, 2, 0);
    uint32_t a1 = tb_block(b, 1, 1);
    tb_fence(b, a0, 1, 0);
    tb_fence(b, a0, 2, 0);
    tb_fence(b, c0, 3, 0);
    tb_fence(b, a1, 4, 0);
    tb_fence(b, a1, 5, 0);
    tb_seal(b, a0);
    tb_seal(b, c0);
    tb_unclaimed(b);
    tb_unclaimed(b);

    struct pass p;
    pass_file(b, &p);
    static const uint64_t want[] = {1, 2, 3, 4, 5};
    assert_seqs(&p, want, 5);
    assert_int_equal(p.rc, 0);

    struct pmc_trace *t = open_ok(test_path("trace.pmt"));
    assert_true(pmc_trace_info(t)->unsealed_tail);
    assert_int_equal(pmc_trace_info(t)->blocks, 3);
    pmc_trace_close(t);
    tb_free(b);
}

static void empty_trace_ends_at_once(void **state)
{
    (void)state;
    struct tb *b = tb_new(NULL);
    struct pass p;
    pass_file(b, &p);
    assert_int_equal(p.n, 0);
    assert_int_equal(p.rc, 0);
    tb_free(b);
}

/* ---- damage between blocks -------------------------------------------- */

/*
 * Thread 1's second block is unsealed but not its last: damage. Its last
 * good seq is 2, so records up to seq 3 (thread 2) still come out.
 */
static void unsealed_middle_block_is_damage(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t a0 = tb_block(b, 1, 0), a1 = tb_block(b, 1, 1);
    uint32_t a2 = tb_block(b, 1, 2), c0 = tb_block(b, 2, 0);
    tb_fence(b, a0, 1, 0);
    tb_fence(b, a0, 2, 0);
    tb_fence(b, a1, 4, 0);
    tb_fence(b, a2, 7, 0);
    tb_fence(b, c0, 3, 0);
    tb_fence(b, c0, 5, 0);
    tb_fence(b, c0, 6, 0);
    tb_seal(b, a0);
    tb_seal(b, a2);
    tb_seal(b, c0);

    struct pass p;
    expect_damage_after(b, &p, 3, tb_block_offset(a1),
                        "unsealed block is not the last");
    tb_free(b);
}

static void bad_checksum_is_damage_at_its_block(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t a0 = tb_block(b, 1, 0), c0 = tb_block(b, 2, 0);
    uint32_t c1 = tb_block(b, 2, 1);
    for (uint64_t s = 1; s <= 7; s += 2)
        tb_fence(b, a0, s, 0);
    tb_fence(b, c0, 2, 0);
    uint64_t off = tb_store(b, c1, 4, 0, 0x40, "zzzzzzzz", 8);
    tb_fence(b, c1, 6, 0);
    tb_seal(b, a0);
    tb_seal(b, c0);
    tb_seal(b, c1);
    tb_bytes(b)[off + sizeof(struct pmt_rec) + 8] ^= 0x01; /* the data */

    struct pass p;
    expect_damage_after(b, &p, 3, tb_block_offset(c1), "checksum mismatch");
    assert_non_null(strstr(p.err.msg, "thread 2, block 1"));
    tb_free(b);
}

static void missing_block_is_damage(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t a0 = tb_block(b, 1, 0), a2 = tb_block(b, 1, 2);
    uint32_t c0 = tb_block(b, 2, 0);
    tb_fence(b, a0, 1, 0);
    tb_fence(b, a2, 5, 0);
    tb_fence(b, c0, 2, 0);
    tb_fence(b, c0, 3, 0);
    tb_seal(b, a0);
    tb_seal(b, a2);
    tb_seal(b, c0);

    struct pass p;
    expect_damage_after(b, &p, 2, tb_block_offset(a2),
                        "block 1 of thread 1 is missing");
    tb_free(b);
}

static void duplicate_block_is_damage(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t a0 = tb_block(b, 1, 0), dup = tb_block(b, 1, 0);
    tb_fence(b, a0, 1, 0);
    tb_fence(b, dup, 2, 0);
    tb_seal(b, a0);
    tb_seal(b, dup);

    struct pass p;
    expect_damage_after(b, &p, 1, tb_block_offset(dup),
                        "a second block 0 of thread 1");
    tb_free(b);
}

/* Seqs are unique across threads too: the second record of seq 2 is
 * damage, after the true prefix 1, 2. (fuzz_trace found the merge
 * yielding both.) */
static void seq_shared_by_two_threads_is_damage(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t a0 = tb_block(b, 1, 0), c0 = tb_block(b, 2, 0);
    tb_fence(b, a0, 1, 0);
    tb_fence(b, a0, 2, 0);
    uint64_t off = tb_fence(b, c0, 2, 0);
    tb_fence(b, c0, 3, 0);
    tb_seal(b, a0);
    tb_seal(b, c0);

    struct pass p;
    expect_damage_after(b, &p, 2, off,
                        "sequence number 2 of thread 2 is also another");
    tb_free(b);
}

/* A mangled block header may hold any thread's records, but only above
 * the gapless run of seqs: 1..4 are all accounted for, so they come out,
 * and the damage is reported at the end. */
static void bad_block_magic_is_damage(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t a0 = tb_block(b, 1, 0), bad = tb_block(b, 1, 1);
    uint32_t c0 = tb_block(b, 2, 0);
    tb_fence(b, a0, 1, 0);
    tb_fence(b, a0, 2, 0);
    tb_fence(b, c0, 3, 0);
    tb_fence(b, c0, 4, 0);
    tb_seal(b, a0);
    tb_seal(b, c0);
    tb_block_header(b, bad)->magic = 0xdeadbeef;

    struct pass p;
    expect_damage_after(b, &p, 4, tb_block_offset(bad), "bad block magic");
    tb_free(b);
}

/* Thread 2's only block is mangled: its records (seq 2) are lost with its
 * chain, so thread 1 must stop before seq 3 though its own chain is fine. */
static void lost_chain_stops_the_merge_at_the_gap(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t a0 = tb_block(b, 1, 0), c0 = tb_block(b, 2, 0);
    tb_fence(b, a0, 1, 0);
    tb_fence(b, a0, 3, 0);
    tb_fence(b, c0, 2, 0);
    tb_seal(b, a0);
    tb_seal(b, c0);
    tb_block_header(b, c0)->magic = 0x1;

    struct pass p;
    expect_damage_after(b, &p, 1, tb_block_offset(c0), "bad block magic");
    tb_free(b);
}

static void claimed_blocks_beyond_the_file_are_damage(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t a0 = tb_block(b, 1, 0);
    tb_fence(b, a0, 1, 0);
    tb_seal(b, a0);
    tb_header(b)->blocks_claimed = 3;

    struct pass p;
    expect_damage_after(b, &p, 1, tb_size(b), "cut short");
    tb_free(b);
}

/* ---- damage inside a block -------------------------------------------- */

/* How a test spoils the record at `off` (built with seq 2). */
typedef void (*spoil_fn)(struct tb *b, uint32_t blk);

/* Build seq 1 (good), the spoiled record, seq 3 (good); expect seq 1, then
 * damage at the spoiled record's offset mentioning `what`. */
static void check_bad_record(spoil_fn spoil, const char *what)
{
    struct tb *b = tb_new(test_argv);
    uint32_t blk = tb_block(b, 1, 0);
    tb_fence(b, blk, 1, 0);
    uint64_t off = tb_block_offset(blk) + sizeof(struct pmt_block_header) +
                   tb_block_header(b, blk)->used;
    spoil(b, blk);
    tb_fence(b, blk, 3, 0);
    tb_seal(b, blk);

    struct pass p;
    expect_damage_after(b, &p, 1, off, what);
    tb_free(b);
}

static struct pmt_rec *rec_at(struct tb *b, uint64_t off)
{
    return (struct pmt_rec *)(void *)(tb_bytes(b) + off);
}

static void spoil_len_zero(struct tb *b, uint32_t blk)
{
    rec_at(b, tb_fence(b, blk, 2, 0))->len = 0;
}

static void spoil_len_unaligned(struct tb *b, uint32_t blk)
{
    rec_at(b, tb_store(b, blk, 2, 0, 0, "12345678", 8))->len = 20;
}

static void spoil_len_past_used(struct tb *b, uint32_t blk)
{
    rec_at(b, tb_fence(b, blk, 2, 0))->len = 4096;
}

static void spoil_padding(struct tb *b, uint32_t blk)
{
    /* a STORE with no data claiming 7 bytes of padding */
    struct pmt_body_addr body = {.addr = 0x40};
    tb_rec(b, blk, PMT_STORE, 7, 0, 2, &body, sizeof(body), NULL, 0);
}

static void spoil_short_body(struct tb *b, uint32_t blk)
{
    uint64_t half = 0x40; /* FLUSH needs 16 bytes of body */
    tb_rec(b, blk, PMT_FLUSH, PMT_FLUSH_CLWB, 0, 2, &half, sizeof(half), NULL,
           0);
}

static void spoil_short_site(struct tb *b, uint32_t blk)
{
    uint64_t body[2] = {1, 2}; /* a site body is 24 bytes */
    tb_rec(b, blk, PMT_SITE, 0, 1, 2, body, sizeof(body), NULL, 0);
}

static void spoil_seq_repeats(struct tb *b, uint32_t blk)
{
    tb_fence(b, blk, 1, 0);
}

static void spoil_string_unterminated(struct tb *b, uint32_t blk)
{
    tb_rec(b, blk, PMT_STRING, 0, 1, 2, NULL, 0, "abc", 3);
}

static void bad_records_are_damage(void **state)
{
    (void)state;
    check_bad_record(spoil_len_zero, "bad record length 0");
    check_bad_record(spoil_len_unaligned, "bad record length 20");
    check_bad_record(spoil_len_past_used, "bad record length 4096");
    check_bad_record(spoil_padding, "too short for its padding 7");
    check_bad_record(spoil_short_body, "FLUSH record of 24 bytes too short");
    check_bad_record(spoil_short_site, "SITE record of 32 bytes too short");
    check_bad_record(spoil_seq_repeats, "sequence number 1 does not follow 1");
    check_bad_record(spoil_string_unterminated, "not NUL-terminated");
}

/* `used` ending inside a record header. */
static void used_cutting_a_record_is_damage(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t blk = tb_block(b, 1, 0);
    tb_fence(b, blk, 1, 0);
    uint64_t off = tb_fence(b, blk, 2, 0);
    tb_block_header(b, blk)->used -= 8;
    tb_seal(b, blk);

    struct pass p;
    expect_damage_after(b, &p, 1, off, "record header cut");
    tb_free(b);
}

/* A `used` beyond the block must not send the reader into the next one. */
static void used_beyond_the_block_is_damage(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t blk = tb_block(b, 1, 0);
    tb_fence(b, blk, 1, 0);
    tb_block_header(b, blk)->used = PMT_BLOCK_PAYLOAD + 8;

    struct pass p;
    pass_file(b, &p);
    assert_int_equal(p.n, 0);
    assert_damage(&p, tb_block_offset(blk), "exceeds the block");
    tb_free(b);
}

static void unknown_kind_is_skipped(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t blk = tb_block(b, 1, 0);
    uint64_t future[3] = {1, 2, 3};
    tb_fence(b, blk, 1, 0);
    tb_rec(b, blk, 99, 0, 0, 2, future, sizeof(future), NULL, 0);
    tb_rec(b, blk, 200, 0, 0, 3, NULL, 0, NULL, 0);
    tb_fence(b, blk, 4, 0);
    tb_seal(b, blk);

    struct pass p;
    pass_file(b, &p);
    static const uint64_t want[] = {1, 4};
    assert_seqs(&p, want, 2);
    assert_int_equal(p.rc, 0);
    tb_free(b);
}

/* ---- truncation ------------------------------------------------------- */

/* Cut a two-thread, three-block trace at every byte: open fails cleanly
 * below a header, otherwise the records read are a prefix of the whole
 * sequence and the cut is reported as damage. */
static void truncation_at_every_byte(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t a0 = tb_block(b, 1, 0), c0 = tb_block(b, 2, 0);
    uint32_t a1 = tb_block(b, 1, 1);
    tb_string(b, a0, 1, 1, "file.c");
    tb_site(b, a0, 2, 1, 10, 2, 1, 0, 0);
    tb_store(b, c0, 3, 1, 0x40, "0123456789abcdef0", 17);
    tb_fence(b, a0, 4, 1);
    tb_store(b, a1, 5, 1, 0x80, "x", 1);
    tb_fence(b, c0, 6, 1);
    tb_seal(b, a0);
    tb_seal(b, c0);

    struct pass whole;
    pass_file(b, &whole);
    assert_int_equal(whole.rc, 0);
    assert_int_equal(whole.n, 6);

    const char *path = test_path("trace.pmt");
    for (size_t cut = tb_size(b); cut-- > 0;) {
        assert_int_equal(truncate(path, (off_t)cut), 0);
        struct pmc_trace *t;
        struct pmc_error err;
        if (cut < PMT_HEADER_SIZE) {
            assert_int_equal(pmc_trace_open(path, &t, &err), -1);
            assert_non_null(strstr(err.msg, "not a pmcheck trace"));
            continue;
        }
        assert_int_equal(pmc_trace_open(path, &t, &err), 0);
        struct pass p;
        pass_read(t, &p);
        pmc_trace_close(t);
        assert_int_equal(p.rc, -1);
        assert_true(p.n <= whole.n);
        for (int i = 0; i < p.n; i++)
            assert_int_equal(p.seq[i], whole.seq[i]);
    }
    tb_free(b);
}

/* ---- tables, rewind, fields ------------------------------------------- */

static struct tb *site_trace(void)
{
    struct tb *b = tb_new(test_argv);
    uint32_t blk = tb_block(b, 1, 0);
    tb_string(b, blk, 1, 1, "list.c");
    tb_string(b, blk, 2, 2, "/src");
    tb_string(b, blk, 3, 3, "list_insert");
    tb_site(b, blk, 4, 1, 42, 9, 1, 2, 3);
    tb_site(b, blk, 5, 2, 0, 0, 1, 0, 0);
    tb_store(b, blk, 6, 1, 0x40, "12345678", 8);
    tb_seal(b, blk);
    return b;
}

static void sites_and_strings_resolve(void **state)
{
    (void)state;
    struct tb *b = site_trace();
    struct pmc_trace *t = open_written(b, "s.pmt");
    struct pmc_error err;
    struct pmc_event ev;
    assert_null(pmc_trace_string(t, 1));
    assert_null(pmc_trace_site(t, 1));

    assert_int_equal(pmc_trace_next(t, &ev, &err), 1);
    assert_int_equal(ev.kind, PMT_STRING);
    assert_int_equal(ev.id, 1);
    assert_int_equal(ev.site, 0);
    assert_int_equal(ev.len, 0);
    assert_string_equal((const char *)ev.data, "list.c");
    assert_string_equal(pmc_trace_string(t, 1), "list.c");
    assert_null(pmc_trace_string(t, 2));

    for (int i = 0; i < 4; i++)
        assert_int_equal(pmc_trace_next(t, &ev, &err), 1);
    assert_int_equal(ev.kind, PMT_SITE);
    assert_int_equal(ev.site, 2);
    const struct pmc_site *s = pmc_trace_site(t, 1);
    assert_non_null(s);
    assert_int_equal(s->id, 1);
    assert_int_equal(s->line, 42);
    assert_int_equal(s->column, 9);
    assert_string_equal(s->file, "list.c");
    assert_string_equal(s->dir, "/src");
    assert_string_equal(s->function, "list_insert");
    s = pmc_trace_site(t, 2);
    assert_string_equal(s->dir, ""); /* id 0: none */
    assert_string_equal(s->function, "");
    assert_null(pmc_trace_site(t, 0));
    assert_null(pmc_trace_site(t, 3));

    assert_int_equal(pmc_trace_next(t, &ev, &err), 1);
    assert_int_equal(ev.site, 1);
    assert_int_equal(pmc_trace_next(t, &ev, &err), 0);
    pmc_trace_close(t);
    tb_free(b);
}

static void rewind_reads_again_and_keeps_tables(void **state)
{
    (void)state;
    struct tb *b = site_trace();
    struct pmc_trace *t = open_written(b, "s.pmt");
    struct pass first, second;
    pass_read(t, &first);
    const struct pmc_site *site = pmc_trace_site(t, 1);
    pmc_trace_rewind(t);
    assert_ptr_equal(pmc_trace_site(t, 1), site); /* kept, same pointer */
    pass_read(t, &second);
    assert_int_equal(first.rc, 0);
    assert_int_equal(second.rc, 0);
    assert_seqs(&second, first.seq, first.n);
    assert_ptr_equal(pmc_trace_site(t, 1), site);
    pmc_trace_close(t);
    tb_free(b);
}

static void rewind_after_damage_finds_it_again(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t good = tb_block(b, 1, 0), blk = tb_block(b, 1, 1);
    tb_fence(b, good, 1, 0);
    tb_fence(b, blk, 2, 0);
    tb_fence(b, blk, 3, 0);
    tb_seal(b, good);
    tb_seal(b, blk);
    tb_bytes(b)[tb_block_offset(blk) + 40] ^= 0x80;
    struct pmc_trace *t = open_written(b, "d.pmt");
    struct pass p;
    pass_read(t, &p);
    assert_damage(&p, tb_block_offset(blk), "checksum");
    struct pmc_event ev;
    struct pmc_error again;
    assert_int_equal(pmc_trace_next(t, &ev, &again), -1); /* sticky */
    assert_string_equal(again.msg, p.err.msg);
    assert_int_equal(p.n, 1);
    pmc_trace_rewind(t);
    pass_read(t, &p);
    assert_int_equal(p.n, 1); /* the prefix again, then the damage */
    assert_damage(&p, tb_block_offset(blk), "checksum");
    pmc_trace_close(t);
    tb_free(b);
}

static void string_id_out_of_sequence_is_damage(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t blk = tb_block(b, 1, 0);
    tb_string(b, blk, 1, 1, "ok");
    uint64_t off = tb_string(b, blk, 2, 4000000000u, "far");
    tb_seal(b, blk);
    struct pass p;
    pass_file(b, &p);
    assert_int_equal(p.n, 1);
    assert_damage(&p, off, "string id 4000000000 out of sequence");
    tb_free(b);
}

static void next_event(struct pmc_trace *t, struct pmc_event *ev)
{
    struct pmc_error err;
    assert_int_equal(pmc_trace_next(t, ev, &err), 1);
}

static void kind_fields_decode(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t blk = tb_block(b, 1, 0);
    tb_region_map(b, blk, 1, 7, 0x10000, 0x2000, 3);
    struct pmt_body_fill fill = {.addr = 0x10040, .len = 100, .byte = 0xab};
    tb_rec(b, blk, PMT_STORE_FILL, 0, 0, 2, &fill, sizeof(fill), NULL, 0);
    struct pmt_body_range2 ord = {1, 2, 3, 4};
    tb_rec(b, blk, PMT_ASSERT_ORDERED, 0, 0, 3, &ord, sizeof(ord), NULL, 0);
    struct pmt_body_lib_call call = {.function = 5, .result = -1};
    tb_rec(b, blk, PMT_LIB_CALL, PMT_LIB_CALL_END, 0, 4, &call, sizeof(call),
           NULL, 0);
    struct pmt_body_exit ex = {.status = 3};
    tb_rec(b, blk, PMT_EXIT, 0, 0, 5, &ex, sizeof(ex), NULL, 0);
    struct pmt_body_marker mk = {.name = 6};
    tb_rec(b, blk, PMT_MARKER, 0, 0, 6, &mk, sizeof(mk), NULL, 0);
    struct pmt_body_addr lock = {.addr = 0x5555};
    tb_rec(b, blk, PMT_LOCK, 0, 0, 7, &lock, sizeof(lock), NULL, 0);
    tb_rec(b, blk, PMT_NT_STORE, PMT_STORE_ATOMIC, 0, 8, &lock, sizeof(lock),
           "abc", 3);
    tb_seal(b, blk);

    struct pmc_trace *t = open_written(b, "k.pmt");
    struct pmc_error err;
    struct pmc_event ev;
    next_event(t, &ev);
    assert_int_equal(ev.kind, PMT_REGION_MAP);
    assert_int_equal(ev.addr, 0x10000);
    assert_int_equal(ev.len, 0x2000);
    assert_int_equal(ev.id, 7);
    assert_int_equal(ev.str, 3);
    assert_int_equal(ev.flags, PMT_REGION_FILE);
    next_event(t, &ev);
    assert_int_equal(ev.kind, PMT_STORE_FILL);
    assert_int_equal(ev.addr, 0x10040);
    assert_int_equal(ev.len, 100);
    assert_int_equal(ev.data[0], 0xab);
    next_event(t, &ev);
    assert_int_equal(ev.addr, 1);
    assert_int_equal(ev.len, 2);
    assert_int_equal(ev.addr2, 3);
    assert_int_equal(ev.len2, 4);
    next_event(t, &ev);
    assert_int_equal(ev.id, 5);
    assert_int_equal(ev.value, -1);
    assert_int_equal(ev.flags, PMT_LIB_CALL_END);
    next_event(t, &ev);
    assert_int_equal(ev.value, 3);
    next_event(t, &ev);
    assert_int_equal(ev.id, 6);
    next_event(t, &ev);
    assert_int_equal(ev.kind, PMT_LOCK);
    assert_int_equal(ev.addr, 0x5555);
    next_event(t, &ev);
    assert_int_equal(ev.kind, PMT_NT_STORE);
    assert_int_equal(ev.flags, PMT_STORE_ATOMIC);
    assert_int_equal(ev.len, 3);
    assert_memory_equal(ev.data, "abc", 3);
    assert_int_equal(pmc_trace_next(t, &ev, &err), 0);
    pmc_trace_close(t);
    tb_free(b);
}

static void kind_names(void **state)
{
    (void)state;
    assert_string_equal(pmc_kind_name(PMT_STORE), "STORE");
    assert_string_equal(pmc_kind_name(PMT_TX_FREE), "TX_FREE");
    assert_string_equal(pmc_kind_name(PMT_STRING), "STRING");
    assert_null(pmc_kind_name(0));
    assert_null(pmc_kind_name(9));
    assert_null(pmc_kind_name(99));
    assert_null(pmc_kind_name(100000));
}

static void end_fields_reach_info(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    tb_header(b)->end_kind = PMT_END_SIGNAL;
    tb_header(b)->end_code = 9;
    tb_header(b)->flags = PMT_FILE_LOADS;
    struct pmc_trace *t = open_written(b, "e.pmt");
    assert_int_equal(pmc_trace_info(t)->end_kind, PMT_END_SIGNAL);
    assert_int_equal(pmc_trace_info(t)->end_code, 9);
    assert_int_equal(pmc_trace_info(t)->flags, PMT_FILE_LOADS);
    assert_int_equal(pmc_trace_info(t)->pid, 4242);
    assert_string_equal(pmc_trace_path(t), test_path("e.pmt"));
    pmc_trace_close(t);
    tb_free(b);
}

/* A writer that stopped early (a full disk) left a readable but incomplete
 * trace: every record, then damage at the end that says why. */
static void stopped_writer_is_damage_at_the_end(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t blk = tb_block(b, 1, 0);
    tb_fence(b, blk, 1, 0);
    tb_fence(b, blk, 2, 0);
    tb_seal(b, blk);
    tb_header(b)->end_kind = PMT_END_STOPPED;
    tb_header(b)->end_code = ENOSPC;
    struct pass p;
    expect_damage_after(b, &p, 2, tb_size(b),
                        "tracing stopped early (No space left on device)");
    tb_free(b);
}

/* ---- the file header -------------------------------------------------- */

static void expect_open_error(const char *path, const char *what)
{
    struct pmc_trace *t = (struct pmc_trace *)&t;
    struct pmc_error err;
    assert_int_equal(pmc_trace_open(path, &t, &err), -1);
    assert_null(t);
    assert_non_null(strstr(err.msg, path));
    if (strstr(err.msg, what) == NULL)
        fail_msg("'%s' does not say '%s'", err.msg, what);
}

/* Write b after letting `edit` spoil its header (after the checksum when
 * after_crc, so only the edit is wrong). */
static void write_spoiled(struct tb *b, const char *path, size_t off,
                          uint32_t value, int after_crc)
{
    if (!after_crc)
        memcpy(tb_bytes(b) + off, &value, sizeof(value));
    tb_finish(b);
    if (after_crc)
        memcpy(tb_bytes(b) + off, &value, sizeof(value));
    assert_int_equal(tb_write_raw(path, tb_bytes(b), tb_size(b)), 0);
}

static void header_errors(void **state)
{
    (void)state;
    expect_open_error(test_path("none.pmt"), "No such file");
    expect_open_error(test_dir(), "not a regular file");

    const char *path = test_path("h.pmt");
    struct tb *b = tb_new(test_argv);
    assert_int_equal(tb_write(b, path, 100), 0);
    expect_open_error(path, "not a pmcheck trace");

    write_spoiled(b, path, 0, 0x41414141, 0);
    expect_open_error(path, "not a pmcheck trace (bad magic)");
    tb_free(b);

    b = tb_new(test_argv);
    write_spoiled(b, path, offsetof(struct pmt_file_header, version), 2, 0);
    expect_open_error(path, "unsupported trace version 2");
    tb_free(b);

    b = tb_new(test_argv);
    write_spoiled(b, path, offsetof(struct pmt_file_header, block_size), 4096,
                  0);
    expect_open_error(path, "damaged trace header (header size 4096, block "
                            "size 4096");
    tb_free(b);

    b = tb_new(test_argv);
    write_spoiled(b, path, offsetof(struct pmt_file_header, cmdline_len), 5000,
                  0);
    expect_open_error(path, "command line 5000 bytes");
    tb_free(b);

    b = tb_new(test_argv);
    write_spoiled(b, path, offsetof(struct pmt_file_header, pid), 1, 1);
    expect_open_error(path, "damaged trace header (checksum mismatch)");
    tb_free(b);

    /* live fields are outside the checksum */
    b = tb_new(test_argv);
    write_spoiled(b, path, offsetof(struct pmt_file_header, end_kind),
                  PMT_END_EXIT, 1);
    pmc_trace_close(open_ok(path));
    tb_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_threads_interleave_by_seq),
        cmocka_unit_test(unsealed_last_block_is_accepted),
        cmocka_unit_test(empty_trace_ends_at_once),
        cmocka_unit_test(unsealed_middle_block_is_damage),
        cmocka_unit_test(bad_checksum_is_damage_at_its_block),
        cmocka_unit_test(missing_block_is_damage),
        cmocka_unit_test(duplicate_block_is_damage),
        cmocka_unit_test(seq_shared_by_two_threads_is_damage),
        cmocka_unit_test(bad_block_magic_is_damage),
        cmocka_unit_test(lost_chain_stops_the_merge_at_the_gap),
        cmocka_unit_test(claimed_blocks_beyond_the_file_are_damage),
        cmocka_unit_test(bad_records_are_damage),
        cmocka_unit_test(used_cutting_a_record_is_damage),
        cmocka_unit_test(used_beyond_the_block_is_damage),
        cmocka_unit_test(unknown_kind_is_skipped),
        cmocka_unit_test(truncation_at_every_byte),
        cmocka_unit_test(sites_and_strings_resolve),
        cmocka_unit_test(rewind_reads_again_and_keeps_tables),
        cmocka_unit_test(rewind_after_damage_finds_it_again),
        cmocka_unit_test(string_id_out_of_sequence_is_damage),
        cmocka_unit_test(kind_fields_decode),
        cmocka_unit_test(kind_names),
        cmocka_unit_test(end_fields_reach_info),
        cmocka_unit_test(stopped_writer_is_damage_at_the_end),
        cmocka_unit_test(header_errors),
    };
    test_dir_create("trace");
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    test_dir_remove();
    return failed;
}
