/*
 * interpose_mmap.c - crash images stay as the explorer wrote them, and a
 * poisoned page of image 0 raises SIGBUS (recovery.h).
 *
 * The executable defines mmap, mmap64, ftruncate(64), fallocate(64) and
 * posix_fallocate(64) with default visibility. The program's own calls
 * bind to them at link time, and pmcc exports them (pmtrace.dynlist; the
 * linker would export them anyway for the shared libraries in the link
 * that reference them), so libpmem's and libpmemobj's calls (through
 * their PLT) come here too, and so do those of a library opened later. glibc's
 * internal calls (malloc's mmap) do not, and need not. Without images each
 * function is the plain system call (or glibc's own function). The
 * definitions are weak: a program that defines one of these itself keeps
 * its own.
 *
 * What PMDK does to a pool file (strace of pmem_map_file, pmemobj_create,
 * pmemobj_open on Debian's libpmem 1.12.1):
 *  - pmem_map_file(PMEM_FILE_CREATE) opens it O_RDWR, calls
 *    ftruncate(fd, len) and posix_fallocate(fd, 0, len), then mmap;
 *  - pmemobj_open reads the 11-byte signature with read(2), takes a flock,
 *    and maps the file (a 4 KiB header mapping, then the whole pool);
 *  - both first try mmap(MAP_SHARED_VALIDATE | MAP_SYNC), and on
 *    EOPNOTSUPP (not DAX) fall back to MAP_SHARED; then every write goes
 *    through the mapping, made durable by flushes or msync. Nothing is
 *    ever written with write(2) or pwrite(2).
 * So, for an image:
 *  - mmap of any kind is MAP_PRIVATE: the recovery's stores stay in its
 *    own copy of the pages, msync of them is a no-op. A MAP_SYNC request
 *    is first put to the kernel as asked: it fails on a file that is not
 *    on DAX, exactly as in a run without the fork server, and when it
 *    succeeds the shared mapping is replaced by a private one at once;
 *  - ftruncate to the image's size, and fallocate/posix_fallocate inside
 *    it, succeed without touching the file (they would not change its
 *    content, only its times, which the runner watches); changing the
 *    size or punching holes fails with EROFS.
 * write(2) and pwrite(2) are left alone: PMDK does not use them on pools,
 * and a recovery that does changes the file's mtime, which the runner
 * checks after each run (it then has the explorer rewrite the image).
 */
/* The build sets _FILE_OFFSET_BITS=64, under which glibc's headers rename
 * mmap to mmap64 (and ftruncate, fallocate, posix_fallocate alike): this
 * file defines both names itself, each under its own symbol. off_t is 64
 * bits on every target the runtime supports. */
#undef _FILE_OFFSET_BITS

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "recovery.h"

#define PMT_INTERPOSER __attribute__((weak, visibility("default")))

static void *raw_mmap(void *addr, size_t len, int prot, int flags, int fd,
                      off_t offset)
{
    return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, offset);
}

/* An empty file: a page mapped from it is past its end, so touching it
 * raises SIGBUS, as a load from poisoned pmem does. One per process. */
