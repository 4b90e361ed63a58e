/*
 * HullGate.h - the inline DRAM fast path: a few instructions that decide
 * whether an address can be pmem at all before the runtime is called.
 *
 * Contract: the *InHull / *MeetsHull functions emit the test at the
 * builder's insertion point and return the i1 "maybe pmem"; branchOnHit
 * splits the block before `Before` so that a new, unlikely block runs only
 * when the test is true, and moves the builder into that block (before its
 * branch back), keeping the builder's debug location for the new branches
 * and whatever is inserted next: the runtime call. The runtime keeps the hull
 * empty (span 0) when nothing is mapped or tracing is off, so an uninstrumented
 * run pays a subtraction, a compare and a predicted branch, plus the two
 * hull loads each test emits until HullReuse.h shares them.
 */
#ifndef PMCHECK_HULLGATE_H
#define PMCHECK_HULLGATE_H

#include "RuntimeAbi.h"

namespace pmcheck
{

/* (uintptr_t)Addr - lo <u span: one compare covers both ends. */
llvm::Value *addressInHull(llvm::IRBuilder<> &IRB, const RuntimeAbi &Rt,
                           llvm::Value *Addr, Hull Which);

/* [Addr, Addr + Len) overlaps [lo, lo + span), unsigned. Len is any integer
 * type. */
llvm::Value *rangeMeetsHull(llvm::IRBuilder<> &IRB, const RuntimeAbi &Rt,
                            llvm::Value *Addr, llvm::Value *Len, Hull Which);

void branchOnHit(llvm::IRBuilder<> &IRB, llvm::Value *Hit,
                 llvm::Instruction *Before);

} // namespace pmcheck

#endif /* PMCHECK_HULLGATE_H */
