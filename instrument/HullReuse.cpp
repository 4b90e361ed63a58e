/*
 * HullReuse.cpp - hoisting and reuse of hull loads; see HullReuse.h.
 */
#include "HullReuse.h"

#include <array>

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Transforms/Utils/LoopUtils.h"

using namespace llvm;

namespace pmcheck
{

namespace
{

/* The load that holds each hull field at a program point, or null. */
using HullState = std::array<Instruction *, NumHullFields>;

/* A path check that visits more blocks than this gives up (and the load is
 * kept): it bounds the work on huge functions, where a few reloads do not
 * matter. */
constexpr unsigned PathBudget = 4096;

unsigned indexOf(HullField Field)
{
    return static_cast<unsigned>(Field);
}

bool isVolatileAccess(const Instruction &I)
{
    if (const auto *LI = dyn_cast<LoadInst>(&I))
        return LI->isVolatile();
    if (const auto *SI = dyn_cast<StoreInst>(&I))
        return SI->isVolatile();
    if (const auto *MI = dyn_cast<MemIntrinsic>(&I))
        return MI->isVolatile();
    return false;
}

class HullLoadReuse
{
  public:
    HullLoadReuse(const RuntimeAbi &Abi, DominatorTree &Dom, LoopInfo &Loops)
        : Rt(Abi), DT(Dom), LI(Loops)
    {
    }

    bool run(Function &F);

  private:
    void hoistOutOf(Loop &L);
    bool isHullLoad(const Instruction &I, HullField &Field) const
    {
        return Rt.hullFieldOf(I, Field);
    }
    bool pathsKeepHull(BasicBlock *From, BasicBlock *To) const;
    void reuseInDominatorOrder(Function &F);
    void deleteUnusedLoads(Function &F);

