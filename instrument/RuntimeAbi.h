/*
 * RuntimeAbi.h - the runtime as one module sees it: the LLVM declarations of
 * the entry points, the site record type and the fast-path hull of
 * runtime/include/pmtrace_abi.h.
 *
 * Contract: constructing a RuntimeAbi for a module declares (or reuses) every
 * entry point and the external global __pmt_hull in it. Names and signatures
 * are spelt through the header's own declarations (decltype), so a change to
 * the ABI that the pass does not follow fails to compile the pass instead of
 * producing programs that link to the wrong thing.
 *
 * The hull loads it emits are plain loads: the runtime changes the hull
 * rarely (on a mapping) and from inside a call, which the optimiser already
 * treats as clobbering memory, so a stale read cannot outlive it.
 */
#ifndef PMCHECK_RUNTIMEABI_H
#define PMCHECK_RUNTIMEABI_H

#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

namespace pmcheck
{

/* Which half of struct __pmt_hull a test uses. */
enum class Hull { Store, Load };

struct RuntimeAbi {
    explicit RuntimeAbi(llvm::Module &M);

    /* Loads of [lo, span) of one hull, at the builder's insertion point. */
    llvm::Value *loadHullLo(llvm::IRBuilder<> &IRB, Hull Which) const;
    llvm::Value *loadHullSpan(llvm::IRBuilder<> &IRB, Hull Which) const;

    llvm::Type *VoidTy;
    llvm::IntegerType *Int32Ty;
    llvm::IntegerType *Int64Ty;
    llvm::PointerType *BytePtrTy;
    llvm::StructType *SiteTy; /* struct __pmt_site */
    llvm::PointerType *SitePtrTy;

    llvm::FunctionCallee ModuleInit;
    llvm::FunctionCallee Store;
    llvm::FunctionCallee NtStore;
    llvm::FunctionCallee LockedRmw;
    llvm::FunctionCallee Fill;
    llvm::FunctionCallee Copy;
    llvm::FunctionCallee Flush;
    llvm::FunctionCallee Fence;
    llvm::FunctionCallee Load;

  private:
    llvm::Value *loadHullField(llvm::IRBuilder<> &IRB, unsigned Field,
                               const char *Name) const;

    llvm::StructType *HullTy; /* struct __pmt_hull */
    llvm::Constant *HullVar;
};

} // namespace pmcheck

#endif /* PMCHECK_RUNTIMEABI_H */
