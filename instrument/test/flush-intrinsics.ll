; Flush intrinsics: always __pmt_flush(addr, kind, site) after, with kind
; PMT_FLUSH_CLFLUSH (1), _CLFLUSHOPT (2), _CLWB (3). Not gated, and not
; skipped for the stack or globals: a flush of DRAM is a finding.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@g = global i64 0

declare void @llvm.x86.sse2.clflush(i8*)
declare void @llvm.x86.clflushopt(i8*)
declare void @llvm.x86.clwb(i8*)

; CHECK-LABEL: define void @flushes(
define void @flushes(i8* %p) {
; CHECK-NEXT: call void @llvm.x86.sse2.clflush(i8* %p)
; CHECK-NEXT: call void @__pmt_flush(i8* %p, i32 1, {{.*}}* @__pmt_site)
  call void @llvm.x86.sse2.clflush(i8* %p)
; CHECK-NEXT: call void @llvm.x86.clflushopt(i8* %p)
; CHECK-NEXT: call void @__pmt_flush(i8* %p, i32 2, {{.*}}* @__pmt_site.{{[0-9]+}})
  call void @llvm.x86.clflushopt(i8* %p)
; CHECK-NEXT: call void @llvm.x86.clwb(i8* %p)
; CHECK-NEXT: call void @__pmt_flush(i8* %p, i32 3, {{.*}}* @__pmt_site.{{[0-9]+}})
  call void @llvm.x86.clwb(i8* %p)
; CHECK-NEXT: call void @llvm.x86.clwb(i8* bitcast (i64* @g to i8*))
; CHECK-NEXT: call void @__pmt_flush(i8* bitcast (i64* @g to i8*), i32 3,
  call void @llvm.x86.clwb(i8* bitcast (i64* @g to i8*))
; CHECK-NEXT: ret void
  ret void
}
