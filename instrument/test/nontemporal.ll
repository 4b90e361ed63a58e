; Non-temporal stores: `!nontemporal` stores and the movnt/maskmov intrinsics
; LLVM 14 keeps as calls; gated __pmt_nt_store after.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare void @llvm.x86.mmx.movnt.dq(x86_mmx*, x86_mmx)
declare void @llvm.x86.sse2.maskmov.dqu(<16 x i8>, <16 x i8>, i8*)
declare void @llvm.x86.mmx.maskmovq(x86_mmx, x86_mmx, i8*)

; CHECK-LABEL: define void @nt(
define void @nt(<2 x i64>* %v, i32* %w, x86_mmx* %m, x86_mmx %mv, i8* %b, <16 x i8> %d, <16 x i8> %mask) {
; CHECK:      store <2 x i64> zeroinitializer, <2 x i64>* %v, align 16, !nontemporal
; CHECK-NEXT: %pmt.lo = load i64
; CHECK:      call void @__pmt_nt_store(i8* %{{.*}}, i64 16,
  store <2 x i64> zeroinitializer, <2 x i64>* %v, align 16, !nontemporal !0
; CHECK:      store i32 7, i32* %w, align 4, !nontemporal
; CHECK:      call void @__pmt_nt_store(i8* %{{.*}}, i64 4,
  store i32 7, i32* %w, align 4, !nontemporal !0
; CHECK:      call void @llvm.x86.mmx.movnt.dq(x86_mmx* %m, x86_mmx %mv)
; CHECK-NEXT: %pmt.lo{{[0-9]*}} = load i64
; CHECK:      call void @__pmt_nt_store(i8* %{{.*}}, i64 8,
  call void @llvm.x86.mmx.movnt.dq(x86_mmx* %m, x86_mmx %mv)
; CHECK:      call void @llvm.x86.sse2.maskmov.dqu(<16 x i8> %d, <16 x i8> %mask, i8* %b)
; CHECK-NEXT: %pmt.lo{{[0-9]*}} = load i64
; CHECK:      call void @__pmt_nt_store(i8* %b, i64 16,
  call void @llvm.x86.sse2.maskmov.dqu(<16 x i8> %d, <16 x i8> %mask, i8* %b)
; CHECK:      call void @llvm.x86.mmx.maskmovq(x86_mmx %mv, x86_mmx %mv, i8* %b)
; CHECK-NEXT: %pmt.lo{{[0-9]*}} = load i64
; CHECK:      call void @__pmt_nt_store(i8* %b, i64 8,
  call void @llvm.x86.mmx.maskmovq(x86_mmx %mv, x86_mmx %mv, i8* %b)
; CHECK-NOT: call void @__pmt_store(
; CHECK: ret void
  ret void
}

!0 = !{i32 1}
