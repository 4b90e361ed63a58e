/*
 * cmdline.h - a recovery command template made into what exec takes
 * (checker/runner.h).
 *
 * Contract:
 *  - "{image}" stands for the path of image 0, "{image:NAME}" for the image
 *    whose name is NAME; any other text in braces is left as it is.
 *  - A template of plain words is split as a shell splits them: blanks
 *    separate words, '...' quotes literally, "..." quotes with \" \\ \$ \`
 *    escapes, a backslash outside quotes escapes the next character. The
 *    placeholders are replaced inside the words, so a path with a blank in
 *    it stays one argument.
 *  - Anything a shell would interpret - | & ; < > ( ) $ ` * ? [, a ~ or #
 *    starting a word, $ or ` inside double quotes, an assignment as first
 *    word - makes it a shell command: argv is {"/bin/sh", "-c", TEXT},
 *    TEXT the template with each placeholder replaced by the path,
 *    single-quoted unless the path has only characters a shell leaves
 *    alone.
 *  - Errors: an empty command, an unterminated quote (or a backslash at
 *    the end), {image} with no image, {image:NAME} with no image of that
 *    name.
 */
#ifndef PMC_CMDLINE_H
#define PMC_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct pmc_cmdline {
    char **argv; /* NULL-terminated, malloc'd with its strings */
    bool shell;  /* argv is /bin/sh -c TEXT */
};

/* names[i] and paths[i] describe image i. */
int pmc_cmdline_parse(const char *tmpl, const char *const *names,
                      const char *const *paths, size_t nimages,
                      struct pmc_cmdline *out, struct pmc_error *err);

void pmc_cmdline_free(struct pmc_cmdline *c);

#endif /* PMC_CMDLINE_H */
