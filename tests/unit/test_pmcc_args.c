/*
 * test_pmcc_args.c - pmcc's reading of a command line: what compiles, what
 * links an executable (and so gets the runtime), what only asks a question.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "pmcc_args.h"
#include "test_support.h"

#define MAX_ARGS 16

/* Classify a command given as one string split on spaces. */
static enum pmcc_action classify(const char *line)
{
    char buf[512];
    char *argv[MAX_ARGS];
    int argc = 0;
    test_format(buf, sizeof(buf), "%s", line);
    for (char *tok = strtok(buf, " "); tok != NULL && argc < MAX_ARGS;
         tok = strtok(NULL, " "))
        argv[argc++] = tok;
    return pmcc_classify(argc, argv);
}

static void compiles_do_not_link(void **state)
{
    (void)state;
    assert_int_equal(classify("-g -O2 -c x.c"), PMCC_COMPILE);
    assert_int_equal(classify("-c x.c -o x.o"), PMCC_COMPILE);
    assert_int_equal(classify("-S x.c"), PMCC_COMPILE);
    assert_int_equal(classify("-E x.c"), PMCC_COMPILE);
    assert_int_equal(classify("-E -dM -"), PMCC_COMPILE);
    assert_int_equal(classify("-M x.c"), PMCC_COMPILE);
    assert_int_equal(classify("-MM x.c"), PMCC_COMPILE);
    assert_int_equal(classify("-fsyntax-only x.c"), PMCC_COMPILE);
    assert_int_equal(classify("-MD -MF x.d -c x.c"), PMCC_COMPILE);
}

static void executables_link(void **state)
{
    (void)state;
    assert_int_equal(classify("-o prog a.o b.o -lpmem"), PMCC_LINK_EXE);
    assert_int_equal(classify("x.c"), PMCC_LINK_EXE);
    assert_int_equal(classify("-g -O1 -o kv kv.c -lpmemobj"), PMCC_LINK_EXE);
    /* -MD writes dependencies and still links */
    assert_int_equal(classify("-MD -MF x.d x.c -o x"), PMCC_LINK_EXE);
    assert_int_equal(classify("-v x.c"), PMCC_LINK_EXE);
    assert_int_equal(classify("-Wl,--as-needed a.o"), PMCC_LINK_EXE);
}

static void shared_links_get_no_runtime(void **state)
{
    (void)state;
    assert_int_equal(classify("-shared -fPIC -o libx.so x.o"),
                     PMCC_LINK_SHARED);
    assert_int_equal(classify("-r -o all.o a.o b.o"), PMCC_LINK_SHARED);
    assert_int_equal(classify("-shared -c x.c"), PMCC_COMPILE);
}

/* The value of -o, -MF, -I ... is not an input file. */
static void option_values_are_not_inputs(void **state)
{
    (void)state;
    assert_int_equal(classify("-o out"), PMCC_QUERY);
    assert_int_equal(classify("-I inc -D X -U Y -include h.h -x c"),
                     PMCC_QUERY);
    assert_int_equal(classify("-MF deps -MT t -MQ q"), PMCC_QUERY);
    assert_int_equal(classify("-Xlinker --version"), PMCC_QUERY);
    assert_int_equal(classify("-Xclang -load -Xclang x.so"), PMCC_QUERY);
    assert_int_equal(classify("-Iinc -DX=1"), PMCC_QUERY); /* joined */
}

/* meson and cmake probe with commands that have no input. */
static void queries_have_no_input(void **state)
{
    (void)state;
    assert_int_equal(classify(""), PMCC_QUERY);
    assert_int_equal(classify("--version"), PMCC_QUERY);
    assert_int_equal(classify("-v"), PMCC_QUERY);
    assert_int_equal(classify("-print-search-dirs"), PMCC_QUERY);
    assert_int_equal(classify("-print-file-name=libc.so"), PMCC_QUERY);
    assert_int_equal(classify("-dumpmachine"), PMCC_QUERY);
    assert_int_equal(classify("-Wl,--version"), PMCC_QUERY);
    assert_int_equal(classify("-###"), PMCC_QUERY);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void response_files_are_read(void **state)
{
    (void)state;
    char line[512];
    write_file(test_path("compile.rsp"), "-c\n'my file.c'\t-o \"x.o\"\n");
    test_format(line, sizeof(line), "@%s", test_path("compile.rsp"));
    assert_int_equal(classify(line), PMCC_COMPILE);

    write_file(test_path("objs.rsp"), "a.o b\\ c.o");
    test_format(line, sizeof(line), "-o prog @%s", test_path("objs.rsp"));
    assert_int_equal(classify(line), PMCC_LINK_EXE);

    write_file(test_path("flags.rsp"), "-O2 -g");
    test_format(line, sizeof(line), "@%s", test_path("flags.rsp"));
    assert_int_equal(classify(line), PMCC_QUERY);

    /* nested, and a cycle ends */
    test_format(line, sizeof(line), "-shared @%s", test_path("objs.rsp"));
    write_file(test_path("outer.rsp"), line);
    test_format(line, sizeof(line), "@%s", test_path("outer.rsp"));
    assert_int_equal(classify(line), PMCC_LINK_SHARED);
    test_format(line, sizeof(line), "-c @%s", test_path("loop.rsp"));
    write_file(test_path("loop.rsp"), line);
    test_format(line, sizeof(line), "@%s", test_path("loop.rsp"));
    assert_int_equal(classify(line), PMCC_COMPILE);

    /* clang takes a missing @file for an input file name */
    assert_int_equal(classify("@/nonexistent/args"), PMCC_LINK_EXE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compiles_do_not_link),
        cmocka_unit_test(executables_link),
        cmocka_unit_test(shared_links_get_no_runtime),
        cmocka_unit_test(option_values_are_not_inputs),
        cmocka_unit_test(queries_have_no_input),
        cmocka_unit_test(response_files_are_read),
    };
    test_dir_create("pmcc-args");
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    test_dir_remove();
    return failed;
}
