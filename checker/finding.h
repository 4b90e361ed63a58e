/*
 * finding.h - what a check found, and the set that merges repeats.
 *
 * A finding is one rule broken at one primary site (the store, the flush,
 * the fence or the annotation a user must look at), with up to
 * PMC_MAX_NOTES related sites: the flush that was not fenced, the
 * durability point, the store an assertion saw, the crash point. Sites are
 * the trace's site ids (struct pmc_site via pmc_trace_site); the results
 * database maps them to source locations shared across traces.
 *
 * The same rule at the same primary site is one finding however often it
 * happens: pmc_findings_add() merges it into the first occurrence (whose
 * notes and details it keeps) and counts. A rule about a pair of sites
 * (cross-failure-read: a store and the recovery's load of its bytes) names
 * the second in key_site, and each pair is a finding of its own. So the memory of a finding set
 * is bounded by sites x rules, never by the length of the trace.
 */
#ifndef PMC_FINDING_H
#define PMC_FINDING_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

#define PMC_MAX_NOTES 4

/* The part a related site played. */
enum pmc_note_role {
    PMC_NOTE_STORE = 1,      /* the store that was not persisted */
    PMC_NOTE_FLUSH,          /* a flush of the store, or an earlier flush */
    PMC_NOTE_FENCE,          /* an earlier fence */
    PMC_NOTE_DURABILITY,     /* the durability point (exit, unmap, ...) */
    PMC_NOTE_CRASH_POINT,    /* where the crash was injected */
    PMC_NOTE_ASSERTION,      /* the annotation that did not hold */
    PMC_NOTE_LOAD,           /* the recovery's load */
    PMC_NOTE_TX,             /* the transaction (begin, add) involved */
};

struct pmc_note {
    enum pmc_note_role role;
    uint32_t site;           /* trace site id; 0: no site (e.g. exit) */
    char message[160];       /* "flushed here", "program exit", ... */
};

struct pmc_finding {
    enum pmc_rule rule;
    uint32_t site;           /* primary site (trace site id, 0: unknown) */
    uint32_t key_site;       /* second site of the finding's identity, also
                                among its notes; 0: none */
    uint64_t count;          /* dynamic occurrences merged */
    uint64_t first_seq;      /* seq of the event where it first happened */
    /* What the occurrence was about, for messages and hints: the pmem
     * range (region-relative, region 0 when not in a region). */
    uint32_t region;
    uint64_t offset;
    uint64_t len;
    /* cross-failure-read: the bytes are a declared commit variable, so the
     * hint does not suggest declaring them (1), or not (0) */
    uint8_t declared_commit_var;
    uint32_t nnotes;
    struct pmc_note notes[PMC_MAX_NOTES];
    char message[256];       /* one line; the rule's description if empty */
};

struct pmc_findings;

struct pmc_findings *pmc_findings_new(void);
void pmc_findings_free(struct pmc_findings *set);

/* Merge f into the set: a new finding, or one more occurrence of the
 * finding with the same rule, site and key_site. Returns 0, or -1 without memory. */
int pmc_findings_add(struct pmc_findings *set, const struct pmc_finding *f);

/* Findings in the order they first occurred. */
size_t pmc_findings_count(const struct pmc_findings *set);
const struct pmc_finding *pmc_findings_get(const struct pmc_findings *set,
                                           size_t i);

/* Forget every finding (a model restarts its pass). */
void pmc_findings_clear(struct pmc_findings *set);

/* Helpers for building a finding. */
void pmc_finding_init(struct pmc_finding *f, enum pmc_rule rule,
                      uint32_t site, uint64_t seq);
void pmc_finding_note(struct pmc_finding *f, enum pmc_note_role role,
                      uint32_t site, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* PMC_FINDING_H */
