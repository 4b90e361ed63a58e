/*
 * site_pool.c - the site pool of site_pool.h.
 *
 * Sites live in chunks that never move (a lookup hands out pointers that
 * must stay valid while other threads add), indexed by a chained hash of
 * their fields. Pools hold the few hundred sites a recovery's loads come
 * from, so one lock around everything is enough.
 */
#include "site_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pmtrace_crc32c.h"

#define CHUNK_SITES 256u
#define BUCKETS 1024u
#define MAX_SITES (UINT32_MAX - PMC_SITE_POOL_BASE)

struct entry {
    struct pmc_site site; /* id: the pool's; strings: own copies */
    uint32_t hash;
    struct entry *next; /* in its bucket */
};

struct pmc_site_pool {
    pthread_mutex_t lock;
    struct entry **chunks; /* of CHUNK_SITES entries */
    size_t nchunks, chunks_cap;
    uint32_t count;
    struct entry *buckets[BUCKETS];
};

struct pmc_site_pool *pmc_site_pool_new(void)
{
    struct pmc_site_pool *p = calloc(1, sizeof(*p));
    if (p != NULL)
        pthread_mutex_init(&p->lock, NULL);
    return p;
}

void pmc_site_pool_free(struct pmc_site_pool *p)
{
    if (p == NULL)
        return;
    for (uint32_t i = 0; i < p->count; i++) {
        struct entry *e = &p->chunks[i / CHUNK_SITES][i % CHUNK_SITES];
        free((char *)e->site.file);
        free((char *)e->site.dir);
        free((char *)e->site.function);
    }
    for (size_t i = 0; i < p->nchunks; i++)
        free(p->chunks[i]);
    free(p->chunks);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

static uint32_t site_hash(const struct pmc_site *s)
{
    uint32_t numbers[2] = {s->line, s->column};
    uint32_t h = pmt_crc32c(0, numbers, sizeof(numbers));
    h = pmt_crc32c(h, s->file, strlen(s->file) + 1);
    h = pmt_crc32c(h, s->dir, strlen(s->dir) + 1);
    return pmt_crc32c(h, s->function, strlen(s->function) + 1);
}

static bool same_site(const struct pmc_site *a, const struct pmc_site *b)
{
    return a->line == b->line && a->column == b->column &&
           strcmp(a->file, b->file) == 0 && strcmp(a->dir, b->dir) == 0 &&
           strcmp(a->function, b->function) == 0;
}

/* A new entry at the end of the chunks, or NULL without memory. */
static struct entry *new_entry(struct pmc_site_pool *p)
{
    if (p->count >= MAX_SITES)
        return NULL;
    if (p->count % CHUNK_SITES == 0 && p->count / CHUNK_SITES == p->nchunks) {
        if (p->nchunks == p->chunks_cap) {
            size_t cap = p->chunks_cap ? p->chunks_cap * 2 : 8;
            struct entry **c = realloc(p->chunks, cap * sizeof(*c));
            if (c == NULL)
                return NULL;
            p->chunks = c;
            p->chunks_cap = cap;
        }
        p->chunks[p->nchunks] = calloc(CHUNK_SITES, sizeof(struct entry));
        if (p->chunks[p->nchunks] == NULL)
            return NULL;
        p->nchunks++;
    }
    return &p->chunks[p->count / CHUNK_SITES][p->count % CHUNK_SITES];
}

static uint32_t add_locked(struct pmc_site_pool *p, const struct pmc_site *s)
{
    uint32_t h = site_hash(s);
    struct entry **bucket = &p->buckets[h % BUCKETS];
    for (struct entry *e = *bucket; e != NULL; e = e->next)
        if (e->hash == h && same_site(&e->site, s))
            return e->site.id;
    struct entry *e = new_entry(p);
    if (e == NULL)
        return 0;
    char *file = strdup(s->file), *dir = strdup(s->dir),
         *function = strdup(s->function);
    if (file == NULL || dir == NULL || function == NULL) {
        free(file);
        free(dir);
        free(function);
        return 0;
    }
    *e = (struct entry){
        .site = {.id = PMC_SITE_POOL_BASE + p->count,
                 .line = s->line,
                 .column = s->column,
                 .file = file,
                 .dir = dir,
                 .function = function},
        .hash = h,
        .next = *bucket,
    };
    *bucket = e;
    p->count++;
    return e->site.id;
}

uint32_t pmc_site_pool_add(struct pmc_site_pool *p, const struct pmc_site *s)
{
    pthread_mutex_lock(&p->lock);
    uint32_t id = add_locked(p, s);
    pthread_mutex_unlock(&p->lock);
    return id;
}

const struct pmc_site *pmc_site_pool_get(struct pmc_site_pool *p, uint32_t id)
{
    if (p == NULL || !pmc_site_pool_owns(id))
        return NULL;
    uint32_t i = id - PMC_SITE_POOL_BASE;
    const struct pmc_site *s = NULL;
    pthread_mutex_lock(&p->lock);
    if (i < p->count)
        s = &p->chunks[i / CHUNK_SITES][i % CHUNK_SITES].site;
    pthread_mutex_unlock(&p->lock);
    return s;
}

const struct pmc_site *pmc_site_pool_resolve(struct pmc_site_pool *p,
                                             const struct pmc_trace *t,
                                             uint32_t id)
{
    if (pmc_site_pool_owns(id))
        return pmc_site_pool_get(p, id);
    return pmc_trace_site(t, id);
}
