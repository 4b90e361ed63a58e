/*
 * finding.c - the finding set of finding.h.
 *
 * Findings sit in an array in the order they first occurred; an open
 * addressing index keyed by (rule, site, key_site) finds the finding an occurrence
 * merges into, so adding is O(1) however long the trace. The index holds
 * array positions + 1 (0 marks an empty slot) and is kept at most half
 * full.
 */
#include "finding.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pmc_findings {
    struct pmc_finding *items;
    size_t count;
    size_t cap;
    uint32_t *index;  /* position + 1, 0: empty */
    size_t index_cap; /* a power of two */
};

static uint64_t finding_key_hash(enum pmc_rule rule, uint32_t site,
                                 uint32_t key_site)
{
    /* A 64-bit mix (splitmix64 finaliser) of the three fields. */
    uint64_t x = (((uint64_t)rule << 32) | site) ^
                 ((uint64_t)key_site * 0x9e3779b97f4a7c15ull);
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

/* The slot holding (rule, site, key_site), or the empty slot where it
 * would go. */
static size_t index_slot(const struct pmc_findings *set, enum pmc_rule rule,
                         uint32_t site, uint32_t key_site)
{
    size_t mask = set->index_cap - 1;
    size_t i = (size_t)finding_key_hash(rule, site, key_site) & mask;
    while (set->index[i] != 0) {
        const struct pmc_finding *f = &set->items[set->index[i] - 1];
        if (f->rule == rule && f->site == site && f->key_site == key_site)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

static int index_grow(struct pmc_findings *set)
{
    size_t new_cap = set->index_cap ? set->index_cap * 2 : 64;
    uint32_t *old = set->index;
    size_t old_cap = set->index_cap;
    set->index = calloc(new_cap, sizeof(*set->index));
    if (set->index == NULL) {
        set->index = old;
        return -1;
    }
    set->index_cap = new_cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i] == 0)
            continue;
        const struct pmc_finding *f = &set->items[old[i] - 1];
        set->index[index_slot(set, f->rule, f->site, f->key_site)] = old[i];
    }
    free(old);
    return 0;
}

static int items_reserve(struct pmc_findings *set)
{
    if (set->count < set->cap)
        return 0;
    size_t new_cap = set->cap ? set->cap * 2 : 16;
    struct pmc_finding *p = realloc(set->items, new_cap * sizeof(*p));
    if (p == NULL)
        return -1;
    set->items = p;
    set->cap = new_cap;
    return 0;
}

struct pmc_findings *pmc_findings_new(void)
{
    return calloc(1, sizeof(struct pmc_findings));
}

void pmc_findings_free(struct pmc_findings *set)
{
    if (set == NULL)
        return;
    free(set->items);
    free(set->index);
    free(set);
}

int pmc_findings_add(struct pmc_findings *set, const struct pmc_finding *f)
{
    uint64_t occurrences = f->count ? f->count : 1;
    if ((set->count + 1) * 2 > set->index_cap && index_grow(set) != 0)
        return -1;
    size_t slot = index_slot(set, f->rule, f->site, f->key_site);
    if (set->index[slot] != 0) {
        struct pmc_finding *first = &set->items[set->index[slot] - 1];
        first->count += occurrences;
        return 0;
    }
    if (set->count >= UINT32_MAX - 1 || items_reserve(set) != 0)
        return -1;
    struct pmc_finding *added = &set->items[set->count];
    *added = *f;
    added->count = occurrences;
    if (added->nnotes > PMC_MAX_NOTES)
        added->nnotes = PMC_MAX_NOTES;
    set->count++;
    set->index[slot] = (uint32_t)set->count;
    return 0;
}

size_t pmc_findings_count(const struct pmc_findings *set)
{
    return set->count;
}

const struct pmc_finding *pmc_findings_get(const struct pmc_findings *set,
                                           size_t i)
{
    if (i >= set->count)
        return NULL;
    return &set->items[i];
}

void pmc_findings_clear(struct pmc_findings *set)
{
    set->count = 0;
    if (set->index != NULL)
        memset(set->index, 0, set->index_cap * sizeof(*set->index));
}

void pmc_finding_init(struct pmc_finding *f, enum pmc_rule rule, uint32_t site,
                      uint64_t seq)
{
    memset(f, 0, sizeof(*f));
    f->rule = rule;
    f->site = site;
    f->count = 1;
    f->first_seq = seq;
}

void pmc_finding_note(struct pmc_finding *f, enum pmc_note_role role,
                      uint32_t site, const char *fmt, ...)
{
    /* Notes past PMC_MAX_NOTES are dropped: the first ones are the sites a
     * user needs, and a finding stays a fixed size. */
    if (f->nnotes >= PMC_MAX_NOTES)
        return;
    struct pmc_note *note = &f->notes[f->nnotes++];
    note->role = role;
    note->site = site;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(note->message, sizeof(note->message), fmt, ap);
    va_end(ap);
}
