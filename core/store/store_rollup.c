/*
 * store_rollup.c - per-minute rollups of every series, kept as samples
 * are written, so that reports over days of 1 Hz samples read a few
 * hundred thousand rows rather than millions (docs/reports.md).
 *
 * A rollup row is (series, run, minute): probes sent, lost, invalid,
 * late and duplicate answers, the received values' count, sum, sum of
 * squares, minimum and maximum, the sum and count of absolute
 * differences between consecutive received values (jitter), and a
 * quantile sketch (hist.h: 1 % relative error) for percentiles.  Every field
 * merges by addition (or min/max), so minutes add up to any range.
 *
 * Samples are counted into one accumulator per (series, run) in memory;
 * an accumulator is written (an upsert that adds to the stored row) when
 * its minute changes and before every commit, inside the same
 * transaction as the samples it counts: a lost batch loses both.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "log.h"
#include "stat_acc.h"
#include "store_int.h"

#define ROLLUP_NS 60000000000LL
struct store_rollup_acc {
  int64_t series_id, run_id, minute;
  int used, dirty;
  stat_acc a;
};

/* ---- SQL functions ------------------------------------------------------ */

static void rollup_result_hist(sqlite3_context *cx, const hist *h)
{
  unsigned char *buf = sqlite3_malloc64(hist_encode_bound(h));

  if (!buf) {
    sqlite3_result_error_nomem(cx);
    return;
  }
  sqlite3_result_blob(cx, buf, (int)hist_encode(h, buf), sqlite3_free);
}

/* bn_hist(value): the sketch of a column's non-NULL values. */
static void fn_hist_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
  hist *h = sqlite3_aggregate_context(cx, sizeof(hist));

  (void)argc;
  if (h && sqlite3_value_type(argv[0]) != SQLITE_NULL &&
      hist_add(h, sqlite3_value_double(argv[0])) < 0)
    sqlite3_result_error_nomem(cx);
}

static void fn_hist_final(sqlite3_context *cx)
{
  hist *h = sqlite3_aggregate_context(cx, sizeof(hist));

  if (h) {
    rollup_result_hist(cx, h);
    hist_free(h);
  }
}

/* bn_hist_merge(blob): the sum of sketches. */
static void fn_merge_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
  hist *h = sqlite3_aggregate_context(cx, sizeof(hist));

  (void)argc;
  if (h && sqlite3_value_type(argv[0]) == SQLITE_BLOB &&
      hist_merge_blob(h, sqlite3_value_blob(argv[0]),
                      (size_t)sqlite3_value_bytes(argv[0])) != 0)
    sqlite3_result_error(cx, "malformed quantile sketch", -1);
}

/* bn_hist_add(a, b): two sketches added (NULL counts as empty). */
static void fn_hist_add(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
  hist h;
  int i;

  memset(&h, 0, sizeof(h));
  for (i = 0; i < argc; i++)
    if (sqlite3_value_type(argv[i]) == SQLITE_BLOB &&
        hist_merge_blob(&h, sqlite3_value_blob(argv[i]),
                        (size_t)sqlite3_value_bytes(argv[i])) != 0) {
      sqlite3_result_error(cx, "malformed quantile sketch", -1);
      hist_free(&h);
      return;
    }
  rollup_result_hist(cx, &h);
  hist_free(&h);
}

/* bn_hist_v1(blob): a schema-4 histogram as a sketch (the 4 -> 5
 * migration, for minutes whose samples are gone). */
static void fn_hist_v1(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
  hist h;

  (void)argc;
  if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) {
    sqlite3_result_null(cx);
    return;
  }
  memset(&h, 0, sizeof(h));
  if (hist_merge_blob_v1(&h, sqlite3_value_blob(argv[0]),
                         (size_t)sqlite3_value_bytes(argv[0])) != 0)
    sqlite3_result_error(cx, "malformed schema-4 histogram", -1);
  else
    rollup_result_hist(cx, &h);
  hist_free(&h);
}

