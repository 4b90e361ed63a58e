/*
 * cmd_check.c - `pmcheck check`: replay traces through the persistency
 * model, store the findings in the results database, print the report
 * from the database, and exit as the CI gate says.
 *
 * One run per invocation. Each trace is opened, checked and its findings
 * stored in turn; a trace that cannot be opened or is damaged is an input
 * error (exit 2) but never costs a result: what was found before the
 * damage is stored, and the other traces are still checked. The report is
 * made from the database (report.h), exactly as `pmcheck report` would
 * make it later.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "check.h"
#include "cli.h"
#include "db.h"
#include "gate.h"
#include "pmcheck_config.h"
#include "report.h"
#include "report_output.h"

struct check_options {
    const char *model_name;
    struct pmc_check_options check;
    const char *db;
    enum pmc_report_format format;
    const char *output;
    const char *baseline;
    enum pmc_fail_on fail_on;
    char **traces;
    int ntraces;
};

/* How the traces went, for the run's status and exit code. */
struct check_outcome {
    bool input_error; /* a trace missing, unreadable or damaged */
    bool failed;      /* the database failed: stop */
};

static void check_usage(FILE *out)
{
    fputs("usage: pmcheck check [OPTIONS] TRACE...\n\n"
          "Replays each trace through the persistency model and reports "
          "the rules it breaks.\nResults go to the results database; the "
          "report is made from it.\n\n"
          "  -m, --model MODEL     adr (default: caches are volatile) or "
          "eadr (caches are\n"
          "                        persistent)\n"
          "      --db FILE         results database (default: pmcheck.db)\n"
          "  -f, --format FORMAT   text (default), json, sarif, junit or "
          "html\n"
          "  -o, --output FILE     write the report to FILE (default: "
          "standard output)\n"
          "      --baseline FILE   accept the findings of FILE (written by "
          "'pmcheck baseline');\n"
          "                        only new findings fail\n"
          "      --fail-on LEVEL   error (default), warning or never: the "
          "least severity\n"
          "                        that fails the check\n"
          "  -h, --help            this help\n\n"
          "Exit status: 0 no finding at or above --fail-on, 1 findings, 2 "
          "usage or input\nerror (a trace missing or damaged: what was read "
          "is still checked and stored).\n",
          out);
}

static int parse_model(struct check_options *o, const char *name)
{
    o->model_name = name;
    if (strcmp(name, "adr") == 0)
        o->check.persistency = PMC_PERSIST_ADR;
    else if (strcmp(name, "eadr") == 0)
        o->check.persistency = PMC_PERSIST_EADR;
    else
        return -1;
    return 0;
}

/* 0: parsed; 1: --help given; -1: usage error (printed). */
static int check_parse(int argc, char **argv, struct check_options *o)
{
    enum { OPT_DB = 256, OPT_BASELINE, OPT_FAIL_ON };
    static const struct option options[] = {
        {"model", required_argument, NULL, 'm'},
        {"db", required_argument, NULL, OPT_DB},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"baseline", required_argument, NULL, OPT_BASELINE},
        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "m:f:o:h", options, NULL)) != -1) {
        switch (opt) {
        case 'm':
            if (parse_model(o, optarg) < 0) {
                cli_error("unknown model '%s' (adr or eadr)", optarg);
                return -1;
            }
            break;
        case OPT_DB:
            o->db = optarg;
            break;
        case 'f':
            if (pmc_report_format_parse(optarg, &o->format) < 0) {
                cli_error("unknown format '%s' (text, json, sarif, junit or "
                          "html)",
                          optarg);
                return -1;
            }
            break;
        case 'o':
            o->output = optarg;
            break;
        case OPT_BASELINE:
            o->baseline = optarg;
            break;
        case OPT_FAIL_ON:
            if (pmc_fail_on_parse(optarg, &o->fail_on) < 0) {
                cli_error("unknown --fail-on level '%s' (error, warning or "
                          "never)",
                          optarg);
                return -1;
            }
            break;
        case 'h':
            check_usage(stdout);
            return 1;
        default:
            return -1;
        }
    }
    if (optind >= argc) {
        cli_error("check needs at least one trace");
        return -1;
    }
    o->traces = argv + optind;
    o->ntraces = argc - optind;
    return 0;
}

/* "pmcheck check a.pmt --fail-on warning", for the run's record. */
static char *command_line(int argc, char **argv)
{
    char *line = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&line, &size);
    if (out == NULL)
        return NULL;
    fputs("pmcheck", out);
    for (int i = 0; i < argc; i++)
        fprintf(out, " %s", argv[i]);
    fclose(out);
    return line;
}

/* Tell the user what a trace's results rest on when the report (not
 * text) will not say it where they look. */
