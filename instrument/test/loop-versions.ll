; LoopVersions.h: a loop with a load to test, in which nothing may change
; the hull, gets a copy without load tests; its preheader enters the copy
; while the load hull is empty (the run traces no loads). Stores are tested
; in both. Values the loop carries out meet in the shared exit.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare void @unknown()

; CHECK-LABEL: define i64 @copy(
; CHECK:      entry:
; CHECK-NEXT: %[[SPAN:.*]] = load i64, {{.*}}@__pmt_hull, i32 0, i32 3)
; CHECK-NEXT: %pmt.noloads = icmp eq i64 %[[SPAN]], 0
; CHECK-NEXT: br i1 %pmt.noloads, label %loop.pmt.ph.pmt.noload, label %loop.pmt.ph
;
; The copy: the store is tested, the load is not.
; CHECK:      loop.pmt.noload:
; CHECK-NOT:  @__pmt_load
; CHECK:      %v.pmt.noload = load i64, i64* %from.pmt.noload
; CHECK-NOT:  @__pmt_load
; CHECK:      store i64 %v.pmt.noload, i64* %to.pmt.noload
; CHECK:      call void @__pmt_store(
; CHECK-NOT:  @__pmt_load
; CHECK:      br i1 %done.pmt.noload, label %exit, label %loop.pmt.noload
;
; The original: both are tested; the load test uses the span loaded for
; the choice.
; CHECK:      loop:
; CHECK:      icmp ult i64 %{{.*}}, %[[SPAN]]
; CHECK:      call void @__pmt_load(
; CHECK:      %v = load i64, i64* %from
; CHECK:      store i64 %v, i64* %to
; CHECK:      call void @__pmt_store(
; CHECK:      br i1 %done, label %exit, label %loop
;
; CHECK:      exit:
; CHECK-NEXT: %[[SUM:.*]] = phi i64 [ %s.next, %{{.*}} ], [ %s.next.pmt.noload, %{{.*}} ]
; CHECK-NEXT: ret i64 %[[SUM]]
define i64 @copy(i64* %dst, i64* %src, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %s = phi i64 [ 0, %entry ], [ %s.next, %loop ]
  %from = getelementptr inbounds i64, i64* %src, i64 %i
  %v = load i64, i64* %from
  %to = getelementptr inbounds i64, i64* %dst, i64 %i
  store i64 %v, i64* %to
  %s.next = add i64 %s, %v
  %i.next = add nuw i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret i64 %s.next
}

; Two exits, each with its value: the copy's exiting blocks join both.
; CHECK-LABEL: define i64 @find(
; CHECK:      found:
; CHECK-NEXT: %{{.*}} = phi i64 [ %i, %{{.*}} ], [ %i.pmt.noload, %{{.*}} ]
; CHECK:      missing:
; CHECK-NEXT: ret i64 -1
define i64 @find(i64* %a, i64 %n, i64 %key) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %next ]
  %p = getelementptr inbounds i64, i64* %a, i64 %i
  %v = load i64, i64* %p
  %hit = icmp eq i64 %v, %key
  br i1 %hit, label %found, label %next
next:
  %i.next = add nuw i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %missing, label %loop
found:
  ret i64 %i
missing:
  ret i64 -1
}

; Nested loops are versioned once, as a whole: one choice, outside both.
; CHECK-LABEL: define i64 @nested(
; CHECK:      entry:
; CHECK:      %pmt.noloads = icmp
; CHECK-NOT:  = icmp eq i64 %{{.*}}, 0
; CHECK:      ret i64
define i64 @nested(i64* %a, i64 %n) {
entry:
  br label %outer
outer:
  %j = phi i64 [ 0, %entry ], [ %j.next, %outer.latch ]
  %t = phi i64 [ 0, %entry ], [ %s.next, %outer.latch ]
  br label %inner
inner:
  %i = phi i64 [ 0, %outer ], [ %i.next, %inner ]
  %s = phi i64 [ %t, %outer ], [ %s.next, %inner ]
  %p = getelementptr inbounds i64, i64* %a, i64 %i
  %v = load i64, i64* %p
  %s.next = add i64 %s, %v
  %i.next = add nuw i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %outer.latch, label %inner
outer.latch:
  %j.next = add nuw i64 %j, 1
  %outer.done = icmp eq i64 %j.next, %n
  br i1 %outer.done, label %exit, label %outer
exit:
  ret i64 %s.next
}

; A call in the loop might map pmem, and with it start to fill the load
; hull: no copy; the load is tested.
; CHECK-LABEL: define i64 @call_in_loop(
; CHECK-NOT:  pmt.noload
; CHECK:      call void @__pmt_load(
; CHECK-NOT:  pmt.noload
; CHECK:      ret i64
define i64 @call_in_loop(i64* %a, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %s = phi i64 [ 0, %entry ], [ %s.next, %loop ]
  call void @unknown()
  %p = getelementptr inbounds i64, i64* %a, i64 %i
  %v = load i64, i64* %p
  %s.next = add i64 %s, %v
  %i.next = add nuw i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret i64 %s.next
}

; Loads from the stack are never tested: nothing to gain, no copy.
; CHECK-LABEL: define i64 @stack_only(
; CHECK-NOT:  pmt.noload
; CHECK:      ret i64
define i64 @stack_only(i64 %n) {
entry:
  %buf = alloca [16 x i64]
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %s = phi i64 [ 0, %entry ], [ %s.next, %loop ]
  %p = getelementptr inbounds [16 x i64], [16 x i64]* %buf, i64 0, i64 %i
  %v = load i64, i64* %p
  %s.next = add i64 %s, %v
  %i.next = add nuw i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret i64 %s.next
}

; optnone (clang -O0), optsize and cold functions are not grown.
; CHECK-LABEL: define i64 @not_optimised(
; CHECK-NOT:  pmt.noload
; CHECK:      call void @__pmt_load(
; CHECK-NOT:  pmt.noload
; CHECK:      ret i64
define i64 @not_optimised(i64* %a, i64 %n) noinline optnone {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %p = getelementptr inbounds i64, i64* %a, i64 %i
  %v = load i64, i64* %p
  %i.next = add nuw i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret i64 %v
}

; CHECK-LABEL: define i64 @small(
; CHECK-NOT:  pmt.noload
; CHECK:      call void @__pmt_load(
; CHECK-NOT:  pmt.noload
; CHECK:      ret i64
define i64 @small(i64* %a, i64 %n) optsize {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %p = getelementptr inbounds i64, i64* %a, i64 %i
  %v = load i64, i64* %p
  %i.next = add nuw i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret i64 %v
}

; CHECK-LABEL: define i64 @rarely_run(
; CHECK-NOT:  pmt.noload
; CHECK:      call void @__pmt_load(
; CHECK-NOT:  pmt.noload
; CHECK:      ret i64
define i64 @rarely_run(i64* %a, i64 %n) cold {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %p = getelementptr inbounds i64, i64* %a, i64 %i
  %v = load i64, i64* %p
  %i.next = add nuw i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret i64 %v
}
