/*
 * RuntimeAbi.cpp - declarations of the runtime entry points; see
 * RuntimeAbi.h.
 */
#include "RuntimeAbi.h"

#include <cstddef>
#include <cstdint>

#include "pmtrace_abi.h"

using namespace llvm;

namespace pmcheck
{

namespace
{

/* The pass lays both records out as LLVM literal structs; these are the
 * layouts it assumes. */
static_assert(sizeof(struct __pmt_hull) == 4 * sizeof(uint64_t),
              "__pmt_hull is four uint64_t");
static_assert(offsetof(struct __pmt_site, line) == 4 &&
                  offsetof(struct __pmt_site, column) == 8 &&
                  offsetof(struct __pmt_site, flags) == 12 &&
                  offsetof(struct __pmt_site, file) == 16 &&
                  offsetof(struct __pmt_site, dir) == 24 &&
                  offsetof(struct __pmt_site, func) == 32 &&
                  sizeof(struct __pmt_site) == 40,
              "__pmt_site is { i32, i32, i32, i32, i8*, i8*, i8* }");

constexpr unsigned hullField(size_t Offset)
{
    return static_cast<unsigned>(Offset / sizeof(uint64_t));
}

/* HullField -> index of the field in struct __pmt_hull, from the header's
 * own layout. */
constexpr unsigned HullFieldIndex[NumHullFields] = {
    hullField(offsetof(struct __pmt_hull, store_lo)),
    hullField(offsetof(struct __pmt_hull, store_span)),
    hullField(offsetof(struct __pmt_hull, load_lo)),
    hullField(offsetof(struct __pmt_hull, load_span)),
};

HullField loField(Hull Which)
{
    return Which == Hull::Store ? HullField::StoreLo : HullField::LoadLo;
}

HullField spanField(Hull Which)
{
    return Which == Hull::Store ? HullField::StoreSpan : HullField::LoadSpan;
}

bool isLoField(HullField Field)
{
    return Field == HullField::StoreLo || Field == HullField::LoadLo;
}

/* C type of an entry point parameter -> its LLVM type. Only the types the
 * ABI uses have a mapping; a new one is a compile error here. */
template <typename T> struct AbiType;
template <> struct AbiType<void> {
    static Type *get(const RuntimeAbi &R)
    {
        return R.VoidTy;
    }
};
template <> struct AbiType<void *> {
    static Type *get(const RuntimeAbi &R)
    {
        return R.BytePtrTy;
    }
};
template <> struct AbiType<const void *> {
    static Type *get(const RuntimeAbi &R)
    {
        return R.BytePtrTy;
    }
};
template <> struct AbiType<uint32_t> {
    static Type *get(const RuntimeAbi &R)
    {
        return R.Int32Ty;
    }
};
template <> struct AbiType<uint64_t> {
    static Type *get(const RuntimeAbi &R)
    {
        return R.Int64Ty;
    }
};
template <> struct AbiType<struct __pmt_site *> {
    static Type *get(const RuntimeAbi &R)
    {
        return R.SitePtrTy;
    }
};

template <typename F> struct AbiSignature;
template <typename R, typename... Args> struct AbiSignature<R(Args...)> {
    static FunctionType *get(const RuntimeAbi &Rt)
    {
        return FunctionType::get(AbiType<R>::get(Rt),
                                 {AbiType<Args>::get(Rt)...}, false);
    }
};

} // namespace

/* decltype does not odr-use the entry point, so the plugin itself never
 * references the runtime's symbols. */
#define PMT_DECLARE_ENTRY(M, fn)                                               \
    (M).getOrInsertFunction(#fn, AbiSignature<decltype(fn)>::get(*this))

RuntimeAbi::RuntimeAbi(Module &M)
{
    LLVMContext &Ctx = M.getContext();
    VoidTy = Type::getVoidTy(Ctx);
    Int32Ty = Type::getInt32Ty(Ctx);
    Int64Ty = Type::getInt64Ty(Ctx);
    BytePtrTy = Type::getInt8PtrTy(Ctx);
    SiteTy = StructType::get(Ctx, {Int32Ty, Int32Ty, Int32Ty, Int32Ty,
                                   BytePtrTy, BytePtrTy, BytePtrTy});
    SitePtrTy = PointerType::getUnqual(SiteTy);
    HullTy = StructType::get(Ctx, {Int64Ty, Int64Ty, Int64Ty, Int64Ty});
    HullVar = M.getOrInsertGlobal("__pmt_hull", HullTy);
    for (unsigned F = 0; F < NumHullFields; F++) {
        Constant *Indices[] = {ConstantInt::get(Int32Ty, 0),
                               ConstantInt::get(Int32Ty, HullFieldIndex[F])};
        HullFieldPtr[F] =
            ConstantExpr::getInBoundsGetElementPtr(HullTy, HullVar, Indices);
    }

    ModuleInit = PMT_DECLARE_ENTRY(M, __pmt_module_init_v1);
    Store = PMT_DECLARE_ENTRY(M, __pmt_store);
    NtStore = PMT_DECLARE_ENTRY(M, __pmt_nt_store);
    LockedRmw = PMT_DECLARE_ENTRY(M, __pmt_locked_rmw);
    Fill = PMT_DECLARE_ENTRY(M, __pmt_fill);
    Copy = PMT_DECLARE_ENTRY(M, __pmt_copy);
    Flush = PMT_DECLARE_ENTRY(M, __pmt_flush);
    Fence = PMT_DECLARE_ENTRY(M, __pmt_fence);
    Load = PMT_DECLARE_ENTRY(M, __pmt_load);
}

LoadInst *RuntimeAbi::loadHullField(IRBuilder<> &IRB, HullField Field) const
{
    return IRB.CreateLoad(Int64Ty, HullFieldPtr[static_cast<unsigned>(Field)],
                          isLoField(Field) ? "pmt.lo" : "pmt.span");
}

Value *RuntimeAbi::loadHullLo(IRBuilder<> &IRB, Hull Which) const
{
    return loadHullField(IRB, loField(Which));
}

Value *RuntimeAbi::loadHullSpan(IRBuilder<> &IRB, Hull Which) const
{
    return loadHullField(IRB, spanField(Which));
}

bool RuntimeAbi::hullFieldOf(const Instruction &I, HullField &Field) const
{
    const auto *LI = dyn_cast<LoadInst>(&I);
    if (!LI || !LI->isSimple() || LI->getType() != Int64Ty)
        return false;
    for (unsigned F = 0; F < NumHullFields; F++) {
        if (LI->getPointerOperand() == HullFieldPtr[F]) {
            Field = static_cast<HullField>(F);
            return true;
        }
    }
    return false;
}

bool RuntimeAbi::keepsHull(const Value *Callee) const
{
    /* FunctionCallee::getCallee is not const. */
    FunctionCallee Entries[] = {Store, NtStore, LockedRmw, Fill,
                                Copy,  Flush,   Fence,     Load};
    for (FunctionCallee &Entry : Entries)
        if (Callee == Entry.getCallee()->stripPointerCasts())
            return true;
    return false;
}

} // namespace pmcheck
