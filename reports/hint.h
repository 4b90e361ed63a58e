/*
 * hint.h - the fix hint of a finding: which call to add (or remove) and
 * where, e.g. for unpersisted-store on `node->next = root->head;` at
 * list.c:61
 *     add pmem_persist(&node->next, sizeof(node->next)) after list.c:61
 *
 * Hints are composed once, when findings are stored, from the finding and
 * the text of its source lines (NULL when a file could not be read: the
 * hint then names the stored address generically). They are advice in
 * one line, never a guarantee: the source line is all we parse.
 */
#ifndef PMC_HINT_H
#define PMC_HINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "rules.h"

/* A site as hints name it: "file:line" (the file as recorded). */
struct pmc_hint_site {
    bool known; /* false: the finding or note has no site */
    const char *file;
    uint32_t line;         /* 0: unknown */
    const char *line_text; /* the source line, NULL when unreadable */
};

struct pmc_hint_note {
    enum pmc_note_role role;
    struct pmc_hint_site site;
};

struct pmc_hint_input {
    enum pmc_rule rule;
    bool eadr;                 /* checked under --model eadr */
    struct pmc_hint_site site; /* the primary site */
    uint64_t len;              /* bytes of the store (or range) involved */
    bool commit_var; /* cross-failure-read: the range is already declared
                        PMT_COMMIT_VAR */
    size_t nnotes;
    struct pmc_hint_note notes[PMC_MAX_NOTES];
};

/* Compose the hint into buf (always NUL-terminated, cut to size). */
void pmc_hint_compose(const struct pmc_hint_input *in, char *buf, size_t size);

/*
 * If line is one plain assignment statement, `LVALUE = EXPR;` (a trailing
 * comment allowed), copy LVALUE to buf and return true. Compound (`+=`)
 * and chained (`a = b = c`) assignments, declarations (`int x = 1;`),
 * conditions and several statements on one line are not plain: false.
 */
bool pmc_hint_lvalue(const char *line, char *buf, size_t size);

#define PMC_HINT_ARG_SIZE 128

/*
 * If line calls macro (e.g. "PMT_ASSERT_ORDERED"), copy its first max
 * arguments, trimmed (each cut to PMC_HINT_ARG_SIZE), to args and return
 * how many the call has; 0 when the call is not (whole) on the line.
 */
size_t pmc_hint_macro_args(const char *line, const char *macro,
                           char (*args)[PMC_HINT_ARG_SIZE], size_t max);

#endif /* PMC_HINT_H */
