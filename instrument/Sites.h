/*
 * Sites.h - the struct __pmt_site records the pass emits, one per
 * instrumented instruction, and the strings they point to.
 *
 * Contract: siteFor(I) creates a new private, writable global of type
 * RuntimeAbi::SiteTy, { id = 0, line, column, flags = 0, file, dir, func },
 * and returns it. The runtime writes `id`, so sites are never constants and
 * never shared between instructions. Strings are private unnamed_addr
 * constants, one per distinct string per module.
 *
 * Where the fields come from:
 *  - the instruction's DILocation: its line, column, file and directory,
 *    and the name of its scope's subprogram. After inlining that is the
 *    inlined callee, where the code really is, not the function it now
 *    sits in;
 *  - a location with line 0, or none in a function that has debug info
 *    (code the optimiser merged, hoisted or made up, e.g. a loop head's
 *    loads): the nearest line known in the same subprogram - earlier in
 *    the block, then later in it (with that instruction's column), else
 *    the subprogram's own line (column 0) - and the subprogram's file,
 *    directory and name;
 *  - no debug info: line 0, the module's source file name, dir "", and the
 *    IR function name.
 */
#ifndef PMCHECK_SITES_H
#define PMCHECK_SITES_H

#include "llvm/ADT/StringMap.h"
#include "llvm/IR/Instruction.h"

#include "RuntimeAbi.h"

namespace pmcheck
{

class SiteTable
{
  public:
    SiteTable(llvm::Module &M, const RuntimeAbi &Rt);

    llvm::Constant *siteFor(const llvm::Instruction &I);

  private:
    llvm::Constant *stringFor(llvm::StringRef S);

    llvm::Module &M;
    const RuntimeAbi &Rt;
    llvm::StringMap<llvm::Constant *> Strings;
};

} // namespace pmcheck

#endif /* PMCHECK_SITES_H */
