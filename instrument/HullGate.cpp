/*
 * HullGate.cpp - the inline hull tests; see HullGate.h.
 */
#include "HullGate.h"

#include "llvm/IR/MDBuilder.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace llvm;

namespace pmcheck
{

Value *addressInHull(IRBuilder<> &IRB, const RuntimeAbi &Rt, Value *Addr,
                     Hull Which)
{
    Value *Lo = Rt.loadHullLo(IRB, Which);
    Value *Span = Rt.loadHullSpan(IRB, Which);
    Value *Int = IRB.CreatePtrToInt(Addr, Rt.Int64Ty, "pmt.addr");
    Value *Offset = IRB.CreateSub(Int, Lo, "pmt.off");
    return IRB.CreateICmpULT(Offset, Span, "pmt.hit");
}

Value *rangeMeetsHull(IRBuilder<> &IRB, const RuntimeAbi &Rt, Value *Addr,
                      Value *Len, Hull Which)
{
    Value *Lo = Rt.loadHullLo(IRB, Which);
    Value *Span = Rt.loadHullSpan(IRB, Which);
    Value *Begin = IRB.CreatePtrToInt(Addr, Rt.Int64Ty, "pmt.addr");
    Value *End =
        IRB.CreateAdd(Begin, IRB.CreateZExtOrTrunc(Len, Rt.Int64Ty), "pmt.end");
    Value *StartsBelowTop =
        IRB.CreateICmpULT(Begin, IRB.CreateAdd(Lo, Span), "pmt.below");
    Value *EndsAboveBottom = IRB.CreateICmpUGT(End, Lo, "pmt.above");
    return IRB.CreateAnd(StartsBelowTop, EndsAboveBottom, "pmt.hit");
}

void branchOnHit(IRBuilder<> &IRB, Value *Hit, Instruction *Before)
{
    /* Weights as the sanitizers use for their slow paths: block placement
     * keeps the DRAM path straight-line. */
    MDNode *Unlikely =
        MDBuilder(Before->getContext()).createBranchWeights(1, 100000);
    Instruction *SlowEnd =
        SplitBlockAndInsertIfThen(Hit, Before, false, Unlikely);
    /* The new branches carry Before's location; give them the instrumented
     * instruction's (the builder's), which SetInsertPoint then hands back
     * to the builder for the runtime call. */
    DebugLoc Loc = IRB.getCurrentDebugLocation();
    SlowEnd->setDebugLoc(Loc);
    SlowEnd->getParent()->getSinglePredecessor()->getTerminator()->setDebugLoc(
        Loc);
    IRB.SetInsertPoint(SlowEnd);
}

} // namespace pmcheck
