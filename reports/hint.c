/*
 * hint.c - composing the one-line fix hint of each rule (see hint.h).
 *
 * A hint names the call to add or remove and the source line where, so a
 * user can act on it without reading the rule's documentation. When the
 * source line cannot be read or parsed, it falls back to naming the
 * stored address and size generically.
 */
#include "hint.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define FENCE_CALL "_mm_sfence() (or pmem_drain())"

/* "list.c:61", or the file alone when the line is unknown. */
static void site_name(const struct pmc_hint_site *site, char *buf, size_t size)
{
    if (site->line != 0)
        snprintf(buf, size, "%s:%" PRIu32, site->file, site->line);
    else
        snprintf(buf, size, "%s", site->file);
}

static bool site_named(const struct pmc_hint_site *site)
{
    return site->known && site->file != NULL && site->file[0] != '\0';
}

/* "list.c:61" when what happened at a known site, else "the <what>". */
static void at_site(const char *what, const struct pmc_hint_site *site,
                    char *buf, size_t size)
{
    char name[512];
    if (!site_named(site)) {
        snprintf(buf, size, "the %s", what);
        return;
    }
    site_name(site, name, sizeof(name));
    snprintf(buf, size, "the %s at %s", what, name);
}

static const struct pmc_hint_site *note_site(const struct pmc_hint_input *in,
                                             enum pmc_note_role role)
{
    for (size_t i = 0; i < in->nnotes && i < PMC_MAX_NOTES; i++)
        if (in->notes[i].role == role && site_named(&in->notes[i].site))
            return &in->notes[i].site;
    return NULL;
}

/*
 * fn(&lvalue, sizeof(lvalue)) from the store's source line, or
 * fn(<stored address>, len) when it is not a plain assignment. `*p = x`
 * gives fn(p, sizeof(*p)).
 */
static void range_call(const char *fn, const struct pmc_hint_site *store,
                       uint64_t len, char *buf, size_t size)
{
    char lv[256];
    if (store != NULL && store->line_text != NULL &&
        pmc_hint_lvalue(store->line_text, lv, sizeof(lv))) {
        if (lv[0] == '*')
            snprintf(buf, size, "%s(%s, sizeof(%s))", fn, lv + 1, lv);
        else
            snprintf(buf, size, "%s(&%s, sizeof(%s))", fn, lv, lv);
    } else {
        snprintf(buf, size, "%s(<stored address>, %" PRIu64 ")", fn,
                 len != 0 ? len : 8);
    }
}

/* "add CALL after list.c:61" (or "after the store" when unknown). */
static void add_after_store(const char *call, const struct pmc_hint_site *store,
                            char *buf, size_t size)
{
    char name[512];
    if (site_named(store)) {
        site_name(store, name, sizeof(name));
        snprintf(buf, size, "add %s after %s", call, name);
    } else {
        snprintf(buf, size, "add %s after the store", call);
    }
}

static void hint_unpersisted(const struct pmc_hint_input *in, char *buf,
                             size_t size)
{
    char call[600];
    range_call("pmem_persist", &in->site, in->len, call, sizeof(call));
    add_after_store(call, &in->site, buf, size);
}

static void hint_missing_fence(const struct pmc_hint_input *in, char *buf,
                               size_t size)
{
    char where[600];
    const struct pmc_hint_site *flush = note_site(in, PMC_NOTE_FLUSH);
    if (flush != NULL)
        at_site("flush", flush, where, sizeof(where));
    else
        at_site("non-temporal store", &in->site, where, sizeof(where));
    snprintf(buf, size, "add " FENCE_CALL " after %s", where);
}

static void hint_redundant_flush(const struct pmc_hint_input *in, char *buf,
                                 size_t size)
{
    char flush[600];
    at_site("flush", &in->site, flush, sizeof(flush));
    snprintf(buf, size, "remove %s: %s", flush,
             in->eadr ? "under eADR the caches are persistent, no flush is "
                        "needed"
                      : "the lines it covers hold no store waiting to be "
                        "written back");
}

