/*
 * test_reports.c - the report writers, hints, fingerprints, baselines and
 * the CI gate (reports/), on databases filled through the db.h API with
 * synthetic findings.
 *
 * Run as `test-reports --sample DIR`, it writes sample.pmt (a real trace
 * with an unpersisted store) and sample.db/.sarif/.html made from the
 * synthetic findings, for tests/e2e/test_sarif_schema.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <sqlite3.h>

#include "baseline.h"
#include "db.h"
#include "fingerprint.h"
#include "gate.h"
#include "hint.h"
#include "report.h"
#include "reports_fixture.h"
#include "test_support.h"
#include "trace_builder.h"

/* ---- a database with one run of two traces ---------------------------- */

#define KILLED_NOTE                                                            \
    "the program was killed by signal 9: the end of the trace is no "          \
    "durability point"
#define DAMAGE "b.pmt: byte 69664: block checksum mismatch"

struct sample {
    char dir[512];
    char db_path[600];
    struct pmc_db *db;
    struct fixture_sites sites;
    struct pmc_findings *a, *b;
    int64_t run;
};

/*
 * Trace a.pmt: two errors in list.c (relative to dir) and a warning in an
 * absolute file that does not exist; trace b.pmt (killed by a signal): a
 * warning whose message holds markup characters.
 */
static void sample_fill(struct sample *s, const char *dir, const char *model)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->dir, sizeof(s->dir), "%s", dir);
    snprintf(s->db_path, sizeof(s->db_path), "%s/sample.db", dir);
    char list_path[600];
    snprintf(list_path, sizeof(list_path), "%s/list.c", dir);
    fixture_write_file(list_path, fixture_list_c);
    unlink(s->db_path);
    struct pmc_error err = {{0}};
    if (pmc_db_open(s->db_path, &s->db, &err) != 0)
        fail_msg("%s", err.msg);

    struct fixture_sites *st = &s->sites;
    uint32_t store = fixture_site_add(st, "list.c", dir, 5, 16, "list_insert");
    uint32_t head = fixture_site_add(st, "list.c", dir, 6, 16, "list_insert");
    uint32_t end = fixture_site_add(st, "list.c", dir, 7, 1, "list_insert");
    uint32_t abs =
        fixture_site_add(st, "/nonexistent/other.c", dir, 3, 5, "other");
    uint32_t fence = fixture_site_add(st, "list.c", dir, 6, 5, "list_insert");
    s->a = pmc_findings_new();
    fixture_finding(s->a, PMC_RULE_UNPERSISTED_STORE, store, 20, 8,
                    PMC_NOTE_DURABILITY, end, "program exit", 0, 0, NULL);
    fixture_finding(s->a, PMC_RULE_MISSING_FENCE, head, 1, 8, PMC_NOTE_FLUSH,
                    store, "flushed here", PMC_NOTE_DURABILITY, 0,
                    "program exit");
    fixture_finding(s->a, PMC_RULE_REDUNDANT_FLUSH, abs, 1, 64, 0, 0, NULL, 0,
                    0, NULL);
    s->b = pmc_findings_new();
    struct pmc_finding f;
    pmc_finding_init(&f, PMC_RULE_REDUNDANT_FENCE, fence, 9);
    snprintf(f.message, sizeof(f.message), "fence <b>&\"x\"</b>");
    assert_int_equal(pmc_findings_add(s->b, &f), 0);

    s->run = fixture_run(s->db, model);
    struct pmc_db_trace ta = fixture_trace(1, "a.pmt");
    struct pmc_db_trace tb = fixture_trace(2, "b.pmt");
    static const char *const killed[] = {KILLED_NOTE};
    tb.end_kind = PMT_END_SIGNAL;
    tb.end_code = 9;
    tb.notes = killed;
    tb.nnotes = 1;
    tb.damage = DAMAGE;
    fixture_store(s->db, s->run, &ta, st, s->a);
    fixture_store(s->db, s->run, &tb, st, s->b);
    if (pmc_db_run_end(s->db, s->run, PMC_RUN_COMPLETE, 1, &err) != 0)
        fail_msg("%s", err.msg);
}

static void sample_free(struct sample *s)
{
    pmc_findings_free(s->a);
    pmc_findings_free(s->b);
    pmc_db_close(s->db);
}

/* ---- reading JSON and XML back ------------------------------------------ */

static sqlite3 *json_db;

static sqlite3_stmt *json_query(const char *json, const char *sql)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(json_db, sql, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(json_db));
    sqlite3_bind_text(stmt, 1, json, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_ROW)
        fail_msg("%s: %s", sql, sqlite3_errmsg(json_db));
    return stmt;
}

/* SQL over the document as ?1, one integer. */
static int64_t json_int(const char *json, const char *sql)
{
    sqlite3_stmt *stmt = json_query(json, sql);
    int64_t v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

static void assert_json_text(const char *json, const char *path,
                             const char *expected)
{
    sqlite3_stmt *stmt = json_query(json, "SELECT json_extract(?1, ?2)");
    sqlite3_reset(stmt);
    sqlite3_bind_text(stmt, 2, path, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    const char *text = (const char *)sqlite3_column_text(stmt, 0);
    if (expected == NULL ? text != NULL
                         : text == NULL || strcmp(text, expected) != 0)
        fail_msg("%s: expected %s, got %s", path, expected ? expected : "NULL",
                 text ? text : "NULL");
    sqlite3_finalize(stmt);
}

static xmlDocPtr parse_xml(const char *text)
{
    xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), "report.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR |
                                      XML_PARSE_NOWARNING);
    if (doc == NULL)
        fail_msg("not well-formed XML:\n%s", text);
    return doc;
}

