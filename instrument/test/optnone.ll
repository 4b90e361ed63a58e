; optnone functions (every function at clang -O0) are instrumented, and the
; pass is required: -opt-bisect-limit=0 skips every optional pass, as
; optnone skips them per function.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -opt-bisect-limit=0 -S %s 2>&1 | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; CHECK-LABEL: define void @slow(
; CHECK:       store i32 1, i32* %p
; CHECK:       call void @__pmt_store(i8* %{{.*}}, i64 4,
define void @slow(i32* %p) noinline optnone {
  store i32 1, i32* %p
  ret void
}
