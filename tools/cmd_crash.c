/*
 * cmd_crash.c - `pmcheck crash`: explore the crash states of a trace with
 * a recovery command (crash.h), record every state and the findings in
 * the results database, print the run's report, exit as the gate says;
 * or, with --replay, write the image of one state for a debugger.
 *
 * States reach the database in batches while the exploration runs, and
 * the findings whenever they change (at most every few seconds), so a run
 * that is interrupted keeps what it found. Progress goes to stderr when it
 * is a terminal.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "crash.h"
#include "crash_cli.h"
#include "db.h"
#include "gate.h"
#include "pmcheck_config.h"
#include "report.h"
#include "report_output.h"

/* States written to the database per transaction, and how often findings
 * are stored again while they change. */
#define ROWS_PER_BATCH 1024u
#define FINDINGS_EVERY_S 2.0
#define PROGRESS_EVERY_S 0.1

struct row {
    char id[PMC_CRASH_STATE_ID_SIZE];
    char duplicate_of[PMC_CRASH_STATE_ID_SIZE];
    char faults[64];
    const char *outcome;
    char *stderr_tail;
    uint64_t ordinal;
    uint32_t crash_site;
    uint64_t image_hash;
    double seconds;
    int code;
    bool has_code;
    bool duplicate;
};

