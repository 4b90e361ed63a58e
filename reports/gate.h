/*
 * gate.h - the CI gate: does a run fail?
 *
 * `--fail-on error|warning|never` (default error) sets the least severity
 * that fails; findings the run's baseline accepted (baseline.h) never
 * fail. The tool exits 1 when the count is not zero, 0 otherwise.
 */
#ifndef PMC_GATE_H
#define PMC_GATE_H

#include <stdint.h>

#include "db.h"
#include "error.h"
#include "rules.h"

enum pmc_fail_on {
    PMC_FAIL_ON_NEVER = 0,
    PMC_FAIL_ON_WARNING = PMC_SEV_WARNING,
    PMC_FAIL_ON_ERROR = PMC_SEV_ERROR,
};

/* "error", "warning" or "never"; -1 for anything else. */
int pmc_fail_on_parse(const char *name, enum pmc_fail_on *out);

/* How many findings of run_id fail the gate at level. */
int pmc_gate_count(struct pmc_db *db, int64_t run_id, enum pmc_fail_on level,
                   int64_t *failing, struct pmc_error *err);

#endif /* PMC_GATE_H */
