/*
 * crash_options.c - parsing the options of `pmcheck crash` (crash_cli.h).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "crash_cli.h"
#include "db.h"

static void crash_usage(FILE *out)
{
    fputs("usage: pmcheck crash [OPTIONS] TRACE --recover CMD\n"
          "       pmcheck crash [OPTIONS] TRACE --replay STATE -o FILE\n\n"
          "Rebuilds the crash states the trace allows and runs the recovery "
          "command on\neach; a state it fails on is a crash-recovery-failed "
          "finding. Results go to\nthe results database; the report is made "
          "from it. A recovery built with pmcc\nmay take many states in one "
          "process: PMT_RECOVERY_NEXT in <pmtrace.h>.\n\n"
          "  -r, --recover CMD       the recovery; {image} is replaced by the "
          "crash image,\n"
          "                          {image:NAME} by the image of the pool "
          "file NAME\n"
          "  -s, --strategy NAME     lines (default: each line all or "
          "nothing), exhaustive,\n"
          "                          random\n"
          "      --max-states N      distinct states at most (default "
          "100000)\n"
          "      --max-per-point N   lines and random: states per crash point "
          "(default 64\n"
          "                          and 16)\n"
          "      --time-limit S      stop exploring after S seconds\n"
          "      --seed N            seed of the random strategy (default 0)\n"
          "      --torn              also states where a store wider than 8 "
          "bytes or\n"
          "                          unaligned persists only in part\n"
          "      --media-errors N    N more runs of the final state, each "
          "with a line of\n"
          "                          the first image poisoned\n"
          "      --fail-alloc N      each crash point's full state once more, "
          "with the\n"
          "                          recovery's Nth PMDK allocation failing\n"
          "      --loads             trace the recovery's loads: reading bytes "
          "whose last\n"
          "                          store was not persistent at the crash, "
          "before writing\n"
          "                          them, is a cross-failure-read finding "
          "(in-flight-read\n"
          "                          for a value in flight whose every crash "
          "state a\n"
          "                          sequential crash leaves; the recovery "
          "must be built\n"
          "                          with pmcc)\n"
          "  -j, --jobs N            recoveries at once (default: the cores)\n"
          "      --shard I/N         run only this shard's states (0 <= I < "
          "N); join the\n"
          "                          databases with 'pmcheck merge'\n"
          "      --run-timeout S     a recovery running longer hangs "
          "(default 10)\n"
          "      --replay STATE      write the image of STATE to -o FILE "
          "(with the options\n"
          "                          of the run that named it) and exit\n"
          "  -m, --model MODEL       adr (default) or eadr\n"
          "      --db FILE           results database (default: pmcheck.db)\n"
          "  -f, --format FORMAT     text (default), json, sarif, junit or "
          "html\n"
          "  -o, --output FILE       the report (default: standard output); "
          "the image with\n"
          "                          --replay\n"
          "      --fail-on LEVEL     error (default), warning or never\n"
          "  -q, --quiet             no progress line on a terminal\n"
          "  -h, --help              this help\n\n"
          "Exit status: 0 no finding at or above --fail-on, 1 findings, 2 "
          "usage or input\nerror.\n",
          out);
}

static int parse_u64(const char *opt, const char *s, uint64_t min,
                     uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min) {
        cli_error("--%s wants a whole number of at least %" PRIu64 ", not '%s'",
                  opt, min, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_u32(const char *opt, const char *s, uint64_t min,
                     uint32_t *out)
{
    uint64_t v;
    if (parse_u64(opt, s, min, &v) != 0)
        return -1;
    if (v > UINT32_MAX) {
        cli_error("--%s: %s is too large", opt, s);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int parse_seconds(const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v > 0)) {
        cli_error("--%s wants a number of seconds above 0, not '%s'", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_shard(const char *s, struct pmc_crash_options *c)
{
    unsigned long long i, n;
    int used = 0;
    if (sscanf(s, "%llu/%llu%n", &i, &n, &used) != 2 || s[used] != '\0' ||
        n == 0 || i >= n || n > UINT32_MAX) {
        cli_error("--shard wants I/N with 0 <= I < N, not '%s'", s);
        return -1;
    }
    c->shard_index = (uint32_t)i;
    c->shard_count = (uint32_t)n;
    return 0;
}

/* What decides the states, as options a user can type again. */
static int describe(struct crash_cli *o)
{
    const struct pmc_crash_options *c = &o->crash;
    char *opts = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&opts, &size);
    if (f == NULL)
        return -1;
    fprintf(f, "--model %s --strategy %s", o->model_name,
            pmc_strategy_name(c->strategy));
    if (c->strategy == PMC_STRATEGY_RANDOM)
        fprintf(f, " --seed %" PRIu64, c->seed);
    if (c->max_per_point != 0 && c->strategy != PMC_STRATEGY_EXHAUSTIVE)
        fprintf(f, " --max-per-point %" PRIu64, c->max_per_point);
    if (c->torn)
        fputs(" --torn", f);
    fclose(f);
    o->replay_options = opts;
    if (asprintf(&o->config,
                 "%s --max-states %" PRIu64 " --fail-alloc %" PRIu32
                 " --media-errors %" PRIu32 "%s --recover %s",
                 opts, c->max_states, c->fail_alloc, c->media_errors,
                 c->loads ? " --loads" : "",
                 c->recover ? c->recover : "") < 0) {
        o->config = NULL;
        return -1;
    }
    return 0;
}

