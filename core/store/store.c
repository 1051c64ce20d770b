/*
 * store.c - the history store: opening, pragmas, batched writes.
 *
 * Every write goes into one open transaction (BEGIN IMMEDIATE on the
 * first write) that store_flush() commits, or that is committed when
 * STORE_BATCH_MAX rows are pending.  In WAL mode with synchronous=NORMAL
 * a commit survives a crash of the process, so a SIGKILL loses at most
 * the open batch and never corrupts the file.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "log.h"
#include "store_int.h"
#include "store_paths.h"

/* Wait this long for another connection's write lock. */
/* Page cache of a writing connection, KiB (a string for the pragma). */
#define STORE_CACHE_KB "32768"
/* The WAL may grow to an eighth of the free space, within these. */
#define STORE_WAL_MIN (256 * 1024LL)
#define STORE_WAL_MAX (40 * 1024 * 1024LL)

static const char *const store_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_RUN_INSERT] = "INSERT INTO runs (host, profile, profile_hash, "
                      "version, started_ns) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_RUN_END] = "UPDATE runs SET ended_ns = ?2, exit_status = ?3 "
                   "WHERE id = ?1",
    [ST_SERIES_INSERT] = "INSERT OR IGNORE INTO series (target, probe, "
                         "metric) VALUES (?1, ?2, ?3)",
    [ST_SERIES_SELECT] = "SELECT id FROM series WHERE target = ?1 AND "
                         "probe = ?2 AND metric = ?3",
    [ST_SAMPLE] = "INSERT INTO samples (run_id, series_id, value, wall_ns, "
                  "mono_ns, flags) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_PATH_SET] = "INSERT INTO path_sets (run_id, target, probe, mode, "
                    "wall_ns, set_hash, n_paths) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_PATH] = "INSERT INTO paths (run_id, target, probe, wall_ns, "
                "complete, n_hops, set_id, flow_id, status, path_hash) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [ST_HOP] = "INSERT INTO hops (path_id, ttl, addr, rtt_ms, loss_pct, "
               "flags, sent, received, last_ms, best_ms, worst_ms, "
               "stddev_ms) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [ST_EVENT] = "INSERT INTO events (run_id, source, target, type, "
                 "severity, score, message, wall_ns) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_SPEEDTEST] =
        "INSERT INTO speedtests (run_id, provider, target, wall_ns, "
        "download_bps, upload_bps, latency_ms, jitter_ms, bytes_down, "
        "bytes_up, status, error, server, streams, loaded_down_ms, "
        "loaded_up_ms, loss_pct, udp_jitter_ms, down_ns, up_ns) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
        "?14, ?15, ?16, ?17, ?18, ?19, ?20)",
    [ST_SPEEDTEST_FINAL] = "UPDATE speedtests SET bufferbloat = ?2, "
                           "attempts = ?3 WHERE id = ?1",
    [ST_ATTEMPT] = "INSERT INTO speedtest_attempts (run_id, provider, "
                   "server, attempt, wall_ns, duration_ns, status, error) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_ATTEMPT_LINK] = "UPDATE speedtest_attempts SET speedtest_id = ?2 "
                        "WHERE run_id = ?1 AND speedtest_id IS NULL",
    [ST_CHECK] = "INSERT INTO checks (run_id, name, target, status, "
                 "reason, value, wall_ns) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_PATH_CHANGE] =
        "INSERT INTO path_changes (run_id, set_id, prev_set_id, target, "
        "kind, flow_id, ttl, old_addr, new_addr, old_rtt_ms, new_rtt_ms, "
        "wall_ns, old_paths, new_paths) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [ST_EPISODE] =
        "INSERT INTO episodes (run_id, source, id, target, start_ns, end_ns, "
        "level, severity, peak, dominant, signals) VALUES (?1, ?2, ?3, ?4, "
        "?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (run_id, source, id) DO "
        "UPDATE SET target = excluded.target, start_ns = excluded.start_ns, "
        "end_ns = excluded.end_ns, level = excluded.level, severity = "
        "excluded.severity, peak = excluded.peak, dominant = "
        "excluded.dominant, signals = excluded.signals",
    [ST_BASELINE] =
        "INSERT OR REPLACE INTO baselines (source, target, probe, metric, "
        "kind, centre, spread, loss_rate, since_ns, samples, updated_ns) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
};

static int64_t store_now_ns(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int store_default_path(char *buf, size_t len)
{
  const char *xdg = getenv("XDG_DATA_HOME");
  const char *home = getenv("HOME");
  int n;

  /* The XDG spec says to ignore a relative XDG_DATA_HOME. */
  if (xdg && xdg[0] == '/')
    n = snprintf(buf, len, "%s/bottleneck/history.db", xdg);
  else if (home && home[0])
    n = snprintf(buf, len, "%s/.local/share/bottleneck/history.db", home);
  else {
    log_error("store", "neither XDG_DATA_HOME nor HOME is set; give the "
                       "history database path explicitly");
    return BN_EINVAL;
  }
  if (n < 0 || (size_t)n >= len) {
    log_error("store", "history database path is too long; give a "
                       "shorter one explicitly");
    return BN_EINVAL;
  }
  return BN_OK;
}

/* mkdir -p of the directory part of `path`, mode 0755. */
static int store_mkdirs(const char *path)
{
  char *dir = strdup(path);
  char *p, c;
  int rc = BN_OK;

  if (!dir)
    return BN_ENOMEM;
  p = strrchr(dir, '/');
  if (!p || p == dir)
    goto out;
  *p = '\0';
  for (p = dir + 1;; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    c = *p;
    *p = '\0';
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
      log_error("store",
                "%s: cannot create directory %s: %s; check the path "
                "and its permissions",
                path, dir, strerror(errno));
      rc = BN_EIO;
      goto out;
    }
    *p = c;
    if (c == '\0')
      break;
  }
out:
  free(dir);
  return rc;
}

static int store_pragma(store *s, const char *sql)
{
  if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot configure the database",
                      "is it a bottleneck history database? move it aside "
                      "or choose another path");
  return BN_OK;
}

/* WAL lets reports read while a run writes; the result of the pragma is
 * the mode actually in force, which we check rather than assume. */
static int store_set_wal(store *s)
{
  sqlite3_stmt *st = NULL;
  int rc = BN_OK;
  const char *mode;

  int step = SQLITE_BUSY, tries;

  /* Switching a new file to WAL needs it alone, and sqlite's busy wait
   * does not cover this: two runs starting at once on a new history
   * would fail. */
  for (tries = 0; tries < STORE_BUSY_MS / 10 && step == SQLITE_BUSY; tries++) {
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
                           NULL) != SQLITE_OK)
      break;
    step = sqlite3_step(st);
    if (step == SQLITE_BUSY) {
      struct timespec ts = {0, 10 * 1000 * 1000};

      nanosleep(&ts, NULL);
    }
  }
  if (!st || step != SQLITE_ROW) {
    rc = store_fail(s->path, s->db, "cannot enable WAL mode",
                    "is it a bottleneck history database? move it aside "
                    "or choose another path");
    goto out;
  }
  mode = (const char *)sqlite3_column_text(st, 0);
  if (!mode || strcmp(mode, "wal") != 0) {
    log_error("store",
              "%s: cannot enable WAL mode (journal mode stays %s); put "
              "the database on a local file system",
              s->path, mode ? mode : "unknown");
    rc = BN_EIO;
  }
out:
  sqlite3_finalize(st);
  return rc;
}