static void hint_redundant_fence(const struct pmc_hint_input *in, char *buf,
                                 size_t size)
{
    char fence[600];
    at_site("fence", &in->site, fence, sizeof(fence));
    snprintf(buf, size,
             "remove %s: this thread issued no flush or non-temporal "
             "store since its previous fence",
             fence);
}

static void hint_flush_non_pmem(char *buf, size_t size)
{
    snprintf(buf, size,
             "remove the flush, or tell pmcheck this memory is "
             "pmem (pmcheck run --pmem PATH or "
             "pmtrace_register())");
}

/* Name the offending store and what to add after it: a fence when it was
 * flushed, a persist when not. */
static void hint_assert_persisted(const struct pmc_hint_input *in, char *buf,
                                  size_t size)
{
    const struct pmc_hint_site *store = note_site(in, PMC_NOTE_STORE);
    const struct pmc_hint_site *flush = note_site(in, PMC_NOTE_FLUSH);
    char where[600], what[600];
    if (store != NULL && flush != NULL) {
        at_site("flush", flush, where, sizeof(where));
        at_site("store", store, what, sizeof(what));
        snprintf(buf, size,
                 "add " FENCE_CALL " after %s, so %s is "
                 "persistent at the assertion",
                 where, what);
    } else if (store != NULL) {
        range_call("pmem_persist", store, in->len, what, sizeof(what));
        at_site("store", store, where, sizeof(where));
        snprintf(buf, size, "add %s after %s", what, where);
    } else {
        char args[2][PMC_HINT_ARG_SIZE];
        size_t n = in->site.line_text == NULL
                       ? 0
                       : pmc_hint_macro_args(in->site.line_text,
                                             "PMT_ASSERT_PERSISTED", args, 2);
        if (n == 2)
            snprintf(buf, size,
                     "persist the range before the assertion: "
                     "add pmem_persist(%s, %s) after its last store",
                     args[0], args[1]);
        else
            snprintf(buf, size,
                     "persist the asserted range (pmem_persist) "
                     "after its last store, before the "
                     "assertion");
    }
}

/* The k-th note of a role that has a site (the model notes a's store,
 * then b's, for assert-ordered). */
static const struct pmc_hint_site *
nth_note_site(const struct pmc_hint_input *in, enum pmc_note_role role,
              size_t k)
{
    for (size_t i = 0; i < in->nnotes && i < PMC_MAX_NOTES; i++)
        if (in->notes[i].role == role && k-- == 0)
            return site_named(&in->notes[i].site) ? &in->notes[i].site : NULL;
    return NULL;
}

/* PMT_ASSERT_ORDERED(a, alen, b, blen): persist a before storing to b,
 * with the annotation's own arguments when its line can be read. */
static void hint_assert_ordered(const struct pmc_hint_input *in, char *buf,
                                size_t size)
{
    char args[4][PMC_HINT_ARG_SIZE], b_store[600] = "";
    const struct pmc_hint_site *b = nth_note_site(in, PMC_NOTE_STORE, 1);
    if (b != NULL) {
        char name[512];
        site_name(b, name, sizeof(name));
        snprintf(b_store, sizeof(b_store), " at %s", name);
    }
    size_t n = in->site.line_text == NULL
                   ? 0
                   : pmc_hint_macro_args(in->site.line_text,
                                         "PMT_ASSERT_ORDERED", args, 4);
    if (n == 4)
        snprintf(buf, size,
                 "persist range a before the store to range b: "
                 "add pmem_persist(%s, %s) before the store to %s%s",
                 args[0], args[1], args[2], b_store);
    else
        snprintf(buf, size,
                 "persist range a (pmem_persist(a, alen)) "
                 "before the store to range b%s",
                 b_store);
}

