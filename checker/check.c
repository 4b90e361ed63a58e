/*
 * check.c - the driver of check.h: passes over the trace, the merge of a
 * pass's findings into the caller's set, and the end-of-trace notes.
 *
 * Each pass collects into a set of its own, so discarding a first pass that
 * needs history never touches findings the caller already had (from
 * earlier traces).
 */
#include "check.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *trace_string(void *ctx, uint32_t id)
{
    return pmc_trace_string(ctx, id);
}

static int merge_findings(struct pmc_findings *out,
                          const struct pmc_findings *pass,
                          struct pmc_error *err)
{
    for (size_t i = 0; i < pmc_findings_count(pass); i++) {
        if (pmc_findings_add(out, pmc_findings_get(pass, i)) != 0)
            return pmc_error_set(err, "check: out of memory");
    }
    return 0;
}

enum pass_result {
    PASS_DONE,          /* the whole trace was replayed */
    PASS_NEEDS_HISTORY, /* restart with history */
    PASS_FAILED,        /* damage or out of memory: err is set */
};

/* Replay the trace from its start into model. */
static enum pass_result replay(struct pmc_trace *t, struct pmc_model *m,
                               struct pmc_error *err)
{
    pmc_trace_rewind(t);
    struct pmc_event ev;
    for (;;) {
        int rc = pmc_trace_next(t, &ev, err);
        if (rc == 0)
            return PASS_DONE;
        if (rc < 0 || pmc_model_event(m, &ev, err) != 0)
            return PASS_FAILED;
        if (ev.kind == PMT_ASSERT_ORDERED && pmc_model_needs_history(m))
            return PASS_NEEDS_HISTORY;
    }
}

static void add_note(struct pmc_check_stats *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_note(struct pmc_check_stats *st, const char *fmt, ...)
{
    if (st->nnotes >= PMC_CHECK_MAX_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->notes[st->nnotes++], sizeof(st->notes[0]), fmt, ap);
    va_end(ap);
}

static void end_notes(struct pmc_check_stats *st)
{
    if (st->damaged) {
        add_note(st, "the trace is damaged: events up to the damage were "
                     "checked; its end is no durability point");
    } else if (!st->exit_record && st->end_kind == PMT_END_EXIT) {
        add_note(st,
                 "the program exited (status %" PRId32 ") without an "
                 "exit record (_exit?): the end of the trace was taken "
                 "as its exit",
                 st->end_code);
    } else if (!st->exit_record && st->end_kind == PMT_END_SIGNAL) {
        add_note(st,
                 "the program was killed by signal %" PRId32 ": the end "
                 "of the trace is no durability point, only those "
                 "reached before were checked",
                 st->end_code);
    } else if (!st->exit_record) {
        add_note(st, "the trace does not say how the program ended: the "
                     "end of the trace is no durability point, only those "
                     "reached before were checked");
    }
    if (st->unsealed_tail)
        add_note(st, "a thread's last trace block was never sealed (the "
                     "program died while writing it): its records up to the "
                     "last complete one were checked");
}

static void fill_stats(struct pmc_check_stats *st, const struct pmc_model *m,
                       const struct pmc_trace_info *info, bool damaged)
{
    pmc_model_stats(m, &st->model);
    st->damaged = damaged;
    st->exit_record = pmc_model_saw_exit(m);
    st->end_kind = info->end_kind;
    st->end_code = info->end_code;
    st->unsealed_tail = info->unsealed_tail;
    st->end_is_durable =
        !damaged && (st->exit_record || info->end_kind == PMT_END_EXIT);
    end_notes(st);
}

/* One pass: replay into a fresh model adding to pass_set. */
static enum pass_result run_pass(struct pmc_trace *t,
                                 const struct pmc_model_options *mo,
                                 struct pmc_findings *pass_set,
                                 struct pmc_check_stats *st,
                                 struct pmc_error *err)
{
    struct pmc_model *m;
    if (pmc_model_new(mo, pass_set, &m, err) != 0)
        return PASS_FAILED;
    st->passes++;
    st->history = mo->history;
    enum pass_result r = replay(t, m, err);
    const struct pmc_trace_info *info = pmc_trace_info(t);
    if (r == PASS_DONE && pmc_model_end(m, info, err) != 0)
        r = PASS_FAILED;
    if (r != PASS_NEEDS_HISTORY)
        fill_stats(st, m, info, r == PASS_FAILED);
    pmc_model_free(m);
    return r;
}

int pmc_check_trace(struct pmc_trace *t, const struct pmc_check_options *opts,
                    struct pmc_findings *out, struct pmc_check_stats *stats,
                    struct pmc_error *err)
{
    struct pmc_check_stats local;
    struct pmc_check_stats *st = stats ? stats : &local;
    memset(st, 0, sizeof(*st));
    struct pmc_model_options mo = {
        .persistency = opts ? opts->persistency : PMC_PERSIST_ADR,
        .string_lookup = trace_string,
        .string_ctx = t,
    };
    struct pmc_findings *pass_set = pmc_findings_new();
    if (pass_set == NULL)
        return pmc_error_set(err, "check: out of memory");
    enum pass_result r = run_pass(t, &mo, pass_set, st, err);
    if (r == PASS_NEEDS_HISTORY) {
        pmc_findings_clear(pass_set);
        mo.history = true;
        r = run_pass(t, &mo, pass_set, st, err);
    }
    /* Even a failed pass's findings are results: keep them. */
    struct pmc_error merge_err;
    int merged = merge_findings(out, pass_set, &merge_err);
    pmc_findings_free(pass_set);
    if (r == PASS_FAILED)
        return -1;
    if (merged != 0)
        return pmc_error_set(err, "%s", merge_err.msg);
    return 0;
}