void store_wal_budget(store *s)
{
  char *dir = strdup(s->path), *slash, sql[96];
  struct statvfs vfs;
  int64_t budget = STORE_WAL_MAX, avail;

  if (!dir)
    return;
  slash = strrchr(dir, '/');
  if (slash)
    *(slash == dir ? slash + 1 : slash) = '\0';
  if (statvfs(slash ? dir : ".", &vfs) == 0) {
    avail = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
    budget = avail / 8;
    if (budget > STORE_WAL_MAX)
      budget = STORE_WAL_MAX;
    if (budget < STORE_WAL_MIN)
      budget = STORE_WAL_MIN;
  }
  free(dir);
  if (budget == s->wal_budget)
    return;
  /* Checkpoint (into the database file) whenever the WAL reaches the
   * budget, and cut the file back to it afterwards: on a small disk a
   * WAL of the default size would fill it while the database stays
   * small.  4096: sqlite's default page size, which the store keeps. */
  snprintf(sql, sizeof(sql),
           "PRAGMA wal_autocheckpoint = %lld; "
           "PRAGMA journal_size_limit = %lld",
           (long long)(budget / 4096), (long long)budget);
  if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK)
    s->wal_budget = budget;
}

/* The file must be a regular file (or not exist yet): sqlite would
 * happily "open" /dev/null and create /dev/null-journal beside it. */
static int store_check_file(const char *path, int readonly)
{
  struct stat st;

  if (!strcmp(path, ":memory:"))
    return BN_OK;
  if (stat(path, &st) < 0) {
    if (!readonly)
      return BN_OK; /* created (or refused) with its directories */
    log_error("store", "%s: %s; %s", path, strerror(errno),
              errno == ENOENT ? "run bottleneck first, or give the path of "
                                "a history database with --db"
                              : "check the path and its permissions");
    return BN_EIO;
  }
  if (!S_ISREG(st.st_mode)) {
    log_error("store",
              "%s: not a regular file (%s); give the path of a history "
              "database file",
              path,
              S_ISDIR(st.st_mode)    ? "a directory"
              : S_ISCHR(st.st_mode)  ? "a character device"
              : S_ISBLK(st.st_mode)  ? "a block device"
              : S_ISFIFO(st.st_mode) ? "a FIFO"
              : S_ISSOCK(st.st_mode) ? "a socket"
                                     : "not a file");
    return BN_EINVAL;
  }
  return BN_OK;
}

/* On a read-only file system sqlite cannot create the -shm file a WAL
 * database needs even to read: open it immutable (nothing can change it
 * there).  Rows still in a -wal file are then out of reach: say so. */
static int store_open_ro_fs(const char *path, sqlite3 **db)
{
  static const char hex[] = "0123456789abcdef";
  size_t n = strlen(path), i, k = 0;
  char *uri = malloc(3 * n + 32), walp[4096];
  struct stat st;
  int rc;

  if (!uri)
    return SQLITE_NOMEM;
  memcpy(uri, "file:", 5);
  k = 5;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)path[i];

    if (c == '?' || c == '#' || c == '%' || c < 0x20 || c >= 0x7f) {
      uri[k++] = '%';
      uri[k++] = hex[c >> 4];
      uri[k++] = hex[c & 15];
    } else
      uri[k++] = (char)c;
  }
  memcpy(uri + k, "?immutable=1", sizeof("?immutable=1"));
  rc = sqlite3_open_v2(
      uri, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
      NULL);
  free(uri);
  snprintf(walp, sizeof(walp), "%s-wal", path);
  if (rc == SQLITE_OK && stat(walp, &st) == 0 && st.st_size > 0)
    log_warn("store",
             "%s: on a read-only file system, so the %lld bytes of its "
             "-wal file (the newest rows) cannot be read; open it once "
             "where it is writable to merge them",
             path, (long long)st.st_size);
  return rc;
}

