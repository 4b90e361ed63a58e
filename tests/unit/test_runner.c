/*
 * test_runner.c - the recovery runner (checker/runner.h) and its parts:
 * the command template (cmdline.h), the standard error tail
 * (stderr_tail.h), the removal of run directories (rmtree.h), the runs'
 * malloc tunables (malloc_tunables.h), and runs of
 * a real recovery program built with pmcc and without
 * (tests/e2e/programs/recovery.c, paths in RECOVERY_PMCC and
 * RECOVERY_PLAIN; those tests skip without them). The sandbox's limits
 * are tested end to end by tests/e2e/test_sandbox.py.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmdline.h"
#include "malloc_tunables.h"
#include "pmdk_abi.h"
#include "pmtrace_forkserver.h"
#include "rmtree.h"
#include "runner.h"
#include "stderr_tail.h"
#include "test_support.h"

/* The libpmemobj values the runtime's allocation faults rely on
 * (runtime/fault_alloc.c), copied into pmdk_abi.h. */
#if __has_include(<libpmemobj.h>)
#include <libpmemobj.h>
_Static_assert(PMT_POBJ_FLAG_TX_NO_ABORT == POBJ_XALLOC_NO_ABORT,
               "libpmemobj.h");
_Static_assert(PMT_POBJ_TX_FAILURE_RETURN == POBJ_TX_FAILURE_RETURN,
               "libpmemobj.h");
_Static_assert(PMT_TX_STAGE_WORK == TX_STAGE_WORK, "libpmemobj.h");
_Static_assert(sizeof(struct pmt_oid) == sizeof(PMEMoid), "libpmemobj.h");
#endif

/* ---- the command template ----------------------------------------------- */

static const char *const names[] = {"a.pool", "b.pool"};
static const char *const paths[] = {"/img/a.pool", "/img dir/b.pool"};

static void parse_ok(const char *tmpl, struct pmc_cmdline *c)
{
    struct pmc_error err = {{0}};
    if (pmc_cmdline_parse(tmpl, names, paths, 2, c, &err) != 0)
        fail_msg("%s: %s", tmpl, err.msg);
}

static void assert_argv(const struct pmc_cmdline *c, const char *const *want)
{
    size_t i = 0;
    for (; want[i] != NULL; i++) {
        assert_non_null(c->argv[i]);
        assert_string_equal(c->argv[i], want[i]);
    }
    assert_null(c->argv[i]);
}

static void test_cmdline_words(void **state)
{
    (void)state;
    struct pmc_cmdline c;
    parse_ok("  ./kv {image}\tverify  ", &c);
    assert_false(c.shell);
    assert_argv(&c, (const char *[]){"./kv", "/img/a.pool", "verify", NULL});
    pmc_cmdline_free(&c);
    /* Quotes and escapes undone as a shell would; a path with a blank
     * stays one word. */
    parse_ok("p 'a b' \"c\\\"d\" e\\ f x{image}y {image:b.pool} --o=1", &c);
    assert_false(c.shell);
    assert_argv(&c, (const char *[]){"p", "a b", "c\"d", "e f", "x/img/a.pooly",
                                     "/img dir/b.pool", "--o=1", NULL});
    pmc_cmdline_free(&c);
    /* Braces that are not a placeholder stay. */
    parse_ok("p {imagex} {image:b.pool {}", &c);
    assert_argv(&c,
                (const char *[]){"p", "{imagex}", "{image:b.pool", "{}", NULL});
    pmc_cmdline_free(&c);
}

