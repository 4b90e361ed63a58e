; After inlining, the site names the function the code was written in (the
; inlined callee, scope of the DILocation), with its line, not the caller.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; CHECK: @[[CALLEE:__pmt_str[.0-9]*]] = private unnamed_addr constant [10 x i8] c"set_field\00"
; CHECK: @__pmt_site = private global {{.*}} { i32 0, i32 7, i32 12, i32 0, {{.*}}, i8* getelementptr inbounds ([10 x i8], [10 x i8]* @[[CALLEE]], i32 0, i32 0) }
; CHECK-NOT: c"caller\00"

define void @caller(i64* %p) !dbg !6 {
  store i64 1, i64* %p, align 8, !dbg !12
  ret void, !dbg !11
}

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!3, !4}

!0 = distinct !DICompileUnit(language: DW_LANG_C99, file: !1, producer: "clang", isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug)
!1 = !DIFile(filename: "node.c", directory: "/work/app")
!3 = !{i32 7, !"Dwarf Version", i32 5}
!4 = !{i32 2, !"Debug Info Version", i32 3}
!6 = distinct !DISubprogram(name: "caller", scope: !1, file: !1, line: 20, type: !7, scopeLine: 20, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!7 = !DISubroutineType(types: !8)
!8 = !{null}
!9 = distinct !DISubprogram(name: "set_field", scope: !1, file: !1, line: 5, type: !7, scopeLine: 5, spFlags: DISPFlagLocalToUnit | DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!10 = distinct !DILexicalBlock(scope: !9, file: !1, line: 6, column: 5)
!11 = !DILocation(line: 22, column: 1, scope: !6)
!13 = distinct !DILocation(line: 21, column: 3, scope: !6)
!12 = !DILocation(line: 7, column: 12, scope: !10, inlinedAt: !13)
