/*
 * store_compact.c - retention: raw samples older than the raw age are
 * deleted once their minute has a rollup; minute rollups older than the
 * minute age are merged (with the same mergeable sketch, hist.h) into
 * hour rollups in the same transaction that deletes them; hour rollups
 * older than the hour age are deleted.  What went is counted per series
 * and kind in `compacted`, so that reports know a range has no raw
 * samples any more.
 *
 * The work is cut into steps: each is one transaction over one series
 * at a time, with statements whose size (rows, hours) adapts so that a
 * step stays near its time budget; a run calls one step per tick of its
 * loop.  A step never waits for the write lock: when another connection
 * holds it the step returns BN_EAGAIN at once.  Nothing is lost by a
 * kill: the deletions and the rows that replace them commit together.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store_int.h"

/* Imported runs (CSV, NAB, simulations: runs.kind other than
 * "measured") are kept whole by the retention (docs/history.md). */
#define MEASURED_ONLY                                                         \
  " AND run_id NOT IN (SELECT id FROM runs WHERE kind <> 'measured')"

#define MINUTE_NS 60000000000LL
#define HOUR_NS   3600000000000LL

/* floor(a / b) for b > 0 */
static int64_t floordiv(int64_t a, int64_t b)
{
  return a / b - (a % b < 0);
}

void store_retention_cuts(const store_retention *r, int64_t now_ns,
                          store_cuts *out)
{
  out->raw_ns = floordiv(now_ns - r->raw_ns, MINUTE_NS) * MINUTE_NS;
  out->minute = floordiv(now_ns - r->minute_ns, HOUR_NS) * 60;
  out->hour = floordiv(now_ns - r->hour_ns, HOUR_NS);
}

static int64_t mono_ns(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void range_init(store_compact_range *r)
{
  r->rows = 0;
  r->first_ns = INT64_MAX;
  r->last_ns = INT64_MIN;
}

static void range_add(store_compact_range *r, int64_t rows, int64_t first,
                      int64_t last)
{
  if (rows <= 0)
    return;
  r->rows += rows;
  if (first < r->first_ns)
    r->first_ns = first;
  if (last > r->last_ns)
    r->last_ns = last;
}

void store_compact_init(store_compactor *c, const store_cuts *cuts,
                        int64_t budget_ns)
{
  memset(c, 0, sizeof(*c));
  c->cuts = *cuts;
  c->k_raw = 1000;
  c->k_hours = 6;
  c->budget_ns = budget_ns > 0 ? budget_ns : 20000000;
  range_init(&c->st.raw);
  range_init(&c->st.minute);
  range_init(&c->st.hour);
}

/* One prepared statement, finalized by the caller. */
static int prep(store *s, const char *sql, sqlite3_stmt **st)
{
  if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot prepare a compaction query",
                      "please report this as a bug");
  return BN_OK;
}

/* The next series id after `after`, 0 when none. */
static int next_series(store *s, int64_t after, int64_t *id)
{
  sqlite3_stmt *st = NULL;
  int rc =
      prep(s, "SELECT id FROM series WHERE id > ?1 ORDER BY id LIMIT 1", &st);

  if (rc < 0)
    return rc;
  sqlite3_bind_int64(st, 1, after);
  rc = sqlite3_step(st);
  *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  rc = rc == SQLITE_ROW || rc == SQLITE_DONE
           ? BN_OK
           : store_fail(s->path, s->db, "cannot read the series",
                        "check the disk");
  sqlite3_finalize(st);
  return rc;
}

