/*
 * cgroup.c - the runner's control group (see cgroup.h).
 *
 * A group is one directory per hierarchy used: with cgroup v2 one
 * directory holds both limits; on a v1 host, one directory in the pids
 * hierarchy. Each is made by mkdtemp under the directory of pmcheck's own
 * cgroup, found from /proc/self/cgroup and the mount table.
 */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_DIRS 2

struct cgroup_dir {
    char path[PATH_MAX];
    bool v2;
};

struct pmc_cgroup {
    struct cgroup_dir dirs[MAX_DIRS];
    int join_fds[MAX_DIRS];
    size_t count;
    bool memory; /* dirs[0] is v2 with memory.max */
    bool tasks;
};

/* ---- finding pmcheck's own cgroup -------------------------------------- */

/* Is word one of the comma-separated items of list? */
static bool has_item(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p != NULL; p = strchr(p, ',')) {
        if (*p == ',')
            p++;
        if (strncmp(p, word, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return true;
    }
    return false;
}

/* The mount of a cgroup hierarchy: v2 (controller NULL), or the v1 one
 * holding controller. Fills root (the cgroup at the mount point) and
 * mount_point. */
static bool find_mount(const char *controller, char *root, char *mount_point)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL)
        return false;
    char *line = NULL;
    size_t cap = 0;
    bool found = false;
    while (!found && getline(&line, &cap, f) > 0) {
        /* id parent dev root mount_point options [optional...] - type
         * source super_options */
        char r[PATH_MAX], mp[PATH_MAX], type[64], super[512];
        const char *dash = strstr(line, " - ");
        if (dash == NULL ||
            sscanf(line, "%*s %*s %*s %4095s %4095s", r, mp) != 2 ||
            sscanf(dash, " - %63s %*s %511s", type, super) != 2)
            continue;
        if (controller == NULL
                ? strcmp(type, "cgroup2") == 0
                : strcmp(type, "cgroup") == 0 && has_item(super, controller)) {
            strcpy(root, r);
            strcpy(mount_point, mp);
            found = true;
        }
    }
    free(line);
    fclose(f);
    return found;
}

/* pmcheck's cgroup in a hierarchy: v2 ("0::PATH"), or the v1 one holding
 * controller. */
static bool own_cgroup(const char *controller, char *path)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (f == NULL)
        return false;
    char *line = NULL;
    size_t cap = 0;
    bool found = false;
    while (!found && getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\n")] = '\0';
        char *c1 = strchr(line, ':');
        char *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL || strlen(c2 + 1) >= PATH_MAX)
            continue;
        *c2 = '\0';
        bool match = controller == NULL
                         ? strcmp(line, "0:") == 0 && c1[1] == '\0'
                         : has_item(c1 + 1, controller);
        if (match) {
            strcpy(path, c2 + 1);
            found = true;
        }
    }
    free(line);
    fclose(f);
    return found;
}

/* The directory of pmcheck's cgroup in a hierarchy. */
static bool own_cgroup_dir(const char *controller, char *dir)
{
    char root[PATH_MAX], mount_point[PATH_MAX], path[PATH_MAX];
    if (!find_mount(controller, root, mount_point) ||
        !own_cgroup(controller, path))
        return false;
    /* The mount shows the hierarchy from root down: path must be there. */
    size_t n = strcmp(root, "/") == 0 ? 0 : strlen(root);
    if (strncmp(path, root, n) != 0 || (path[n] != '/' && path[n] != '\0'))
        return false;
    return snprintf(dir, PATH_MAX, "%s%s", mount_point, path + n) < PATH_MAX;
}

/* ---- files of a group --------------------------------------------------- */

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The file's content (at most size - 1 bytes), or "" when unreadable. */
static void read_file(const char *dir, const char *name, char *buf, size_t size)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    buf[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, size - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
}