static int parse_model(struct crash_cli *o, const char *name)
{
    o->model_name = name;
    if (strcmp(name, "adr") == 0)
        o->crash.persistency = PMC_PERSIST_ADR;
    else if (strcmp(name, "eadr") == 0)
        o->crash.persistency = PMC_PERSIST_EADR;
    else
        return -1;
    return 0;
}

enum {
    OPT_MAX_STATES = 256,
    OPT_MAX_PER_POINT,
    OPT_TIME_LIMIT,
    OPT_SEED,
    OPT_TORN,
    OPT_MEDIA_ERRORS,
    OPT_FAIL_ALLOC,
    OPT_LOADS,
    OPT_SHARD,
    OPT_RUN_TIMEOUT,
    OPT_REPLAY,
    OPT_DB,
    OPT_FAIL_ON,
};

static const struct option options[] = {
    {"recover", required_argument, NULL, 'r'},
    {"strategy", required_argument, NULL, 's'},
    {"max-states", required_argument, NULL, OPT_MAX_STATES},
    {"max-per-point", required_argument, NULL, OPT_MAX_PER_POINT},
    {"time-limit", required_argument, NULL, OPT_TIME_LIMIT},
    {"seed", required_argument, NULL, OPT_SEED},
    {"torn", no_argument, NULL, OPT_TORN},
    {"media-errors", required_argument, NULL, OPT_MEDIA_ERRORS},
    {"fail-alloc", required_argument, NULL, OPT_FAIL_ALLOC},
    {"loads", no_argument, NULL, OPT_LOADS},
    {"jobs", required_argument, NULL, 'j'},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"run-timeout", required_argument, NULL, OPT_RUN_TIMEOUT},
    {"replay", required_argument, NULL, OPT_REPLAY},
    {"model", required_argument, NULL, 'm'},
    {"db", required_argument, NULL, OPT_DB},
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* One option; 0 on, 1 --help, -1 a usage error (printed). */
static int parse_one(struct crash_cli *o, int opt, const char *arg)
{
    struct pmc_crash_options *c = &o->crash;
    uint32_t jobs;
    switch (opt) {
    case 'r':
        c->recover = arg;
        return 0;
    case 's':
        if (pmc_strategy_parse(arg, &c->strategy) == 0)
            return 0;
        cli_error("unknown strategy '%s' (lines, exhaustive or random)", arg);
        return -1;
    case OPT_MAX_STATES:
        return parse_u64("max-states", arg, 1, &c->max_states);
    case OPT_MAX_PER_POINT:
        return parse_u64("max-per-point", arg, 1, &c->max_per_point);
    case OPT_TIME_LIMIT:
        return parse_seconds("time-limit", arg, &c->time_limit);
    case OPT_SEED:
        return parse_u64("seed", arg, 0, &c->seed);
    case OPT_TORN:
        c->torn = true;
        return 0;
    case OPT_MEDIA_ERRORS:
        return parse_u32("media-errors", arg, 1, &c->media_errors);
    case OPT_FAIL_ALLOC:
        return parse_u32("fail-alloc", arg, 1, &c->fail_alloc);
    case OPT_LOADS:
        c->loads = true;
        return 0;
    case 'j':
        if (parse_u32("jobs", arg, 1, &jobs) != 0)
            return -1;
        c->jobs = jobs;
        return 0;
    case OPT_SHARD:
        return parse_shard(arg, c);
    case OPT_RUN_TIMEOUT:
        return parse_seconds("run-timeout", arg, &c->run_time_limit);
    case OPT_REPLAY:
        o->replay = arg;
        return 0;
    case 'm':
        if (parse_model(o, arg) == 0)
            return 0;
        cli_error("unknown model '%s' (adr or eadr)", arg);
        return -1;
    case OPT_DB:
        o->db = arg;
        return 0;
    case 'f':
        if (pmc_report_format_parse(arg, &o->format) == 0)
            return 0;
        cli_error("unknown format '%s' (text, json, sarif, junit or html)",
                  arg);
        return -1;
    case 'o':
        o->output = arg;
        return 0;
    case OPT_FAIL_ON:
        if (pmc_fail_on_parse(arg, &o->fail_on) == 0)
            return 0;
        cli_error("unknown --fail-on level '%s' (error, warning or never)",
                  arg);
        return -1;
    case 'q':
        o->quiet = true;
        return 0;
    case 'h':
        crash_usage(stdout);
        return 1;
    default:
        return -1;
    }
}

