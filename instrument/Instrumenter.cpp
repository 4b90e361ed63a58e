/*
 * Instrumenter.cpp - per-instruction rewriting; see Instrumenter.h.
 */
#include "Instrumenter.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicsX86.h"

#include "AsmFlush.h"
#include "CallHooks.h"
#include "HullGate.h"
#include "pmtrace_format.h"

using namespace llvm;

namespace pmcheck
{

namespace
{

/* Non-temporal stores that LLVM 14 keeps as intrinsic calls (the other
 * movnt forms become stores with !nontemporal). The mask of maskmov picks
 * bytes; the runtime reads the whole range back, which is what it holds. */
struct NtIntrinsic {
    Intrinsic::ID ID;
    unsigned AddrOperand;
    uint64_t Size;
};
const NtIntrinsic NtIntrinsics[] = {
    {Intrinsic::x86_mmx_movnt_dq, 0, 8},
    {Intrinsic::x86_sse2_maskmov_dqu, 2, 16},
    {Intrinsic::x86_mmx_maskmovq, 2, 8},
};

const NtIntrinsic *findNtIntrinsic(Intrinsic::ID ID)
{
    for (const NtIntrinsic &N : NtIntrinsics)
        if (N.ID == ID)
            return &N;
    return nullptr;
}

/* The pointer a flush in an inline asm refers to: the first pointer
 * operand ("+m"(*p) passes p itself), or null. */
Value *asmAddressOperand(CallInst &CI)
{
    for (Value *Arg : CI.args())
        if (Arg->getType()->isPointerTy())
            return Arg;
    return nullptr;
}

/* Builders that insert right after / right before an instruction and give
 * what they insert its debug location, so a backtrace through the runtime
 * names the source line of the instrumented instruction. */
struct BuilderAfter : IRBuilder<> {
    explicit BuilderAfter(Instruction &I) : IRBuilder<>(I.getNextNode())
    {
        SetCurrentDebugLocation(I.getDebugLoc());
    }
};

struct BuilderBefore : IRBuilder<> {
    explicit BuilderBefore(Instruction &I) : IRBuilder<>(&I)
    {
        SetCurrentDebugLocation(I.getDebugLoc());
    }
};

} // namespace

Instrumenter::Instrumenter(const RuntimeAbi &Abi, SiteTable &Table,
                           const DataLayout &Layout)
    : Rt(Abi), Sites(Table), DL(Layout)
{
}

bool Instrumenter::instrumentFunction(Function &F,
                                      const InstructionSet &Untested)
{
    UntestedLoads = &Untested;
    /* Collect first: instrumenting splits blocks and adds instructions. */
    SmallVector<Instruction *, 64> Candidates;
    for (Instruction &I : instructions(F))
        if (isa<LoadInst>(I) || isa<StoreInst>(I) || isa<AtomicRMWInst>(I) ||
            isa<AtomicCmpXchgInst>(I) || isa<FenceInst>(I) || isa<CallBase>(I))
            Candidates.push_back(&I);
    bool Changed = false;
    for (Instruction *I : Candidates)
        Changed |= instrument(*I);
    return Changed;
}

bool Instrumenter::instrument(Instruction &I)
{
    CurrentSite = nullptr;
    if (auto *SI = dyn_cast<StoreInst>(&I))
        return instrumentStore(*SI);
    if (auto *LI = dyn_cast<LoadInst>(&I))
        return instrumentLoad(*LI);
    if (auto *RMW = dyn_cast<AtomicRMWInst>(&I))
        return instrumentAtomicRmw(*RMW);
    if (auto *CX = dyn_cast<AtomicCmpXchgInst>(&I))
        return instrumentCmpXchg(*CX);
    if (auto *FI = dyn_cast<FenceInst>(&I))
        return instrumentFence(*FI);
    if (auto *II = dyn_cast<IntrinsicInst>(&I))
        return instrumentIntrinsic(*II);
    auto &CB = cast<CallBase>(I);
    if (CB.isInlineAsm())
        return isa<CallInst>(CB) && instrumentAsm(cast<CallInst>(CB));
    return hookCall(CB, Rt, [&] { return siteFor(CB); });
}

bool Instrumenter::instrumentStore(StoreInst &SI)
{
    Value *Addr = SI.getPointerOperand();
    Type *Ty = SI.getValueOperand()->getType();
    /* On x86 a seq_cst store is an xchg: a locked op that orders flushes. */
    if (SI.isAtomic() &&
        SI.getOrdering() == AtomicOrdering::SequentiallyConsistent) {
        BuilderAfter IRB(SI);
        lockedRmw(IRB, SI, Addr, Ty);
        return true;
    }
    bool NonTemporal = SI.getMetadata(LLVMContext::MD_nontemporal);
    return storeAfter(SI, Addr, Ty, NonTemporal ? Rt.NtStore : Rt.Store);
}

bool Instrumenter::instrumentLoad(LoadInst &LI)
{
    if (UntestedLoads->count(&LI))
        return false;
    return loadBefore(LI, LI.getPointerOperand(), LI.getType());
}

bool Instrumenter::testsLoad(const Instruction &I) const
{
    if (const auto *LI = dyn_cast<LoadInst>(&I))
        return fixedStoreSize(LI->getType()) &&
               maybePmem(LI->getPointerOperand());
    if (const auto *II = dyn_cast<IntrinsicInst>(&I))
        return II->getIntrinsicID() == Intrinsic::masked_load &&
               fixedStoreSize(II->getType()) && maybePmem(II->getArgOperand(0));
    return false;
}

bool Instrumenter::instrumentAtomicRmw(AtomicRMWInst &RMW)
{
    Value *Addr = RMW.getPointerOperand();
    Type *Ty = RMW.getValOperand()->getType();
    loadBefore(RMW, Addr, Ty);
    BuilderAfter IRB(RMW);
    lockedRmw(IRB, RMW, Addr, Ty);
    return true;
}

bool Instrumenter::instrumentCmpXchg(AtomicCmpXchgInst &CX)
{
    Value *Addr = CX.getPointerOperand();
    Type *Ty = CX.getCompareOperand()->getType();
    loadBefore(CX, Addr, Ty);
    BuilderAfter IRB(CX);
    lockedRmw(IRB, CX, Addr, Ty);
    return true;
}

bool Instrumenter::instrumentFence(FenceInst &FI)
{
    /* Only `fence seq_cst` between threads becomes an instruction (MFENCE)
     * on x86. acquire/release/acq_rel fences, and any single-thread fence,
     * only restrain the compiler: they emit nothing, so they order no flush
     * and the trace must not claim they did. */
    if (FI.getOrdering() != AtomicOrdering::SequentiallyConsistent ||
        FI.getSyncScopeID() != SyncScope::System)
        return false;
    BuilderAfter IRB(FI);
    fence(IRB, FI, PMT_FENCE_MFENCE);
    return true;
}

bool Instrumenter::instrumentIntrinsic(IntrinsicInst &II)
{
    if (auto *MS = dyn_cast<AnyMemSetInst>(&II))
        return instrumentMemSet(*MS);
    if (auto *MT = dyn_cast<AnyMemTransferInst>(&II))
        return instrumentMemTransfer(*MT);
    uint32_t FlushKind = 0;
    uint32_t FenceKind = 0;
    switch (II.getIntrinsicID()) {
    case Intrinsic::masked_store:
        return storeAfter(II, II.getArgOperand(1),
                          II.getArgOperand(0)->getType(), Rt.Store);
    case Intrinsic::masked_load:
        if (UntestedLoads->count(&II))
            return false;
        return loadBefore(II, II.getArgOperand(0), II.getType());
    case Intrinsic::x86_sse2_clflush:
        FlushKind = PMT_FLUSH_CLFLUSH;
        break;
    case Intrinsic::x86_clflushopt:
        FlushKind = PMT_FLUSH_CLFLUSHOPT;
        break;
    case Intrinsic::x86_clwb:
        FlushKind = PMT_FLUSH_CLWB;
        break;
    case Intrinsic::x86_sse_sfence:
        FenceKind = PMT_FENCE_SFENCE;
        break;
    case Intrinsic::x86_sse2_mfence:
        FenceKind = PMT_FENCE_MFENCE;
        break;
    default:
        break;
    }
    if (FlushKind || FenceKind) {
        BuilderAfter IRB(II);
        if (FlushKind)
            flush(IRB, II, II.getArgOperand(0), FlushKind);
        else
            fence(IRB, II, FenceKind);
        return true;
    }
    if (const NtIntrinsic *NT = findNtIntrinsic(II.getIntrinsicID()))
        return storeAfter(II, II.getArgOperand(NT->AddrOperand), NT->Size,
                          Rt.NtStore);
    return false;
}

bool Instrumenter::instrumentMemSet(AnyMemSetInst &MS)
{
    Value *Dst = MS.getRawDest();
    if (!maybePmem(Dst))
        return false;
    Instruction *After = MS.getNextNode();
    BuilderAfter IRB(MS);
    Value *Hit = rangeMeetsHull(IRB, Rt, Dst, MS.getLength(), Hull::Store);
    branchOnHit(IRB, Hit, After);
    IRB.CreateCall(Rt.Fill, {IRB.CreatePointerCast(Dst, Rt.BytePtrTy),
                             IRB.CreateZExt(MS.getValue(), Rt.Int32Ty),
                             IRB.CreateZExtOrTrunc(MS.getLength(), Rt.Int64Ty),
                             siteFor(MS)});
    return true;
}

bool Instrumenter::instrumentMemTransfer(AnyMemTransferInst &MT)
{
    Value *Dst = MT.getRawDest();
    Value *Src = MT.getRawSource();
    bool DstMaybePmem = maybePmem(Dst);
    bool SrcMaybePmem = maybePmem(Src);
    if (!DstMaybePmem && !SrcMaybePmem)
        return false;
    Instruction *After = MT.getNextNode();
    BuilderAfter IRB(MT);
    Value *Len = MT.getLength();
    /* Writes to pmem, or reads from it when the run traces loads. */
    Value *Hit = nullptr;
    if (DstMaybePmem)
        Hit = rangeMeetsHull(IRB, Rt, Dst, Len, Hull::Store);
    if (SrcMaybePmem) {
        Value *SrcHit = rangeMeetsHull(IRB, Rt, Src, Len, Hull::Load);
        Hit = Hit ? IRB.CreateOr(Hit, SrcHit, "pmt.hit") : SrcHit;
    }
    branchOnHit(IRB, Hit, After);
    IRB.CreateCall(Rt.Copy,
                   {IRB.CreatePointerCast(Dst, Rt.BytePtrTy),
                    IRB.CreatePointerCast(Src, Rt.BytePtrTy),
                    IRB.CreateZExtOrTrunc(Len, Rt.Int64Ty), siteFor(MT)});
    return true;
}

bool Instrumenter::instrumentAsm(CallInst &CI)
{
    const auto *Asm = cast<InlineAsm>(CI.getCalledOperand());
    std::vector<AsmOp> Ops = recognizeAsmOps(Asm->getAsmString());
    Value *Addr = asmAddressOperand(CI);
    BuilderAfter IRB(CI);
    bool Changed = false;
    for (const AsmOp &Op : Ops) {
        switch (Op.kind) {
        case AsmOp::Kind::Flush: {
            /* A flush whose address the pass cannot see would be reported
             * as a flush of nothing; better not reported at all. */
            if (!Addr)
                continue;
            Value *Line = Addr;
            if (Op.displacement != 0)
                Line = IRB.CreateConstGEP1_64(
                    IRB.getInt8Ty(), IRB.CreatePointerCast(Addr, Rt.BytePtrTy),
                    static_cast<uint64_t>(Op.displacement), "pmt.line");
            flush(IRB, CI, Line, Op.detail);
            break;
        }
        case AsmOp::Kind::Fence:
            fence(IRB, CI, Op.detail);
            break;
        case AsmOp::Kind::Locked:
            lockedRmw(IRB, CI, nullptr, nullptr);
            break;
        }
        Changed = true;
    }
    return Changed;
}

bool Instrumenter::maybePmem(const Value *Addr) const
{
    if (Addr->getType()->getPointerAddressSpace() != 0)
        return false;
    const Value *Object = getUnderlyingObject(Addr);
    return !isa<AllocaInst>(Object) && !isa<GlobalVariable>(Object);
}

Value *Instrumenter::fixedStoreSize(Type *Ty) const
{
    TypeSize Size = DL.getTypeStoreSize(Ty);
    if (Size.isScalable())
        return nullptr;
    return ConstantInt::get(Rt.Int64Ty, Size.getFixedSize());
}

Constant *Instrumenter::siteFor(const Instruction &I)
{
    if (!CurrentSite)
        CurrentSite = Sites.siteFor(I);
    return CurrentSite;
}

bool Instrumenter::storeAfter(Instruction &I, Value *Addr, Type *Ty,
                              FunctionCallee Hook)
{
    TypeSize Size = DL.getTypeStoreSize(Ty);
    if (Size.isScalable())
        return false;
    return storeAfter(I, Addr, Size.getFixedSize(), Hook);
}

bool Instrumenter::storeAfter(Instruction &I, Value *Addr, uint64_t Size,
                              FunctionCallee Hook)
{
    if (!maybePmem(Addr))
        return false;
    Instruction *After = I.getNextNode();
    BuilderAfter IRB(I);
    Value *Hit = addressInHull(IRB, Rt, Addr, Hull::Store);
    branchOnHit(IRB, Hit, After);
    IRB.CreateCall(Hook, {IRB.CreatePointerCast(Addr, Rt.BytePtrTy),
                          ConstantInt::get(Rt.Int64Ty, Size), siteFor(I)});
    return true;
}

bool Instrumenter::loadBefore(Instruction &I, Value *Addr, Type *Ty)
{
    Value *Size = fixedStoreSize(Ty);
    if (!Size || !maybePmem(Addr))
        return false;
    BuilderBefore IRB(I);
    Value *Hit = addressInHull(IRB, Rt, Addr, Hull::Load);
    branchOnHit(IRB, Hit, &I);
    IRB.CreateCall(
        Rt.Load, {IRB.CreatePointerCast(Addr, Rt.BytePtrTy), Size, siteFor(I)});
    return true;
}

void Instrumenter::lockedRmw(IRBuilder<> &IRB, Instruction &I, Value *Addr,
                             Type *Ty)
{
    /* No address (a `lock`ed asm): NULL, 0 bytes, nothing stored; only the
     * ordering counts. A cmpxchg stored only if it succeeded, and orders
     * flushes either way. */
    Value *Ptr = Addr ? IRB.CreatePointerCast(Addr, Rt.BytePtrTy)
                      : ConstantPointerNull::get(Rt.BytePtrTy);
    Value *Size = Ty ? fixedStoreSize(Ty) : nullptr;
    Value *Stored = IRB.getInt32(Addr ? 1 : 0);
    if (auto *CX = dyn_cast<AtomicCmpXchgInst>(&I))
        Stored = IRB.CreateZExt(IRB.CreateExtractValue(CX, 1, "pmt.success"),
                                Rt.Int32Ty, "pmt.stored");
    IRB.CreateCall(Rt.LockedRmw,
                   {Ptr, Size ? Size : IRB.getInt64(0), Stored, siteFor(I)});
}

void Instrumenter::flush(IRBuilder<> &IRB, const Instruction &I, Value *Addr,
                         uint32_t Kind)
{
    IRB.CreateCall(Rt.Flush, {IRB.CreatePointerCast(Addr, Rt.BytePtrTy),
                              IRB.getInt32(Kind), siteFor(I)});
}

void Instrumenter::fence(IRBuilder<> &IRB, const Instruction &I, uint32_t Kind)
{
    IRB.CreateCall(Rt.Fence, {IRB.getInt32(Kind), siteFor(I)});
}

} // namespace pmcheck
