/*
 * interpose_ndctl.c - one libndctl context for a recovery process.
 *
 * libpmemobj checks a pool's unsafe-shutdown state at every open: four
 * ndctl_new() calls, each loading kmod's configuration and scanning sysfs
 * (some 190 system calls, about 0.3 ms, a sixth of an 8 MiB pool's open in
 * persistent mode) to learn that the pool file is on no NVDIMM. In a
 * recovery run (recovery.h: there are images) the main thread's
 * ndctl_new() hands out one context instead, made once - by the fork
 * server before its first fork, so that no run pays for it - and
 * ndctl_unref() of it is a no-op. The answer cannot differ: the images are
 * pmcheck's own files, never on pmem, and no device comes or goes during
 * a run. Other threads get contexts of their own (a context is not safe to
 * share between threads), and outside recovery runs both functions are
 * libndctl's own.
 *
 * The executable defines them (weak, exported by pmcc: pmtrace.dynlist),
 * so libpmem's and libpmemobj's calls come here; the real ones are found
 * with dlsym(RTLD_NEXT) and only if libndctl is loaded: the runtime does
 * not link it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "interpose_ndctl.h"
#include "recovery.h"

#define PMT_INTERPOSER __attribute__((weak, visibility("default")))

struct ndctl_ctx;
int ndctl_new(struct ndctl_ctx **ctx);
struct ndctl_ctx *ndctl_unref(struct ndctl_ctx *ctx);

/* Made and handed out on the process's main thread only; read by any
 * thread's ndctl_unref, hence atomic. */
static struct ndctl_ctx *shared_ctx;

static bool on_main_thread(void)
{
    return (pid_t)syscall(SYS_gettid) == getpid();
}

/* libndctl's definition of name, resolved into *cache once (a race
 * resolves twice, alike); NULL when libndctl is not loaded. */
static void *real_symbol(void **cache, const char *name)
{
    void *sym = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
    if (sym == NULL && (sym = dlsym(RTLD_NEXT, name)) != NULL)
        __atomic_store_n(cache, sym, __ATOMIC_RELEASE);
    return sym;
}

static int real_new(struct ndctl_ctx **ctx)
{
    static void *cache;
    void *sym = real_symbol(&cache, "ndctl_new");
    if (sym == NULL)
        return -ENXIO;
    __typeof__(&ndctl_new) fn;
    memcpy(&fn, &sym, sizeof(fn)); /* POSIX: dlsym's result is callable */
    return fn(ctx);
}

PMT_INTERPOSER int ndctl_new(struct ndctl_ctx **ctx)
{
    if (!pmt_recovery_images() || !on_main_thread())
        return real_new(ctx);
    struct ndctl_ctx *shared = __atomic_load_n(&shared_ctx, __ATOMIC_ACQUIRE);
    if (shared == NULL) {
        int rc = real_new(&shared);
        if (rc != 0)
            return rc;
        __atomic_store_n(&shared_ctx, shared, __ATOMIC_RELEASE);
    }
    *ctx = shared;
    return 0;
}

PMT_INTERPOSER struct ndctl_ctx *ndctl_unref(struct ndctl_ctx *ctx)
{
    if (ctx != NULL && ctx == __atomic_load_n(&shared_ctx, __ATOMIC_ACQUIRE))
        return NULL; /* as if released; kept for the next open */
    static void *cache;
    void *sym = real_symbol(&cache, "ndctl_unref");
    if (sym == NULL)
        return NULL;
    __typeof__(&ndctl_unref) fn;
    memcpy(&fn, &sym, sizeof(fn));
    return fn(ctx);
}

void pmt_ndctl_prepare(void)
{
    static void *cache;
    if (!pmt_recovery_images() || real_symbol(&cache, "ndctl_new") == NULL)
        return; /* not a recovery, or a program without libndctl */
    struct ndctl_ctx *ctx;
    if (ndctl_new(&ctx) == 0)
        ndctl_unref(ctx);
}
