; REPLACE hooks: the annotation call becomes __pmt_at_<name>(args..., site),
; returning what the original returned; the original call is gone.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare i32 @pmtrace_register(i8*, i64, i8*)
declare void @pmtrace_durable()
declare void @pmtrace_assert_ordered(i8*, i64, i8*, i64)
declare void @pmtrace_marker(i8*)

; CHECK-LABEL: define i32 @annotate(
define i32 @annotate(i8* %p, i64 %n, i8* %name) {
; CHECK-NEXT: %rc = call i32 @__pmt_at_pmtrace_register(i8* %p, i64 %n, i8* %name, {{.*}}* @__pmt_site)
  %rc = call i32 @pmtrace_register(i8* %p, i64 %n, i8* %name)
; CHECK-NEXT: call void @__pmt_at_pmtrace_durable({{.*}}* @__pmt_site.{{[0-9]+}})
  call void @pmtrace_durable()
; CHECK-NEXT: call void @__pmt_at_pmtrace_assert_ordered(i8* %p, i64 8, i8* %name, i64 16, {{.*}}* @__pmt_site.{{[0-9]+}})
  call void @pmtrace_assert_ordered(i8* %p, i64 8, i8* %name, i64 16)
; CHECK-NEXT: call void @__pmt_at_pmtrace_marker(i8* %name, {{.*}}* @__pmt_site.{{[0-9]+}})
  call void @pmtrace_marker(i8* %name)
; The result is used through the replacement.
; CHECK-NEXT: ret i32 %rc
  ret i32 %rc
}

; CHECK-NOT: call {{.*}} @pmtrace_
; CHECK: declare i32 @__pmt_at_pmtrace_register(i8*, i64, i8*, { i32, i32, i32, i32, i8*, i8*, i8* }*)
