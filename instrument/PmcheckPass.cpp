/*
 * PmcheckPass.cpp - the pmcheck pass plugin: registration and the module
 * driver.
 *
 * Contract: loaded into clang (-fpass-plugin=pmcheck-pass.so) the pass runs
 * at the end of the optimisation pipeline at every -O level; loaded into
 * opt it is the pipeline element `pmcheck`. It instruments every defined
 * function of the module (see Instrumenter.h) except its own constructor,
 * the runtime's `__pmt_*` functions and naked functions (their body is asm
 * that owns the frame; a call inside would break it), and adds a
 * constructor, priority 1 as the sanitizers', that calls
 * __pmt_module_init_v1(). A module that already has the constructor was
 * instrumented before and is left alone, so running the pass twice does not
 * trace every store twice.
 *
 * Each function is first given load-test-free copies of its loops
 * (LoopVersions.h), then instrumented, then has its hull loads hoisted and
 * reused (HullReuse.h). Both steps take the dominator tree and loops from
 * the function analysis manager: the first as the pipeline left them, the
 * last recomputed after instrumentation.
 *
 * The pass is required: at -O0 clang marks every function optnone, and an
 * optional pass would skip them all.
 */
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

#include "HullReuse.h"
#include "Instrumenter.h"
#include "LoopVersions.h"
#include "RuntimeAbi.h"
#include "Sites.h"

using namespace llvm;

namespace
{

constexpr const char *CtorName = "pmcheck.module_ctor";
constexpr const char *PassName = "pmcheck";

bool shouldInstrument(const Function &F)
{
    return !F.isDeclaration() && !F.getName().startswith("__pmt_") &&
           F.getName() != CtorName && !F.hasFnAttribute(Attribute::Naked);
}

void addModuleCtor(Module &M, const pmcheck::RuntimeAbi &Rt)
{
    Function *Ctor = createSanitizerCtor(M, CtorName);
    IRBuilder<> IRB(Ctor->getEntryBlock().getTerminator());
    IRB.CreateCall(Rt.ModuleInit, {});
    appendToGlobalCtors(M, Ctor, 1);
}

void instrument(Function &F, const pmcheck::RuntimeAbi &Rt,
                pmcheck::Instrumenter &Inst, FunctionAnalysisManager &FAM)
{
    pmcheck::InstructionSet Untested = pmcheck::versionLoopsForLoads(
        F, Rt, FAM.getResult<DominatorTreeAnalysis>(F),
        FAM.getResult<LoopAnalysis>(F), Inst);
    Inst.instrumentFunction(F, Untested);
    /* Versioning and instrumenting change the CFG: what FAM holds for F
     * is stale. */
    FAM.invalidate(F, PreservedAnalyses::none());
    pmcheck::reuseHullLoads(F, Rt, FAM.getResult<DominatorTreeAnalysis>(F),
                            FAM.getResult<LoopAnalysis>(F));
}

struct PmcheckPass : PassInfoMixin<PmcheckPass> {
    PreservedAnalyses run(Module &M, ModuleAnalysisManager &MAM)
    {
        if (M.getFunction(CtorName))
            return PreservedAnalyses::all();
        pmcheck::RuntimeAbi Rt(M);
        pmcheck::SiteTable Sites(M, Rt);
        pmcheck::Instrumenter Inst(Rt, Sites, M.getDataLayout());
        /* Snapshot: instrumenting declares runtime functions in M. */
        std::vector<Function *> Functions;
        for (Function &F : M)
            if (shouldInstrument(F))
                Functions.push_back(&F);
        FunctionAnalysisManager &FAM =
            MAM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
        for (Function *F : Functions)
            instrument(*F, Rt, Inst, FAM);
        addModuleCtor(M, Rt);
        return PreservedAnalyses::none();
    }

    static bool isRequired()
    {
        return true;
    }
};

void registerCallbacks(PassBuilder &PB)
{
    PB.registerOptimizerLastEPCallback(
        [](ModulePassManager &MPM, OptimizationLevel) {
            MPM.addPass(PmcheckPass());
        });
    PB.registerPipelineParsingCallback(
        [](StringRef Name, ModulePassManager &MPM,
           ArrayRef<PassBuilder::PipelineElement>) {
            if (Name != PassName)
                return false;
            MPM.addPass(PmcheckPass());
            return true;
        });
}

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo()
{
    return {LLVM_PLUGIN_API_VERSION, PassName, "0.1", registerCallbacks};
}
