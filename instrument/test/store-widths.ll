; Every store type is traced after the store, gated on the store hull, with
; its DataLayout store size.
; RUN: opt -load-pass-plugin=%plugin -passes=pmcheck -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%pair = type { i32, i8 }

; Each instrumented store has its own site, all of them writable.
; CHECK: @__pmt_hull = external global { i64, i64, i64, i64 }
; CHECK: @__pmt_site = private global { i32, i32, i32, i32, i8*, i8*, i8* }
; CHECK: @__pmt_site.{{[0-9]+}} = private global

; CHECK-LABEL: define void @widths(
define void @widths(i8* %p) {
; The inline test: two hull loads, one subtraction, one unsigned compare,
; a branch to an unlikely block that calls the runtime.
; CHECK:      store i1 true, i1* %b
; CHECK-NEXT: %pmt.lo = load i64, i64* getelementptr inbounds ({ i64, i64, i64, i64 }, { i64, i64, i64, i64 }* @__pmt_hull, i32 0, i32 0)
; CHECK-NEXT: %pmt.span = load i64, i64* getelementptr inbounds ({ i64, i64, i64, i64 }, { i64, i64, i64, i64 }* @__pmt_hull, i32 0, i32 1)
; CHECK-NEXT: %pmt.addr = ptrtoint i1* %b to i64
; CHECK-NEXT: %pmt.off = sub i64 %pmt.addr, %pmt.lo
; CHECK-NEXT: %pmt.hit = icmp ult i64 %pmt.off, %pmt.span
; CHECK-NEXT: br i1 %pmt.hit, label %[[SLOW:.*]], label %[[CONT:.*]], !prof ![[UNLIKELY:[0-9]+]]
; CHECK:      [[SLOW]]:
; CHECK-NEXT: %[[B8:.*]] = bitcast i1* %b to i8*
; CHECK-NEXT: call void @__pmt_store(i8* %[[B8]], i64 1, { i32, i32, i32, i32, i8*, i8*, i8* }* @__pmt_site)
; CHECK-NEXT: br label %[[CONT]]
; CHECK:      [[CONT]]:
  %b = bitcast i8* %p to i1*
  store i1 true, i1* %b

; CHECK: store i8 1, i8* %p
; CHECK: call void @__pmt_store(i8* %p, i64 1,
  store i8 1, i8* %p

; CHECK: store i16 2, i16* %h
; CHECK: call void @__pmt_store(i8* %{{.*}}, i64 2,
  %h = bitcast i8* %p to i16*
  store i16 2, i16* %h

; CHECK: store i32 3, i32* %w
; CHECK: call void @__pmt_store(i8* %{{.*}}, i64 4,
  %w = bitcast i8* %p to i32*
  store i32 3, i32* %w

; CHECK: store i64 4, i64* %q
; CHECK: call void @__pmt_store(i8* %{{.*}}, i64 8,
  %q = bitcast i8* %p to i64*
  store i64 4, i64* %q

; CHECK: store i128 5, i128* %o
; CHECK: call void @__pmt_store(i8* %{{.*}}, i64 16,
  %o = bitcast i8* %p to i128*
  store i128 5, i128* %o

; CHECK: store double 1.0{{.*}}, double* %d
; CHECK: call void @__pmt_store(i8* %{{.*}}, i64 8,
  %d = bitcast i8* %p to double*
  store double 1.0, double* %d

; CHECK: store x86_fp80 {{.*}}, x86_fp80* %x
; CHECK: call void @__pmt_store(i8* %{{.*}}, i64 10,
  %x = bitcast i8* %p to x86_fp80*
  store x86_fp80 0xK3FFF8000000000000000, x86_fp80* %x

; CHECK: store i8* null, i8** %pp
; CHECK: call void @__pmt_store(i8* %{{.*}}, i64 8,
  %pp = bitcast i8* %p to i8**
  store i8* null, i8** %pp

; CHECK: store <4 x i32> zeroinitializer, <4 x i32>* %v
; CHECK: call void @__pmt_store(i8* %{{.*}}, i64 16,
  %v = bitcast i8* %p to <4 x i32>*
  store <4 x i32> zeroinitializer, <4 x i32>* %v

; { i32, i8 } is 8 bytes with its tail padding.
; CHECK: store %pair zeroinitializer, %pair* %s
; CHECK: call void @__pmt_store(i8* %{{.*}}, i64 8,
  %s = bitcast i8* %p to %pair*
  store %pair zeroinitializer, %pair* %s

; CHECK: store [3 x i16] zeroinitializer, [3 x i16]* %a
; CHECK: call void @__pmt_store(i8* %{{.*}}, i64 6,
  %a = bitcast i8* %p to [3 x i16]*
  store [3 x i16] zeroinitializer, [3 x i16]* %a

; CHECK-NOT: call void @__pmt_store
; CHECK: ret void
  ret void
}

; CHECK: declare void @__pmt_store(i8*, i64, { i32, i32, i32, i32, i8*, i8*, i8* }*)
; CHECK: ![[UNLIKELY]] = !{!"branch_weights", i32 1, i32 100000}
