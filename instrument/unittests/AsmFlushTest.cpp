/*
 * AsmFlushTest.cpp - unit tests of recognizeAsmOps (instrument/AsmFlush.h):
 * every spelling of a flush, fence or locked op that pmem code writes as
 * inline asm, and asm that must not be mistaken for one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

/* cmocka 1.1 declares its functions without C linkage for C++. */
extern "C" {
#include <cmocka.h>
}

#include "AsmFlush.h"
#include "pmtrace_format.h"

using pmcheck::AsmOp;
using pmcheck::recognizeAsmOps;

namespace
{

void assertOps(const char *text, const std::vector<AsmOp> &expected)
{
    std::vector<AsmOp> ops = recognizeAsmOps(text);
    if (ops.size() != expected.size())
        fail_msg("\"%s\": %zu ops, expected %zu", text, ops.size(),
                 expected.size());
    for (size_t i = 0; i < ops.size(); i++) {
        if (ops[i].kind != expected[i].kind ||
            ops[i].detail != expected[i].detail ||
            ops[i].displacement != expected[i].displacement)
            fail_msg("\"%s\": op %zu is (%d, %u, %lld), expected (%d, %u, "
                     "%lld)",
                     text, i, static_cast<int>(ops[i].kind), ops[i].detail,
                     static_cast<long long>(ops[i].displacement),
                     static_cast<int>(expected[i].kind), expected[i].detail,
                     static_cast<long long>(expected[i].displacement));
    }
}

AsmOp flush(uint32_t kind, int64_t displacement = 0)
{
    return {AsmOp::Kind::Flush, kind, displacement};
}

AsmOp fence(uint32_t kind)
{
    return {AsmOp::Kind::Fence, kind, 0};
}

const AsmOp Locked = {AsmOp::Kind::Locked, 0, 0};

void testMnemonics(void **)
{
    assertOps("clflush $0", {flush(PMT_FLUSH_CLFLUSH)});
    assertOps("clflushopt $0", {flush(PMT_FLUSH_CLFLUSHOPT)});
    assertOps("clwb $0", {flush(PMT_FLUSH_CLWB)});
    assertOps("clwb (%rdi)", {flush(PMT_FLUSH_CLWB)});
    assertOps("sfence", {fence(PMT_FENCE_SFENCE)});
    assertOps("mfence", {fence(PMT_FENCE_MFENCE)});
}

void testOperandSizePrefix(void **)
{
    assertOps(".byte 0x66; clflush $0", {flush(PMT_FLUSH_CLFLUSHOPT)});
    assertOps(".byte 0x66; xsaveopt $0", {flush(PMT_FLUSH_CLWB)});
    assertOps(".byte 0x66\n\tclflush $0", {flush(PMT_FLUSH_CLFLUSHOPT)});
    /* The prefix applies to the next statement only. */
    assertOps(".byte 0x66; clflush $0; clflush $0",
              {flush(PMT_FLUSH_CLFLUSHOPT), flush(PMT_FLUSH_CLFLUSH)});
    /* Without the prefix xsaveopt saves state; it flushes nothing. */
    assertOps("xsaveopt $0", {});
    assertOps(".byte 0x66; nop; xsaveopt $0", {});
}

void testRawEncodings(void **)
{
    assertOps(".byte 0x66, 0x0f, 0xae, 0x38", {flush(PMT_FLUSH_CLFLUSHOPT)});
    assertOps(".byte 0x66, 0x0f, 0xae, 0x30", {flush(PMT_FLUSH_CLWB)});
    assertOps(".byte 0x0f, 0xae, 0x38", {flush(PMT_FLUSH_CLFLUSH)});
    assertOps(".byte 0x66,0x0f,0xae,0x38", {flush(PMT_FLUSH_CLFLUSHOPT)});
    assertOps(".BYTE 0X66 , 0X0F , 0XAE , 0X30", {flush(PMT_FLUSH_CLWB)});
    /* xsaveopt (%rax) and other bytes are not flushes. */
    assertOps(".byte 0x0f, 0xae, 0x30", {});
    assertOps(".byte 0x66, 0x0f, 0xae, 0x39", {});
}

void testNormalisation(void **)
{
    assertOps("  CLWB\t$0  ", {flush(PMT_FLUSH_CLWB)});
    assertOps("\tclwb $0\n\tsfence\n",
              {flush(PMT_FLUSH_CLWB), fence(PMT_FENCE_SFENCE)});
    assertOps("clflushopt $0 ; ; mfence",
              {flush(PMT_FLUSH_CLFLUSHOPT), fence(PMT_FENCE_MFENCE)});
    assertOps("", {});
    assertOps(" ;\n ", {});
}

void testDisplacement(void **)
{
    assertOps("clwb 64($0)", {flush(PMT_FLUSH_CLWB, 64)});
    assertOps("clwb -0x40(%rax)", {flush(PMT_FLUSH_CLWB, -64)});
    assertOps("clwb ($0); clwb 0x80($0)",
              {flush(PMT_FLUSH_CLWB, 0), flush(PMT_FLUSH_CLWB, 128)});
    /* Symbols and placeholders are not displacements. */
    assertOps("clflush sym($0)", {flush(PMT_FLUSH_CLFLUSH, 0)});
    assertOps("clflush $0", {flush(PMT_FLUSH_CLFLUSH, 0)});
}

void testLocked(void **)
{
    assertOps("lock; addl $$0,(%rsp)", {Locked});
    assertOps("lock addl $$0, (%rsp)", {Locked});
    assertOps("LOCK; orq $$0, -8(%rsp)", {Locked});
    /* `lock` must be the first word, not a prefix of one. */
    assertOps("lockless", {});
    assertOps("nop; lock; addl $$0,(%rsp)", {});
}

void testOthersIgnored(void **)
{
    assertOps("nop", {});
    assertOps("lfence", {});
    assertOps("rdtsc", {});
    assertOps("movnti %1, $0", {});
    assertOps("clflushoptx $0", {});
    assertOps("nop; clwb $0; pause", {flush(PMT_FLUSH_CLWB)});
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testMnemonics),
        cmocka_unit_test(testOperandSizePrefix),
        cmocka_unit_test(testRawEncodings),
        cmocka_unit_test(testNormalisation),
        cmocka_unit_test(testDisplacement),
        cmocka_unit_test(testLocked),
        cmocka_unit_test(testOthersIgnored),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
