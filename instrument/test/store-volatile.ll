; Volatile stores are ordinary stores for the trace: gated, after.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; CHECK-LABEL: define void @vol(
define void @vol(i32* %p) {
; CHECK:      store volatile i32 1, i32* %p
; CHECK-NEXT: %pmt.lo = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK-NEXT: %pmt.span = load i64, {{.*}}@__pmt_hull, i32 0, i32 1)
; CHECK:      icmp ult
; CHECK-NEXT: br i1
; CHECK:      call void @__pmt_store(i8* %{{.*}}, i64 4, {{.*}}* @__pmt_site)
  store volatile i32 1, i32* %p
  ret void
}
