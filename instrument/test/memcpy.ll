; llvm.memcpy: after it, gated on dst meeting the store hull OR src meeting
; the load hull, __pmt_copy(dst, src, len, site). Sides that are provably
; not pmem drop out of the test; with both gone, nothing is emitted.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@g = global [64 x i8] zeroinitializer

declare void @llvm.memcpy.p0i8.p0i8.i64(i8*, i8*, i64, i1)
declare void @llvm.memcpy.inline.p0i8.p0i8.i64(i8*, i8*, i64, i1)
declare void @llvm.memcpy.element.unordered.atomic.p0i8.p0i8.i64(i8*, i8*, i64, i32)

; CHECK-LABEL: define void @copy(
define void @copy(i8* %d, i8* %s, i64 %n) {
; CHECK:      call void @llvm.memcpy.p0i8.p0i8.i64(i8* %d, i8* %s, i64 %n, i1 false)
; CHECK-NEXT: %pmt.lo = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK-NEXT: %pmt.span = load i64, {{.*}}@__pmt_hull, i32 0, i32 1)
; CHECK-NEXT: %pmt.addr = ptrtoint i8* %d to i64
; CHECK:      %[[DHIT:pmt.hit[0-9]*]] = and i1
; CHECK-NEXT: %pmt.lo{{[0-9]+}} = load i64, {{.*}}@__pmt_hull, i32 0, i32 2)
; CHECK-NEXT: %pmt.span{{[0-9]+}} = load i64, {{.*}}@__pmt_hull, i32 0, i32 3)
; CHECK-NEXT: %pmt.addr{{[0-9]+}} = ptrtoint i8* %s to i64
; CHECK:      %[[SHIT:pmt.hit[0-9]*]] = and i1
; CHECK-NEXT: %[[HIT:.*]] = or i1 %[[DHIT]], %[[SHIT]]
; CHECK-NEXT: br i1 %[[HIT]], label %[[SLOW:.*]], label
; CHECK:      [[SLOW]]:
; CHECK-NEXT: call void @__pmt_copy(i8* %d, i8* %s, i64 %n, {{.*}}* @__pmt_site)
  call void @llvm.memcpy.p0i8.p0i8.i64(i8* %d, i8* %s, i64 %n, i1 false)

; memcpy.inline and the element-wise atomic variant are copies too.
; CHECK:      call void @llvm.memcpy.inline.p0i8.p0i8.i64(i8* %d, i8* %s, i64 32, i1 false)
; CHECK:      call void @__pmt_copy(i8* %d, i8* %s, i64 32,
  call void @llvm.memcpy.inline.p0i8.p0i8.i64(i8* %d, i8* %s, i64 32, i1 false)
; CHECK:      call void @llvm.memcpy.element.unordered.atomic.p0i8.p0i8.i64(i8* align 8 %d, i8* align 8 %s, i64 64, i32 8)
; CHECK:      call void @__pmt_copy(i8* %d, i8* %s, i64 64,
  call void @llvm.memcpy.element.unordered.atomic.p0i8.p0i8.i64(i8* align 8 %d, i8* align 8 %s, i64 64, i32 8)
  ret void
}

; CHECK-LABEL: define void @one_side(
define void @one_side(i8* %p, i64 %n) {
  %buf = alloca [64 x i8]
  %stack = getelementptr [64 x i8], [64 x i8]* %buf, i64 0, i64 0
; Reading pmem into the stack: only the load hull is tested.
; CHECK:      call void @llvm.memcpy.p0i8.p0i8.i64(i8* %stack, i8* %p, i64 %n, i1 false)
; CHECK-NEXT: %pmt.lo = load i64, {{.*}}@__pmt_hull, i32 0, i32 2)
; CHECK-NOT:  @__pmt_hull, i32 0, i32 0)
; CHECK:      call void @__pmt_copy(i8* %stack, i8* %p, i64 %n,
  call void @llvm.memcpy.p0i8.p0i8.i64(i8* %stack, i8* %p, i64 %n, i1 false)
; Writing a global into pmem: only the store hull is tested.
; CHECK:      call void @llvm.memcpy.p0i8.p0i8.i64(i8* %p, i8* getelementptr {{.*}} @g, {{.*}}, i64 %n, i1 false)
; CHECK-NEXT: %pmt.lo{{[0-9]+}} = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK-NOT:  @__pmt_hull, i32 0, i32 2)
; CHECK:      call void @__pmt_copy(i8* %p, i8* getelementptr
  call void @llvm.memcpy.p0i8.p0i8.i64(i8* %p, i8* getelementptr ([64 x i8], [64 x i8]* @g, i64 0, i64 0), i64 %n, i1 false)
; Stack to global: nothing.
; CHECK:      call void @llvm.memcpy.p0i8.p0i8.i64(i8* getelementptr {{.*}} @g, {{.*}}, i8* %stack, i64 16, i1 false)
; CHECK-NEXT: ret void
  call void @llvm.memcpy.p0i8.p0i8.i64(i8* getelementptr ([64 x i8], [64 x i8]* @g, i64 0, i64 0), i8* %stack, i64 16, i1 false)
  ret void
}