static int store_ro_fs(const char *path)
{
  char *dir = strdup(path), *slash;
  struct statvfs vfs;
  int ro = 0;

  if (!dir)
    return 0;
  slash = strrchr(dir, '/');
  if (slash)
    *(slash == dir ? slash + 1 : slash) = '\0';
  if (statvfs(slash ? dir : ".", &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
    ro = 1;
  free(dir);
  return ro;
}

/* Tables every current history has; one dropped by hand would make
 * every write fail (or, for samples, store nothing) later on. */
static int store_check_tables(store *s)
{
  static const char *const tables[] = {
      "runs",         "series",       "samples",   "paths",
      "hops",         "events",       "checks",    "path_sets",
      "path_changes", "speedtests",   "rollups",   "speedtest_attempts",
      "run_attrs",    "rollups_hour", "compacted",
  };
  sqlite3_stmt *st = NULL;
  size_t i;
  int rc = BN_OK;

  if (sqlite3_prepare_v2(s->db,
                         "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                         "AND name = ?1",
                         -1, &st, NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot read the schema",
                      "is it a bottleneck history database?");
  for (i = 0; i < sizeof(tables) / sizeof(tables[0]) && rc == BN_OK; i++) {
    sqlite3_bind_text(st, 1, tables[i], -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
      log_error("store",
                "%s: table '%s' is missing, so the history is damaged; "
                "move the file aside (a new one is started) or restore it "
                "from a backup",
                s->path, tables[i]);
      rc = BN_EINVAL;
    }
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  return rc;
}

_Static_assert(STORE_RUN_INTERRUPTED == -2, "the UPDATE below says -2");

/* Runs still "running" whose process is gone (killed, crashed, power
 * lost) are marked interrupted, ending at their last sample, so that
 * reports do not show them running for ever.  Only when no other
 * process has the database open: then none of them can be running. */
static void store_mark_interrupted(store *s)
{
  static const char sql[] =
      "UPDATE runs SET exit_status = -2,"
      " ended_ns = max(started_ns, coalesce((SELECT wall_ns FROM samples"
      "   WHERE run_id = runs.id ORDER BY rowid DESC LIMIT 1), 0))"
      " WHERE ended_ns IS NULL";
  int n;

  if (!strcmp(s->path, ":memory:") || store_lock_others(s->path) != 0)
    return;
  if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
    log_debug("store", "%s: cannot mark interrupted runs: %s", s->path,
              sqlite3_errmsg(s->db));
    return;
  }
  n = sqlite3_changes(s->db);
  if (n > 0)
    log_info("store",
             "%s: %d run(s) left running by a process that is gone marked "
             "interrupted",
             s->path, n);
}

static int store_open_common(const char *path, int readonly, int secondary,
                             store **out)
{
  store *s;
  int flags, rc;

  *out = NULL;
  if (!path || !*path) {
    log_error("store", "empty history database path");
    return BN_EINVAL;
  }
  rc = store_check_file(path, readonly);
  if (rc < 0)
    return rc;
  s = calloc(1, sizeof(*s));
  if (!s)
    return BN_ENOMEM;
  s->readonly = readonly;
  s->batch_max = STORE_BATCH_MAX;
  s->path = strdup(path);
  if (!s->path) {
    rc = BN_ENOMEM;
    goto fail;
  }
  if (!readonly && strcmp(path, ":memory:") != 0) {
    rc = store_mkdirs(path);
    if (rc < 0)
      goto fail;
  }
  flags = readonly ? SQLITE_OPEN_READONLY
                   : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if ((readonly && store_ro_fs(path)
           ? store_open_ro_fs(path, &s->db)
           : sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX,
                             NULL)) != SQLITE_OK) {
    rc = store_fail(path, s->db, "cannot open",
                    readonly ? "check that it exists and is readable"
                             : "check the path and its permissions");
    goto fail;
  }
  sqlite3_extended_result_codes(s->db, 1);
  sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
  /* sqlite opens a write-protected file read-only without a word;
   * say so now rather than at the first write. */
  if (!readonly && sqlite3_db_readonly(s->db, "main") == 1) {
    if (store_ro_fs(path))
      log_error("store",
                "%s: on a read-only file system; remount it read-write or "
                "choose another path (reports can still read it)",
                path);
    else
      log_error("store",
                "%s: the file is read-only; fix its permissions or choose "
                "another path",
                path);
    rc = BN_EIO;
    goto fail;
  }
  rc = store_pragma(s, "PRAGMA foreign_keys = ON");
  if (rc < 0)
    goto fail;
  if (store_rollup_functions(s->db) != BN_OK) {
    rc = store_fail(path, s->db, "cannot register the rollup functions",
                    "please report this as a bug");
    goto fail;
  }
  /* Refuse a newer or foreign file before changing anything in it. */
  rc = store_schema_check(s->db, path, &s->version);
  if (rc < 0)
    goto fail;
  if (readonly && s->version == 0) {
    log_error("store", "%s: holds no history yet; run bottleneck first", path);
    rc = BN_ENOENT;
    goto fail;
  }
  if (readonly && s->version == STORE_SCHEMA_VERSION) {
    rc = store_check_tables(s);
    if (rc < 0)
      goto fail;
  }
  if (readonly && s->version < STORE_SCHEMA_VERSION) {
    log_error("store",
              "%s: schema version %d is older than this bottleneck's "
              "(%d); open it once for writing (bottleneck run) to "
              "migrate it",
              path, s->version, STORE_SCHEMA_VERSION);
    rc = BN_EINVAL;
    goto fail;
  }
  if (!readonly) {
    /* A new file returns the space compaction frees (store_compact.c):
     * the mode can only be chosen before the first table exists.  An
     * older file keeps its mode until `bottleneck compact --vacuum`. */
    /* BN_STORE_AUTO_VACUUM=none: a new file as before schema 9 (tests of
     * that case: store_small_disk.sh) */
    rc = s->version == 0 && !secondary &&
                 !(getenv("BN_STORE_AUTO_VACUUM") &&
                   !strcmp(getenv("BN_STORE_AUTO_VACUUM"), "none"))
             ? store_pragma(s, "PRAGMA auto_vacuum = INCREMENTAL")
             : BN_OK;
    /* ":memory:" (other modules' tests) cannot do WAL and needs not */
    if (rc == BN_OK)
      rc = strcmp(path, ":memory:") == 0 ? BN_OK : store_set_wal(s);
    if (rc == BN_OK)
      rc = store_pragma(s, "PRAGMA synchronous = NORMAL");
    /* The (series_id, wall_ns) index takes inserts all over the tree;
     * with sqlite's 2 MB default cache a long run thrashes it. */
    if (rc == BN_OK)
      rc = store_pragma(s, "PRAGMA cache_size = -" STORE_CACHE_KB);
    /* Checkpoint every ~40 MB of WAL, not every 4 MB: each checkpoint
     * syncs and copies pages back, and at batch commits of scattered
     * index pages the default cut the insert rate by a third.  Less on
     * a small disk: an eighth of the free space (store_wal_budget). */
    if (rc == BN_OK)
      store_wal_budget(s);
    if (rc == BN_OK && !secondary)
      rc = store_schema_migrate(s->db, path, &s->version);
    if (rc == BN_OK)
      rc = store_check_tables(s);
    if (rc < 0)
      goto fail;
    if (!secondary)
      store_mark_interrupted(s);
  }
  *out = s;
  return BN_OK;
fail:
  store_close(s);
  return rc;
}

int store_open(const char *path, store **out)
{
  return store_open_common(path, 0, 0, out);
}

int store_open_secondary(const char *path, store **out)
{
  return store_open_common(path, 0, 1, out);
}

int store_open_readonly(const char *path, store **out)
{
  return store_open_common(path, 1, 0, out);
}

static void store_series_clear(store *s)
{
  size_t i;

  for (i = 0; i < s->series_cap; i++)
    free(s->series[i].key);
  free(s->series);
  s->series = NULL;
  s->series_cap = s->series_len = 0;
}

void store_close(store *s)
{
  size_t i;

  if (!s)
    return;
  store_writer_stop(s, 0);
  store_path_cache_free(s);
  if (s->db) {
    store_flush(s);
    store_rollup_free(s);
    for (i = 0; i < ST_COUNT; i++)
      sqlite3_finalize(s->st[i]);
    if (sqlite3_close(s->db) != SQLITE_OK)
      store_fail(s->path, s->db, "cannot close", "please report this bug");
  }
  store_series_clear(s);
  for (i = 0; i < sizeof(s->run_strs) / sizeof(s->run_strs[0]); i++)
    free(s->run_strs[i]);
  free(s->path);
  free(s);
}

int store_schema_version(store *s)
{
  return s ? s->version : 0;
}

unsigned store_pending(const store *s)
{
  return s ? s->pending : 0;
}

/* The cached statement `id`, prepared on first use and reset. */
static sqlite3_stmt *store_stmt(store *s, enum store_stmt_id id)
{
  if (!s->st[id] &&
      sqlite3_prepare_v3(s->db, store_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                         &s->st[id], NULL) != SQLITE_OK) {
    store_fail(s->path, s->db, "cannot prepare a statement",
               "please report this bug");
    return NULL;
  }
  return s->st[id];
}

/* Run a statement that returns no rows; it is reset for the next use. */
static int store_exec(store *s, sqlite3_stmt *st, const char *what)
{
  int rc = sqlite3_step(st);

  if (rc != SQLITE_DONE) {
    /* reset() returns the error whose message errmsg() then gives */
    sqlite3_reset(st);
    rc = store_fail(s->path, s->db, what,
                    "check free disk space and permissions");
    /* On some errors (disk full, I/O, out of memory) sqlite rolls the
     * whole transaction back by itself: the batch is gone, and so are
     * the series it created, whose ids must not be reused. */
    if (s->in_tx && sqlite3_get_autocommit(s->db)) {
      if (!store_quiet)
        log_error("store", "%s: the open batch was rolled back; %u rows lost",
                  s->path, s->pending);
      store_rollup_discard(s);
      s->in_tx = 0;
      s->pending = 0;
      store_series_clear(s);
    }
    return rc;
  }
  sqlite3_reset(st);
  return BN_OK;
}

static int store_exec_id(store *s, enum store_stmt_id id, const char *what)
{
  sqlite3_stmt *st = store_stmt(s, id);

  return st ? store_exec(s, st, what) : BN_EIO;
}

/* Open the batch transaction if none is open. */
static int store_write_begin(store *s)
{
  if (!s)
    return BN_EINVAL;
  if (s->readonly) {
    log_error("store", "%s: opened read-only; cannot write", s->path);
    return BN_EINVAL;
  }
  if (s->in_tx)
    return BN_OK;
  if (store_exec_id(s, ST_BEGIN, "cannot start a transaction") < 0)
    return BN_EIO;
  s->in_tx = 1;
  return BN_OK;
}

/* Count rows written; commit when the batch is full. */
static int store_write_done(store *s, unsigned rows)
{
  s->pending += rows;
  if (s->pending >= s->batch_max)
    return store_flush(s);
  return BN_OK;
}

void store_rollback(store *s)
{
  if (s->in_tx && !sqlite3_get_autocommit(s->db))
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
  /* Series created in the lost batch are gone with it. */
  store_series_clear(s);
  store_rollup_discard(s);
  s->in_tx = 0;
  s->pending = 0;
}

int store_hold_begin(store *s)
{
  int rc;

  if (!s || s->writer || s->hold)
    return BN_EINVAL;
  rc = store_flush(s);
  if (rc == BN_OK)
    rc = store_write_begin(s);
  if (rc == BN_OK)
    s->hold = 1;
  return rc;
}

int store_hold_end(store *s, int commit)
{
  if (!s || !s->hold)
    return BN_EINVAL;
  s->hold = 0;
  if (commit)
    return store_flush(s);
  store_rollback(s);
  return BN_OK;
}

int store_flush(store *s)
{
  int rc;

  if (s && s->writer)
    store_writer_kick(s);
  if (!s || !s->in_tx || s->hold)
    return BN_OK;
  rc = store_rollup_flush(s);
  if (rc == BN_OK)
    rc = store_exec_id(s, ST_COMMIT, "cannot commit");
  if (rc < 0) {
    if (!store_quiet)
      log_error("store", "%s: %u rows were lost", s->path, s->pending);
    store_rollback(s);
  }
  s->in_tx = 0;
  s->pending = 0;
  return rc;
}

static void store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
  if (v)
    sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, i);
}

