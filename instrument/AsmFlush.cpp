/*
 * AsmFlush.cpp - inline asm recognition; see AsmFlush.h for the contract.
 */
#include "AsmFlush.h"

#include <cctype>
#include <charconv>
#include <string>

#include "pmtrace_format.h"

namespace pmcheck
{

namespace
{

/* One normalised statement: lower case, single blanks, no blank next to a
 * comma, so ".BYTE 0x66 , 0x0F" and ".byte 0x66,0x0f" compare equal. */
std::vector<std::string> splitStatements(std::string_view text)
{
    std::vector<std::string> statements;
    std::string current;
    auto endStatement = [&] {
        if (!current.empty() && current.back() == ' ')
            current.pop_back();
        if (!current.empty())
            statements.push_back(current);
        current.clear();
    };
    for (char c : text) {
        unsigned char u = static_cast<unsigned char>(c);
        if (c == ';' || c == '\n' || c == '\r') {
            endStatement();
        } else if (std::isspace(u)) {
            if (!current.empty() && current.back() != ' ' &&
                current.back() != ',')
                current += ' ';
        } else {
            if (c == ',' && !current.empty() && current.back() == ' ')
                current.pop_back();
            current += static_cast<char>(std::tolower(u));
        }
    }
    endStatement();
    return statements;
}

struct Statement {
    std::string_view mnemonic;
    std::string_view operands;
};

Statement parseStatement(std::string_view statement)
{
    size_t blank = statement.find(' ');
    if (blank == std::string_view::npos)
        return {statement, {}};
    return {statement.substr(0, blank), statement.substr(blank + 1)};
}

/* "64($0)" -> 64, "-0x40(%rax)" -> -64; anything else (no parenthesis, a
 * symbol, an operand placeholder) -> 0. */
int64_t parseDisplacement(std::string_view operand)
{
    size_t paren = operand.find('(');
    if (paren == std::string_view::npos || paren == 0)
        return 0;
    std::string_view digits = operand.substr(0, paren);
    bool negative = false;
    if (digits.front() == '-' || digits.front() == '+') {
        negative = digits.front() == '-';
        digits.remove_prefix(1);
    }
    int base = 10;
    if (digits.size() > 2 && digits[0] == '0' && digits[1] == 'x') {
        base = 16;
        digits.remove_prefix(2);
    }
    int64_t value = 0;
    const char *end = digits.data() + digits.size();
    auto result = std::from_chars(digits.data(), end, value, base);
    if (digits.empty() || result.ec != std::errc() || result.ptr != end)
        return 0;
    return negative ? -value : value;
}

AsmOp flushOp(uint32_t kind, std::string_view operands)
{
    return {AsmOp::Kind::Flush, kind, parseDisplacement(operands)};
}

/* Whole instructions spelt as bytes, all of them flushes of (%rax). */
bool recognizeByteFlush(std::string_view bytes, AsmOp *op)
{
    if (bytes == "0x66,0x0f,0xae,0x38")
        *op = {AsmOp::Kind::Flush, PMT_FLUSH_CLFLUSHOPT, 0};
    else if (bytes == "0x66,0x0f,0xae,0x30")
        *op = {AsmOp::Kind::Flush, PMT_FLUSH_CLWB, 0};
    else if (bytes == "0x0f,0xae,0x38")
        *op = {AsmOp::Kind::Flush, PMT_FLUSH_CLFLUSH, 0};
    else
        return false;
    return true;
}

} // namespace

std::vector<AsmOp> recognizeAsmOps(std::string_view asmText)
{
    std::vector<std::string> statements = splitStatements(asmText);
    std::vector<AsmOp> ops;
    if (statements.empty())
        return ops;
    /* `lock; addl $0,(%rsp)` and kin: a full barrier for flushes, whatever
     * the locked instruction is. */
    if (parseStatement(statements.front()).mnemonic == "lock") {
        ops.push_back({AsmOp::Kind::Locked, 0, 0});
        return ops;
    }
    /* A lone `.byte 0x66` is an operand-size prefix that turns the next
     * clflush into clflushopt and the next xsaveopt into clwb: how code
     * older than the assemblers that know those mnemonics spells them. */
    bool operandSizePrefix = false;
    for (const std::string &text : statements) {
        Statement s = parseStatement(text);
        bool prefixed = operandSizePrefix;
        operandSizePrefix = false;
        AsmOp op;
        if (s.mnemonic == ".byte" && s.operands == "0x66") {
            operandSizePrefix = true;
        } else if (s.mnemonic == ".byte") {
            if (recognizeByteFlush(s.operands, &op))
                ops.push_back(op);
        } else if (s.mnemonic == "clflush") {
            ops.push_back(
                flushOp(prefixed ? PMT_FLUSH_CLFLUSHOPT : PMT_FLUSH_CLFLUSH,
                        s.operands));
        } else if (s.mnemonic == "xsaveopt" && prefixed) {
            ops.push_back(flushOp(PMT_FLUSH_CLWB, s.operands));
        } else if (s.mnemonic == "clflushopt") {
            ops.push_back(flushOp(PMT_FLUSH_CLFLUSHOPT, s.operands));
        } else if (s.mnemonic == "clwb") {
            ops.push_back(flushOp(PMT_FLUSH_CLWB, s.operands));
        } else if (s.mnemonic == "sfence") {
            ops.push_back({AsmOp::Kind::Fence, PMT_FENCE_SFENCE, 0});
        } else if (s.mnemonic == "mfence") {
            ops.push_back({AsmOp::Kind::Fence, PMT_FENCE_MFENCE, 0});
        }
    }
    return ops;
}

} // namespace pmcheck
