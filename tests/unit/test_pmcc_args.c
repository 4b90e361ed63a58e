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

/* A command and how pmcc must read it. */
struct classify_case {
    const char *line;
    enum pmcc_action want;
};

/* A run of cases, one cmocka test's initial state (see main). */
struct case_table {
    const struct classify_case *cases;
    size_t n;
};

#define N_CASES(cases) (sizeof(cases) / sizeof((cases)[0]))

static void classify_cases(void **state)
{
    const struct case_table *table = *state;
    for (size_t i = 0; i < table->n; i++) {
        const struct classify_case *c = &table->cases[i];
        enum pmcc_action got = classify(c->line);
        if (got != c->want)
            fail_msg("'%s': action %d, want %d", c->line, (int)got,
                     (int)c->want);
    }
}

static const struct classify_case compiles_cases[] = {
    {"-g -O2 -c x.c", PMCC_COMPILE},
    {"-c x.c -o x.o", PMCC_COMPILE},
    {"-S x.c", PMCC_COMPILE},
    {"-E x.c", PMCC_COMPILE},
    {"-E -dM -", PMCC_COMPILE},
    {"-M x.c", PMCC_COMPILE},
    {"-MM x.c", PMCC_COMPILE},
    {"-fsyntax-only x.c", PMCC_COMPILE},
    {"-MD -MF x.d -c x.c", PMCC_COMPILE},
};
static struct case_table compiles = {compiles_cases, N_CASES(compiles_cases)};

static const struct classify_case executables_cases[] = {
    {"-o prog a.o b.o -lpmem", PMCC_LINK_EXE},
    {"x.c", PMCC_LINK_EXE},
    {"-g -O1 -o kv kv.c -lpmemobj", PMCC_LINK_EXE},
    /* -MD writes dependencies and still links */
    {"-MD -MF x.d x.c -o x", PMCC_LINK_EXE},
    {"-v x.c", PMCC_LINK_EXE},
    {"-Wl,--as-needed a.o", PMCC_LINK_EXE},
};
static struct case_table executables = {executables_cases,
                                        N_CASES(executables_cases)};

static const struct classify_case shared_links_cases[] = {
    {"-shared -fPIC -o libx.so x.o", PMCC_LINK_SHARED},
    {"-r -o all.o a.o b.o", PMCC_LINK_SHARED},
    {"-shared -c x.c", PMCC_COMPILE},
};
static struct case_table shared_links = {shared_links_cases,
                                         N_CASES(shared_links_cases)};

/* The value of -o, -MF, -I ... is not an input file. */
static const struct classify_case option_values_cases[] = {
    {"-o out", PMCC_QUERY},
    {"-I inc -D X -U Y -include h.h -x c", PMCC_QUERY},
    {"-MF deps -MT t -MQ q", PMCC_QUERY},
    {"-Xlinker --version", PMCC_QUERY},
    {"-Xclang -load -Xclang x.so", PMCC_QUERY},
    {"-Iinc -DX=1", PMCC_QUERY}, /* joined */
};
static struct case_table option_values = {option_values_cases,
                                          N_CASES(option_values_cases)};

/* meson and cmake probe with commands that have no input. */
static const struct classify_case queries_cases[] = {
    {"", PMCC_QUERY},
    {"--version", PMCC_QUERY},
    {"-v", PMCC_QUERY},
    {"-print-search-dirs", PMCC_QUERY},
    {"-print-file-name=libc.so", PMCC_QUERY},
    {"-dumpmachine", PMCC_QUERY},
    {"-Wl,--version", PMCC_QUERY},
    {"-###", PMCC_QUERY},
};
static struct case_table queries = {queries_cases, N_CASES(queries_cases)};

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
    /* Each table is one test, of the name that says what its cases are. */
    const struct CMUnitTest tests[] = {
        {"compiles_do_not_link", classify_cases, NULL, NULL, &compiles},
        {"executables_link", classify_cases, NULL, NULL, &executables},
        {"shared_links_get_no_runtime", classify_cases, NULL, NULL,
         &shared_links},
        {"option_values_are_not_inputs", classify_cases, NULL, NULL,
         &option_values},
        {"queries_have_no_input", classify_cases, NULL, NULL, &queries},
        cmocka_unit_test(response_files_are_read),
    };
    test_dir_create("pmcc-args");
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    test_dir_remove();
    return failed;
}
