/*
 * crash_replay_cmd.c - `pmcheck crash TRACE --replay STATE -o FILE`: write
 * the image of one crash state so the recovery can be debugged on it, and
 * say how to run it as pmcheck did.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"
#include "crash_cli.h"

int crash_replay_command(const struct crash_cli *o, struct pmc_trace *t)
{
    struct pmc_crash_replay_info info;
    struct pmc_error err;
    if (pmc_crash_replay(t, &o->crash, o->replay, o->output, &info, &err) !=
        0) {
        cli_print_error(&err);
        return PMC_EXIT_USAGE;
    }
    const struct pmc_site *site = pmc_trace_site(t, info.crash_site);
    char where[512] = "the end of the trace";
    if (site != NULL && site->file[0] != '\0')
        snprintf(where, sizeof(where), "%s:%" PRIu32, site->file, site->line);
    printf("pmcheck: wrote %s%s: crash state %s at crash point %" PRIu64
           " (%s), image hash %016" PRIx64 ", %" PRIu64 " store%s left out\n",
           o->output, info.nimages > 1 ? "/ (one file per image)" : "",
           o->replay, info.point, where, info.image_hash, info.left_out,
           info.left_out == 1 ? "" : "s");
    printf("pmcheck: the recovery ran with PMCHECK_STATE=%s "
           "PMCHECK_CRASH_SITE=%s PMCHECK_MARKERS='%s'\n",
           o->replay, site != NULL ? where : "", info.markers);
    if (info.faults[0] != '\0')
        printf("pmcheck: the state's run also injected a fault: %s\n",
               info.faults);
    return PMC_EXIT_OK;
}