static void test_cmdline_shell(void **state)
{
    (void)state;
    struct pmc_cmdline c;
    parse_ok("./kv {image} verify | grep ok", &c);
    assert_true(c.shell);
    assert_argv(&c,
                (const char *[]){"/bin/sh", "-c",
                                 "./kv /img/a.pool verify | grep ok", NULL});
    pmc_cmdline_free(&c);
    /* A path a shell would split is quoted for it. */
    parse_ok("cat {image:b.pool} > /dev/null", &c);
    assert_true(c.shell);
    assert_string_equal(c.argv[2], "cat '/img dir/b.pool' > /dev/null");
    pmc_cmdline_free(&c);
    const char *shell_like[] = {
        "a;b",        "a && b",   "a > f",    "a < f",
        "echo $HOME", "echo `x`", "ls ~/x",   "X=1 prog",
        "ls a*",      "ls a?",    "ls [ab]",  "# comment",
        "(sub)",      "a | b",    "p \"$V\"", "p \"`x`\"",
    };
    for (size_t i = 0; i < sizeof(shell_like) / sizeof(*shell_like); i++) {
        parse_ok(shell_like[i], &c);
        if (!c.shell)
            fail_msg("not a shell command: %s", shell_like[i]);
        pmc_cmdline_free(&c);
    }
    /* Not shell syntax: an '=' past the first word, quoted specials. */
    const char *plain[] = {"p a=1", "p '$HOME' 'a|b'", "p \"a;b\" x\\*"};
    for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++) {
        parse_ok(plain[i], &c);
        if (c.shell)
            fail_msg("taken for a shell command: %s", plain[i]);
        pmc_cmdline_free(&c);
    }
}

static void test_cmdline_errors(void **state)
{
    (void)state;
    const char *bad[] = {"",         "   ",     "p 'open",
                         "p \"open", "p end\\", "p {image:c.pool}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        struct pmc_cmdline c;
        struct pmc_error err = {{0}};
        if (pmc_cmdline_parse(bad[i], names, paths, 2, &c, &err) == 0)
            fail_msg("accepted: '%s'", bad[i]);
        assert_true(strlen(err.msg) > 0);
    }
    struct pmc_cmdline c;
    struct pmc_error err = {{0}};
    assert_int_equal(pmc_cmdline_parse("p {image}", NULL, NULL, 0, &c, &err),
                     -1);
    assert_non_null(strstr(err.msg, "no image"));
    assert_int_equal(
        pmc_cmdline_parse("p {image:c.pool}", names, paths, 2, &c, &err), -1);
    assert_non_null(strstr(err.msg, "c.pool"));
}

/* ---- the standard error tail -------------------------------------------- */

static void test_tail_whole_lines(void **state)
{
    (void)state;
    struct pmc_tail t;
    pmc_tail_reset(&t);
    char line[32];
    for (int i = 1; i <= 3000; i++) {
        int n = snprintf(line, sizeof(line), "line %d\n", i);
        pmc_tail_add(&t, line, (size_t)n);
    }
    char out[2048];
    pmc_tail_text(&t, out, sizeof(out));
    size_t len = strlen(out);
    assert_true(len > 2000 && len < sizeof(out));
    assert_memory_equal(out, "line ", 5); /* a whole first line */
    assert_string_equal(out + len - 10, "line 3000\n");
    /* Every line in order, none cut. */
    int first = atoi(out + 5), n = 0;
    for (char *p = out; *p != '\0'; p = strchr(p, '\n') + 1, n++) {
        snprintf(line, sizeof(line), "line %d\n", first + n);
        assert_memory_equal(p, line, strlen(line));
    }
    assert_int_equal(first + n - 1, 3000);
}

static void test_tail_short_and_odd(void **state)
{
    (void)state;
    struct pmc_tail t;
    char out[2048];
    pmc_tail_reset(&t);
    pmc_tail_add(&t, "a\nb", 3);
    pmc_tail_text(&t, out, sizeof(out));
    assert_string_equal(out, "a\nb"); /* everything fits: all of it */
    pmc_tail_reset(&t);
    pmc_tail_add(&t, "x\0y\n", 4);
    pmc_tail_text(&t, out, sizeof(out));
    assert_string_equal(out, "x?y\n");
    /* A last line longer than the room: its end. */
    pmc_tail_reset(&t);
    char big[5000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)('a' + i % 26);
    pmc_tail_add(&t, "first\n", 6);
    pmc_tail_add(&t, big, sizeof(big));
    pmc_tail_text(&t, out, sizeof(out));
    assert_int_equal(strlen(out), sizeof(out) - 1);
    assert_memory_equal(out, big + sizeof(big) - (sizeof(out) - 1),
                        sizeof(out) - 1);
    /* Adding in pieces keeps the same bytes as adding at once. */
    struct pmc_tail whole, pieces;
    pmc_tail_reset(&whole);
    pmc_tail_reset(&pieces);
    pmc_tail_add(&whole, big, sizeof(big));
    for (size_t i = 0; i < sizeof(big); i += 7)
        pmc_tail_add(&pieces, big + i,
                     i + 7 < sizeof(big) ? 7 : sizeof(big) - i);
    char a[100], b[100];
    pmc_tail_text(&whole, a, sizeof(a));
    pmc_tail_text(&pieces, b, sizeof(b));
    assert_string_equal(a, b);
}

