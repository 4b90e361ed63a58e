/*
 * report_text.c - the text report: compiler-style diagnostics, so editors
 * and CI annotate them like a compiler's.
 *
 *   list.c:61:16: error: store to pmem is never made persistent
 * [unpersisted-store] node->next = root->head;
 *                  ^
 *   list.c:98:5: note: program exit
 *   list.c:61:16: note: happened 20 times
 *   list.c:61:16: note: fix: add pmem_persist(...) after list.c:61
 *   ...
 *   3 errors, 1 warning in 2 traces
 *
 * Paths are printed as recorded: relative paths stay relative.
 */
#include "report_internal.h"

#include <inttypes.h>
#include <string.h>

#include "source.h"

#define LOCATION_SIZE 4096

struct text {
    struct pmc_source_cache *sources;
};

/* The source line, from the file when it is readable, else as stored. */
static void print_source(struct report *r, struct text *t,
                         const struct report_finding *f)
{
    const char *line = pmc_source_line(t->sources, f->site.file, f->site.dir,
                                       (uint32_t)f->site.line);
    if (line == NULL)
        line = f->line_text;
    if (line == NULL || f->site.line == 0)
        return;
    fprintf(r->out, "%s\n", line);
    if (f->site.col <= 0 || (size_t)f->site.col > strlen(line) + 1)
        return;
    /* Tabs stay tabs so the caret lines up however wide they show. */
    for (int64_t i = 0; i < f->site.col - 1; i++)
        fputc(line[i] == '\t' ? '\t' : ' ', r->out);
    fputs("^\n", r->out);
}

static int print_note(struct report *r, const struct report_note *n, void *ctx)
{
    (void)ctx;
    char loc[LOCATION_SIZE];
    report_location(&n->site, loc, sizeof(loc));
    if (loc[0] != '\0')
        fprintf(r->out, "%s: note: %s\n", loc, n->message);
    else
        fprintf(r->out, "note: %s\n", n->message);
    return 0;
}

/* The last lines of a recovery's stderr, indented like source lines. */
#define STDERR_LINES 8

static void print_stderr_tail(struct report *r, const char *tail)
{
    const char *p = tail + strlen(tail);
    while (p > tail && p[-1] == '\n')
        p--;
    const char *end = p;
    int lines = 0;
    while (p > tail && lines < STDERR_LINES) {
        p--;
        if (*p == '\n' && ++lines == STDERR_LINES)
            p++;
    }
    const char *line = p;
    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t n = nl != NULL ? (size_t)(nl - line) : (size_t)(end - line);
        fprintf(r->out, "    %.*s\n", (int)n, line);
        line += n + 1;
    }
}

/* A crash finding's state: what its recovery said, how to rebuild it. */
static int print_crash_state(struct report *r, const struct report_finding *f,
                             const char *loc)
{
    struct report_crash_state cs;
    bool found;
    if (report_crash_state(r, f->id, &cs, &found) < 0)
        return -1;
    if (!found)
        return 0;
    if (cs.stderr_tail[0] != '\0') {
        fprintf(r->out,
                "%s: note: the recovery's standard error on state %s:\n", loc,
                cs.state_id);
        print_stderr_tail(r, cs.stderr_tail);
    }
    fprintf(r->out,
            "%s: note: rebuild the image: pmcheck crash %s %s --replay %s "
            "-o crash.img\n",
            loc, cs.trace_path, cs.options, cs.state_id);
    return 0;
}

static int print_finding(struct report *r, const struct report_finding *f,
                         void *ctx)
{
    char loc[LOCATION_SIZE];
    report_location(&f->site, loc, sizeof(loc));
    if (loc[0] == '\0') /* no source site: the trace is the place */
        snprintf(loc, sizeof(loc), "%s", f->trace_path);
    fprintf(r->out, "%s: %s: %s [%s]\n", loc, f->severity, f->message, f->rule);
    print_source(r, ctx, f);
    if (report_each_note(r, f->id, print_note, NULL) < 0)
        return -1;
    bool crash = strcmp(f->rule, "crash-recovery-failed") == 0;
    if (f->count > 1 && crash)
        fprintf(r->out,
                "%s: note: the recovery failed on %" PRId64
                " crash states here\n",
                loc, f->count);
    else if (f->count > 1)
        fprintf(r->out, "%s: note: happened %" PRId64 " times\n", loc,
                f->count);
    if (crash && print_crash_state(r, f, loc) < 0)
        return -1;
    fprintf(r->out, "%s: note: fix: %s\n", loc, f->hint);
    return 0;
}

static int print_trace_note(struct report *r, const char *note, void *ctx)
{
    const struct report_trace *t = ctx;
    fprintf(r->out, "%s: note: %s\n", t->path, note);
    return 0;
}

/* What the results of a trace rest on: how it ended, where it is damaged
 * (the reader's message names the file and the byte). */
static int print_trace_notes(struct report *r, const struct report_trace *t,
                             void *ctx)
{
    (void)ctx;
    if (report_each_trace_note(r, t->id, print_trace_note, (void *)t) < 0)
        return -1;
    if (t->damage != NULL)
        fprintf(r->out, "note: %s\n", t->damage);
    return 0;
}

static const char *plural(int64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static int print_crash_run(struct report *r, const struct report_crash_run *c,
                           void *ctx)
{
    (void)ctx;
    fprintf(r->out,
            "%s: note: crash: %" PRId64 " %s at %" PRId64 " crash %s: %" PRId64
            " run, %" PRId64 " identical to an earlier one, %" PRId64
            " failed (strategy %s, %.1f s",
            c->trace_path, c->states, plural(c->states, "state", "states"),
            c->points, plural(c->points, "point", "points"), c->runs,
            c->duplicates, c->failures, c->strategy, c->seconds);
    if (c->shards > 1)
        fprintf(r->out, ", %" PRId64 " of %" PRId64 " shards",
                c->shards_present, c->shards);
    fputc(')', r->out);
    if (c->stopped != NULL)
        fprintf(r->out, "; stopped at --%s: later states were not explored",
                c->stopped);
    fputc('\n', r->out);
    return 0;
}

static void print_summary(struct report *r, const struct report_counts *c)
{
    fprintf(r->out, "%" PRId64 " %s, %" PRId64 " %s in %" PRId64 " %s",
            c->errors, plural(c->errors, "error", "errors"), c->warnings,
            plural(c->warnings, "warning", "warnings"), c->traces,
            plural(c->traces, "trace", "traces"));
    if (c->baselined > 0)
        fprintf(r->out, " (%" PRId64 " baselined %s not shown)", c->baselined,
                plural(c->baselined, "finding", "findings"));
    fputc('\n', r->out);
}

int report_text(struct report *r)
{
    struct report_counts counts;
    struct text t = {.sources = pmc_source_cache_new()};
    if (t.sources == NULL)
        return pmc_error_set(r->err, "making the text report: out of "
                                     "memory");
    struct report_query all_new = {.order = REPORT_BY_TRACE};
    int rc = report_each_finding(r, &all_new, print_finding, &t);
    if (rc == 0)
        rc = report_each_trace(r, print_trace_notes, NULL);
    if (rc == 0)
        rc = report_each_crash_run(r, print_crash_run, NULL);
    if (rc == 0)
        rc = report_read_counts(r, &counts);
    if (rc == 0)
        print_summary(r, &counts);
    pmc_source_cache_free(t.sources);
    return rc;
}
