/*
 * cmd_baseline.c - `pmcheck baseline`: write the findings of a run as a
 * baseline file, which `pmcheck check --baseline FILE` then accepts, so a
 * CI gate fails only on new findings (baseline.h has the file's format).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "cli.h"
#include "db.h"
#include "report_output.h"

struct baseline_options {
    const char *db;
    const char *run;
    const char *output;
};

static void baseline_usage(FILE *out)
{
    fputs("usage: pmcheck baseline [--db FILE] [--run ID|latest] -o FILE\n\n"
          "Writes the findings of a run as a baseline: 'pmcheck check "
          "--baseline FILE'\n"
          "then fails only on findings the baseline does not hold. Findings "
          "match by\n"
          "fingerprint (rule, file, function and source line), so code that "
          "moves keeps\nits findings accepted.\n\n"
          "      --db FILE        results database (default: pmcheck.db)\n"
          "  -r, --run ID|latest  the run (default: latest, the newest "
          "finished run)\n"
          "  -o, --output FILE    the baseline file ('-': standard output)\n"
          "  -h, --help           this help\n\n"
          "Exit status: 0 baseline written, 2 usage or input error.\n",
          out);
}

/* 0: parsed; 1: --help given; -1: usage error (printed). */
static int baseline_parse(int argc, char **argv, struct baseline_options *o)
{
    enum { OPT_DB = 256 };
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"run", required_argument, NULL, 'r'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "r:o:h", options, NULL)) != -1) {
        if (opt == OPT_DB) {
            o->db = optarg;
        } else if (opt == 'r') {
            o->run = optarg;
        } else if (opt == 'o') {
            o->output = optarg;
        } else if (opt == 'h') {
            baseline_usage(stdout);
            return 1;
        } else {
            return -1;
        }
    }
    if (optind < argc) {
        cli_error("baseline takes no argument ('%s' given)", argv[optind]);
        return -1;
    }
    if (o->output == NULL) {
        cli_error("baseline needs -o FILE");
        return -1;
    }
    return 0;
}

static int baseline_run(struct pmc_db *db, const struct baseline_options *o)
{
    struct pmc_error err;
    int64_t run;
    if (pmc_db_run_find(db, o->run, &run, &err) != 0) {
        cli_print_error(&err);
        return PMC_EXIT_USAGE;
    }
    struct report_output out;
    if (report_output_open(&out, o->output, &err) != 0) {
        cli_print_error(&err);
        return PMC_EXIT_USAGE;
    }
    bool ok = pmc_baseline_write(db, run, out.stream, &err) == 0;
    if (!ok)
        cli_print_error(&err);
    if (report_output_close(&out, ok, &err) != 0) {
        cli_print_error(&err);
        ok = false;
    }
    return ok ? PMC_EXIT_OK : PMC_EXIT_USAGE;
}

int cmd_baseline(int argc, char **argv)
{
    struct baseline_options o = {.db = PMC_DB_DEFAULT_PATH, .run = "latest"};
    int rc = baseline_parse(argc, argv, &o);
    if (rc != 0)
        return rc > 0 ? PMC_EXIT_OK : cli_usage_error("baseline");
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
    rc = baseline_run(db, &o);
    pmc_db_close(db);
    return rc;
}
