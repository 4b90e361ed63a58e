; llvm.memmove (and its element-wise atomic variant): like memcpy, a gated
; __pmt_copy after it.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare void @llvm.memmove.p0i8.p0i8.i64(i8*, i8*, i64, i1)
declare void @llvm.memmove.p0i8.p0i8.i32(i8*, i8*, i32, i1)
declare void @llvm.memmove.element.unordered.atomic.p0i8.p0i8.i64(i8*, i8*, i64, i32)

; CHECK-LABEL: define void @move(
define void @move(i8* %d, i8* %s, i64 %n, i32 %m) {
; CHECK:      call void @llvm.memmove.p0i8.p0i8.i64(i8* %d, i8* %s, i64 %n, i1 false)
; CHECK-NEXT: %pmt.lo = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK:      load i64, {{.*}}@__pmt_hull, i32 0, i32 2)
; CHECK:      or i1
; CHECK:      call void @__pmt_copy(i8* %d, i8* %s, i64 %n, {{.*}}* @__pmt_site)
  call void @llvm.memmove.p0i8.p0i8.i64(i8* %d, i8* %s, i64 %n, i1 false)
; CHECK:      call void @llvm.memmove.p0i8.p0i8.i32(i8* %d, i8* %s, i32 %m, i1 true)
; CHECK:      %[[M64:.*]] = zext i32 %m to i64
; CHECK:      call void @__pmt_copy(i8* %d, i8* %s, i64 %{{.*}}, {{.*}}* @__pmt_site.{{[0-9]+}})
  call void @llvm.memmove.p0i8.p0i8.i32(i8* %d, i8* %s, i32 %m, i1 true)
; CHECK:      call void @llvm.memmove.element.unordered.atomic.p0i8.p0i8.i64(
; CHECK:      call void @__pmt_copy(i8* %d, i8* %s, i64 128,
  call void @llvm.memmove.element.unordered.atomic.p0i8.p0i8.i64(i8* align 4 %d, i8* align 4 %s, i64 128, i32 4)
  ret void
}