/* ---- removing a run's directory ----------------------------------------- */

static void make_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x", 1), 1);
    close(fd);
}

static void test_rmtree(void **state)
{
    (void)state;
    char top[512], path[4096];
    test_format(top, sizeof(top), "%s", test_path("tree"));
    assert_int_equal(mkdir(top, 0755), 0);
    /* Deeper than rmtree goes down with descriptors. */
    size_t n = (size_t)snprintf(path, sizeof(path), "%s", top);
    for (int depth = 0; depth < 100; depth++) {
        n += (size_t)snprintf(path + n, sizeof(path) - n, "/d");
        assert_int_equal(mkdir(path, 0755), 0);
        char file[4200];
        test_format(file, sizeof(file), "%s/f", path);
        make_file(file);
    }
    /* A directory nobody may enter, one nobody may write, and a link out
     * of the tree, which must not be followed. */
    char locked[600], readonly[600], file[700], outside[600], link[600];
    test_format(locked, sizeof(locked), "%s/locked", top);
    test_format(readonly, sizeof(readonly), "%s/readonly", top);
    assert_int_equal(mkdir(locked, 0755), 0);
    test_format(file, sizeof(file), "%s/f", locked);
    make_file(file);
    assert_int_equal(chmod(locked, 0), 0);
    assert_int_equal(mkdir(readonly, 0755), 0);
    test_format(file, sizeof(file), "%s/f", readonly);
    make_file(file);
    assert_int_equal(chmod(readonly, 0555), 0);
    test_format(outside, sizeof(outside), "%s", test_path("outside"));
    make_file(outside);
    test_format(link, sizeof(link), "%s/link", top);
    assert_int_equal(symlink(outside, link), 0);
    assert_int_equal(pmc_rmtree(top), 0);
    struct stat st;
    assert_int_equal(lstat(top, &st), -1);
    assert_int_equal(stat(outside, &st), 0);
    /* A path that does not exist is removed already. */
    assert_int_equal(pmc_rmtree(top), 0);
}

/* ---- malloc tunables ---------------------------------------------------- */

#define OURS "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=16777216"

