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

    /* 1 -> 2: path sets with mtr-style hop statistics and path changes;
     * speed tests with loaded latency and every attempt; pre-flight
     * checks recorded with the run. */
    "CREATE TABLE path_sets ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  target TEXT NOT NULL,"
    "  probe TEXT NOT NULL,"
    "  mode TEXT,"
    "  wall_ns INTEGER NOT NULL,"
    "  set_hash TEXT NOT NULL," /* hash of the sorted distinct path hashes */
    "  n_paths INTEGER NOT NULL"
    ");"
    "CREATE INDEX path_sets_target ON path_sets (target, probe, wall_ns);"
    "CREATE INDEX path_sets_run ON path_sets (run_id, wall_ns);"
    "ALTER TABLE paths ADD COLUMN set_id INTEGER"
    "  REFERENCES path_sets (id) ON DELETE CASCADE;"
    "ALTER TABLE paths ADD COLUMN flow_id INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE paths ADD COLUMN status INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE paths ADD COLUMN path_hash TEXT;" /* ordered hop addrs */
    "CREATE INDEX paths_set ON paths (set_id);"
    /* hops.rtt_ms keeps the mean RTT; the rest are the mtr columns. */
    "ALTER TABLE hops ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE hops ADD COLUMN received INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE hops ADD COLUMN last_ms REAL;"
    "ALTER TABLE hops ADD COLUMN best_ms REAL;"
    "ALTER TABLE hops ADD COLUMN worst_ms REAL;"
    "ALTER TABLE hops ADD COLUMN stddev_ms REAL;"
    /* One row per difference between a path set and the previous one of
     * the same target and probe; the matching event holds the summary. */
    "CREATE TABLE path_changes ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  set_id INTEGER NOT NULL REFERENCES path_sets (id) ON DELETE CASCADE,"
    "  prev_set_id INTEGER REFERENCES path_sets (id) ON DELETE SET NULL,"
    "  target TEXT NOT NULL,"
    "  kind TEXT NOT NULL," /* added, removed, changed, rtt_shift, set */
    "  flow_id INTEGER,"
    "  ttl INTEGER,"
    "  old_addr TEXT,"
    "  new_addr TEXT,"
    "  old_rtt_ms REAL,"
    "  new_rtt_ms REAL,"
    "  wall_ns INTEGER NOT NULL"
    ");"
    "CREATE INDEX path_changes_set ON path_changes (set_id);"
    "ALTER TABLE speedtests ADD COLUMN server TEXT;"
    "ALTER TABLE speedtests ADD COLUMN streams INTEGER;"
    "ALTER TABLE speedtests ADD COLUMN loaded_down_ms REAL;"
    "ALTER TABLE speedtests ADD COLUMN loaded_up_ms REAL;"
    "ALTER TABLE speedtests ADD COLUMN bufferbloat TEXT;" /* grade A+..F */
    "ALTER TABLE speedtests ADD COLUMN loss_pct REAL;"
    "ALTER TABLE speedtests ADD COLUMN udp_jitter_ms REAL;"
    "ALTER TABLE speedtests ADD COLUMN down_ns INTEGER;"
    "ALTER TABLE speedtests ADD COLUMN up_ns INTEGER;"
    "ALTER TABLE speedtests ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;"
    "CREATE TABLE speedtest_attempts ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  speedtest_id INTEGER REFERENCES speedtests (id) ON DELETE CASCADE,"
    "  provider TEXT NOT NULL,"
    "  server TEXT,"
    "  attempt INTEGER NOT NULL," /* 1, 2, ... over the whole failover */
    "  wall_ns INTEGER NOT NULL,"
    "  duration_ns INTEGER,"
    "  status INTEGER NOT NULL,"
    "  error TEXT"
    ");"
    "CREATE INDEX speedtest_attempts_run ON speedtest_attempts (run_id);"
    "CREATE TABLE checks ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"   /* dns, gateway, mtu ... */
    "  target TEXT,"          /* NULL: host-wide */
    "  status TEXT NOT NULL," /* pass, warn, fail */
    "  reason TEXT,"
    "  value REAL,"
    "  wall_ns INTEGER NOT NULL"
    ");"
    "CREATE INDEX checks_run ON checks (run_id);",
    /* 2 -> 3: per-minute rollups (store_rollup.c), filled from the
     * samples already stored; the path counts of a set change.  Jitter pairs
     * each received value with the previous received one of its series and
     * run. */
    "CREATE TABLE rollups ("
    "  series_id INTEGER NOT NULL REFERENCES series (id),"
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  minute INTEGER NOT NULL," /* wall time / 60 s */
    "  sent INTEGER NOT NULL,"
    "  lost INTEGER NOT NULL,"
    "  invalid INTEGER NOT NULL,"
    "  late INTEGER NOT NULL,"
    "  dup INTEGER NOT NULL,"
    "  n INTEGER NOT NULL," /* received values */
    "  sum REAL NOT NULL,"
    "  sumsq REAL NOT NULL,"
    "  min REAL,"
    "  max REAL,"
    "  jit_sum REAL NOT NULL,"
    "  jit_n INTEGER NOT NULL,"
    "  hist BLOB," /* hist.h sketch of the received values */
    "  PRIMARY KEY (series_id, run_id, minute)"
    ") WITHOUT ROWID;"
    "CREATE INDEX rollups_minute ON rollups (minute);"
    /* a "set" change: how many distinct paths before and after */
    "ALTER TABLE path_changes ADD COLUMN old_paths INTEGER;"
    "ALTER TABLE path_changes ADD COLUMN new_paths "
    "INTEGER;" STORE_ROLLUP_BACKFILL ";",
    /* 3 -> 4: what each probe instance's metrics mean (SDK 3.0 metric
     * declarations), so that reports and detectors select series by
     * role.  Each run records the declarations of its probes.  Series
     * stored before this version get the role their name's unit suffix
     * gave under SDK 2 (docs/metrics.md of that time: _ms a time, _pct a
     * percentage, _bps a rate); the first run of the same probe instance
     * replaces it with the plugin's own declaration. */
    "CREATE TABLE metrics ("
    "  probe TEXT NOT NULL," /* probe instance name, as series.probe */
    "  metric TEXT NOT NULL,"
    "  unit TEXT NOT NULL,"
    "  role TEXT NOT NULL," /* latency, loss, jitter, throughput ... */
    "  agg TEXT NOT NULL,"  /* distribution, mean, sum, last, max */
    "  flags INTEGER NOT NULL DEFAULT 0," /* bn_metric_flag bits */
    "  help TEXT,"
    "  PRIMARY KEY (probe, metric)"
    ") WITHOUT ROWID;"
    "INSERT OR IGNORE INTO metrics (probe, metric, unit, role, agg) "
    "SELECT DISTINCT probe, metric,"
    "  CASE WHEN metric LIKE '%\\_ms' ESCAPE '\\' THEN 'ms'"
    "       WHEN metric LIKE '%\\_pct' ESCAPE '\\' THEN 'percent'"
    "       WHEN metric LIKE '%\\_bps' ESCAPE '\\' THEN 'bit/s' ELSE '1' END,"
    "  CASE WHEN metric LIKE '%\\_ms' ESCAPE '\\' THEN 'latency'"
    "       WHEN metric LIKE '%\\_pct' ESCAPE '\\' THEN 'loss'"
    "       WHEN metric LIKE '%\\_bps' ESCAPE '\\' THEN 'throughput'"
    "       ELSE 'gauge' END,"
    "  CASE WHEN metric LIKE '%\\_ms' ESCAPE '\\' THEN 'distribution'"
    "       ELSE 'mean' END "
    "FROM series;",
    /* 4 -> 5: rollup sketches with a 1 % relative error (hist.h) */
    STORE_MIGRATE_SKETCH ";",
    /* 5 -> 6: anomaly episodes (SDK 3.1 emit_episode): one row per
     * episode of a detector instance in a run, replaced as it rises and
     * closes; end_ns NULL while it is open. */
    "CREATE TABLE episodes ("
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  source TEXT NOT NULL," /* detector instance */
    "  id INTEGER NOT NULL,"  /* episode number within the instance */
    "  target TEXT,"
    "  start_ns INTEGER NOT NULL,"
    "  end_ns INTEGER,"         /* NULL while open */
    "  level INTEGER NOT NULL," /* bn_severity of the peak */
    "  severity TEXT NOT NULL," /* the detector's name of the peak */
    "  peak REAL,"              /* peak confidence 0..1 */
    "  dominant TEXT,"          /* dominant signal */
    "  signals TEXT,"           /* each signal's peak score */
    "  PRIMARY KEY (run_id, source, id)"
    ");"
    "CREATE INDEX episodes_start ON episodes (start_ns);",
    /* 6 -> 7: the anomaly baselines in force (SDK 3.1 baseline_put),
     * one per detector instance, series and kind, kept across runs so
     * that a restart does not relearn them. */
    "CREATE TABLE baselines ("
    "  source TEXT NOT NULL," /* detector instance */
    "  target TEXT NOT NULL,"
    "  probe TEXT NOT NULL,"
    "  metric TEXT NOT NULL,"
    "  kind TEXT NOT NULL," /* latency, jitter, loss ... */
    "  centre REAL,"
    "  spread REAL,"
    "  loss_rate REAL,"
    "  since_ns INTEGER,"
    "  samples INTEGER,"
    "  updated_ns INTEGER NOT NULL,"
    "  PRIMARY KEY (source, target, probe, metric, kind)"
    ") WITHOUT ROWID;",
    /* 7 -> 8: what a run is (measured by bottleneck, or a simulation's
     * results imported, docs/simulation.md) and its attributes (an
     * OMNeT++ run's config, run id, repetition, seed ...). */
    "ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'measured';"
    "CREATE TABLE run_attrs ("
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL,"
    "  value TEXT,"
    "  PRIMARY KEY (run_id, key)"
    ") WITHOUT ROWID;",
    /* 8 -> 9: retention (store_compact.c).  Hour rollups, merged from
     * the minute rollups once those are older than the retention of
     * minutes (same columns and sketch, `hour` = wall time / 3600 s), and
     * what compaction removed: per series and kind (raw samples, minute
     * rollups, hour rollups) the rows and the wall time range, so that
     * reports know a range holds no raw samples any more. */
    "CREATE TABLE rollups_hour ("
    "  series_id INTEGER NOT NULL REFERENCES series (id),"
    "  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
    "  hour INTEGER NOT NULL," /* wall time / 3600 s */
    "  sent INTEGER NOT NULL,"
    "  lost INTEGER NOT NULL,"
    "  invalid INTEGER NOT NULL,"
    "  late INTEGER NOT NULL,"
    "  dup INTEGER NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  sum REAL NOT NULL,"
    "  sumsq REAL NOT NULL,"
    "  min REAL,"
    "  max REAL,"
    "  jit_sum REAL NOT NULL,"
    "  jit_n INTEGER NOT NULL,"
    "  hist BLOB,"
    "  PRIMARY KEY (series_id, run_id, hour)"
    ") WITHOUT ROWID;"
    "CREATE INDEX rollups_hour_series ON rollups_hour (series_id, hour);"
    /* compaction walks the minutes of one series at a time */
    "CREATE INDEX rollups_series_minute ON rollups (series_id, minute);"
    "CREATE TABLE compacted ("
    "  series_id INTEGER NOT NULL REFERENCES series (id),"
    "  kind TEXT NOT NULL," /* raw, minute, hour */
    "  rows INTEGER NOT NULL,"
    "  first_ns INTEGER NOT NULL," /* wall time of the oldest removed */
    "  last_ns INTEGER NOT NULL,"  /* and of the newest (its start) */
    "  updated_ns INTEGER NOT NULL,"
    "  PRIMARY KEY (series_id, kind)"
    ") WITHOUT ROWID;",
};

