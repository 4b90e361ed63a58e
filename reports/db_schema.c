/*
 * db_schema.c - the tables of the results database and their version.
 *
 * docs/results-schema.md documents every column; a change here changes
 * that file and PMC_DB_SCHEMA_VERSION in the same commit, and adds the
 * step that upgrades an older database.
 */
#include "db_internal.h"

static const char schema_v1[] =
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  started TEXT NOT NULL,"
    "  finished TEXT,"
    "  command_line TEXT NOT NULL,"
    "  version TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('check', 'crash')),"
    "  model TEXT NOT NULL CHECK (model IN ('adr', 'eadr')),"
    "  status TEXT NOT NULL CHECK (status IN"
    "    ('running', 'complete', 'input-error', 'failed')),"
    "  exit_code INTEGER"
    ");"
    "CREATE TABLE traces ("
    "  id INTEGER PRIMARY KEY,"
    "  pid INTEGER NOT NULL,"
    "  start_ns INTEGER NOT NULL,"
    "  cmdline_hash TEXT NOT NULL,"
    "  path TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  cmdline TEXT NOT NULL,"
    "  end_kind TEXT NOT NULL CHECK (end_kind IN ('exit', 'signal', "
    "'unknown')),"
    "  end_code INTEGER,"
    "  unsealed_tail INTEGER NOT NULL,"
    "  events INTEGER NOT NULL,"
    "  damage TEXT,"
    "  UNIQUE (pid, start_ns, cmdline_hash)"
    ");"
    "CREATE TABLE trace_notes ("
    "  trace INTEGER NOT NULL REFERENCES traces (id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  message TEXT NOT NULL,"
    "  PRIMARY KEY (trace, position)"
    ") WITHOUT ROWID;"
    "CREATE TABLE run_traces ("
    "  run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  trace INTEGER NOT NULL REFERENCES traces (id) ON DELETE CASCADE,"
    "  PRIMARY KEY (run, trace)"
    ") WITHOUT ROWID;"
    "CREATE TABLE sites ("
    "  id INTEGER PRIMARY KEY,"
    "  file TEXT NOT NULL,"
    "  dir TEXT NOT NULL,"
    "  line INTEGER NOT NULL,"
    "  col INTEGER NOT NULL,"
    "  function TEXT NOT NULL,"
    "  UNIQUE (file, dir, line, col, function)"
    ");"
    "CREATE TABLE findings ("
    "  id INTEGER PRIMARY KEY,"
    "  trace INTEGER NOT NULL REFERENCES traces (id) ON DELETE CASCADE,"
    "  model TEXT NOT NULL,"
    "  rule TEXT NOT NULL,"
    "  severity TEXT NOT NULL CHECK (severity IN ('error', 'warning')),"
    "  site INTEGER REFERENCES sites (id),"
    "  message TEXT NOT NULL,"
    "  hint TEXT NOT NULL,"
    "  count INTEGER NOT NULL,"
    "  first_seq INTEGER NOT NULL,"
    "  region INTEGER NOT NULL,"
    "  region_offset INTEGER NOT NULL,"
    "  region_len INTEGER NOT NULL,"
    "  line_text TEXT,"
    "  fingerprint TEXT NOT NULL"
    ");"
    "CREATE INDEX findings_of_trace ON findings (trace, model);"
    "CREATE TABLE notes ("
    "  finding INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  role TEXT NOT NULL,"
    "  site INTEGER REFERENCES sites (id),"
    "  message TEXT NOT NULL,"
    "  PRIMARY KEY (finding, position)"
    ") WITHOUT ROWID;"
    "CREATE TABLE crash_states ("
    "  id INTEGER PRIMARY KEY,"
    "  run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  trace INTEGER NOT NULL REFERENCES traces (id) ON DELETE CASCADE,"
    "  state_id TEXT NOT NULL,"
    "  crash_site INTEGER REFERENCES sites (id),"
    "  outcome TEXT NOT NULL,"
    "  image_hash TEXT,"
    "  stderr_tail TEXT,"
    "  duration REAL,"
    "  UNIQUE (run, trace, state_id)"
    ");"
    "CREATE TABLE run_baseline ("
    "  run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  fingerprint TEXT NOT NULL,"
    "  PRIMARY KEY (run, fingerprint)"
    ") WITHOUT ROWID;"
    "PRAGMA user_version = 1;";

/*
 * Version 2: what `pmcheck crash` records. Each crash state row gains its
 * ordinal in the enumeration, the exit status or signal, the state it
 * duplicates and the faults injected; crash_runs keeps, per run and
 * shard, the options that rebuild its states and its totals.
 */
static const char upgrade_v2[] =
    "ALTER TABLE crash_states ADD COLUMN ordinal INTEGER;"
    "ALTER TABLE crash_states ADD COLUMN code INTEGER;"
    "ALTER TABLE crash_states ADD COLUMN duplicate_of TEXT;"
    "ALTER TABLE crash_states ADD COLUMN faults TEXT;"
    "CREATE INDEX crash_states_by_site ON crash_states (run, crash_site);"
    "CREATE TABLE crash_runs ("
    "  run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  shard INTEGER NOT NULL,"
    "  shards INTEGER NOT NULL,"
    "  trace INTEGER NOT NULL REFERENCES traces (id) ON DELETE CASCADE,"
    "  recover TEXT NOT NULL,"
    "  strategy TEXT NOT NULL,"
    "  seed INTEGER NOT NULL,"
    "  options TEXT NOT NULL,"
    "  config TEXT NOT NULL,"
    "  points INTEGER NOT NULL DEFAULT 0,"
    "  states INTEGER NOT NULL DEFAULT 0,"
    "  runs INTEGER NOT NULL DEFAULT 0,"
    "  duplicates INTEGER NOT NULL DEFAULT 0,"
    "  failures INTEGER NOT NULL DEFAULT 0,"
    "  skipped INTEGER NOT NULL DEFAULT 0,"
    "  stopped TEXT,"
    "  seconds REAL,"
    "  fork_server INTEGER,"
    "  PRIMARY KEY (run, shard)"
    ") WITHOUT ROWID;"
    "PRAGMA user_version = 2;";

static int read_version(struct pmc_db *db, int *version, struct pmc_error *err)
{
    sqlite3_stmt *stmt;
    if (db_prepare(db, "PRAGMA user_version", &stmt, err) < 0)
        return -1;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        return db_fail(db, err, "reading the schema version");
    return 0;
}

/*
 * The version is read and the tables created inside one write
 * transaction, so two processes opening a new database at once create
 * the schema exactly once.
 */
int db_schema_ensure(struct pmc_db *db, struct pmc_error *err)
{
    int version = 0;
    if (db_begin_write(db, err) < 0)
        return -1;
    if (read_version(db, &version, err) < 0)
        goto fail;
    if (version > PMC_DB_SCHEMA_VERSION) {
        pmc_error_set(err,
                      "%s: the database has schema version %d, made by a "
                      "newer pmcheck; this pmcheck knows version %d",
                      db->path, version, PMC_DB_SCHEMA_VERSION);
        goto fail;
    }
    if (version == 0 && db_exec(db, schema_v1, "creating tables", err) < 0)
        goto fail;
    if (version < 2 &&
        db_exec(db, upgrade_v2, "upgrading to schema version 2", err) < 0)
        goto fail;
    return db_commit(db, err);
fail:
    db_rollback(db);
    return -1;
}
