/*
 * gate.c - counting the findings that fail a run (see gate.h).
 */
#include "gate.h"

#include <string.h>

#include "report_internal.h"

int pmc_fail_on_parse(const char *name, enum pmc_fail_on *out)
{
    if (strcmp(name, "never") == 0) {
        *out = PMC_FAIL_ON_NEVER;
        return 0;
    }
    enum pmc_severity sev = pmc_severity_parse(name);
    if (sev == 0)
        return -1;
    *out = (enum pmc_fail_on)sev;
    return 0;
}

int pmc_gate_count(struct pmc_db *db, int64_t run_id, enum pmc_fail_on level,
                   int64_t *failing, struct pmc_error *err)
{
    *failing = 0;
    if (level == PMC_FAIL_ON_NEVER)
        return 0;
    if (report_attach(db, err) < 0)
        return -1;
    sqlite3_stmt *stmt;
    if (db_prepare(db,
                   "SELECT count(*) FROM temp.report_findings WHERE "
                   "run = ?1 AND NOT baselined AND (severity = 'error' OR "
                   "?2 = 'warning')",
                   &stmt, err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, run_id);
    db_bind_text(stmt, 2, pmc_severity_name((enum pmc_severity)level));
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *failing = sqlite3_column_int64(stmt, 0);
    else
        db_fail(db, err, "counting findings");
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? 0 : -1;
}
