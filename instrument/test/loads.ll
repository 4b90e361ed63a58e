; Loads (plain, atomic, volatile, vector, llvm.masked.load): before the
; load, gated on the LOAD hull (fields 2 and 3 of __pmt_hull), __pmt_load.
; Loads from the stack or globals are not instrumented.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@g = global i32 0

declare <4 x i32> @llvm.masked.load.v4i32.p0v4i32(<4 x i32>*, i32, <4 x i1>, <4 x i32>)

; CHECK-LABEL: define i32 @loads(
define i32 @loads(i32* %p, <4 x i32>* %vp, <4 x i1> %m) {
; CHECK-NEXT: %pmt.lo = load i64, {{.*}}@__pmt_hull, i32 0, i32 2)
; CHECK-NEXT: %pmt.span = load i64, {{.*}}@__pmt_hull, i32 0, i32 3)
; CHECK-NEXT: %pmt.addr = ptrtoint i32* %p to i64
; CHECK-NEXT: %pmt.off = sub i64 %pmt.addr, %pmt.lo
; CHECK-NEXT: %pmt.hit = icmp ult i64 %pmt.off, %pmt.span
; CHECK-NEXT: br i1 %pmt.hit, label %[[SLOW:.*]], label %[[CONT:.*]], !prof
; CHECK:      [[SLOW]]:
; CHECK-NEXT: %[[P8:.*]] = bitcast i32* %p to i8*
; CHECK-NEXT: call void @__pmt_load(i8* %[[P8]], i64 4, {{.*}}* @__pmt_site)
; CHECK-NEXT: br label %[[CONT]]
; CHECK:      [[CONT]]:
; CHECK-NEXT: %a = load i32, i32* %p
  %a = load i32, i32* %p
; CHECK:      call void @__pmt_load(i8* %{{.*}}, i64 4,
; CHECK:      %b = load atomic i32, i32* %p acquire, align 4
  %b = load atomic i32, i32* %p acquire, align 4
; CHECK:      call void @__pmt_load(i8* %{{.*}}, i64 4,
; CHECK:      %c = load volatile i32, i32* %p
  %c = load volatile i32, i32* %p
; CHECK:      call void @__pmt_load(i8* %{{.*}}, i64 16,
; CHECK:      %v = load <4 x i32>, <4 x i32>* %vp
  %v = load <4 x i32>, <4 x i32>* %vp
; CHECK:      %pmt.addr{{[0-9]+}} = ptrtoint <4 x i32>* %vp to i64
; CHECK:      call void @__pmt_load(i8* %{{.*}}, i64 16,
; CHECK:      %w = call <4 x i32> @llvm.masked.load.v4i32.p0v4i32(
  %w = call <4 x i32> @llvm.masked.load.v4i32.p0v4i32(<4 x i32>* %vp, i32 4, <4 x i1> %m, <4 x i32> %v)
; Stack and globals: nothing.
; CHECK-NEXT: %s = alloca i32
; CHECK-NEXT: %x = load i32, i32* %s
; CHECK-NEXT: %y = load i32, i32* @g
  %s = alloca i32
  %x = load i32, i32* %s
  %y = load i32, i32* @g
  %r = add i32 %a, %b
  ret i32 %r
}
