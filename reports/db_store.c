/*
 * db_store.c - storing the findings of one checked trace (see db.h).
 *
 * Two steps. First, outside any transaction, everything that needs the
 * file system: each site's source line, from which come line_text, the
 * fingerprint and the fix hint. Then one write transaction records the
 * trace, links it to the run, replaces its findings under the run's
 * model and maps trace site ids to rows of `sites`. The lock is held
 * only while SQLite works, and a failure anywhere leaves the database as
 * it was.
 */
#include "db_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "hint.h"
#include "pmtrace_crc32c.h"
#include "pmtrace_format.h"
#include "rules.h"
#include "source.h"
#include "utf8.h"

#define HINT_SIZE 1024

/* A finding ready to be written: its sites resolved, its texts made. */
struct prepared {
    const struct pmc_finding *finding;
    const struct pmc_rule_info *rule;
    const struct pmc_site *site; /* NULL: none or unknown */
    const struct pmc_site *note_sites[PMC_MAX_NOTES];
    const char *line_text; /* NULL: source unreadable */
    char fingerprint[PMC_FINGERPRINT_SIZE];
    char hint[HINT_SIZE];
};

struct store {
    struct pmc_db *db;
    int64_t run_id;
    char model[16];
    char kind[16];
    const struct pmc_db_trace *trace;
    pmc_db_site_fn site_of;
    const void *site_ctx;
    const struct pmc_findings *set;
    struct pmc_source_cache *sources;
    struct prepared *prepared;
    size_t count;
    int64_t trace_id;
};

static const char *note_role_name(enum pmc_note_role role)
{
    switch (role) {
    case PMC_NOTE_STORE:
        return "store";
    case PMC_NOTE_FLUSH:
        return "flush";
    case PMC_NOTE_FENCE:
        return "fence";
    case PMC_NOTE_DURABILITY:
        return "durability";
    case PMC_NOTE_CRASH_POINT:
        return "crash-point";
    case PMC_NOTE_ASSERTION:
        return "assertion";
    case PMC_NOTE_LOAD:
        return "load";
    case PMC_NOTE_TX:
        return "tx";
    }
    return "related";
}

static const char *end_kind_name(uint32_t end_kind)
{
    return end_kind == PMT_END_EXIT     ? "exit"
           : end_kind == PMT_END_SIGNAL ? "signal"
                                        : "unknown";
}

/* Bind text that may not be UTF-8 (paths, messages from the trace). */
static int bind_utf8(sqlite3_stmt *stmt, int index, const char *text)
{
    if (text == NULL || pmc_utf8_valid(text))
        return db_bind_text(stmt, index, text);
    char *copy = strdup(text);
    if (copy == NULL)
        return SQLITE_NOMEM;
    pmc_utf8_fix(copy);
    int rc = db_bind_text(stmt, index, copy);
    free(copy);
    return rc;
}

static const struct pmc_site *site_of(struct store *s, uint32_t id)
{
    return id == 0 ? NULL : s->site_of(s->site_ctx, id);
}

static const char *line_of(struct store *s, const struct pmc_site *site)
{
    if (site == NULL)
        return NULL;
    return pmc_source_line(s->sources, site->file, site->dir, site->line);
}

static void hint_site(struct store *s, const struct pmc_site *site,
                      struct pmc_hint_site *out)
{
    out->known = site != NULL;
    out->file = site != NULL ? site->file : "";
    out->line = site != NULL ? site->line : 0;
    out->line_text = line_of(s, site);
}

static void prepare_hint(struct store *s, struct prepared *p)
{
    const struct pmc_finding *f = p->finding;
    struct pmc_hint_input in = {
        .rule = f->rule,
        .eadr = strcmp(s->model, "eadr") == 0,
        .len = f->len,
        .commit_var = f->declared_commit_var != 0,
        .nnotes = f->nnotes < PMC_MAX_NOTES ? f->nnotes : PMC_MAX_NOTES,
    };
    hint_site(s, p->site, &in.site);
    for (size_t i = 0; i < in.nnotes; i++) {
        in.notes[i].role = f->notes[i].role;
        hint_site(s, p->note_sites[i], &in.notes[i].site);
    }
    pmc_hint_compose(&in, p->hint, sizeof(p->hint));
}

