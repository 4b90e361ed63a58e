/*
 * baseline.h - accepting known findings, so that a CI gate fails only on
 * new ones.
 *
 * A baseline is a JSON file that `pmcheck baseline` writes from a run's
 * findings, one finding per line so that it diffs well:
 *
 *   {"pmcheck_baseline": 1, "findings": [
 *   {"fingerprint":"1a2b3c4d","rule":"unpersisted-store","file":"list.c",
 *    "function":"list_insert","line":61,"message":"..."},
 *   ...]}
 *
 * Matching uses the fingerprint alone (fingerprint.h: rule, file, function
 * and the normalised source line); the other members are for the people
 * reading the file. `pmcheck check --baseline FILE` records the file's
 * fingerprints with the run (run_baseline), so reports of the run - then
 * or later - show the same findings as accepted, and the gate (gate.h)
 * counts only the others.
 */
#ifndef PMC_BASELINE_H
#define PMC_BASELINE_H

#include <stdint.h>
#include <stdio.h>

#include "db.h"
#include "error.h"

/* Upper bound on a baseline file we read, against mistakes (a trace). */
#define PMC_BASELINE_MAX_BYTES (256u << 20)

/* Write the baseline of run_id's findings (all of them, baselined or
 * not, each fingerprint once) to out. */
int pmc_baseline_write(struct pmc_db *db, int64_t run_id, FILE *out,
                       struct pmc_error *err);

/* Read the baseline file at path and record its fingerprints as accepted
 * for run_id. A file that is not a baseline is an error naming it. */
int pmc_baseline_apply(struct pmc_db *db, int64_t run_id, const char *path,
                       struct pmc_error *err);

#endif /* PMC_BASELINE_H */
