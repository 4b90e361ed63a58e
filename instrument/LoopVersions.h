/*
 * LoopVersions.h - a second copy of hot loops, without load tests, for the
 * runs that do not trace loads.
 *
 * Loads are traced only when a run asks for it (PMTRACE_LOADS: the
 * recovery runs of `pmcheck crash`); otherwise the runtime keeps the load
 * hull empty and every load test is a compare that never hits. Loads
 * outnumber stores, so in the common run those tests are most of what
 * instrumentation costs a loop.
 *
 * Contract: versionLoopsForLoads(F, Rt, DT, LI, Inst) runs on F before it
 * is instrumented and returns the loads that need no test. Each outermost
 * loop in which nothing may change the hull (mayChangeHull, HullReuse.h),
 * that has a load Inst would test (Instrumenter::testsLoad), that LLVM can
 * put in loop-simplify and LCSSA form and clone, and that has at most
 * MaxVersionedLoopSize instructions (or else its inner loops, the same way)
 * is cloned. Its preheader loads the load hull's span and enters the copy
 * when it is 0, the original otherwise; the copy's loads are returned. The
 * exits are shared: their phis take the copy's values from the copy's
 * exiting blocks. Stores keep their tests in both copies: DRAM stores of a
 * program that maps pmem must still be told from pmem ones.
 *
 * Why that is sound: the span read in the preheader stays valid in the
 * loop for the reason hoisted hull loads do (HullReuse.h): nothing in it
 * may change the hull, and a change by another thread is ordered with the
 * loop's loads only through synchronisation the loop does not contain.
 *
 * DT and LI are kept valid. Functions marked optnone, optsize or cold are
 * left alone: the first is not to be optimised, the others not to grow.
 */
#ifndef PMCHECK_LOOPVERSIONS_H
#define PMCHECK_LOOPVERSIONS_H

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Function.h"

#include "Instrumenter.h"
#include "RuntimeAbi.h"

namespace pmcheck
{

/* Instructions, before instrumentation: larger loops are not doubled. */
constexpr unsigned MaxVersionedLoopSize = 1000;

InstructionSet versionLoopsForLoads(llvm::Function &F, const RuntimeAbi &Rt,
                                    llvm::DominatorTree &DT, llvm::LoopInfo &LI,
                                    const Instrumenter &Inst);

} // namespace pmcheck

#endif /* PMCHECK_LOOPVERSIONS_H */