static int prepare_one(struct store *s, const struct pmc_finding *f,
                       struct prepared *p, struct pmc_error *err)
{
    if ((unsigned)f->rule >= PMC_RULE_COUNT)
        return pmc_error_set(err, "%s: a finding has unknown rule %u",
                             s->trace->path, (unsigned)f->rule);
    p->finding = f;
    p->rule = pmc_rule_info(f->rule);
    p->site = site_of(s, f->site);
    for (uint32_t i = 0; i < f->nnotes && i < PMC_MAX_NOTES; i++)
        p->note_sites[i] = site_of(s, f->notes[i].site);
    p->line_text = line_of(s, p->site);
    /* A finding about a pair of sites is identified by both. */
    const struct pmc_site *sites[2] = {p->site, site_of(s, f->key_site)};
    struct pmc_fingerprint_site fp[2];
    size_t n = f->key_site != 0 ? 2 : 1;
    for (size_t i = 0; i < n; i++)
        fp[i] = (struct pmc_fingerprint_site){
            .file = sites[i] ? sites[i]->file : "",
            .dir = sites[i] ? sites[i]->dir : "",
            .function = sites[i] ? sites[i]->function : "",
            .line_text = i == 0 ? p->line_text : line_of(s, sites[i]),
            .line = sites[i] ? sites[i]->line : 0,
        };
    pmc_fingerprint_sites(p->rule->id, fp, n, p->fingerprint);
    prepare_hint(s, p);
    return 0;
}

static int prepare_all(struct store *s, struct pmc_error *err)
{
    s->count = pmc_findings_count(s->set);
    s->prepared = calloc(s->count ? s->count : 1, sizeof(*s->prepared));
    s->sources = pmc_source_cache_new();
    if (s->prepared == NULL || s->sources == NULL)
        return pmc_error_errno(err, ENOMEM, "%s: storing findings",
                               pmc_db_path(s->db));
    for (size_t i = 0; i < s->count; i++)
        if (prepare_one(s, pmc_findings_get(s->set, i), &s->prepared[i], err) <
            0)
            return -1;
    return 0;
}

void db_cmdline_hash(const char *cmdline, char out[16])
{
    snprintf(out, 16, "%08" PRIx32, pmt_crc32c(0, cmdline, strlen(cmdline)));
}

static int write_trace(struct store *s, struct pmc_error *err)
{
    const struct pmc_db_trace *t = s->trace;
    const char *cmdline = t->cmdline != NULL ? t->cmdline : "";
    char hash[16];
    db_cmdline_hash(cmdline, hash);
    sqlite3_stmt *stmt;
    if (db_prepare(s->db,
                   "INSERT INTO traces (pid, start_ns, cmdline_hash, path, "
                   "size, cmdline, end_kind, end_code, unsealed_tail, "
                   "events, damage) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                   "?9, ?10, ?11) ON CONFLICT (pid, start_ns, cmdline_hash) "
                   "DO UPDATE SET path = excluded.path, size = excluded.size,"
                   " end_kind = excluded.end_kind, end_code = "
                   "excluded.end_code, unsealed_tail = "
                   "excluded.unsealed_tail, events = excluded.events, "
                   "damage = excluded.damage RETURNING id",
                   &stmt, err) < 0)
        return -1;
    sqlite3_bind_int64(stmt, 1, (int64_t)t->pid);
    sqlite3_bind_int64(stmt, 2, (int64_t)t->start_ns);
    db_bind_text(stmt, 3, hash);
    bind_utf8(stmt, 4, t->path != NULL ? t->path : "");
    sqlite3_bind_int64(stmt, 5, (int64_t)t->size);
    bind_utf8(stmt, 6, cmdline);
    db_bind_text(stmt, 7, end_kind_name(t->end_kind));
    if (t->end_kind == PMT_END_EXIT || t->end_kind == PMT_END_SIGNAL)
        sqlite3_bind_int(stmt, 8, t->end_code);
    sqlite3_bind_int(stmt, 9, t->unsealed_tail);
    sqlite3_bind_int64(stmt, 10, (int64_t)t->events);
    bind_utf8(stmt, 11, t->damage);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        s->trace_id = sqlite3_column_int64(stmt, 0);
    else
        db_fail(s->db, err, "recording the trace");
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? 0 : -1;
}

/* The check's notes on the trace replace those of an earlier check. */
static int write_trace_notes(struct store *s, struct pmc_error *err)
{
    sqlite3_stmt *forget, *add;
    if (db_prepare(s->db, "DELETE FROM trace_notes WHERE trace = ?1", &forget,
                   err) < 0)
        return -1;
    if (db_prepare(s->db,
                   "INSERT INTO trace_notes (trace, position, message) "
                   "VALUES (?1, ?2, ?3)",
                   &add, err) < 0) {
        sqlite3_finalize(forget);
        return -1;
    }
    sqlite3_bind_int64(forget, 1, s->trace_id);
    int rc = db_step_done(s->db, forget, "replacing trace notes", err);
    for (unsigned i = 0; i < s->trace->nnotes && rc == 0; i++) {
        sqlite3_bind_int64(add, 1, s->trace_id);
        sqlite3_bind_int64(add, 2, i + 1);
        bind_utf8(add, 3, s->trace->notes[i]);
        rc = db_step_done(s->db, add, "recording a trace note", err);
    }
    sqlite3_finalize(forget);
    sqlite3_finalize(add);
    return rc;
}