static void assert_tunables(const char *user, const char *want)
{
    char *got = pmc_malloc_tunables(user);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

/* Ours after the user's; a tunable the user set keeps the user's value. */
static void test_tunables_merge(void **state)
{
    (void)state;
    assert_tunables(NULL, OURS);
    assert_tunables("", OURS);
    assert_tunables("glibc.malloc.arena_max=2",
                    "glibc.malloc.arena_max=2:" OURS);
    assert_tunables("glibc.malloc.hugetlb=0",
                    "glibc.malloc.hugetlb=0:glibc.malloc.top_pad=16777216");
    assert_tunables("glibc.malloc.check=0:glibc.malloc.top_pad=4096",
                    "glibc.malloc.check=0:glibc.malloc.top_pad=4096:"
                    "glibc.malloc.hugetlb=1");
    assert_tunables("glibc.malloc.top_pad=1:glibc.malloc.hugetlb=2",
                    "glibc.malloc.top_pad=1:glibc.malloc.hugetlb=2");
    /* A longer name is another tunable. */
    assert_tunables("glibc.malloc.hugetlbx=1", "glibc.malloc.hugetlbx=1:" OURS);
}

static const char *program_file(const char *name, const char *text)
{
    const char *path = test_path(name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* All programs but those built with pmcc that do not name libpmemobj. */
static void test_tunables_wanted(void **state)
{
    (void)state;
    assert_false(pmc_malloc_tunables_wanted(
        program_file("pmcc-only", "x" PMT_FS_MARKER "y")));
    assert_true(pmc_malloc_tunables_wanted(
        program_file("pmcc-pmemobj", "x" PMT_FS_MARKER "y libpmemobj.so.1 z")));
    assert_true(pmc_malloc_tunables_wanted(
        program_file("plain-pmemobj", "libpmemobj.so.1")));
    assert_true(pmc_malloc_tunables_wanted(program_file("plain", "#!/bin/sh")));
    assert_true(pmc_malloc_tunables_wanted(program_file("empty", "")));
    assert_true(pmc_malloc_tunables_wanted(test_path("no-such-program")));
}

/* ---- runs of a real program --------------------------------------------- */

static const char *program(const char *env)
{
    const char *p = getenv(env);
    return p != NULL && p[0] != '\0' ? p : NULL;
}

#define NEED_PROGRAMS()                                                        \
    do {                                                                       \
        if (program("RECOVERY_PMCC") == NULL ||                                \
            program("RECOVERY_PLAIN") == NULL)                                 \
            skip();                                                            \
    } while (0)

static const struct pmc_runner_image one_image[] = {{"rec.pool", 1 << 20}};

static struct pmc_runner *runner_for(const char *prog, const char *args,
                                     double time_limit, bool no_fork_server)
{
    char command[1024];
    test_format(command, sizeof(command), "%s %s", prog, args);
    struct pmc_runner_options o = {
        .command = command,
        .images = one_image,
        .nimages = 1,
        .workdir = test_dir(),
        .time_limit = time_limit,
        .no_fork_server = no_fork_server,
    };
    struct pmc_runner *r = NULL;
    struct pmc_error err = {{0}};
    if (pmc_runner_new(&o, &r, &err) != 0)
        fail_msg("%s: %s", command, err.msg);
    return r;
}

static struct pmc_run_result run(struct pmc_runner *r,
                                 const struct pmc_run_request *req)
{
    struct pmc_run_result res;
    struct pmc_error err = {{0}};
    struct pmc_run_request none = {.faults = {.poison_offset = UINT64_MAX}};
    if (pmc_runner_run(r, req != NULL ? req : &none, &res, &err) != 0)
        fail_msg("run: %s", err.msg);
    return res;
}

static void test_runner_no_program(void **state)
{
    (void)state;
    struct pmc_runner_options o = {.command = "/no/such/program {image}",
                                   .images = one_image,
                                   .nimages = 1,
                                   .workdir = test_dir()};
    struct pmc_runner *r = NULL;
    struct pmc_error err = {{0}};
    assert_int_equal(pmc_runner_new(&o, &r, &err), -1);
    assert_non_null(strstr(err.msg, "no such program"));
    o.command = "no-such-program-anywhere {image}";
    assert_int_equal(pmc_runner_new(&o, &r, &err), -1);
    assert_non_null(strstr(err.msg, "no such program"));
}

static void test_runner_fork_server(void **state)
{
    (void)state;
    NEED_PROGRAMS();
    struct pmc_runner *r =
        runner_for(program("RECOVERY_PMCC"), "pass {image}", 5, false);
    assert_true(pmc_runner_forks(r));
    pmc_runner_free(r);
    r = runner_for(program("RECOVERY_PMCC"), "pass {image}", 5, true);
    assert_false(pmc_runner_forks(r));
    pmc_runner_free(r);
    r = runner_for(program("RECOVERY_PLAIN"), "pass {image}", 5, false);
    assert_false(pmc_runner_forks(r));
    pmc_runner_free(r);
}

/* A program that looks like a fork server (its file holds the runtime's
 * marker) but does not say hello has run once as a recovery, on the new
 * images: what it wrote there is cleared, and the supervisor serves it. */
static void test_runner_silent_program(void **state)
{
    (void)state;
    char script[512];
    test_format(script, sizeof(script), "%s", test_path("silent.sh"));
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n# %s\nprintf probe > \"$1\"\nexit 3\n",
            PMT_FS_MARKER);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(script, 0755), 0);
    struct pmc_runner *r = runner_for(script, "{image}", 5, false);
    assert_false(pmc_runner_forks(r));
    uint8_t *image = pmc_runner_image(r, 0);
    assert_int_equal(image[0], 0);
    assert_false(pmc_runner_image_dirty(r, 0));
    struct pmc_run_result res = run(r, NULL);
    assert_int_equal(res.outcome, PMC_RUN_EXIT);
    assert_int_equal(res.code, 3);
    assert_memory_equal(image, "probe", 5);
    assert_true(pmc_runner_image_dirty(r, 0));
    pmc_runner_free(r);
}

/* The same outcomes whether the program serves itself, is started by the
 * supervisor, or is not built with pmcc. */
static void test_runner_outcomes(void **state)
{
    (void)state;
    NEED_PROGRAMS();
    const struct {
        const char *prog;
        bool no_fork_server;
    } kinds[] = {{program("RECOVERY_PMCC"), false},
                 {program("RECOVERY_PMCC"), true},
                 {program("RECOVERY_PLAIN"), false}};
    const struct {
        const char *args;
        enum pmc_run_outcome outcome;
        int code;
    } cases[] = {{"pass {image}", PMC_RUN_PASS, 0},
                 {"exit {image} 7", PMC_RUN_EXIT, 7},
                 {"segv {image}", PMC_RUN_SIGNAL, SIGSEGV},
                 {"spin {image}", PMC_RUN_HANG, SIGKILL},
                 {"flood {image}", PMC_RUN_HANG, SIGKILL}};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(*kinds); k++) {
        for (size_t c = 0; c < sizeof(cases) / sizeof(*cases); c++) {
            struct pmc_runner *r = runner_for(kinds[k].prog, cases[c].args, 0.5,
                                              kinds[k].no_fork_server);
            struct pmc_run_result res = run(r, NULL);
            if (res.outcome != cases[c].outcome || res.code != cases[c].code)
                fail_msg("%s %s (fork server: %d): %s %d, want %s %d",
                         kinds[k].prog, cases[c].args, pmc_runner_forks(r),
                         pmc_run_outcome_name(res.outcome), res.code,
                         pmc_run_outcome_name(cases[c].outcome), cases[c].code);
            if (cases[c].outcome == PMC_RUN_HANG)
                assert_true(res.seconds >= 0.5 && res.seconds < 5);
            if (strncmp(cases[c].args, "flood", 5) == 0) /* whole lines */
                assert_memory_equal(res.stderr_tail, "flood ", 6);
            pmc_runner_free(r);
        }
    }
}