static int note_compacted(store *s, int64_t series, const char *kind,
                          int64_t rows, int64_t first, int64_t last)
{
  sqlite3_stmt *st = NULL;
  int rc;

  if (rows <= 0)
    return BN_OK;
  rc = prep(s,
            "INSERT INTO compacted (series_id, kind, rows, first_ns, "
            "last_ns, updated_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
            "ON CONFLICT (series_id, kind) DO UPDATE SET "
            "rows = rows + excluded.rows, "
            "first_ns = min(first_ns, excluded.first_ns), "
            "last_ns = max(last_ns, excluded.last_ns), "
            "updated_ns = excluded.updated_ns",
            &st);
  if (rc < 0)
    return rc;
  sqlite3_bind_int64(st, 1, series);
  sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, rows);
  sqlite3_bind_int64(st, 4, first);
  sqlite3_bind_int64(st, 5, last);
  sqlite3_bind_int64(st, 6, (int64_t)time(NULL) * 1000000000LL);
  rc = sqlite3_step(st) == SQLITE_DONE
           ? BN_OK
           : store_fail(s->path, s->db, "cannot record a compaction",
                        "check free disk space");
  sqlite3_finalize(st);
  return rc;
}

/* Raw samples of one series older than the cut whose minute is rolled
 * up (in a minute or an hour rollup): at most c->k_raw of them, oldest
 * first.  *full: the limit was reached (more may be left). */
static int raw_some(store *s, store_compactor *c, int64_t series, int *full)
{
  sqlite3_stmt *st = NULL;
  int64_t n = 0, lo = INT64_MAX, hi = INT64_MIN;
  int rc = prep(
      s,
      "DELETE FROM samples WHERE rowid IN (SELECT sa.rowid FROM samples sa "
      "WHERE sa.series_id = ?1 AND sa.wall_ns < ?2 AND sa.run_id NOT IN "
      "(SELECT id FROM runs WHERE kind <> 'measured') AND (EXISTS (SELECT 1 "
      "FROM rollups r WHERE r.series_id = sa.series_id AND r.run_id = "
      "sa.run_id AND r.minute = (sa.wall_ns - ((sa.wall_ns % 60000000000) + "
      "60000000000) % 60000000000) / 60000000000) OR EXISTS (SELECT 1 FROM "
      "rollups_hour h WHERE h.series_id = sa.series_id AND h.run_id = "
      "sa.run_id AND h.hour = (sa.wall_ns - ((sa.wall_ns % 3600000000000) + "
      "3600000000000) % 3600000000000) / 3600000000000)) "
      "ORDER BY sa.wall_ns LIMIT ?3) RETURNING wall_ns",
      &st);

  if (rc < 0)
    return rc;
  sqlite3_bind_int64(st, 1, series);
  sqlite3_bind_int64(st, 2, c->cuts.raw_ns);
  sqlite3_bind_int64(st, 3, c->k_raw);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t w = sqlite3_column_int64(st, 0);

    n++;
    if (w < lo)
      lo = w;
    if (w > hi)
      hi = w;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return store_fail(s->path, s->db, "cannot delete old samples",
                      "check free disk space");
  *full = n >= c->k_raw;
  range_add(&c->st.raw, n, lo, hi);
  return note_compacted(s, series, "raw", n, lo, hi);
}

/* The oldest minute (or hour) of a series below the cut; 0 when none. */
static int oldest(store *s, const char *sql, int64_t series, int64_t cut,
                  int64_t *first)
{
  sqlite3_stmt *st = NULL;
  int rc = prep(s, sql, &st), found = 0;

  if (rc < 0)
    return rc;
  sqlite3_bind_int64(st, 1, series);
  sqlite3_bind_int64(st, 2, cut);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
    *first = sqlite3_column_int64(st, 0);
    found = 1;
  }
  rc = rc == SQLITE_ROW || rc == SQLITE_DONE
           ? BN_OK
           : store_fail(s->path, s->db, "cannot read the rollups",
                        "check the disk");
  sqlite3_finalize(st);
  return rc < 0 ? rc : found;
}

/* Merge up to c->k_hours hours of one series' minute rollups older than
 * the cut into hour rollups, and delete them.  *full: more may be left. */
