/*
 * pmcc_args.h - what a compiler command line asks the driver to do.
 *
 * pmcc adds the pass plugin to every command and links the trace runtime
 * only into executables. Which of the two a command line is must be read
 * from the arguments alone, the way clang's driver will read them; this
 * module does that, apart from pmcc.c so it can be tested without a
 * compiler. Response files (@FILE) are read and classified too; a missing
 * one counts as an input file, as clang takes it.
 */
#ifndef PMCC_ARGS_H
#define PMCC_ARGS_H

enum pmcc_action {
    PMCC_QUERY,       /* no input file: --version, -v, -print-*, probes */
    PMCC_COMPILE,     /* stops before linking: -c -S -E -M -MM ... */
    PMCC_LINK_SHARED, /* links a shared library or a relocatable object */
    PMCC_LINK_EXE,    /* links an executable: the runtime goes in */
};

/* Classify the arguments after argv[0]. */
enum pmcc_action pmcc_classify(int argc, char *const argv[]);

#endif /* PMCC_ARGS_H */
