/*
 * utf8.h - keeping text the database stores valid UTF-8.
 *
 * Paths, command lines and source lines come from the user's system in
 * any encoding, but JSON, SARIF and XML reports need UTF-8. Text is made
 * valid once, when it enters the database (or a report reads a source
 * file), with libxml2's validator: invalid text keeps its ASCII bytes and
 * every other byte becomes '?'.
 */
#ifndef PMC_UTF8_H
#define PMC_UTF8_H

#include <stdbool.h>

bool pmc_utf8_valid(const char *s);

/* Make s valid in place. */
void pmc_utf8_fix(char *s);

#endif /* PMC_UTF8_H */