_Static_assert(sizeof(store_migrations) / sizeof(store_migrations[0]) ==
                   STORE_SCHEMA_VERSION,
               "one migration per schema version");

__thread int store_quiet;
__thread char store_quiet_msg[512];

int store_fail(const char *path, sqlite3 *db, const char *what,
               const char *hint)
{
  int ec = db ? sqlite3_errcode(db) & 0xff : SQLITE_NOMEM;
  char why[256], comm[64] = "";
  long pid;

  /* The hint the caller guessed is wrong for these: name the cause. */
  if (ec == SQLITE_BUSY || ec == SQLITE_LOCKED) {
    pid = path ? store_lock_holder(path, comm, sizeof(comm)) : 0;
    if (pid > 0)
      snprintf(why, sizeof(why),
               "another process (pid %ld, %s) holds the database locked; "
               "try again when it is done",
               pid, comm[0] ? comm : "unknown");
    else
      snprintf(why, sizeof(why),
               "another process holds the database locked; try again "
               "when it is done");
    hint = why;
  } else if (ec == SQLITE_FULL)
    hint = "the disk is full; free some space";
  else if (ec == SQLITE_READONLY)
    hint = "the file or its directory is read-only; fix the permissions "
           "or choose another path";
  if (store_quiet) {
    snprintf(store_quiet_msg, sizeof(store_quiet_msg), "%s: %s; %s", what,
             db ? sqlite3_errmsg(db) : "out of memory", hint);
    return BN_EIO;
  }
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