static void hint_tx_unlogged(const struct pmc_hint_input *in, char *buf,
                             size_t size)
{
    char call[600], name[512];
    char lv[256];
    if (in->site.line_text != NULL &&
        pmc_hint_lvalue(in->site.line_text, lv, sizeof(lv)))
        snprintf(call, sizeof(call), "TX_ADD_DIRECT(%s%s)",
                 lv[0] == '*' ? "" : "&", lv[0] == '*' ? lv + 1 : lv);
    else
        range_call("pmemobj_tx_add_range_direct", NULL, in->len, call,
                   sizeof(call));
    if (site_named(&in->site)) {
        site_name(&in->site, name, sizeof(name));
        snprintf(buf, size, "add %s before %s", call, name);
    } else {
        snprintf(buf, size, "add %s before the store", call);
    }
}

static void hint_tx_redundant_add(const struct pmc_hint_input *in, char *buf,
                                  size_t size)
{
    char add[600];
    at_site("add", &in->site, add, sizeof(add));
    snprintf(buf, size, "remove %s: the range is already in the transaction",
             add);
}

static void hint_recovery_failed(const struct pmc_hint_input *in, char *buf,
                                 size_t size)
{
    char point[600];
    at_site("crash point", &in->site, point, sizeof(point));
    snprintf(buf, size,
             "persist what recovery depends on before %s, or make "
             "recovery handle this state (pmcheck crash rebuilds it from "
             "its state id)",
             point);
}

static void hint_cross_failure_read(const struct pmc_hint_input *in, char *buf,
                                    size_t size)
{
    const struct pmc_hint_site *store = note_site(in, PMC_NOTE_STORE);
    char what[600];
    at_site("store", store != NULL ? store : &in->site, what, sizeof(what));
    /* A declared commit variable is uncertain only once a later store was
     * persisted before it: the order is the bug, not the declaration. */
    if (in->commit_var) {
        snprintf(buf, size,
                 "persist %s (a commit variable) before any later store is "
                 "made persistent",
                 what);
        return;
    }
    snprintf(buf, size,
             "persist %s before the crash point, or mark the range "
             "PMT_COMMIT_VAR if recovery validates it before use",
             what);
}

/* The crash left the store's old or new value, as a crash between two
 * instructions would: only what the recovery does with it can be wrong. */
static void hint_in_flight_read(const struct pmc_hint_input *in, char *buf,
                                size_t size)
{
    const struct pmc_hint_site *store = note_site(in, PMC_NOTE_STORE);
    char what[600];
    at_site("store", store != NULL ? store : &in->site, what, sizeof(what));
    snprintf(buf, size,
             "if recovery validates the value of %s, mark the range "
             "PMT_COMMIT_VAR; if data persisted earlier vouches for it, "
             "persist it before that data",
             what);
}

void pmc_hint_compose(const struct pmc_hint_input *in, char *buf, size_t size)
{
    if (size == 0)
        return;
    buf[0] = '\0';
    switch (in->rule) {
    case PMC_RULE_UNPERSISTED_STORE:
        hint_unpersisted(in, buf, size);
        break;
    case PMC_RULE_MISSING_FENCE:
        hint_missing_fence(in, buf, size);
        break;
    case PMC_RULE_ASSERT_PERSISTED:
        hint_assert_persisted(in, buf, size);
        break;
    case PMC_RULE_ASSERT_ORDERED:
        hint_assert_ordered(in, buf, size);
        break;
    case PMC_RULE_TX_UNLOGGED_STORE:
        hint_tx_unlogged(in, buf, size);
        break;
    case PMC_RULE_CRASH_RECOVERY_FAILED:
        hint_recovery_failed(in, buf, size);
        break;
    case PMC_RULE_CROSS_FAILURE_READ:
        hint_cross_failure_read(in, buf, size);
        break;
    case PMC_RULE_REDUNDANT_FLUSH:
        hint_redundant_flush(in, buf, size);
        break;
    case PMC_RULE_REDUNDANT_FENCE:
        hint_redundant_fence(in, buf, size);
        break;
    case PMC_RULE_TX_REDUNDANT_ADD:
        hint_tx_redundant_add(in, buf, size);
        break;
    case PMC_RULE_FLUSH_NON_PMEM:
        hint_flush_non_pmem(buf, size);
        break;
    case PMC_RULE_IN_FLIGHT_READ:
        hint_in_flight_read(in, buf, size);
        break;
    case PMC_RULE_COUNT:
        break;
    }
}
