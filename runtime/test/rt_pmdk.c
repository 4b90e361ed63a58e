/*
 * rt_pmdk - the runtime's PMDK support on its own, for check_pmdk.py: the
 * libpmem interposers called from the program and from a library
 * (fake_pmemobj.c, a shared library built without the pass), and the
 * libpmemobj hooks called as the pass would call them, with the
 * transaction stages the fake library reports.
 *
 *   rt_pmdk DIR    (with PMTRACE_FILE set) does one fixed sequence, prints
 *                  base=<pool address>, and exits 0
 *
 * Each step's comment says what the trace must hold for it; check_pmdk.py
 * asserts exactly that sequence.
 */
#include <errno.h>
#include <fcntl.h>
#include <libpmem.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hooks.h"
#include "pmdk_abi.h"

#define POOL_LEN (1u << 20)

/* fake_pmemobj.c */
extern int fake_stage;
extern char *fake_pool_base;
void fake_lib_flush(const void *addr, size_t len);
void fake_lib_persist(const void *addr, size_t len);
void *fake_lib_memcpy(void *dst, const void *src, size_t len);
int fake_lib_msync(const void *addr, size_t len);
void fake_lib_drain(void);

#define SITE(name, ln, fn)                                                     \
    static struct __pmt_site name = {0, ln, 1, 0, "rt_pmdk.c", "/src/t", fn}

SITE(site_create, 10, "create");
SITE(site_store, 20, "store");
SITE(site_persist, 21, "persist");
SITE(site_alloc, 30, "alloc");
SITE(site_tx, 40, "tx");
SITE(site_add, 41, "add");
SITE(site_close, 50, "close");

static void die(const char *what)
{
    fprintf(stderr, "rt_pmdk: %s: %s\n", what, strerror(errno));
    exit(99);
}

static char *map_pool(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, POOL_LEN) != 0)
        die(path);
    char *p = mmap(NULL, POOL_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        die("mmap");
    close(fd);
    return p;
}

static void put(char *at, const char *bytes)
{
    memcpy(at, bytes, strlen(bytes));
}

/* What the pass emits around a libpmemobj flush call of the program. */
static void program_persist(char *pop, char *at, size_t len)
{
    __pmt_pre_pmemobj_persist(pop, at, len, &site_persist);
    fake_lib_persist(at, len);
    __pmt_post_pmemobj_persist(pop, at, len, &site_persist);
}

static void library_steps(char *r)
{
    /* The program's own call only forwards: nothing. */
    put(r, "PROGRAM!");
    pmem_flush(r, 8);
    /* A library's flush: LIB_WRITE +64 "LIBFLUSH". */
    put(r + 64, "LIBFLUSH");
    fake_lib_flush(r + 64, 8);
    /* pmem_persist calls pmem_flush and pmem_drain: one LIB_WRITE. */
    put(r + 128, "NESTED-PERSISTED");
    fake_lib_persist(r + 128, 16);
    /* A copy: LIB_WRITE of the destination, +192 "copy". */
    fake_lib_memcpy(r + 192, "copy", 4);
    /* msync that worked: LIB_WRITE +256; a drain: nothing. */
    put(r + 256, "MSYNCED!");
    if (fake_lib_msync(r + 256, 8) != 0)
        die("pmem_msync");
    fake_lib_drain();
    /* Outside every region: nothing. */
    char dram[64] = "dram";
    fake_lib_flush(dram, 8);
    /* Inside the program's pmemobj_persist: STORE, then its POST hook's
     * FLUSH and FENCE, and no LIB_WRITE. */
    put(r + 320, "QUIETLY!");
    __pmt_store(r + 320, 8, &site_store);
    program_persist(r, r + 320, 8);
    /* Inside pmemobj_alloc: the library's write carries its site. */
    __pmt_pre_pmemobj_alloc(r, NULL, 64, 1, NULL, NULL, &site_alloc);
    put(r + 384, "ALLOCHDR");
    fake_lib_flush(r + 384, 8);
    __pmt_post_pmemobj_alloc(0, r, NULL, 64, 1, NULL, NULL, &site_alloc);
}

static void tx_begin(char *pop, int stage_after, int result)
{
    __pmt_pre_pmemobj_tx_begin(pop, NULL, &site_tx);
    fake_stage = stage_after;
    __pmt_post_pmemobj_tx_begin(result, pop, NULL, &site_tx);
}

