; Inline asm fences and locked ops: `sfence`, `mfence` -> __pmt_fence; an asm
; that starts with `lock` -> __pmt_locked_rmw(NULL, 0, 0, site); several ops
; in one asm are traced in the asm's order.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; CHECK-LABEL: define void @asm_fences(
define void @asm_fences(i8* %p) {
; CHECK-NEXT: call void asm sideeffect "sfence"
; CHECK-NEXT: call void @__pmt_fence(i32 1, {{.*}}* @__pmt_site)
  call void asm sideeffect "sfence", "~{memory},~{dirflag},~{fpsr},~{flags}"()
; CHECK-NEXT: call void asm sideeffect "mfence"
; CHECK-NEXT: call void @__pmt_fence(i32 2,
  call void asm sideeffect "mfence", "~{memory},~{dirflag},~{fpsr},~{flags}"()
; CHECK-NEXT: call void asm sideeffect "lock; addl $$0,(%rsp)"
; CHECK-NEXT: call void @__pmt_locked_rmw(i8* null, i64 0, i32 0,
  call void asm sideeffect "lock; addl $$0,(%rsp)", "~{memory},~{dirflag},~{fpsr},~{flags}"()
; CHECK-NEXT: call void asm sideeffect "lock orq $$0, -8(%rsp)"
; CHECK-NEXT: call void @__pmt_locked_rmw(i8* null, i64 0, i32 0,
  call void asm sideeffect "lock orq $$0, -8(%rsp)", "~{memory},~{dirflag},~{fpsr},~{flags}"()
; CHECK-NEXT: call void asm sideeffect "clwb $0\0A\09sfence"
; CHECK-NEXT: call void @__pmt_flush(i8* %p, i32 3, {{.*}}* @[[BOTH:__pmt_site.[0-9]+]])
; CHECK-NEXT: call void @__pmt_fence(i32 1, {{.*}}* @[[BOTH]])
; CHECK-NEXT: ret void
  call void asm sideeffect "clwb $0\0A\09sfence", "=*m,*m,~{memory},~{dirflag},~{fpsr},~{flags}"(i8* elementtype(i8) %p, i8* elementtype(i8) %p)
  ret void
}
