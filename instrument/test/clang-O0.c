// clang -O0 marks functions optnone; the plugin, loaded with
// -fpass-plugin, must still instrument them.
// RUN: clang -O0 -fpass-plugin=%plugin -S -emit-llvm -o - %s | FileCheck %s

// CHECK: @llvm.global_ctors = {{.*}} { i32 1, void ()* @pmcheck.module_ctor, i8* null }

// CHECK-LABEL: define{{.*}} void @put(
// Only *slot: the parameters' and `local`'s stack slots are skipped.
// CHECK:       call void @__pmt_store(i8* %{{.*}}, i64 8,
// CHECK-NOT:   call void @__pmt_store(
// CHECK:       call void @__pmt_copy(
// CHECK:       call void @pmem_persist(
// CHECK-NEXT:  call void @__pmt_post_pmem_persist(
// CHECK:       ret void
// CHECK:       attributes #{{[0-9]+}} = { {{.*}}optnone

void *memcpy(void *, const void *, unsigned long);
void pmem_persist(const void *, unsigned long);

void put(long *slot, long v, char *dst, const char *src)
{
    long local = v; /* a stack slot: not instrumented */
    *slot = local;
    memcpy(dst, src, 8);
    pmem_persist(dst, 8);
}