/* Negative (or NaN) means "not measured" in the SDK: store NULL. */
static void store_bind_measure(sqlite3_stmt *st, int i, double v)
{
  if (v >= 0)
    sqlite3_bind_double(st, i, v);
  else
    sqlite3_bind_null(st, i);
}

int store_run_begin(store *s, const store_run_meta *m, int64_t *run_id)
{
  sqlite3_stmt *st;
  int rc;

  if (!m || !run_id)
    return BN_EINVAL;
  rc = store_write_begin(s);
  if (rc < 0)
    return rc;
  st = store_stmt(s, ST_RUN_INSERT);
  if (!st)
    return BN_EIO;
  store_bind_text(st, 1, m->host);
  store_bind_text(st, 2, m->profile);
  store_bind_text(st, 3, m->profile_hash);
  store_bind_text(st, 4, m->version);
  sqlite3_bind_int64(st, 5, m->started_ns ? m->started_ns : store_now_ns());
  rc = store_exec(s, st, "cannot record the run");
  if (rc < 0)
    return rc;
  *run_id = sqlite3_last_insert_rowid(s->db);
  s->pending++;
  /* The run row is committed at once, so that readers see the run. */
  return store_flush(s);
}

int store_run_end(store *s, int64_t run_id, int64_t ended_ns, int exit_status)
{
  sqlite3_stmt *st;
  int rc;

  rc = store_write_begin(s);
  if (rc < 0)
    return rc;
  st = store_stmt(s, ST_RUN_END);
  if (!st)
    return BN_EIO;
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_int64(st, 2, ended_ns ? ended_ns : store_now_ns());
  sqlite3_bind_int(st, 3, exit_status);
  rc = store_exec(s, st, "cannot record the end of the run");
  if (rc < 0)
    return rc;
  if (sqlite3_changes(s->db) == 0) {
    log_error("store", "%s: no run %lld to end", s->path, (long long)run_id);
    return BN_ENOENT;
  }
  s->pending++;
  return store_flush(s);
}