    const RuntimeAbi &Rt;
    DominatorTree &DT;
    LoopInfo &LI;
    /* Blocks with an instruction that may change the hull. */
    SmallPtrSet<const BasicBlock *, 16> Changing;
    bool Changed = false;
};

bool HullLoadReuse::run(Function &F)
{
    bool HasHullLoads = false;
    for (BasicBlock &B : F) {
        for (Instruction &I : B) {
            HullField Field;
            if (isHullLoad(I, Field))
                HasHullLoads = true;
            else if (mayChangeHull(I, Rt))
                Changing.insert(&B);
        }
    }
    if (!HasHullLoads)
        return false;
    /* Hoisting may add preheaders to LI's loops: walk a copy. */
    SmallVector<Loop *, 8> TopLevel(LI.begin(), LI.end());
    for (Loop *L : TopLevel)
        hoistOutOf(*L);
    reuseInDominatorOrder(F);
    deleteUnusedLoads(F);
    return Changed;
}

/* Loads the fields L's tests use in its preheader, if nothing in L may
 * change the hull; otherwise tries its inner loops. The loads in L are left
 * for reuseInDominatorOrder to replace: it proves, not assumes, that the
 * preheader's value reaches them. */
void HullLoadReuse::hoistOutOf(Loop &L)
{
    bool Used[NumHullFields] = {};
    bool KeepsHull = true;
    for (BasicBlock *B : L.blocks()) {
        KeepsHull &= !Changing.count(B);
        for (Instruction &I : *B) {
            HullField Field;
            if (isHullLoad(I, Field))
                Used[indexOf(Field)] = true;
        }
    }
    if (!(Used[0] || Used[1] || Used[2] || Used[3]))
        return;
    BasicBlock *Preheader = nullptr;
    if (KeepsHull) {
        Preheader = L.getLoopPreheader();
        if (!Preheader)
            Preheader = InsertPreheaderForLoop(&L, &DT, &LI, nullptr,
                                               /*PreserveLCSSA=*/false);
    }
    if (!Preheader) {
        for (Loop *Inner : L.getSubLoops())
            hoistOutOf(*Inner);
        return;
    }
    IRBuilder<> IRB(Preheader->getTerminator());
    /* A hoisted load belongs to no one source line (as LICM does it). */
    IRB.SetCurrentDebugLocation(DebugLoc());
    for (unsigned F = 0; F < NumHullFields; F++)
        if (Used[F])
            Rt.loadHullField(IRB, static_cast<HullField>(F));
    Changed = true;
}

/* Whether every path from the end of From to the start of To (From
 * dominates To) keeps the hull: the blocks that reach To without passing
 * through From again, To itself included when it is on a cycle, have
 * nothing that may change it. */
bool HullLoadReuse::pathsKeepHull(BasicBlock *From, BasicBlock *To) const
{
    SmallPtrSet<BasicBlock *, 16> Seen;
    SmallVector<BasicBlock *, 16> Work(pred_begin(To), pred_end(To));
    while (!Work.empty()) {
        BasicBlock *B = Work.pop_back_val();
        if (B == From || !Seen.insert(B).second)
            continue;
        if (Changing.count(B) || Seen.size() > PathBudget)
            return false;
        Work.append(pred_begin(B), pred_end(B));
    }
    return true;
}

/* Scoped over the dominator tree, as EarlyCSE is: a block starts with what
 * its immediate dominator ends with, when the paths between them keep the
 * hull, and with nothing otherwise. */
void HullLoadReuse::reuseInDominatorOrder(Function &F)
{
    struct Visit {
        DomTreeNode *Node;
        HullState AtParentEnd;
    };
    SmallVector<Visit, 32> Stack;
    Stack.push_back({DT.getNode(&F.getEntryBlock()), HullState{}});
    while (!Stack.empty()) {
        Visit V = Stack.pop_back_val();
        BasicBlock *B = V.Node->getBlock();
        DomTreeNode *IDom = V.Node->getIDom();
        HullState State = IDom && pathsKeepHull(IDom->getBlock(), B)
                              ? V.AtParentEnd
                              : HullState{};
        for (Instruction &I : make_early_inc_range(*B)) {
            HullField Field;
            if (isHullLoad(I, Field)) {
                Instruction *&Held = State[indexOf(Field)];
                if (!Held) {
                    Held = &I;
                    continue;
                }
                I.replaceAllUsesWith(Held);
                I.eraseFromParent();
                Changed = true;
            } else if (mayChangeHull(I, Rt)) {
                State = HullState{};
            }
        }
        for (DomTreeNode *Child : V.Node->children())
            Stack.push_back({Child, State});
    }
}

/* A loop whose tests all sit on paths its preheader's loads cannot be
 * proved to reach (a path check over budget) leaves them unused. */
void HullLoadReuse::deleteUnusedLoads(Function &F)
{
    for (BasicBlock &B : F) {
        for (Instruction &I : make_early_inc_range(B)) {
            HullField Field;
            if (isHullLoad(I, Field) && I.use_empty())
                I.eraseFromParent();
        }
    }
}

} // namespace

bool mayChangeHull(const Instruction &I, const RuntimeAbi &Rt)
{
    /* Synchronisation with a thread that may have changed it, or, for a
     * volatile access, perhaps with a signal handler. */
    if (I.isAtomic() || isVolatileAccess(I))
        return true;
    const auto *CB = dyn_cast<CallBase>(&I);
    if (!CB)
        return false;
    if (Rt.keepsHull(CB->getCalledOperand()->stripPointerCasts()))
        return false;
    /* Intrinsics that write nothing, or only through their pointer
     * arguments, neither map memory nor synchronise. Fences and the x86
     * flush intrinsics are neither: they say nothing of their memory. */
    const auto *II = dyn_cast<IntrinsicInst>(CB);
    if (!II)
        return true;
    return !(II->isAssumeLikeIntrinsic() || II->onlyReadsMemory() ||
             II->onlyAccessesArgMemory());
}

bool reuseHullLoads(Function &F, const RuntimeAbi &Rt, DominatorTree &DT,
                    LoopInfo &LI)
{
    if (F.hasOptNone())
        return false;
    return HullLoadReuse(Rt, DT, LI).run(F);
}

} // namespace pmcheck
