/*
 * report_internal.h - what the report writers share: the report being
 * written, its run, and the findings, notes and traces of the run read
 * through one temporary view (report_findings), so every format selects
 * the same findings in the same way.
 *
 * Strings handed to callbacks belong to SQLite and are valid only during
 * the callback. A callback returns 0 to go on, -1 (err set) to stop.
 */
#ifndef PMC_REPORT_INTERNAL_H
#define PMC_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "db_internal.h"
#include "report.h"

/* The home page SARIF names as the tool's informationUri. */
#define PMC_INFORMATION_URI "https://github.com/pmcheck/pmcheck"

struct report {
    struct pmc_db *db;
    int64_t run_id;
    FILE *out;
    struct pmc_error *err;
};

struct report_run {
    int64_t id;
    char kind[16];
    char model[16];
    char status[16];
    char started[40];
    char finished[40]; /* "" while running */
    char version[64];
    char command_line[1024];
};

struct report_counts {
    int64_t errors;    /* not baselined */
    int64_t warnings;  /* not baselined */
    int64_t baselined; /* hidden by the run's baseline */
    int64_t traces;
};

/* A source location; file is NULL when there is none. */
struct report_site {
    const char *file;
    const char *dir;
    const char *function;
    int64_t line;
    int64_t col;
};

struct report_finding {
    int64_t id;
    int64_t trace;
    const char *trace_path;
    const char *rule;
    const char *severity;
    const char *message;
    const char *hint;
    const char *line_text; /* NULL when the source was unreadable */
    const char *fingerprint;
    struct report_site site;
    int64_t count;
    int64_t first_seq;
    bool baselined;
};

struct report_note {
    int64_t position;
    const char *role;
    const char *message;
    struct report_site site;
};

struct report_trace {
    int64_t id;
    const char *path;
    const char *cmdline;
    const char *end_kind;
    int64_t end_code;
    bool unsealed_tail;
    int64_t events;
    const char *damage; /* NULL when read to its end */
    int64_t findings;   /* not baselined */
};

enum report_order {
    REPORT_BY_TRACE, /* trace, then the order findings first occurred */
    REPORT_BY_RULE,  /* rule id, file, line */
};

/* Which findings of the run to read, in what order. */
struct report_query {
    enum report_order order;
    bool with_baselined; /* also those the run's baseline accepted */
    int64_t trace;       /* only this trace's; 0: all */
    const char *rule;    /* only this rule's; NULL: all */
};

typedef int (*report_finding_fn)(struct report *r,
                                 const struct report_finding *f, void *ctx);
typedef int (*report_note_fn)(struct report *r, const struct report_note *n,
                              void *ctx);
typedef int (*report_trace_fn)(struct report *r, const struct report_trace *t,
                               void *ctx);
typedef int (*report_text_fn)(struct report *r, const char *text, void *ctx);

/* Make the temporary view report_findings, the table report_rules and
 * the SQL function pmc_uri_path on the connection (idempotent). Baselines
 * and the gate read findings through the view too. */
int report_attach(struct pmc_db *db, struct pmc_error *err);

int report_fail(struct report *r, const char *what);

int report_read_run(struct report *r, struct report_run *run);
int report_read_counts(struct report *r, struct report_counts *counts);

int report_each_finding(struct report *r, const struct report_query *q,
                        report_finding_fn fn, void *ctx);
int report_each_note(struct report *r, int64_t finding, report_note_fn fn,
                     void *ctx);
int report_each_trace(struct report *r, report_trace_fn fn, void *ctx);
/* The check's notes on a trace (what its results rest on), in order. */
int report_each_trace_note(struct report *r, int64_t trace, report_text_fn fn,
                           void *ctx);

/* The state a crash finding shows (report_crash.c). */
struct report_crash_state {
    char state_id[64];
    char outcome[16];
    char stderr_tail[2048];
    char options[512]; /* what rebuilds it: "--model adr --strategy ..." */
    char trace_path[1024];
};

/* found is false when the run recorded no failing state there (the
 * finding came from another run of the trace). */
int report_crash_state(struct report *r, int64_t finding,
                       struct report_crash_state *out, bool *found);

/* A crash run's totals over one trace (its shards added up). */
struct report_crash_run {
    const char *trace_path;
    const char *strategy;
    int64_t shards_present, shards;
    int64_t points, states, runs, duplicates, failures;
    const char *stopped; /* NULL: explored to the end */
    double seconds;
};

typedef int (*report_crash_run_fn)(struct report *r,
                                   const struct report_crash_run *c, void *ctx);
int report_each_crash_run(struct report *r, report_crash_run_fn fn, void *ctx);

/* "list.c:61:16" (parts that are 0 left out); "" without a file. */
void report_location(const struct report_site *site, char *buf, size_t size);

/* Run one SQL query whose single row and column is the whole JSON report
 * and write it to r->out with a final newline. */
int report_write_json_query(struct report *r, const char *sql);

/* The formats. */
int report_text(struct report *r);
int report_json(struct report *r);
int report_sarif(struct report *r);
int report_junit(struct report *r);
int report_html(struct report *r);

#endif /* PMC_REPORT_INTERNAL_H */
