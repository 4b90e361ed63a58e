/*
 * known - a short pmem program whose trace the pipeline test knows event by
 * event. Each line that makes an event names it in an @tag comment; the
 * test finds the line numbers from the tags, so editing this file only
 * means keeping the tags and the test's expected sequence in step.
 */
#include <immintrin.h>
#include <libpmem.h>
#include <pmtrace.h>
#include <stdint.h>
#include <string.h>

__attribute__((target("clwb,clflushopt"))) int main(int argc, char **argv)
{
    size_t len;
    int is_pmem;
    if (argc != 2)
        return 2;
    uint64_t *p = pmem_map_file(argv[1], 4096, PMEM_FILE_CREATE, 0644, /* @map */
                                &len, &is_pmem);
    if (p == NULL)
        return 1;
    p[0] = 0x1111;                           /* @store0 */
    p[1] = 0x2222;                           /* @store1 */
    _mm_clwb(&p[0]);                         /* @clwb */
    _mm_sfence();                            /* @sfence */
    p[8] = 0x3333;                           /* @store8 */
    _mm_clflush(&p[8]);                      /* @clflush */
    memset(&p[16], 0xab, 64);                /* @memset */
    _mm_clflushopt(&p[16]);                  /* @clflushopt */
    _mm_stream_si64((long long *)&p[32], 5); /* @nt */
    _mm_mfence();                            /* @mfence */
    __atomic_fetch_add(&p[40], 7, __ATOMIC_SEQ_CST); /* @rmw */
    pmem_persist(&p[40], 8);                 /* @persist */
    PMT_ASSERT_PERSISTED(&p[40], 8);         /* @assert */
    pmem_unmap(p, len);                      /* @unmap */
    return 0;
}