static int minutes_some(store *s, store_compactor *c, int64_t series,
                        int *full)
{
  sqlite3_stmt *st = NULL;
  int64_t m0 = 0, lo, hi, n, first, last;
  int rc;

  rc = oldest(s,
              "SELECT min(minute) FROM rollups WHERE series_id = ?1 AND "
              "minute < ?2" MEASURED_ONLY,
              series, c->cuts.minute, &m0);
  *full = 0;
  if (rc <= 0)
    return rc;
  lo = floordiv(m0, 60) * 60;
  hi = lo + c->k_hours * 60;
  if (hi >= c->cuts.minute)
    hi = c->cuts.minute;
  else
    *full = 1;
  rc = prep(s,
            "SELECT count(*), min(minute), max(minute) FROM rollups WHERE "
            "series_id = ?1 AND minute >= ?2 AND minute < ?3" MEASURED_ONLY,
            &st);
  if (rc < 0)
    return rc;
  sqlite3_bind_int64(st, 1, series);
  sqlite3_bind_int64(st, 2, lo);
  sqlite3_bind_int64(st, 3, hi);
  if (sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    return store_fail(s->path, s->db, "cannot read the rollups",
                      "check the disk");
  }
  n = sqlite3_column_int64(st, 0);
  first = sqlite3_column_int64(st, 1) * MINUTE_NS;
  last = sqlite3_column_int64(st, 2) * MINUTE_NS;
  sqlite3_finalize(st);
  rc = prep(
      s,
      "INSERT INTO rollups_hour (series_id, run_id, hour, sent, lost, "
      "invalid, late, dup, n, sum, sumsq, min, max, jit_sum, jit_n, hist) "
      "SELECT series_id, run_id, (minute - ((minute % 60) + 60) % 60) / 60 AS "
      "hr, sum(sent), sum(lost), sum(invalid), sum(late), sum(dup), sum(n), "
      "sum(sum), sum(sumsq), min(min), max(max), sum(jit_sum), sum(jit_n), "
      "bn_hist_merge(hist) FROM rollups WHERE series_id = ?1 AND minute >= "
      "?2 AND minute < ?3" MEASURED_ONLY " GROUP BY run_id, hr "
      "ON CONFLICT (series_id, run_id, hour) DO UPDATE SET"
      "  sent = sent + excluded.sent, lost = lost + excluded.lost,"
      "  invalid = invalid + excluded.invalid, late = late + excluded.late,"
      "  dup = dup + excluded.dup, n = n + excluded.n,"
      "  sum = sum + excluded.sum, sumsq = sumsq + excluded.sumsq,"
      "  min = min(coalesce(min, excluded.min), coalesce(excluded.min, min)),"
      "  max = max(coalesce(max, excluded.max), coalesce(excluded.max, max)),"
      "  jit_sum = jit_sum + excluded.jit_sum, jit_n = jit_n + "
      "excluded.jit_n, hist = bn_hist_add(hist, excluded.hist)",
      &st);
  if (rc < 0)
    return rc;
  sqlite3_bind_int64(st, 1, series);
  sqlite3_bind_int64(st, 2, lo);
  sqlite3_bind_int64(st, 3, hi);
  rc = sqlite3_step(st);
  c->st.hours_written += sqlite3_changes(s->db);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return store_fail(s->path, s->db, "cannot merge minute rollups",
                      "check free disk space");
  rc = prep(s,
            "DELETE FROM rollups WHERE series_id = ?1 AND minute >= ?2 "
            "AND minute < ?3" MEASURED_ONLY,
            &st);
  if (rc < 0)
    return rc;
  sqlite3_bind_int64(st, 1, series);
  sqlite3_bind_int64(st, 2, lo);
  sqlite3_bind_int64(st, 3, hi);
  rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return store_fail(s->path, s->db, "cannot delete minute rollups",
                      "check free disk space");
  range_add(&c->st.minute, n, first, last);
  return note_compacted(s, series, "minute", n, first, last);
}

/* Delete up to c->k_hours * 24 hours of one series' hour rollups older
 * than the cut. */
