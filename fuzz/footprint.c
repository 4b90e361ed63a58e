/*
 * footprint.c - the pmem footprint a trace declares (footprint.h).
 */
#include "footprint.h"

#include "trace.h"

uint64_t trace_footprint(const char *path)
{
    struct pmc_trace *t;
    if (pmc_trace_open(path, &t, NULL) != 0)
        return 0;
    uint64_t total = 0;
    struct pmc_event ev;
    while (pmc_trace_next(t, &ev, NULL) > 0)
        if (ev.kind == PMT_REGION_MAP)
            total = ev.len > UINT64_MAX - total ? UINT64_MAX : total + ev.len;
    pmc_trace_close(t);
    return total;
}
