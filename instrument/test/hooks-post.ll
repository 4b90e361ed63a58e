; POST hooks: __pmt_post_<name>([result,] args..., site) right after the
; call, for library calls that stayed calls.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%mutex = type { [40 x i8] }

declare i8* @memcpy(i8*, i8*, i64)
declare i32 @pthread_mutex_lock(%mutex*)
declare void @pmem_persist(i8*, i64)
declare void @pmem_drain()
declare i8* @pmem_map_file(i8*, i64, i32, i32, i64*, i32*)

; CHECK-LABEL: define i8* @post(
define i8* @post(i8* %d, i8* %s, i64 %n, %mutex* %m, i8* %path, i64* %len, i32* %ispmem) {
; A non-void callee: its result comes first.
; CHECK:      %r = call i8* @memcpy(i8* %d, i8* %s, i64 %n)
; CHECK-NEXT: call void @__pmt_post_memcpy(i8* %r, i8* %d, i8* %s, i64 %n, {{.*}}* @__pmt_site)
  %r = call i8* @memcpy(i8* %d, i8* %s, i64 %n)
; CHECK-NEXT: %l = call i32 @pthread_mutex_lock(%mutex* %m)
; CHECK-NEXT: call void @__pmt_post_pthread_mutex_lock(i32 %l, %mutex* %m, {{.*}}* @__pmt_site.{{[0-9]+}})
  %l = call i32 @pthread_mutex_lock(%mutex* %m)
; A void callee: no result argument.
; CHECK-NEXT: call void @pmem_persist(i8* %d, i64 %n)
; CHECK-NEXT: call void @__pmt_post_pmem_persist(i8* %d, i64 %n, {{.*}}* @__pmt_site.{{[0-9]+}})
  call void @pmem_persist(i8* %d, i64 %n)
; No parameters at all: only the site.
; CHECK-NEXT: call void @pmem_drain()
; CHECK-NEXT: call void @__pmt_post_pmem_drain({{.*}}* @__pmt_site.{{[0-9]+}})
  call void @pmem_drain()
; CHECK-NEXT: %map = call i8* @pmem_map_file(i8* %path, i64 4096, i32 1, i32 438, i64* %len, i32* %ispmem)
; CHECK-NEXT: call void @__pmt_post_pmem_map_file(i8* %map, i8* %path, i64 4096, i32 1, i32 438, i64* %len, i32* %ispmem, {{.*}}* @__pmt_site.{{[0-9]+}})
  %map = call i8* @pmem_map_file(i8* %path, i64 4096, i32 1, i32 438, i64* %len, i32* %ispmem)
; CHECK-NEXT: ret i8* %r
  ret i8* %r
}

; Hooks are declared with the IR types of the call.
; CHECK: declare void @__pmt_post_memcpy(i8*, i8*, i8*, i64, { i32, i32, i32, i32, i8*, i8*, i8* }*)
; CHECK: declare void @__pmt_post_pthread_mutex_lock(i32, %mutex*, { i32, i32, i32, i32, i8*, i8*, i8* }*)
; CHECK: declare void @__pmt_post_pmem_persist(i8*, i64, { i32, i32, i32, i32, i8*, i8*, i8* }*)
; CHECK: declare void @__pmt_post_pmem_drain({ i32, i32, i32, i32, i8*, i8*, i8* }*)