int store_rollup_functions(sqlite3 *db)
{
  const int f = SQLITE_UTF8 | SQLITE_DETERMINISTIC;

  if (sqlite3_create_function(db, "bn_hist", 1, f, NULL, NULL, fn_hist_step,
                              fn_hist_final) != SQLITE_OK ||
      sqlite3_create_function(db, "bn_hist_merge", 1, f, NULL, NULL,
                              fn_merge_step, fn_hist_final) != SQLITE_OK ||
      sqlite3_create_function(db, "bn_hist_add", 2, f, NULL, fn_hist_add, NULL,
                              NULL) != SQLITE_OK ||
      sqlite3_create_function(db, "bn_hist_v1", 1, f, NULL, fn_hist_v1, NULL,
                              NULL) != SQLITE_OK)
    return BN_ERR;
  return BN_OK;
}

/* ---- accumulators ------------------------------------------------------- */

static const char rollup_upsert_sql[] =
    "INSERT INTO rollups (series_id, run_id, minute, sent, lost, invalid,"
    "  late, dup, n, sum, sumsq, min, max, jit_sum, jit_n, hist)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (series_id, run_id, minute) DO UPDATE SET"
    "  sent = sent + excluded.sent, lost = lost + excluded.lost,"
    "  invalid = invalid + excluded.invalid, late = late + excluded.late,"
    "  dup = dup + excluded.dup, n = n + excluded.n,"
    "  sum = sum + excluded.sum, sumsq = sumsq + excluded.sumsq,"
    "  min = min(coalesce(min, excluded.min), coalesce(excluded.min, min)),"
    "  max = max(coalesce(max, excluded.max), coalesce(excluded.max, max)),"
    "  jit_sum = jit_sum + excluded.jit_sum, jit_n = jit_n + excluded.jit_n,"
    "  hist = bn_hist_add(hist, excluded.hist)";

static void rollup_reset(store_rollup_acc *r)
{
  r->dirty = 0;
  stat_acc_reset(&r->a);
}

