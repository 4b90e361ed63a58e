/*
 * program_text.h - is a code address in the program itself, or in a
 * library?
 *
 * The libpmem interposers (interpose_pmem.c) are called both by the
 * program, whose calls the pass's POST hooks already model, and by
 * libraries the pass never saw (libpmemobj), whose writes must be recorded
 * by the interposer itself. The return address tells them apart: the
 * program is the main executable, whose executable segments are read once
 * (dl_iterate_phdr) and never change.
 *
 * Contract: pmt_program_text_has(addr) is thread-safe, lock-free after its
 * first call, and true exactly when addr lies in an executable PT_LOAD
 * segment of the main executable. Code the program loads itself (an
 * instrumented shared library) counts as a library: such code should call
 * libpmem through its own POST hooks only, which it does when built with
 * pmcc, so its calls are recorded twice at worst, never missed. A library
 * function that tail-calls libpmem leaves its caller's return address: a
 * program calling it looks like the caller. libpmemobj's exported functions
 * that do so are its flush functions, which the program calls under their
 * PRE hook's quiet anyway (hooks_pmemobj.c).
 */
#ifndef PMT_PROGRAM_TEXT_H
#define PMT_PROGRAM_TEXT_H

#include <stdbool.h>
#include <stdint.h>

bool pmt_program_text_has(uintptr_t addr);

#endif /* PMT_PROGRAM_TEXT_H */