static int hours_some(store *s, store_compactor *c, int64_t series, int *full)
{
  sqlite3_stmt *st = NULL;
  int64_t h0 = 0, hi, n = 0, lo_h = INT64_MAX, hi_h = INT64_MIN;
  int rc;

  rc = oldest(s,
              "SELECT min(hour) FROM rollups_hour WHERE series_id = ?1 AND "
              "hour < ?2" MEASURED_ONLY,
              series, c->cuts.hour, &h0);
  *full = 0;
  if (rc <= 0)
    return rc;
  hi = h0 + c->k_hours * 24;
  if (hi >= c->cuts.hour)
    hi = c->cuts.hour;
  else
    *full = 1;
  rc = prep(s,
            "DELETE FROM rollups_hour WHERE series_id = ?1 AND hour >= ?2 "
            "AND hour < ?3" MEASURED_ONLY " RETURNING hour",
            &st);
  if (rc < 0)
    return rc;
  sqlite3_bind_int64(st, 1, series);
  sqlite3_bind_int64(st, 2, h0);
  sqlite3_bind_int64(st, 3, hi);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t h = sqlite3_column_int64(st, 0);

    n++;
    if (h < lo_h)
      lo_h = h;
    if (h > hi_h)
      hi_h = h;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return store_fail(s->path, s->db, "cannot delete hour rollups",
                      "check free disk space");
  if (!n)
    return BN_OK;
  range_add(&c->st.hour, n, lo_h * HOUR_NS, hi_h * HOUR_NS);
  return note_compacted(s, series, "hour", n, lo_h * HOUR_NS, hi_h * HOUR_NS);
}

static int pragma_int(store *s, const char *sql, int64_t *v)
{
  sqlite3_stmt *st = NULL;
  int rc = prep(s, sql, &st);

  if (rc < 0)
    return rc;
  rc = sqlite3_step(st);
  *v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? BN_OK
                          : store_fail(s->path, s->db, "cannot read a pragma",
                                       "check the disk");
}

int64_t store_page_size(store *s)
{
  int64_t v = 0;

  return pragma_int(s, "PRAGMA page_size", &v) == BN_OK ? v : 4096;
}

int store_space(store *s, int64_t *used, int64_t *free_bytes, int *vacuum)
{
  int64_t pages = 0, fl = 0, av = 0, ps = store_page_size(s);
  int rc = pragma_int(s, "PRAGMA page_count", &pages);

  if (rc == BN_OK)
    rc = pragma_int(s, "PRAGMA freelist_count", &fl);
  if (rc == BN_OK)
    rc = pragma_int(s, "PRAGMA auto_vacuum", &av);
  if (rc < 0)
    return rc;
  if (used)
    *used = (pages - fl) * ps;
  if (free_bytes)
    *free_bytes = fl * ps;
  if (vacuum)
    *vacuum = (int)av;
  return BN_OK;
}

/* Give up to n free pages back; *left: free pages left. */
static int vacuum_some(store *s, store_compactor *c, int64_t n, int64_t *left)
{
  char sql[64];
  int64_t before = 0, after = 0;
  int rc = pragma_int(s, "PRAGMA freelist_count", &before);

  if (rc < 0)
    return rc;
  if (before > 0) {
    snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%lld)",
             (long long)n);
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
      return store_fail(s->path, s->db, "cannot vacuum",
                        "check free disk space");
    rc = pragma_int(s, "PRAGMA freelist_count", &after);
    if (rc < 0)
      return rc;
    c->st.vacuumed += (before - after) * store_page_size(s);
  }
  *left = after;
  return BN_OK;
}

/* Make the statement sizes follow the time one took. */
static void adapt(int64_t *k, int64_t took, int64_t budget, int full,
                  int64_t max)
{
  if (took > budget / 4 && *k > 1)
    *k /= 2;
  else if (full && took < budget / 16 && *k < max)
    *k *= 2;
}

