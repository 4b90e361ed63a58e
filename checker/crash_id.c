/*
 * crash_id.c - state ids ("12.3", "12.alloc2", "12.poison0x1040") and the
 * set of distinct states, keyed by the hash of what a run sees (images,
 * markers, faults), each with the first state that had it.
 */
#include "crash_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void state_id_format(const struct state_ref *ref, char *buf, size_t size)
{
    switch (ref->fault) {
    case FAULT_ALLOC:
        snprintf(buf, size, "%" PRIu64 ".alloc%" PRIu64, ref->point, ref->arg);
        break;
    case FAULT_POISON:
        snprintf(buf, size, "%" PRIu64 ".poison0x%" PRIx64, ref->point,
                 ref->arg);
        break;
    default:
        snprintf(buf, size, "%" PRIu64 ".%" PRIu32, ref->point, ref->index);
    }
}

/* A number in base with nothing after it; -1 when s is not one. */
static int parse_number(const char *s, int base, uint64_t *out)
{
    if (*s < '0' || *s > (base == 16 ? 'f' : '9'))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

int state_id_parse(const char *id, struct state_ref *ref)
{
    memset(ref, 0, sizeof(*ref));
    const char *dot = strchr(id, '.');
    if (dot == NULL || dot == id || (size_t)(dot - id) > 20)
        return -1;
    char point[24];
    memcpy(point, id, (size_t)(dot - id));
    point[dot - id] = '\0';
    if (parse_number(point, 10, &ref->point) != 0)
        return -1;
    const char *rest = dot + 1;
    uint64_t v;
    if (strncmp(rest, "alloc", 5) == 0) {
        ref->fault = FAULT_ALLOC;
        if (parse_number(rest + 5, 10, &ref->arg) != 0 || ref->arg == 0 ||
            ref->arg > UINT32_MAX)
            return -1;
        return 0;
    }
    if (strncmp(rest, "poison0x", 8) == 0) {
        ref->fault = FAULT_POISON;
        return parse_number(rest + 8, 16, &ref->arg);
    }
    if (parse_number(rest, 10, &v) != 0 || v > UINT32_MAX)
        return -1;
    ref->index = (uint32_t)v;
    return 0;
}

struct state_set_entry {
    uint64_t key;
    bool used;
    struct state_ref ref;
};

void state_set_init(struct state_set *s)
{
    memset(s, 0, sizeof(*s));
}

void state_set_destroy(struct state_set *s)
{
    free(s->slots);
    state_set_init(s);
}

static struct state_set_entry *probe(struct state_set_entry *slots, size_t cap,
                                     uint64_t key)
{
    /* Keys are hashes already: their low bits are spread. */
    size_t i = (size_t)key & (cap - 1);
    while (slots[i].used && slots[i].key != key)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static int grow(struct state_set *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    struct state_set_entry *slots = calloc(cap, sizeof(*slots));
    if (slots == NULL)
        return -1;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i].used)
            *probe(slots, cap, s->slots[i].key) = s->slots[i];
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
    return 0;
}

const struct state_ref *state_set_find(const struct state_set *s, uint64_t key)
{
    if (s->cap == 0)
        return NULL;
    const struct state_set_entry *e = probe(s->slots, s->cap, key);
    return e->used ? &e->ref : NULL;
}

const struct state_ref *state_set_add(struct state_set *s, uint64_t key,
                                      const struct state_ref *ref, bool *failed)
{
    *failed = false;
    if (s->cap != 0) {
        struct state_set_entry *e = probe(s->slots, s->cap, key);
        if (e->used)
            return &e->ref;
    }
    if ((s->count + 1) * 2 > s->cap && grow(s) != 0) {
        *failed = true;
        return NULL;
    }
    struct state_set_entry *e = probe(s->slots, s->cap, key);
    e->used = true;
    e->key = key;
    e->ref = *ref;
    s->count++;
    return NULL;
}
