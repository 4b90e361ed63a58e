; llvm.masked.store: gated __pmt_store over the whole vector's range (the
; runtime reads back what memory holds, masked-off lanes included).
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare void @llvm.masked.store.v8i32.p0v8i32(<8 x i32>, <8 x i32>*, i32, <8 x i1>)

; CHECK-LABEL: define void @masked(
define void @masked(<8 x i32>* %p, <8 x i32> %v, <8 x i1> %m) {
; CHECK:      call void @llvm.masked.store.v8i32.p0v8i32(<8 x i32> %v, <8 x i32>* %p, i32 4, <8 x i1> %m)
; CHECK-NEXT: %pmt.lo = load i64, {{.*}}@__pmt_hull, i32 0, i32 0)
; CHECK-NEXT: %pmt.span = load i64, {{.*}}@__pmt_hull, i32 0, i32 1)
; CHECK-NEXT: %pmt.addr = ptrtoint <8 x i32>* %p to i64
; CHECK:      call void @__pmt_store(i8* %{{.*}}, i64 32, {{.*}}* @__pmt_site)
  call void @llvm.masked.store.v8i32.p0v8i32(<8 x i32> %v, <8 x i32>* %p, i32 4, <8 x i1> %m)
; CHECK:      call void @llvm.masked.store.v8i32.p0v8i32(<8 x i32> %v, <8 x i32>* %stack, i32 4, <8 x i1> %m)
; CHECK-NEXT: ret void
  %stack = alloca <8 x i32>
  call void @llvm.masked.store.v8i32.p0v8i32(<8 x i32> %v, <8 x i32>* %stack, i32 4, <8 x i1> %m)
  ret void
}
