/*
 * pmcc_args.c - classifying a compiler command line (see pmcc_args.h).
 *
 * Only what changes the answer is modelled: the options that stop before
 * the link, the ones that make the link not an executable, and the options
 * whose value is the next argument (so `-o out` or `-MF deps` is not taken
 * for an input file). Everything else that starts with '-' is an option;
 * anything else, and a lone "-" (standard input), is an input.
 */
#include "pmcc_args.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RSP_MAX_DEPTH 8 /* response files may nest; cycles must end */

struct classify {
    bool no_link; /* -c, -S, -E, ... */
    bool shared;  /* -shared, -r */
    bool skip_next;
    int inputs;
};

static bool in_list(const char *arg, const char *const *list)
{
    for (; *list != NULL; list++)
        if (strcmp(arg, *list) == 0)
            return true;
    return false;
}

static const char *const stop_before_link[] = {
    "-c",        "-S",         "-E",
    "-M",        "-MM",        "-fsyntax-only",
    "--compile", "--assemble", "--preprocess",
    "--analyze", "-emit-ast",  "--precompile",
    NULL,
};

static const char *const not_an_executable[] = {
    "-shared", "--shared", "-r", "-Wl,-r", NULL,
};

/* Options that take the next argument as their value (clang's Separate
 * and JoinedOrSeparate options that appear in build systems). */
static const char *const value_next[] = {
    "-o",
    "-I",
    "-L",
    "-D",
    "-U",
    "-l",
    "-x",
    "-include",
    "-imacros",
    "-isystem",
    "-idirafter",
    "-iquote",
    "-iprefix",
    "-iwithprefix",
    "-iwithprefixbefore",
    "-isysroot",
    "-ivfsoverlay",
    "-include-pch",
    "-MF",
    "-MT",
    "-MQ",
    "-MJ",
    "-Xlinker",
    "-Xassembler",
    "-Xpreprocessor",
    "-Xclang",
    "-Xanalyzer",
    "-mllvm",
    "-target",
    "-arch",
    "-T",
    "-u",
    "-z",
    "-e",
    "-F",
    "-B",
    "-A",
    "--param",
    "--sysroot",
    "-gcc-toolchain",
    "-resource-dir",
    "-dependency-file",
    "-serialize-diagnostics",
    "-working-directory",
    "-install_name",
    "-aux-info",
    NULL,
};

static void classify_args(struct classify *c, int argc, char *const argv[],
                          int depth);

/* The whole content of a file, NUL-terminated; NULL if unreadable. */
static char *file_slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    char *text = NULL;
    size_t len = 0, cap = 0;
    bool bad = false;
    while (!bad) {
        if (cap - len < 4096) {
            char *bigger = realloc(text, cap + 65536);
            bad = bigger == NULL;
            if (bad)
                break;
            text = bigger;
            cap += 65536;
        }
        size_t got = fread(text + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    bad = bad || ferror(f);
    fclose(f);
    if (bad) {
        free(text);
        return NULL;
    }
    text[len] = '\0';
    return text;
}

/*
 * Split a GCC-style response file in place: blanks separate, quotes
 * group, a backslash escapes the next character. Fills args (room for
 * strlen(text) / 2 + 1 pointers, the most there can be) and returns the
 * count.
 */
static int rsp_split(char *text, char **args)
{
    int n = 0;
    char *r = text, *w = text;
    while (*r != '\0') {
        while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
            r++;
        if (*r == '\0')
            break;
        args[n++] = w;
        char quote = 0;
        for (; *r != '\0'; r++) {
            if (!quote && (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r'))
                break;
            if (*r == '\\' && r[1] != '\0')
                *w++ = *++r;
            else if (*r == quote)
                quote = 0;
            else if (!quote && (*r == '"' || *r == '\''))
                quote = *r;
            else
                *w++ = *r;
        }
        if (*r != '\0')
            r++;
        *w++ = '\0';
    }
    return n;
}

static void classify_rsp(struct classify *c, const char *arg, int depth)
{
    char *text = depth < RSP_MAX_DEPTH ? file_slurp(arg + 1) : NULL;
    char **args = text ? malloc((strlen(text) / 2 + 1) * sizeof(*args)) : NULL;
    if (args == NULL) {
        c->inputs++; /* clang takes an unreadable @x for a file name */
    } else {
        classify_args(c, rsp_split(text, args), args, depth + 1);
    }
    free(args);
    free(text);
}

static void classify_one(struct classify *c, const char *arg, int depth)
{
    if (c->skip_next) {
        c->skip_next = false;
    } else if (arg[0] == '@') {
        classify_rsp(c, arg, depth);
    } else if (arg[0] != '-' || arg[1] == '\0') {
        c->inputs++;
    } else if (in_list(arg, stop_before_link)) {
        c->no_link = true;
    } else if (in_list(arg, not_an_executable)) {
        c->shared = true;
    } else if (in_list(arg, value_next)) {
        c->skip_next = true;
    }
}

static void classify_args(struct classify *c, int argc, char *const argv[],
                          int depth)
{
    for (int i = 0; i < argc; i++)
        if (argv[i] != NULL)
            classify_one(c, argv[i], depth);
}

enum pmcc_action pmcc_classify(int argc, char *const argv[])
{
    struct classify c = {0};
    classify_args(&c, argc, argv, 0);
    if (c.inputs == 0)
        return PMCC_QUERY;
    if (c.no_link)
        return PMCC_COMPILE;
    return c.shared ? PMCC_LINK_SHARED : PMCC_LINK_EXE;
}