static double xpath_number(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    if (obj == NULL)
        fail_msg("bad XPath %s", expr);
    double n = xmlXPathCastToNumber(obj);
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    return n;
}

static char *xpath_string(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    if (obj == NULL)
        fail_msg("bad XPath %s", expr);
    xmlChar *s = xmlXPathCastToString(obj);
    char *copy = strdup((const char *)s);
    xmlFree(s);
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    return copy;
}

/* ---- text ---------------------------------------------------------------- */

static const char expected_text[] =
    "list.c:5:16: error: store to pmem is never made persistent "
    "[unpersisted-store]\n"
    "    node->next = root->head;\n"
    "               ^\n"
    "list.c:7:1: note: program exit\n"
    "list.c:5:16: note: happened 20 times\n"
    "list.c:5:16: note: fix: add pmem_persist(&node->next, "
    "sizeof(node->next)) after list.c:5\n"
    "list.c:6:16: error: store to pmem is flushed but never fenced "
    "[missing-fence]\n"
    "    root->head = node;\n"
    "               ^\n"
    "list.c:5:16: note: flushed here\n"
    "note: program exit\n"
    "list.c:6:16: note: fix: add _mm_sfence() (or pmem_drain()) after the "
    "flush at list.c:5\n"
    "/nonexistent/other.c:3:5: warning: flush of a line with nothing to "
    "write back [redundant-flush]\n"
    "/nonexistent/other.c:3:5: note: fix: remove the flush at "
    "/nonexistent/other.c:3: the lines it covers hold no store waiting to "
    "be written back\n"
    "list.c:6:5: warning: fence <b>&\"x\"</b> [redundant-fence]\n"
    "    root->head = node;\n"
    "    ^\n"
    "list.c:6:5: note: fix: remove the fence at list.c:6: this thread "
    "issued no flush or non-temporal store since its previous fence\n"
    "b.pmt: note: " KILLED_NOTE "\n"
    "note: " DAMAGE "\n"
    "2 errors, 2 warnings in 2 traces\n";

static void test_text(void **state)
{
    (void)state;
    struct sample s;
    sample_fill(&s, test_dir(), "adr");
    char *text = fixture_report(s.db, s.run, PMC_REPORT_TEXT);
    assert_string_equal(text, expected_text);
    free(text);
    /* The source gone, the line kept in the database is shown. */
    unlink(test_path("list.c"));
    text = fixture_report(s.db, s.run, PMC_REPORT_TEXT);
    assert_string_equal(text, expected_text);
    free(text);
    sample_free(&s);
}

static void test_text_no_findings(void **state)
{
    (void)state;
    struct pmc_db *db;
    struct pmc_error err = {{0}};
    assert_int_equal(pmc_db_open(test_path("empty.db"), &db, &err), 0);
    int64_t run = fixture_run(db, "adr");
    struct fixture_sites sites = {0};
    struct pmc_findings *none = pmc_findings_new();
    struct pmc_db_trace t = fixture_trace(3, "clean.pmt");
    fixture_store(db, run, &t, &sites, none);
    char *text = fixture_report(db, run, PMC_REPORT_TEXT);
    assert_string_equal(text, "0 errors, 0 warnings in 1 trace\n");
    free(text);
    /* A run that is not there is an error, not an empty report. */
    FILE *out = fopen("/dev/null", "w");
    assert_int_equal(pmc_report_write(db, 99, PMC_REPORT_TEXT, out, &err), -1);
    assert_non_null(strstr(err.msg, "no run 99"));
    assert_int_equal(pmc_report_write(db, 99, PMC_REPORT_SARIF, out, &err), -1);
    fclose(out);
    pmc_findings_free(none);
    pmc_db_close(db);
}

/* ---- JSON ---------------------------------------------------------------- */

static void test_json(void **state)
{
    (void)state;
    struct sample s;
    sample_fill(&s, test_dir(), "adr");
    char *json = fixture_report(s.db, s.run, PMC_REPORT_JSON);
    assert_int_equal(json_int(json, "SELECT json_valid(?1)"), 1);
    assert_int_equal(json_int(json, "SELECT ?1 ->> '$.summary.errors'"), 2);
    assert_int_equal(json_int(json, "SELECT ?1 ->> '$.summary.warnings'"), 2);
    assert_int_equal(json_int(json, "SELECT ?1 ->> '$.summary.traces'"), 2);
    assert_int_equal(
        json_int(json, "SELECT json_array_length(?1, '$.findings')"), 4);
    assert_json_text(json, "$.run.model", "adr");
    assert_json_text(json, "$.run.status", "complete");
    assert_json_text(json, "$.findings[0].rule", "unpersisted-store");
    assert_json_text(json, "$.findings[0].location.file", "list.c");
    assert_int_equal(json_int(json, "SELECT ?1 ->> "
                                    "'$.findings[0].location.column'"),
                     16);
    assert_int_equal(json_int(json, "SELECT ?1 ->> '$.findings[0].count'"), 20);
    assert_json_text(json, "$.findings[0].line_text",
                     "    node->next = root->head;");
    assert_json_text(json, "$.findings[1].notes[0].role", "flush");
    assert_json_text(json, "$.findings[1].notes[1].message", "program exit");
    assert_json_text(json, "$.findings[1].notes[1].location", NULL);
    assert_json_text(json, "$.findings[3].message", "fence <b>&\"x\"</b>");
    assert_int_equal(json_int(json, "SELECT json_type(?1, "
                                    "'$.findings[0].baselined') = 'false'"),
                     1);
    assert_json_text(json, "$.traces[1].end", "signal");
    assert_json_text(json, "$.traces[1].notes[0]", KILLED_NOTE);
    assert_json_text(json, "$.traces[1].damage", DAMAGE);
    assert_int_equal(
        json_int(json, "SELECT json_array_length(?1, '$.traces[0].notes')"), 0);
    assert_int_equal(json_int(json, "SELECT ?1 ->> '$.traces[1].end_code'"), 9);
    free(json);
    sample_free(&s);
}

