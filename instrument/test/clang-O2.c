// At -O2 the pass runs after the optimiser: what it instruments are the
// stores that remain, with debug sites from -g.
// RUN: clang -O2 -g -fpass-plugin=%plugin -S -emit-llvm -o - %s | FileCheck %s

// CHECK: @llvm.global_ctors = {{.*}} { i32 1, void ()* @pmcheck.module_ctor, i8* null }

struct node {
    long key;
    struct node *next;
};

// The two stores survive; the flush is clwb, the fence sfence.
// CHECK-LABEL: define{{.*}} void @link(
// CHECK:       call void @__pmt_store(i8* %{{.*}}, i64 8,
// CHECK:       call void @__pmt_store(i8* %{{.*}}, i64 8,
// CHECK:       call void @__pmt_flush(i8* %{{.*}}, i32 3,
// CHECK:       call void @__pmt_fence(i32 1,
// CHECK:       ret void
void link(struct node *n, long key, struct node *next)
{
    n->key = key;
    n->next = next;
    __asm__ volatile(".byte 0x66; xsaveopt %0" : "+m"(*(volatile char *)n));
    __asm__ volatile("sfence" ::: "memory");
}

// CHECK-LABEL: define{{.*}} i64 @get(
// CHECK:       call void @__pmt_load(i8* %{{.*}}, i64 8,
long get(struct node *n)
{
    return n->key;
}
