/*
 * source.c - reading and caching source files, line by line (see
 * source.h).
 */
#include "source.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utf8.h"

struct source_file {
    struct source_file *next;
    char *file;
    char *dir;
    char *text;   /* the file, each line end replaced by NUL */
    char **lines; /* lines[i] is line i + 1 */
    uint32_t nlines;
};

struct pmc_source_cache {
    struct source_file *files;
};

struct pmc_source_cache *pmc_source_cache_new(void)
{
    return calloc(1, sizeof(struct pmc_source_cache));
}

static void source_file_free(struct source_file *f)
{
    free(f->file);
    free(f->dir);
    free(f->text);
    free(f->lines);
    free(f);
}

void pmc_source_cache_free(struct pmc_source_cache *cache)
{
    if (cache == NULL)
        return;
    while (cache->files != NULL) {
        struct source_file *f = cache->files;
        cache->files = f->next;
        source_file_free(f);
    }
    free(cache);
}

/* The whole of a regular text file, NUL-terminated; NULL otherwise. */
static char *read_text(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *text = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        (uint64_t)st.st_size <= PMC_SOURCE_MAX_BYTES)
        text = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (text != NULL && got < (size_t)st.st_size) {
        ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
        if (n <= 0)
            break; /* shrank while we read: take what is there */
        got += (size_t)n;
    }
    close(fd);
    if (text == NULL)
        return NULL;
    text[got] = '\0';
    if (memchr(text, '\0', got) != NULL) { /* binary, not source */
        free(text);
        return NULL;
    }
    *size = got;
    return text;
}

static char *read_site_file(const char *file, const char *dir, size_t *size)
{
    if (file[0] != '/' && dir[0] != '\0') {
        char path[PATH_MAX];
        int n = snprintf(path, sizeof(path), "%s/%s", dir, file);
        if (n > 0 && (size_t)n < sizeof(path)) {
            char *text = read_text(path, size);
            if (text != NULL)
                return text;
        }
    }
    return read_text(file, size);
}

/* Cut text into lines in place; false without memory. */
static bool split_lines(struct source_file *f, size_t size)
{
    size_t cap = 0;
    for (size_t i = 0; i < size; i++)
        cap += f->text[i] == '\n';
    cap++;
    if (cap > UINT32_MAX || (f->lines = calloc(cap, sizeof(char *))) == NULL)
        return false;
    char *s = f->text;
    while (*s != '\0') {
        char *end = strchr(s, '\n');
        f->lines[f->nlines++] = s;
        if (end != NULL)
            *end = '\0';
        size_t len = strlen(s);
        if (len > 0 && s[len - 1] == '\r')
            s[len - 1] = '\0';
        pmc_utf8_fix(s);
        if (end == NULL)
            break;
        s = end + 1;
    }
    return true;
}

static struct source_file *load(const char *file, const char *dir)
{
    struct source_file *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return NULL;
    f->file = strdup(file);
    f->dir = strdup(dir);
    if (f->file == NULL || f->dir == NULL) {
        source_file_free(f);
        return NULL;
    }
    size_t size = 0;
    f->text = read_site_file(file, dir, &size);
    if (f->text != NULL && !split_lines(f, size)) {
        /* Without memory the file is as good as unreadable. */
        free(f->text);
        f->text = NULL;
        f->nlines = 0;
    }
    return f;
}

static struct source_file *lookup(struct pmc_source_cache *cache,
                                  const char *file, const char *dir)
{
    if (file == NULL || file[0] == '\0')
        return NULL;
    if (dir == NULL)
        dir = "";
    for (struct source_file *f = cache->files; f != NULL; f = f->next)
        if (strcmp(f->file, file) == 0 && strcmp(f->dir, dir) == 0)
            return f;
    struct source_file *f = load(file, dir);
    if (f != NULL) {
        f->next = cache->files;
        cache->files = f;
    }
    return f;
}

const char *pmc_source_line(struct pmc_source_cache *cache, const char *file,
                            const char *dir, uint32_t line)
{
    struct source_file *f = lookup(cache, file, dir);
    if (f == NULL || line == 0 || line > f->nlines)
        return NULL;
    return f->lines[line - 1];
}

uint32_t pmc_source_line_count(struct pmc_source_cache *cache, const char *file,
                               const char *dir)
{
    struct source_file *f = lookup(cache, file, dir);
    return f != NULL ? f->nlines : 0;
}
