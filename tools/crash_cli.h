/*
 * crash_cli.h - the options of `pmcheck crash` (crash_options.c) and its
 * --replay mode (crash_replay_cmd.c), shared with cmd_crash.c.
 */
#ifndef PMC_CRASH_CLI_H
#define PMC_CRASH_CLI_H

#include <stdbool.h>

#include "crash.h"
#include "gate.h"
#include "report.h"

struct crash_cli {
    struct pmc_crash_options crash;
    const char *trace;
    const char *model_name;
    const char *db;
    enum pmc_report_format format;
    const char *output; /* the report, or the image with --replay */
    enum pmc_fail_on fail_on;
    const char *replay; /* a state id: write its image instead */
    bool quiet;         /* no progress line */
    /* The options that decide what the states are, as the user would
     * type them ("--model adr --strategy lines --max-per-point 64"), and
     * with the rest of what decides which states are explored. */
    char *replay_options;
    char *config;
};

/* 0: parsed; 1: --help given; -1: usage error (printed). */
int crash_cli_parse(int argc, char **argv, struct crash_cli *o);
void crash_cli_destroy(struct crash_cli *o);

/* --replay: write the state's image to o->output; the exit status. */
int crash_replay_command(const struct crash_cli *o, struct pmc_trace *t);

#endif /* PMC_CRASH_CLI_H */
