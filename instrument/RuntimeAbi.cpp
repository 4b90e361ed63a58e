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

Value *RuntimeAbi::loadHullField(IRBuilder<> &IRB, unsigned Field,
                                 const char *Name) const
{
    Constant *Indices[] = {ConstantInt::get(Int32Ty, 0),
                           ConstantInt::get(Int32Ty, Field)};
    Constant *Addr =
        ConstantExpr::getInBoundsGetElementPtr(HullTy, HullVar, Indices);
    return IRB.CreateLoad(Int64Ty, Addr, Name);
}

Value *RuntimeAbi::loadHullLo(IRBuilder<> &IRB, Hull Which) const
{
    if (Which == Hull::Store)
        return loadHullField(
            IRB, hullField(offsetof(struct __pmt_hull, store_lo)), "pmt.lo");
    return loadHullField(IRB, hullField(offsetof(struct __pmt_hull, load_lo)),
                         "pmt.lo");
}

Value *RuntimeAbi::loadHullSpan(IRBuilder<> &IRB, Hull Which) const
{
    if (Which == Hull::Store)
        return loadHullField(IRB,
                             hullField(offsetof(struct __pmt_hull, store_span)),
                             "pmt.span");
    return loadHullField(IRB, hullField(offsetof(struct __pmt_hull, load_span)),
                         "pmt.span");
}

} // namespace pmcheck
