/*
 * report_json.c - the JSON report, built entirely in SQL with SQLite's
 * JSON functions, so every string is escaped by SQLite and the report
 * cannot drift from the database. docs/reports.md shows its shape.
 *
 * Nested JSON goes through json() so SQLite keeps it JSON (not a string)
 * when it crosses a subquery.
 */
#include "report_internal.h"

static const char json_sql[] =
    "SELECT json_object("
    " 'pmcheck', r.version,"
    " 'run', json_object('id', r.id, 'kind', r.kind, 'model', r.model,"
    "   'status', r.status, 'exit_code', r.exit_code,"
    "   'started', r.started, 'finished', r.finished,"
    "   'command_line', r.command_line),"
    " 'summary', json_object("
    "   'errors', (SELECT count(*) FROM temp.report_findings v"
    "     WHERE v.run = r.id AND NOT v.baselined AND v.severity = 'error'),"
    "   'warnings', (SELECT count(*) FROM temp.report_findings v"
    "     WHERE v.run = r.id AND NOT v.baselined AND v.severity = 'warning'),"
    "   'baselined', (SELECT count(*) FROM temp.report_findings v"
    "     WHERE v.run = r.id AND v.baselined),"
    "   'traces', (SELECT count(*) FROM run_traces rt WHERE rt.run = r.id)),"
    " 'traces', json((SELECT json_group_array(json_object("
    "     'id', t.id, 'path', t.path, 'cmdline', t.cmdline, 'pid', t.pid,"
    "     'start_ns', t.start_ns, 'size', t.size, 'end', t.end_kind,"
    "     'end_code', t.end_code,"
    "     'unsealed_tail', json(iif(t.unsealed_tail, 'true', 'false')),"
    "     'events', t.events, 'damage', t.damage,"
    "     'notes', json((SELECT json_group_array(message) FROM (SELECT"
    "       message FROM trace_notes n WHERE n.trace = t.id"
    "       ORDER BY position)))))"
    "   FROM (SELECT t.* FROM run_traces rt JOIN traces t ON t.id = rt.trace"
    "         WHERE rt.run = r.id ORDER BY t.id) t)),"
    " 'findings', json((SELECT json_group_array(json_object("
    "     'id', v.id, 'rule', v.rule, 'severity', v.severity,"
    "     'message', v.message,"
    "     'location', json(iif(v.file IS NULL, NULL, json_object("
    "       'file', v.file, 'dir', v.dir, 'line', v.line, 'column', v.col,"
    "       'function', v.function))),"
    "     'trace', v.trace, 'count', v.count, 'first_seq', v.first_seq,"
    "     'range', json_object('region', v.region,"
    "       'offset', v.region_offset, 'len', v.region_len),"
    "     'line_text', v.line_text, 'hint', v.hint,"
    "     'fingerprint', v.fingerprint,"
    "     'baselined', json(iif(v.baselined, 'true', 'false')),"
    "     'notes', json((SELECT json_group_array(json_object("
    "         'role', n.role, 'message', n.message,"
    "         'location', json(iif(n.file IS NULL, NULL, json_object("
    "           'file', n.file, 'dir', n.dir, 'line', n.line,"
    "           'column', n.col, 'function', n.function)))))"
    "       FROM (SELECT n.role, n.message, s.file, s.dir, s.line, s.col,"
    "               s.function FROM notes n LEFT JOIN sites s"
    "             ON s.id = n.site WHERE n.finding = v.id"
    "             ORDER BY n.position) n))))"
    "   FROM (SELECT * FROM temp.report_findings WHERE run = r.id"
    "         ORDER BY trace, id) v))"
    ") FROM runs r WHERE r.id = ?1";

int report_json(struct report *r)
{
    return report_write_json_query(r, json_sql);
}
