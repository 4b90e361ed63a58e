/*
 * proctree.h - killing a process and every process below it, without a
 * control group.
 *
 * The runner's servers are subreapers (the sandbox makes them so before
 * exec), so nothing started below one escapes to init while it lives:
 * its descendants are the processes reachable through the kernel's
 * children lists (/proc/PID/task/TID/children). A process that is
 * stopped cannot fork, so the tree is frozen first - stopped, walked,
 * stopped again, until a walk finds nothing new - and then killed whole.
 *
 * Contract: pmc_kill_tree(root) sends SIGKILL to root and to every
 * process below it, and returns; the caller reaps root (its own child);
 * the others are reaped by their parents or by init once those die.
 */
#ifndef PMC_PROCTREE_H
#define PMC_PROCTREE_H

#include <sys/types.h>

void pmc_kill_tree(pid_t root);

#endif /* PMC_PROCTREE_H */
