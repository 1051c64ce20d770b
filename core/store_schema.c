/*
 * store_schema.c - the history store's schema as a list of forward
 * migrations.  Entry N takes a database from user_version N to N + 1 in
 * its own transaction, so a crash mid-way leaves a database at a
 * version we know.  To change the schema, append one entry and bump
 * STORE_SCHEMA_VERSION in store.h; never edit a released entry.
 */
#include "config.h"

#include <stdio.h>

#include "log.h"
#include "store_int.h"

static const char *const store_migrations[] = {
    /* 0 -> 1: the initial schema. */
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  host TEXT,"
    "  profile TEXT,"
    "  profile_hash TEXT,"
    "  version TEXT,"
    "  started_ns INTEGER NOT NULL,"
    "  ended_ns INTEGER,"   /* NULL while running */
    "  exit_status INTEGER" /* NULL while running */
    ");"
    "CREATE TABLE series ("
    "  id INTEGER PRIMARY KEY,"
    "  target TEXT NOT NULL,"
    "  probe TEXT NOT NULL,"
    "  metric TEXT NOT NULL,"
    "  UNIQUE (target, probe, metric)"
    ");"
    "CREATE TABLE samples ("
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  series_id INTEGER NOT NULL REFERENCES series (id),"
    "  value REAL," /* NULL when lost */
    "  wall_ns INTEGER NOT NULL,"
    "  mono_ns INTEGER NOT NULL,"
    "  flags INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX samples_series_wall ON samples (series_id, wall_ns);"
    "CREATE INDEX samples_run ON samples (run_id);"
    "CREATE VIEW samples_v AS"
    "  SELECT s.run_id, se.target, se.probe, se.metric, s.value,"
    "         s.wall_ns, s.mono_ns, s.flags"
    "  FROM samples s JOIN series se ON se.id = s.series_id;"
    "CREATE TABLE paths ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  target TEXT NOT NULL,"
    "  probe TEXT NOT NULL,"
    "  wall_ns INTEGER NOT NULL,"
    "  complete INTEGER NOT NULL,"
    "  n_hops INTEGER NOT NULL"
    ");"
    "CREATE INDEX paths_run ON paths (run_id, wall_ns);"
    "CREATE TABLE hops ("
    "  path_id INTEGER NOT NULL REFERENCES paths (id) ON DELETE CASCADE,"
    "  ttl INTEGER NOT NULL,"
    "  addr TEXT,"   /* NULL: no answer */
    "  rtt_ms REAL," /* NULL: no answer */
    "  loss_pct REAL,"
    "  flags INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX hops_path ON hops (path_id, ttl);"
    "CREATE TABLE speedtests ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  provider TEXT NOT NULL,"
    "  target TEXT,"
    "  wall_ns INTEGER NOT NULL,"
    "  download_bps REAL," /* NULL: not run */
    "  upload_bps REAL,"
    "  latency_ms REAL,"
    "  jitter_ms REAL,"
    "  bytes_down INTEGER NOT NULL DEFAULT 0,"
    "  bytes_up INTEGER NOT NULL DEFAULT 0,"
    "  status INTEGER NOT NULL DEFAULT 0,"
    "  error TEXT"
    ");"
    "CREATE INDEX speedtests_run ON speedtests (run_id, wall_ns);"
    "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  source TEXT NOT NULL,"
    "  target TEXT," /* NULL: host-wide */
    "  type TEXT NOT NULL,"
    "  severity INTEGER NOT NULL,"
    "  score REAL,"
    "  message TEXT,"
    "  wall_ns INTEGER NOT NULL"
    ");"
    "CREATE INDEX events_run ON events (run_id, wall_ns);",
};

_Static_assert(sizeof(store_migrations) / sizeof(store_migrations[0]) ==
                   STORE_SCHEMA_VERSION,
               "one migration per schema version");

int store_fail(const char *path, sqlite3 *db, const char *what,
               const char *hint)
{
  log_error("store", "%s: %s: %s; %s", path, what,
            db ? sqlite3_errmsg(db) : "out of memory", hint);
  return BN_EIO;
}

int store_schema_read_version(sqlite3 *db, const char *path, int *version)
{
  sqlite3_stmt *st = NULL;
  int rc = BN_OK;

  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
          SQLITE_OK ||
      sqlite3_step(st) != SQLITE_ROW) {
    rc = store_fail(path, db, "cannot read the schema version",
                    "is it a bottleneck history database? move it aside "
                    "or choose another path");
    goto out;
  }
  *version = sqlite3_column_int(st, 0);
out:
  sqlite3_finalize(st);
  return rc;
}

/* Number of schema objects; a database at version 0 must have none, or
 * it is someone else's file and we must not write into it. */
static int store_schema_objects(sqlite3 *db, const char *path, int *n)
{
  sqlite3_stmt *st = NULL;
  int rc = BN_OK;

  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st,
                         NULL) != SQLITE_OK ||
      sqlite3_step(st) != SQLITE_ROW) {
    rc = store_fail(path, db, "cannot read the schema",
                    "is it a bottleneck history database?");
    goto out;
  }
  *n = sqlite3_column_int(st, 0);
out:
  sqlite3_finalize(st);
  return rc;
}

/* Apply migration `from` -> from + 1 in its own transaction.  The
 * version is read again under the write lock: another process may have
 * migrated the file since we looked. */
static int store_schema_step(sqlite3 *db, const char *path, int from)
{
  char sql[64];
  int cur = -1, rc;

  if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    return store_fail(path, db, "cannot start the schema migration",
                      "is another program holding the database?");
  rc = store_schema_check(db, path, &cur);
  if (rc < 0 || cur != from)
    goto out;
  if (sqlite3_exec(db, store_migrations[from], NULL, NULL, NULL) !=
      SQLITE_OK) {
    rc = store_fail(path, db, "schema migration failed",
                    "please report this as a bug");
    goto out;
  }
  snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", from + 1);
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
    rc = store_fail(path, db, "cannot commit the schema migration",
                    "check free disk space and permissions");
    goto out;
  }
  log_info("store", "%s: migrated schema from version %d to %d", path, from,
           from + 1);
  return BN_OK;
out:
  sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

int store_schema_check(sqlite3 *db, const char *path, int *version)
{
  int v = 0, nobj = 0, rc;

  rc = store_schema_read_version(db, path, &v);
  if (rc < 0)
    return rc;
  if (v > STORE_SCHEMA_VERSION) {
    log_error("store",
              "%s: schema version %d is newer than this bottleneck "
              "supports (%d); upgrade bottleneck",
              path, v, STORE_SCHEMA_VERSION);
    return BN_ENOTSUP;
  }
  if (v < 0) {
    log_error("store", "%s: invalid schema version %d; choose another path",
              path, v);
    return BN_EINVAL;
  }
  if (v == 0) {
    rc = store_schema_objects(db, path, &nobj);
    if (rc < 0)
      return rc;
    if (nobj > 0) {
      log_error("store",
                "%s: not a bottleneck history database (it has tables "
                "but no schema version); choose another path",
                path);
      return BN_EINVAL;
    }
  }
  *version = v;
  return BN_OK;
}

int store_schema_migrate(sqlite3 *db, const char *path, int *version)
{
  int v = 0, rc;

  rc = store_schema_check(db, path, &v);
  while (rc == BN_OK && v < STORE_SCHEMA_VERSION) {
    rc = store_schema_step(db, path, v);
    /* check again: another process may have migrated meanwhile */
    if (rc == BN_OK)
      rc = store_schema_check(db, path, &v);
  }
  if (rc < 0)
    return rc;
  *version = v;
  return BN_OK;
}
