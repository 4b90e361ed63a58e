; HullReuse.h: a test reuses the hull loads of an earlier test when no path
; between the two may change the hull. A call that is not one of the
; runtime's entry points (it might map pmem), an atomic or a volatile access
; in between makes the next test load the hull again.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare void @unknown()
declare void @llvm.memset.p0i8.i64(i8*, i8, i64, i1)

; Two accesses in a block share one load pair, across the first one's call
; of __pmt_store; the unknown call ends that.
; CHECK-LABEL: define void @block(
define void @block(i64* %p, i64* %q) {
; CHECK:      store i64 1, i64* %p
; CHECK-NEXT: %pmt.lo = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK-NEXT: %pmt.span = load i64, {{.*}}@__pmt_hull, i32 0, i32 1)
; CHECK:      call void @__pmt_store(
  store i64 1, i64* %p
; CHECK:      store i64 2, i64* %q
; CHECK-NEXT: %[[Q:.*]] = ptrtoint i64* %q to i64
; CHECK-NEXT: %[[QOFF:.*]] = sub i64 %[[Q]], %pmt.lo
; CHECK-NEXT: icmp ult i64 %[[QOFF]], %pmt.span
  store i64 2, i64* %q
; CHECK:      call void @unknown()
; CHECK-NEXT: store i64 3, i64* %p
; CHECK-NEXT: %[[LO:.*]] = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK-NEXT: %[[SPAN:.*]] = load i64, {{.*}}@__pmt_hull, i32 0, i32 1)
; CHECK-NEXT: %[[P:.*]] = ptrtoint i64* %p to i64
; CHECK-NEXT: %[[POFF:.*]] = sub i64 %[[P]], %[[LO]]
; CHECK-NEXT: icmp ult i64 %[[POFF]], %[[SPAN]]
  call void @unknown()
  store i64 3, i64* %p
  ret void
}

; A load test and a store test use different halves of the hull: each
; loads its own, once.
; CHECK-LABEL: define i64 @halves(
define i64 @halves(i64* %p) {
; CHECK:      %pmt.lo = load i64, {{.*}}@__pmt_hull, i32 0, i32 2)
; CHECK-NEXT: %pmt.span = load i64, {{.*}}@__pmt_hull, i32 0, i32 3)
; CHECK:      %v = load i64, i64* %p
; CHECK:      store i64 %w, i64* %p
; CHECK-NEXT: %[[SLO:.*]] = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK-NEXT: %[[SSPAN:.*]] = load i64, {{.*}}@__pmt_hull, i32 0, i32 1)
; CHECK-NOT:  @__pmt_hull
; CHECK:      %u = load i64, i64* %p
; CHECK:      ret i64 %u
  %v = load i64, i64* %p
  %w = add i64 %v, 1
  store i64 %w, i64* %p
  %u = load i64, i64* %p
  ret i64 %u
}

; A join whose other path only calls the runtime reuses the dominating
; loads.
; CHECK-LABEL: define void @diamond(
define void @diamond(i64* %p, i1 %c) {
entry:
; CHECK:      %pmt.lo = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK-NEXT: %pmt.span = load i64, {{.*}}@__pmt_hull, i32 0, i32 1)
; CHECK-NOT:  @__pmt_hull
; CHECK:      ret void
  store i64 1, i64* %p
  br i1 %c, label %then, label %join
then:
  store i64 2, i64* %p
  br label %join
join:
  store i64 3, i64* %p
  ret void
}

; A join one of whose paths makes an unknown call loads again, though the
; block that loaded first dominates it.
; CHECK-LABEL: define void @diamond_call(
define void @diamond_call(i64* %p, i1 %c) {
entry:
; CHECK:      %pmt.lo = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK:      join:
; CHECK-NEXT: store i64 3, i64* %p
; CHECK-NEXT: load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
  store i64 1, i64* %p
  br i1 %c, label %then, label %join
then:
  call void @unknown()
  br label %join
join:
  store i64 3, i64* %p
  ret void
}

; Synchronisation ends a stretch: after an atomic or a volatile access,
; the next test loads the hull again. A memset (an intrinsic that writes
; only its argument) does not.
; CHECK-LABEL: define void @sync(
define void @sync(i64* %p, i64* %flag, i8* %buf) {
; CHECK:      store i64 1, i64* %p
; CHECK-NEXT: load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK:      load atomic i64, i64* %flag acquire
; CHECK:      store i64 2, i64* %p
; CHECK-NEXT: load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK:      load volatile i64, i64* %flag
; CHECK:      store i64 3, i64* %p
; CHECK-NEXT: load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK:      call void @llvm.memset.p0i8.i64(
; CHECK-NOT:  @__pmt_hull, i32 0, i32 0)
; CHECK:      store i64 4, i64* %p
; CHECK-NOT:  @__pmt_hull, i32 0, i32 0)
; CHECK:      ret void
  store i64 1, i64* %p
  %a = load atomic i64, i64* %flag acquire, align 8
  store i64 2, i64* %p
  %v = load volatile i64, i64* %flag
  store i64 3, i64* %p
  call void @llvm.memset.p0i8.i64(i8* %buf, i8 0, i64 16, i1 false)
  store i64 4, i64* %p
  ret void
}
