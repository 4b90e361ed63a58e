/*
 * Instrumenter.h - the per-instruction rewriting of one function.
 *
 * Contract: instrumentFunction(F) adds, around every instruction of F that
 * can touch or order pmem, the runtime call pmtrace_abi.h prescribes, and
 * returns whether it changed F. It runs after optimisation (as ASan and TSan
 * do), so it sees the memory operations that really remain:
 *
 *   store (any type; volatile; atomic but not seq_cst)  gated __pmt_store,
 * after store !nontemporal, movnt/maskmov intrinsics        gated
 * __pmt_nt_store, after llvm.masked.store gated __pmt_store, after store atomic
 * seq_cst, atomicrmw, cmpxchg            __pmt_locked_rmw, after
 *                                                       (+ gated __pmt_load
 * before an RMW: its read half) llvm.memset* range-gated __pmt_fill, after
 *   llvm.memcpy* / llvm.memmove*                        range-gated __pmt_copy,
 * after clflush / clflushopt / clwb intrinsics and asm      __pmt_flush, after
 *   sfence / mfence / fence seq_cst and asm             __pmt_fence, after
 *   asm starting with `lock`                            __pmt_locked_rmw(NULL,
 * 0, 0) load (any), llvm.masked.load                        load-hull gated
 * __pmt_load, before calls in PMT_CALL_HOOKS                             see
 * CallHooks.h
 *
 * Addresses that are provably not pmem are skipped when the call is gated:
 * those whose underlying object is an alloca or a global variable (stack and
 * program globals are never pmem) or that are not in address space 0 (the
 * fs/gs segments of TLS). Ungated calls (flushes, fences, locked ops,
 * library hooks) are always made: they matter wherever they point.
 */
#ifndef PMCHECK_INSTRUMENTER_H
#define PMCHECK_INSTRUMENTER_H

#include "llvm/IR/DataLayout.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"

#include "RuntimeAbi.h"
#include "Sites.h"

namespace pmcheck
{

class Instrumenter
{
  public:
    Instrumenter(const RuntimeAbi &Rt, SiteTable &Sites,
                 const llvm::DataLayout &DL);

    bool instrumentFunction(llvm::Function &F);

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
};

} // namespace pmcheck

#endif /* PMCHECK_INSTRUMENTER_H */
