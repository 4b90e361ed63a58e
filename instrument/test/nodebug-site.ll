; Without debug info a site is { 0, 0, 0, 0, module source file, "", IR
; function name }.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

source_filename = "src/kv.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; CHECK: @[[FILE:__pmt_str[.0-9]*]] = private unnamed_addr constant [9 x i8] c"src/kv.c\00"
; CHECK: @[[DIR:__pmt_str[.0-9]*]] = private unnamed_addr constant [1 x i8] zeroinitializer
; CHECK: @[[FUNC:__pmt_str[.0-9]*]] = private unnamed_addr constant [9 x i8] c"kv_store\00"
; CHECK: @__pmt_site = private global { i32, i32, i32, i32, i8*, i8*, i8* } { i32 0, i32 0, i32 0, i32 0, i8* getelementptr inbounds ([9 x i8], [9 x i8]* @[[FILE]], i32 0, i32 0), i8* getelementptr inbounds ([1 x i8], [1 x i8]* @[[DIR]], i32 0, i32 0), i8* getelementptr inbounds ([9 x i8], [9 x i8]* @[[FUNC]], i32 0, i32 0) }, align 8

define void @kv_store(i64* %slot, i64 %v) {
  store i64 %v, i64* %slot, align 8
  ret void
}