static void test_runner_environment(void **state)
{
    (void)state;
    NEED_PROGRAMS();
    struct pmc_runner *r =
        runner_for(program("RECOVERY_PMCC"), "env {image}", 5, false);
    struct pmc_run_request req = {.state_id = "3.14",
                                  .crash_site = "kv.c:42",
                                  .markers = "begin,end",
                                  .faults = {.poison_offset = UINT64_MAX}};
    struct pmc_run_result res = run(r, &req);
    assert_int_equal(res.outcome, PMC_RUN_PASS);
    assert_string_equal(res.stderr_tail,
                        "state 3.14 site kv.c:42 markers begin,end\n");
    /* Nothing of a run's request is left for the next one. */
    res = run(r, NULL);
    assert_string_equal(res.stderr_tail, "state - site - markers -\n");
    pmc_runner_free(r);
}

/* The runs of a program using libpmemobj get the malloc tunables after
 * the user's, served or executed; a pmcc program without libpmemobj (a
 * script holding the marker here: it never says hello, so the supervisor
 * runs it) gets the user's alone. */
static void test_runner_malloc_tunables(void **state)
{
    (void)state;
    NEED_PROGRAMS();
    const char *user = "glibc.malloc.arena_max=2";
    const char *want = "GLIBC_TUNABLES glibc.malloc.arena_max=2:" OURS "\n";
    setenv(PMC_TUNABLES_ENV, user, 1);
    const struct {
        const char *prog;
        bool no_fork_server;
    } kinds[] = {{program("RECOVERY_PMCC"), false},
                 {program("RECOVERY_PMCC"), true},
                 {program("RECOVERY_PLAIN"), false}};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(*kinds); k++) {
        struct pmc_runner *r =
            runner_for(kinds[k].prog, "getenv {image} GLIBC_TUNABLES", 5,
                       kinds[k].no_fork_server);
        assert_int_equal(pmc_runner_forks(r), k == 0);
        struct pmc_run_result res = run(r, NULL);
        assert_int_equal(res.outcome, PMC_RUN_PASS);
        assert_string_equal(res.stderr_tail, want);
        pmc_runner_free(r);
    }
    char script[512];
    test_format(script, sizeof(script), "%s", test_path("no-pmemobj.sh"));
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n# %s\necho \"GLIBC_TUNABLES $GLIBC_TUNABLES\" >&2\n",
            PMT_FS_MARKER);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(script, 0755), 0);
    struct pmc_runner *r = runner_for(script, "{image}", 5, false);
    struct pmc_run_result res = run(r, NULL);
    assert_string_equal(res.stderr_tail,
                        "GLIBC_TUNABLES glibc.malloc.arena_max=2\n");
    pmc_runner_free(r);
    unsetenv(PMC_TUNABLES_ENV);
}

