/*
 * program_text.c - the main executable's code segments (see
 * program_text.h).
 */
#include "program_text.h"

#include <link.h>
#include <pthread.h>
#include <stddef.h>

/* An executable has one or two code segments; a few more cost nothing. */
#define TEXT_RANGES_MAX 8

static struct {
    pthread_once_t once;
    size_t count;
    uintptr_t lo[TEXT_RANGES_MAX];
    uintptr_t hi[TEXT_RANGES_MAX];
} text = {.once = PTHREAD_ONCE_INIT};

/* dl_iterate_phdr visits the main executable first. */
static int first_object(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    (void)arg;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) ||
            text.count == TEXT_RANGES_MAX)
            continue;
        text.lo[text.count] = info->dlpi_addr + ph->p_vaddr;
        text.hi[text.count] = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
        text.count++;
    }
    return 1; /* stop: only the first object is the program */
}

static void find_text(void)
{
    dl_iterate_phdr(first_object, NULL);
}

bool pmt_program_text_has(uintptr_t addr)
{
    pthread_once(&text.once, find_text);
    for (size_t i = 0; i < text.count; i++)
        if (addr >= text.lo[i] && addr < text.hi[i])
            return true;
    return false;
}
