/*
 * stderr_tail.c - a ring of the last bytes of a stream (see
 * stderr_tail.h).
 */
#include "stderr_tail.h"

#include <stdbool.h>
#include <string.h>

void pmc_tail_reset(struct pmc_tail *t)
{
    t->total = 0;
}

void pmc_tail_add(struct pmc_tail *t, const char *data, size_t len)
{
    if (len > PMC_TAIL_KEEP) {
        t->total += len - PMC_TAIL_KEEP;
        data += len - PMC_TAIL_KEEP;
        len = PMC_TAIL_KEEP;
    }
    size_t at = (size_t)(t->total % PMC_TAIL_KEEP);
    size_t first = len < PMC_TAIL_KEEP - at ? len : PMC_TAIL_KEEP - at;
    memcpy(t->ring + at, data, first);
    memcpy(t->ring, data + first, len - first);
    t->total += len;
}

/* Byte i of the kept suffix (0: its oldest byte). */
static char kept_byte(const struct pmc_tail *t, size_t kept, size_t i)
{
    uint64_t pos = t->total - kept + i;
    return t->ring[pos % PMC_TAIL_KEEP];
}

void pmc_tail_text(const struct pmc_tail *t, char *out, size_t size)
{
    if (size == 0)
        return;
    size_t kept = t->total < PMC_TAIL_KEEP ? (size_t)t->total : PMC_TAIL_KEEP;
    size_t room = size - 1;
    size_t start = kept > room ? kept - room : 0;
    /* Move start to the first line beginning at or after it, unless it is
     * one already: the stream's first byte, or a byte after a newline. */
    bool at_line =
        start == 0 ? t->total == kept : kept_byte(t, kept, start - 1) == '\n';
    if (!at_line) {
        size_t s = start;
        while (s < kept && kept_byte(t, kept, s) != '\n')
            s++;
        /* No line starts inside the room: keep the last line's end. */
        if (s + 1 < kept)
            start = s + 1;
    }
    size_t n = 0;
    for (size_t i = start; i < kept; i++) {
        char c = kept_byte(t, kept, i);
        out[n++] = c == '\0' ? '?' : c;
    }
    out[n] = '\0';
}
