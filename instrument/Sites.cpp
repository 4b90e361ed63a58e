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

/* J's location when it names a line of subprogram SP, else null. */
const DILocation *knownLine(const Instruction &J, const DISubprogram *SP)
{
    const DILocation *L = J.getDebugLoc().get();
    if (L == nullptr || L->getLine() == 0)
        return nullptr;
    return L->getScope()->getSubprogram() == SP ? L : nullptr;
}

/* The first location of [From, To) that names a line of SP, else null. */
template <typename Iter>
const DILocation *firstKnownLine(Iter From, Iter To, const DISubprogram *SP)
{
    for (; From != To; ++From)
        if (const DILocation *L = knownLine(*From, SP))
            return L;
    return nullptr;
}

/*
 * An instruction the optimiser merged, hoisted or made up (a loop head's
 * loads, a PHI's) has line 0 or no location: a site the user cannot find.
 * As debuggers and profilers do, name the nearest line known in the same
 * subprogram instead: earlier in the block, then later in it, then the
 * subprogram's own line.
 */
void nearestKnownLine(const Instruction &I, const DISubprogram *SP,
                      SourcePlace &P)
{
    const BasicBlock &BB = *I.getParent();
    const DILocation *L = firstKnownLine(I.getReverseIterator(), BB.rend(), SP);
    if (L == nullptr)
        L = firstKnownLine(I.getIterator(), BB.end(), SP);
    if (L != nullptr) {
        P.Line = L->getLine();
        P.Column = L->getColumn();
    } else if (SP != nullptr) {
        P.Line = SP->getLine();
        P.Column = 0;
    }
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
        if (P.Line == 0)
            nearestKnownLine(I, SP, P);
    } else if (const DISubprogram *SP = F.getSubprogram()) {
        P.File = SP->getFilename();
        P.Dir = SP->getDirectory();
        P.Func = subprogramName(*SP);
        nearestKnownLine(I, SP, P);
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