static unsigned cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

int crash_cli_parse(int argc, char **argv, struct crash_cli *o)
{
    memset(o, 0, sizeof(*o));
    o->model_name = "adr";
    o->db = PMC_DB_DEFAULT_PATH;
    o->format = PMC_REPORT_TEXT;
    o->fail_on = PMC_FAIL_ON_ERROR;
    o->crash.strategy = PMC_STRATEGY_LINES;
    o->crash.jobs = cores();
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "r:s:j:m:f:o:qh", options, NULL)) !=
           -1) {
        int rc = parse_one(o, opt, optarg);
        if (rc != 0)
            return rc;
    }
    if (optind != argc - 1) {
        cli_error(optind >= argc ? "crash needs a trace"
                                 : "crash takes one trace");
        return -1;
    }
    o->trace = argv[optind];
    if (o->replay != NULL && o->output == NULL) {
        cli_error("--replay needs -o FILE, where the image goes");
        return -1;
    }
    if (o->replay == NULL && o->crash.recover == NULL) {
        cli_error("crash needs --recover CMD (or --replay STATE)");
        return -1;
    }
    /* The defaults the explorer would pick, so the record says them. */
    struct pmc_crash_options *c = &o->crash;
    if (c->max_states == 0)
        c->max_states = PMC_CRASH_DEFAULT_MAX_STATES;
    if (c->max_per_point == 0 && c->strategy == PMC_STRATEGY_LINES)
        c->max_per_point = PMC_CRASH_DEFAULT_LINES_PER_POINT;
    if (c->max_per_point == 0 && c->strategy == PMC_STRATEGY_RANDOM)
        c->max_per_point = PMC_CRASH_DEFAULT_RANDOM_PER_POINT;
    if (describe(o) != 0) {
        cli_error("out of memory");
        return -1;
    }
    return 0;
}

void crash_cli_destroy(struct crash_cli *o)
{
    free(o->replay_options);
    free(o->config);
}
