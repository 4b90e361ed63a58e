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
 * treats as clobbering memory, so a stale read cannot outlive it. Nothing
 * runs after the pass to reuse them; HullReuse.h does, and asks this module
 * which loads are hull loads (hullFieldOf) and which calls are entry points
 * that never grow the hull (keepsHull).
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

/* The four fields of struct __pmt_hull, numbered as the pass loads them. */
enum class HullField : unsigned { StoreLo, StoreSpan, LoadLo, LoadSpan };
constexpr unsigned NumHullFields = 4;

struct RuntimeAbi {
    explicit RuntimeAbi(llvm::Module &M);

    /* Loads of [lo, span) of one hull, at the builder's insertion point. */
    llvm::Value *loadHullLo(llvm::IRBuilder<> &IRB, Hull Which) const;
    llvm::Value *loadHullSpan(llvm::IRBuilder<> &IRB, Hull Which) const;
    /* A load of one field, named as loadHullLo/loadHullSpan name it. */
    llvm::LoadInst *loadHullField(llvm::IRBuilder<> &IRB,
                                  HullField Field) const;

    /* The field I loads if it is a plain load of one, as the functions
     * above emit them; otherwise false. */
    bool hullFieldOf(const llvm::Instruction &I, HullField &Field) const;

    /* Whether Callee is one of the entry points the pass calls for a memory
     * access, flush or fence (__pmt_store, _load, _nt_store, _fill, _copy,
     * _flush, _fence, _locked_rmw). They never grow the hull: only region
     * changes do, in the runtime's hooks of mapping calls and annotations.
     * At most they empty it when tracing stops, and a stale non-empty hull
     * only costs calls the runtime then ignores. */
    bool keepsHull(const llvm::Value *Callee) const;

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
    llvm::StructType *HullTy; /* struct __pmt_hull */
    llvm::Constant *HullVar;
    /* &__pmt_hull.<field>, indexed by HullField: constant expressions are
     * uniqued, so a hull load is recognised by its pointer operand. */
    llvm::Constant *HullFieldPtr[NumHullFields];
};

} // namespace pmcheck

#endif /* PMCHECK_RUNTIMEABI_H */
