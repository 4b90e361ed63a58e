/*
 * stderr_tail.h - the last lines a recovery wrote to its standard error,
 * kept in a fixed amount of memory however much it wrote.
 *
 * Contract:
 *  - pmc_tail_add() keeps the last PMC_TAIL_KEEP bytes of everything added
 *    since pmc_tail_reset().
 *  - pmc_tail_text() writes into out (size bytes, NUL-terminated) the
 *    longest suffix of what was added that fits and starts at the
 *    beginning of a line; when even the last line does not fit, its last
 *    size - 1 bytes. NUL bytes become '?', so the text is one C string.
 */
#ifndef PMC_STDERR_TAIL_H
#define PMC_STDERR_TAIL_H

#include <stddef.h>
#include <stdint.h>

#define PMC_TAIL_KEEP 4096

struct pmc_tail {
    char ring[PMC_TAIL_KEEP];
    uint64_t total; /* bytes added since the reset */
};

void pmc_tail_reset(struct pmc_tail *t);

void pmc_tail_add(struct pmc_tail *t, const char *data, size_t len);

void pmc_tail_text(const struct pmc_tail *t, char *out, size_t size);

#endif /* PMC_STDERR_TAIL_H */