/* Write one accumulator (adding to the stored minute) and clear it. */
static int rollup_write(store *s, store_rollup_acc *r)
{
  unsigned char *buf;
  const stat_acc *a = &r->a;
  sqlite3_stmt *st;
  int rc;

  if (!r->dirty)
    return BN_OK;
  if (!s->rollup_stmt &&
      sqlite3_prepare_v3(s->db, rollup_upsert_sql, -1,
                         SQLITE_PREPARE_PERSISTENT, &s->rollup_stmt,
                         NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot prepare the rollup update",
                      "please report this as a bug");
  buf = sqlite3_malloc64(hist_encode_bound(&a->h));
  if (!buf)
    return BN_ENOMEM;
  st = s->rollup_stmt;
  sqlite3_bind_int64(st, 1, r->series_id);
  sqlite3_bind_int64(st, 2, r->run_id);
  sqlite3_bind_int64(st, 3, r->minute);
  sqlite3_bind_int64(st, 4, (sqlite3_int64)a->sent);
  sqlite3_bind_int64(st, 5, (sqlite3_int64)a->lost);
  sqlite3_bind_int64(st, 6, (sqlite3_int64)a->invalid);
  sqlite3_bind_int64(st, 7, (sqlite3_int64)a->late);
  sqlite3_bind_int64(st, 8, (sqlite3_int64)a->dup);
  sqlite3_bind_int64(st, 9, (sqlite3_int64)a->n);
  sqlite3_bind_double(st, 10, a->sum);
  sqlite3_bind_double(st, 11, a->sumsq);
  if (a->n) {
    sqlite3_bind_double(st, 12, a->min);
    sqlite3_bind_double(st, 13, a->max);
  } else {
    sqlite3_bind_null(st, 12);
    sqlite3_bind_null(st, 13);
  }
  sqlite3_bind_double(st, 14, a->jit_sum);
  sqlite3_bind_int64(st, 15, (sqlite3_int64)a->jit_n);
  sqlite3_bind_blob(st, 16, buf, (int)hist_encode(&a->h, buf), sqlite3_free);
  rc = sqlite3_step(st) == SQLITE_DONE
           ? BN_OK
           : store_fail(s->path, s->db, "cannot update a rollup",
                        "check free disk space");
  sqlite3_reset(st);
  rollup_reset(r);
  return rc;
}

static size_t rollup_hash(int64_t series_id, int64_t run_id)
{
  return (size_t)((uint64_t)series_id * 0x9e3779b97f4a7c15ULL ^
                  (uint64_t)run_id);
}

/* The accumulator of (series, run), created on first use.  The table
 * holds pointers: growing a table of accumulators would copy them all
 * and, for a moment, need twice the memory of every series at once;
 * this way it moves 8 bytes each. */
static store_rollup_acc *rollup_slot(store *s, int64_t series_id,
                                     int64_t run_id)
{
  store_rollup_acc *a;
  size_t i, mask;

  if (s->rollup_len * 2 >= s->rollup_cap) {
    size_t cap = s->rollup_cap ? s->rollup_cap * 2 : 64, j;
    store_rollup_acc **tab = calloc(cap, sizeof(*tab));

    if (!tab)
      return NULL;
    for (j = 0; j < s->rollup_cap; j++) {
      store_rollup_acc *o = s->rollup[j];

      if (!o)
        continue;
      i = rollup_hash(o->series_id, o->run_id);
      while (tab[i & (cap - 1)])
        i++;
      tab[i & (cap - 1)] = o;
    }
    free(s->rollup);
    s->rollup = tab;
    s->rollup_cap = cap;
  }
  mask = s->rollup_cap - 1;
  for (i = rollup_hash(series_id, run_id);; i++) {
    a = s->rollup[i & mask];
    if (!a)
      break;
    if (a->series_id == series_id && a->run_id == run_id)
      return a;
  }
  a = calloc(1, sizeof(*a));
  if (!a)
    return NULL;
  a->used = 1;
  a->series_id = series_id;
  a->run_id = run_id;
  a->minute = INT64_MIN;
  rollup_reset(a);
  s->rollup[i & mask] = a;
  s->rollup_len++;
  return a;
}

int store_rollup_add(store *s, int64_t series_id, int64_t run_id,
                     const bn_sample *smp)
{
  store_rollup_acc *r = rollup_slot(s, series_id, run_id);
  int64_t minute;
  int rc;

  if (!r)
    return BN_ENOMEM;
  /* floor division: wall times before 1970 stay in their minute */
  minute = smp->wall_ns / ROLLUP_NS - (smp->wall_ns % ROLLUP_NS < 0);
  if (minute != r->minute) {
    rc = rollup_write(s, r);
    if (rc < 0)
      return rc;
    r->minute = minute;
  }
  r->dirty = 1;
  stat_acc_add(&r->a, smp->value, smp->flags);
  return BN_OK;
}

int store_rollup_flush(store *s)
{
  size_t i;
  int rc;

  for (i = 0; i < s->rollup_cap; i++)
    if (s->rollup[i] && (rc = rollup_write(s, s->rollup[i])) < 0)
      return rc;
  return BN_OK;
}

void store_rollup_discard(store *s)
{
  size_t i;

  for (i = 0; i < s->rollup_cap; i++)
    if (s->rollup[i])
      rollup_reset(s->rollup[i]);
}

void store_rollup_free(store *s)
{
  size_t i;

  sqlite3_finalize(s->rollup_stmt);
  s->rollup_stmt = NULL;
  for (i = 0; i < s->rollup_cap; i++) {
    if (s->rollup[i])
      stat_acc_free(&s->rollup[i]->a);
    free(s->rollup[i]);
  }
  free(s->rollup);
  s->rollup = NULL;
  s->rollup_cap = s->rollup_len = 0;
}

int store_rollup_rebuild(store *s)
{
  int rc;

  if (!s || s->readonly)
    return BN_EINVAL;
  rc = store_flush(s);
  if (rc < 0)
    return rc;
  store_rollup_discard(s);
  if (sqlite3_exec(
          s->db,
          /* only the minutes whose samples are still there: those of
           * compacted ranges (store_compact.c) cannot be counted again */
          "BEGIN IMMEDIATE; DELETE FROM rollups WHERE EXISTS (SELECT 1 "
          "FROM samples s WHERE s.series_id = rollups.series_id AND "
          "s.wall_ns >= rollups.minute * 60000000000 AND s.wall_ns < "
          "(rollups.minute + 1) * 60000000000 AND s.run_id = "
          "rollups.run_id); " STORE_ROLLUP_BACKFILL "; COMMIT",
          NULL, NULL, NULL) != SQLITE_OK) {
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return store_fail(s->path, s->db, "cannot rebuild the rollups",
                      "check free disk space");
  }
  return BN_OK;
}
