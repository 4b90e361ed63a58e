; With debug info a site is { 0, line, column, 0, file, dir, func } from the
; instruction's DILocation; strings are private unnamed_addr constants, one
; per distinct string in the module.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; CHECK: @[[FILE:__pmt_str[.0-9]*]] = private unnamed_addr constant [5 x i8] c"kv.c\00", align 1
; CHECK: @[[DIR:__pmt_str[.0-9]*]] = private unnamed_addr constant [10 x i8] c"/work/app\00", align 1
; CHECK: @[[FUNC:__pmt_str[.0-9]*]] = private unnamed_addr constant [9 x i8] c"kv_store\00", align 1
; CHECK: @__pmt_site = private global { i32, i32, i32, i32, i8*, i8*, i8* } { i32 0, i32 42, i32 9, i32 0, i8* getelementptr inbounds ([5 x i8], [5 x i8]* @[[FILE]], i32 0, i32 0), i8* getelementptr inbounds ([10 x i8], [10 x i8]* @[[DIR]], i32 0, i32 0), i8* getelementptr inbounds ([9 x i8], [9 x i8]* @[[FUNC]], i32 0, i32 0) }, align 8
; The second site reuses the three strings.
; CHECK: @__pmt_site.{{[0-9]+}} = private global { i32, i32, i32, i32, i8*, i8*, i8* } { i32 0, i32 43, i32 3, i32 0, i8* getelementptr inbounds ([5 x i8], [5 x i8]* @[[FILE]], i32 0, i32 0), i8* getelementptr inbounds ([10 x i8], [10 x i8]* @[[DIR]], i32 0, i32 0), i8* getelementptr inbounds ([9 x i8], [9 x i8]* @[[FUNC]], i32 0, i32 0) }, align 8
; CHECK-NOT: c"kv.c\00"

; The runtime calls carry the instruction's location too.
; CHECK-LABEL: define void @kv_store(
; CHECK: call void @__pmt_store({{.*}} @__pmt_site), !dbg ![[L42:[0-9]+]]
; CHECK: call void @__pmt_flush({{.*}} @__pmt_site.{{[0-9]+}}), !dbg ![[L43:[0-9]+]]
; CHECK: ![[L42]] = !DILocation(line: 42, column: 9,
; CHECK: ![[L43]] = !DILocation(line: 43, column: 3,

declare void @llvm.x86.clwb(i8*)

define void @kv_store(i64* %slot, i64 %v) !dbg !6 {
  store i64 %v, i64* %slot, align 8, !dbg !10
  %p = bitcast i64* %slot to i8*
  call void @llvm.x86.clwb(i8* %p), !dbg !11
  ret void, !dbg !11
}

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!3, !4}

!0 = distinct !DICompileUnit(language: DW_LANG_C99, file: !1, producer: "clang", isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug)
!1 = !DIFile(filename: "kv.c", directory: "/work/app")
!3 = !{i32 7, !"Dwarf Version", i32 5}
!4 = !{i32 2, !"Debug Info Version", i32 3}
!6 = distinct !DISubprogram(name: "kv_store", scope: !1, file: !1, line: 40, type: !7, scopeLine: 40, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!7 = !DISubroutineType(types: !8)
!8 = !{null}
!10 = !DILocation(line: 42, column: 9, scope: !6)
!11 = !DILocation(line: 43, column: 3, scope: !6)