/* Does the v2 cgroup at dir enable controller for its children? */
static bool enables(const char *dir, const char *controller)
{
    char list[512];
    read_file(dir, "cgroup.subtree_control", list, sizeof(list));
    size_t n = strlen(controller);
    for (char *p = strstr(list, controller); p != NULL;
         p = strstr(p + 1, controller))
        if ((p == list || p[-1] == ' ') &&
            (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
            return true;
    return false;
}

/* A new group under parent; false when it cannot be made. */
static bool make_dir(struct pmc_cgroup *cg, const char *parent, bool v2)
{
    struct cgroup_dir *d = &cg->dirs[cg->count];
    if (snprintf(d->path, sizeof(d->path), "%s/pmcheck-XXXXXX", parent) >=
            (int)sizeof(d->path) ||
        mkdtemp(d->path) == NULL)
        return false;
    char procs[PATH_MAX + 64];
    snprintf(procs, sizeof(procs), "%s/cgroup.procs", d->path);
    int fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        rmdir(d->path);
        return false;
    }
    d->v2 = v2;
    cg->join_fds[cg->count++] = fd;
    return true;
}

static void set_limits(struct pmc_cgroup *cg, uint64_t memory_limit,
                       unsigned max_tasks, bool want_memory)
{
    struct cgroup_dir *d = &cg->dirs[cg->count - 1];
    char text[32];
    snprintf(text, sizeof(text), "%u", max_tasks);
    if (write_file(d->path, "pids.max", text) == 0)
        cg->tasks = true;
    if (!want_memory)
        return;
    snprintf(text, sizeof(text), "%llu", (unsigned long long)memory_limit);
    if (write_file(d->path, "memory.max", text) == 0) {
        cg->memory = true;
        /* Swap would let a run go past its limit, slowly. */
        write_file(d->path, "memory.swap.max", "0");
    }
}

struct pmc_cgroup *pmc_cgroup_new(uint64_t memory_limit, unsigned max_tasks)
{
    struct pmc_cgroup *cg = calloc(1, sizeof(*cg));
    if (cg == NULL)
        return NULL;
    char dir[PATH_MAX];
    bool v2_pids = false;
    if (own_cgroup_dir(NULL, dir)) {
        bool memory = enables(dir, "memory");
        v2_pids = enables(dir, "pids");
        if ((memory || v2_pids) && make_dir(cg, dir, true))
            set_limits(cg, memory_limit, max_tasks, memory);
        else
            v2_pids = false;
    }
    if (!v2_pids && own_cgroup_dir("pids", dir) && make_dir(cg, dir, false))
        set_limits(cg, 0, max_tasks, false);
    if (!cg->memory && !cg->tasks) {
        pmc_cgroup_free(cg);
        return NULL;
    }
    return cg;
}

const int *pmc_cgroup_join_fds(const struct pmc_cgroup *cg, size_t *count)
{
    *count = cg->count;
    return cg->join_fds;
}

bool pmc_cgroup_limits_memory(const struct pmc_cgroup *cg)
{
    return cg->memory;
}

bool pmc_cgroup_limits_tasks(const struct pmc_cgroup *cg)
{
    return cg->tasks;
}

uint64_t pmc_cgroup_oom_kills(const struct pmc_cgroup *cg)
{
    if (!cg->memory)
        return 0;
    char events[1024];
    read_file(cg->dirs[0].path, "memory.events", events, sizeof(events));
    const char *p = strstr(events, "oom_kill ");
    return p != NULL ? strtoull(p + strlen("oom_kill "), NULL, 10) : 0;
}

/* Kill every process listed in dir's cgroup.procs; false when none was. */
static bool kill_listed(const char *dir)
{
    char list[8192];
    read_file(dir, "cgroup.procs", list, sizeof(list));
    bool any = false;
    for (char *p = list, *end; *p != '\0'; p = end) {
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
            any = true;
    }
    return any;
}

/* Tasks still counted by the pids controller: a killed task is counted
 * until its parent reaps it. -1 when dir has no pids controller. */
static long tasks_counted(const char *dir)
{
    char text[32];
    read_file(dir, "pids.current", text, sizeof(text));
    return text[0] != '\0' ? strtol(text, NULL, 10) : -1;
}

void pmc_cgroup_kill(struct pmc_cgroup *cg)
{
    struct timespec pause = {0, 1000000};
    for (size_t i = 0; i < cg->count; i++) {
        struct cgroup_dir *d = &cg->dirs[i];
        if (d->v2)
            write_file(d->path, "cgroup.kill", "1"); /* Linux >= 5.14 */
        /* A v1 group, or an older kernel: one by one, until none is left
         * (a process forking meanwhile is caught in a later round). */
        int round = 0;
        for (; round < 5000 && kill_listed(d->path); round++)
            nanosleep(&pause, NULL);
        /* Then until the dead are reaped (by their parents, or init):
         * until then they count against the group's task limit. */
        for (; round < 5000 && tasks_counted(d->path) > 0; round++)
            nanosleep(&pause, NULL);
    }
}

void pmc_cgroup_free(struct pmc_cgroup *cg)
{
    if (cg == NULL)
        return;
    pmc_cgroup_kill(cg);
    for (size_t i = 0; i < cg->count; i++) {
        close(cg->join_fds[i]);
        /* A process killed a moment ago may still be leaving the group. */
        struct timespec pause = {0, 1000000};
        for (int tries = 0;
             rmdir(cg->dirs[i].path) != 0 && errno == EBUSY && tries < 2000;
             tries++)
            nanosleep(&pause, NULL);
    }
    free(cg);
}
