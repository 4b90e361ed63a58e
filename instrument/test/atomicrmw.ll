; atomicrmw: always __pmt_locked_rmw(addr, size, 1, site) after it (a locked
; op orders flushes wherever it points); its read half is a load, gated on
; the load hull before it, except on the stack.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; CHECK-LABEL: define i32 @rmw(
define i32 @rmw(i32* %p) {
; CHECK:      %pmt.lo = load i64, {{.*}}@__pmt_hull, i32 0, i32 2)
; CHECK-NEXT: %pmt.span = load i64, {{.*}}@__pmt_hull, i32 0, i32 3)
; CHECK:      call void @__pmt_load(i8* %{{.*}}, i64 4, {{.*}}* @[[SITE:__pmt_site]])
; CHECK:      %old = atomicrmw add i32* %p, i32 1 seq_cst
; CHECK-NEXT: %[[P8:.*]] = bitcast i32* %p to i8*
; CHECK-NEXT: call void @__pmt_locked_rmw(i8* %[[P8]], i64 4, i32 1, {{.*}}* @[[SITE]])
  %old = atomicrmw add i32* %p, i32 1 seq_cst
; CHECK:      atomicrmw xchg i64* %q, i64 0 acquire
; CHECK-NEXT: bitcast
; CHECK-NEXT: call void @__pmt_locked_rmw(i8* %{{.*}}, i64 8, i32 1,
  %q = bitcast i32* %p to i64*
  %x = atomicrmw xchg i64* %q, i64 0 acquire
; On the stack: no load test, but the locked op is still traced.
; CHECK:      %local = alloca i32
; CHECK-NEXT: atomicrmw or i32* %local, i32 2 monotonic
; CHECK-NEXT: bitcast
; CHECK-NEXT: call void @__pmt_locked_rmw(i8* %{{.*}}, i64 4, i32 1,
  %local = alloca i32
  %y = atomicrmw or i32* %local, i32 2 monotonic
  ret i32 %old
}
