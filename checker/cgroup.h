/*
 * cgroup.h - a control group for one runner, when the machine lets
 * pmcheck make one: the runner's server and every run it starts go in it,
 * so the kernel enforces the memory limit (and says when it killed for
 * it) and the limit on tasks over everything a run forks, in any process
 * group or session.
 *
 * Where: under the cgroup pmcheck itself is in. With cgroup v2, only when
 * that cgroup already enables the memory or pids controller for its
 * children (a delegated subtree: systemd's Delegate=, a container's root);
 * pmcheck never changes a cgroup it did not make. With cgroup v1 (or a
 * hybrid host) only the pids hierarchy is used: v1 memory cgroups are
 * usually someone's accounting (a container manager's), and moving
 * processes out of theirs would hide them from it. A group that cannot be
 * made is not an error: the runner falls back to rlimits.
 *
 * Contract:
 *  - pmc_cgroup_new() makes the group with its limits, or returns NULL.
 *  - A process joins by writing "0" to each of the join descriptors (in a
 *    fork child before exec: that is async-signal-safe); they are
 *    O_CLOEXEC.
 *  - pmc_cgroup_oom_kills() counts the processes the kernel killed in the
 *    group for its memory limit so far (0 without a memory limit).
 *  - pmc_cgroup_kill() kills every process in the group and returns once
 *    none is left, nor counted against its task limit (or after a few
 *    seconds of trying).
 *  - pmc_cgroup_free() kills what is left and removes the group.
 */
#ifndef PMC_CGROUP_H
#define PMC_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pmc_cgroup;

struct pmc_cgroup *pmc_cgroup_new(uint64_t memory_limit, unsigned max_tasks);

/* The descriptors to write "0" to; *count of them. */
const int *pmc_cgroup_join_fds(const struct pmc_cgroup *cg, size_t *count);

bool pmc_cgroup_limits_memory(const struct pmc_cgroup *cg);
bool pmc_cgroup_limits_tasks(const struct pmc_cgroup *cg);

uint64_t pmc_cgroup_oom_kills(const struct pmc_cgroup *cg);

void pmc_cgroup_kill(struct pmc_cgroup *cg);

void pmc_cgroup_free(struct pmc_cgroup *cg);

#endif /* PMC_CGROUP_H */
