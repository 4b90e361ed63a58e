/*
 * mappings.c - file mappings from /proc/self/maps (see mappings.h).
 */
#include "mappings.h"

#include <stdio.h>
#include <stdlib.h>

struct maps_line {
    unsigned long long lo, hi, offset, inode;
};

static bool parse_line(const char *line, struct maps_line *out)
{
    return sscanf(line, "%llx-%llx %*s %llx %*s %llu", &out->lo, &out->hi,
                  &out->offset, &out->inode) == 4;
}

bool pmt_mapping_find(uint64_t addr, struct pmt_mapping *out)
{
    FILE *maps = fopen("/proc/self/maps", "re");
    if (maps == NULL)
        return false;
    char *text = NULL;
    size_t cap = 0;
    bool found = false;
    struct maps_line first = {0}, l;
    uint64_t end = 0, next_offset = 0;
    while (getline(&text, &cap, maps) > 0) {
        if (!parse_line(text, &l))
            continue;
        if (!found) {
            /* inode 0: anonymous memory, not a file. */
            if (addr < l.lo || addr >= l.hi || l.inode == 0)
                continue;
            found = true;
            first = l;
        } else if (l.lo != end || l.inode != first.inode ||
                   l.offset != next_offset) {
            break;
        }
        end = l.hi;
        next_offset = l.offset + (l.hi - l.lo);
    }
    free(text);
    fclose(maps);
    if (found)
        *out = (struct pmt_mapping){first.lo, end - first.lo, first.offset,
                                    first.inode};
    return found;
}