static int poison_fd(void)
{
    static int fd = -1;
    int cur = __atomic_load_n(&fd, __ATOMIC_ACQUIRE);
    if (cur >= 0)
        return cur;
    int made = memfd_create("pmcheck-poison", MFD_CLOEXEC);
    if (made < 0)
        return -1;
    if (!__atomic_compare_exchange_n(&fd, &cur, made, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        close(made);
        return cur;
    }
    return made;
}

/* Replace the poisoned page, if this mapping of image 0 holds it. */
static void poison_mapping(char *base, size_t len, int prot, off_t offset)
{
    uint64_t poison = pmt_recovery_poison_offset();
    uint64_t page_size = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t page = poison & ~(page_size - 1);
    uint64_t lo = (uint64_t)offset;
    uint64_t hi = lo + ((len + page_size - 1) & ~(page_size - 1));
    if (poison == UINT64_MAX || page < lo || page >= hi)
        return;
    int fd = poison_fd();
    if (fd >= 0)
        raw_mmap(base + (page - lo), page_size, prot, MAP_SHARED | MAP_FIXED,
                 fd, 0);
}

static void *map_image(int image, void *addr, size_t len, int prot, int flags,
                       int fd, off_t offset)
{
    if ((flags & MAP_TYPE) == MAP_SHARED_VALIDATE && (flags & MAP_SYNC)) {
        void *shared = raw_mmap(addr, len, prot, flags, fd, offset);
        if (shared == MAP_FAILED)
            return shared;
        addr = shared;
        flags |= MAP_FIXED; /* replace it where it is */
    }
    flags = (flags & ~(MAP_TYPE | MAP_SYNC)) | MAP_PRIVATE;
    void *map = raw_mmap(addr, len, prot, flags, fd, offset);
    if (map != MAP_FAILED && image == 0)
        poison_mapping(map, len, prot, offset);
    return map;
}

PMT_INTERPOSER void *mmap(void *addr, size_t len, int prot, int flags, int fd,
                          off_t offset)
{
    if (pmt_recovery_images() && fd >= 0 && !(flags & MAP_ANONYMOUS)) {
        off_t size;
        int image = pmt_recovery_image_of_fd(fd, &size);
        if (image >= 0)
            return map_image(image, addr, len, prot, flags, fd, offset);
    }
    return raw_mmap(addr, len, prot, flags, fd, offset);
}

PMT_INTERPOSER void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
                            off64_t offset)
{
    return mmap(addr, len, prot, flags, fd, (off_t)offset);
}

enum image_range {
    NOT_IMAGE, /* fd is no image: the call goes to the kernel */
    INSIDE,    /* an image, and [offset, offset + len) is inside it */
    OUTSIDE,   /* an image, and the range goes past its end */
    BAD_RANGE, /* an image, and the kernel would say EINVAL */
};

static enum image_range image_range(int fd, off_t offset, off_t len)
{
    off_t size;
    if (!pmt_recovery_images() || pmt_recovery_image_of_fd(fd, &size) < 0)
        return NOT_IMAGE;
    if (offset < 0 || len <= 0)
        return BAD_RANGE;
    return offset <= size - len ? INSIDE : OUTSIDE;
}

PMT_INTERPOSER int ftruncate(int fd, off_t length)
{
    off_t size;
    if (pmt_recovery_images() && pmt_recovery_image_of_fd(fd, &size) >= 0) {
        if (length == size)
            return 0;
        errno = EROFS;
        return -1;
    }
    return (int)syscall(SYS_ftruncate, fd, length);
}

PMT_INTERPOSER int ftruncate64(int fd, off64_t length)
{
    return ftruncate(fd, (off_t)length);
}

PMT_INTERPOSER int fallocate(int fd, int mode, off_t offset, off_t len)
{
    enum image_range in = image_range(fd, offset, len);
    if (in == NOT_IMAGE)
        return (int)syscall(SYS_fallocate, fd, mode, offset, len);
    if (in == INSIDE && (mode & ~FALLOC_FL_KEEP_SIZE) == 0)
        return 0;
    errno = in == BAD_RANGE ? EINVAL : EROFS;
    return -1;
}

PMT_INTERPOSER int fallocate64(int fd, int mode, off64_t offset, off64_t len)
{
    return fallocate(fd, mode, (off_t)offset, (off_t)len);
}

/* glibc's posix_fallocate writes zeros where the file system cannot
 * allocate: not a system call to copy, so it is called through dlsym. */
typedef int (*posix_fallocate_fn)(int, off_t, off_t);

PMT_INTERPOSER int posix_fallocate(int fd, off_t offset, off_t len)
{
    enum image_range in = image_range(fd, offset, len);
    if (in != NOT_IMAGE)
        return in == INSIDE ? 0 : in == BAD_RANGE ? EINVAL : EROFS;
    static void *real; /* resolved once; a race resolves twice, alike */
    void *sym = __atomic_load_n(&real, __ATOMIC_ACQUIRE);
    if (sym == NULL) {
        sym = dlsym(RTLD_NEXT, "posix_fallocate");
        if (sym == NULL)
            return ENOSYS;
        __atomic_store_n(&real, sym, __ATOMIC_RELEASE);
    }
    posix_fallocate_fn fn;
    memcpy(&fn, &sym, sizeof(fn)); /* POSIX: dlsym's result is callable */
    return fn(fd, offset, len);
}

PMT_INTERPOSER int posix_fallocate64(int fd, off64_t offset, off64_t len)
{
    return posix_fallocate(fd, (off_t)offset, (off_t)len);
}
