/*
 * report_junit.c - the JUnit XML report, for CI systems that show test
 * results: one testsuite per trace, one testcase per rule (so a rule with
 * no finding shows as a passing test), one failure per finding.
 *
 *   <testsuites name="pmcheck" tests=".." failures="..">
 *     <testsuite name="list.pmt" tests="11" failures="1">
 *       <properties>...</properties>
 *       <testcase classname="list.pmt" name="unpersisted-store">
 *         <failure type="unpersisted-store" message="list.c:61:16: ...">
 *           the finding as the text report prints it
 *         </failure>
 *       </testcase>
 * ...
 * Baselined findings are not failures; each suite's "baselined" property
 * counts them.
 */
#include "report_xml.h"

#include <inttypes.h>
#include <stdlib.h>

#include "rules.h"

#define LOCATION_SIZE 4096

struct junit {
    struct report_xml xml;
    struct report_run run;
    const char *trace_path;
    char *body;
    size_t body_size;
    FILE *body_out;
};

static int body_note(struct report *r, const struct report_note *n, void *ctx)
{
    (void)r;
    struct junit *j = ctx;
    char loc[LOCATION_SIZE];
    report_location(&n->site, loc, sizeof(loc));
    fprintf(j->body_out, "%s%snote: %s\n", loc, loc[0] ? ": " : "", n->message);
    return 0;
}

/* The failure's text: the finding as the text report shows it. */
static int failure_body(struct report *r, struct junit *j,
                        const struct report_finding *f, const char *loc)
{
    j->body_out = open_memstream(&j->body, &j->body_size);
    if (j->body_out == NULL)
        return pmc_error_set(r->err, "making the JUnit report: out of "
                                     "memory");
    fprintf(j->body_out, "%s: %s: %s [%s]\n", loc, f->severity, f->message,
            f->rule);
    if (f->line_text != NULL)
        fprintf(j->body_out, "%s\n", f->line_text);
    int rc = report_each_note(r, f->id, body_note, j);
    if (f->count > 1)
        fprintf(j->body_out, "note: happened %" PRId64 " times\n", f->count);
    fprintf(j->body_out, "note: fix: %s\n", f->hint);
    fclose(j->body_out);
    return rc;
}

static int write_failure(struct report *r, const struct report_finding *f,
                         void *ctx)
{
    struct junit *j = ctx;
    char loc[LOCATION_SIZE];
    report_location(&f->site, loc, sizeof(loc));
    if (loc[0] == '\0')
        snprintf(loc, sizeof(loc), "%s", f->trace_path);
    j->body = NULL;
    int rc = failure_body(r, j, f, loc);
    if (rc == 0) {
        report_xml_start(&j->xml, "failure");
        report_xml_attr(&j->xml, "type", f->rule);
        report_xml_attrf(&j->xml, "message", "%s: %s", loc, f->message);
        report_xml_text(&j->xml, j->body);
        report_xml_end(&j->xml);
    }
    free(j->body);
    return rc;
}

static int write_testcase(struct report *r, struct junit *j,
                          const struct report_trace *t, const char *rule)
{
    report_xml_start(&j->xml, "testcase");
    report_xml_attr(&j->xml, "classname", t->path);
    report_xml_attr(&j->xml, "name", rule);
    struct report_query q = {.trace = t->id, .rule = rule};
    int rc = report_each_finding(r, &q, write_failure, j);
    report_xml_end(&j->xml);
    return rc;
}

static void write_property(struct junit *j, const char *name, const char *value)
{
    report_xml_start(&j->xml, "property");
    report_xml_attr(&j->xml, "name", name);
    report_xml_attr(&j->xml, "value", value);
    report_xml_end(&j->xml);
}

static int note_property(struct report *r, const char *note, void *ctx)
{
    (void)r;
    write_property(ctx, "note", note);
    return 0;
}

static int baselined_in(struct report *r, int64_t trace, int64_t *n)
{
    sqlite3_stmt *stmt;
    if (db_prepare(r->db,
                   "SELECT count(*) FROM temp.report_findings WHERE "
                   "run = ?1 AND trace = ?2 AND baselined",
                   &stmt, r->err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, r->run_id);
    sqlite3_bind_int64(stmt, 2, trace);
    int rc = sqlite3_step(stmt);
    *n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? 0 : report_fail(r, "counting findings");
}

static int write_properties(struct report *r, struct junit *j,
                            const struct report_trace *t)
{
    int64_t baselined;
    char value[64];
    if (baselined_in(r, t->id, &baselined) < 0)
        return -1;
    report_xml_start(&j->xml, "properties");
    write_property(j, "model", j->run.model);
    write_property(j, "cmdline", t->cmdline);
    write_property(j, "end", t->end_kind);
    snprintf(value, sizeof(value), "%" PRId64, baselined);
    write_property(j, "baselined", value);
    if (t->damage != NULL)
        write_property(j, "damage", t->damage);
    int rc = report_each_trace_note(r, t->id, note_property, j);
    report_xml_end(&j->xml);
    return rc;
}

static int write_testsuite(struct report *r, const struct report_trace *t,
                           void *ctx)
{
    struct junit *j = ctx;
    report_xml_start(&j->xml, "testsuite");
    report_xml_attr(&j->xml, "name", t->path);
    report_xml_attrf(&j->xml, "tests", "%d", (int)PMC_RULE_COUNT);
    report_xml_attrf(&j->xml, "failures", "%" PRId64, t->findings);
    report_xml_attr(&j->xml, "errors", "0");
    report_xml_attr(&j->xml, "timestamp", j->run.started);
    int rc = write_properties(r, j, t);
    for (int i = 0; i < PMC_RULE_COUNT && rc == 0; i++)
        rc = write_testcase(r, j, t, pmc_rule_info((enum pmc_rule)i)->id);
    report_xml_end(&j->xml);
    return rc;
}

int report_junit(struct report *r)
{
    struct junit j;
    struct report_counts counts;
    if (report_read_run(r, &j.run) < 0 || report_read_counts(r, &counts) < 0)
        return -1;
    if (report_xml_begin(r, &j.xml, true) < 0)
        return -1;
    report_xml_declaration(&j.xml);
    report_xml_start(&j.xml, "testsuites");
    report_xml_attr(&j.xml, "name", "pmcheck");
    report_xml_attrf(&j.xml, "tests", "%" PRId64,
                     counts.traces * (int64_t)PMC_RULE_COUNT);
    report_xml_attrf(&j.xml, "failures", "%" PRId64,
                     counts.errors + counts.warnings);
    if (report_each_trace(r, write_testsuite, &j) < 0) {
        report_xml_discard(&j.xml);
        return -1;
    }
    report_xml_end(&j.xml);
    return report_xml_finish(r, &j.xml);
}
