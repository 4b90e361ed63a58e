/*
 * HullReuse.h - load each hull field once per stretch of code in which the
 * hull cannot change, instead of once per instrumented access.
 *
 * The Instrumenter loads __pmt_hull afresh for every test (HullGate.h), and
 * nothing runs after the pass to clean up: the optimiser would not reuse
 * those loads anyway, because every runtime call on the slow path may write
 * memory as far as it knows. A tight loop would pay two extra loads per
 * access and hold the hull's address in a register.
 *
 * Contract: reuseHullLoads(F, Rt, DT, LI) runs on a function the
 * Instrumenter has finished with, with F's dominator tree and loop info.
 *  1. Hoist: each outermost loop in which nothing may change the hull gets,
 *     in its preheader (made if missing), one load of each hull field its
 *     tests use.
 *  2. Reuse: a hull load is replaced by an earlier load of the same field
 *     that dominates it when no path between the two may change the hull.
 *     Loads left without users are deleted.
 * It returns whether F changed, and keeps DT and LI valid.
 *
 * mayChangeHull(I, Rt) says whether I may change the hull, as seen from
 * this thread: the rule both passes over loops (this one and
 * LoopVersions.h) build on.
 *
 * What may change the hull: the runtime writes __pmt_hull only when regions
 * come and go, which happens inside calls (mmap, pmem_map_file,
 * pmtrace_register and their hooks, or any function that might make one),
 * never inside the entry points the tests guard (RuntimeAbi::keepsHull),
 * which at most empty it. Intrinsics that only read memory or only touch
 * their pointer arguments (memcpy, masked stores, lifetime markers) map
 * nothing either. Another thread may change the hull at any time, but its
 * write is ordered before this thread's access only through
 * synchronisation: a call (pthread_mutex_lock), an atomic instruction or a
 * fence. Without one, the racy write is no more visible to a later access
 * than to an earlier one, exactly as for any non-atomic global the
 * optimiser keeps in a register; with one, the access after it reloads.
 * Volatile accesses count as synchronisation too: they are how a program
 * talks to its signal handlers. So calls other than those, atomics, fences
 * and volatile accesses end a stretch. The program's own stores are not
 * considered: the hull is the runtime's.
 *
 * Functions marked optnone (clang -O0) are left as instrumented: the user
 * asked for no optimisation, and at -O0 every value goes through the stack
 * anyway.
 */
#ifndef PMCHECK_HULLREUSE_H
#define PMCHECK_HULLREUSE_H

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Function.h"

#include "RuntimeAbi.h"

namespace pmcheck
{

bool reuseHullLoads(llvm::Function &F, const RuntimeAbi &Rt,
                    llvm::DominatorTree &DT, llvm::LoopInfo &LI);

bool mayChangeHull(const llvm::Instruction &I, const RuntimeAbi &Rt);

} // namespace pmcheck

#endif /* PMCHECK_HULLREUSE_H */
