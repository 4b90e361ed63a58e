; PRE hooks run just before the call (munmap, unlock: the runtime must see
; them while the mapping / the lock is still held); PRE_POST both.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%mutex = type { [40 x i8] }

declare i32 @munmap(i8*, i64)
declare i32 @pthread_mutex_unlock(%mutex*)
declare i8* @strcat(i8*, i8*)

; CHECK-LABEL: define void @pre(
define void @pre(i8* %p, i64 %n, %mutex* %m, i8* %s) {
; CHECK:      call void @__pmt_pre_munmap(i8* %p, i64 %n, {{.*}}* @__pmt_site)
; CHECK-NEXT: %u = call i32 @munmap(i8* %p, i64 %n)
; CHECK-NOT:  __pmt_post_munmap
  %u = call i32 @munmap(i8* %p, i64 %n)
; CHECK-NEXT: call void @__pmt_pre_pthread_mutex_unlock(%mutex* %m, {{.*}}* @__pmt_site.{{[0-9]+}})
; CHECK-NEXT: call i32 @pthread_mutex_unlock(%mutex* %m)
  call i32 @pthread_mutex_unlock(%mutex* %m)
; strcat: PRE and POST, one site for both.
; CHECK-NEXT: call void @__pmt_pre_strcat(i8* %p, i8* %s, {{.*}}* @[[CAT:__pmt_site.[0-9]+]])
; CHECK-NEXT: %c = call i8* @strcat(i8* %p, i8* %s)
; CHECK-NEXT: call void @__pmt_post_strcat(i8* %c, i8* %p, i8* %s, {{.*}}* @[[CAT]])
  %c = call i8* @strcat(i8* %p, i8* %s)
; CHECK-NEXT: ret void
  ret void
}
