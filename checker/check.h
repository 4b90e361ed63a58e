/*
 * check.h - `pmcheck check` on one trace: replay it through the
 * persistency model (model.h) and collect what the rules find.
 *
 * pmc_check_trace() reads the trace from its first record. When the trace
 * holds a PMT_ASSERT_ORDERED, the first pass (without history, which costs
 * memory) stops there; its findings are discarded and the trace is replayed
 * from the start with history on. stats->passes says how many passes ran.
 *
 * A damaged trace (cut, bit flips) makes it return -1 with err naming the
 * damage, but what was found before the damage is still added to `out`: a
 * checker never loses a result. The end of a damaged trace is no
 * durability point (the program's end is unknown).
 *
 * stats->notes tell the user what the results rest on, as full sentences a
 * tool prints as notes (the program was killed by a signal, so its end is
 * no durability point; a thread's last block was never sealed; ...). They
 * are not findings.
 */
#ifndef PMC_CHECK_H
#define PMC_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "finding.h"
#include "model.h"
#include "trace.h"

struct pmc_check_options {
    enum pmc_persistency persistency; /* adr by default (zero) */
};

#define PMC_CHECK_MAX_NOTES 4

struct pmc_check_stats {
    struct pmc_model_stats model; /* of the last pass */
    unsigned passes;              /* 2 when replayed with history */
    bool history;                 /* the last pass kept history */
    bool damaged;                 /* stopped at damage (returned -1) */
    bool exit_record;             /* the trace has an EXIT record */
    bool end_is_durable;          /* the trace's end was a durability point
                                     (an EXIT record, or end_kind EXIT) */
    uint32_t end_kind;            /* pmc_trace_info: PMT_END_* */
    int32_t end_code;
    bool unsealed_tail;
    unsigned nnotes;
    char notes[PMC_CHECK_MAX_NOTES][256];
};

/* Check one open trace, adding findings to out (merged with what it holds
 * already). opts NULL: the defaults. stats may be NULL. Returns 0, or -1
 * with err set on trace damage or when out of memory; findings found before
 * are in out either way. */
int pmc_check_trace(struct pmc_trace *t, const struct pmc_check_options *opts,
                    struct pmc_findings *out, struct pmc_check_stats *stats,
                    struct pmc_error *err);

#endif /* PMC_CHECK_H */
