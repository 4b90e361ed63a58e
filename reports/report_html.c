/*
 * report_html.c - the HTML report: one self-contained file (inline CSS, no
 * script, no external resource) that a browser opens from disk.
 *
 * A summary (run, model, date, counts by severity and by rule, traces),
 * then the findings grouped by rule and, within a rule, by file; each with
 * its message, notes, hint and the source lines around it (read now, or
 * the line kept in the database when the file is gone). The document is
 * well-formed XML written with libxml2's writer (report_xml.h), so every
 * string from a trace or a source file is escaped by the library.
 */
#include "report_xml.h"

#include <inttypes.h>
#include <string.h>

#include "source.h"

#define CONTEXT_LINES 2
#define LOCATION_SIZE 4096

static const char style[] =
    "body{font-family:sans-serif;margin:2em;max-width:70em;color:#222}"
    "table{border-collapse:collapse;margin:0.5em 0}"
    "th,td{text-align:left;padding:0.2em 0.8em;border-bottom:1px solid "
    "#ddd;vertical-align:top}"
    "code,pre{font-family:monospace}"
    "pre.src{background:#f6f6f6;padding:0.5em;overflow-x:auto}"
    "pre.src mark{background:#ffe08a;display:inline-block;min-width:100%}"
    ".ln{color:#888}"
    ".sev{font-size:80%;padding:0.1em 0.4em;border-radius:3px;color:#fff}"
    ".error{background:#c0392b}.warning{background:#b7950b}"
    ".finding{border-left:3px solid #ccc;padding-left:1em;margin:1em 0}"
    ".fix{font-weight:bold}.help{color:#555}.summary{font-size:120%}"
    ".damage{color:#c0392b}";

struct html {
    struct report_xml xml;
    struct report_run run;
    struct report_counts counts;
    struct pmc_source_cache *sources;
    char file[LOCATION_SIZE]; /* the file of the current group */
};

static void nl(struct html *h)
{
    report_xml_text(&h->xml, "\n");
}

static void table_row(struct html *h, const char *key, const char *value)
{
    report_xml_start(&h->xml, "tr");
    report_xml_element(&h->xml, "th", NULL, key);
    report_xml_element(&h->xml, "td", NULL, value);
    report_xml_end(&h->xml);
    nl(h);
}

static void write_head(struct html *h)
{
    report_xml_doctype(&h->xml, "html");
    report_xml_start(&h->xml, "html");
    report_xml_attr(&h->xml, "lang", "en");
    report_xml_start(&h->xml, "head");
    report_xml_start(&h->xml, "meta");
    report_xml_attr(&h->xml, "charset", "utf-8");
    report_xml_end_void(&h->xml);
    report_xml_start(&h->xml, "title");
    report_xml_textf(&h->xml, "pmcheck: run %" PRId64, h->run.id);
    report_xml_end(&h->xml);
    report_xml_element(&h->xml, "style", NULL, style);
    report_xml_end(&h->xml);
    nl(h);
}

static void write_run(struct html *h)
{
    char text[2048];
    report_xml_element(&h->xml, "h1", NULL, "pmcheck report");
    report_xml_start(&h->xml, "table");
    snprintf(text, sizeof(text), "%" PRId64 " (%s, model %s)", h->run.id,
             h->run.kind, h->run.model);
    table_row(h, "run", text);
    snprintf(text, sizeof(text), "%s to %s", h->run.started,
             h->run.finished[0] ? h->run.finished : "(not finished)");
    table_row(h, "date", text);
    table_row(h, "status", h->run.status);
    table_row(h, "command", h->run.command_line);
    table_row(h, "pmcheck", h->run.version);
    report_xml_end(&h->xml);
    nl(h);
    const struct report_counts *c = &h->counts;
    report_xml_start(&h->xml, "p");
    report_xml_attr(&h->xml, "class", "summary");
    report_xml_textf(
        &h->xml,
        "%" PRId64 " error%s, %" PRId64 " warning%s in %" PRId64 " trace%s",
        c->errors, c->errors == 1 ? "" : "s", c->warnings,
        c->warnings == 1 ? "" : "s", c->traces, c->traces == 1 ? "" : "s");
    if (c->baselined > 0)
        report_xml_textf(&h->xml,
                         " (%" PRId64 " baselined finding%s not "
                         "shown)",
                         c->baselined, c->baselined == 1 ? "" : "s");
    report_xml_end(&h->xml);
    nl(h);
}

static void severity_badge(struct html *h, const char *severity)
{
    report_xml_start(&h->xml, "span");
    report_xml_attrf(&h->xml, "class", "sev %s", severity);
    report_xml_text(&h->xml, severity);
    report_xml_end(&h->xml);
}

/* Rules with findings in this run: the rows of the summary table and the
 * sections of the report, errors first. */
