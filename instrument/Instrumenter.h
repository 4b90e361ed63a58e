/*
 * Instrumenter.h - the per-instruction rewriting of one function.
 *
 * Contract: instrumentFunction(F, Untested) adds, around every instruction
 * of F that can touch or order pmem, the runtime call pmtrace_abi.h
 * prescribes, and returns whether it changed F. It runs after optimisation
 * (as ASan and TSan do), so it sees the memory operations that really
 * remain:
 *
 *   instruction                          call            where   gate
 *   store (any type; volatile; atomic    __pmt_store     after   store hull
 *     but not seq_cst)
 *   store !nontemporal, movnt/maskmov    __pmt_nt_store  after   store hull
 *     intrinsics
 *   llvm.masked.store                    __pmt_store     after   store hull
 *   store atomic seq_cst, atomicrmw,     __pmt_locked_rmw after  none
 *     cmpxchg (an RMW's read half:       __pmt_load      before  load hull)
 *   llvm.memset*                         __pmt_fill      after   range
 *   llvm.memcpy*, llvm.memmove*          __pmt_copy      after   ranges
 *   clflush/clflushopt/clwb intrinsics   __pmt_flush     after   none
 *     and asm
 *   sfence/mfence/fence seq_cst and asm  __pmt_fence     after   none
 *   asm starting with `lock`             __pmt_locked_rmw(NULL, 0, 0)
 *   load (any), llvm.masked.load         __pmt_load      before  load hull
 *   calls in PMT_CALL_HOOKS              see CallHooks.h
 *
 * Loads in Untested are not tested (LoopVersions.h made them the copy of a
 * loop that runs only while no load can be traced); testsLoad(I) says
 * whether I is a load that would otherwise be tested.
 *
 * Addresses that are provably not pmem are skipped when the call is gated:
 * those whose underlying object is an alloca or a global variable (stack and
 * program globals are never pmem) or that are not in address space 0 (the
 * fs/gs segments of TLS). Ungated calls (flushes, fences, locked ops,
 * library hooks) are always made: they matter wherever they point.
 */
#ifndef PMCHECK_INSTRUMENTER_H
#define PMCHECK_INSTRUMENTER_H

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"

#include "RuntimeAbi.h"
#include "Sites.h"

namespace pmcheck
{

using InstructionSet = llvm::SmallPtrSet<const llvm::Instruction *, 16>;

class Instrumenter
{
  public:
    Instrumenter(const RuntimeAbi &Rt, SiteTable &Sites,
                 const llvm::DataLayout &DL);

    bool instrumentFunction(llvm::Function &F, const InstructionSet &Untested);
    bool testsLoad(const llvm::Instruction &I) const;

  private:
    bool instrument(llvm::Instruction &I);
    bool instrumentStore(llvm::StoreInst &SI);
    bool instrumentLoad(llvm::LoadInst &LI);
    bool instrumentAtomicRmw(llvm::AtomicRMWInst &RMW);
    bool instrumentCmpXchg(llvm::AtomicCmpXchgInst &CX);
    bool instrumentFence(llvm::FenceInst &FI);
    bool instrumentIntrinsic(llvm::IntrinsicInst &II);
    bool instrumentMemSet(llvm::AnyMemSetInst &MS);
    bool instrumentMemTransfer(llvm::AnyMemTransferInst &MT);
    bool instrumentAsm(llvm::CallInst &CI);

    /* Gated calls. Each returns false, and emits nothing, when Addr is
     * provably not pmem or the access has no fixed size. */
    bool storeAfter(llvm::Instruction &I, llvm::Value *Addr, llvm::Type *Ty,
                    llvm::FunctionCallee Hook);
    bool storeAfter(llvm::Instruction &I, llvm::Value *Addr, uint64_t Size,
                    llvm::FunctionCallee Hook);
    bool loadBefore(llvm::Instruction &I, llvm::Value *Addr, llvm::Type *Ty);
    /* Always made, at the builder's insertion point. */
    void lockedRmw(llvm::IRBuilder<> &IRB, llvm::Instruction &I,
                   llvm::Value *Addr, llvm::Type *Ty);
    void flush(llvm::IRBuilder<> &IRB, const llvm::Instruction &I,
               llvm::Value *Addr, uint32_t Kind);
    void fence(llvm::IRBuilder<> &IRB, const llvm::Instruction &I,
               uint32_t Kind);

    bool maybePmem(const llvm::Value *Addr) const;
    llvm::Value *fixedStoreSize(llvm::Type *Ty) const;
    /* One site per instrumented instruction, made on first use: an RMW
     * gets a load and a locked op, an asm several flushes, one site. */
    llvm::Constant *siteFor(const llvm::Instruction &I);

    const RuntimeAbi &Rt;
    SiteTable &Sites;
    const llvm::DataLayout &DL;
    llvm::Constant *CurrentSite = nullptr;
    /* The caller's set, while instrumentFunction runs. */
    const InstructionSet *UntestedLoads = nullptr;
};

} // namespace pmcheck

#endif /* PMCHECK_INSTRUMENTER_H */
