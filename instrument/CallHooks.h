/*
 * CallHooks.h - calls to the library functions the runtime wants to see:
 * the PMT_CALL_HOOKS table of runtime/include/pmtrace_abi.h.
 *
 * Contract: findCallHook(name) returns the table entry for a callee name,
 * or null. hookCall(CB, Hook, Site) checks that the call may be hooked and,
 * if so, emits the hooks and returns true:
 *   - a direct call or invoke (known callee), never a musttail call;
 *   - the callee's function type has exactly Hook.NumParams fixed
 *     parameters, each an integer or a pointer, and returns void, an
 *     integer, a pointer or a literal struct of two of them (a struct
 *     returned in two registers, as PMDK's PMEMoid): a program that
 *     declares `memcpy` some other way is not calling the function the
 *     runtime knows;
 *   - PRE: __pmt_pre_<name>(args..., site) before the call;
 *   - POST: __pmt_post_<name>([result,] args..., site) after it (a
 *     two-member struct result as its two members); after an
 *     invoke, at the start of its normal destination when that block has no
 *     other predecessor (otherwise the hook would also run on paths that did
 *     not make the call, so it is left out);
 *   - REPLACE: the call becomes __pmt_at_<name>(args..., site) with the
 *     original's result; CB is erased.
 * Hooks are declared with the IR types of the call, as the ABI says. The
 * site is created by the caller only once the call is known to be hooked:
 * SiteFor is called at most once.
 */
#ifndef PMCHECK_CALLHOOKS_H
#define PMCHECK_CALLHOOKS_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/IR/InstrTypes.h"

#include "RuntimeAbi.h"

namespace pmcheck
{

struct CallHook {
    const char *Name;
    unsigned Hooks; /* PMT_HOOK_PRE | PMT_HOOK_POST | PMT_HOOK_REPLACE */
    unsigned NumParams;
};

const CallHook *findCallHook(llvm::StringRef Callee);

bool hookCall(llvm::CallBase &CB, const RuntimeAbi &Rt,
              llvm::function_ref<llvm::Constant *()> SiteFor);

} // namespace pmcheck

#endif /* PMCHECK_CALLHOOKS_H */
