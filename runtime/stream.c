/*
 * stream.c - per-thread streams, the thread registry, sealing (see
 * stream.h).
 */
#include "stream.h"

#include <limits.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pmtrace_crc32c.h"
#include "tracefile.h"

_Thread_local struct pmt_thread pmt_self = {.cat_len = SIZE_MAX};

struct pmt_seq_counter pmt_seq_counter;
/* Read by every record, written once: its own line, away from the
 * counter. */
_Alignas(64) bool pmt_seq_shared;

/* How long the exit handler waits for a thread that is inside the runtime
 * before leaving its block unsealed (which readers accept: it is the last
 * block of that thread). Normally the wait is a few nanoseconds. */
#define SEAL_WAIT_NS 200000000ll

static struct {
    pthread_mutex_t lock; /* guards the list and the threads' block fields
                             against the thread-exit destructor */
    struct pmt_thread *head;
    uint32_t threads; /* thread numbers handed out (atomic) */
    pthread_key_t exit_key;
    bool membarrier_ok;
} registry = {.lock = PTHREAD_MUTEX_INITIALIZER};

static long membarrier(int cmd)
{
    return syscall(__NR_membarrier, cmd, 0, 0);
}

static void thread_exit(void *arg);

int pmt_stream_setup(void)
{
    /* The private expedited command needs registering once per process.
     * Without it (old kernel, seccomp) the seq counter is shared from the
     * start, and the exit handler seals only its own thread's block. */
    registry.membarrier_ok =
        membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
    pmt_seq_shared = !registry.membarrier_ok;
    return pthread_key_create(&registry.exit_key, thread_exit);
}

static void seal(struct pmt_block_header *b)
{
    uint32_t used = __atomic_load_n(&b->used, __ATOMIC_RELAXED);
    /* The crc covers the header as it will read once sealed. */
    struct pmt_block_header h = *b;
    h.flags |= PMT_BLOCK_SEALED;
    uint32_t crc = pmt_crc32c(0, &h, 16);
    crc = pmt_crc32c(crc, b + 1, used);
    __atomic_store_n(&b->crc, crc, __ATOMIC_RELAXED);
    /* crc before the flag: a block seen sealed has its crc. */
    __atomic_store_n(&b->flags, h.flags, __ATOMIC_RELEASE);
}

static void registry_link(struct pmt_thread *t)
{
    t->reg_prev = NULL;
    t->reg_next = registry.head;
    if (registry.head != NULL)
        registry.head->reg_prev = t;
    registry.head = t;
    t->registered = true;
}

static void registry_unlink(struct pmt_thread *t)
{
    if (t->reg_prev != NULL)
        t->reg_prev->reg_next = t->reg_next;
    else
        registry.head = t->reg_next;
    if (t->reg_next != NULL)
        t->reg_next->reg_prev = t->reg_prev;
    t->reg_prev = t->reg_next = NULL;
    t->registered = false;
}

/* A second thread is joining (registry lock held): from now on the seq
 * counter is shared. Every registered thread passes a full barrier and is
 * waited for until it is outside the runtime, so no plain increment is
 * still under way (see pmt_seq_next). The wait is not bounded: a thread
 * inside the runtime holds no lock the joining thread holds (it joins
 * before taking any). */
static void seq_share(void)
{
    __atomic_store_n(&pmt_seq_shared, true, __ATOMIC_SEQ_CST);
    membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
    for (struct pmt_thread *t = registry.head; t != NULL; t = t->reg_next)
        while (__atomic_load_n(&t->busy, __ATOMIC_ACQUIRE))
            sched_yield();
}

/* Join the registry, so the thread's block is sealed when it or the
 * process exits. Called from pmt_stream_enter, before the entry point
 * takes any lock. */
bool pmt_stream_join(struct pmt_thread *t)
{
    if (t->finished)
        return false;
    pthread_mutex_lock(&registry.lock);
    if (registry.head != NULL &&
        !__atomic_load_n(&pmt_seq_shared, __ATOMIC_RELAXED))
        seq_share();
    registry_link(t);
    pthread_mutex_unlock(&registry.lock);
    pthread_setspecific(registry.exit_key, t);
    return true;
}

