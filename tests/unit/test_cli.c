/*
 * test_cli.c - the pmcheck program itself ($PMCHECK): `dump` on exact
 * traces from trace_builder, `run` on a fake target, usage and exit status.
 *
 * The fake target is this program run as `test-cli --fake-target MODE
 * ENVFILE`: it writes what it found in its environment to ENVFILE, writes
 * a small trace where PMTRACE_FILE says (as an instrumented program would),
 * and ends as MODE says: exit:N, signal:N, wait (until a signal) or
 * notrace (exit 0 without a trace).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_support.h"
#include "trace.h"
#include "trace_builder.h"

static const char *const test_argv[] = {"prog", "a", "b", NULL};
static const char *const env_names[] = {"PMTRACE_FILE", "PMTRACE_PMEM",
                                        "PMTRACE_LOADS", "PMEM_IS_PMEM_FORCE",
                                        NULL};

/* ---- the fake target -------------------------------------------------- */

static void fake_env_report(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        _exit(120);
    for (const char *const *n = env_names; *n != NULL; n++) {
        const char *v = getenv(*n);
        fprintf(f, "%s%s%s\n", *n, v ? "=" : " unset", v ? v : "");
    }
    fclose(f);
}

static void fake_trace(const char *path)
{
    struct tb *b = tb_new(test_argv);
    uint32_t blk = tb_block(b, 1, 0);
    tb_thread(b, blk, 1, 1234);
    tb_fence(b, blk, 2, 0);
    if (tb_write(b, path, SIZE_MAX) != 0)
        _exit(121);
    tb_free(b);
}

static int fake_target(char **argv)
{
    const char *mode = argv[0], *envfile = argv[1];
    fake_env_report(envfile);
    if (strcmp(mode, "notrace") == 0)
        return 0;
    const char *trace = getenv("PMTRACE_FILE");
    if (trace == NULL)
        return 122;
    fake_trace(trace);
    if (strncmp(mode, "exit:", 5) == 0)
        return atoi(mode + 5);
    if (strncmp(mode, "signal:", 7) == 0) {
        signal(atoi(mode + 7), SIG_DFL);
        raise(atoi(mode + 7));
    }
    if (strcmp(mode, "wait") == 0) {
        char ready[PATH_MAX];
        test_format(ready, sizeof(ready), "%s.ready", envfile);
        close(open(ready, O_WRONLY | O_CREAT, 0644));
        alarm(20); /* never hang the suite */
        for (;;)
            pause();
    }
    return 123;
}

/* ---- running pmcheck -------------------------------------------------- */

struct tool {
    int status; /* exit status, 128+N when killed by signal N */
    char out[16384];
    char err[4096];
};

static void file_read(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
}

