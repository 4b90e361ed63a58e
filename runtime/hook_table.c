/*
 * hook_table.c - every hook PMT_CALL_HOOKS implies, by address, so that a
 * hook the runtime forgot is a build error rather than a call the pass
 * emits into nothing (see hooks.h).
 *
 * The hook kinds of each table line are pasted into a macro name
 * (HOOK_REFS_PMT_HOOK_POST...), so each kind expands to exactly the hooks
 * it implies; a kind this file does not know is an error too.
 */
#include "hooks.h"

#include "rt.h"

#define HOOK_REF(prefix, name) {#prefix #name, (void (*)(void))prefix##name},
#define HOOK_REFS_PMT_HOOK_PRE(name) HOOK_REF(__pmt_pre_, name)
#define HOOK_REFS_PMT_HOOK_POST(name) HOOK_REF(__pmt_post_, name)
#define HOOK_REFS_PMT_HOOK_PRE_POST(name)                                      \
    HOOK_REF(__pmt_pre_, name) HOOK_REF(__pmt_post_, name)
#define HOOK_REFS_PMT_HOOK_REPLACE(name) HOOK_REF(__pmt_at_, name)
#define HOOK_REFS(name, hooks, nparams) HOOK_REFS_##hooks(name)

PMT_EXPORT const struct pmt_hook_entry __pmt_hook_table[] = {
    PMT_CALL_HOOKS(HOOK_REFS)};

PMT_EXPORT const size_t __pmt_hook_count =
    sizeof(__pmt_hook_table) / sizeof(__pmt_hook_table[0]);