/* Link the run to the trace and forget the trace's earlier findings under
 * this model of this kind of run (notes go with them: ON DELETE CASCADE):
 * a crash run replaces crash findings, a check run the others. */
static int replace_findings(struct store *s, struct pmc_error *err)
{
    sqlite3_stmt *link, *forget;
    if (db_prepare(s->db,
                   "INSERT OR IGNORE INTO run_traces (run, trace) "
                   "VALUES (?1, ?2)",
                   &link, err) < 0)
        return -1;
    if (db_prepare(s->db,
                   "DELETE FROM findings WHERE trace = ?1 AND model = ?2 "
                   "AND (rule IN " DB_CRASH_RULES ") = (?3 = 'crash')",
                   &forget, err) < 0) {
        sqlite3_finalize(link);
        return -1;
    }
    sqlite3_bind_int64(link, 1, s->run_id);
    sqlite3_bind_int64(link, 2, s->trace_id);
    sqlite3_bind_int64(forget, 1, s->trace_id);
    db_bind_text(forget, 2, s->model);
    db_bind_text(forget, 3, s->kind);
    int rc = db_step_done(s->db, link, "linking the trace to the run", err);
    if (rc == 0)
        rc = db_step_done(s->db, forget, "replacing findings", err);
    sqlite3_finalize(link);
    sqlite3_finalize(forget);
    return rc;
}

/* The statements used for every finding, prepared once per store. */
struct writers {
    sqlite3_stmt *site;
    sqlite3_stmt *finding;
    sqlite3_stmt *note;
};

static void writers_finalize(struct writers *w)
{
    sqlite3_finalize(w->site);
    sqlite3_finalize(w->finding);
    sqlite3_finalize(w->note);
}

static int writers_prepare(struct pmc_db *db, struct writers *w,
                           struct pmc_error *err)
{
    memset(w, 0, sizeof(*w));
    /* A no-op update on conflict makes RETURNING give the existing row. */
    if (db_prepare(db,
                   "INSERT INTO sites (file, dir, line, col, function) "
                   "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (file, dir, "
                   "line, col, function) DO UPDATE SET line = excluded.line "
                   "RETURNING id",
                   &w->site, err) < 0 ||
        db_prepare(db,
                   "INSERT INTO findings (trace, model, rule, severity, "
                   "site, message, hint, count, first_seq, region, "
                   "region_offset, region_len, line_text, fingerprint) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                   "?12, ?13, ?14)",
                   &w->finding, err) < 0 ||
        db_prepare(db,
                   "INSERT INTO notes (finding, position, role, site, "
                   "message) VALUES (?1, ?2, ?3, ?4, ?5)",
                   &w->note, err) < 0) {
        writers_finalize(w);
        return -1;
    }
    return 0;
}

/* The sites row of a trace site; 0 with no site. */
static int write_site(struct store *s, struct writers *w,
                      const struct pmc_site *site, int64_t *id,
                      struct pmc_error *err)
{
    *id = 0;
    if (site == NULL)
        return 0;
    bind_utf8(w->site, 1, site->file);
    bind_utf8(w->site, 2, site->dir);
    sqlite3_bind_int64(w->site, 3, site->line);
    sqlite3_bind_int64(w->site, 4, site->column);
    bind_utf8(w->site, 5, site->function);
    int rc = sqlite3_step(w->site);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(w->site, 0);
    else
        db_fail(s->db, err, "recording a source site");
    sqlite3_reset(w->site);
    return rc == SQLITE_ROW ? 0 : -1;
}

static void bind_site(sqlite3_stmt *stmt, int index, int64_t site_id)
{
    if (site_id != 0)
        sqlite3_bind_int64(stmt, index, site_id);
    else
        sqlite3_bind_null(stmt, index);
}

