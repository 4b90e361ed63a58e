/*
 * report_sarif.c - the SARIF 2.1.0 report, for code scanning and review
 * tools, built in SQL with SQLite's JSON functions like the JSON report.
 *
 * One SARIF run: tool.driver lists every rule (rules.h: id, descriptions,
 * default level) and each result points at its rule by id and index.
 * Relative source files get a uriBaseId naming their compilation
 * directory (originalUriBaseIds, SRCROOT0, SRCROOT1, ...); the notes
 * become relatedLocations; the fingerprint goes to partialFingerprints.
 * When the run has a baseline, each result has a baselineState.
 *
 * SARIF allows no null where it expects a value, so every object that may
 * hold one is passed through json_patch('{}', ...), which (RFC 7396) drops
 * null members. json_patch does not look inside arrays, hence one patch
 * per array element (and per location, which goes into arrays).
 */
#include "report_internal.h"

#include "fingerprint.h"

/*
 * The query is a chain of CTEs rather than one nested expression: SQLite's
 * parser has a fixed stack, and each piece is easier to read alone.
 *   v          the run's findings (the report_findings view)
 *   bases      one SRCROOTn per compilation directory of a relative file
 *   locations  a physicalLocation per site the findings and notes use
 *   results    one SARIF result per finding, with its relatedLocations
 *   rules      tool.driver.rules, in rules.h order (ruleIndex)
 * Values read back from a CTE go through json() to stay JSON.
 */
static const char sarif_sql[] =
    "WITH v AS (SELECT * FROM temp.report_findings WHERE run = ?1),"
    " used AS (SELECT site FROM v WHERE site IS NOT NULL"
    "   UNION SELECT n.site FROM v JOIN notes n ON n.finding = v.id"
    "   WHERE n.site IS NOT NULL),"
    " bases AS (SELECT dir, 'SRCROOT' || (row_number() OVER (ORDER BY dir)"
    "   - 1) AS id FROM (SELECT DISTINCT s.dir FROM used JOIN sites s"
    "   ON s.id = used.site WHERE substr(s.file, 1, 1) != '/'"
    "   AND substr(s.dir, 1, 1) = '/')),"
    " locations AS (SELECT s.id, json_patch('{}', json_object("
    "   'artifactLocation', json_object("
    "     'uri', iif(substr(s.file, 1, 1) = '/',"
    "                'file://' || pmc_uri_path(s.file),"
    "                pmc_uri_path(s.file)),"
    "     'uriBaseId', (SELECT b.id FROM bases b WHERE b.dir = s.dir"
    "                   AND substr(s.file, 1, 1) != '/')),"
    "   'region', json(iif(s.line > 0, json_object('startLine', s.line,"
    "     'startColumn', iif(s.col > 0, s.col, NULL)), NULL)))) AS loc"
    "   FROM used JOIN sites s ON s.id = used.site),"
    " baseline AS (SELECT EXISTS (SELECT 1 FROM run_baseline"
    "   WHERE run = ?1) AS used),"
    " results AS (SELECT v.trace, v.id, json_patch('{}', json_object("
    "   'ruleId', v.rule,"
    "   'ruleIndex', (SELECT idx FROM temp.report_rules ru"
    "                 WHERE ru.id = v.rule),"
    "   'level', v.severity,"
    "   'message', json_object('text',"
    "     rtrim(v.message, '.') || '. Fix: ' || v.hint),"
    "   'locations', json(iif(l.loc IS NULL, NULL,"
    "     json_array(json_object('physicalLocation', json(l.loc))))),"
    "   'relatedLocations', json(nullif((SELECT json_group_array(json(j))"
    "     FROM (SELECT json_patch('{}', json_object('id', n.position,"
    "             'physicalLocation', json(nl.loc),"
    "             'message', json_object('text', n.message))) AS j"
    "           FROM notes n LEFT JOIN locations nl ON nl.id = n.site"
    "           WHERE n.finding = v.id ORDER BY n.position)), '[]')),"
    "   'partialFingerprints', json_object('" PMC_FINGERPRINT_KEY "',"
    "     v.fingerprint),"
    "   'baselineState', iif((SELECT used FROM baseline),"
    "     iif(v.baselined, 'unchanged', 'new'), NULL),"
    "   'properties', json_object('hint', v.hint, 'count', v.count,"
    "     'trace', v.trace_path, 'firstSeq', v.first_seq,"
    "     'function', v.function))) AS result"
    "   FROM v LEFT JOIN locations l ON l.id = v.site),"
    " rules AS (SELECT json_group_array(json(rule)) AS list FROM ("
    "   SELECT json_object('id', id,"
    "     'shortDescription', json_object('text', description),"
    "     'fullDescription', json_object('text', help),"
    "     'help', json_object('text', help),"
    "     'defaultConfiguration', json_object('level', severity)) AS rule"
    "   FROM temp.report_rules ORDER BY idx))"
    "SELECT json_object("
    " '$schema', 'https://json.schemastore.org/sarif-2.1.0.json',"
    " 'version', '2.1.0',"
    " 'runs', json_array(json_patch('{}', json_object("
    "  'tool', json_object('driver', json_object("
    "    'name', 'pmcheck', 'version', r.version,"
    "    'informationUri', '" PMC_INFORMATION_URI "',"
    "    'rules', json((SELECT list FROM rules)))),"
    "  'invocations', json_array(json_patch('{}', json_object("
    "    'executionSuccessful',"
    "      json(iif(r.status = 'complete', 'true', 'false')),"
    "    'commandLine', r.command_line,"
    "    'startTimeUtc', r.started, 'endTimeUtc', r.finished,"
    "    'exitCode', r.exit_code))),"
    "  'originalUriBaseIds', json(nullif((SELECT json_group_object(b.id,"
    "      json_object('uri', 'file://' || pmc_uri_path(rtrim(b.dir, '/')"
    "      || '/'))) FROM bases b), '{}')),"
    "  'results', json((SELECT json_group_array(json(result)) FROM"
    "    (SELECT result FROM results ORDER BY trace, id))),"
    "  'properties', json_object('model', r.model, 'kind', r.kind,"
    "    'status', r.status, 'run', r.id)"
    " )))"
    ") FROM runs r WHERE r.id = ?1";

int report_sarif(struct report *r)
{
    return report_write_json_query(r, sarif_sql);
}