/* THREAD, the first record of a thread's chain. */
static void write_thread_record(struct pmt_thread *t)
{
    const uint32_t len = sizeof(struct pmt_rec) + sizeof(uint64_t);
    uint64_t *r = (uint64_t *)((char *)(t->block + 1) + t->used);
    r[0] = pmt_rec_head(PMT_THREAD, 0, len, 0);
    r[1] = pmt_seq_next();
    r[2] = (uint64_t)gettid();
    pmt_stream_commit(t, len);
}

bool pmt_stream_next_block(struct pmt_thread *t)
{
    if (!t->registered)
        return false; /* only pmt_stream_enter joins */
    /* Numbered at the first block, not at joining: a thread may enter the
     * runtime and never record (a DRAM atomic), and numbers stay dense. */
    if (t->number == 0)
        t->number = __atomic_add_fetch(&registry.threads, 1, __ATOMIC_RELAXED);
    if (t->block != NULL) {
        seal(t->block);
        t->block = NULL;
    }
    struct pmt_block_header *b = pmt_tracefile_claim(t->number, t->next_index);
    if (b == NULL)
        return false;
    t->block = b;
    t->used = 0;
    if (t->next_index++ == 0)
        write_thread_record(t);
    return true;
}

/*
 * pthread key destructor: the thread is exiting. Seal its block and leave
 * the registry before its TLS goes away. If a later destructor (of another
 * key) records more, the thread rejoins and opens a new block of the same
 * chain; glibc calls destructors again for keys set during a round, up to
 * PTHREAD_DESTRUCTOR_ITERATIONS rounds, after which the thread records
 * nothing more, so the registry never points at freed TLS.
 */
static void thread_exit(void *arg)
{
    struct pmt_thread *t = arg;
    /* A fork child must not touch the parent's blocks nor the registry
     * lock (another thread of the parent may have held it at fork time).
     * After the exit handler the thread still leaves the registry, which
     * the handler walks. */
    if (pmt_rt_forked())
        return;
    pthread_mutex_lock(&registry.lock);
    /* busy after the lock: the exit handler waits for busy threads while
     * holding the lock, so it must never see this one busy. */
    __atomic_store_n(&t->busy, 1, __ATOMIC_RELAXED);
    if (t->block != NULL) {
        seal(t->block);
        t->block = NULL;
    }
    if (t->registered)
        registry_unlink(t);
    __atomic_store_n(&t->busy, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&registry.lock);
    if (++t->dtor_rounds >= PTHREAD_DESTRUCTOR_ITERATIONS)
        t->finished = true;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* Wait (bounded) until t is outside the runtime; true when it is. */
static bool wait_not_busy(const struct pmt_thread *t, long long deadline)
{
    while (__atomic_load_n(&t->busy, __ATOMIC_ACQUIRE)) {
        if (now_ns() > deadline)
            return false;
        sched_yield();
    }
    return true;
}

/*
 * Recording is off (the caller cleared the flag). A thread that raised its
 * busy flag before seeing that may still be writing a record; one that
 * raises it later sees recording off and writes nothing. membarrier() runs
 * a full barrier on every thread of the process, the heavy half of the
 * handshake whose light half is the compiler barrier in pmt_stream_enter:
 * after it, every thread is either seen busy here or will see recording
 * off. Busy threads are waited for, a bounded time so that a thread
 * stopped inside the runtime (by a debugger, or in a signal handler that
 * never returns) cannot hang the exit. Threads that cannot be shown quiet
 * keep their blocks unsealed, which readers accept.
 */
void pmt_stream_stop(void)
{
    struct pmt_thread *self = &pmt_self;
    pthread_mutex_lock(&registry.lock);
    bool others = registry.head != NULL &&
                  (registry.head != self || self->reg_next != NULL);
    bool quiet_known =
        registry.membarrier_ok &&
        (!others || membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0);
    long long deadline = now_ns() + SEAL_WAIT_NS;
    for (struct pmt_thread *t = registry.head; t != NULL; t = t->reg_next)
        t->quiet = t != self && quiet_known && wait_not_busy(t, deadline);
    pthread_mutex_unlock(&registry.lock);
}

void pmt_stream_seal_all(void)
{
    struct pmt_thread *self = &pmt_self;
    pthread_mutex_lock(&registry.lock);
    for (struct pmt_thread *t = registry.head; t != NULL; t = t->reg_next) {
        if ((t == self || t->quiet) && t->block != NULL) {
            seal(t->block);
            t->block = NULL;
        }
    }
    pthread_mutex_unlock(&registry.lock);
}