static pid_t tool_start(const char *cwd, const char *const *args)
{
    const char *argv[32] = {getenv("PMCHECK")};
    int n = 1;
    for (; *args != NULL && n < 31; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int out =
            open(test_path("tool.out"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err =
            open(test_path("tool.err"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 ||
            (cwd != NULL && chdir(cwd) != 0))
            _exit(126);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static void tool_finish(struct tool *t, pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    t->status =
        WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    file_read(test_path("tool.out"), t->out, sizeof(t->out));
    file_read(test_path("tool.err"), t->err, sizeof(t->err));
}

/* pmcheck ARGS... (NULL-terminated) in cwd (NULL: here). */
static void tool_run(struct tool *t, const char *cwd, ...)
{
    const char *args[32];
    int n = 0;
    va_list ap;
    va_start(ap, cwd);
    while ((args[n] = va_arg(ap, const char *)) != NULL && n < 31)
        n++;
    va_end(ap);
    args[n] = NULL;
    tool_finish(t, tool_start(cwd, args));
}

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("expected '%s' in:\n%s", part, text);
}

/* ---- dump ------------------------------------------------------------- */

static void dump_trace_build(const char *path)
{
    struct tb *b = tb_new(test_argv);
    uint32_t t1 = tb_block(b, 1, 0), t2 = tb_block(b, 2, 0);
    const uint64_t base = 0x7f0000000000ull;
    tb_thread(b, t1, 1, 77);
    tb_string(b, t1, 2, 1, "/tmp/x/pool.pmem");
    tb_region_map(b, t1, 3, 1, base, 0x10000, 1);
    tb_string(b, t1, 4, 2, "list.c");
    tb_string(b, t1, 5, 3, "list_insert");
    tb_site(b, t1, 6, 1, 42, 9, 2, 0, 3);
    tb_store(b, t1, 7, 1, base + 0x40, "\x2a\0\0\0\0\0\0\0", 8);
    tb_flush(b, t1, 8, 1, base + 0x40, PMT_FLUSH_CLWB);
    tb_fence(b, t1, 9, 1);
    tb_store(b, t1, 10, 1, 0x1000, "0123456789abcdefghij", 20);
    tb_site(b, t1, 11, 2, 0, 0, 2, 0, 0);
    struct pmt_body_addr lock = {.addr = 0x5000};
    tb_rec(b, t1, PMT_LOCK, 0, 2, 12, &lock, sizeof(lock), NULL, 0);
    struct pmt_body_range unmap = {.addr = base, .len = 0x10000};
    tb_rec(b, t1, PMT_REGION_UNMAP, 0, 0, 13, &unmap, sizeof(unmap), NULL, 0);
    tb_store(b, t1, 14, 0, base + 0x40, "\xff", 1);
    tb_thread(b, t2, 15, 78);
    struct pmt_body_exit ex = {.status = 0};
    tb_rec(b, t2, PMT_EXIT, 0, 0, 16, &ex, sizeof(ex), NULL, 0);
    tb_seal(b, t1);
    tb_header(b)->end_kind = PMT_END_EXIT;
    assert_int_equal(tb_write(b, path, SIZE_MAX), 0);
    tb_free(b);
}

static const char dump_expected[] =
    "      1 t1 THREAD\n"
    "      2 t1 STRING #1 \"/tmp/x/pool.pmem\"\n"
    "      3 t1 REGION_MAP r1 65536 \"pool.pmem\" file\n"
    "      4 t1 STRING #2 \"list.c\"\n"
    "      5 t1 STRING #3 \"list_insert\"\n"
    "      6 t1 SITE #1 list.c:42:9 list_insert\n"
    "      7 t1 STORE r1+0x40 8 2a00000000000000 @ list.c:42:9 list_insert\n"
    "      8 t1 FLUSH r1+0x40 64 clwb @ list.c:42:9 list_insert\n"
    "      9 t1 FENCE sfence @ list.c:42:9 list_insert\n"
    "     10 t1 STORE 0x1000 20 30313233343536373839616263646566... @ "
    "list.c:42:9 list_insert\n"
    "     11 t1 SITE #2 list.c\n"
    "     12 t1 LOCK 0x5000 @ list.c\n"
    "     13 t1 REGION_UNMAP r1+0x0 65536\n"
    "     14 t1 STORE 0x7f0000000040 1 ff\n"
    "     15 t2 THREAD\n"
    "     16 t2 EXIT 0\n";

static void dump_prints_every_record(void **state)
{
    (void)state;
    struct tool t;
    dump_trace_build(test_path("d.pmt"));
    tool_run(&t, NULL, "dump", test_path("d.pmt"), NULL);
    assert_int_equal(t.status, 0);
    assert_string_equal(t.out, dump_expected);
    assert_string_equal(t.err, "");
}

static void dump_events_hides_metadata(void **state)
{
    (void)state;
    struct tool t;
    dump_trace_build(test_path("d.pmt"));
    tool_run(&t, NULL, "dump", "--events", test_path("d.pmt"), NULL);
    assert_int_equal(t.status, 0);
    assert_null(strstr(t.out, "STRING"));
    assert_null(strstr(t.out, "SITE"));
    assert_contains(t.out, "      1 t1 THREAD\n      3 t1 REGION_MAP");
    assert_contains(t.out, "@ list.c:42:9 list_insert\n");
}

static void dump_raw_shows_addresses(void **state)
{
    (void)state;
    struct tool t;
    dump_trace_build(test_path("d.pmt"));
    tool_run(&t, NULL, "dump", "--raw", test_path("d.pmt"), NULL);
    assert_int_equal(t.status, 0);
    assert_contains(t.out, "      1 t1 THREAD tid=77\n");
    assert_contains(t.out, "REGION_MAP r1 0x7f0000000000 65536 "
                           "\"/tmp/x/pool.pmem\" file\n");
    assert_contains(t.out, "      7 t1 STORE 0x7f0000000040 8 ");
}

static void dump_summary_counts(void **state)
{
    (void)state;
    struct tool t;
    char want[1024];
    dump_trace_build(test_path("d.pmt"));
    tool_run(&t, NULL, "dump", "--summary", test_path("d.pmt"), NULL);
    assert_int_equal(t.status, 0);
    test_format(want, sizeof(want),
                "trace:    %s\n"
                "command:  prog a b\n"
                "end:      program exited with status 0\n"
                "threads:  2\n"
                "blocks:   2 (a thread's last block is unsealed)\n"
                "regions:  1\n"
                "sites:    2\n"
                "strings:  3\n"
                "records:  16\n"
                "  STRING            3\n"
                "  SITE              2\n"
                "  THREAD            2\n"
                "  REGION_MAP        1\n"
                "  REGION_UNMAP      1\n"
                "  EXIT              1\n"
                "  STORE             3\n"
                "  FLUSH             1\n"
                "  FENCE             1\n"
                "  LOCK              1\n",
                test_path("d.pmt"));
    assert_string_equal(t.out, want);
}

/* What was read is printed, then the error, and the status says so. */
static void dump_damage_prints_prefix_then_error(void **state)
{
    (void)state;
    struct tb *b = tb_new(test_argv);
    uint32_t a0 = tb_block(b, 1, 0), a1 = tb_block(b, 1, 1);
    tb_fence(b, a0, 1, 0);
    tb_fence(b, a1, 2, 0);
    tb_seal(b, a0);
    tb_seal(b, a1);
    tb_bytes(b)[tb_block_offset(a1) + 40] ^= 1;
    assert_int_equal(tb_write(b, test_path("bad.pmt"), SIZE_MAX), 0);
    tb_free(b);

    struct tool t;
    char want[512];
    tool_run(&t, NULL, "dump", test_path("bad.pmt"), NULL);
    assert_int_equal(t.status, 2);
    assert_string_equal(t.out, "      1 t1 FENCE sfence\n");
    test_format(want, sizeof(want),
                "pmcheck: error: %s: byte %llu: block checksum mismatch "
                "(thread 1, block 1)\n",
                test_path("bad.pmt"), (unsigned long long)tb_block_offset(a1));
    assert_string_equal(t.err, want);
}

static void dump_input_errors(void **state)
{
    (void)state;
    struct tool t;
    tool_run(&t, NULL, "dump", test_path("missing.pmt"), NULL);
    assert_int_equal(t.status, 2);
    assert_contains(t.err, "pmcheck: error: cannot open trace ");
    tool_run(&t, NULL, "dump", NULL);
    assert_int_equal(t.status, 2);
    assert_contains(t.err, "dump takes one trace");
    tool_run(&t, NULL, "dump", "--bogus", "x", NULL);
    assert_int_equal(t.status, 2);
    tool_run(&t, NULL, "dump", "--help", NULL);
    assert_int_equal(t.status, 0);
    assert_contains(t.out, "usage: pmcheck dump");
}

/* ---- the command line ------------------------------------------------- */

static void usage_and_dispatch(void **state)
{
    (void)state;
    struct tool t;
    tool_run(&t, NULL, NULL);
    assert_int_equal(t.status, 2);
    assert_contains(t.err, "usage: pmcheck");
    tool_run(&t, NULL, "--help", NULL);
    assert_int_equal(t.status, 0);
    assert_contains(t.out, "  run ");
    assert_contains(t.out, "  dump ");
    assert_contains(t.out, "  check ");
    tool_run(&t, NULL, "--version", NULL);
    assert_int_equal(t.status, 0);
    assert_contains(t.out, "pmcheck 0.");
    tool_run(&t, NULL, "bogus", NULL);
    assert_int_equal(t.status, 2);
    assert_contains(t.err, "pmcheck: error: unknown command 'bogus'");
    tool_run(&t, NULL, "--bogus", NULL);
    assert_int_equal(t.status, 2);
    /* crash and merge without their arguments are usage errors. */
    tool_run(&t, NULL, "crash", NULL);
    assert_int_equal(t.status, 2);
    assert_contains(t.err, "pmcheck: error: crash needs a trace");
    tool_run(&t, NULL, "merge", NULL);
    assert_int_equal(t.status, 2);
    assert_contains(t.err, "merge needs an output database");
}

static void plugin_path_follows_the_environment(void **state)
{
    (void)state;
    struct tool t;
    tool_run(&t, NULL, "--plugin-path", NULL);
    assert_int_equal(t.status, 0);
    assert_contains(t.out, "/pmcheck-pass.so\n");
    setenv("PMCHECK_PLUGIN", "/elsewhere/p.so", 1);
    tool_run(&t, NULL, "--plugin-path", NULL);
    unsetenv("PMCHECK_PLUGIN");
    assert_string_equal(t.out, "/elsewhere/p.so\n");
}

/* ---- run -------------------------------------------------------------- */

static const char *self_exe(void)
{
    static char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    assert_true(n > 0);
    exe[n] = '\0';
    return exe;
}

static void header_end(const char *trace, uint32_t *kind, int32_t *code)
{
    struct pmc_trace *t;
    struct pmc_error err;
    assert_int_equal(pmc_trace_open(trace, &t, &err), 0);
    *kind = pmc_trace_info(t)->end_kind;
    *code = pmc_trace_info(t)->end_code;
    pmc_trace_close(t);
}

static void run_passes_environment_and_status(void **state)
{
    (void)state;
    struct tool t;
    char env[1024], want[1024], canon_dir[PATH_MAX];
    const char *trace = test_path("r.pmt");
    assert_non_null(realpath(test_dir(), canon_dir));
    tool_run(&t, NULL, "run", "-o", trace, "--pmem", test_dir(), "--pmem",
             test_path("pool-to-be"), "--loads", "--", self_exe(),
             "--fake-target", "exit:3", test_path("env"), NULL);
    assert_int_equal(t.status, 3);
    test_format(want, sizeof(want),
                "pmcheck: trace written to %s (1 block, 1 thread; program "
                "exited with status 3)\n",
                trace);
    assert_string_equal(t.err, want);

    file_read(test_path("env"), env, sizeof(env));
    test_format(want, sizeof(want),
                "PMTRACE_FILE=%s\nPMTRACE_PMEM=%s:%s/pool-to-be\n"
                "PMTRACE_LOADS=1\nPMEM_IS_PMEM_FORCE=1\n",
                trace, canon_dir, canon_dir);
    assert_string_equal(env, want);

    uint32_t kind;
    int32_t code;
    header_end(trace, &kind, &code);
    assert_int_equal(kind, PMT_END_EXIT);
    assert_int_equal(code, 3);
}

static void run_reports_a_killed_program(void **state)
{
    (void)state;
    struct tool t;
    const char *trace = test_path("k.pmt");
    tool_run(&t, NULL, "run", "-o", trace, "--", self_exe(), "--fake-target",
             "signal:9", test_path("env"), NULL);
    assert_int_equal(t.status, 128 + 9);
    assert_contains(t.err, "program was killed by signal 9 (SIGKILL))\n");
    uint32_t kind;
    int32_t code;
    header_end(trace, &kind, &code);
    assert_int_equal(kind, PMT_END_SIGNAL);
    assert_int_equal(code, 9);
}

static void run_default_trace_and_user_environment(void **state)
{
    (void)state;
    struct tool t;
    char env[1024], trace[PATH_MAX];
    setenv("PMEM_IS_PMEM_FORCE", "0", 1);
    setenv("PMTRACE_LOADS", "1", 1); /* stale: run without --loads clears */
    tool_run(&t, test_dir(), "run", self_exe(), "--fake-target", "exit:0",
             test_path("env"), NULL);
    unsetenv("PMEM_IS_PMEM_FORCE");
    unsetenv("PMTRACE_LOADS");
    assert_int_equal(t.status, 0);
    test_format(trace, sizeof(trace), "%s/test-cli.pmt", test_dir());
    assert_int_equal(access(trace, F_OK), 0);
    file_read(test_path("env"), env, sizeof(env));
    assert_contains(env, "PMTRACE_PMEM unset\nPMTRACE_LOADS unset\n"
                         "PMEM_IS_PMEM_FORCE=0\n");
}

static void run_without_trace_is_an_error(void **state)
{
    (void)state;
    struct tool t;
    const char *trace = test_path("stale.pmt");
    FILE *f = fopen(trace, "w"); /* a stale trace must not count */
    assert_non_null(f);
    fclose(f);
    tool_run(&t, NULL, "run", "-o", trace, "--", self_exe(), "--fake-target",
             "notrace", test_path("env"), NULL);
    assert_int_equal(t.status, 2);
    assert_contains(t.err, "wrote no trace (was it built with pmcc?)");
    assert_int_equal(access(trace, F_OK), -1);

    tool_run(&t, NULL, "run", "-o", trace, "--", "/nonexistent/prog", NULL);
    assert_int_equal(t.status, 2);
    assert_contains(t.err, "pmcheck: error: cannot run /nonexistent/prog: "
                           "No such file or directory");
    tool_run(&t, NULL, "run", NULL);
    assert_int_equal(t.status, 2);
    assert_contains(t.err, "no program to run");
}

static void run_forwards_sigterm(void **state)
{
    (void)state;
    struct tool t;
    char ready[PATH_MAX];
    const char *trace = test_path("w.pmt");
    test_format(ready, sizeof(ready), "%s.ready", test_path("env"));
    unlink(ready);
    const char *args[] = {"run",      "-o",
                          trace,      "--",
                          self_exe(), "--fake-target",
                          "wait",     test_path("env"),
                          NULL};
    pid_t pid = tool_start(NULL, args);
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 1000 && access(ready, F_OK) != 0; i++)
        nanosleep(&tick, NULL);
    assert_int_equal(access(ready, F_OK), 0);
    assert_int_equal(kill(pid, SIGTERM), 0);
    tool_finish(&t, pid);
    assert_int_equal(t.status, 128 + SIGTERM);
    assert_contains(t.err, "program was killed by signal 15 (SIGTERM))\n");
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "--fake-target") == 0)
        return fake_target(argv + 2);
    if (getenv("PMCHECK") == NULL) {
        fputs("test-cli: set PMCHECK to the pmcheck to test\n", stderr);
        return 1;
    }
    for (const char *const *n = env_names; *n != NULL; n++)
        unsetenv(*n);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dump_prints_every_record),
        cmocka_unit_test(dump_events_hides_metadata),
        cmocka_unit_test(dump_raw_shows_addresses),
        cmocka_unit_test(dump_summary_counts),
        cmocka_unit_test(dump_damage_prints_prefix_then_error),
        cmocka_unit_test(dump_input_errors),
        cmocka_unit_test(usage_and_dispatch),
        cmocka_unit_test(plugin_path_follows_the_environment),
        cmocka_unit_test(run_passes_environment_and_status),
        cmocka_unit_test(run_reports_a_killed_program),
        cmocka_unit_test(run_default_trace_and_user_environment),
        cmocka_unit_test(run_without_trace_is_an_error),
        cmocka_unit_test(run_forwards_sigterm),
    };
    test_dir_create("cli");
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    test_dir_remove();
    return failed;
}
