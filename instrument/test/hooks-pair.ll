; A callee that returns a struct in two registers (PMDK's PMEMoid, a
; literal { i64, i64 } in the IR) is hooked too: its POST hook gets the
; two members as two parameters, as C passes such a struct, and a PMEMoid
; argument is already two i64 parameters of the call.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare { i64, i64 } @pmemobj_tx_alloc(i64, i64)
declare { i64, i64 } @pmemobj_tx_realloc(i64, i64, i64, i64)
declare i32 @pmemobj_tx_add_range(i64, i64, i64, i64)
declare { i64, i64, i64 } @pmemobj_tx_zalloc(i64, i64)

; CHECK-LABEL: define { i64, i64 } @pair(
define { i64, i64 } @pair(i64 %size, i64 %pool, i64 %off) {
; CHECK:      call void @__pmt_pre_pmemobj_tx_alloc(i64 %size, i64 7, {{.*}}* @[[A:__pmt_site(.[0-9]+)?]])
; CHECK-NEXT: %o = call { i64, i64 } @pmemobj_tx_alloc(i64 %size, i64 7)
; CHECK-NEXT: %[[LO:.+]] = extractvalue { i64, i64 } %o, 0
; CHECK-NEXT: %[[HI:.+]] = extractvalue { i64, i64 } %o, 1
; CHECK-NEXT: call void @__pmt_post_pmemobj_tx_alloc(i64 %[[LO]], i64 %[[HI]], i64 %size, i64 7, {{.*}}* @[[A]])
  %o = call { i64, i64 } @pmemobj_tx_alloc(i64 %size, i64 7)
; A PMEMoid argument: two parameters, passed as they are.
; CHECK:      %r = call { i64, i64 } @pmemobj_tx_realloc(i64 %pool, i64 %off, i64 %size, i64 7)
; CHECK-NEXT: %[[RLO:.+]] = extractvalue { i64, i64 } %r, 0
; CHECK-NEXT: %[[RHI:.+]] = extractvalue { i64, i64 } %r, 1
; CHECK-NEXT: call void @__pmt_post_pmemobj_tx_realloc(i64 %[[RLO]], i64 %[[RHI]], i64 %pool, i64 %off, i64 %size, i64 7, {{.*}}* @__pmt_site.{{[0-9]+}})
  %r = call { i64, i64 } @pmemobj_tx_realloc(i64 %pool, i64 %off, i64 %size, i64 7)
; CHECK:      %a = call i32 @pmemobj_tx_add_range(i64 %pool, i64 %off, i64 0, i64 %size)
; CHECK-NEXT: call void @__pmt_post_pmemobj_tx_add_range(i32 %a, i64 %pool, i64 %off, i64 0, i64 %size, {{.*}}* @__pmt_site.{{[0-9]+}})
  %a = call i32 @pmemobj_tx_add_range(i64 %pool, i64 %off, i64 0, i64 %size)
; Three members are not a register pair: a callee declared so is not the
; function the runtime knows, and is left alone.
; CHECK-NOT:  __pmt_pre_pmemobj_tx_zalloc
; CHECK:      %z = call { i64, i64, i64 } @pmemobj_tx_zalloc(i64 %size, i64 7)
; CHECK-NOT:  __pmt_post_pmemobj_tx_zalloc
  %z = call { i64, i64, i64 } @pmemobj_tx_zalloc(i64 %size, i64 7)
  ret { i64, i64 } %o
}

; The hooks take the members' types, never the struct.
; CHECK: declare void @__pmt_post_pmemobj_tx_alloc(i64, i64, i64, i64, { i32, i32, i32, i32, i8*, i8*, i8* }*)