struct session {
    const struct crash_cli *o;
    struct pmc_trace *trace;
    struct pmc_site_pool *sites; /* the recoveries' load sites (--loads) */
    struct pmc_db *db;
    int64_t run;
    struct pmc_db_crash *record;
    struct pmc_findings *findings;
    size_t stored_findings; /* findings count when last stored */
    double findings_at;     /* when last stored */
    struct row rows[ROWS_PER_BATCH];
    size_t nrows;
    bool tty;
    double progress_at;
    bool progress_shown;
    struct timespec start;
};

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) +
           (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* ---- recording ------------------------------------------------------ */

/* A site of the trace, or of a recovery's trace (the load of a
 * cross-failure read). */
static const struct pmc_site *trace_site(const void *ctx, uint32_t id)
{
    const struct session *s = ctx;
    return pmc_site_pool_resolve(s->sites, s->trace, id);
}

static int flush_rows(struct session *s, struct pmc_error *err)
{
    struct pmc_db_crash_state states[ROWS_PER_BATCH];
    for (size_t i = 0; i < s->nrows; i++) {
        const struct row *r = &s->rows[i];
        states[i] = (struct pmc_db_crash_state){
            .state_id = r->id,
            .ordinal = r->ordinal,
            .crash_site = r->crash_site,
            .outcome = r->outcome,
            .code = r->code,
            .has_code = r->has_code,
            .image_hash = r->image_hash,
            .stderr_tail = r->stderr_tail,
            .seconds = r->seconds,
            .duplicate_of = r->duplicate ? r->duplicate_of : NULL,
            .faults = r->faults,
        };
    }
    int rc = pmc_db_crash_add(s->record, states, s->nrows, err);
    for (size_t i = 0; i < s->nrows; i++)
        free(s->rows[i].stderr_tail);
    s->nrows = 0;
    return rc;
}

static void trace_record(struct session *s, const struct pmc_crash_summary *sum,
                         const char *damage, struct pmc_db_trace *out,
                         const char **notes)
{
    const struct pmc_trace_info *info = pmc_trace_info(s->trace);
    unsigned n = 0;
    for (; sum != NULL && n < sum->nnotes; n++)
        notes[n] = sum->notes[n];
    *out = (struct pmc_db_trace){
        .pid = info->pid,
        .start_ns = info->start_ns,
        .cmdline = info->cmdline,
        .path = pmc_trace_path(s->trace),
        .size = info->file_size,
        .end_kind = info->end_kind,
        .end_code = info->end_code,
        .unsealed_tail = info->unsealed_tail,
        .events = sum != NULL ? sum->model.events : 0,
        .damage = damage,
        .notes = notes,
        .nnotes = n,
    };
}

static int store_findings(struct session *s,
                          const struct pmc_crash_summary *sum,
                          const char *damage, struct pmc_error *err)
{
    struct pmc_db_trace t;
    const char *notes[PMC_CRASH_MAX_NOTES];
    trace_record(s, sum, damage, &t, notes);
    s->stored_findings = pmc_findings_count(s->findings);
    s->findings_at = seconds_since(&s->start);
    return pmc_db_store_results(s->db, s->run, &t, trace_site, s, s->findings,
                                err);
}

/* ---- callbacks ------------------------------------------------------ */

static int on_state(void *ctx, const struct pmc_crash_state *st,
                    struct pmc_error *err)
{
    struct session *s = ctx;
    struct row *r = &s->rows[s->nrows++];
    *r = (struct row){
        .ordinal = st->ordinal,
        .crash_site = st->crash_site,
        .image_hash = st->image_hash,
        .duplicate = st->duplicate,
        .seconds = st->duplicate ? -1.0 : st->seconds,
    };
    snprintf(r->id, sizeof(r->id), "%s", st->id);
    snprintf(r->duplicate_of, sizeof(r->duplicate_of), "%s", st->duplicate_of);
    snprintf(r->faults, sizeof(r->faults), "%s", st->faults);
    if (st->duplicate) {
        r->outcome = "duplicate";
    } else {
        r->outcome = pmc_run_outcome_name(st->outcome);
        r->code = st->code;
        r->has_code =
            st->outcome == PMC_RUN_EXIT || st->outcome == PMC_RUN_SIGNAL;
        if (st->stderr_tail != NULL && st->stderr_tail[0] != '\0')
            r->stderr_tail = strdup(st->stderr_tail);
    }
    if (s->nrows == ROWS_PER_BATCH)
        return flush_rows(s, err);
    return 0;
}

static void show_progress(struct session *s, const struct pmc_crash_progress *p)
{
    double rate = p->elapsed > 0 ? (double)p->runs / p->elapsed : 0;
    char eta[48] = "";
    if (p->fraction > 0.01 && p->fraction < 1.0) {
        /* The end of the trace or of the budget, whichever comes first. */
        double left = p->elapsed * (1.0 - p->fraction) / p->fraction;
        if (rate > 0 && p->max_states > p->runs &&
            (double)(p->max_states - p->runs) / rate < left)
            left = (double)(p->max_states - p->runs) / rate;
        snprintf(eta, sizeof(eta), ", ~%.0f s left", left);
    }
    fprintf(stderr,
            "\rpmcheck: crash: %" PRIu64 " states (%" PRIu64 " run, %" PRIu64
            " duplicates) of at most %" PRIu64 ", %.0f runs/s, %" PRIu64
            " failed, %.0f%% of the trace%s\033[K",
            p->states, p->runs, p->duplicates, p->max_states, rate, p->failures,
            p->fraction * 100.0, eta);
    s->progress_shown = true;
}

static void on_progress(void *ctx, const struct pmc_crash_progress *p)
{
    struct session *s = ctx;
    double now = seconds_since(&s->start);
    /* Findings reach the database while the run goes on; a store error is
     * reported when the run ends and stores them again. */
    if (pmc_findings_count(s->findings) != s->stored_findings &&
        now - s->findings_at >= FINDINGS_EVERY_S) {
        struct pmc_error ignored;
        if (flush_rows(s, &ignored) == 0)
            store_findings(s, NULL, NULL, &ignored);
    }
    if (s->tty && now - s->progress_at >= PROGRESS_EVERY_S) {
        s->progress_at = now;
        show_progress(s, p);
    }
}

/* ---- the run -------------------------------------------------------- */

static int finish(struct session *s, bool input_error, bool failed)
{
    struct pmc_error err;
    int64_t failing = 0;
    if (!failed &&
        pmc_gate_count(s->db, s->run, s->o->fail_on, &failing, &err) != 0) {
        cli_print_error(&err);
        failed = true;
    }
    int code = failed || input_error ? PMC_EXIT_USAGE
               : failing > 0         ? PMC_EXIT_FINDINGS
                                     : PMC_EXIT_OK;
    enum pmc_run_status status = failed        ? PMC_RUN_FAILED
                                 : input_error ? PMC_RUN_INPUT_ERROR
                                               : PMC_RUN_COMPLETE;
    if (pmc_db_run_end(s->db, s->run, status, code, &err) != 0) {
        cli_print_error(&err);
        return PMC_EXIT_USAGE;
    }
    if (report_output_write_run(s->db, s->run, s->o->format, s->o->output) !=
        0) {
        pmc_db_run_end(s->db, s->run, PMC_RUN_FAILED, PMC_EXIT_USAGE, &err);
        return PMC_EXIT_USAGE;
    }
    return code;
}

static void totals_of(const struct pmc_crash_summary *sum,
                      struct pmc_db_crash_totals *t)
{
    const struct pmc_crash_progress *p = &sum->totals;
    *t = (struct pmc_db_crash_totals){
        .points = p->points,
        .states = p->states,
        .runs = p->runs,
        .duplicates = p->duplicates,
        .failures = p->failures,
        .skipped = sum->skipped,
        .stopped = sum->stopped,
        .seconds = p->elapsed,
        .fork_server = sum->forks,
    };
}

/* Explore, recording as it goes. Returns the exit status. */
static int explore(struct session *s)
{
    struct pmc_crash_callbacks cb = {
        .state = on_state,
        .progress = on_progress,
        .ctx = s,
    };
    struct pmc_crash_summary sum;
    struct pmc_error err, store_err;
    int rc =
        pmc_crash_explore(s->trace, &s->o->crash, &cb, s->findings, &sum, &err);
    if (s->progress_shown)
        fputs("\r\033[K", stderr);
    if (rc != 0)
        cli_print_error(&err);
    /* Whatever happened, what was found is stored. */
    bool damaged = rc != 0 && sum.totals.points > 0;
    bool failed = false;
    struct pmc_db_crash_totals totals;
    totals_of(&sum, &totals);
    if (flush_rows(s, &store_err) != 0 ||
        store_findings(s, &sum, damaged ? err.msg : NULL, &store_err) != 0 ||
        pmc_db_crash_totals(s->record, &totals, &store_err) != 0) {
        cli_print_error(&store_err);
        failed = true;
    }
    if (sum.stopped != NULL && s->o->format != PMC_REPORT_TEXT)
        fprintf(stderr, "pmcheck: note: the exploration stopped at --%s\n",
                sum.stopped);
    return finish(s, rc != 0, failed);
}

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

static int begin(struct session *s, int argc, char **argv)
{
    struct pmc_error err;
    char *line = command_line(argc, argv);
    struct pmc_run_info info = {
        .kind = PMC_RUN_CRASH,
        .model = s->o->model_name,
        .command_line = line,
        .version = PMC_VERSION,
    };
    int rc = pmc_db_run_begin(s->db, &info, &s->run, &err);
    free(line);
    if (rc != 0) {
        cli_print_error(&err);
        return -1;
    }
    struct pmc_db_trace t;
    const char *notes[PMC_CRASH_MAX_NOTES];
    trace_record(s, NULL, NULL, &t, notes);
    struct pmc_db_crash_config cfg = {
        .recover = s->o->crash.recover,
        .strategy = pmc_strategy_name(s->o->crash.strategy),
        .seed = s->o->crash.seed,
        .options = s->o->replay_options,
        .config = s->o->config,
        .shard = s->o->crash.shard_index,
        .shards = s->o->crash.shard_count ? s->o->crash.shard_count : 1,
    };
    if (pmc_db_crash_begin(s->db, s->run, &t, trace_site, s, &cfg, &s->record,
                           &err) != 0) {
        cli_print_error(&err);
        pmc_db_run_end(s->db, s->run, PMC_RUN_FAILED, PMC_EXIT_USAGE, &err);
        return -1;
    }
    return 0;
}

static int crash_run(struct crash_cli *o, int argc, char **argv)
{
    struct pmc_error err;
    struct session *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        cli_error("out of memory");
        return PMC_EXIT_USAGE;
    }
    s->o = o;
    s->tty = isatty(STDERR_FILENO) && !o->quiet;
    clock_gettime(CLOCK_MONOTONIC, &s->start);
    int code = PMC_EXIT_USAGE;
    if (pmc_trace_open(o->trace, &s->trace, &err) != 0) {
        cli_print_error(&err);
    } else if (o->replay != NULL) {
        code = crash_replay_command(o, s->trace);
    } else if (pmc_db_open(o->db, &s->db, &err) != 0) {
        cli_print_error(&err);
    } else if ((s->findings = pmc_findings_new()) == NULL ||
               (s->sites = pmc_site_pool_new()) == NULL) {
        cli_error("out of memory");
    } else if (begin(s, argc, argv) == 0) {
        o->crash.sites = s->sites;
        code = explore(s);
    }
    pmc_db_crash_free(s->record);
    pmc_findings_free(s->findings);
    pmc_site_pool_free(s->sites);
    if (s->db != NULL)
        pmc_db_close(s->db);
    if (s->trace != NULL)
        pmc_trace_close(s->trace);
    free(s);
    return code;
}

int cmd_crash(int argc, char **argv)
{
    struct crash_cli o;
    int rc = crash_cli_parse(argc, argv, &o);
    if (rc != 0) {
        crash_cli_destroy(&o);
        return rc > 0 ? PMC_EXIT_OK : cli_usage_error("crash");
    }
    rc = crash_run(&o, argc, argv);
    crash_cli_destroy(&o);
    return rc;
}
