; Atomic stores weaker than seq_cst are plain movs on x86: gated
; __pmt_store, like any store.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; CHECK-LABEL: define void @atomics(
define void @atomics(i64* %p) {
; CHECK:      store atomic i64 1, i64* %p release, align 8
; CHECK-NEXT: %pmt.lo = load i64
; CHECK:      call void @__pmt_store(i8* %{{.*}}, i64 8,
  store atomic i64 1, i64* %p release, align 8
; CHECK:      store atomic i64 2, i64* %p monotonic, align 8
; CHECK-NEXT: %pmt.lo{{[0-9]*}} = load i64
; CHECK:      call void @__pmt_store(i8* %{{.*}}, i64 8,
  store atomic i64 2, i64* %p monotonic, align 8
; CHECK:      store atomic i64 3, i64* %p unordered, align 8
; CHECK-NEXT: %pmt.lo{{[0-9]*}} = load i64
; CHECK:      call void @__pmt_store(i8* %{{.*}}, i64 8,
  store atomic i64 3, i64* %p unordered, align 8
; CHECK-NOT: __pmt_locked_rmw
; CHECK: ret void
  ret void
}