/* ---- SARIF --------------------------------------------------------------- */

static void test_sarif(void **state)
{
    (void)state;
    struct sample s;
    sample_fill(&s, test_dir(), "adr");
    char *sarif = fixture_report(s.db, s.run, PMC_REPORT_SARIF);
    assert_int_equal(json_int(sarif, "SELECT json_valid(?1)"), 1);
    assert_json_text(sarif, "$.version", "2.1.0");
    assert_json_text(sarif, "$.runs[0].tool.driver.name", "pmcheck");
    assert_json_text(sarif, "$.runs[0].tool.driver.version", "0.1.0-test");
    assert_int_equal(json_int(sarif, "SELECT json_array_length(?1, "
                                     "'$.runs[0].tool.driver.rules')"),
                     PMC_RULE_COUNT);
    assert_int_equal(json_int(sarif, "SELECT json_array_length(?1, "
                                     "'$.runs[0].results')"),
                     4);
    /* SARIF has no nulls where values are expected. */
    assert_int_equal(json_int(sarif, "SELECT count(*) FROM json_tree(?1) "
                                     "WHERE type = 'null'"),
                     0);
    /* Every result's ruleIndex points at its rule. */
    assert_int_equal(json_int(sarif,
                              "SELECT count(*) FROM json_each(?1, "
                              "'$.runs[0].results') r WHERE json_extract(?1, "
                              "'$.runs[0].tool.driver.rules[' || "
                              "json_extract(r.value, '$.ruleIndex') || "
                              "'].id') = json_extract(r.value, '$.ruleId')"),
                     4);
    const char *loc = "$.runs[0].results[0].locations[0].physicalLocation";
    char path[256];
    snprintf(path, sizeof(path), "%s.artifactLocation.uri", loc);
    assert_json_text(sarif, path, "list.c");
    snprintf(path, sizeof(path), "%s.artifactLocation.uriBaseId", loc);
    assert_json_text(sarif, path, "SRCROOT0");
    char base[700];
    snprintf(base, sizeof(base), "file://%s/", test_dir());
    assert_json_text(sarif, "$.runs[0].originalUriBaseIds.SRCROOT0.uri", base);
    snprintf(path, sizeof(path), "%s.region.startLine", loc);
    assert_int_equal(json_int(sarif, "SELECT json_extract(?1, '$.runs[0]."
                                     "results[0].locations[0]."
                                     "physicalLocation.region.startColumn')"),
                     16);
    assert_json_text(sarif, "$.runs[0].results[0].level", "error");
    assert_json_text(sarif, "$.runs[0].results[2].level", "warning");
    /* An absolute file is a file: URI of its own, with no base. */
    assert_json_text(sarif,
                     "$.runs[0].results[2].locations[0].physicalLocation."
                     "artifactLocation.uri",
                     "file:///nonexistent/other.c");
    assert_json_text(sarif,
                     "$.runs[0].results[2].locations[0].physicalLocation."
                     "artifactLocation.uriBaseId",
                     NULL);
    /* Notes are related locations; one without a site has no place. */
    assert_int_equal(json_int(sarif, "SELECT json_array_length(?1, "
                                     "'$.runs[0].results[1]."
                                     "relatedLocations')"),
                     2);
    assert_json_text(sarif,
                     "$.runs[0].results[1].relatedLocations[0].message.text",
                     "flushed here");
    assert_json_text(sarif,
                     "$.runs[0].results[1].relatedLocations[1]."
                     "physicalLocation",
                     NULL);
    /* The fingerprint is the database's; no baseline, no baselineState. */
    char *fp = fixture_sql_text(s.db_path, "SELECT fingerprint FROM findings "
                                           "WHERE rule = "
                                           "'unpersisted-store'");
    assert_json_text(sarif,
                     "$.runs[0].results[0].partialFingerprints."
                     "\"" PMC_FINGERPRINT_KEY "\"",
                     fp);
    assert_json_text(sarif, "$.runs[0].results[0].baselineState", NULL);
    assert_json_text(sarif, "$.runs[0].invocations[0].commandLine",
                     "pmcheck check list.pmt");
    assert_int_equal(json_int(sarif, "SELECT json_type(?1, '$.runs[0]."
                                     "invocations[0].executionSuccessful')"
                                     " = 'true'"),
                     1);
    free(fp);
    free(sarif);
    sample_free(&s);
}

/* ---- JUnit --------------------------------------------------------------- */