/* Each run in an empty directory of its own, emptied after, whatever the
 * run before did to it. */
static void test_runner_directory(void **state)
{
    (void)state;
    NEED_PROGRAMS();
    struct pmc_runner *mess =
        runner_for(program("RECOVERY_PMCC"), "mess {image}", 5, false);
    assert_int_equal(run(mess, NULL).outcome, PMC_RUN_PASS);
    assert_int_equal(run(mess, NULL).outcome, PMC_RUN_PASS);
    pmc_runner_free(mess);
    struct pmc_runner *r =
        runner_for(program("RECOVERY_PMCC"), "cwd {image}", 5, false);
    for (int i = 0; i < 2; i++) {
        struct pmc_run_result res = run(r, NULL);
        assert_int_equal(res.outcome, PMC_RUN_PASS); /* the file was new */
        const char *dir = res.stderr_tail + strlen("cwd ");
        char made[4200];
        test_format(made, sizeof(made), "%.*s/made-here",
                    (int)strcspn(dir, "\n"), dir);
        assert_non_null(strstr(made, test_dir()));
        struct stat st;
        assert_int_equal(stat(made, &st), -1);
        assert_int_equal(errno, ENOENT);
    }
    pmc_runner_free(r);
}

/* Through the fork server a recovery's stores never reach the image; a
 * plain program's do, and the runner says so. */
static void test_runner_image_untouched(void **state)
{
    (void)state;
    NEED_PROGRAMS();
    const char *progs[] = {program("RECOVERY_PMCC"), program("RECOVERY_PLAIN")};
    for (int k = 0; k < 2; k++) {
        struct pmc_runner *r =
            runner_for(progs[k], "pmem {image} 171", 5, false);
        uint8_t *image = pmc_runner_image(r, 0);
        image[0] = 7;
        struct pmc_run_result res = run(r, NULL);
        assert_int_equal(res.outcome, PMC_RUN_EXIT);
        assert_int_equal(res.code, 7); /* it saw the explorer's byte */
        if (k == 0) {
            assert_int_equal(image[0], 7);
            assert_int_equal(image[4095], 0);
            assert_false(pmc_runner_image_dirty(r, 0));
        } else {
            assert_int_equal(image[0], 171);
            assert_true(pmc_runner_image_dirty(r, 0));
        }
        pmc_runner_free(r);
    }
}

/* A recovery that writes the image through a descriptor (here: opens it
 * with O_TRUNC) is not stopped, but seen: the image is dirty, and its size
 * is back, so the explorer's mapping still holds all of it. */
static void test_runner_image_written_through_fd(void **state)
{
    (void)state;
    NEED_PROGRAMS();
    struct pmc_runner *r =
        runner_for(program("RECOVERY_PMCC"), "write {image} {image}", 5, false);
    assert_true(pmc_runner_forks(r));
    uint8_t *image = pmc_runner_image(r, 0);
    image[4096] = 1;
    struct pmc_run_result res = run(r, NULL);
    assert_int_equal(res.outcome, PMC_RUN_PASS);
    assert_true(pmc_runner_image_dirty(r, 0));
    assert_memory_equal(image, "escaped\n", 8);
    assert_int_equal(image[4096], 0);                  /* cut, then zero */
    assert_int_equal(image[one_image[0].size - 1], 0); /* no SIGBUS */
    pmc_runner_free(r);
    /* The explorer's own stores, through its mapping, are not the run's. */
    r = runner_for(program("RECOVERY_PMCC"), "pass {image}", 5, false);
    pmc_runner_image(r, 0)[0] = 1;
    run(r, NULL);
    assert_false(pmc_runner_image_dirty(r, 0));
    pmc_runner_free(r);
}

