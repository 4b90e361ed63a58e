/*
 * report_output.h - where check, report and baseline write: stdout, or the
 * file of -o, written whole or not at all.
 *
 * A file is written under a temporary name in the same directory and
 * renamed over FILE only when everything was written, so a CI job never
 * reads half a SARIF file from a run that failed.
 */
#ifndef PMC_REPORT_OUTPUT_H
#define PMC_REPORT_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "db.h"
#include "error.h"
#include "report.h"

struct report_output {
    FILE *stream;
    const char *path; /* NULL: stdout */
    char *tmp_path;
};

/* path NULL or "-": stdout. */
int report_output_open(struct report_output *o, const char *path,
                       struct pmc_error *err);

/* ok: the content is complete, publish it; false: discard it (a file is
 * removed). Returns -1 (err set) when complete content could not be
 * written. */
int report_output_close(struct report_output *o, bool ok,
                        struct pmc_error *err);

/* The report of run in format, written whole to path (NULL or "-":
 * stdout). Errors are printed (cli.h); returns 0 or -1. */
int report_output_write_run(struct pmc_db *db, int64_t run,
                            enum pmc_report_format format, const char *path);

#endif /* PMC_REPORT_OUTPUT_H */
