/*
 * LoopVersions.cpp - load-test-free copies of loops; see LoopVersions.h.
 */
#include "LoopVersions.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/LoopSimplify.h"
#include "llvm/Transforms/Utils/LoopUtils.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

#include "HullReuse.h"

using namespace llvm;

namespace pmcheck
{

namespace
{

class LoadVersioner
{
  public:
    LoadVersioner(Function &Fn, const RuntimeAbi &Abi, DominatorTree &Dom,
                  LoopInfo &Loops, const Instrumenter &I)
        : F(Fn), Rt(Abi), DT(Dom), LI(Loops), Inst(I)
    {
    }

    InstructionSet run();

  private:
    void visit(Loop &L);
    bool version(Loop &L);
    void addCopyToExits(Loop &L, ValueToValueMapTy &VMap);

    Function &F;
    const RuntimeAbi &Rt;
    DominatorTree &DT;
    LoopInfo &LI;
    const Instrumenter &Inst;
    InstructionSet Untested;
};

InstructionSet LoadVersioner::run()
{
    /* Versioning adds loops to LI: walk a copy. */
    SmallVector<Loop *, 8> TopLevel(LI.begin(), LI.end());
    for (Loop *L : TopLevel)
        visit(*L);
    return std::move(Untested);
}

/* Versions L if it qualifies as a whole, otherwise tries its inner loops. */
void LoadVersioner::visit(Loop &L)
{
    bool KeepsHull = true;
    bool HasTestedLoad = false;
    unsigned Size = 0;
    for (BasicBlock *B : L.blocks()) {
        for (Instruction &I : *B) {
            /* -g must not change what is versioned. */
            if (isa<DbgInfoIntrinsic>(I))
                continue;
            Size++;
            KeepsHull &= !mayChangeHull(I, Rt);
            HasTestedLoad |= Inst.testsLoad(I);
        }
    }
    if (!HasTestedLoad)
        return;
    if (KeepsHull && Size <= MaxVersionedLoopSize && version(L))
        return;
    SmallVector<Loop *, 4> Inner(L.begin(), L.end());
    for (Loop *Sub : Inner)
        visit(*Sub);
}

bool LoadVersioner::version(Loop &L)
{
    if (!L.isSafeToClone())
        return false;
    simplifyLoop(&L, &DT, &LI, nullptr, nullptr, nullptr,
                 /*PreserveLCSSA=*/false);
    if (!L.isLoopSimplifyForm())
        return false;
    /* Every value the loop defines and uses outside then goes through a
     * phi in a dedicated exit block, where the copy's value joins it. */
    formLCSSARecursively(L, DT, &LI, nullptr);

    BasicBlock *Dispatch = L.getLoopPreheader();
    BasicBlock *Preheader =
        SplitBlock(Dispatch, Dispatch->getTerminator(), &DT, &LI, nullptr,
                   L.getHeader()->getName() + ".pmt.ph");
    ValueToValueMapTy VMap;
    SmallVector<BasicBlock *, 16> CopyBlocks;
    Loop *Copy = cloneLoopWithPreheader(Preheader, Dispatch, &L, VMap,
                                        ".pmt.noload", &LI, &DT, CopyBlocks);
    remapInstructionsInBlocks(CopyBlocks, VMap);
    addCopyToExits(L, VMap);

    Instruction *Entry = Dispatch->getTerminator();
    IRBuilder<> IRB(Entry);
    Value *Span = Rt.loadHullField(IRB, HullField::LoadSpan);
    Value *NoLoads = IRB.CreateICmpEQ(Span, IRB.getInt64(0), "pmt.noloads");
    IRB.CreateCondBr(NoLoads, Copy->getLoopPreheader(), Preheader);
    Entry->eraseFromParent();
    /* The exits, and what they dominated, now hang off Dispatch. */
    DT.recalculate(F);

    for (BasicBlock *B : CopyBlocks)
        for (Instruction &I : *B)
            if (Inst.testsLoad(I))
                Untested.insert(&I);
    return true;
}

/* The copy's exiting blocks branch to L's exit blocks too: each phi there
 * gets, for each of its incoming edges from L, the same edge from the
 * copy with the copy's value. */
void LoadVersioner::addCopyToExits(Loop &L, ValueToValueMapTy &VMap)
{
    SmallVector<BasicBlock *, 4> Exits;
    L.getUniqueExitBlocks(Exits);
    for (BasicBlock *Exit : Exits) {
        for (PHINode &Phi : Exit->phis()) {
            SmallVector<std::pair<Value *, BasicBlock *>, 4> FromLoop;
            for (unsigned I = 0; I < Phi.getNumIncomingValues(); I++)
                if (L.contains(Phi.getIncomingBlock(I)))
                    FromLoop.push_back(
                        {Phi.getIncomingValue(I), Phi.getIncomingBlock(I)});
            for (auto &[V, From] : FromLoop) {
                Value *CopyV = VMap.lookup(V);
                Phi.addIncoming(CopyV ? CopyV : V,
                                cast<BasicBlock>(VMap[From]));
            }
        }
    }
}

} // namespace

InstructionSet versionLoopsForLoads(Function &F, const RuntimeAbi &Rt,
                                    DominatorTree &DT, LoopInfo &LI,
                                    const Instrumenter &Inst)
{
    if (F.hasOptNone() || F.hasOptSize() || F.hasFnAttribute(Attribute::Cold))
        return {};
    return LoadVersioner(F, Rt, DT, LI, Inst).run();
}

} // namespace pmcheck
