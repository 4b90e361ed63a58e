/*
 * Sites.cpp - site records and their strings; see Sites.h.
 */
#include "Sites.h"

#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"

using namespace llvm;

namespace pmcheck
{

namespace
{

struct SourcePlace {
    unsigned Line = 0;
    unsigned Column = 0;
    StringRef File;
    StringRef Dir;
    StringRef Func;
};

StringRef subprogramName(const DISubprogram &SP)
{
    return SP.getName().empty() ? SP.getLinkageName() : SP.getName();
}

SourcePlace placeOf(const Instruction &I)
{
    SourcePlace P;
    const Function &F = *I.getFunction();
    if (const DILocation *Loc = I.getDebugLoc().get()) {
        P.Line = Loc->getLine();
        P.Column = Loc->getColumn();
        P.File = Loc->getFilename();
        P.Dir = Loc->getDirectory();
        const DISubprogram *SP = Loc->getScope()->getSubprogram();
        P.Func = SP ? subprogramName(*SP) : F.getName();
    } else if (const DISubprogram *SP = F.getSubprogram()) {
        P.File = SP->getFilename();
        P.Dir = SP->getDirectory();
        P.Func = subprogramName(*SP);
    } else {
        P.File = F.getParent()->getSourceFileName();
        P.Func = F.getName();
    }
    /* The runtime promises a name; an empty one would read as a bug. */
    if (P.Func.empty())
        P.Func = F.getName();
    return P;
}

} // namespace

SiteTable::SiteTable(Module &Mod, const RuntimeAbi &Abi) : M(Mod), Rt(Abi)
{
}

Constant *SiteTable::stringFor(StringRef S)
{
    Constant *&Ptr = Strings[S];
    if (Ptr)
        return Ptr;
    Constant *Bytes = ConstantDataArray::getString(M.getContext(), S);
    auto *GV =
        new GlobalVariable(M, Bytes->getType(), /*isConstant=*/true,
                           GlobalValue::PrivateLinkage, Bytes, "__pmt_str");
    GV->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
    GV->setAlignment(Align(1));
    Constant *Zero = ConstantInt::get(Rt.Int32Ty, 0);
    Constant *Indices[] = {Zero, Zero};
    Ptr = ConstantExpr::getInBoundsGetElementPtr(Bytes->getType(), GV, Indices);
    return Ptr;
}

Constant *SiteTable::siteFor(const Instruction &I)
{
    SourcePlace P = placeOf(I);
    Constant *Fields[] = {
        ConstantInt::get(Rt.Int32Ty, 0), /* id: the runtime's */
        ConstantInt::get(Rt.Int32Ty, P.Line),
        ConstantInt::get(Rt.Int32Ty, P.Column),
        ConstantInt::get(Rt.Int32Ty, 0), /* flags: reserved */
        stringFor(P.File),
        stringFor(P.Dir),
        stringFor(P.Func),
    };
    auto *Site = new GlobalVariable(
        M, Rt.SiteTy, /*isConstant=*/false, GlobalValue::PrivateLinkage,
        ConstantStruct::get(Rt.SiteTy, Fields), "__pmt_site");
    Site->setAlignment(Align(8));
    return Site;
}

} // namespace pmcheck
