/*
 * cli.c - helpers shared by pmcheck's commands (see cli.h).
 */
#include "cli.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pmtrace_format.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout); /* what was printed so far comes before the error */
    fputs("pmcheck: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_print_error(const struct pmc_error *err)
{
    cli_error("%s", err->msg);
}

int cli_usage_error(const char *cmd)
{
    fprintf(stderr, "Try 'pmcheck%s%s --help'.\n", cmd ? " " : "",
            cmd ? cmd : "");
    return PMC_EXIT_USAGE;
}

void cli_describe_end(uint32_t end_kind, int32_t end_code, char *buf,
                      size_t size)
{
    const char *abbrev = sigabbrev_np(end_code);
    switch (end_kind) {
    case PMT_END_EXIT:
        snprintf(buf, size, "exited with status %d", (int)end_code);
        break;
    case PMT_END_SIGNAL:
        snprintf(buf, size, "was killed by signal %d (SIG%s)", (int)end_code,
                 abbrev != NULL ? abbrev : "?");
        break;
    case PMT_END_STOPPED:
        snprintf(buf, size,
                 "was traced only in part: tracing stopped early "
                 "(%s)",
                 strerror(end_code));
        break;
    default:
        snprintf(buf, size, "ended in an unknown way");
        break;
    }
}

int cmd_not_implemented(int argc, char **argv)
{
    (void)argc;
    cli_error("'%s' is not implemented yet", argv[0]);
    return PMC_EXIT_USAGE;
}
