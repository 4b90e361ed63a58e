; Inline asm flushes, in every spelling pmem code uses: mnemonics, the
; `.byte 0x66` prefix forms of old assemblers, and raw encodings of
; `clflushopt (%rax)`, `clwb (%rax)`, `clflush (%rax)`. The address is the
; asm's first pointer operand ("+m"(*p) passes p).
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; CHECK-LABEL: define void @asm_flushes(
define void @asm_flushes(i8* %p) {
; CHECK-NEXT: call void asm sideeffect "clflush $0"
; CHECK-NEXT: call void @__pmt_flush(i8* %p, i32 1,
  call void asm sideeffect "clflush $0", "=*m,*m,~{dirflag},~{fpsr},~{flags}"(i8* elementtype(i8) %p, i8* elementtype(i8) %p)
; CHECK-NEXT: call void asm sideeffect "clflushopt $0"
; CHECK-NEXT: call void @__pmt_flush(i8* %p, i32 2,
  call void asm sideeffect "clflushopt $0", "=*m,*m,~{dirflag},~{fpsr},~{flags}"(i8* elementtype(i8) %p, i8* elementtype(i8) %p)
; CHECK-NEXT: call void asm sideeffect "clwb $0"
; CHECK-NEXT: call void @__pmt_flush(i8* %p, i32 3,
  call void asm sideeffect "clwb $0", "=*m,*m,~{dirflag},~{fpsr},~{flags}"(i8* elementtype(i8) %p, i8* elementtype(i8) %p)
; CHECK-NEXT: call void asm sideeffect ".byte 0x66; clflush $0"
; CHECK-NEXT: call void @__pmt_flush(i8* %p, i32 2,
  call void asm sideeffect ".byte 0x66; clflush $0", "=*m,*m,~{dirflag},~{fpsr},~{flags}"(i8* elementtype(i8) %p, i8* elementtype(i8) %p)
; CHECK-NEXT: call void asm sideeffect ".byte 0x66; xsaveopt $0"
; CHECK-NEXT: call void @__pmt_flush(i8* %p, i32 3,
  call void asm sideeffect ".byte 0x66; xsaveopt $0", "=*m,*m,~{dirflag},~{fpsr},~{flags}"(i8* elementtype(i8) %p, i8* elementtype(i8) %p)
; Raw encodings take the address in %rax ("a" constraint).
; CHECK-NEXT: call void asm sideeffect ".byte 0x66, 0x0f, 0xae, 0x38"
; CHECK-NEXT: call void @__pmt_flush(i8* %p, i32 2,
  call void asm sideeffect ".byte 0x66, 0x0f, 0xae, 0x38", "{ax},~{memory},~{dirflag},~{fpsr},~{flags}"(i8* %p)
; CHECK-NEXT: call void asm sideeffect ".byte 0x66, 0x0f, 0xae, 0x30"
; CHECK-NEXT: call void @__pmt_flush(i8* %p, i32 3,
  call void asm sideeffect ".byte 0x66, 0x0f, 0xae, 0x30", "{ax},~{memory},~{dirflag},~{fpsr},~{flags}"(i8* %p)
; CHECK-NEXT: call void asm sideeffect ".byte 0x0f, 0xae, 0x38"
; CHECK-NEXT: call void @__pmt_flush(i8* %p, i32 1,
  call void asm sideeffect ".byte 0x0f, 0xae, 0x38", "{ax},~{memory},~{dirflag},~{fpsr},~{flags}"(i8* %p)
; Case, blanks and newlines do not matter.
; CHECK-NEXT: call void asm sideeffect "\09.BYTE 0x66\0A\09CLFLUSH  $0\0A"
; CHECK-NEXT: call void @__pmt_flush(i8* %p, i32 2,
  call void asm sideeffect "\09.BYTE 0x66\0A\09CLFLUSH  $0\0A", "=*m,*m,~{dirflag},~{fpsr},~{flags}"(i8* elementtype(i8) %p, i8* elementtype(i8) %p)
; A constant displacement names the line it flushes.
; CHECK-NEXT: call void asm sideeffect "clwb ($0); clwb 64($0)"
; CHECK-NEXT: call void @__pmt_flush(i8* %p, i32 3, {{.*}}* @[[TWO:__pmt_site.[0-9]+]])
; CHECK-NEXT: %pmt.line = getelementptr i8, i8* %p, i64 64
; CHECK-NEXT: call void @__pmt_flush(i8* %pmt.line, i32 3, {{.*}}* @[[TWO]])
  call void asm sideeffect "clwb ($0); clwb 64($0)", "r,~{memory},~{dirflag},~{fpsr},~{flags}"(i8* %p)
; An address given as an integer is unknown: no flush rather than a wrong one.
; CHECK-NEXT: %i = ptrtoint i8* %p to i64
; CHECK-NEXT: call void asm sideeffect "clwb ($0)", "r
; CHECK-NEXT: ret void
  %i = ptrtoint i8* %p to i64
  call void asm sideeffect "clwb ($0)", "r,~{memory},~{dirflag},~{fpsr},~{flags}"(i64 %i)
  ret void
}

; Asm that is none of these is left alone.
; CHECK-LABEL: define void @other_asm(
define void @other_asm(i8* %p) {
; CHECK-NEXT: call void asm sideeffect "xsaveopt $0"
; CHECK-NEXT: call void asm sideeffect "nop"
; CHECK-NEXT: call void asm sideeffect "lfence"
; CHECK-NEXT: ret void
  call void asm sideeffect "xsaveopt $0", "=*m,*m,~{dirflag},~{fpsr},~{flags}"(i8* elementtype(i8) %p, i8* elementtype(i8) %p)
  call void asm sideeffect "nop", "~{dirflag},~{fpsr},~{flags}"()
  call void asm sideeffect "lfence", "~{memory},~{dirflag},~{fpsr},~{flags}"()
  ret void
}
