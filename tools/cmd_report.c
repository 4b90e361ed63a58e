/*
 * cmd_report.c - `pmcheck report`: the report of a run, from the results
 * database, in any format. The same run reported twice gives the same
 * report (findings stored since under the same traces and model aside:
 * a run shows its traces' current findings, see db.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "db.h"
#include "report.h"
#include "report_output.h"

struct report_options {
    const char *db;
    const char *run;
    enum pmc_report_format format;
    const char *output;
};

static void report_usage(FILE *out)
{
    fputs("usage: pmcheck report [--db FILE] [--run ID|latest] [--format "
          "FORMAT] [-o FILE]\n\n"
          "Writes the report of a run of 'pmcheck check' from the results "
          "database.\n\n"
          "      --db FILE        results database (default: pmcheck.db)\n"
          "  -r, --run ID|latest  the run (default: latest, the newest "
          "finished run)\n"
          "  -f, --format FORMAT  text (default), json, sarif, junit or "
          "html\n"
          "  -o, --output FILE    write the report to FILE (default: "
          "standard output)\n"
          "  -h, --help           this help\n\n"
          "Exit status: 0 report written, 2 usage or input error.\n",
          out);
}

/* 0: parsed; 1: --help given; -1: usage error (printed). */
static int report_parse(int argc, char **argv, struct report_options *o)
{
    enum { OPT_DB = 256 };
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"run", required_argument, NULL, 'r'},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "r:f:o:h", options, NULL)) != -1) {
        if (opt == OPT_DB) {
            o->db = optarg;
        } else if (opt == 'r') {
            o->run = optarg;
        } else if (opt == 'f') {
            if (pmc_report_format_parse(optarg, &o->format) < 0) {
                cli_error("unknown format '%s' (text, json, sarif, junit or "
                          "html)",
                          optarg);
                return -1;
            }
        } else if (opt == 'o') {
            o->output = optarg;
        } else if (opt == 'h') {
            report_usage(stdout);
            return 1;
        } else {
            return -1;
        }
    }
    if (optind < argc) {
        cli_error("report takes no argument ('%s' given)", argv[optind]);
        return -1;
    }
    return 0;
}

static int report_run(struct pmc_db *db, const struct report_options *o)
{
    struct pmc_error err;
    int64_t run;
    if (pmc_db_run_find(db, o->run, &run, &err) != 0) {
        cli_print_error(&err);
        return PMC_EXIT_USAGE;
    }
    return report_output_write_run(db, run, o->format, o->output) == 0
               ? PMC_EXIT_OK
               : PMC_EXIT_USAGE;
}

int cmd_report(int argc, char **argv)
{
    struct report_options o = {
        .db = PMC_DB_DEFAULT_PATH,
        .run = "latest",
        .format = PMC_REPORT_TEXT,
    };
    int rc = report_parse(argc, argv, &o);
    if (rc != 0)
        return rc > 0 ? PMC_EXIT_OK : cli_usage_error("report");
    /* Reading a database that is not there would create an empty one. */
    if (access(o.db, F_OK) != 0) {
        cli_error("%s: no results database (%s; run 'pmcheck check' first)",
                  o.db, strerror(errno));
        return PMC_EXIT_USAGE;
    }
    struct pmc_db *db;
    struct pmc_error err;
    if (pmc_db_open(o.db, &db, &err) != 0) {
        cli_print_error(&err);
        return PMC_EXIT_USAGE;
    }
    rc = report_run(db, &o);
    pmc_db_close(db);
    return rc;
}
