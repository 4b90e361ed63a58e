/*
 * names.c - string and site ids (see names.h).
 *
 * Strings live in a tsearch(3) tree keyed by content. Both tables are
 * touched once per distinct string or site, never on the store path.
 */
#include "names.h"

#include <pthread.h>
#include <search.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"

/* A STRING record must fit an empty block after the THREAD record; longer
 * strings (none in practice: paths, function names) are cut. */
#define STRING_MAX                                                             \
    (PMT_BLOCK_PAYLOAD - 2 * (uint32_t)sizeof(struct pmt_rec) - 8u)

struct name {
    uint32_t id;
    char text[]; /* the tree's key */
};

static struct {
    pthread_mutex_t lock;
    void *strings; /* tsearch tree of name.text */
    uint32_t last_string;
    uint32_t last_site;
} names = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int text_compare(const void *a, const void *b)
{
    return strcmp(a, b);
}

static struct name *name_of(const char *text)
{
    return (struct name *)(text - offsetof(struct name, text));
}

static uint32_t string_id_locked(struct pmt_thread *t, const char *text)
{
    if (text == NULL)
        return 0;
    void **found = tfind(text, &names.strings, text_compare);
    if (found != NULL)
        return name_of(*found)->id;
    size_t n = strnlen(text, STRING_MAX - 1);
    struct name *name = malloc(sizeof(*name) + n + 1);
    if (name == NULL)
        return 0;
    memcpy(name->text, text, n);
    name->text[n] = '\0';
    void **slot = tsearch(name->text, &names.strings, text_compare);
    if (slot == NULL || *slot != name->text) {
        /* Out of memory, or a string cut to STRING_MAX that matches one
         * cut before. */
        free(name);
        return slot != NULL ? name_of(*slot)->id : 0;
    }
    name->id = ++names.last_string;
    pmt_emit_string(t, name->id, name->text, (uint32_t)n + 1);
    return name->id;
}

uint32_t pmt_names_string(struct pmt_thread *t, const char *text)
{
    pthread_mutex_lock(&names.lock);
    uint32_t id = string_id_locked(t, text);
    pthread_mutex_unlock(&names.lock);
    return id;
}

uint32_t pmt_names_define_site(struct pmt_thread *t, struct __pmt_site *site)
{
    pthread_mutex_lock(&names.lock);
    uint32_t id = __atomic_load_n(&site->id, __ATOMIC_RELAXED);
    if (id == 0) {
        struct pmt_body_site body = {
            .line = site->line,
            .column = site->column,
            .file = string_id_locked(t, site->file),
            .dir = string_id_locked(t, site->dir),
            .function = string_id_locked(t, site->func),
        };
        id = ++names.last_site;
        pmt_emit_fixed(t, PMT_SITE, 0, id, &body, sizeof(body));
        __atomic_store_n(&site->id, id, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&names.lock);
    return id;
}