static void test_junit(void **state)
{
    (void)state;
    struct sample s;
    sample_fill(&s, test_dir(), "adr");
    char *xml = fixture_report(s.db, s.run, PMC_REPORT_JUNIT);
    xmlDocPtr doc = parse_xml(xml);
    assert_int_equal(xpath_number(doc, "count(/testsuites/testsuite)"), 2);
    assert_int_equal(xpath_number(doc, "count(/testsuites/testsuite"
                                       "[@name='a.pmt']/testcase)"),
                     PMC_RULE_COUNT);
    assert_int_equal(xpath_number(doc, "count(//testsuite[@name='a.pmt']/"
                                       "testcase[@name='unpersisted-store']"
                                       "/failure)"),
                     1);
    assert_int_equal(xpath_number(doc, "count(//failure)"), 4);
    assert_int_equal(xpath_number(doc, "/testsuites/@failures"), 4);
    assert_int_equal(xpath_number(doc, "//testsuite[@name='a.pmt']/@failures"),
                     3);
    char *msg = xpath_string(doc, "//testcase[@name='redundant-fence']/"
                                  "failure/@message");
    assert_string_equal(msg, "list.c:6:5: fence <b>&\"x\"</b>");
    free(msg);
    char *note = xpath_string(doc, "//testsuite[@name='b.pmt']/properties/"
                                   "property[@name='note']/@value");
    assert_string_equal(note, KILLED_NOTE);
    free(note);
    char *body = xpath_string(doc, "//testcase[@name='unpersisted-store']/"
                                   "failure");
    assert_non_null(strstr(body, "note: happened 20 times"));
    assert_non_null(strstr(body, "note: fix: add pmem_persist"));
    free(body);
    xmlFreeDoc(doc);
    free(xml);
    sample_free(&s);
}

/* ---- HTML ---------------------------------------------------------------- */

static void check_html(const char *html)
{
    /* Self-contained: no script, no external reference of any kind. */
    assert_null(strstr(html, "http:"));
    assert_null(strstr(html, "https:"));
    xmlDocPtr doc = parse_xml(html);
    assert_int_equal(xpath_number(doc, "count(//script | //link | //img | "
                                       "//iframe | //*[@src])"),
                     0);
    assert_int_equal(xpath_number(doc, "count(//*[@href][not(starts-with("
                                       "@href, '#'))])"),
                     0);
    /* Markup in a message is text, not markup. */
    assert_int_equal(xpath_number(doc, "count(//b)"), 0);
    assert_int_equal(xpath_number(doc, "count(//p[@class='msg'][. = "
                                       "'fence <b>&\"x\"</b>'])"),
                     1);
    /* Grouped by rule, then file. */
    assert_int_equal(xpath_number(doc, "count(//section)"), 4);
    assert_int_equal(xpath_number(doc, "count(//section[@id='rule-"
                                       "unpersisted-store']//div[@class="
                                       "'finding'])"),
                     1);
    assert_int_equal(
        xpath_number(doc, "count(//section[@id='rule-redundant-flush']/h3["
                          ". = '/nonexistent/other.c'])"),
        1);
    char *marked = xpath_string(doc, "//section[@id='rule-unpersisted-"
                                     "store']//pre/mark");
    assert_non_null(strstr(marked, "    node->next = root->head;"));
    free(marked);
    char *fix = xpath_string(doc, "//section[@id='rule-unpersisted-store']"
                                  "//p[@class='fix']");
    assert_string_equal(fix, "fix: add pmem_persist(&node->next, "
                             "sizeof(node->next)) after list.c:5");
    free(fix);
    char *note = xpath_string(doc, "//tr[td = 'b.pmt']//div[@class='note']");
    assert_string_equal(note, KILLED_NOTE);
    free(note);
    char *summary = xpath_string(doc, "//p[@class='summary']");
    assert_string_equal(summary, "2 errors, 2 warnings in 2 traces");
    free(summary);
    xmlFreeDoc(doc);
}

static void test_html(void **state)
{
    (void)state;
    struct sample s;
    sample_fill(&s, test_dir(), "adr");
    char *html = fixture_report(s.db, s.run, PMC_REPORT_HTML);
    check_html(html);
    /* The source lines around the finding, read at report time. */
    assert_non_null(strstr(html, "                 struct root *root)"));
    free(html);
    /* Source gone: the kept line alone. */
    unlink(test_path("list.c"));
    html = fixture_report(s.db, s.run, PMC_REPORT_HTML);
    check_html(html);
    assert_null(strstr(html, "                 struct root *root)"));
    free(html);
    sample_free(&s);
}

/* ---- baselines and the gate ---------------------------------------------- */

static int64_t gate(struct pmc_db *db, int64_t run, enum pmc_fail_on level)
{
    int64_t failing = -1;
    struct pmc_error err = {{0}};
    if (pmc_gate_count(db, run, level, &failing, &err) != 0)
        fail_msg("%s", err.msg);
    return failing;
}

static void test_gate(void **state)
{
    (void)state;
    struct sample s;
    sample_fill(&s, test_dir(), "adr");
    assert_int_equal(gate(s.db, s.run, PMC_FAIL_ON_ERROR), 2);
    assert_int_equal(gate(s.db, s.run, PMC_FAIL_ON_WARNING), 4);
    assert_int_equal(gate(s.db, s.run, PMC_FAIL_ON_NEVER), 0);
    enum pmc_fail_on level;
    assert_int_equal(pmc_fail_on_parse("warning", &level), 0);
    assert_int_equal(level, PMC_FAIL_ON_WARNING);
    assert_int_equal(pmc_fail_on_parse("never", &level), 0);
    assert_int_equal(level, PMC_FAIL_ON_NEVER);
    assert_int_equal(pmc_fail_on_parse("error", &level), 0);
    assert_int_equal(level, PMC_FAIL_ON_ERROR);
    assert_int_equal(pmc_fail_on_parse("errors", &level), -1);
    sample_free(&s);
}

