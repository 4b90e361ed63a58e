/*
 * cmd_merge.c - `pmcheck merge OUT IN...`: join results databases, e.g.
 * the shards of one crash exploration run on several machines (db.h,
 * pmc_db_merge). OUT is created when it does not exist.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"
#include "db.h"

static void merge_usage(FILE *out)
{
    fputs("usage: pmcheck merge [OPTIONS] OUT IN...\n\n"
          "Merges the results databases IN... into OUT (created if "
          "needed): runs, traces,\nfindings and crash states, each once. "
          "Crash runs that are shards of one\nexploration (pmcheck crash "
          "--shard I/N with the same trace and options)\nbecome one run, "
          "as if it had not been split.\n\n"
          "  -q, --quiet   say nothing on success\n"
          "  -h, --help    this help\n\n"
          "Exit status: 0 merged, 2 usage or input error (OUT is left as "
          "it was before the\ndatabase that failed).\n",
          out);
}

int cmd_merge(int argc, char **argv)
{
    static const struct option options[] = {
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool quiet = false;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "qh", options, NULL)) != -1) {
        switch (opt) {
        case 'q':
            quiet = true;
            break;
        case 'h':
            merge_usage(stdout);
            return PMC_EXIT_OK;
        default:
            return cli_usage_error("merge");
        }
    }
    if (argc - optind < 2) {
        cli_error("merge needs an output database and at least one input");
        return cli_usage_error("merge");
    }
    struct pmc_db *db;
    struct pmc_error err;
    if (pmc_db_open(argv[optind], &db, &err) != 0) {
        cli_print_error(&err);
        return PMC_EXIT_USAGE;
    }
    int code = PMC_EXIT_OK;
    for (int i = optind + 1; i < argc; i++) {
        struct pmc_db_merge_stats st;
        if (pmc_db_merge(db, argv[i], &st, &err) != 0) {
            cli_print_error(&err);
            code = PMC_EXIT_USAGE;
            break;
        }
        if (!quiet)
            printf("pmcheck: merged %s: %" PRIu64 " runs, %" PRIu64
                   " joined to a run of the same exploration, %" PRIu64
                   " crash states, %" PRIu64 " findings (%" PRIu64
                   " already there)\n",
                   argv[i], st.runs, st.shards, st.states, st.findings,
                   st.duplicates);
    }
    pmc_db_close(db);
    return code;
}
