; The module gets a constructor, priority 1, that calls
; __pmt_module_init_v1(); the constructor itself, declarations and the
; runtime's own __pmt_* functions are not instrumented, nor are naked
; functions. Running the pass twice instruments once.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck,pmcheck -S %s | FileCheck %s --check-prefix=TWICE

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; CHECK: @llvm.global_ctors = appending global [1 x { i32, void ()*, i8* }] [{ i32, void ()*, i8* } { i32 1, void ()* @pmcheck.module_ctor, i8* null }]
; TWICE: @llvm.global_ctors = appending global [1 x

declare void @external(i64*)

; CHECK-LABEL: define void @__pmt_helper(
; CHECK-NEXT:  store i64 0, i64* %p
; CHECK-NEXT:  ret void
define void @__pmt_helper(i64* %p) {
  store i64 0, i64* %p
  ret void
}

; CHECK-LABEL: define void @naked(
; CHECK-NEXT:  call void asm sideeffect "sfence; ret"
; CHECK-NEXT:  unreachable
define void @naked(i64* %p) naked {
  call void asm sideeffect "sfence; ret", "~{dirflag},~{fpsr},~{flags}"()
  unreachable
}

; TWICE-LABEL: define void @user(
; TWICE:       call void @__pmt_store(
; TWICE-NOT:   call void @__pmt_store(
; TWICE:       ret void
; CHECK-LABEL: define void @user(
; CHECK:       call void @__pmt_store(
define void @user(i64* %p) {
  store i64 1, i64* %p
  ret void
}

; CHECK: declare void @__pmt_module_init_v1()
; CHECK-LABEL: define internal void @pmcheck.module_ctor()
; CHECK-NEXT:  call void @__pmt_module_init_v1()
; CHECK-NEXT:  ret void
; TWICE: define internal void @pmcheck.module_ctor()
; TWICE-NOT: define internal void @pmcheck.module_ctor
