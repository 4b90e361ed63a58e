/*
 * cli.h - what pmcheck's commands share.
 *
 * Every command is a function `int cmd_NAME(int argc, char **argv)` in its
 * own cmd_NAME.c, listed in the table of pmcheck.c; argv[0] is the command
 * name and the function returns the process exit status. Commands parse
 * their options with getopt_long (set optind = 0 first), answer --help on
 * stdout, and print errors only through cli_error().
 */
#ifndef PMC_CLI_H
#define PMC_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Exit statuses (DESIGN.md section 1). */
#define PMC_EXIT_OK 0
#define PMC_EXIT_FINDINGS 1
#define PMC_EXIT_USAGE 2 /* usage or input error */

/* "pmcheck: error: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_print_error(const struct pmc_error *err);

/* "Try 'pmcheck CMD --help'." after a usage error; returns PMC_EXIT_USAGE. */
int cli_usage_error(const char *cmd);

/* How a traced program ended, for a message: "exited with status 3",
 * "was killed by signal 9 (SIGKILL)", "ended in an unknown way", "was
 * traced only in part: tracing stopped early (No space left on device)". */
void cli_describe_end(uint32_t end_kind, int32_t end_code, char *buf,
                      size_t size);

/* The commands. */
int cmd_run(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_crash(int argc, char **argv);
int cmd_merge(int argc, char **argv);
/* Reserved commands not written yet: says so, returns PMC_EXIT_USAGE. */
int cmd_not_implemented(int argc, char **argv);

#endif /* PMC_CLI_H */