/* ---- persistent mode ----------------------------------------------------- */

/* A run of "next" with the image's first byte set to byte: its stderr line
 * parsed into *iteration and *pid. */
static struct pmc_run_result next_run(struct pmc_runner *r, uint8_t byte,
                                      const struct pmc_run_request *req,
                                      int *iteration, int *pid)
{
    pmc_runner_image(r, 0)[0] = byte;
    struct pmc_run_result res = run(r, req);
    char state[64];
    if (sscanf(res.stderr_tail, "iteration %d pid %d state %63s", iteration,
               pid, state) != 3)
        fail_msg("byte %d: stderr \"%s\"", byte, res.stderr_tail);
    if (req != NULL && req->state_id != NULL)
        assert_string_equal(state, req->state_id);
    return res;
}

/* Built with pmcc, a recovery that asks for the next state gets it in the
 * same process, with the next image, directory and environment - until a
 * run fails (it is then run again in a new process, unless that was its
 * first), needs a fresh process (a fault), hangs, crashes, leaves a child,
 * or the process has had its share of runs. */
static void test_runner_persistent_mode(void **state)
{
    (void)state;
    NEED_PROGRAMS();
    struct pmc_runner *r =
        runner_for(program("RECOVERY_PMCC"), "next {image}", 0.5, false);
    assert_true(pmc_runner_forks(r));
    char id[16];
    struct pmc_run_request req = {.state_id = id,
                                  .faults = {.poison_offset = UINT64_MAX}};
    const struct {
        uint8_t byte;
        uint32_t fail_alloc;
        enum pmc_run_outcome outcome;
        int code, iteration;
        bool same_process; /* as the run before */
    } runs[] = {
        {0, 0, PMC_RUN_PASS, 0, 1, false},
        {0, 0, PMC_RUN_PASS, 0, 2, true},
        {7, 0, PMC_RUN_EXIT, 7, 1, false}, /* failed in 3: run again */
        {0, 0, PMC_RUN_PASS, 0, 1, false}, /* not kept after a failure */
        {7, 0, PMC_RUN_EXIT, 7, 1, false}, /* failed in 1: not again */
        {0, 0, PMC_RUN_PASS, 0, 1, false},
        {0, 1, PMC_RUN_PASS, 0, 1, false}, /* a fault needs a new process */
        {0, 0, PMC_RUN_PASS, 0, 1, false}, /* which could not go on */
        {0, 0, PMC_RUN_PASS, 0, 2, true},
        {0xff, 0, PMC_RUN_HANG, SIGKILL, 1, false}, /* hung in 3, again */
        {0xfe, 0, PMC_RUN_SIGNAL, SIGSEGV, 1, false},
        {0xfd, 0, PMC_RUN_PASS, 0, 1, false}, /* left a child: not alone */
        {0, 0, PMC_RUN_PASS, 0, 1, false},
        {0, 0, PMC_RUN_PASS, 0, 2, true},
    };
    int pid = 0;
    for (size_t i = 0; i < sizeof(runs) / sizeof(*runs); i++) {
        test_format(id, sizeof(id), "s%zu", i);
        req.faults.fail_alloc = runs[i].fail_alloc;
        int it, last_pid = pid;
        struct pmc_run_result res = next_run(r, runs[i].byte, &req, &it, &pid);
        if (res.outcome != runs[i].outcome || res.code != runs[i].code ||
            it != runs[i].iteration ||
            (pid == last_pid) != runs[i].same_process)
            fail_msg("run %zu: %s %d, iteration %d, pid %d after %d: %s", i,
                     pmc_run_outcome_name(res.outcome), res.code, it, pid,
                     last_pid, res.stderr_tail);
    }
    /* A state that fails only after others in the same process passes in
     * a new one, which the result says, with both attempts' time. */
    int it, daemon = 0, first = pid;
    struct pmc_run_result res = next_run(r, 0xfb, &req, &it, &pid);
    assert_int_equal(res.outcome, PMC_RUN_PASS);
    assert_int_equal(it, 1);
    assert_int_not_equal(pid, first);
    assert_true(res.carried_over);
    res = next_run(r, 0, &req, &it, &pid);
    assert_int_equal(it, 2);
    assert_false(res.carried_over);
    first = pid;
    /* A daemon the run left is gone when its end is reported; the process
     * goes on. */
    res = next_run(r, 0xfc, &req, &it, &pid);
    const char *line = strstr(res.stderr_tail, "daemon ");
    assert_non_null(line);
    assert_int_equal(sscanf(line, "daemon %d", &daemon), 1);
    assert_int_equal(kill(daemon, 0), -1);
    assert_int_equal(errno, ESRCH);
    assert_int_equal(pid, first);
    /* At most PMT_FS_MAX_RUNS_PER_PROCESS runs a process. */
    while (it < (int)PMT_FS_MAX_RUNS_PER_PROCESS) {
        next_run(r, 0, &req, &it, &pid);
        assert_int_equal(pid, first);
    }
    next_run(r, 0, &req, &it, &pid);
    assert_int_equal(it, 1);
    /* The process waiting for a next state is gone with the runner. */
    assert_int_equal(kill(pid, 0), 0);
    pmc_runner_free(r);
    assert_int_equal(kill(pid, 0), -1);
    assert_int_equal(errno, ESRCH);
}

