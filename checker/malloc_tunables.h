/*
 * malloc_tunables.h - glibc's malloc settings for the runs of a recovery
 * that uses libpmemobj.
 *
 * Why: pmemobj_open allocates about 12 MB of runtime state (three
 * operation contexts and their mutexes for each of the pool's 1024 lanes,
 * whatever the pool holds), and every run is a fresh process - a fork of
 * the fork server, or an exec - so each run faults all of it in again,
 * 4 KiB at a time: some 3,000 page faults, half of a run's time. With
 * glibc.malloc.hugetlb=1 malloc asks for transparent huge pages for its
 * heap (madvise; honoured when the system's THP mode is "madvise" or
 * "always"), and with glibc.malloc.top_pad at 16 MiB the heap grows once,
 * by enough for all of it: about 6 huge-page faults instead, and a run
 * takes half the time. Nothing the program can observe changes but where
 * its allocations land and how fast they fault in.
 *
 * glibc reads GLIBC_TUNABLES once, when the program is executed: the
 * runner puts it in its servers' environment (a fork server is executed
 * once, the supervisor executes each run), and runs inherit it.
 *
 * Which runs: all but those of a program built with pmcc (its file holds
 * the fork server's marker) that does not name libpmemobj's shared
 * object. Such a program's runs are forks of a server whose heap is in
 * place, where a run that grows it a little could pay for a 2 MiB page
 * it barely touches (about 50 us to clear, against about 1 us for a
 * 4 KiB page), in runs of well under a millisecond. Any other program is
 * executed for each run (a few milliseconds), and may be a shell or a
 * script that starts a PMDK program: it gets them.
 *
 * Contract:
 *  - pmc_malloc_tunables() returns the GLIBC_TUNABLES value for a run,
 *    malloc'd (NULL when out of memory): the user's own (user, may be
 *    NULL), then each of ours the user's does not set, ':'-separated. A
 *    tunable the user set keeps the user's value.
 *  - pmc_malloc_tunables_wanted() says whether the runs of the program at
 *    path get them (above); a file that cannot be read does.
 */
#ifndef PMC_MALLOC_TUNABLES_H
#define PMC_MALLOC_TUNABLES_H

#include <stdbool.h>

#define PMC_TUNABLES_ENV "GLIBC_TUNABLES"

char *pmc_malloc_tunables(const char *user);

bool pmc_malloc_tunables_wanted(const char *path);

#endif /* PMC_MALLOC_TUNABLES_H */
