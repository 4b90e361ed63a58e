; mmap and mmap64: POST with the mapping's address first, then all six
; arguments (the runtime decides from the fd whether the file is pmem).
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare i8* @mmap(i8*, i64, i32, i32, i32, i64)
declare i8* @mmap64(i8*, i64, i32, i32, i32, i64)

; CHECK-LABEL: define i8* @map(
define i8* @map(i32 %fd, i64 %len) {
; CHECK:      %a = tail call i8* @mmap(i8* null, i64 %len, i32 3, i32 1, i32 %fd, i64 0)
; CHECK-NEXT: call void @__pmt_post_mmap(i8* %a, i8* null, i64 %len, i32 3, i32 1, i32 %fd, i64 0, {{.*}}* @__pmt_site)
  %a = tail call i8* @mmap(i8* null, i64 %len, i32 3, i32 1, i32 %fd, i64 0)
; CHECK-NEXT: %b = call i8* @mmap64(i8* %a, i64 %len, i32 3, i32 17, i32 %fd, i64 4096)
; CHECK-NEXT: call void @__pmt_post_mmap64(i8* %b, i8* %a, i64 %len, i32 3, i32 17, i32 %fd, i64 4096, {{.*}}* @__pmt_site.{{[0-9]+}})
  %b = call i8* @mmap64(i8* %a, i64 %len, i32 3, i32 17, i32 %fd, i64 4096)
  ret i8* %b
}
; CHECK: declare void @__pmt_post_mmap(i8*, i8*, i64, i32, i32, i32, i64, { i32, i32, i32, i32, i8*, i8*, i8* }*)
