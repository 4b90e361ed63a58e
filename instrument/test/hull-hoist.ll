; HullReuse.h: a loop in which nothing may change the hull loads it once,
; in its preheader (made if it has none); a loop with an unknown call or an
; atomic in it tests with loads of its own, each iteration. Stores only, so
; that LoopVersions.h (loads) leaves these loops alone.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare void @unknown()

; CHECK-LABEL: define void @hoisted(
; CHECK:      entry:
; CHECK-NEXT: %[[LO:pmt.lo[0-9]*]] = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK-NEXT: %[[SPAN:pmt.span[0-9]*]] = load i64, {{.*}}@__pmt_hull, i32 0, i32 1)
; CHECK-NEXT: br label %loop
; CHECK:      loop:
; CHECK-NOT:  @__pmt_hull
; CHECK:      store i64 %i, i64* %p
; CHECK-NEXT: %pmt.addr = ptrtoint i64* %p to i64
; CHECK-NEXT: %pmt.off = sub i64 %pmt.addr, %[[LO]]
; CHECK-NEXT: %pmt.hit = icmp ult i64 %pmt.off, %[[SPAN]]
; CHECK-NOT:  @__pmt_hull
; CHECK:      ret void
define void @hoisted(i64* %a, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %p = getelementptr inbounds i64, i64* %a, i64 %i
  store i64 %i, i64* %p
  %i.next = add nuw i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret void
}

; The call might map pmem: the test after it loads the hull afresh.
; CHECK-LABEL: define void @call_in_loop(
; CHECK:      entry:
; CHECK-NEXT: br label %loop
; CHECK:      loop:
; CHECK:      call void @unknown()
; CHECK-NEXT: store i64 %i, i64* %p
; CHECK-NEXT: %pmt.lo = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK-NEXT: %pmt.span = load i64, {{.*}}@__pmt_hull, i32 0, i32 1)
define void @call_in_loop(i64* %a, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %p = getelementptr inbounds i64, i64* %a, i64 %i
  call void @unknown()
  store i64 %i, i64* %p
  %i.next = add nuw i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret void
}

; An atomic may synchronise with a thread that mapped pmem.
; CHECK-LABEL: define void @atomic_in_loop(
; CHECK:      entry:
; CHECK-NEXT: br label %loop
; CHECK:      loop:
; CHECK:      store i64 %i, i64* %p
; CHECK-NEXT: %pmt.lo = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK-NEXT: %pmt.span = load i64, {{.*}}@__pmt_hull, i32 0, i32 1)
define void @atomic_in_loop(i64* %a, i64 %n, i32* %flag) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %p = getelementptr inbounds i64, i64* %a, i64 %i
  store i64 %i, i64* %p
  %f = load atomic i32, i32* %flag acquire, align 4
  %i.next = add nuw i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret void
}

; The outer loop calls out; the inner one does not: the loads go to the
; inner loop's preheader, after the call.
; CHECK-LABEL: define void @nested(
; CHECK:      outer:
; CHECK:      call void @unknown()
; CHECK-NEXT: %[[LO:.*]] = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK-NEXT: %[[SPAN:.*]] = load i64, {{.*}}@__pmt_hull, i32 0, i32 1)
; CHECK-NEXT: br label %inner
; CHECK:      inner:
; CHECK:      sub i64 %pmt.addr, %[[LO]]
; CHECK-NOT:  @__pmt_hull
; CHECK:      ret void
define void @nested(i64* %a, i64 %n) {
entry:
  br label %outer
outer:
  %j = phi i64 [ 0, %entry ], [ %j.next, %outer.latch ]
  call void @unknown()
  br label %inner
inner:
  %i = phi i64 [ 0, %outer ], [ %i.next, %inner ]
  %p = getelementptr inbounds i64, i64* %a, i64 %i
  store i64 %j, i64* %p
  %i.next = add nuw i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %outer.latch, label %inner
outer.latch:
  %j.next = add nuw i64 %j, 1
  %outer.done = icmp eq i64 %j.next, %n
  br i1 %outer.done, label %exit, label %outer
exit:
  ret void
}

; Entered from two blocks: the loop gets a preheader for its loads.
; CHECK-LABEL: define void @no_preheader(
; CHECK:      loop.preheader:
; CHECK-NEXT: %i.ph = phi
; CHECK-NEXT: %[[LO:.*]] = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK-NEXT: %[[SPAN:.*]] = load i64, {{.*}}@__pmt_hull, i32 0, i32 1)
; CHECK-NEXT: br label %loop
; CHECK:      loop:
; CHECK:      sub i64 %{{.*}}, %[[LO]]
; CHECK-NOT:  @__pmt_hull
; CHECK:      ret void
define void @no_preheader(i64* %a, i64 %n, i1 %c) {
entry:
  br i1 %c, label %loop, label %other
other:
  store i64 7, i64* %a
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ 1, %other ], [ %i.next, %loop ]
  %p = getelementptr inbounds i64, i64* %a, i64 %i
  store i64 %i, i64* %p
  %i.next = add nuw i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret void
}
