/*
 * paths.h - where pmcc and pmcheck find the pass plugin, the trace runtime
 * and <pmtrace.h>.
 *
 * An executable that runs from the build tree uses the build tree's files
 * (so tests and developers never pick up an older installed copy); any
 * other copy uses the install layout: <prefix>/lib/pmcheck/pmcheck-pass.so,
 * <prefix>/lib/pmcheck/libpmtrace.a, <prefix>/include. The environment
 * variables PMCHECK_PLUGIN and PMCHECK_RUNTIME override the first two.
 * The runtime's dynamic list (pmtrace.dynlist: what pmcc exports from an
 * executable) sits next to the runtime, wherever that is.
 * The answer is computed, not checked: a path may name a missing file.
 */
#ifndef PMC_PATHS_H
#define PMC_PATHS_H

#include <limits.h>
#include <stdbool.h>

struct pmc_paths {
    const char *plugin;      /* pmcheck-pass.so */
    const char *runtime;     /* libpmtrace.a */
    const char *include_dir; /* the directory holding pmtrace.h */
    char dynlist[PATH_MAX];  /* pmtrace.dynlist, beside the runtime */
    bool build_tree;         /* the running executable is in the build tree */
};

void pmc_paths_find(struct pmc_paths *paths);

/* The clang that matches the LLVM the plugin was built for; cxx: clang++. */
const char *pmc_paths_clang(bool cxx);

#endif /* PMC_PATHS_H */
