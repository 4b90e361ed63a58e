; A seq_cst store is an xchg on x86: a locked op. It is traced always, not
; hull-gated, because it orders pending flushes even when it writes DRAM.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@flag = global i32 0

; CHECK-LABEL: define void @seqcst(
define void @seqcst(i64* %p) {
; CHECK:      store atomic i64 1, i64* %p seq_cst, align 8
; CHECK-NEXT: %[[P8:.*]] = bitcast i64* %p to i8*
; CHECK-NEXT: call void @__pmt_locked_rmw(i8* %[[P8]], i64 8, i32 1, {{.*}}* @__pmt_site)
; CHECK-NEXT: store atomic i32 1, i32* @flag seq_cst, align 4
; CHECK-NEXT: call void @__pmt_locked_rmw(i8* bitcast (i32* @flag to i8*), i64 4, i32 1, {{.*}}* @__pmt_site.{{[0-9]+}})
; CHECK-NEXT: ret void
  store atomic i64 1, i64* %p seq_cst, align 8
  store atomic i32 1, i32* @flag seq_cst, align 4
  ret void
}
