; A load the optimiser gave line 0 (a loop head's load, merged from the
; loop's entry and its latch) or no location at all is named by the
; nearest line known in its subprogram: earlier in its block, then later
; in it, then the subprogram's line. A line from another (inlined)
; subprogram in the same block is not taken.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s --implicit-check-not="{ i32 0, i32 0, i32" --implicit-check-not="i32 90,"

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; Sites in the order made: the loop's load-free version (LoopVersions)
; first, holding only the store, then the loop as written.
; CHECK: @__pmt_site = private global { i32, i32, i32, i32, i8*, i8*, i8* } { i32 0, i32 63, i32 7, i32 0,
; The loop head's line-0 load: the compare after it, line 61 column 12.
; CHECK: @__pmt_site.{{[0-9]+}} = private global { i32, i32, i32, i32, i8*, i8*, i8* } { i32 0, i32 61, i32 12, i32 0,
; The latch's store, then its load without a location: the store's line
; 63 column 7, not the inlined helper's line 90 between them.
; CHECK: @__pmt_site.{{[0-9]+}} = private global { i32, i32, i32, i32, i8*, i8*, i8* } { i32 0, i32 63, i32 7, i32 0,
; CHECK: @__pmt_site.{{[0-9]+}} = private global { i32, i32, i32, i32, i8*, i8*, i8* } { i32 0, i32 63, i32 7, i32 0,
; The exit's line-0 load, alone with a line-0 return in its block: the
; subprogram's line, 55, column 0.
; CHECK: @__pmt_site.{{[0-9]+}} = private global { i32, i32, i32, i32, i8*, i8*, i8* } { i32 0, i32 55, i32 0, i32 0,

define i64 @walk(i64* %head, i64* %out) !dbg !6 {
entry:
  br label %loop

loop:
  %n = load i64, i64* %head, align 8, !dbg !20
  %c = icmp eq i64 %n, 0, !dbg !11
  br i1 %c, label %exit, label %latch, !dbg !11

latch:
  store i64 %n, i64* %out, align 8, !dbg !12
  %h = add i64 %n, 1, !dbg !13
  %m = load i64, i64* %out, align 8
  br label %loop, !dbg !12

exit:
  %z = load i64, i64* %out, align 8, !dbg !20
  ret i64 %z, !dbg !20
}

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!3, !4}

!0 = distinct !DICompileUnit(language: DW_LANG_C99, file: !1, producer: "clang", isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug)
!1 = !DIFile(filename: "list.c", directory: "/work/app")
!3 = !{i32 7, !"Dwarf Version", i32 5}
!4 = !{i32 2, !"Debug Info Version", i32 3}
!6 = distinct !DISubprogram(name: "walk", scope: !1, file: !1, line: 55, type: !7, scopeLine: 56, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!7 = !DISubroutineType(types: !8)
!8 = !{null}
!9 = distinct !DISubprogram(name: "helper", scope: !1, file: !1, line: 88, type: !7, scopeLine: 89, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!11 = !DILocation(line: 61, column: 12, scope: !6)
!12 = !DILocation(line: 63, column: 7, scope: !6)
!13 = !DILocation(line: 90, column: 3, scope: !9, inlinedAt: !12)
!20 = !DILocation(line: 0, scope: !6)
