; Stores whose underlying object is an alloca or a global variable are
; never pmem and are not instrumented, through GEPs and casts too; nor are
; stores through the fs/gs segments (address spaces 256/257).
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%node = type { i64, i64 }

@g = global %node zeroinitializer
@tls = thread_local global i64 0

; CHECK-LABEL: define void @skipped(
; CHECK-NOT: __pmt_
; CHECK: ret void
define void @skipped(i64 %k, i64 addrspace(256)* %fs) {
  %n = alloca %node
  %f = getelementptr %node, %node* %n, i32 0, i32 1
  store i64 %k, i64* %f
  %c = bitcast %node* %n to i32*
  store i32 1, i32* %c
  store i64 %k, i64* getelementptr (%node, %node* @g, i32 0, i32 1)
  %gc = bitcast %node* @g to i8*
  %gi = getelementptr i8, i8* %gc, i64 %k
  store i8 0, i8* %gi
  store i64 %k, i64* @tls
  store i64 %k, i64 addrspace(256)* %fs
  ret void
}

; The same store through a pointer argument is instrumented.
; CHECK-LABEL: define void @kept(
; CHECK: call void @__pmt_store(
define void @kept(%node* %n, i64 %k) {
  %f = getelementptr %node, %node* %n, i32 0, i32 1
  store i64 %k, i64* %f
  ret void
}
