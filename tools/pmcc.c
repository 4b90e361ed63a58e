/*
 * pmcc.c - a drop-in for cc that builds programs for pmcheck.
 *
 * pmcc (pmc++ for C++) runs the clang that matches the LLVM the pass plugin
 * was built for, with the user's arguments and:
 *   - for every command that has an input file:
 *     -fpass-plugin=<plugin> -D__PMTRACE__=1 -I<dir of pmtrace.h>
 *     (clang ignores them, without a warning, in a link of objects only);
 *   - for a link of an executable, the trace runtime (runtime_link_flags).
 * A link with -shared or -r does not get the runtime: an instrumented
 * shared library or partial object records through the runtime of the
 * executable that loads it, which must be built with pmcc, and linking the
 * runtime twice would give one process two trace writers.
 * Commands without an input file (--version, -print-*, -Wl,--version, the
 * probes of meson and cmake) run as plain clang would.
 *
 * Environment: PMCC_CC (PMCC_CXX for pmc++) names another compiler;
 * PMCC_VERBOSE=1 prints the command before running it; PMCHECK_PLUGIN and
 * PMCHECK_RUNTIME override the plugin and the runtime (paths.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "pmcc_args.h"

#define PMCC_EXTRA_ARGS 16 /* room for what pmcc adds to the command */

static bool is_cxx_driver(const char *argv0)
{
    const char *base = strrchr(argv0, '/');
    base = base != NULL ? base + 1 : argv0;
    size_t n = strlen(base);
    return n >= 2 && strcmp(base + n - 2, "++") == 0;
}

static const char *compiler_for(bool cxx)
{
    const char *env = getenv(cxx ? "PMCC_CXX" : "PMCC_CC");
    return env != NULL && env[0] != '\0' ? env : pmc_paths_clang(cxx);
}

static bool want_file(const char *what, const char *path, const char *env)
{
    if (access(path, R_OK) == 0)
        return true;
    fprintf(stderr, "pmcc: error: %s %s: %s (build pmcheck, or set %s)\n", what,
            path, strerror(errno), env);
    return false;
}

/*
 * The link flags that put the runtime into an executable: the one place
 * that knows them. --whole-archive because the runtime's constructor and
 * the functions it interposes are referenced by no instrumented code;
 * --dynamic-list exports the libpmem functions it interposes, so that
 * libraries (libpmemobj) call them (dynlist_arg holds the flag).
 */
static int runtime_link_flags(const char **out, const struct pmc_paths *paths,
                              const char *dynlist_arg)
{
    int n = 0;
    out[n++] = "-Wl,--whole-archive";
    out[n++] = paths->runtime;
    out[n++] = "-Wl,--no-whole-archive";
    out[n++] = dynlist_arg;
    out[n++] = "-lpthread";
    out[n++] = "-ldl";
    return n;
}

static void print_command(const char *const *args)
{
    fputs("pmcc:", stderr);
    for (; *args != NULL; args++) {
        bool plain = strpbrk(*args, " \t\n'\"\\$`*?;&|<>()") == NULL;
        fprintf(stderr, plain && (*args)[0] ? " %s" : " '%s'", *args);
    }
    fputc('\n', stderr);
}

int main(int argc, char **argv)
{
    bool cxx = is_cxx_driver(argv[0]);
    struct pmc_paths paths;
    pmc_paths_find(&paths);
    enum pmcc_action action = pmcc_classify(argc - 1, argv + 1);

    const char **args = calloc((size_t)argc + PMCC_EXTRA_ARGS, sizeof(*args));
    char *plugin_arg = NULL, *include_arg = NULL, *dynlist_arg = NULL;
    if (args == NULL ||
        asprintf(&plugin_arg, "-fpass-plugin=%s", paths.plugin) < 0 ||
        asprintf(&include_arg, "-I%s", paths.include_dir) < 0 ||
        asprintf(&dynlist_arg, "-Wl,--dynamic-list=%s", paths.dynlist) < 0) {
        fputs("pmcc: error: out of memory\n", stderr);
        goto fail;
    }
    int n = 0;
    args[n++] = compiler_for(cxx);
    if (action != PMCC_QUERY) {
        if (!want_file("pass plugin", paths.plugin, "PMCHECK_PLUGIN"))
            goto fail;
        args[n++] = plugin_arg;
        args[n++] = "-D__PMTRACE__=1";
        args[n++] = include_arg;
    }
    for (int i = 1; i < argc; i++)
        args[n++] = argv[i];
    if (action == PMCC_LINK_EXE) {
        if (!want_file("trace runtime", paths.runtime, "PMCHECK_RUNTIME") ||
            !want_file("runtime dynamic list", paths.dynlist,
                       "PMCHECK_RUNTIME"))
            goto fail;
        n += runtime_link_flags(args + n, &paths, dynlist_arg);
    }
    args[n] = NULL;

    const char *verbose = getenv("PMCC_VERBOSE");
    if (verbose != NULL && strcmp(verbose, "1") == 0)
        print_command(args);
    execvp(args[0], (char *const *)args);
    fprintf(stderr, "pmcc: error: cannot run %s: %s\n", args[0],
            strerror(errno));
fail:
    /* Freed, so a sanitized build's leak check passes the error paths. */
    free(args);
    free(plugin_arg);
    free(include_arg);
    free(dynlist_arg);
    return 1;
}