/* FNV-1a: short keys, good spread, no dependency. */
static uint64_t store_hash(const char *key, size_t len)
{
  uint64_t h = 1469598103934665603ull;
  size_t i;

  for (i = 0; i < len; i++) {
    h ^= (unsigned char)key[i];
    h *= 1099511628211ull;
  }
  return h;
}

static store_series_ent *store_series_slot(store_series_ent *tab, size_t cap,
                                           const char *key, size_t len)
{
  size_t i = (size_t)store_hash(key, len) & (cap - 1);

  while (tab[i].key &&
         (tab[i].keylen != len || memcmp(tab[i].key, key, len) != 0))
    i = (i + 1) & (cap - 1);
  return &tab[i];
}

static int store_series_grow(store *s)
{
  size_t cap = s->series_cap ? s->series_cap * 2 : 256;
  store_series_ent *tab = calloc(cap, sizeof(*tab));
  size_t i;

  if (!tab)
    return BN_ENOMEM;
  for (i = 0; i < s->series_cap; i++) {
    store_series_ent *e = &s->series[i];
    if (e->key)
      *store_series_slot(tab, cap, e->key, e->keylen) = *e;
  }
  free(s->series);
  s->series = tab;
  s->series_cap = cap;
  return BN_OK;
}

/* Look the series up in the database, creating it if needed. */
static int store_series_db(store *s, const char *target, const char *probe,
                           const char *metric, int64_t *id)
{
  sqlite3_stmt *ins = store_stmt(s, ST_SERIES_INSERT);
  sqlite3_stmt *sel = store_stmt(s, ST_SERIES_SELECT);
  int rc = BN_OK;

  if (!ins || !sel)
    return BN_EIO;
  sqlite3_bind_text(ins, 1, target, -1, SQLITE_STATIC);
  sqlite3_bind_text(ins, 2, probe, -1, SQLITE_STATIC);
  sqlite3_bind_text(ins, 3, metric, -1, SQLITE_STATIC);
  rc = store_exec(s, ins, "cannot record a series");
  if (rc < 0)
    return rc;
  sqlite3_bind_text(sel, 1, target, -1, SQLITE_STATIC);
  sqlite3_bind_text(sel, 2, probe, -1, SQLITE_STATIC);
  sqlite3_bind_text(sel, 3, metric, -1, SQLITE_STATIC);
  if (sqlite3_step(sel) == SQLITE_ROW)
    *id = sqlite3_column_int64(sel, 0);
  else
    rc = store_fail(s->path, s->db, "cannot find a series",
                    "please report this bug");
  sqlite3_reset(sel);
  return rc;
}

/* The id of (target, probe, metric), from the in-memory cache so that a
 * sample insert costs one statement. */
static int store_series_id(store *s, const char *target, const char *probe,
                           const char *metric, int64_t *id)
{
  size_t lt = strlen(target) + 1, lp = strlen(probe) + 1;
  size_t len = lt + lp + strlen(metric) + 1;
  char stack[256];
  char *key = len <= sizeof(stack) ? stack : malloc(len);
  store_series_ent *e;
  int rc = BN_OK;

  if (!key)
    return BN_ENOMEM;
  memcpy(key, target, lt);
  memcpy(key + lt, probe, lp);
  memcpy(key + lt + lp, metric, len - lt - lp);
  if ((s->series_len + 1) * 10 > s->series_cap * 7) {
    rc = store_series_grow(s);
    if (rc < 0)
      goto out;
  }
  e = store_series_slot(s->series, s->series_cap, key, len);
  if (e->key) {
    *id = e->id;
    goto out;
  }
  rc = store_series_db(s, target, probe, metric, id);
  if (rc < 0)
    goto out;
  e->key = malloc(len);
  if (!e->key) {
    rc = BN_ENOMEM;
    goto out;
  }
  memcpy(e->key, key, len);
  e->keylen = len;
  e->id = *id;
  s->series_len++;
out:
  if (key != stack)
    free(key);
  return rc;
}

int store_add_sample(store *s, int64_t run_id, const char *probe,
                     const bn_sample *smp)
{
  sqlite3_stmt *st;
  int64_t sid;
  int rc;

  if (!probe || !smp || !smp->target || !smp->metric)
    return BN_EINVAL;
  if (s && s->writer)
    return store_writer_sample(s, run_id, probe, smp);
  rc = store_write_begin(s);
  if (rc < 0)
    return rc;
  rc = store_series_id(s, smp->target, probe, smp->metric, &sid);
  if (rc < 0)
    return rc;
  st = store_stmt(s, ST_SAMPLE);
  if (!st)
    return BN_EIO;
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_int64(st, 2, sid);
  if ((smp->flags & BN_SAMPLE_LOST) || isnan(smp->value))
    sqlite3_bind_null(st, 3);
  else
    sqlite3_bind_double(st, 3, smp->value);
  sqlite3_bind_int64(st, 4, smp->wall_ns);
  sqlite3_bind_int64(st, 5, smp->mono_ns);
  sqlite3_bind_int64(st, 6, smp->flags);
  rc = store_exec(s, st, "cannot record a sample");
  if (rc == BN_OK)
    rc = store_rollup_add(s, sid, run_id, smp);
  if (rc < 0)
    return rc;
  return store_write_done(s, 1);
}