static void write_baseline(struct sample *s, const char *path)
{
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    struct pmc_error err = {{0}};
    if (pmc_baseline_write(s->db, s->run, out, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(fclose(out), 0);
}

static void test_baseline(void **state)
{
    (void)state;
    struct sample s;
    sample_fill(&s, test_dir(), "adr");
    const char *path = test_path("baseline.json");
    write_baseline(&s, path);
    char *json = fixture_read_file(path);
    assert_int_equal(json_int(json, "SELECT json_valid(?1)"), 1);
    assert_int_equal(json_int(json, "SELECT json_array_length(?1, "
                                    "'$.findings')"),
                     4);
    assert_int_equal(json_int(json, "SELECT ?1 ->> '$.pmcheck_baseline'"), 1);
    /* One finding per line, so baselines diff well. */
    assert_int_equal(json_int(json, "SELECT length(?1) - length(replace(?1, "
                                    "char(10), ''))"),
                     6);
    free(json);

    /* A new run: the same findings, and one new warning. */
    int64_t run2 = fixture_run(s.db, "adr");
    struct pmc_error err = {{0}};
    if (pmc_baseline_apply(s.db, run2, path, &err) != 0)
        fail_msg("%s", err.msg);
    fixture_finding(s.a, PMC_RULE_TX_REDUNDANT_ADD, 2, 1, 8, 0, 0, NULL, 0, 0,
                    NULL);
    struct pmc_db_trace ta = fixture_trace(1, "a.pmt");
    struct pmc_db_trace tb = fixture_trace(2, "b.pmt");
    fixture_store(s.db, run2, &ta, &s.sites, s.a);
    fixture_store(s.db, run2, &tb, &s.sites, s.b);
    assert_int_equal(pmc_db_run_end(s.db, run2, PMC_RUN_COMPLETE, 1, &err), 0);

    assert_int_equal(gate(s.db, run2, PMC_FAIL_ON_ERROR), 0);
    assert_int_equal(gate(s.db, run2, PMC_FAIL_ON_WARNING), 1);
    char *text = fixture_report(s.db, run2, PMC_REPORT_TEXT);
    assert_non_null(strstr(text, "[tx-redundant-add]"));
    assert_null(strstr(text, "[unpersisted-store]"));
    assert_non_null(strstr(text, "0 errors, 1 warning in 2 traces (4 "
                                 "baselined findings not shown)\n"));
    free(text);
    char *sarif = fixture_report(s.db, run2, PMC_REPORT_SARIF);
    assert_int_equal(json_int(sarif, "SELECT count(*) FROM json_each(?1, "
                                     "'$.runs[0].results') WHERE value ->> "
                                     "'baselineState' = 'unchanged'"),
                     4);
    assert_int_equal(json_int(sarif, "SELECT count(*) FROM json_each(?1, "
                                     "'$.runs[0].results') WHERE value ->> "
                                     "'baselineState' = 'new' AND value ->> "
                                     "'ruleId' = 'tx-redundant-add'"),
                     1);
    free(sarif);
    char *json2 = fixture_report(s.db, run2, PMC_REPORT_JSON);
    assert_int_equal(json_int(json2, "SELECT ?1 ->> '$.summary.baselined'"), 4);
    free(json2);
    char *junit = fixture_report(s.db, run2, PMC_REPORT_JUNIT);
    xmlDocPtr doc = parse_xml(junit);
    assert_int_equal(xpath_number(doc, "count(//failure)"), 1);
    xmlFreeDoc(doc);
    free(junit);
    /* The first run, without a baseline, still fails as it did. */
    assert_int_equal(gate(s.db, s.run, PMC_FAIL_ON_ERROR), 2);
    sample_free(&s);
}

static void expect_bad_baseline(struct pmc_db *db, int64_t run,
                                const char *content, const char *message)
{
    const char *path = test_path("bad-baseline.json");
    if (content != NULL)
        fixture_write_file(path, content);
    else
        unlink(path);
    struct pmc_error err = {{0}};
    assert_int_equal(pmc_baseline_apply(db, run, path, &err), -1);
    assert_non_null(strstr(err.msg, "bad-baseline.json"));
    if (strstr(err.msg, message) == NULL)
        fail_msg("expected '%s' in '%s'", message, err.msg);
}

static void test_bad_baselines(void **state)
{
    (void)state;
    struct sample s;
    sample_fill(&s, test_dir(), "adr");
    expect_bad_baseline(s.db, s.run, "{\"findings\": [", "not valid JSON");
    expect_bad_baseline(s.db, s.run, "[1, 2]", "no findings array");
    expect_bad_baseline(s.db, s.run, "{\"findings\": {}}", "no findings array");
    expect_bad_baseline(s.db, s.run,
                        "{\"findings\": [{\"fingerprint\": \"ab\"}, "
                        "{\"rule\": \"x\"}]}",
                        "finding 1 of the baseline has no fingerprint");
    expect_bad_baseline(s.db, s.run, "{\"findings\": [\"ab\"]}",
                        "finding 0 of the baseline has no fingerprint");
    expect_bad_baseline(s.db, s.run, NULL, "No such file");
    /* Nothing was recorded by the failures. */
    assert_int_equal(
        fixture_sql_int(s.db_path, "SELECT count(*) FROM run_baseline"), 0);
    sample_free(&s);
}

/* ---- hints --------------------------------------------------------------- */

static void expect_lvalue(const char *line, const char *expected)
{
    char buf[128] = "unchanged";
    bool plain = pmc_hint_lvalue(line, buf, sizeof(buf));
    if (expected == NULL) {
        if (plain)
            fail_msg("'%s' is not a plain assignment, got '%s'", line, buf);
        return;
    }
    if (!plain)
        fail_msg("'%s' is a plain assignment to %s", line, expected);
    assert_string_equal(buf, expected);
}

static void test_lvalue(void **state)
{
    (void)state;
    expect_lvalue("    node->next = root->head;", "node->next");
    expect_lvalue("p->a[i].b = x; // why", "p->a[i].b");
    expect_lvalue("p->a[i].b=x;/* why */", "p->a[i].b");
    expect_lvalue("*p = 5;", "*p");
    expect_lvalue("**pp = 5;", "**pp");
    expect_lvalue("(*p).x = 1;", "(*p).x");
    expect_lvalue("((struct n *)base)->x = 1;", "((struct n *)base)->x");
    expect_lvalue("arr[idx(i, j)] = v;", "arr[idx(i, j)]");
    expect_lvalue("x = a == b;", "x");
    expect_lvalue("x = (a <= b) != (c >= d);", "x");
    expect_lvalue("s = \"a = b;\";", "s");
    expect_lvalue("c = '=';", "c");
    expect_lvalue("\tlog->entries[n].len = strlen(s) +", "log->entries[n].len");
    expect_lvalue("x = f(a = 1, b);", "x"); /* inside a call: not ours */

    expect_lvalue("x += 1;", NULL);
    expect_lvalue("x <<= 1;", NULL);
    expect_lvalue("a = b = c;", NULL);
    expect_lvalue("int x = 1;", NULL);
    expect_lvalue("struct node *n = malloc(8);", NULL);
    expect_lvalue("if (p) p->x = 1;", NULL);
    expect_lvalue("if(p) p->x = 1;", NULL);
    expect_lvalue("a == b;", NULL);
    expect_lvalue("x = 1; y = 2;", NULL);
    expect_lvalue("for (i = 0; i < n; i++)", NULL);
    expect_lvalue("return x = 1;", NULL);
    expect_lvalue("x = ;", NULL);
    expect_lvalue("= 1;", NULL);
    expect_lvalue("", NULL);
    expect_lvalue("#define X(a) a = 1", NULL);
    expect_lvalue("foo(x = 1);", NULL);
    expect_lvalue("x++;", NULL);
    expect_lvalue("a + b = c;", NULL);
    expect_lvalue("x[1 = 2;", NULL);
    expect_lvalue("s = \"unterminated;", NULL);
    expect_lvalue("*(p + 1) = 2;", "*(p + 1)");
}

static void test_macro_args(void **state)
{
    (void)state;
    char args[4][PMC_HINT_ARG_SIZE];
    assert_int_equal(pmc_hint_macro_args(
                         "  PMT_ASSERT_ORDERED(&r->a, 8, &r->b, sizeof(r->b));",
                         "PMT_ASSERT_ORDERED", args, 4),
                     4);
    assert_string_equal(args[0], "&r->a");
    assert_string_equal(args[1], "8");
    assert_string_equal(args[2], "&r->b");
    assert_string_equal(args[3], "sizeof(r->b)");
    assert_int_equal(pmc_hint_macro_args("MY_PMT_ASSERT_ORDERED(a, b, c, d)",
                                         "PMT_ASSERT_ORDERED", args, 4),
                     0);
    assert_int_equal(pmc_hint_macro_args("PMT_ASSERT_ORDERED(a, b,",
                                         "PMT_ASSERT_ORDERED", args, 4),
                     0);
    assert_int_equal(pmc_hint_macro_args("PMT_ASSERT_PERSISTED (f(a, b), "
                                         "\"x,)\")",
                                         "PMT_ASSERT_PERSISTED", args, 2),
                     2);
    assert_string_equal(args[0], "f(a, b)");
    assert_string_equal(args[1], "\"x,)\"");
    /* More arguments than asked for: counted, not stored. */
    assert_int_equal(pmc_hint_macro_args("M(a, b, c)", "M", args, 1), 3);
    assert_string_equal(args[0], "a");
}

static struct pmc_hint_site hsite(const char *file, uint32_t line,
                                  const char *text)
{
    return (struct pmc_hint_site){
        .known = true, .file = file, .line = line, .line_text = text};
}

static void expect_hint(const struct pmc_hint_input *in, const char *expected)
{
    char buf[1024];
    pmc_hint_compose(in, buf, sizeof(buf));
    assert_string_equal(buf, expected);
}

static void test_hints(void **state)
{
    (void)state;
    struct pmc_hint_input in = {
        .rule = PMC_RULE_UNPERSISTED_STORE,
        .site = hsite("list.c", 61, "    node->next = root->head;"),
        .len = 8,
    };
    expect_hint(&in, "add pmem_persist(&node->next, sizeof(node->next)) "
                     "after list.c:61");
    in.site.line_text = "    *p = v;";
    expect_hint(&in, "add pmem_persist(p, sizeof(*p)) after list.c:61");
    in.site.line_text = "    memcpy(dst, src, 16);";
    in.len = 16;
    expect_hint(&in, "add pmem_persist(<stored address>, 16) after "
                     "list.c:61");
    in.site = (struct pmc_hint_site){0};
    expect_hint(&in, "add pmem_persist(<stored address>, 16) after the "
                     "store");

    in = (struct pmc_hint_input){
        .rule = PMC_RULE_MISSING_FENCE,
        .site = hsite("log.c", 40, "x = 1;"),
        .nnotes = 1,
        .notes = {{PMC_NOTE_FLUSH, hsite("log.c", 41, "_mm_clwb(p);")}},
    };
    expect_hint(&in, "add _mm_sfence() (or pmem_drain()) after the flush at "
                     "log.c:41");
    in.nnotes = 0;
    expect_hint(&in, "add _mm_sfence() (or pmem_drain()) after the "
                     "non-temporal store at log.c:40");

    in = (struct pmc_hint_input){.rule = PMC_RULE_REDUNDANT_FLUSH,
                                 .site = hsite("a.c", 3, NULL)};
    expect_hint(&in, "remove the flush at a.c:3: the lines it covers hold no "
                     "store waiting to be written back");
    in.eadr = true;
    expect_hint(&in, "remove the flush at a.c:3: under eADR the caches are "
                     "persistent, no flush is needed");
    in = (struct pmc_hint_input){.rule = PMC_RULE_REDUNDANT_FENCE,
                                 .site = hsite("a.c", 4, NULL)};
    expect_hint(&in, "remove the fence at a.c:4: this thread issued no flush "
                     "or non-temporal store since its previous fence");
    in.rule = PMC_RULE_FLUSH_NON_PMEM;
    expect_hint(&in, "remove the flush, or tell pmcheck this memory is pmem "
                     "(pmcheck run --pmem PATH or pmtrace_register())");

    /* A cross-failure read of a range not declared a commit variable may
     * suggest declaring it; of one already declared, only the order. */
    in = (struct pmc_hint_input){
        .rule = PMC_RULE_CROSS_FAILURE_READ,
        .site = hsite("rec.c", 47, "r->valid = 1;"),
        .len = 8,
    };
    expect_hint(&in, "persist the store at rec.c:47 before the crash point, "
                     "or mark the range PMT_COMMIT_VAR if recovery validates "
                     "it before use");
    in.commit_var = true;
    expect_hint(&in, "persist the store at rec.c:47 (a commit variable) "
                     "before any later store is made persistent");
    /* A read in flight: the value is old or new, as after any crash;
     * either the recovery validates it or something vouches for it. */
    in = (struct pmc_hint_input){
        .rule = PMC_RULE_IN_FLIGHT_READ,
        .site = hsite("rec.c", 52, "r->valid = 1;"),
        .len = 8,
    };
    expect_hint(&in, "if recovery validates the value of the store at "
                     "rec.c:52, mark the range PMT_COMMIT_VAR; if data "
                     "persisted earlier vouches for it, persist it before "
                     "that data");

    in = (struct pmc_hint_input){
        .rule = PMC_RULE_ASSERT_PERSISTED,
        .site = hsite("c.c", 90, "PMT_ASSERT_PERSISTED(&c->n, 8);"),
        .len = 8,
        .nnotes = 2,
        .notes = {{PMC_NOTE_STORE, hsite("c.c", 80, "c->n = n;")},
                  {PMC_NOTE_FLUSH, hsite("c.c", 81, "_mm_clwb(&c->n);")}},
    };
    expect_hint(&in, "add _mm_sfence() (or pmem_drain()) after the flush at "
                     "c.c:81, so the store at c.c:80 is persistent at the "
                     "assertion");
    in.nnotes = 1;
    expect_hint(&in, "add pmem_persist(&c->n, sizeof(c->n)) after the store "
                     "at c.c:80");
    in.nnotes = 0;
    expect_hint(&in, "persist the range before the assertion: add "
                     "pmem_persist(&c->n, 8) after its last store");

    in = (struct pmc_hint_input){
        .rule = PMC_RULE_ASSERT_ORDERED,
        .site = hsite("c.c", 95,
                      "PMT_ASSERT_ORDERED(&c->data, 64, "
                      "&c->valid, 8);"),
    };
    expect_hint(&in, "persist range a before the store to range b: add "
                     "pmem_persist(&c->data, 64) before the store to "
                     "&c->valid");
    in.site.line_text = NULL;
    expect_hint(&in, "persist range a (pmem_persist(a, alen)) before the "
                     "store to range b");
    /* The model's notes: a's store, then b's. */
    in.nnotes = 2;
    in.notes[0] = (struct pmc_hint_note){PMC_NOTE_STORE,
                                         hsite("c.c", 80, "c->data[0] = 1;")};
    in.notes[1] = (struct pmc_hint_note){PMC_NOTE_STORE,
                                         hsite("c.c", 85, "c->valid = 1;")};
    expect_hint(&in, "persist range a (pmem_persist(a, alen)) before the "
                     "store to range b at c.c:85");
    in.site.line_text = "PMT_ASSERT_ORDERED(&c->data, 64, &c->valid, 8);";
    expect_hint(&in, "persist range a before the store to range b: add "
                     "pmem_persist(&c->data, 64) before the store to "
                     "&c->valid at c.c:85");

    in = (struct pmc_hint_input){
        .rule = PMC_RULE_TX_UNLOGGED_STORE,
        .site = hsite("tx.c", 12, "  D_RW(root)->count = 3;"),
        .len = 8,
    };
    expect_hint(&in, "add TX_ADD_DIRECT(&D_RW(root)->count) before tx.c:12");
    in.site.line_text = NULL;
    expect_hint(&in, "add pmemobj_tx_add_range_direct(<stored address>, 8) "
                     "before tx.c:12");
    in.rule = PMC_RULE_TX_REDUNDANT_ADD;
    expect_hint(&in, "remove the add at tx.c:12: the range is already in the "
                     "transaction");

    /* Every rule has a hint. */
    for (int r = 0; r < PMC_RULE_COUNT; r++) {
        char buf[1024];
        struct pmc_hint_input any = {.rule = (enum pmc_rule)r};
        pmc_hint_compose(&any, buf, sizeof(buf));
        if (strlen(buf) < 10)
            fail_msg("rule %d has no hint", r);
    }
}

static void test_fingerprint(void **state)
{
    (void)state;
    char buf[64];
    pmc_fingerprint_normalize("  \tnode->next  =\troot->head; \n", buf,
                              sizeof(buf));
    assert_string_equal(buf, "node->next = root->head;");
    pmc_fingerprint_normalize("a   b", buf, 3);
    assert_string_equal(buf, "a");

    char a[PMC_FINGERPRINT_SIZE], b[PMC_FINGERPRINT_SIZE];
    pmc_fingerprint("unpersisted-store", "list.c", "/src", "f", "  x = 1;", 10,
                    a);
    pmc_fingerprint("unpersisted-store", "list.c", "/src", "f", "x  =  1;", 99,
                    b);
    assert_string_equal(a, b); /* moved and re-indented */
    pmc_fingerprint("missing-fence", "list.c", "/src", "f", "x = 1;", 10, b);
    assert_string_not_equal(a, b);
    pmc_fingerprint("unpersisted-store", "list.c", "/src", "g", "x = 1;", 10,
                    b);
    assert_string_not_equal(a, b);
    pmc_fingerprint("unpersisted-store", "other.c", "/src", "f", "x = 1;", 10,
                    b);
    assert_string_not_equal(a, b);
    /* Without the source: the line number decides. */
    pmc_fingerprint("unpersisted-store", "list.c", "/src", "f", NULL, 10, a);
    pmc_fingerprint("unpersisted-store", "list.c", "/src", "f", NULL, 11, b);
    assert_string_not_equal(a, b);
    assert_int_equal(strlen(a), 8);
    /* An absolute path inside the compilation directory is the same file
     * in another checkout; outside it, it is as recorded. */
    pmc_fingerprint("unpersisted-store", "/home/me/src/lib/list.c",
                    "/home/me/src", "f", "x = 1;", 10, a);
    pmc_fingerprint("unpersisted-store", "/ci/src/lib/list.c", "/ci/src/", "f",
                    "x = 1;", 10, b);
    assert_string_equal(a, b);
    pmc_fingerprint("unpersisted-store", "lib/list.c", "/elsewhere", "f",
                    "x = 1;", 10, b);
    assert_string_equal(a, b);
    pmc_fingerprint("unpersisted-store", "/other/lib/list.c", "/ci/src", "f",
                    "x = 1;", 10, b);
    assert_string_not_equal(a, b);
    pmc_fingerprint("unpersisted-store", "/ci/srcx/lib/list.c", "/ci/src", "f",
                    "x = 1;", 10, b);
    assert_string_not_equal(a, b);
}

static void test_format_names(void **state)
{
    (void)state;
    static const char *const names[] = {"text", "json", "sarif", "junit",
                                        "html"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        enum pmc_report_format f;
        assert_int_equal(pmc_report_format_parse(names[i], &f), 0);
        assert_string_equal(pmc_report_format_name(f), names[i]);
    }
    enum pmc_report_format f;
    assert_int_equal(pmc_report_format_parse("xml", &f), -1);
}

/* ---- samples for the end-to-end test ------------------------------------ */

/* A real trace: an 8-byte store to a pmem region, never flushed, and a
 * program that exited: pmcheck check finds unpersisted-store at list.c:5. */
static int write_sample_trace(const char *dir)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/sample.pmt", dir);
    const char *argv[] = {"./list", "list.pool", "insert", "1", NULL};
    struct tb *b = tb_new(argv);
    tb_header(b)->end_kind = PMT_END_EXIT;
    uint32_t blk = tb_block(b, 1, 0);
    uint64_t seq = 1;
    tb_thread(b, blk, seq++, 100);
    tb_string(b, blk, seq++, 1, "list.c");
    tb_string(b, blk, seq++, 2, dir);
    tb_string(b, blk, seq++, 3, "list_insert");
    tb_string(b, blk, seq++, 4, "list.pool");
    tb_site(b, blk, seq++, 1, 5, 16, 1, 2, 3);
    tb_region_map(b, blk, seq++, 1, 0x100000, 4096, 4);
    uint64_t value = 42;
    tb_store(b, blk, seq++, 1, 0x100040, &value, sizeof(value));
    tb_seal(b, blk);
    int rc = tb_write(b, path, SIZE_MAX);
    tb_free(b);
    return rc;
}

static int write_sample_report(struct sample *s, const char *name,
                               enum pmc_report_format format)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/%s", s->dir, name);
    FILE *out = fopen(path, "w");
    struct pmc_error err = {{0}};
    int rc =
        out != NULL ? pmc_report_write(s->db, s->run, format, out, &err) : -1;
    if (out != NULL && fclose(out) != 0)
        rc = -1;
    if (rc != 0)
        fprintf(stderr, "%s: %s\n", path, err.msg);
    return rc;
}