static void print_check_notes(const struct check_options *o, const char *path,
                              const struct pmc_check_stats *stats)
{
    if (o->format == PMC_REPORT_TEXT && o->output == NULL)
        return; /* the text report prints them */
    for (unsigned i = 0; i < stats->nnotes; i++)
        fprintf(stderr, "pmcheck: note: %s: %s\n", path, stats->notes[i]);
}

static void check_trace(struct pmc_db *db, int64_t run,
                        const struct check_options *o, const char *path,
                        struct check_outcome *out)
{
    struct pmc_error err;
    struct pmc_trace *t;
    if (pmc_trace_open(path, &t, &err) != 0) {
        cli_print_error(&err);
        out->input_error = true;
        return;
    }
    struct pmc_findings *set = pmc_findings_new();
    if (set == NULL) {
        cli_error("%s: out of memory", path);
        out->failed = true;
        pmc_trace_close(t);
        return;
    }
    struct pmc_check_stats stats;
    memset(&stats, 0, sizeof(stats));
    struct pmc_error damage;
    bool damaged = pmc_check_trace(t, &o->check, set, &stats, &damage) != 0;
    if (damaged) {
        cli_print_error(&damage);
        out->input_error = true;
    }
    /* Stored even when damaged: a checker never loses a result. */
    if (pmc_db_store_findings(db, run, t, &stats, damaged ? damage.msg : NULL,
                              set, &err) != 0) {
        cli_print_error(&err);
        out->failed = true;
    } else {
        print_check_notes(o, path, &stats);
    }
    pmc_findings_free(set);
    pmc_trace_close(t);
}

/* Exit code from the outcome and the gate; the run's record agrees. */
static int finish_run(struct pmc_db *db, int64_t run,
                      const struct check_options *o,
                      const struct check_outcome *out)
{
    struct pmc_error err;
    int64_t failing = 0;
    bool failed =
        out->failed || pmc_gate_count(db, run, o->fail_on, &failing, &err) != 0;
    if (failed && !out->failed)
        cli_print_error(&err);
    int code = failed || out->input_error ? PMC_EXIT_USAGE
               : failing > 0              ? PMC_EXIT_FINDINGS
                                          : PMC_EXIT_OK;
    enum pmc_run_status status = failed             ? PMC_RUN_FAILED
                                 : out->input_error ? PMC_RUN_INPUT_ERROR
                                                    : PMC_RUN_COMPLETE;
    if (pmc_db_run_end(db, run, status, code, &err) != 0) {
        cli_print_error(&err);
        return PMC_EXIT_USAGE;
    }
    if (failed)
        return code;
    if (report_output_write_run(db, run, o->format, o->output) != 0) {
        pmc_db_run_end(db, run, PMC_RUN_FAILED, PMC_EXIT_USAGE, &err);
        return PMC_EXIT_USAGE;
    }
    return code;
}

static int check_run(struct pmc_db *db, int argc, char **argv,
                     const struct check_options *o)
{
    struct pmc_error err;
    char *line = command_line(argc, argv);
    struct pmc_run_info info = {
        .kind = PMC_RUN_CHECK,
        .model = o->model_name,
        .command_line = line,
        .version = PMC_VERSION,
    };
    int64_t run;
    int rc = pmc_db_run_begin(db, &info, &run, &err);
    free(line);
    if (rc != 0) {
        cli_print_error(&err);
        return PMC_EXIT_USAGE;
    }
    if (o->baseline != NULL &&
        pmc_baseline_apply(db, run, o->baseline, &err) != 0) {
        cli_print_error(&err);
        pmc_db_run_end(db, run, PMC_RUN_INPUT_ERROR, PMC_EXIT_USAGE, &err);
        return PMC_EXIT_USAGE;
    }
    struct check_outcome out = {0};
    for (int i = 0; i < o->ntraces && !out.failed; i++)
        check_trace(db, run, o, o->traces[i], &out);
    return finish_run(db, run, o, &out);
}

int cmd_check(int argc, char **argv)
{
    struct check_options o = {
        .model_name = "adr",
        .db = PMC_DB_DEFAULT_PATH,
        .format = PMC_REPORT_TEXT,
        .fail_on = PMC_FAIL_ON_ERROR,
    };
    int rc = check_parse(argc, argv, &o);
    if (rc != 0)
        return rc > 0 ? PMC_EXIT_OK : cli_usage_error("check");
    struct pmc_db *db;
    struct pmc_error err;
    if (pmc_db_open(o.db, &db, &err) != 0) {
        cli_print_error(&err);
        return PMC_EXIT_USAGE;
    }
    rc = check_run(db, argc, argv, &o);
    pmc_db_close(db);
    return rc;
}
