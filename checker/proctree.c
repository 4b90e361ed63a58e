/*
 * proctree.c - freezing and killing a process tree (see proctree.h).
 */
#include "proctree.h"

#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* The processes found so far: stopped, to be killed. */
struct tree {
    pid_t *pids;
    size_t count, cap;
};

static bool known(const struct tree *t, pid_t pid)
{
    for (size_t i = 0; i < t->count; i++)
        if (t->pids[i] == pid)
            return true;
    return false;
}

/* Add pid, stopped; false when it was known (or memory ran out). */
static bool add(struct tree *t, pid_t pid)
{
    if (known(t, pid))
        return false;
    if (t->count == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        pid_t *pids = realloc(t->pids, cap * sizeof(*pids));
        if (pids == NULL)
            return false;
        t->pids = pids;
        t->cap = cap;
    }
    t->pids[t->count++] = pid;
    kill(pid, SIGSTOP);
    return true;
}

/* Add the children of pid (of each of its threads); how many were new. */
static size_t add_children(struct tree *t, pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    DIR *tasks = opendir(path);
    if (tasks == NULL)
        return 0;
    size_t added = 0;
    struct dirent *e;
    while ((e = readdir(tasks)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char file[320];
        snprintf(file, sizeof(file), "/proc/%d/task/%s/children", (int)pid,
                 e->d_name);
        FILE *f = fopen(file, "re");
        if (f == NULL)
            continue;
        int child;
        while (fscanf(f, "%d", &child) == 1)
            added += add(t, (pid_t)child);
        fclose(f);
    }
    closedir(tasks);
    return added;
}

void pmc_kill_tree(pid_t root)
{
    struct tree t = {NULL, 0, 0};
    kill(-root, SIGSTOP); /* its process group at once: the usual case */
    add(&t, root);
    /* Walk until a whole walk finds nothing new: by then every process
     * below root is stopped, so none can add another. */
    for (size_t found = 1; found > 0;) {
        found = 0;
        for (size_t i = 0; i < t.count; i++)
            found += add_children(&t, t.pids[i]);
    }
    kill(-root, SIGKILL);
    for (size_t i = 0; i < t.count; i++)
        kill(t.pids[i], SIGKILL);
    free(t.pids);
}
