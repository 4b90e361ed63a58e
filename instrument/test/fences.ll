; Fences: sfence/mfence intrinsics and `fence seq_cst` (MFENCE on x86) call
; __pmt_fence always. Weaker fences and single-thread fences emit no
; instruction on x86 and order no flush: not instrumented.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare void @llvm.x86.sse.sfence()
declare void @llvm.x86.sse2.mfence()
declare void @llvm.x86.sse2.lfence()

; CHECK-LABEL: define void @fences(
define void @fences() {
; CHECK-NEXT: call void @llvm.x86.sse.sfence()
; CHECK-NEXT: call void @__pmt_fence(i32 1, {{.*}}* @__pmt_site)
  call void @llvm.x86.sse.sfence()
; CHECK-NEXT: call void @llvm.x86.sse2.mfence()
; CHECK-NEXT: call void @__pmt_fence(i32 2, {{.*}}* @__pmt_site.{{[0-9]+}})
  call void @llvm.x86.sse2.mfence()
; CHECK-NEXT: fence seq_cst
; CHECK-NEXT: call void @__pmt_fence(i32 2, {{.*}}* @__pmt_site.{{[0-9]+}})
  fence seq_cst
; CHECK-NEXT: fence release
; CHECK-NEXT: fence acquire
; CHECK-NEXT: fence acq_rel
; CHECK-NEXT: fence syncscope("singlethread") seq_cst
; CHECK-NEXT: call void @llvm.x86.sse2.lfence()
; CHECK-NEXT: ret void
  fence release
  fence acquire
  fence acq_rel
  fence syncscope("singlethread") seq_cst
  call void @llvm.x86.sse2.lfence()
  ret void
}