int store_compact_step(store *s, store_compactor *c)
{
  int64_t t0 = mono_ns(), t, took;
  int rc = BN_OK, full = 0, av = 0;

  if (!s || s->readonly)
    return BN_EINVAL;
  if (c->phase >= 4)
    return 0;
  rc = store_flush(s);
  if (rc < 0)
    return rc;
  /* Never wait for the lock: the loop must go on. */
  sqlite3_busy_timeout(s->db, 0);
  if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
    int ec = sqlite3_errcode(s->db) & 0xff;

    sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
    if (ec == SQLITE_BUSY || ec == SQLITE_LOCKED)
      return BN_EAGAIN;
    return store_fail(s->path, s->db, "cannot start a compaction step",
                      "check the disk");
  }
  sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
  /* A commit here must not run a checkpoint inside the step: in a run
   * the writer's connection does those, by hand store_compact_checkpoint
   * between steps. */
  sqlite3_wal_autocheckpoint(s->db, 0);
  do {
    t = mono_ns();
    if (c->phase == 3) {
      int64_t left = 0;

      rc = store_space(s, NULL, NULL, &av);
      if (rc == BN_OK && av == 2)
        rc = vacuum_some(s, c, c->k_raw / 4 + 16, &left);
      took = mono_ns() - t;
      adapt(&c->k_raw, took, c->budget_ns, 1, 1 << 20);
      if (rc == BN_OK && (av != 2 || left == 0))
        c->phase = 4;
      break; /* vacuum: one statement per step */
    }
    if (c->series == 0) {
      rc = next_series(s, 0, &c->series);
      if (rc < 0)
        break;
      if (c->series == 0) { /* no series at all */
        c->phase = 3;
        continue;
      }
    }
    if (c->phase == 0)
      rc = raw_some(s, c, c->series, &full);
    else if (c->phase == 1)
      rc = minutes_some(s, c, c->series, &full);
    else
      rc = hours_some(s, c, c->series, &full);
    if (rc < 0)
      break;
    took = mono_ns() - t;
    if (c->phase == 0)
      adapt(&c->k_raw, took, c->budget_ns, full, 1 << 20);
    else
      adapt(&c->k_hours, took, c->budget_ns, full, 24 * 366);
    if (!full) {
      int64_t next = 0;

      rc = next_series(s, c->series, &next);
      if (rc < 0)
        break;
      c->series = next;
      if (!next) {
        c->phase++;
        /* reset the step sizes: each phase has its own cost */
        if (c->phase == 3)
          c->k_raw = 64;
      }
    }
  } while (c->phase < 3 && mono_ns() - t0 < c->budget_ns / 2);
  if (rc == BN_OK &&
      sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    rc = store_fail(s->path, s->db, "cannot commit a compaction step",
                    "check free disk space");
  if (rc < 0)
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
  /* autocheckpoint back on for other writes (store_wal_budget's) */
  sqlite3_wal_autocheckpoint(
      s->db, s->wal_budget > 0 ? (int)(s->wal_budget / 4096) : 1000);
  if (rc < 0)
    return rc;
  took = mono_ns() - t0;
  if (took > 2 * c->budget_ns)
    log_debug("store",
              "%s: compaction step %lld (phase %d, %lld rows or %lld hours a "
              "statement) took %.1f ms",
              s->path, (long long)c->st.steps, c->phase, (long long)c->k_raw,
              (long long)c->k_hours, (double)took / 1e6);
  c->st.steps++;
  if (took > 50000000)
    c->st.slow++;
  if (took > c->st.longest_ns)
    c->st.longest_ns = took;
  return c->phase < 4;
}

static int plan_range(store *s, const char *sql, int64_t cut, int64_t unit,
                      store_compact_range *r)
{
  sqlite3_stmt *st = NULL;
  int rc = prep(s, sql, &st);

  if (rc < 0)
    return rc;
  sqlite3_bind_int64(st, 1, cut);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0)
    range_add(r, sqlite3_column_int64(st, 0),
              sqlite3_column_int64(st, 1) * unit,
              sqlite3_column_int64(st, 2) * unit);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? BN_OK
                          : store_fail(s->path, s->db, "cannot count rows",
                                       "check the disk");
}

