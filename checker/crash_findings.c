/*
 * crash_findings.c - a failed recovery run as a crash-recovery-failed
 * finding (see crash.h): primary site the crash point, notes the stores
 * the state left out (the earliest first, one per site) and the crash
 * point, the message the outcome and the state.
 */
#include "crash_internal.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void outcome_words(const struct pmc_run_result *r, char *buf,
                          size_t size)
{
    switch (r->outcome) {
    case PMC_RUN_EXIT:
        snprintf(buf, size, "exited with status %d", r->code);
        break;
    case PMC_RUN_SIGNAL: {
        const char *abbrev = sigabbrev_np(r->code);
        if (abbrev != NULL)
            snprintf(buf, size, "was killed by SIG%s", abbrev);
        else
            snprintf(buf, size, "was killed by signal %d", r->code);
        break;
    }
    case PMC_RUN_HANG:
        snprintf(buf, size, "hung for %.0f s (killed)", r->seconds);
        break;
    case PMC_RUN_OOM:
        snprintf(buf, size, "ran out of memory (killed at the limit)");
        break;
    default:
        snprintf(buf, size, "failed");
    }
}

/* A note per site of parts, the earliest first, one note kept free for
 * the crash point. unlogged: parts are the unlogged stores a state kept
 * in (at a library call's crash point in a transaction: what the rollback
 * cannot undo, the likeliest cause); otherwise the stores left out. */
static void store_notes(struct pmc_finding *f, const struct image_set *imgs,
                        const struct left_out *parts, size_t n, bool unlogged)
{
    for (size_t i = 0; i < n && f->nnotes < PMC_MAX_NOTES - 1; i++) {
        bool seen = false;
        for (uint32_t j = 0; j < f->nnotes; j++)
            seen |= f->notes[j].site == parts[i].site;
        if (seen)
            continue;
        const char *what =
            unlogged ? "in the crash image, and no rollback undoes it: store"
            : parts[i].torn ? "torn (only partly in the crash image): store"
                            : "left out of the crash image: store";
        pmc_finding_note(f, PMC_NOTE_STORE, parts[i].site,
                         "%s of %" PRIu32 " bytes to %s+0x%" PRIx64 "%s", what,
                         parts[i].len, image_name(imgs, parts[i].img),
                         parts[i].offset,
                         unlogged ? ", neither added to the transaction nor "
                                    "allocated in it"
                                  : "");
    }
}

int crash_failure_finding(const struct image_set *imgs,
                          const struct failed_state *fs,
                          struct pmc_finding *out, struct pmc_error *err)
{
    const struct crash_point *cp = fs->cp;
    size_t room = crash_point_parts(cp);
    struct left_out *lo = calloc(room ? 2 * room : 1, sizeof(*lo));
    if (lo == NULL)
        return pmc_error_set(err, "crash: out of memory");
    size_t n = crash_point_left_out(cp, fs->choices, lo);
    size_t kept = crash_point_unlogged(cp, fs->choices, lo + room);

    struct pmc_finding *f = out;
    pmc_finding_init(f, PMC_RULE_CRASH_RECOVERY_FAILED, cp->site, cp->seq);
    if (n > 0) {
        f->region = lo[0].region;
        f->offset = lo[0].region_offset;
        f->len = lo[0].len;
    }
    char outcome[96];
    outcome_words(fs->result, outcome, sizeof(outcome));
    char stores[64] = "";
    if (n > 0)
        snprintf(stores, sizeof(stores), " (%zu %s left out)", n,
                 n == 1 ? "store" : "stores");
    snprintf(f->message, sizeof(f->message),
             "recovery %s on crash state %s%s%s%s", outcome, fs->state_id,
             fs->faults[0] ? " " : "", fs->faults, stores);
    store_notes(f, imgs, lo + room, kept, true);
    store_notes(f, imgs, lo, n, false);
    char point[160];
    crash_point_describe(cp, point, sizeof(point));
    pmc_finding_note(f, PMC_NOTE_CRASH_POINT, cp->site, "%s", point);
    free(lo);
    return 0;
}