static int store_insert_hops(store *s, int64_t path_id, const bn_path *p)
{
  sqlite3_stmt *st = store_stmt(s, ST_HOP);
  size_t i;
  int rc = BN_OK;

  if (!st)
    return BN_EIO;
  for (i = 0; i < p->n_hops && rc == BN_OK; i++) {
    const bn_hop *h = &p->hops[i];
    double loss = h->sent ? 100.0 * (h->sent - h->received) / h->sent : -1;

    sqlite3_bind_int64(st, 1, path_id);
    sqlite3_bind_int(st, 2, h->ttl);
    store_bind_text(st, 3, h->addr);
    store_bind_measure(st, 4, h->received ? h->avg_ms : -1);
    store_bind_measure(st, 5, loss);
    sqlite3_bind_int64(st, 6, h->flags);
    sqlite3_bind_int64(st, 7, h->sent);
    sqlite3_bind_int64(st, 8, h->received);
    store_bind_measure(st, 9, h->received ? h->last_ms : -1);
    store_bind_measure(st, 10, h->received ? h->best_ms : -1);
    store_bind_measure(st, 11, h->received ? h->worst_ms : -1);
    store_bind_measure(st, 12, h->received ? h->stddev_ms : -1);
    rc = store_exec(s, st, "cannot record a hop");
  }
  return rc;
}

static int store_insert_path(store *s, int64_t run_id, const char *probe,
                             const bn_path_set *ps, int64_t set_id, size_t i,
                             const char *path_hash)
{
  const bn_path *p = &ps->paths[i];
  sqlite3_stmt *st = store_stmt(s, ST_PATH);
  int rc;

  if (!st)
    return BN_EIO;
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_text(st, 2, ps->target, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, probe, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, ps->wall_ns);
  sqlite3_bind_int(st, 5, p->status == BN_PATH_REACHED);
  sqlite3_bind_int64(st, 6, (sqlite3_int64)p->n_hops);
  sqlite3_bind_int64(st, 7, set_id);
  sqlite3_bind_int64(st, 8, p->flow_id);
  sqlite3_bind_int(st, 9, (int)p->status);
  store_bind_text(st, 10, path_hash);
  rc = store_exec(s, st, "cannot record a path");
  if (rc == BN_OK)
    rc = store_insert_hops(s, sqlite3_last_insert_rowid(s->db), p);
  return rc;
}

static int store_insert_path_set(store *s, int64_t run_id, const char *probe,
                                 const bn_path_set *ps, const char *set_hash,
                                 const char *const *path_hashes,
                                 int64_t *set_id)
{
  sqlite3_stmt *st = store_stmt(s, ST_PATH_SET);
  size_t i;
  int rc;

  if (!st)
    return BN_EIO;
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_text(st, 2, ps->target, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, probe, -1, SQLITE_STATIC);
  store_bind_text(st, 4, ps->mode);
  sqlite3_bind_int64(st, 5, ps->wall_ns);
  sqlite3_bind_text(st, 6, set_hash, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 7, (sqlite3_int64)ps->n_paths);
  rc = store_exec(s, st, "cannot record a path set");
  if (rc < 0)
    return rc;
  *set_id = sqlite3_last_insert_rowid(s->db);
  for (i = 0; i < ps->n_paths && rc == BN_OK; i++)
    rc = store_insert_path(s, run_id, probe, ps, *set_id, i,
                           path_hashes ? path_hashes[i] : NULL);
  return rc;
}