int store_compact_plan(store *s, const store_cuts *cuts,
                       store_compact_stats *out)
{
  sqlite3_stmt *st = NULL;
  int64_t id = 0;
  int rc;

  memset(out, 0, sizeof(*out));
  range_init(&out->raw);
  range_init(&out->minute);
  range_init(&out->hour);
  rc = store_flush(s);
  /* raw: per series through the (series_id, wall_ns) index; rows whose
   * minute has no rollup stay (counted apart) */
  if (rc == BN_OK)
    rc = prep(s,
              "SELECT count(*), min(wall_ns), max(wall_ns), "
              "sum(NOT EXISTS (SELECT 1 FROM rollups r WHERE r.series_id = "
              "sa.series_id AND r.run_id = sa.run_id AND r.minute = "
              "(sa.wall_ns - ((sa.wall_ns % 60000000000) + 60000000000) % "
              "60000000000) / 60000000000) AND NOT EXISTS (SELECT 1 FROM "
              "rollups_hour h WHERE h.series_id = sa.series_id AND "
              "h.run_id = sa.run_id AND h.hour = (sa.wall_ns - "
              "((sa.wall_ns % 3600000000000) + 3600000000000) % "
              "3600000000000) / 3600000000000)) "
              "FROM samples sa WHERE series_id = ?1 AND wall_ns < ?2 AND "
              "run_id NOT IN (SELECT id FROM runs WHERE kind <> 'measured')",
              &st);
  while (rc == BN_OK && (rc = next_series(s, id, &id)) == BN_OK && id) {
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, cuts->raw_ns);
    if (sqlite3_step(st) != SQLITE_ROW) {
      rc =
          store_fail(s->path, s->db, "cannot count samples", "check the disk");
      break;
    }
    if (sqlite3_column_int64(st, 0) > 0) {
      int64_t kept = sqlite3_column_int64(st, 3);

      out->raw_kept += kept;
      range_add(&out->raw, sqlite3_column_int64(st, 0) - kept,
                sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2));
    }
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  if (rc == BN_OK)
    rc = plan_range(s,
                    "SELECT count(*), min(minute), max(minute) FROM rollups "
                    "WHERE minute < ?1" MEASURED_ONLY,
                    cuts->minute, MINUTE_NS, &out->minute);
  if (rc == BN_OK) {
    int64_t v = 0;

    rc = prep(s,
              "SELECT count(*) FROM (SELECT DISTINCT series_id, run_id, "
              "(minute - ((minute % 60) + 60) % 60) / 60 FROM rollups WHERE "
              "minute < ?1" MEASURED_ONLY ")",
              &st);
    if (rc == BN_OK) {
      sqlite3_bind_int64(st, 1, cuts->minute);
      if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
      sqlite3_finalize(st);
    }
    out->hours_written = v;
  }
  if (rc == BN_OK)
    rc = plan_range(s,
                    "SELECT count(*), min(hour), max(hour) FROM rollups_hour "
                    "WHERE hour < ?1" MEASURED_ONLY,
                    cuts->hour, HOUR_NS, &out->hour);
  return rc;
}

int store_vacuum_full(store *s)
{
  int rc = store_flush(s);

  if (rc < 0)
    return rc;
  if (sqlite3_exec(s->db,
                   "PRAGMA auto_vacuum = INCREMENTAL; VACUUM; "
                   "PRAGMA wal_checkpoint(TRUNCATE)",
                   NULL, NULL, NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot vacuum",
                      "it needs as much free disk space as the file "
                      "takes; free some and try again");
  return BN_OK;
}

int64_t store_table_bytes(store *s, const char *table)
{
  sqlite3_stmt *st = NULL;
  int64_t v = -1;

  /* dbstat walks the b-trees: an estimate for dry runs, not for loops */
  if (sqlite3_prepare_v2(s->db,
                         "SELECT sum(pgsize) FROM dbstat WHERE aggregate = 1 "
                         "AND name IN (SELECT name FROM sqlite_master WHERE "
                         "tbl_name = ?1)",
                         -1, &st, NULL) != SQLITE_OK) {
    sqlite3_finalize(st);
    return -1;
  }
  sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
  if (sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

int64_t store_table_rows(store *s, const char *table)
{
  char sql[128];
  sqlite3_stmt *st = NULL;
  int64_t v = -1;

  snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", table);
  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

int store_compact_checkpoint(store *s)
{
  if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot checkpoint the WAL",
                      "check free disk space");
  return BN_OK;
}
