/*
 * malloc_tunables.c - glibc's malloc settings for the runs of a recovery
 * that uses libpmemobj (see malloc_tunables.h).
 */
#include "malloc_tunables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program_file.h"

/* Ours, measured on pmemobj_open of an 8 MiB pool (docs/recovery-runs.md,
 * "Speed"): 16 MiB of padding covers its 12 MB of runtime state. */
static const char *const ours[] = {
    "glibc.malloc.hugetlb=1",
    "glibc.malloc.top_pad=16777216",
};

/* Does the ':'-separated list set the tunable named like setting (the
 * part before its '=')? */
static bool list_sets(const char *list, const char *setting)
{
    size_t name_len = (size_t)(strchr(setting, '=') - setting);
    for (const char *field = list; field != NULL;) {
        if (strncmp(field, setting, name_len + 1) == 0)
            return true;
        field = strchr(field, ':');
        if (field != NULL)
            field++;
    }
    return false;
}

char *pmc_malloc_tunables(const char *user)
{
    char *out = NULL;
    size_t size = 0;
    FILE *s = open_memstream(&out, &size);
    if (s == NULL)
        return NULL;
    bool first = true;
    if (user != NULL && user[0] != '\0') {
        fputs(user, s);
        first = false;
    }
    for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
        if (user != NULL && list_sets(user, ours[i]))
            continue;
        fprintf(s, "%s%s", first ? "" : ":", ours[i]);
        first = false;
    }
    if (fclose(s) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

bool pmc_malloc_tunables_wanted(const char *path)
{
    struct pmc_program_file pf;
    return pmc_program_file_read(path, &pf) != 0 || pf.pmemobj ||
           !pf.fork_server;
}
