/*
 * linetab.h - a hash table keyed by cache-line address, the home of the
 * model's per-line state (live stores, persisted-store history).
 *
 * Open addressing with linear probing and backward-shift deletion, so
 * removal leaves no tombstones and a table that has seen a long trace is as
 * fast as a fresh one. Entries are fixed-size structs of the caller whose
 * first member is the uint64_t key (a 64-byte aligned address; the all-ones
 * value marks an empty slot and is never a line address). The table grows
 * at half full and shrinks at one eighth, so its memory follows the number
 * of entries now, not the most it ever had.
 *
 * Entry pointers are valid until the next insert or remove. The caller owns
 * whatever an entry points to and releases it before removing the entry.
 */
#ifndef PMC_LINETAB_H
#define PMC_LINETAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINE_SIZE 64u
#define LINE_MASK (~(uint64_t)(LINE_SIZE - 1))
#define LINETAB_EMPTY UINT64_MAX

struct linetab {
    unsigned char *slots;
    size_t entry_size;
    size_t cap; /* slots, a power of two (0 before the first insert) */
    unsigned cap_log2;
    size_t count; /* entries in use */
};

void linetab_init(struct linetab *t, size_t entry_size);
void linetab_destroy(struct linetab *t);

/* The entry with this key, or NULL. */
void *linetab_find(const struct linetab *t, uint64_t key);

/* The entry with this key, created (zeroed but for the key) when missing;
 * *created says which. NULL when out of memory. */
void *linetab_insert(struct linetab *t, uint64_t key, bool *created);

/* Remove an entry returned by find or insert. */
void linetab_remove(struct linetab *t, void *entry);

/* Iteration by slot: the entry in slot i (i < t->cap), or NULL. */
void *linetab_slot(const struct linetab *t, size_t i);

/* A growable array of line addresses. */
struct line_list {
    uint64_t *addrs;
    size_t count;
    size_t cap;
};

int line_list_push(struct line_list *l, uint64_t addr);
void line_list_destroy(struct line_list *l);

/* Set `out` to the keys of the entries whose lines meet [addr, end), in
 * address order (none when end <= addr). It probes each line of the range
 * or scans the table, whichever is fewer steps, so a huge range (a
 * pool-wide flush) costs no more than the table. Returns 0, or -1 without
 * memory. */
int linetab_keys_in_range(const struct linetab *t, uint64_t addr, uint64_t end,
                          struct line_list *out);

/* Set `out` to every key, in address order. Returns 0, or -1. */
int linetab_all_keys(const struct linetab *t, struct line_list *out);

#endif /* PMC_LINETAB_H */
