; Invokes: PRE before, POST at the start of the normal destination when the
; invoke is its only predecessor (else no POST: the hook would also run on
; paths without the call), REPLACE as an invoke of the replacement.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare i8* @mmap(i8*, i64, i32, i32, i32, i64)
declare i32 @munmap(i8*, i64)
declare void @pmtrace_crash_point()
declare i32 @__gxx_personality_v0(...)

; CHECK-LABEL: define i8* @single(
define i8* @single(i8* %p) personality i32 (...)* @__gxx_personality_v0 {
entry:
; CHECK:      %m = invoke i8* @mmap(i8* %p, i64 4096, i32 3, i32 1, i32 -1, i64 0)
; CHECK-NEXT:   to label %ok unwind label %lp
  %m = invoke i8* @mmap(i8* %p, i64 4096, i32 3, i32 1, i32 -1, i64 0)
          to label %ok unwind label %lp
; CHECK:      ok:
; CHECK-NEXT: call void @__pmt_post_mmap(i8* %m, i8* %p, i64 4096, i32 3, i32 1, i32 -1, i64 0, {{.*}}* @__pmt_site)
; CHECK-NEXT: ret i8* %m
ok:
  ret i8* %m
lp:
  %l = landingpad { i8*, i32 } cleanup
  ret i8* null
}

; CHECK-LABEL: define i8* @shared(
define i8* @shared(i8* %p, i1 %c) personality i32 (...)* @__gxx_personality_v0 {
entry:
  br i1 %c, label %unmap, label %map
unmap:
; CHECK:      unmap:
; CHECK-NEXT: call void @__pmt_pre_munmap(i8* %p, i64 4096,
; CHECK-NEXT: invoke i32 @munmap(i8* %p, i64 4096)
  %u = invoke i32 @munmap(i8* %p, i64 4096)
          to label %join unwind label %lp
map:
; CHECK:      map:
; CHECK-NEXT: %m = invoke i8* @mmap(
  %m = invoke i8* @mmap(i8* %p, i64 4096, i32 3, i32 1, i32 -1, i64 0)
          to label %join unwind label %lp
; CHECK:      join:
; CHECK-NOT:  __pmt_post_mmap
; CHECK:      ret i8* %r
join:
  %r = phi i8* [ %p, %unmap ], [ %m, %map ]
  ret i8* %r
lp:
  %l = landingpad { i8*, i32 } cleanup
  ret i8* null
}

; CHECK-LABEL: define void @replaced(
define void @replaced() personality i32 (...)* @__gxx_personality_v0 {
entry:
; CHECK:      invoke void @__pmt_at_pmtrace_crash_point({{.*}}* @__pmt_site.{{[0-9]+}})
; CHECK-NEXT:   to label %ok unwind label %lp
; CHECK-NOT:  @pmtrace_crash_point()
  invoke void @pmtrace_crash_point()
          to label %ok unwind label %lp
ok:
  ret void
lp:
  %l = landingpad { i8*, i32 } cleanup
  ret void
}
