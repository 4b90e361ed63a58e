/*
 * reports_fixture.h - what the results-database and report tests share:
 * synthetic source sites and findings, runs stored through the db.h API,
 * and direct SQL on a database file to check what was stored.
 *
 * The findings are built as the model builds them (finding.h), and stored
 * with pmc_db_store_results(), which takes sites from a lookup function,
 * so no trace file is needed; one test stores from a real trace.
 */
#ifndef REPORTS_FIXTURE_H
#define REPORTS_FIXTURE_H

#include <stdint.h>

#include "db.h"
#include "finding.h"

#define FIXTURE_MAX_SITES 32

/* Sites by trace site id (1..n). Strings are copied in. */
struct fixture_sites {
    struct pmc_site sites[FIXTURE_MAX_SITES + 1];
    char text[FIXTURE_MAX_SITES + 1][3][256];
    uint32_t n;
};

uint32_t fixture_site_add(struct fixture_sites *s, const char *file,
                          const char *dir, uint32_t line, uint32_t column,
                          const char *function);

/* A pmc_db_site_fn over a struct fixture_sites. */
const struct pmc_site *fixture_site(const void *sites, uint32_t id);

/* A trace identity: pid distinguishes traces; the rest is fixed. */
struct pmc_db_trace fixture_trace(uint64_t pid, const char *path);

/* Add a finding (count occurrences) with up to two notes (role 0: none). */
void fixture_finding(struct pmc_findings *set, enum pmc_rule rule,
                     uint32_t site, uint64_t count, uint64_t len,
                     enum pmc_note_role role1, uint32_t site1,
                     const char *note1, enum pmc_note_role role2,
                     uint32_t site2, const char *note2);

/* Begin a check run under model; fails the test on error. */
int64_t fixture_run(struct pmc_db *db, const char *model);

/* Store set for trace under run; fails the test on error. */
void fixture_store(struct pmc_db *db, int64_t run,
                   const struct pmc_db_trace *trace,
                   const struct fixture_sites *sites,
                   const struct pmc_findings *set);

/* The source file the tests write as list.c: the sites they make point
 * into list_insert, at its lines 5 to 7. */
extern const char fixture_list_c[];

void fixture_write_file(const char *path, const char *text);
/* The whole file, NUL-terminated; free() it. */
char *fixture_read_file(const char *path);

/* One integer from SQL run on the database file (own connection). */
int64_t fixture_sql_int(const char *db_path, const char *sql);
/* One text (copied; free() it, NULL for SQL NULL). */
char *fixture_sql_text(const char *db_path, const char *sql);

/* A report of run to a string (free() it); fails the test on error. */
char *fixture_report(struct pmc_db *db, int64_t run, int format);

#endif /* REPORTS_FIXTURE_H */