static void write_samples(void **state)
{
    const char *dir = *state;
    struct sample s;
    sample_fill(&s, dir, "adr");
    assert_int_equal(write_sample_report(&s, "sample.sarif", PMC_REPORT_SARIF),
                     0);
    assert_int_equal(write_sample_report(&s, "sample.html", PMC_REPORT_HTML),
                     0);
    assert_int_equal(write_sample_report(&s, "sample.xml", PMC_REPORT_JUNIT),
                     0);
    assert_int_equal(write_sample_trace(dir), 0);
    sample_free(&s);
}

static int samples_main(const char *dir)
{
    const struct CMUnitTest samples[] = {
        cmocka_unit_test_prestate(write_samples, (void *)dir),
    };
    return cmocka_run_group_tests(samples, NULL, NULL);
}

int main(int argc, char **argv)
{
    assert_int_equal(sqlite3_open(":memory:", &json_db), SQLITE_OK);
    if (argc == 3 && strcmp(argv[1], "--sample") == 0)
        return samples_main(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_text_no_findings),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_sarif),
        cmocka_unit_test(test_junit),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_gate),
        cmocka_unit_test(test_baseline),
        cmocka_unit_test(test_bad_baselines),
        cmocka_unit_test(test_lvalue),
        cmocka_unit_test(test_macro_args),
        cmocka_unit_test(test_hints),
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_format_names),
    };
    test_dir_create("reports");
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    test_dir_remove();
    sqlite3_close(json_db);
    return failed;
}