static int each_rule(struct report *r, struct html *h,
                     int (*fn)(struct report *r, struct html *h,
                               sqlite3_stmt *row))
{
    sqlite3_stmt *stmt;
    if (db_prepare(r->db,
                   "SELECT v.rule, v.severity, count(*), sum(v.count), "
                   "ru.description, ru.help FROM temp.report_findings v "
                   "LEFT JOIN temp.report_rules ru ON ru.id = v.rule "
                   "WHERE v.run = ?1 AND NOT v.baselined GROUP BY v.rule "
                   "ORDER BY v.severity = 'error' DESC, ru.idx, v.rule",
                   &stmt, r->err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        if (fn(r, h, stmt) < 0)
            break;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        report_fail(r, "reading findings by rule");
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

static const char *col_text(sqlite3_stmt *row, int col)
{
    const char *text = (const char *)sqlite3_column_text(row, col);
    return text != NULL ? text : "";
}

static int rule_row(struct report *r, struct html *h, sqlite3_stmt *row)
{
    (void)r;
    report_xml_start(&h->xml, "tr");
    report_xml_start(&h->xml, "td");
    report_xml_start(&h->xml, "a");
    report_xml_attrf(&h->xml, "href", "#rule-%s", col_text(row, 0));
    report_xml_text(&h->xml, col_text(row, 0));
    report_xml_end(&h->xml);
    report_xml_end(&h->xml);
    report_xml_start(&h->xml, "td");
    severity_badge(h, col_text(row, 1));
    report_xml_end(&h->xml);
    report_xml_element(&h->xml, "td", NULL, col_text(row, 2));
    report_xml_element(&h->xml, "td", NULL, col_text(row, 3));
    report_xml_end(&h->xml);
    nl(h);
    return 0;
}

static int write_rule_table(struct report *r, struct html *h)
{
    report_xml_element(&h->xml, "h2", NULL, "Findings by rule");
    report_xml_start(&h->xml, "table");
    report_xml_start(&h->xml, "tr");
    report_xml_element(&h->xml, "th", NULL, "rule");
    report_xml_element(&h->xml, "th", NULL, "severity");
    report_xml_element(&h->xml, "th", NULL, "findings");
    report_xml_element(&h->xml, "th", NULL, "occurrences");
    report_xml_end(&h->xml);
    nl(h);
    int rc = each_rule(r, h, rule_row);
    report_xml_end(&h->xml);
    nl(h);
    return rc;
}

static int trace_note(struct report *r, const char *note, void *ctx)
{
    (void)r;
    report_xml_element(&((struct html *)ctx)->xml, "div", "note", note);
    return 0;
}

static int trace_row(struct report *r, const struct report_trace *t, void *ctx)
{
    struct html *h = ctx;
    report_xml_start(&h->xml, "tr");
    report_xml_element(&h->xml, "td", NULL, t->path);
    report_xml_start(&h->xml, "td");
    report_xml_element(&h->xml, "code", NULL, t->cmdline);
    report_xml_end(&h->xml);
    report_xml_start(&h->xml, "td");
    if (strcmp(t->end_kind, "unknown") == 0)
        report_xml_text(&h->xml, "unknown");
    else
        report_xml_textf(&h->xml, "%s %" PRId64, t->end_kind, t->end_code);
    if (report_each_trace_note(r, t->id, trace_note, h) < 0)
        return -1;
    if (t->damage != NULL)
        report_xml_element(&h->xml, "div", "damage", t->damage);
    report_xml_end(&h->xml);
    report_xml_start(&h->xml, "td");
    report_xml_textf(&h->xml, "%" PRId64, t->events);
    report_xml_end(&h->xml);
    report_xml_start(&h->xml, "td");
    report_xml_textf(&h->xml, "%" PRId64, t->findings);
    report_xml_end(&h->xml);
    report_xml_end(&h->xml);
    nl(h);
    return 0;
}

static int write_trace_table(struct report *r, struct html *h)
{
    static const char *const heads[] = {"trace", "command", "end", "events",
                                        "findings"};
    report_xml_element(&h->xml, "h2", NULL, "Traces");
    report_xml_start(&h->xml, "table");
    report_xml_start(&h->xml, "tr");
    for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
        report_xml_element(&h->xml, "th", NULL, heads[i]);
    report_xml_end(&h->xml);
    nl(h);
    int rc = report_each_trace(r, trace_row, h);
    report_xml_end(&h->xml);
    nl(h);
    return rc;
}

static void source_line(struct html *h, int64_t number, int width,
                        const char *text, bool marked)
{
    report_xml_start(&h->xml, marked ? "mark" : "span");
    report_xml_start(&h->xml, "span");
    report_xml_attr(&h->xml, "class", "ln");
    report_xml_textf(&h->xml, "%*" PRId64 " ", width, number);
    report_xml_end(&h->xml);
    report_xml_text(&h->xml, text);
    report_xml_end(&h->xml);
    nl(h);
}

/* The lines around the finding from the file, or its kept line. */
static void write_source(struct html *h, const struct report_finding *f)
{
    const struct report_site *s = &f->site;
    if (s->file == NULL || s->line <= 0)
        return;
    uint32_t count = pmc_source_line_count(h->sources, s->file, s->dir);
    if ((int64_t)count < s->line && f->line_text == NULL)
        return;
    int64_t first = s->line, last = s->line;
    if ((int64_t)count >= s->line) {
        first = s->line > CONTEXT_LINES ? s->line - CONTEXT_LINES : 1;
        last =
            s->line + CONTEXT_LINES <= count ? s->line + CONTEXT_LINES : count;
    }
    char digits[24];
    int width = snprintf(digits, sizeof(digits), "%" PRId64, last);
    report_xml_start(&h->xml, "pre");
    report_xml_attr(&h->xml, "class", "src");
    for (int64_t n = first; n <= last; n++) {
        const char *text =
            pmc_source_line(h->sources, s->file, s->dir, (uint32_t)n);
        if (text == NULL) /* the file is gone: what the database kept */
            text = f->line_text;
        source_line(h, n, width, text, n == s->line);
    }
    report_xml_end(&h->xml);
}

static int write_note(struct report *r, const struct report_note *n, void *ctx)
{
    (void)r;
    struct html *h = ctx;
    char loc[LOCATION_SIZE];
    report_location(&n->site, loc, sizeof(loc));
    report_xml_start(&h->xml, "li");
    if (loc[0] != '\0') {
        report_xml_element(&h->xml, "code", NULL, loc);
        report_xml_text(&h->xml, ": ");
    }
    report_xml_text(&h->xml, n->message);
    report_xml_end(&h->xml);
    return 0;
}

static void write_where(struct html *h, const struct report_finding *f)
{
    char loc[LOCATION_SIZE];
    report_location(&f->site, loc, sizeof(loc));
    report_xml_start(&h->xml, "p");
    report_xml_element(&h->xml, "code", NULL, loc[0] ? loc : "(no site)");
    if (f->site.function != NULL && f->site.function[0] != '\0') {
        report_xml_text(&h->xml, " in ");
        report_xml_element(&h->xml, "code", NULL, f->site.function);
    }
    report_xml_textf(&h->xml, " (trace %s)", f->trace_path);
    report_xml_end(&h->xml);
}

static int write_finding(struct report *r, const struct report_finding *f,
                         void *ctx)
{
    struct html *h = ctx;
    const char *file = f->site.file != NULL ? f->site.file : "(no site)";
    if (strcmp(file, h->file) != 0) {
        snprintf(h->file, sizeof(h->file), "%s", file);
        report_xml_element(&h->xml, "h3", NULL, file);
        nl(h);
    }
    report_xml_start(&h->xml, "div");
    report_xml_attr(&h->xml, "class", "finding");
    write_where(h, f);
    report_xml_element(&h->xml, "p", "msg", f->message);
    write_source(h, f);
    report_xml_start(&h->xml, "ul");
    int rc = report_each_note(r, f->id, write_note, h);
    report_xml_end(&h->xml);
    if (f->count > 1) {
        report_xml_start(&h->xml, "p");
        report_xml_textf(&h->xml, "happened %" PRId64 " times", f->count);
        report_xml_end(&h->xml);
    }
    report_xml_start(&h->xml, "p");
    report_xml_attr(&h->xml, "class", "fix");
    report_xml_textf(&h->xml, "fix: %s", f->hint);
    report_xml_end(&h->xml);
    report_xml_end(&h->xml);
    nl(h);
    return rc;
}

static int rule_section(struct report *r, struct html *h, sqlite3_stmt *row)
{
    const char *rule = col_text(row, 0);
    report_xml_start(&h->xml, "section");
    report_xml_attrf(&h->xml, "id", "rule-%s", rule);
    report_xml_start(&h->xml, "h2");
    severity_badge(h, col_text(row, 1));
    report_xml_textf(&h->xml, " %s: %s", rule, col_text(row, 4));
    report_xml_end(&h->xml);
    report_xml_element(&h->xml, "p", "help", col_text(row, 5));
    nl(h);
    h->file[0] = '\0';
    struct report_query q = {.order = REPORT_BY_RULE, .rule = rule};
    int rc = report_each_finding(r, &q, write_finding, h);
    report_xml_end(&h->xml);
    nl(h);
    return rc;
}

static int write_body(struct report *r, struct html *h)
{
    report_xml_start(&h->xml, "body");
    nl(h);
    write_run(h);
    int rc = write_rule_table(r, h);
    if (rc == 0)
        rc = write_trace_table(r, h);
    if (rc == 0)
        rc = each_rule(r, h, rule_section);
    report_xml_end(&h->xml);
    return rc;
}

int report_html(struct report *r)
{
    struct html h = {.file = ""};
    if (report_read_run(r, &h.run) < 0 || report_read_counts(r, &h.counts) < 0)
        return -1;
    h.sources = pmc_source_cache_new();
    if (h.sources == NULL || report_xml_begin(r, &h.xml, false) < 0) {
        pmc_source_cache_free(h.sources);
        return pmc_error_set(r->err, "making the HTML report: out of "
                                     "memory");
    }
    write_head(&h);
    int rc = write_body(r, &h);
    pmc_source_cache_free(h.sources);
    if (rc < 0) {
        report_xml_discard(&h.xml);
        return -1;
    }
    report_xml_end(&h.xml); /* html */
    nl(&h);
    return report_xml_finish(r, &h.xml);
}