static int write_notes(struct store *s, struct writers *w,
                       const struct prepared *p, int64_t finding_id,
                       struct pmc_error *err)
{
    const struct pmc_finding *f = p->finding;
    for (uint32_t i = 0; i < f->nnotes && i < PMC_MAX_NOTES; i++) {
        int64_t site_id;
        if (write_site(s, w, p->note_sites[i], &site_id, err) < 0)
            return -1;
        sqlite3_bind_int64(w->note, 1, finding_id);
        sqlite3_bind_int64(w->note, 2, i + 1);
        db_bind_text(w->note, 3, note_role_name(f->notes[i].role));
        bind_site(w->note, 4, site_id);
        bind_utf8(w->note, 5, f->notes[i].message);
        if (db_step_done(s->db, w->note, "recording a note", err) < 0)
            return -1;
    }
    return 0;
}

static int write_finding(struct store *s, struct writers *w,
                         const struct prepared *p, struct pmc_error *err)
{
    const struct pmc_finding *f = p->finding;
    int64_t site_id;
    if (write_site(s, w, p->site, &site_id, err) < 0)
        return -1;
    sqlite3_stmt *st = w->finding;
    sqlite3_bind_int64(st, 1, s->trace_id);
    db_bind_text(st, 2, s->model);
    db_bind_text(st, 3, p->rule->id);
    db_bind_text(st, 4, pmc_severity_name(p->rule->severity));
    bind_site(st, 5, site_id);
    bind_utf8(st, 6, f->message[0] != '\0' ? f->message : p->rule->description);
    bind_utf8(st, 7, p->hint);
    sqlite3_bind_int64(st, 8, (int64_t)f->count);
    sqlite3_bind_int64(st, 9, (int64_t)f->first_seq);
    sqlite3_bind_int64(st, 10, f->region);
    sqlite3_bind_int64(st, 11, (int64_t)f->offset);
    sqlite3_bind_int64(st, 12, (int64_t)f->len);
    db_bind_text(st, 13, p->line_text);
    db_bind_text(st, 14, p->fingerprint);
    if (db_step_done(s->db, st, "recording a finding", err) < 0)
        return -1;
    return write_notes(s, w, p, sqlite3_last_insert_rowid(s->db->sql), err);
}

static int write_all(struct store *s, struct pmc_error *err)
{
    struct writers w;
    if (write_trace(s, err) < 0 || write_trace_notes(s, err) < 0 ||
        replace_findings(s, err) < 0 || writers_prepare(s->db, &w, err) < 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < s->count && rc == 0; i++)
        rc = write_finding(s, &w, &s->prepared[i], err);
    writers_finalize(&w);
    return rc;
}

int pmc_db_store_results(struct pmc_db *db, int64_t run_id,
                         const struct pmc_db_trace *trace,
                         pmc_db_site_fn site_fn, const void *site_ctx,
                         const struct pmc_findings *set, struct pmc_error *err)
{
    struct store s = {
        .db = db,
        .run_id = run_id,
        .trace = trace,
        .site_of = site_fn,
        .site_ctx = site_ctx,
        .set = set,
    };
    int rc = -1;
    if (db_run_model(db, run_id, s.model, sizeof(s.model), err) == 0 &&
        db_run_kind(db, run_id, s.kind, sizeof(s.kind), err) == 0 &&
        prepare_all(&s, err) == 0 && db_begin_write(db, err) == 0) {
        rc = write_all(&s, err);
        if (rc == 0)
            rc = db_commit(db, err);
        else
            db_rollback(db);
    }
    pmc_source_cache_free(s.sources);
    free(s.prepared);
    return rc;
}

static const struct pmc_site *trace_site(const void *ctx, uint32_t id)
{
    return pmc_trace_site((const struct pmc_trace *)ctx, id);
}

int pmc_db_store_findings(struct pmc_db *db, int64_t run_id,
                          struct pmc_trace *t,
                          const struct pmc_check_stats *stats,
                          const char *damage, const struct pmc_findings *set,
                          struct pmc_error *err)
{
    const struct pmc_trace_info *info = pmc_trace_info(t);
    const char *notes[PMC_CHECK_MAX_NOTES];
    unsigned nnotes = 0;
    for (; stats != NULL && nnotes < stats->nnotes &&
           nnotes < PMC_CHECK_MAX_NOTES;
         nnotes++)
        notes[nnotes] = stats->notes[nnotes];
    struct pmc_db_trace trace = {
        .pid = info->pid,
        .start_ns = info->start_ns,
        .cmdline = info->cmdline,
        .path = pmc_trace_path(t),
        .size = info->file_size,
        .end_kind = info->end_kind,
        .end_code = info->end_code,
        .unsealed_tail = info->unsealed_tail,
        .events = stats != NULL ? stats->model.events : 0,
        .damage = damage,
        .notes = notes,
        .nnotes = nnotes,
    };
    return pmc_db_store_results(db, run_id, &trace, trace_site, t, set, err);
}