static void tx_process(int stage_after)
{
    __pmt_pre_pmemobj_tx_process(&site_tx);
    fake_stage = stage_after;
    __pmt_post_pmemobj_tx_process(&site_tx);
    __pmt_post_pmemobj_tx_stage(fake_stage, &site_tx);
}

static void tx_end(int returns)
{
    __pmt_pre_pmemobj_tx_end(&site_tx);
    fake_stage = PMT_TX_STAGE_NONE;
    if (returns)
        __pmt_post_pmemobj_tx_end(0, &site_tx);
}

static void transaction_steps(char *pop)
{
    const uint64_t uuid = 7;
    fake_pool_base = pop;
    /* A committed transaction: TX_BEGIN, TX_ADD +512 16, TX_ADD +584 8
     * (NO_FLUSH), TX_ALLOC +640 64, TX_FREE +640 64, TX_COMMIT, TX_END. */
    tx_begin(pop, PMT_TX_STAGE_WORK, 0);
    __pmt_post_pmemobj_tx_stage(PMT_TX_STAGE_WORK, &site_tx);
    __pmt_pre_pmemobj_tx_add_range_direct(pop + 512, 16, &site_add);
    __pmt_post_pmemobj_tx_add_range_direct(0, pop + 512, 16, &site_add);
    __pmt_pre_pmemobj_tx_xadd_range(uuid, 576, 8, 8, PMT_POBJ_FLAG_NO_FLUSH,
                                    &site_add);
    __pmt_post_pmemobj_tx_xadd_range(0, uuid, 576, 8, 8, PMT_POBJ_FLAG_NO_FLUSH,
                                     &site_add);
    /* A failed add records no range. */
    __pmt_pre_pmemobj_tx_add_range_direct(pop + 900, 8, &site_add);
    __pmt_post_pmemobj_tx_add_range_direct(-1, pop + 900, 8, &site_add);
    __pmt_pre_pmemobj_tx_alloc(32, 1, &site_add);
    __pmt_post_pmemobj_tx_alloc(uuid, 640, 32, 1, &site_add);
    __pmt_pre_pmemobj_tx_free(uuid, 640, &site_add);
    __pmt_post_pmemobj_tx_free(0, uuid, 640, &site_add);
    tx_process(PMT_TX_STAGE_ONCOMMIT);
    tx_process(PMT_TX_STAGE_FINALLY);
    tx_process(PMT_TX_STAGE_NONE);
    tx_end(1);

    /* A nested transaction aborted inside: TX_BEGIN twice, TX_ABORT before
     * the rollback, the inner TX_END (which longjmps to the outer), the
     * outer sees ONABORT: TX_ABORT again, then its TX_END. */
    tx_begin(pop, PMT_TX_STAGE_WORK, 0);
    tx_begin(pop, PMT_TX_STAGE_WORK, 0);
    __pmt_pre_pmemobj_tx_abort(22, &site_tx);
    fake_stage = PMT_TX_STAGE_ONABORT;
    __pmt_post_pmemobj_tx_stage(fake_stage, &site_tx);
    tx_process(PMT_TX_STAGE_FINALLY);
    tx_process(PMT_TX_STAGE_NONE);
    tx_end(0);
    fake_stage = PMT_TX_STAGE_ONABORT;
    __pmt_post_pmemobj_tx_stage(fake_stage, &site_tx);
    tx_process(PMT_TX_STAGE_FINALLY);
    tx_process(PMT_TX_STAGE_NONE);
    tx_end(1);

    /* A begin that failed: TX_BEGIN, TX_ABORT; then TX_END. */
    tx_begin(pop, PMT_TX_STAGE_ONABORT, 12);
    tx_process(PMT_TX_STAGE_FINALLY);
    tx_process(PMT_TX_STAGE_NONE);
    tx_end(1);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    char path[4096];
    snprintf(path, sizeof(path), "%s/pool", argv[1]);
    char *pop = map_pool(path);
    printf("base=%#llx\n", (unsigned long long)(uintptr_t)pop);
    fflush(stdout);
    /* The pool appears: LIB_CALL begin, REGION_MAP (PMDK, file), end. */
    __pmt_pre_pmemobj_create(path, "rt", POOL_LEN, 0644, &site_create);
    __pmt_post_pmemobj_create(pop, path, "rt", POOL_LEN, 0644, &site_create);
    library_steps(pop);
    transaction_steps(pop);
    /* The pool goes: REGION_UNMAP. */
    __pmt_pre_pmemobj_close(pop, &site_close);
    return 0;
}
