/*
 * AsmFlush.h - recognise the persistence instructions pmem code writes as
 * inline asm.
 *
 * Contract: recognizeAsmOps(text) takes the template string of one inline
 * asm statement (as LLVM IR holds it: operands are `$0`, `$$` is a literal
 * `$`) and returns, in program order, the flushes, fences and locked
 * operations it performs. Anything it does not recognise is ignored: an asm
 * is only ever a source of extra events, never a reason to refuse a program.
 *
 * Recognised, after lower-casing and splitting on `;` and newlines:
 *   clflush X / clflushopt X / clwb X          a flush of X's line
 *   .byte 0x66 ; clflush X                     clflushopt (old assemblers)
 *   .byte 0x66 ; xsaveopt X                    clwb (old assemblers)
 *   .byte 0x66, 0x0f, 0xae, 0x38               clflushopt (%rax)
 *   .byte 0x66, 0x0f, 0xae, 0x30               clwb (%rax)
 *   .byte 0x0f, 0xae, 0x38                     clflush (%rax)
 *   sfence / mfence                            a fence
 *   text starting with `lock`                  a locked op (orders flushes
 *                                              like MFENCE), nothing else
 *
 * The address of a flush is not in the text in a form the pass could use
 * (`$0`, `(%rax)`): the pass takes the asm call's first pointer operand. A
 * constant displacement written before the parenthesis (`clwb 64($0)`) is
 * returned so unrolled flush loops still name the right lines.
 *
 * Plain C++17, no LLVM, so a unit test can link it alone.
 */
#ifndef PMCHECK_ASMFLUSH_H
#define PMCHECK_ASMFLUSH_H

#include <cstdint>
#include <string_view>
#include <vector>

namespace pmcheck
{

struct AsmOp {
    enum class Kind { Flush, Fence, Locked };
    Kind kind;
    /* Flush: PMT_FLUSH_*; Fence: PMT_FENCE_*; Locked: 0. */
    uint32_t detail;
    /* Flush: bytes to add to the address operand; otherwise 0. */
    int64_t displacement;
};

std::vector<AsmOp> recognizeAsmOps(std::string_view asmText);

} // namespace pmcheck

#endif /* PMCHECK_ASMFLUSH_H */