/* Not built with pmcc, or served by the supervisor: one state a process,
 * the same outcomes. */
static void test_runner_persistent_mode_elsewhere(void **state)
{
    (void)state;
    NEED_PROGRAMS();
    const struct {
        const char *prog;
        bool no_fork_server;
    } kinds[] = {{program("RECOVERY_PMCC"), true},
                 {program("RECOVERY_PLAIN"), false}};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(*kinds); k++) {
        struct pmc_runner *r = runner_for(kinds[k].prog, "next {image}", 5,
                                          kinds[k].no_fork_server);
        for (uint8_t byte = 0; byte < 3; byte++) {
            int it, pid;
            struct pmc_run_result res = next_run(r, byte, NULL, &it, &pid);
            assert_int_equal(it, 1);
            assert_int_equal(res.code, byte);
        }
        pmc_runner_free(r);
    }
}

/* A recovery's libndctl contexts: one, shared by its main thread's pool
 * opens; its own for another thread; and outside recovery runs, a new one
 * each time. */
static void test_runner_ndctl_context(void **state)
{
    (void)state;
    NEED_PROGRAMS();
    struct pmc_runner *r =
        runner_for(program("RECOVERY_PMCC"), "ndctl {image}", 5, false);
    struct pmc_run_result res = run(r, NULL);
    assert_int_equal(res.outcome, PMC_RUN_PASS);
    assert_string_equal(res.stderr_tail, "main same thread different\n");
    pmc_runner_free(r);
    char command[1024];
    test_format(command, sizeof(command), "%s ndctl /dev/null 2>&1",
                program("RECOVERY_PMCC"));
    FILE *p = popen(command, "r");
    assert_non_null(p);
    char line[128] = "";
    assert_non_null(fgets(line, sizeof(line), p));
    assert_int_equal(pclose(p), 0);
    assert_string_equal(line, "main different thread different\n");
}

int main(void)
{
    test_dir_create("runner");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmdline_words),
        cmocka_unit_test(test_cmdline_shell),
        cmocka_unit_test(test_cmdline_errors),
        cmocka_unit_test(test_tail_whole_lines),
        cmocka_unit_test(test_tail_short_and_odd),
        cmocka_unit_test(test_rmtree),
        cmocka_unit_test(test_tunables_merge),
        cmocka_unit_test(test_tunables_wanted),
        cmocka_unit_test(test_runner_no_program),
        cmocka_unit_test(test_runner_fork_server),
        cmocka_unit_test(test_runner_silent_program),
        cmocka_unit_test(test_runner_outcomes),
        cmocka_unit_test(test_runner_environment),
        cmocka_unit_test(test_runner_malloc_tunables),
        cmocka_unit_test(test_runner_directory),
        cmocka_unit_test(test_runner_image_untouched),
        cmocka_unit_test(test_runner_image_written_through_fd),
        cmocka_unit_test(test_runner_persistent_mode),
        cmocka_unit_test(test_runner_persistent_mode_elsewhere),
        cmocka_unit_test(test_runner_ndctl_context),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    test_dir_remove();
    return failed;
}
