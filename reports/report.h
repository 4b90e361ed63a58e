/*
 * report.h - the reports of a run: text, JSON, SARIF 2.1.0, JUnit XML and
 * one-file HTML (docs/reports.md describes each).
 *
 * Every report is made from the results database, never from findings in
 * memory, so `pmcheck check --format F` and `pmcheck report --format F`
 * print the same thing for the same run. A report of run R shows the
 * findings of R's traces under R's model (db.h).
 *
 * Baselined findings (those whose fingerprint the run's baseline accepted,
 * baseline.h) are hidden from the text, JUnit and HTML reports, which say
 * how many were hidden; JSON and SARIF keep them, marked ("baselined":
 * true; SARIF baselineState "unchanged", new ones "new").
 *
 * Reports read source files at report time to show source lines; when a
 * file is gone they show the line text the database kept.
 */
#ifndef PMC_REPORT_H
#define PMC_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "db.h"
#include "error.h"

enum pmc_report_format {
    PMC_REPORT_TEXT = 1,
    PMC_REPORT_JSON,
    PMC_REPORT_SARIF,
    PMC_REPORT_JUNIT,
    PMC_REPORT_HTML,
};

/* "text", "json", "sarif", "junit", "html"; -1 for anything else. */
int pmc_report_format_parse(const char *name, enum pmc_report_format *out);
const char *pmc_report_format_name(enum pmc_report_format format);

/* Write the report of run_id to out. A write error on out is an error. */
int pmc_report_write(struct pmc_db *db, int64_t run_id,
                     enum pmc_report_format format, FILE *out,
                     struct pmc_error *err);

#endif /* PMC_REPORT_H */
