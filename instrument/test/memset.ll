; llvm.memset: after it, gated on [dst, dst + len) overlapping the store
; hull, __pmt_fill(dst, byte as i32, len as i64, site).
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare void @llvm.memset.p0i8.i64(i8*, i8, i64, i1)
declare void @llvm.memset.p0i8.i32(i8*, i8, i32, i1)
declare void @llvm.memset.element.unordered.atomic.p0i8.i64(i8*, i8, i64, i32)

; CHECK-LABEL: define void @fill(
define void @fill(i8* %p, i8 %c, i64 %n, i32 %m) {
; CHECK:      call void @llvm.memset.p0i8.i64(i8* %p, i8 %c, i64 %n, i1 false)
; CHECK-NEXT: %pmt.lo = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK-NEXT: %pmt.span = load i64, {{.*}}@__pmt_hull, i32 0, i32 1)
; CHECK-NEXT: %pmt.addr = ptrtoint i8* %p to i64
; CHECK-NEXT: %pmt.end = add i64 %pmt.addr, %n
; CHECK-NEXT: %[[TOP:.*]] = add i64 %pmt.lo, %pmt.span
; CHECK-NEXT: %pmt.below = icmp ult i64 %pmt.addr, %[[TOP]]
; CHECK-NEXT: %pmt.above = icmp ugt i64 %pmt.end, %pmt.lo
; CHECK-NEXT: %pmt.hit = and i1 %pmt.below, %pmt.above
; CHECK-NEXT: br i1 %pmt.hit, label %[[SLOW:.*]], label %[[CONT:.*]], !prof
; CHECK:      [[SLOW]]:
; CHECK-NEXT: %[[C32:.*]] = zext i8 %c to i32
; CHECK-NEXT: call void @__pmt_fill(i8* %p, i32 %[[C32]], i64 %n, {{.*}}* @__pmt_site)
; CHECK-NEXT: br label %[[CONT]]
  call void @llvm.memset.p0i8.i64(i8* %p, i8 %c, i64 %n, i1 false)

; An i32 length is widened (zero-extended: lengths are unsigned); a
; volatile memset is a memset.
; CHECK:      call void @llvm.memset.p0i8.i32(i8* %p, i8 0, i32 %m, i1 true)
; CHECK:      %[[M64:.*]] = zext i32 %m to i64
; CHECK-NEXT: %pmt.end{{[0-9]*}} = add i64 %pmt.addr{{[0-9]*}}, %[[M64]]
; CHECK:      br i1 %pmt.hit{{[0-9]+}}, label %[[SLOW2:.*]], label
; CHECK:      [[SLOW2]]:
; CHECK-NEXT: %[[M64B:.*]] = zext i32 %m to i64
; CHECK-NEXT: call void @__pmt_fill(i8* %p, i32 0, i64 %[[M64B]], {{.*}}* @__pmt_site.{{[0-9]+}})
  call void @llvm.memset.p0i8.i32(i8* %p, i8 0, i32 %m, i1 true)

; CHECK:      call void @llvm.memset.element.unordered.atomic.p0i8.i64(i8* align 8 %p, i8 1, i64 64, i32 8)
; CHECK:      call void @__pmt_fill(i8* %p, i32 1, i64 64,
  call void @llvm.memset.element.unordered.atomic.p0i8.i64(i8* align 8 %p, i8 1, i64 64, i32 8)

; On the stack: not instrumented.
; CHECK:      call void @llvm.memset.p0i8.i64(i8* %local, i8 0, i64 16, i1 false)
; CHECK-NEXT: ret void
  %buf = alloca [16 x i8]
  %local = getelementptr [16 x i8], [16 x i8]* %buf, i64 0, i64 0
  call void @llvm.memset.p0i8.i64(i8* %local, i8 0, i64 16, i1 false)
  ret void
}
