/*
 * fingerprint.h - the identity of a finding across runs, for baselines
 * and for SARIF's partialFingerprints.
 *
 * A fingerprint hashes the rule id, the file (as recorded), the function
 * and the text of the source line with its whitespace normalised (runs of
 * blanks become one space, none at either end). Code that moves up or
 * down, or is re-indented, keeps its fingerprint; changing the line, the
 * function or the rule makes a new one. When the source line cannot be
 * read, the line number stands in for its text.
 *
 * A finding about a pair of sites (cross-failure-read: a store and the
 * recovery's load of its bytes) hashes the second site's file, function
 * and line text after the first's, so each pair has its own fingerprint
 * and a single site's fingerprint is unchanged.
 *
 * An absolute file inside its compilation directory counts as the path
 * below that directory: `cc /home/me/src/list.c` run in /home/me/src and
 * `cc /ci/src/list.c` run in /ci/src are the same file, so a baseline made
 * on one machine holds on another checkout.
 *
 * The hash is CRC-32C (the project's, runtime/crc32c.c), printed as 8 hex
 * digits. It is a name, not a defence: a baseline of n findings hides a
 * new, different finding with chance n / 2^32. Reports label the value
 * "pmcheck/v1" so that a later, different hash can be told apart.
 */
#ifndef PMC_FINGERPRINT_H
#define PMC_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#define PMC_FINGERPRINT_SIZE 9 /* 8 hex digits and a NUL */
#define PMC_FINGERPRINT_KEY "pmcheck/v1"

/* file and dir as the site records them; line_text: the source line,
 * NULL when it could not be read. */
void pmc_fingerprint(const char *rule, const char *file, const char *dir,
                     const char *function, const char *line_text, uint32_t line,
                     char out[PMC_FINGERPRINT_SIZE]);

/* A site as a fingerprint sees it; line_text NULL when unreadable. */
struct pmc_fingerprint_site {
    const char *file;
    const char *dir;
    const char *function;
    const char *line_text;
    uint32_t line;
};

/* The fingerprint of a finding about the sites, in order; one site gives
 * pmc_fingerprint's. */
void pmc_fingerprint_sites(const char *rule,
                           const struct pmc_fingerprint_site *sites, size_t n,
                           char out[PMC_FINGERPRINT_SIZE]);

/* Copy text to buf with whitespace normalised (cut to size). */
void pmc_fingerprint_normalize(const char *text, char *buf, size_t size);

#endif /* PMC_FINGERPRINT_H */
