/*
 * CallHooks.cpp - hooks around known library calls; see CallHooks.h.
 */
#include "CallHooks.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Instructions.h"

#include "pmtrace_abi.h"

using namespace llvm;

namespace pmcheck
{

namespace
{

/* Expanded from the header's own table, so the two cannot drift. */
const CallHook HookTable[] = {
#define PMT_HOOK_ENTRY(name, hooks, nparams) {#name, hooks, nparams},
    PMT_CALL_HOOKS(PMT_HOOK_ENTRY)
#undef PMT_HOOK_ENTRY
};

bool isIntOrPtr(const Type *T)
{
    return T->isIntegerTy() || T->isPointerTy();
}

/* A small struct returned by value comes back in registers as a literal
 * struct of its members ({ i64, i64 } for PMDK's PMEMoid). */
bool isRegisterPair(const Type *T)
{
    const auto *ST = dyn_cast<StructType>(T);
    if (!ST || !ST->isLiteral() || ST->getNumElements() != 2)
        return false;
    return isIntOrPtr(ST->getElementType(0)) &&
           isIntOrPtr(ST->getElementType(1));
}

bool hasHookableType(const FunctionType &FT, const CallHook &H)
{
    if (FT.getNumParams() != H.NumParams)
        return false;
    for (const Type *Param : FT.params())
        if (!isIntOrPtr(Param))
            return false;
    const Type *Ret = FT.getReturnType();
    return Ret->isVoidTy() || isIntOrPtr(Ret) || isRegisterPair(Ret);
}

/* Where a POST hook goes, or null when there is no place that runs exactly
 * when the call returned normally. */
Instruction *postHookPoint(CallBase &CB)
{
    auto *Invoke = dyn_cast<InvokeInst>(&CB);
    if (!Invoke)
        return CB.getNextNode();
    BasicBlock *Normal = Invoke->getNormalDest();
    if (!Normal->getSinglePredecessor())
        return nullptr;
    return &*Normal->getFirstInsertionPt();
}

FunctionCallee declareHook(Module &M, const Twine &Name, Type *Ret,
                           ArrayRef<Type *> Params)
{
    return M.getOrInsertFunction(Name.str(),
                                 FunctionType::get(Ret, Params, false));
}

} // namespace

const CallHook *findCallHook(StringRef Callee)
{
    for (const CallHook &H : HookTable)
        if (Callee == H.Name)
            return &H;
    return nullptr;
}

bool hookCall(CallBase &CB, const RuntimeAbi &Rt,
              function_ref<Constant *()> SiteFor)
{
    Function *Callee = CB.getCalledFunction();
    if (!Callee || Callee->isIntrinsic())
        return false;
    if (auto *Call = dyn_cast<CallInst>(&CB); Call && Call->isMustTailCall())
        return false;
    if (!isa<CallInst>(CB) && !isa<InvokeInst>(CB))
        return false;
    const CallHook *H = findCallHook(Callee->getName());
    FunctionType *FT = CB.getFunctionType();
    if (!H || FT != Callee->getFunctionType() || !hasHookableType(*FT, *H))
        return false;

    Module &M = *CB.getModule();
    StringRef Name = H->Name;
    Constant *Site = SiteFor();
    /* Variadic callees pass their fixed parameters only. */
    SmallVector<Value *, 8> Args(CB.arg_begin(),
                                 CB.arg_begin() + FT->getNumParams());
    SmallVector<Type *, 8> Params(FT->param_begin(), FT->param_end());
    Type *Ret = FT->getReturnType();

    if (H->Hooks & PMT_HOOK_REPLACE) {
        IRBuilder<> IRB(&CB);
        SmallVector<Value *, 8> AtArgs(Args);
        AtArgs.push_back(Site);
        SmallVector<Type *, 8> AtParams(Params);
        AtParams.push_back(Rt.SitePtrTy);
        FunctionCallee At = declareHook(M, "__pmt_at_" + Name, Ret, AtParams);
        CallBase *New;
        if (auto *Invoke = dyn_cast<InvokeInst>(&CB))
            New = IRB.CreateInvoke(At, Invoke->getNormalDest(),
                                   Invoke->getUnwindDest(), AtArgs);
        else
            New = IRB.CreateCall(At, AtArgs);
        New->setDebugLoc(CB.getDebugLoc());
        New->takeName(&CB);
        CB.replaceAllUsesWith(New);
        CB.eraseFromParent();
        return true;
    }

    if (H->Hooks & PMT_HOOK_PRE) {
        IRBuilder<> IRB(&CB);
        IRB.SetCurrentDebugLocation(CB.getDebugLoc());
        SmallVector<Value *, 8> PreArgs(Args);
        PreArgs.push_back(Site);
        SmallVector<Type *, 8> PreParams(Params);
        PreParams.push_back(Rt.SitePtrTy);
        IRB.CreateCall(
            declareHook(M, "__pmt_pre_" + Name, Rt.VoidTy, PreParams), PreArgs);
    }

    if (H->Hooks & PMT_HOOK_POST) {
        Instruction *Point = postHookPoint(CB);
        if (!Point)
            return true;
        IRBuilder<> IRB(Point);
        IRB.SetCurrentDebugLocation(CB.getDebugLoc());
        SmallVector<Value *, 9> PostArgs;
        SmallVector<Type *, 9> PostParams;
        if (isRegisterPair(Ret)) {
            /* One parameter per member, as C passes such a struct. */
            for (unsigned I = 0; I < 2; I++) {
                PostArgs.push_back(IRB.CreateExtractValue(&CB, I));
                PostParams.push_back(Ret->getStructElementType(I));
            }
        } else if (!Ret->isVoidTy()) {
            PostArgs.push_back(&CB);
            PostParams.push_back(Ret);
        }
        PostArgs.append(Args.begin(), Args.end());
        PostArgs.push_back(Site);
        PostParams.append(Params.begin(), Params.end());
        PostParams.push_back(Rt.SitePtrTy);
        IRB.CreateCall(
            declareHook(M, "__pmt_post_" + Name, Rt.VoidTy, PostParams),
            PostArgs);
    }
    return true;
}

} // namespace pmcheck
