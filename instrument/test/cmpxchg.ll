; cmpxchg: always __pmt_locked_rmw after it, `stored` = the success bit
; zero-extended to i32 (a failed cmpxchg still orders like a fence).
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; CHECK-LABEL: define i1 @cas(
define i1 @cas(i64* %p, i64 %old, i64 %new) {
; CHECK:      call void @__pmt_load(i8* %{{.*}}, i64 8,
; CHECK:      %r = cmpxchg i64* %p, i64 %old, i64 %new seq_cst seq_cst
; CHECK-NEXT: %[[P8:.*]] = bitcast i64* %p to i8*
; CHECK-NEXT: %pmt.success = extractvalue { i64, i1 } %r, 1
; CHECK-NEXT: %pmt.stored = zext i1 %pmt.success to i32
; CHECK-NEXT: call void @__pmt_locked_rmw(i8* %[[P8]], i64 8, i32 %pmt.stored, {{.*}}* @__pmt_site)
; CHECK-NEXT: %ok = extractvalue { i64, i1 } %r, 1
  %r = cmpxchg i64* %p, i64 %old, i64 %new seq_cst seq_cst
  %ok = extractvalue { i64, i1 } %r, 1
  ret i1 %ok
}

; A pointer-typed cmpxchg has the pointer's store size.
; CHECK-LABEL: define void @cas_ptr(
define void @cas_ptr(i8** %p, i8* %old, i8* %new) {
; CHECK: cmpxchg weak i8** %p, i8* %old, i8* %new acq_rel monotonic
; CHECK: call void @__pmt_locked_rmw(i8* %{{.*}}, i64 8, i32 %pmt.stored{{[0-9]*}},
  %r = cmpxchg weak i8** %p, i8* %old, i8* %new acq_rel monotonic
  ret void
}