int store_add_path_set(store *s, int64_t run_id, const char *probe,
                       const bn_path_set *ps, const char *set_hash,
                       const char *const *path_hashes, int64_t *set_id)
{
  unsigned rows = 1;
  int64_t id = 0;
  size_t i;
  int rc;

  if (!probe || !ps || !ps->target || !set_hash || (ps->n_paths && !ps->paths))
    return BN_EINVAL;
  for (i = 0; i < ps->n_paths; i++) {
    if (ps->paths[i].n_hops && !ps->paths[i].hops)
      return BN_EINVAL;
    rows += 1 + (unsigned)ps->paths[i].n_hops;
  }
  if (s && s->writer) {
    /* queued: the row id is not known yet */
    if (set_id)
      *set_id = 0;
    return store_add_path_round(s, run_id, probe, ps, set_hash, path_hashes,
                                NULL, 0);
  }
  rc = store_write_begin(s);
  if (rc < 0)
    return rc;
  /* A savepoint keeps a set whole: no path without its hops. */
  if (sqlite3_exec(s->db, "SAVEPOINT path", NULL, NULL, NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot record a path",
                      "please report this bug");
  rc = store_insert_path_set(s, run_id, probe, ps, set_hash, path_hashes, &id);
  if (rc < 0) {
    sqlite3_exec(s->db, "ROLLBACK TO path; RELEASE path", NULL, NULL, NULL);
    return rc;
  }
  sqlite3_exec(s->db, "RELEASE path", NULL, NULL, NULL);
  if (set_id)
    *set_id = id;
  return store_write_done(s, rows);
}

int store_add_path_round(store *s, int64_t run_id, const char *probe,
                         const bn_path_set *ps, const char *set_hash,
                         const char *const *path_hashes,
                         const pathdiff_change *ch, size_t n_ch)
{
  store_path_round r;
  int64_t prev = 0, id = 0;
  size_t i;
  int rc;

  if (!s || !probe || !ps || !ps->target || !set_hash || (n_ch && !ch))
    return BN_EINVAL;
  if (s->writer) {
    rc = store_path_round_copy(ps, run_id, probe, set_hash, path_hashes, &r);
    if (rc == BN_OK)
      rc = store_path_cache_put(s, &r);
    if (rc == BN_OK)
      return store_writer_paths(s, &r, ch, n_ch); /* takes r over */
    store_path_round_free(&r);
    return rc;
  }
  /* the set stored before this one is the one the changes compare to */
  if (n_ch) {
    rc = store_path_last_id(s, ps->target, probe, &prev);
    if (rc < 0)
      return rc;
  }
  rc = store_add_path_set(s, run_id, probe, ps, set_hash, path_hashes, &id);
  for (i = 0; i < n_ch && rc == BN_OK; i++)
    rc = store_add_path_change(s, run_id, id, prev, ps->target, &ch[i],
                               ps->wall_ns);
  return rc;
}

int store_add_event(store *s, int64_t run_id, const char *source,
                    const bn_event *e)
{
  sqlite3_stmt *st;
  int rc;

  if (!source || !e || !e->type)
    return BN_EINVAL;
  if (s && s->writer)
    return store_writer_event(s, run_id, source, e);
  rc = store_write_begin(s);
  if (rc < 0)
    return rc;
  st = store_stmt(s, ST_EVENT);
  if (!st)
    return BN_EIO;
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
  store_bind_text(st, 3, e->target);
  sqlite3_bind_text(st, 4, e->type, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 5, (int)e->severity);
  if (isnan(e->score))
    sqlite3_bind_null(st, 6);
  else
    sqlite3_bind_double(st, 6, e->score);
  store_bind_text(st, 7, e->message);
  sqlite3_bind_int64(st, 8, e->wall_ns ? e->wall_ns : store_now_ns());
  rc = store_exec(s, st, "cannot record an event");
  if (rc < 0)
    return rc;
  return store_write_done(s, 1);
}

int store_add_speedtest(store *s, int64_t run_id, const char *provider,
                        const bn_speedtest_result *r, int64_t wall_ns)
{
  sqlite3_stmt *st;
  int rc;

  if (!provider || !r)
    return BN_EINVAL;
  rc = store_write_begin(s);
  if (rc < 0)
    return rc;
  st = store_stmt(s, ST_SPEEDTEST);
  if (!st)
    return BN_EIO;
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_text(st, 2, provider, -1, SQLITE_STATIC);
  store_bind_text(st, 3, r->target);
  sqlite3_bind_int64(st, 4, wall_ns ? wall_ns : store_now_ns());
  store_bind_measure(st, 5, r->download_bps);
  store_bind_measure(st, 6, r->upload_bps);
  store_bind_measure(st, 7, r->latency_ms);
  store_bind_measure(st, 8, r->jitter_ms);
  /* sqlite integers are signed 64-bit; no transfer comes near 2^63. */
  sqlite3_bind_int64(st, 9, (sqlite3_int64)r->bytes_down);
  sqlite3_bind_int64(st, 10, (sqlite3_int64)r->bytes_up);
  sqlite3_bind_int(st, 11, r->status);
  store_bind_text(st, 12, r->status ? r->error : NULL);
  store_bind_text(st, 13, r->server);
  if (r->streams > 0)
    sqlite3_bind_int(st, 14, r->streams);
  else
    sqlite3_bind_null(st, 14);
  store_bind_measure(st, 15, r->loaded_down_ms);
  store_bind_measure(st, 16, r->loaded_up_ms);
  store_bind_measure(st, 17, r->loss_pct);
  store_bind_measure(st, 18, r->udp_jitter_ms);
  store_bind_measure(st, 19, r->down_ns > 0 ? (double)r->down_ns : -1);
  store_bind_measure(st, 20, r->up_ns > 0 ? (double)r->up_ns : -1);
  rc = store_exec(s, st, "cannot record a speed test");
  if (rc < 0)
    return rc;
  return store_write_done(s, 1);
}

int store_add_speedtest_attempt(store *s, int64_t run_id, const char *provider,
                                const char *server, int attempt,
                                int64_t wall_ns, int64_t duration_ns,
                                int status, const char *error)
{
  sqlite3_stmt *st;
  int rc;

  if (!provider)
    return BN_EINVAL;
  rc = store_write_begin(s);
  if (rc < 0)
    return rc;
  st = store_stmt(s, ST_ATTEMPT);
  if (!st)
    return BN_EIO;
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_text(st, 2, provider, -1, SQLITE_STATIC);
  store_bind_text(st, 3, server);
  sqlite3_bind_int(st, 4, attempt);
  sqlite3_bind_int64(st, 5, wall_ns ? wall_ns : store_now_ns());
  sqlite3_bind_int64(st, 6, duration_ns);
  sqlite3_bind_int(st, 7, status);
  store_bind_text(st, 8, status ? error : NULL);
  rc = store_exec(s, st, "cannot record a speed test attempt");
  if (rc < 0)
    return rc;
  return store_write_done(s, 1);
}

int store_finish_speedtest(store *s, int64_t run_id, const char *provider,
                           const bn_speedtest_result *r, int64_t wall_ns,
                           const char *grade, int attempts)
{
  sqlite3_stmt *st;
  int64_t id;
  int rc = store_add_speedtest(s, run_id, provider, r, wall_ns);

  if (rc < 0)
    return rc;
  id = sqlite3_last_insert_rowid(s->db);
  st = store_stmt(s, ST_SPEEDTEST_FINAL);
  if (!st)
    return BN_EIO;
  sqlite3_bind_int64(st, 1, id);
  store_bind_text(st, 2, grade);
  sqlite3_bind_int(st, 3, attempts);
  rc = store_exec(s, st, "cannot record a speed test");
  if (rc < 0)
    return rc;
  st = store_stmt(s, ST_ATTEMPT_LINK);
  if (!st)
    return BN_EIO;
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_int64(st, 2, id);
  rc = store_exec(s, st, "cannot link speed test attempts");
  if (rc < 0)
    return rc;
  return store_write_done(s, 2);
}

int store_add_path_change(store *s, int64_t run_id, int64_t set_id,
                          int64_t prev_set_id, const char *target,
                          const pathdiff_change *c, int64_t wall_ns)
{
  sqlite3_stmt *st;
  int rc;

  if (!target || !c || !c->kind)
    return BN_EINVAL;
  rc = store_write_begin(s);
  if (rc < 0)
    return rc;
  st = store_stmt(s, ST_PATH_CHANGE);
  if (!st)
    return BN_EIO;
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_int64(st, 2, set_id);
  if (prev_set_id)
    sqlite3_bind_int64(st, 3, prev_set_id);
  else
    sqlite3_bind_null(st, 3);
  sqlite3_bind_text(st, 4, target, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, c->kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 6, c->flow_id);
  sqlite3_bind_int(st, 7, c->ttl);
  store_bind_text(st, 8, c->old_addr);
  store_bind_text(st, 9, c->new_addr);
  store_bind_measure(st, 10, c->old_rtt_ms);
  store_bind_measure(st, 11, c->new_rtt_ms);
  sqlite3_bind_int64(st, 12, wall_ns);
  if (!strcmp(c->kind, "set")) {
    sqlite3_bind_int(st, 13, c->old_n);
    sqlite3_bind_int(st, 14, c->new_n);
  } else {
    sqlite3_bind_null(st, 13);
    sqlite3_bind_null(st, 14);
  }
  rc = store_exec(s, st, "cannot record a path change");
  if (rc < 0)
    return rc;
  return store_write_done(s, 1);
}

static const char *const store_level_name[] = {"info", "warning", "critical"};

int store_add_episode(store *s, int64_t run_id, const char *source,
                      const bn_episode *ep)
{
  sqlite3_stmt *st;
  const char *sev;
  int rc;

  if (!source || !ep)
    return BN_EINVAL;
  if (s && s->writer)
    return store_writer_episode(s, run_id, source, ep);
  rc = store_write_begin(s);
  if (rc < 0)
    return rc;
  st = store_stmt(s, ST_EPISODE);
  if (!st)
    return BN_EIO;
  sev = ep->severity;
  if (!sev)
    sev = store_level_name[ep->level >= BN_SEV_INFO &&
                                   ep->level <= BN_SEV_CRITICAL
                               ? ep->level
                               : 0];
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, (int64_t)ep->id);
  store_bind_text(st, 4, ep->target);
  sqlite3_bind_int64(st, 5, ep->start_ns);
  if (ep->end_ns)
    sqlite3_bind_int64(st, 6, ep->end_ns);
  else
    sqlite3_bind_null(st, 6);
  sqlite3_bind_int(st, 7, (int)ep->level);
  sqlite3_bind_text(st, 8, sev, -1, SQLITE_STATIC);
  if (isnan(ep->peak))
    sqlite3_bind_null(st, 9);
  else
    sqlite3_bind_double(st, 9, ep->peak);
  store_bind_text(st, 10, ep->dominant);
  store_bind_text(st, 11, ep->signals);
  rc = store_exec(s, st, "cannot record an episode");
  if (rc < 0)
    return rc;
  return store_write_done(s, 1);
}

