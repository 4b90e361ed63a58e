/*
 * rmtree.h - removing a directory a recovery ran in, whatever it left
 * there.
 *
 * Contract: pmc_rmtree(path) removes path and everything below it. It
 * never follows a symbolic link (the link goes, not what it points to),
 * makes directories it cannot read or enter (mode 000) accessible first,
 * and copes with any depth using a few descriptors (deep directories are
 * moved up to the top and removed from there). Nothing may be writing in
 * the tree meanwhile: the runner calls it when the run's processes are
 * all gone. Returns 0, or -1 with errno set by the first failure (the rest
 * is still removed).
 */
#ifndef PMC_RMTREE_H
#define PMC_RMTREE_H

int pmc_rmtree(const char *path);

#endif /* PMC_RMTREE_H */
