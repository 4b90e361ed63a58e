; A PMEMoid argument that finds no argument registers left is passed in
; memory (byval): one pointer parameter, not two i64. pmemobj_list_insert
; (its second PMEMoid) and pmemobj_list_move (both) are then called with 7
; and 8 parameters - clang's IR for POBJ_LIST_INSERT_HEAD and
; POBJ_LIST_MOVE_ELEMENT_HEAD - and must still be hooked, the pointer
; handed on to the hooks as it is.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%pool = type opaque
%struct.pmemoid = type { i64, i64 }

declare i32 @pmemobj_list_insert(%pool*, i64, i8*, i64, i64, i32, %struct.pmemoid* byval(%struct.pmemoid) align 8)
declare i32 @pmemobj_list_move(%pool*, i64, i8*, i64, i8*, %struct.pmemoid* byval(%struct.pmemoid) align 8, i32, %struct.pmemoid* byval(%struct.pmemoid) align 8)

; CHECK-LABEL: define i32 @lists(
define i32 @lists(%pool* %pop, i8* %head, i8* %head2, %struct.pmemoid* %oid, %struct.pmemoid* %dest) {
; CHECK:      call void @__pmt_pre_pmemobj_list_insert(%pool* %pop, i64 0, i8* %head, i64 0, i64 0, i32 1, %struct.pmemoid* %oid, {{.*}}* @[[I:__pmt_site(.[0-9]+)?]])
; CHECK-NEXT: %a = call i32 @pmemobj_list_insert(%pool* %pop, i64 0, i8* %head, i64 0, i64 0, i32 1, %struct.pmemoid* byval(%struct.pmemoid) align 8 %oid)
; CHECK-NEXT: call void @__pmt_post_pmemobj_list_insert(i32 %a, %pool* %pop, i64 0, i8* %head, i64 0, i64 0, i32 1, %struct.pmemoid* %oid, {{.*}}* @[[I]])
  %a = call i32 @pmemobj_list_insert(%pool* %pop, i64 0, i8* %head, i64 0, i64 0, i32 1, %struct.pmemoid* byval(%struct.pmemoid) align 8 %oid)
; CHECK-NEXT: call void @__pmt_pre_pmemobj_list_move(%pool* %pop, i64 0, i8* %head, i64 0, i8* %head2, %struct.pmemoid* %dest, i32 1, %struct.pmemoid* %oid, {{.*}}* @[[M:__pmt_site(.[0-9]+)?]])
; CHECK-NEXT: %b = call i32 @pmemobj_list_move(%pool* %pop, i64 0, i8* %head, i64 0, i8* %head2, %struct.pmemoid* byval(%struct.pmemoid) align 8 %dest, i32 1, %struct.pmemoid* byval(%struct.pmemoid) align 8 %oid)
; CHECK-NEXT: call void @__pmt_post_pmemobj_list_move(i32 %b, %pool* %pop, i64 0, i8* %head, i64 0, i8* %head2, %struct.pmemoid* %dest, i32 1, %struct.pmemoid* %oid, {{.*}}* @[[M]])
  %b = call i32 @pmemobj_list_move(%pool* %pop, i64 0, i8* %head, i64 0, i8* %head2, %struct.pmemoid* byval(%struct.pmemoid) align 8 %dest, i32 1, %struct.pmemoid* byval(%struct.pmemoid) align 8 %oid)
  %r = add i32 %a, %b
  ret i32 %r
}
