/*
 * fake_pmemobj.c - a stand-in for libpmemobj, built as a shared library
 * without the pass, for rt_pmdk.c: its fake_lib_* functions call libpmem as
 * libpmemobj does (through the PLT, from outside the executable), and it
 * defines the three libpmemobj functions the runtime's hooks call through
 * dlsym (pmemobj_tx_stage, pmemobj_direct, pmemobj_alloc_usable_size) with
 * values the driver sets, so the transaction hooks see exactly the stages
 * a test wants.
 */
#include <libpmem.h>
#include <stddef.h>
#include <stdint.h>

struct fake_oid {
    uint64_t pool_uuid_lo;
    uint64_t off;
};

/* Set by the driver. */
int fake_stage;
char *fake_pool_base;

void fake_lib_flush(const void *addr, size_t len);
void fake_lib_persist(const void *addr, size_t len);
void *fake_lib_memcpy(void *dst, const void *src, size_t len);
int fake_lib_msync(const void *addr, size_t len);
void fake_lib_drain(void);
int pmemobj_tx_stage(void);
void *pmemobj_direct(struct fake_oid oid);
size_t pmemobj_alloc_usable_size(struct fake_oid oid);

void fake_lib_flush(const void *addr, size_t len)
{
    pmem_flush(addr, len);
}

/* libpmem's pmem_persist calls pmem_flush and pmem_drain through its own
 * PLT: nested interposed calls. */
void fake_lib_persist(const void *addr, size_t len)
{
    pmem_persist(addr, len);
}

void *fake_lib_memcpy(void *dst, const void *src, size_t len)
{
    return pmem_memcpy(dst, src, len, PMEM_F_MEM_NOFLUSH);
}

int fake_lib_msync(const void *addr, size_t len)
{
    return pmem_msync(addr, len);
}

void fake_lib_drain(void)
{
    pmem_drain();
}

int pmemobj_tx_stage(void)
{
    return fake_stage;
}

void *pmemobj_direct(struct fake_oid oid)
{
    return oid.off == 0 ? NULL : fake_pool_base + oid.off;
}

size_t pmemobj_alloc_usable_size(struct fake_oid oid)
{
    return oid.off == 0 ? 0 : 64;
}
