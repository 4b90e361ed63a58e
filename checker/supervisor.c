/*
 * supervisor.c - serving runs of any command (see supervisor.h).
 */
#include "supervisor.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pmtrace_forkserver.h"

char **pmc_supervisor_argv(const char *path, char *const *argv)
{
    size_t n = 0;
    while (argv[n] != NULL)
        n++;
    char **out = calloc(n + 2, sizeof(*out));
    if (out == NULL)
        return NULL;
    out[0] = (char *)path;
    memcpy(out + 1, argv, n * sizeof(*argv));
    return out;
}

/* glibc passes constructors the program's argc, argv and envp. */
__attribute__((constructor)) static void supervise(int argc, char **argv,
                                                   char **envp)
{
    (void)envp;
    const char *value = getenv(PMC_SUPERVISOR_ENV);
    if (value == NULL)
        return;
    char *end;
    long ctl = strtol(value, &end, 10);
    long status = *end == ',' ? strtol(end + 1, &end, 10) : -1;
    unsetenv(PMC_SUPERVISOR_ENV);
    if (*end != '\0' || ctl < 0 || status < 0 || argc < 2)
        _exit(127);
    if (pmt_fs_serve((int)ctl, (int)status, NULL) != 0)
        _exit(127);
    /* A run's child: the command, in the run's environment. */
    execve(argv[0], argv + 1, environ);
    _exit(127);
}
