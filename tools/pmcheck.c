/*
 * pmcheck.c - the pmcheck command line: global options and the table of
 * commands. Each command lives in its own cmd_NAME.c (see cli.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "paths.h"
#include "pmcheck_config.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

/* Reserved commands point at cmd_not_implemented until they are written. */
static const struct command commands[] = {
    {"run", cmd_run, "run a program built with pmcc, writing its trace"},
    {"check", cmd_check,
     "find durability, ordering and transaction bugs in traces"},
    {"crash", cmd_crash,
     "rebuild crash states and run a recovery command on each"},
    {"report", cmd_report,
     "report findings from the results "
     "database"},
    {"baseline", cmd_baseline,
     "record current findings as known, to report only new ones"},
    {"merge", cmd_merge, "merge results databases"},
    {"dump", cmd_dump, "print every record of a trace"},
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
    fputs("usage: pmcheck [--help] [--version] [--plugin-path] COMMAND "
          "[ARGS]\n\n"
          "Finds crash-consistency bugs in programs that use persistent "
          "memory.\n"
          "Build the program with pmcc, run it under 'pmcheck run', then "
          "check the trace.\n\ncommands:\n",
          out);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("\n'pmcheck COMMAND --help' describes a command.\n"
          "Exit status: 0 ok, 1 findings, 2 usage or input error.\n",
          out);
}

static const struct command *command_find(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int print_plugin_path(void)
{
    struct pmc_paths paths;
    pmc_paths_find(&paths);
    printf("%s\n", paths.plugin);
    return PMC_EXIT_OK;
}

int main(int argc, char **argv)
{
    enum { OPT_PLUGIN_PATH = 256 };
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"plugin-path", no_argument, NULL, OPT_PLUGIN_PATH},
        {NULL, 0, NULL, 0},
    };
    int opt;
    /* '+': stop at the command name; its options are its own. */
    while ((opt = getopt_long(argc, argv, "+hV", options, NULL)) != -1) {
        switch (opt) {
        case 'h':
            usage(stdout);
            return PMC_EXIT_OK;
        case 'V':
            printf("pmcheck %s (LLVM %s)\n", PMC_VERSION, PMC_LLVM_VERSION);
            return PMC_EXIT_OK;
        case OPT_PLUGIN_PATH:
            return print_plugin_path();
        default:
            return cli_usage_error(NULL);
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return PMC_EXIT_USAGE;
    }
    const struct command *cmd = command_find(argv[optind]);
    if (cmd == NULL) {
        cli_error("unknown command '%s'", argv[optind]);
        return cli_usage_error(NULL);
    }
    return cmd->run(argc - optind, argv + optind);
}
