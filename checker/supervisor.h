/*
 * supervisor.h - pmcheck's own fork server, for recovery commands whose
 * program does not serve runs itself (not built with pmcc, or a shell
 * command).
 *
 * The runner starts the supervisor by executing /proc/self/exe - pmcheck,
 * or whatever program links the runner - with PMCHECK_SUPERVISE="C,S" in
 * its environment and, as its arguments, the path of the command's
 * program followed by the command's argv. A constructor in this file,
 * run before that program's main, sees the variable and serves the
 * protocol of pmtrace_forkserver.h (runtime/forkserver.c); each run's
 * child then executes the command. Being a fresh process, the supervisor
 * holds none of pmcheck's memory or locks.
 *
 * Contract: pmc_supervisor_argv() makes that argument vector (NULL when
 * out of memory; free it with free(): one block). Calling it also links
 * this file, and so its constructor, into the program.
 */
#ifndef PMC_SUPERVISOR_H
#define PMC_SUPERVISOR_H

#define PMC_SUPERVISOR_ENV "PMCHECK_SUPERVISE"

/* {path, argv[0], argv[1], ..., NULL}, pointing into path and argv. */
char **pmc_supervisor_argv(const char *path, char *const *argv);

#endif /* PMC_SUPERVISOR_H */