static void store_bind_num(sqlite3_stmt *st, int i, double v)
{
  if (isnan(v))
    sqlite3_bind_null(st, i);
  else
    sqlite3_bind_double(st, i, v);
}

int store_put_baseline(store *s, const char *source, const bn_baseline *b)
{
  sqlite3_stmt *st;
  int rc;

  if (!source || !b || !b->target || !b->probe || !b->metric || !b->kind)
    return BN_EINVAL;
  if (s && s->writer)
    return store_writer_baseline(s, source, b);
  rc = store_write_begin(s);
  if (rc < 0)
    return rc;
  st = store_stmt(s, ST_BASELINE);
  if (!st)
    return BN_EIO;
  sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, b->target, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, b->probe, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, b->metric, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, b->kind, -1, SQLITE_STATIC);
  store_bind_num(st, 6, b->centre);
  store_bind_num(st, 7, b->spread);
  store_bind_num(st, 8, b->loss_rate);
  sqlite3_bind_int64(st, 9, b->since_ns);
  sqlite3_bind_int64(st, 10, (int64_t)b->samples);
  sqlite3_bind_int64(st, 11, b->updated_ns ? b->updated_ns : store_now_ns());
  rc = store_exec(s, st, "cannot record a baseline");
  if (rc < 0)
    return rc;
  return store_write_done(s, 1);
}

static double store_col_num(sqlite3_stmt *st, int i)
{
  return sqlite3_column_type(st, i) == SQLITE_NULL
             ? NAN
             : sqlite3_column_double(st, i);
}

int store_baselines_each(store *s, const char *source, const bn_query *q,
                         bn_baseline_fn fn, void *arg)
{
  sqlite3_stmt *st = NULL;
  bn_baseline b;
  int rc = BN_OK, step;

  if (!s || !fn)
    return BN_EINVAL;
  if (sqlite3_prepare_v2(
          s->db,
          "SELECT source, target, probe, metric, kind, centre, spread, "
          "loss_rate, since_ns, samples, updated_ns FROM baselines WHERE "
          "(?1 IS NULL OR source = ?1) AND (?2 IS NULL OR target = ?2) AND "
          "(?3 IS NULL OR probe = ?3) AND (?4 IS NULL OR metric = ?4) "
          "ORDER BY target, probe, metric, kind, source",
          -1, &st, NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot read baselines",
                      "is the database damaged?");
  store_bind_text(st, 1, source);
  store_bind_text(st, 2, q ? q->target : NULL);
  store_bind_text(st, 3, q ? q->probe : NULL);
  store_bind_text(st, 4, q ? q->metric : NULL);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    memset(&b, 0, sizeof(b));
    b.struct_size = sizeof(b);
    b.source = (const char *)sqlite3_column_text(st, 0);
    b.target = (const char *)sqlite3_column_text(st, 1);
    b.probe = (const char *)sqlite3_column_text(st, 2);
    b.metric = (const char *)sqlite3_column_text(st, 3);
    b.kind = (const char *)sqlite3_column_text(st, 4);
    b.centre = store_col_num(st, 5);
    b.spread = store_col_num(st, 6);
    b.loss_rate = store_col_num(st, 7);
    b.since_ns = sqlite3_column_int64(st, 8);
    b.samples = (uint64_t)sqlite3_column_int64(st, 9);
    b.updated_ns = sqlite3_column_int64(st, 10);
    if (fn(&b, arg) != 0)
      break;
  }
  if (step != SQLITE_ROW && step != SQLITE_DONE)
    rc = store_fail(s->path, s->db, "cannot read baselines",
                    "is the database damaged?");
  sqlite3_finalize(st);
  return rc;
}

int store_add_check(store *s, int64_t run_id, const char *name,
                    const char *target, const char *status, const char *reason,
                    double value, int64_t wall_ns)
{
  sqlite3_stmt *st;
  int rc;

  if (!name || !status)
    return BN_EINVAL;
  rc = store_write_begin(s);
  if (rc < 0)
    return rc;
  st = store_stmt(s, ST_CHECK);
  if (!st)
    return BN_EIO;
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
  store_bind_text(st, 3, target);
  sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
  store_bind_text(st, 5, reason);
  if (isnan(value))
    sqlite3_bind_null(st, 6);
  else
    sqlite3_bind_double(st, 6, value);
  sqlite3_bind_int64(st, 7, wall_ns);
  rc = store_exec(s, st, "cannot record a check");
  if (rc < 0)
    return rc;
  return store_write_done(s, 1);
}
