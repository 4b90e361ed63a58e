; Calls that must NOT be hooked: a callee of the right name but the wrong
; number of parameters or a non-integer/pointer parameter, an indirect call,
; a musttail call, an unknown function.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s
; CHECK-NOT: __pmt_{{pre|post|at}}_

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; Two parameters where the table says three.
declare i8* @memcpy(i8*, i8*)
; Three where the table says two.
declare void @pmem_persist(i8*, i64, i64)
; A double parameter: not the libpmem function.
declare void @pmem_flush(i8*, double)
; Returns a double: not the libpmem function.
declare double @pmem_drain()
declare void @pthread_mutex_lock_wrapper(i8*)
declare i32 @pthread_mutex_unlock(i8*)

define i8* @wrong(i8* %d, i8* %s, i64 %n, void (i8*, i64)* %fp) {
  %r = call i8* @memcpy(i8* %d, i8* %s)
  call void @pmem_persist(i8* %d, i64 %n, i64 0)
  call void @pmem_flush(i8* %d, double 1.0)
  %x = call double @pmem_drain()
  call void @pthread_mutex_lock_wrapper(i8* %d)
  ; pmem_persist(i8*, i64) through a pointer: no known callee.
  call void %fp(i8* %d, i64 %n)
  ret i8* %r
}

define i32 @tail(i8* %m) {
  %r = musttail call i32 @pthread_mutex_unlock(i8* %m)
  ret i32 %r
}
