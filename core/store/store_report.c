/*
 * store_report.c - the sections of the report model, read from the
 * store (see store_report.h).  Latency statistics come from per-bucket
 * accumulators that merge either raw samples (short ranges) or rollup
 * minutes (long ones): count, sum, sum of squares, extremes, jitter
 * sums and a quantile sketch all add up, so both paths give the same
 * kind of numbers.  Percentiles are exact where the samples are read
 * (docs/metrics.md: linear interpolation between closest ranks); from
 * rollups they come from the sketch (hist.h: within 1 %) and carry no
 * more digits than that error allows.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hist.h"
#include "log.h"
#include "stat_acc.h"
#include "stats.h"
#include "store_int.h"
#include "store_report.h"

#define RAW_MAX_NS (2 * 3600 * 1000000000LL) /* longer: rollups */
#define MINUTE_NS  60000000000LL
#define MAX_ITEMS  2000 /* events, changes: the newest ones */

typedef stat_acc acc;

/* ---- small helpers --------------------------------------------------------
 */

json_object *store_report_num(double v, int digits)
{
  char buf[64];
  size_t len;

  if (!isfinite(v))
    return NULL;
  snprintf(buf, sizeof(buf), "%.*f", digits, v);
  if (strchr(buf, '.')) {
    len = strlen(buf);
    while (len > 1 && buf[len - 1] == '0')
      buf[--len] = 0;
    if (buf[len - 1] == '.')
      buf[--len] = 0;
  }
  if (!strcmp(buf, "-0"))
    snprintf(buf, sizeof(buf), "0");
  return json_object_new_double_s(v, buf);
}

json_object *store_report_time(int64_t wall_ns)
{
  char buf[64];
  struct tm tm;
  time_t t = (time_t)(wall_ns / 1000000000LL);
  long ms = (long)(wall_ns % 1000000000LL / 1000000);

  if (ms < 0) {
    t--;
    ms += 1000;
  }
  gmtime_r(&t, &tm);
  snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
           tm.tm_sec, ms);
  return json_object_new_string(buf);
}

static void put(json_object *o, const char *k, json_object *v)
{
  json_object_object_add(o, k, v);
}

static json_object *str_or_null(const unsigned char *s)
{
  return s ? json_object_new_string((const char *)s) : NULL;
}

static json_object *col_num(sqlite3_stmt *st, int i, int digits)
{
  if (sqlite3_column_type(st, i) == SQLITE_NULL)
    return NULL;
  return store_report_num(sqlite3_column_double(st, i), digits);
}

static json_object *section(json_object *model, const char *name)
{
  json_object *o = json_object_new_object();

  put(model, name, o);
  return o;
}

/* available: whether the store held any such data; note: why not */
static void availability(json_object *sec, int available, const char *note)
{
  put(sec, "available", json_object_new_boolean(available));
  if (!available)
    put(sec, "note", json_object_new_string(note));
}

static int prepare(store *s, const char *sql, sqlite3_stmt **st)
{
  if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot query the history for a report",
                      "is the database damaged? try sqlite3 PATH 'PRAGMA "
                      "integrity_check'");
  return BN_OK;
}

/* The end of a row loop: finalize; BN_OK when the rows ran out (rc
 * SQLITE_DONE), else the store's error naming `what`. */
static int rows_done(store *s, sqlite3_stmt *st, int rc, const char *what)
{
  sqlite3_finalize(st);
  return rc == SQLITE_DONE
             ? BN_OK
             : store_fail(s->path, s->db, what, "is the database damaged?");
}

/* Binds ?9, the runs' profile (or NULL: any), in the queries that
 * name it (?9). */
static void bind_profile(sqlite3_stmt *st, const store_report_range *r)
{
  if (sqlite3_bind_parameter_count(st) >= 9 && r->profile)
    sqlite3_bind_text(st, 9, r->profile, -1, SQLITE_TRANSIENT);
}

/* Binds ?1 run (or NULL), ?2 since, ?3 until, ?9 profile. */
static void bind_range(sqlite3_stmt *st, const store_report_range *r)
{
  if (r->run_id)
    sqlite3_bind_int64(st, 1, r->run_id);
  else
    sqlite3_bind_null(st, 1);
  sqlite3_bind_int64(st, 2, r->since_ns);
  sqlite3_bind_int64(st, 3, r->until_ns);
  bind_profile(st, r);
}

static int target_wanted(const store_report_range *r, const char *target)
{
  size_t i;

  if (!r->n_targets)
    return 1;
  for (i = 0; target && i < r->n_targets; i++)
    if (!strcmp(r->targets[i], target))
      return 1;
  return 0;
}

/* ---- latency
 * ---------------------------------------------------------------- */

/* The received values of a series read from samples, in time order, so
 * bucket i's are v[start[i]] .. v[start[i + 1] - 1]: exact percentiles. */
typedef struct raw_vals {
  double *v;
  size_t n, cap;
  size_t *start; /* nb + 1 offsets */
} raw_vals;

static int raw_push(raw_vals *rv, double v)
{
  if (rv->n == rv->cap) {
    size_t cap = rv->cap ? rv->cap * 2 : 1024;
    double *nv = realloc(rv->v, cap * sizeof(*nv));

    if (!nv)
      return BN_ENOMEM;
    rv->v = nv;
    rv->cap = cap;
  }
  rv->v[rv->n++] = v;
  return BN_OK;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

/* Decimals for a percentile: 3 when exact; from the sketch, the last
 * digit's unit is the largest power of ten not above the error bound
 * (HIST_REL_ERR of the value), at most 3. */
static int pct_digits(double v, int exact)
{
  double e = HIST_REL_ERR * fabs(v);
  int d;

  if (exact || !isfinite(v) || e <= 0)
    return 3;
  d = (int)ceil(-log10(e));
  return d < 0 ? 0 : d > 3 ? 3 : d;
}

/* Raw samples of one series into buckets (and jitter between them). */
static int latency_raw(store *s, const store_report_range *r, int64_t sid,
                       acc *b, size_t nb, raw_vals *rv)
{
  sqlite3_stmt *st = NULL;
  double prev = 0;
  int has_prev = 0, rc;
  size_t next = 0; /* the first bucket whose start is not yet set */

  rc = prepare(
      s,
      "SELECT wall_ns, value, flags FROM samples WHERE series_id = "
      "?4 AND (?1 IS NULL OR run_id = ?1) AND (?9 IS NULL OR run_id IN "
      "(SELECT id FROM runs WHERE profile = ?9)) AND wall_ns >= ?2 AND "
      "wall_ns < ?3 ORDER BY wall_ns",
      &st);
  if (rc < 0)
    return rc;
  bind_range(st, r);
  sqlite3_bind_int64(st, 4, sid);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t w = sqlite3_column_int64(st, 0);
    uint32_t flags = (uint32_t)sqlite3_column_int64(st, 2);
    size_t i = (size_t)((w - r->since_ns) / r->bucket_ns);
    acc *a;

    uint64_t n0;

    if (i >= nb)
      i = nb - 1;
    a = &b[i];
    while (next <= i) /* rows come in time order */
      rv->start[next++] = rv->n;
    /* the jitter chain runs across buckets */
    a->prev = prev;
    a->has_prev = has_prev;
    n0 = a->n;
    stat_acc_add(a,
                 sqlite3_column_type(st, 1) == SQLITE_NULL
                     ? NAN
                     : sqlite3_column_double(st, 1),
                 flags);
    if (a->n != n0 && raw_push(rv, a->prev) < 0) {
      sqlite3_finalize(st);
      return BN_ENOMEM;
    }
    prev = a->prev;
    has_prev = a->has_prev;
  }
  while (next <= nb)
    rv->start[next++] = rv->n;
  return rows_done(s, st, rc, "cannot read samples");
}

/* Rollup minutes of one series into buckets, and the hour rollups of
 * compacted ranges (store_compact.c: an hour is either in minutes or in
 * one hour row).  *res gets RES_MINUTE and RES_HOUR for what was read. */
static int latency_rollups(store *s, const store_report_range *r, int64_t sid,
                           acc *b, size_t nb, unsigned *res)
{
  sqlite3_stmt *st = NULL;
  int64_t m0 = r->since_ns / MINUTE_NS;
  int rc;

  rc = prepare(
      s,
      "SELECT minute, sent, lost, n, sum, sumsq, min, max, jit_sum, "
      "jit_n, hist, invalid, 1 FROM rollups WHERE series_id = ?4 AND (?1 IS "
      "NULL OR run_id = ?1) AND (?9 IS NULL OR run_id IN (SELECT id FROM runs "
      "WHERE profile = ?9)) AND minute >= ?2 AND minute < ?3 "
      "UNION ALL SELECT hour * 60, sent, lost, n, sum, sumsq, min, max, "
      "jit_sum, jit_n, hist, invalid, 2 FROM rollups_hour WHERE series_id = "
      "?4 AND (?1 IS NULL OR run_id = ?1) AND (?9 IS NULL OR run_id IN "
      "(SELECT id FROM runs WHERE profile = ?9)) AND hour >= ?5 AND "
      "hour * 60 < ?3",
      &st);
  if (rc < 0)
    return rc;
  if (r->run_id)
    sqlite3_bind_int64(st, 1, r->run_id);
  else
    sqlite3_bind_null(st, 1);
  sqlite3_bind_int64(st, 2, m0);
  sqlite3_bind_int64(st, 3, (r->until_ns + MINUTE_NS - 1) / MINUTE_NS);
  sqlite3_bind_int64(st, 4, sid);
  sqlite3_bind_int64(st, 5, m0 / 60 - (m0 % 60 < 0));
  bind_profile(st, r);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t w = sqlite3_column_int64(st, 0) * MINUTE_NS;

    *res |= (unsigned)sqlite3_column_int(st, 12);
    size_t i =
        w < r->since_ns ? 0 : (size_t)((w - r->since_ns) / r->bucket_ns);
    acc *a;

    if (i >= nb)
      i = nb - 1;
    a = &b[i];
    a->sent += (uint64_t)sqlite3_column_int64(st, 1);
    a->lost += (uint64_t)sqlite3_column_int64(st, 2);
    a->n += (uint64_t)sqlite3_column_int64(st, 3);
    a->sum += sqlite3_column_double(st, 4);
    a->sumsq += sqlite3_column_double(st, 5);
    if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
      double lo = sqlite3_column_double(st, 6),
             hi = sqlite3_column_double(st, 7);

      if (lo < a->min)
        a->min = lo;
      if (hi > a->max)
        a->max = hi;
    }
    a->jit_sum += sqlite3_column_double(st, 8);
    a->jit_n += (uint64_t)sqlite3_column_int64(st, 9);
    a->invalid += (uint64_t)sqlite3_column_int64(st, 11);
    if (hist_merge_blob(&a->h, sqlite3_column_blob(st, 10),
                        (size_t)sqlite3_column_bytes(st, 10)) != 0) {
      log_warn("store",
               "%s: a damaged rollup sketch (series %lld): percentiles "
               "of that minute are partial",
               s->path, (long long)sid);
    }
  }
  return rows_done(s, st, rc, "cannot read rollups");
}

static json_object *series_head(const char *target, const char *probe,
                                const char *metric)
{
  json_object *o = json_object_new_object();

  put(o, "target", json_object_new_string(target));
  put(o, "probe", json_object_new_string(probe));
  put(o, "metric", json_object_new_string(metric));
  return o;
}

/* A percentile: exact from `sorted` (n values) when given, else from
 * the sketch with the digits its error allows. */
static json_object *pct_num(const acc *a, const double *sorted, size_t n,
                            double p)
{
  double v;

  if (sorted)
    return store_report_num(n ? stats_percentile(sorted, n, p) : NAN, 3);
  v = stat_acc_quantile(a, p / 100);
  return store_report_num(v, pct_digits(v, 0));
}

static void stats_into(json_object *o, const acc *a, const double *sorted,
                       size_t n)
{
  put(o, "sent", json_object_new_int64((int64_t)a->sent));
  put(o, "lost", json_object_new_int64((int64_t)a->lost));
  put(o, "loss_pct", store_report_num(stat_acc_loss_pct(a), 2));
  put(o, "min", store_report_num(a->n ? a->min : NAN, 3));
  put(o, "p5", pct_num(a, sorted, n, 5));
  put(o, "p50", pct_num(a, sorted, n, 50));
  put(o, "p95", pct_num(a, sorted, n, 95));
  put(o, "max", store_report_num(a->n ? a->max : NAN, 3));
  put(o, "avg", store_report_num(stat_acc_avg(a), 3));
  put(o, "jitter", store_report_num(stat_acc_jitter(a), 3));
}

static json_object *cdf_points(const acc *a, size_t max_points)
{
  json_object *pts = json_object_new_array();
  uint64_t seen = 0;
  size_t used = a->h.len, step = 1, k = 0, i;

  if (max_points && used > max_points)
    step = (used + max_points - 1) / max_points;
  for (i = 0; i < used; i++) {
    json_object *p;
    double v;

    seen += hist_bucket_count(&a->h.b[i]);
    if (++k % step && seen != a->h.n)
      continue;
    v = hist_value(a->h.b[i].key);
    if (v < a->min)
      v = a->min;
    if (v > a->max || seen == a->h.n)
      v = a->max;
    p = json_object_new_array();
    json_object_array_add(p, store_report_num(v, 3));
    json_object_array_add(p,
                          store_report_num((double)seen / (double)a->h.n, 4));
    json_object_array_add(pts, p);
  }
  return pts;
}

/* Sort each bucket's values and a copy of all of them (*all). */
static int raw_sort(raw_vals *rv, size_t nb, double **all)
{
  size_t i;

  /* qsort and memcpy must not see the NULL of an empty series */
  for (i = 0; rv->n && i < nb; i++)
    qsort(rv->v + rv->start[i], rv->start[i + 1] - rv->start[i],
          sizeof(double), cmp_double);
  *all = malloc((rv->n ? rv->n : 1) * sizeof(double));
  if (!*all)
    return BN_ENOMEM;
  if (rv->n) {
    memcpy(*all, rv->v, rv->n * sizeof(double));
    qsort(*all, rv->n, sizeof(double), cmp_double);
  }
  return BN_OK;
}

/* One series' rows: the summary row, the latency points, the CDF. */
static int latency_series(store *s, const store_report_range *r,
                          const store_report_range *rr, sqlite3_stmt *st,
                          acc *b, size_t nb, raw_vals *rv, int raw,
                          unsigned *res, json_object *rows,
                          json_object *series, json_object *cdfs)
{
  int64_t sid = sqlite3_column_int64(st, 0);
  const char *target = (const char *)sqlite3_column_text(st, 1);
  const char *probe = (const char *)sqlite3_column_text(st, 2);
  const char *metric = (const char *)sqlite3_column_text(st, 3);
  json_object *row, *ser, *pts, *c;
  double *all = NULL;
  acc total;
  size_t i;
  int err;

  for (i = 0; i < nb; i++)
    stat_acc_reset(&b[i]);
  rv->n = 0;
  err = raw ? latency_raw(s, rr, sid, b, nb, rv)
            : latency_rollups(s, rr, sid, b, nb, res);
  if (err == BN_OK && raw)
    err = raw_sort(rv, nb, &all);
  if (err < 0)
    return err;
  stat_acc_init(&total);
  pts = json_object_new_array();
  for (i = 0; i < nb; i++) {
    json_object *p;

    if (stat_acc_merge(&total, &b[i]) < 0)
      err = BN_ENOMEM;
    if (!b[i].sent)
      continue;
    p = json_object_new_object();
    put(p, "t",
        store_report_num(
            (double)(rr->since_ns + (int64_t)i * rr->bucket_ns) / 1e9, 3));
    stats_into(p, &b[i], raw ? rv->v + rv->start[i] : NULL,
               raw ? rv->start[i + 1] - rv->start[i] : 0);
    json_object_array_add(pts, p);
  }
  if (err < 0 || (!total.sent && !total.invalid)) {
    json_object_put(pts);
    goto out;
  }
  row = series_head(target, probe, metric);
  stats_into(row, &total, all, raw ? rv->n : 0);
  put(row, "stddev", store_report_num(stat_acc_stddev(&total), 3));
  put(row, "invalid", json_object_new_int64((int64_t)total.invalid));
  json_object_array_add(rows, row);
  ser = series_head(target, probe, metric);
  put(ser, "points", pts);
  json_object_array_add(series, ser);
  if (total.n) {
    c = series_head(target, probe, metric);
    put(c, "points", cdf_points(&total, r->cdf_points));
    json_object_array_add(cdfs, c);
  }
out:
  free(all);
  stat_acc_free(&total);
  return err;
}

#define RES_MINUTE 1u
#define RES_HOUR   2u

/* Whether compaction removed raw samples of any series in the range
 * (then the range is read from the rollups, even a short one). */
static int raw_compacted(store *s, const store_report_range *r)
{
  sqlite3_stmt *st = NULL;
  int rc = prepare(s,
                   "SELECT 1 FROM compacted WHERE kind = 'raw' AND "
                   "first_ns < ?3 AND last_ns >= ?2 - 60000000000 LIMIT 1",
                   &st);

  if (rc < 0)
    return rc;
  bind_range(st, r);
  rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW;
}

/* What resolution the statistics have: raw samples, minute rollups,
 * hour rollups (compacted ranges) or both. */
static const char *resolution_name(int raw, unsigned res)
{
  if (raw)
    return "samples";
  if (res == (RES_MINUTE | RES_HOUR))
    return "minute+hour";
  return res == RES_HOUR ? "hour" : "minute";
}

/* How the percentiles were found, for reporters and readers. */
static void pct_method(json_object *sec, int raw)
{
  put(sec, "percentiles", json_object_new_string(raw ? "exact" : "sketch"));
  if (!raw)
    put(sec, "percentile_error", json_object_new_double(HIST_REL_ERR));
}

int store_report_latency(store *s, const store_report_range *r,
                         json_object *model)
{
  json_object *sum = section(model, "summary"),
              *lat = section(model, "latency"), *cdf = section(model, "cdf");
  json_object *rows = json_object_new_array(),
              *series = json_object_new_array(),
              *cdfs = json_object_new_array();
  store_report_range rr = *r;
  sqlite3_stmt *st = NULL;
  raw_vals rv = {NULL, 0, 0, NULL};
  size_t nb, i;
  acc *b;
  unsigned res = 0;
  int rc, err = BN_OK, raw = r->until_ns - r->since_ns <= RAW_MAX_NS;

  /* a short range whose samples compaction removed reads the rollups */
  if (raw) {
    rc = raw_compacted(s, r);
    if (rc < 0)
      return rc;
    raw = !rc;
  }

  if (!raw && rr.bucket_ns % MINUTE_NS)
    rr.bucket_ns += MINUTE_NS - rr.bucket_ns % MINUTE_NS;
  if (rr.bucket_ns <= 0)
    rr.bucket_ns = 1000000000LL;
  nb = (size_t)((rr.until_ns - rr.since_ns + rr.bucket_ns - 1) / rr.bucket_ns);
  if (nb < 1)
    nb = 1;
  put(sum, "targets", rows);
  pct_method(sum, raw);
  put(lat, "bucket_s", store_report_num((double)rr.bucket_ns / 1e9, 3));
  put(lat, "source", json_object_new_string(raw ? "samples" : "rollups"));
  pct_method(lat, raw);
  put(lat, "series", series);
  put(cdf, "series", cdfs);
  b = calloc(nb, sizeof(*b));
  rv.start = calloc(nb + 1, sizeof(*rv.start));
  if (!b || !rv.start) {
    free(b);
    free(rv.start);
    return BN_ENOMEM;
  }
  for (i = 0; i < nb; i++)
    stat_acc_init(&b[i]);
  /* the metric that stands for each probe's latency (the one its plugin
   * flags primary, else its first latency metric by name), in series
   * with data in range (found through the rollups: cheap) */
  rc = prepare(
      s,
      "SELECT se.id, se.target, se.probe, se.metric FROM series se "
      "WHERE se.metric = (SELECT m.metric FROM metrics m WHERE "
      "m.probe = se.probe AND m.role = 'latency' ORDER BY "
      "(m.flags & 1) DESC, m.metric LIMIT 1) "
      "AND (EXISTS (SELECT 1 FROM rollups ro WHERE "
      "ro.series_id = se.id AND (?1 IS NULL OR ro.run_id = ?1) AND (?9 IS "
      "NULL OR ro.run_id IN (SELECT id FROM runs WHERE profile = ?9)) AND "
      "ro.minute >= ?2 / 60000000000 AND ro.minute <= ?3 / "
      "60000000000) OR EXISTS (SELECT 1 FROM rollups_hour rh WHERE "
      "rh.series_id = se.id AND (?1 IS NULL OR rh.run_id = ?1) AND (?9 IS "
      "NULL OR rh.run_id IN (SELECT id FROM runs WHERE profile = ?9)) AND "
      "rh.hour >= ?2 / 3600000000000 - 1 AND rh.hour <= ?3 / "
      "3600000000000)) ORDER BY se.target, se.probe, se.metric",
      &st);
  if (rc == BN_OK) {
    bind_range(st, r);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      if (!target_wanted(r, (const char *)sqlite3_column_text(st, 1)))
        continue;
      err = latency_series(s, r, &rr, st, b, nb, &rv, raw, &res, rows, series,
                           cdfs);
      if (err < 0)
        break;
    }
  }
  for (i = 0; i < nb; i++)
    stat_acc_free(&b[i]);
  free(b);
  free(rv.v);
  free(rv.start);
  if (rc < 0)
    return rc; /* prepare failed (step codes are positive) */
  if (err < 0) {
    sqlite3_finalize(st);
    return err;
  }
  rc = rows_done(s, st, rc, "cannot read the series");
  if (rc < 0)
    return rc;
  put(sum, "resolution", json_object_new_string(resolution_name(raw, res)));
  put(lat, "resolution", json_object_new_string(resolution_name(raw, res)));
  availability(sum, json_object_array_length(rows) > 0,
               "no latency samples in this range");
  availability(lat, json_object_array_length(series) > 0,
               "no latency samples in this range");
  availability(cdf, json_object_array_length(cdfs) > 0,
               "no answered probes in this range");
  return BN_OK;
}

/* ---- alerts
 * ------------------------------------------------------------------ */

static const char *const sev_name[] = {"info", "warning", "critical"};

int store_report_alerts(store *s, const store_report_range *r,
                        json_object *model)
{
  json_object *sec = section(model, "alerts"),
              *items = json_object_new_array(),
              *counts = json_object_new_object(),
              *timeline = json_object_new_array();
  int64_t n[3] = {0, 0, 0}, nbk, i;
  int64_t *tl;
  sqlite3_stmt *st = NULL;
  int rc;

  nbk = (r->until_ns - r->since_ns + r->bucket_ns - 1) / r->bucket_ns;
  if (nbk < 1)
    nbk = 1;
  tl = calloc((size_t)nbk * 3, sizeof(*tl));
  if (!tl)
    return BN_ENOMEM;
  put(sec, "counts", counts);
  put(sec, "items", items);
  put(sec, "timeline", timeline);
  /* events, and checks that warned or failed, newest first */
  rc = prepare(
      s,
      "SELECT wall_ns, severity, source, target, type, message FROM "
      "(SELECT wall_ns, severity, source, target, type, message "
      "FROM events WHERE (?1 IS NULL OR run_id = ?1) AND (?9 IS NULL OR "
      "run_id IN (SELECT id FROM runs WHERE profile = ?9)) AND wall_ns >= "
      "?2 AND wall_ns < ?3 UNION ALL SELECT wall_ns, CASE status "
      "WHEN 'fail' THEN 2 ELSE 1 END, 'check:' || name, target, "
      "'check', reason FROM checks WHERE status != 'pass' AND (?1 IS "
      "NULL OR run_id = ?1) AND (?9 IS NULL OR run_id IN (SELECT id FROM runs "
      "WHERE profile = ?9)) AND wall_ns >= ?2 AND wall_ns < ?3) "
      "ORDER BY wall_ns DESC",
      &st);
  if (rc < 0) {
    free(tl);
    return rc;
  }
  bind_range(st, r);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int64_t w = sqlite3_column_int64(st, 0);
    int sev = sqlite3_column_int(st, 1);
    const char *target = (const char *)sqlite3_column_text(st, 3);
    json_object *it;

    if (target && !target_wanted(r, target))
      continue;
    if (sev < 0 || sev > 2)
      sev = 0;
    n[sev]++;
    i = (w - r->since_ns) / r->bucket_ns;
    if (i >= 0 && i < nbk)
      tl[i * 3 + sev]++;
    if (json_object_array_length(items) >= MAX_ITEMS)
      continue;
    it = json_object_new_object();
    put(it, "time", store_report_time(w));
    put(it, "severity", json_object_new_string(sev_name[sev]));
    put(it, "source", str_or_null(sqlite3_column_text(st, 2)));
    put(it, "target", str_or_null(sqlite3_column_text(st, 3)));
    put(it, "type", str_or_null(sqlite3_column_text(st, 4)));
    put(it, "message", str_or_null(sqlite3_column_text(st, 5)));
    json_object_array_add(items, it);
  }
  sqlite3_finalize(st);
  for (i = 0; i < 3; i++)
    put(counts, sev_name[i], json_object_new_int64(n[i]));
  for (i = 0; i < nbk; i++) {
    json_object *p;

    if (!tl[i * 3] && !tl[i * 3 + 1] && !tl[i * 3 + 2])
      continue;
    p = json_object_new_object();
    put(p, "t",
        store_report_num((double)(r->since_ns + i * r->bucket_ns) / 1e9, 3));
    put(p, "info", json_object_new_int64(tl[i * 3]));
    put(p, "warning", json_object_new_int64(tl[i * 3 + 1]));
    put(p, "critical", json_object_new_int64(tl[i * 3 + 2]));
    json_object_array_add(timeline, p);
  }
  free(tl);
  if (rc != SQLITE_DONE)
    return store_fail(s->path, s->db, "cannot read events",
                      "is the database damaged?");
  put(sec, "available", json_object_new_boolean(1));
  if (!n[0] && !n[1] && !n[2])
    put(sec, "note", json_object_new_string("no alerts in this range"));
  return BN_OK;
}

/* ---- episodes
 * ------------------------------------------------------------------ */

/* at most 20 context items an episode (the LIMIT below) */

/* The path changes and failed checks around one episode. */
static int episode_context(store *s, const char *target, int64_t from,
                           int64_t to, json_object *out)
{
  sqlite3_stmt *st = NULL;
  int rc;

  rc = prepare(s,
               "SELECT wall_ns, 'path', kind || COALESCE(' hop ' || ttl, '') "
               "|| COALESCE(': ' || old_addr, '') || COALESCE(' -> ' || "
               "new_addr, '') FROM path_changes WHERE target = ?1 AND "
               "wall_ns >= ?2 AND wall_ns <= ?3 UNION ALL SELECT wall_ns, "
               "'check', name || ' ' || status || COALESCE(': ' || reason, "
               "'') FROM checks WHERE status != 'pass' AND (target IS NULL "
               "OR target = ?1 OR target NOT IN (SELECT target FROM "
               "series)) AND wall_ns >= ?2 AND wall_ns <= ?3 ORDER BY "
               "1 LIMIT 20",
               &st);
  if (rc < 0)
    return rc;
  sqlite3_bind_text(st, 1, target, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, from);
  sqlite3_bind_int64(st, 3, to);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    json_object *it = json_object_new_object();

    put(it, "time", store_report_time(sqlite3_column_int64(st, 0)));
    put(it, "kind", str_or_null(sqlite3_column_text(st, 1)));
    put(it, "what", str_or_null(sqlite3_column_text(st, 2)));
    json_object_array_add(out, it);
  }
  return rows_done(s, st, rc, "cannot read an episode's context");
}

typedef struct base_arg {
  const store_report_range *r;
  json_object *items;
} base_arg;

static int base_item(const bn_baseline *b, void *arg)
{
  base_arg *a = arg;
  json_object *it;

  if (!target_wanted(a->r, b->target))
    return 0;
  it = json_object_new_object();
  put(it, "target", json_object_new_string(b->target));
  put(it, "probe", json_object_new_string(b->probe));
  put(it, "metric", json_object_new_string(b->metric));
  put(it, "kind", json_object_new_string(b->kind));
  put(it, "source", b->source ? json_object_new_string(b->source) : NULL);
  put(it, "centre", store_report_num(b->centre, 3));
  put(it, "spread", store_report_num(b->spread, 3));
  put(it, "loss_pct", store_report_num(b->loss_rate * 100, 2));
  put(it, "since", b->since_ns > 0 ? store_report_time(b->since_ns) : NULL);
  put(it, "samples", json_object_new_int64((int64_t)b->samples));
  json_object_array_add(a->items, it);
  return 0;
}

/* The baselines in force (stored by the detectors, any run). */
static int episode_baselines(store *s, const store_report_range *r,
                             json_object *sec)
{
  base_arg a = {r, json_object_new_array()};

  put(sec, "baselines", a.items);
  return store_baselines_each(s, NULL, NULL, base_item, &a);
}

int store_report_episodes(store *s, const store_report_range *r,
                          json_object *model)
{
  static const char *const names[] = {"info", "low", "medium", "high",
                                      "critical"};
  json_object *sec = section(model, "episodes"),
              *items = json_object_new_array(),
              *counts = json_object_new_object();
  int64_t n[5] = {0, 0, 0, 0, 0};
  sqlite3_stmt *st = NULL;
  int rc, k, total = 0;

  put(sec, "counts", counts);
  put(sec, "items", items);
  rc = prepare(s,
               "SELECT source, id, target, start_ns, end_ns, severity, peak, "
               "dominant, signals FROM episodes WHERE (?1 IS NULL OR run_id "
               "= ?1) AND start_ns < ?3 AND (end_ns IS NULL OR end_ns >= ?2) "
               "ORDER BY start_ns DESC, source, id",
               &st);
  if (rc < 0)
    return rc;
  bind_range(st, r);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *target = (const char *)sqlite3_column_text(st, 2);
    const char *sev = (const char *)sqlite3_column_text(st, 5);
    int64_t start = sqlite3_column_int64(st, 3), end;
    int open = sqlite3_column_type(st, 4) == SQLITE_NULL;
    json_object *it, *ctx;

    if (target && !target_wanted(r, target))
      continue;
    end = open ? r->until_ns : sqlite3_column_int64(st, 4);
    for (k = 0; k < 5; k++)
      if (sev && !strcmp(sev, names[k]))
        n[k]++;
    total++;
    if (json_object_array_length(items) >= MAX_ITEMS)
      continue;
    it = json_object_new_object();
    put(it, "target", str_or_null(sqlite3_column_text(st, 2)));
    put(it, "source", str_or_null(sqlite3_column_text(st, 0)));
    put(it, "id", json_object_new_int64(sqlite3_column_int64(st, 1)));
    put(it, "start", store_report_time(start));
    put(it, "end", open ? NULL : store_report_time(end));
    put(it, "duration_s", store_report_num((double)(end - start) / 1e9, 1));
    put(it, "severity", str_or_null(sqlite3_column_text(st, 5)));
    put(it, "peak", col_num(st, 6, 2));
    put(it, "dominant", str_or_null(sqlite3_column_text(st, 7)));
    put(it, "signals", str_or_null(sqlite3_column_text(st, 8)));
    ctx = json_object_new_array();
    put(it, "context", ctx);
    json_object_array_add(items, it);
    if (target) {
      int crc = episode_context(s, target, start - STORE_EPISODE_CONTEXT_NS,
                                end + STORE_EPISODE_CONTEXT_NS, ctx);

      if (crc < 0) {
        sqlite3_finalize(st);
        return crc;
      }
    }
  }
  rc = rows_done(s, st, rc, "cannot read episodes");
  if (rc < 0)
    return rc;
  rc = episode_baselines(s, r, sec);
  if (rc < 0)
    return rc;
  for (k = 0; k < 5; k++)
    put(counts, names[k], json_object_new_int64(n[k]));
  availability(sec, total > 0, "no anomaly episodes in this range");
  return BN_OK;
}

/* ---- speed tests -----------------------------------------------------------
 */

/* The attempts of one speed test, failover included: which provider
 * and server, in what order, with what result. */
static int speedtest_attempts(store *s, int64_t id, json_object *it)
{
  json_object *list = json_object_new_array();
  sqlite3_stmt *st = NULL;
  int rc;

  put(it, "attempt_list", list);
  rc = prepare(s,
               "SELECT attempt, provider, server, status, error, "
               "duration_ns / 1e9 FROM speedtest_attempts WHERE "
               "speedtest_id = ?1 ORDER BY attempt, id",
               &st);
  if (rc < 0)
    return rc;
  sqlite3_bind_int64(st, 1, id);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    json_object *a = json_object_new_object();

    put(a, "attempt", json_object_new_int64(sqlite3_column_int64(st, 0)));
    put(a, "provider", str_or_null(sqlite3_column_text(st, 1)));
    put(a, "server", str_or_null(sqlite3_column_text(st, 2)));
    put(a, "ok", json_object_new_boolean(sqlite3_column_int(st, 3) == 0));
    put(a, "error", str_or_null(sqlite3_column_text(st, 4)));
    put(a, "duration_s", col_num(st, 5, 3));
    json_object_array_add(list, a);
  }
  return rows_done(s, st, rc, "cannot read speed test attempts");
}

int store_report_speedtests(store *s, const store_report_range *r,
                            json_object *model)
{
  json_object *sec = section(model, "speedtests"),
              *items = json_object_new_array();
  sqlite3_stmt *st = NULL;
  int rc;

  put(sec, "items", items);
  rc = prepare(
      s,
      "SELECT wall_ns, provider, server, download_bps / 1e6, "
      "upload_bps / 1e6, latency_ms, jitter_ms, loaded_down_ms, "
      "loaded_up_ms, bufferbloat, loss_pct, attempts, status, error, "
      "id FROM speedtests WHERE (?1 IS NULL OR run_id = ?1) AND (?9 IS NULL "
      "OR run_id IN (SELECT id FROM runs WHERE profile = ?9)) AND wall_ns "
      ">= ?2 AND wall_ns < ?3 ORDER BY wall_ns",
      &st);
  if (rc < 0)
    return rc;
  bind_range(st, r);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    json_object *it = json_object_new_object();

    put(it, "time", store_report_time(sqlite3_column_int64(st, 0)));
    put(it, "t",
        store_report_num((double)sqlite3_column_int64(st, 0) / 1e9, 3));
    put(it, "provider", str_or_null(sqlite3_column_text(st, 1)));
    put(it, "server", str_or_null(sqlite3_column_text(st, 2)));
    put(it, "down_mbps", col_num(st, 3, 2));
    put(it, "up_mbps", col_num(st, 4, 2));
    put(it, "idle_ms", col_num(st, 5, 3));
    put(it, "jitter_ms", col_num(st, 6, 3));
    put(it, "loaded_down_ms", col_num(st, 7, 3));
    put(it, "loaded_up_ms", col_num(st, 8, 3));
    put(it, "bufferbloat", str_or_null(sqlite3_column_text(st, 9)));
    put(it, "loss_pct", col_num(st, 10, 2));
    put(it, "attempts", json_object_new_int64(sqlite3_column_int64(st, 11)));
    put(it, "ok", json_object_new_boolean(sqlite3_column_int(st, 12) == 0));
    put(it, "error", str_or_null(sqlite3_column_text(st, 13)));
    json_object_array_add(items, it);
    rc = speedtest_attempts(s, sqlite3_column_int64(st, 14), it);
    if (rc < 0) {
      sqlite3_finalize(st);
      return rc;
    }
  }
  rc = rows_done(s, st, rc, "cannot read speed tests");
  if (rc < 0)
    return rc;
  availability(sec, json_object_array_length(items) > 0,
               "no speed tests in this range; run 'bottleneck speedtest'");
  return BN_OK;
}

/* ---- paths
 * ------------------------------------------------------------------ */

static const char *const path_status[] = {"reached", "max ttl", "unreachable",
                                          "error"};

/* The hops of the latest round's paths. */
static int paths_latest(store *s, int64_t set_id, json_object *out)
{
  sqlite3_stmt *st = NULL;
  json_object *paths = json_object_new_array(), *hops = NULL;
  int64_t cur = -1;
  int rc;

  put(out, "paths", paths);
  rc = prepare(s,
               "SELECT p.id, p.flow_id, p.status, p.path_hash, h.ttl, h.addr, "
               "h.sent, h.received, h.rtt_ms, h.best_ms, h.worst_ms, "
               "h.loss_pct FROM paths p LEFT JOIN hops h ON h.path_id = p.id "
               "WHERE p.set_id = ?1 ORDER BY p.flow_id, p.id, h.ttl",
               &st);
  if (rc < 0)
    return rc;
  sqlite3_bind_int64(st, 1, set_id);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    json_object *h;

    if (sqlite3_column_int64(st, 0) != cur) {
      json_object *p = json_object_new_object();
      int status = sqlite3_column_int(st, 2);

      cur = sqlite3_column_int64(st, 0);
      put(p, "flow", json_object_new_int64(sqlite3_column_int64(st, 1)));
      put(p, "path", str_or_null(sqlite3_column_text(st, 3)));
      put(p, "status",
          json_object_new_string(
              path_status[status >= 0 && status < 4 ? status : 3]));
      hops = json_object_new_array();
      put(p, "hops", hops);
      json_object_array_add(paths, p);
    }
    if (sqlite3_column_type(st, 4) == SQLITE_NULL)
      continue;
    h = json_object_new_object();
    put(h, "ttl", json_object_new_int64(sqlite3_column_int64(st, 4)));
    put(h, "addr", str_or_null(sqlite3_column_text(st, 5)));
    put(h, "sent", json_object_new_int64(sqlite3_column_int64(st, 6)));
    put(h, "received", json_object_new_int64(sqlite3_column_int64(st, 7)));
    put(h, "avg_ms", col_num(st, 8, 3));
    put(h, "best_ms", col_num(st, 9, 3));
    put(h, "worst_ms", col_num(st, 10, 3));
    put(h, "loss_pct", col_num(st, 11, 1));
    json_object_array_add(hops, h);
  }
  return rows_done(s, st, rc, "cannot read paths");
}

/* Layers: per ttl, every address seen in range, with how often (rounds
 * and flows), mean RTT and loss: the hop view draws them as columns. */
static int paths_layers(store *s, const store_report_range *r,
                        const char *target, const char *probe,
                        json_object *out)
{
  sqlite3_stmt *st = NULL;
  json_object *layers = json_object_new_array(), *layer = NULL;
  int64_t cur = -1;
  int rc;

  put(out, "layers", layers);
  rc = prepare(
      s,
      "SELECT h.ttl, h.addr, count(*), sum(h.sent), sum(h.received), "
      "sum(h.rtt_ms * h.received) / nullif(sum(CASE WHEN h.rtt_ms "
      "IS NOT NULL THEN h.received END), 0) FROM path_sets ps JOIN "
      "paths p ON p.set_id = ps.id JOIN hops h ON h.path_id = p.id "
      "WHERE ps.target = ?4 AND ps.probe = ?5 AND (?1 IS NULL OR "
      "ps.run_id = ?1) AND (?9 IS NULL OR ps.run_id IN (SELECT id FROM runs "
      "WHERE profile = ?9)) AND ps.wall_ns >= ?2 AND ps.wall_ns < ?3 "
      "GROUP BY h.ttl, h.addr ORDER BY h.ttl, count(*) DESC, h.addr",
      &st);
  if (rc < 0)
    return rc;
  bind_range(st, r);
  sqlite3_bind_text(st, 4, target, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 5, probe, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    json_object *n = json_object_new_object();
    int64_t sent = sqlite3_column_int64(st, 3),
            recv = sqlite3_column_int64(st, 4);

    if (sqlite3_column_int64(st, 0) != cur) {
      cur = sqlite3_column_int64(st, 0);
      layer = json_object_new_object();
      put(layer, "ttl", json_object_new_int64(cur));
      put(layer, "nodes", json_object_new_array());
      json_object_array_add(layers, layer);
    }
    put(n, "addr", str_or_null(sqlite3_column_text(st, 1)));
    put(n, "seen", json_object_new_int64(sqlite3_column_int64(st, 2)));
    put(n, "loss_pct",
        store_report_num(
            sent ? 100.0 * (double)(sent - recv) / (double)sent : NAN, 1));
    put(n, "avg_ms", col_num(st, 5, 3));
    json_object_array_add(json_object_object_get(layer, "nodes"), n);
  }
  return rows_done(s, st, rc, "cannot read hops");
}

/* Links: how often a hop address was followed by another at the next
 * ttl (the hop view's bands). */
static int paths_links(store *s, const store_report_range *r,
                       const char *target, const char *probe, json_object *out)
{
  sqlite3_stmt *st = NULL;
  json_object *links = json_object_new_array();
  int rc;

  put(out, "links", links);
  rc = prepare(
      s,
      "SELECT h1.ttl, h1.addr, h2.addr, count(*) FROM path_sets ps "
      "JOIN paths p ON p.set_id = ps.id JOIN hops h1 ON h1.path_id "
      "= p.id JOIN hops h2 ON h2.path_id = p.id AND h2.ttl = h1.ttl "
      "+ 1 WHERE ps.target = ?4 AND ps.probe = ?5 AND (?1 IS NULL OR "
      "ps.run_id = ?1) AND (?9 IS NULL OR ps.run_id IN (SELECT id FROM runs "
      "WHERE profile = ?9)) AND ps.wall_ns >= ?2 AND ps.wall_ns < ?3 "
      "GROUP BY h1.ttl, h1.addr, h2.addr ORDER BY h1.ttl, h1.addr, "
      "h2.addr",
      &st);
  if (rc < 0)
    return rc;
  bind_range(st, r);
  sqlite3_bind_text(st, 4, target, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 5, probe, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    json_object *l = json_object_new_object();

    put(l, "ttl", json_object_new_int64(sqlite3_column_int64(st, 0)));
    put(l, "from", str_or_null(sqlite3_column_text(st, 1)));
    put(l, "to", str_or_null(sqlite3_column_text(st, 2)));
    put(l, "count", json_object_new_int64(sqlite3_column_int64(st, 3)));
    json_object_array_add(links, l);
  }
  return rows_done(s, st, rc, "cannot read hops");
}

static int paths_changes(store *s, const store_report_range *r,
                         const char *target, json_object *out)
{
  sqlite3_stmt *st = NULL;
  json_object *changes = json_object_new_array();
  int rc;

  put(out, "changes", changes);
  rc = prepare(
      s,
      "SELECT wall_ns, kind, flow_id, ttl, old_addr, new_addr, "
      "old_rtt_ms, new_rtt_ms, old_paths, new_paths FROM "
      "path_changes WHERE target = ?4 "
      "AND (?1 IS NULL OR run_id = ?1) AND (?9 IS NULL OR run_id IN (SELECT "
      "id FROM runs WHERE profile = ?9)) AND wall_ns >= ?2 AND wall_ns "
      "< ?3 ORDER BY wall_ns, id LIMIT 2000",
      &st);
  if (rc < 0)
    return rc;
  bind_range(st, r);
  sqlite3_bind_text(st, 4, target, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    json_object *c = json_object_new_object();

    put(c, "time", store_report_time(sqlite3_column_int64(st, 0)));
    put(c, "t",
        store_report_num((double)sqlite3_column_int64(st, 0) / 1e9, 3));
    put(c, "kind", str_or_null(sqlite3_column_text(st, 1)));
    put(c, "flow", json_object_new_int64(sqlite3_column_int64(st, 2)));
    put(c, "ttl", json_object_new_int64(sqlite3_column_int64(st, 3)));
    put(c, "old_addr", str_or_null(sqlite3_column_text(st, 4)));
    put(c, "new_addr", str_or_null(sqlite3_column_text(st, 5)));
    put(c, "old_rtt_ms", col_num(st, 6, 3));
    put(c, "new_rtt_ms", col_num(st, 7, 3));
    if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
      put(c, "old_paths", json_object_new_int64(sqlite3_column_int64(st, 8)));
      put(c, "new_paths", json_object_new_int64(sqlite3_column_int64(st, 9)));
    }
    json_object_array_add(changes, c);
  }
  return rows_done(s, st, rc, "cannot read path changes");
}

int store_report_paths(store *s, const store_report_range *r,
                       json_object *model)
{
  json_object *sec = section(model, "paths"),
              *targets = json_object_new_array();
  sqlite3_stmt *st = NULL;
  int rc;

  put(sec, "targets", targets);
  rc = prepare(
      s,
      "SELECT target, probe, count(*), max(id), max(wall_ns) FROM "
      "path_sets WHERE (?1 IS NULL OR run_id = ?1) AND (?9 IS NULL OR run_id "
      "IN (SELECT id FROM runs WHERE profile = ?9)) AND wall_ns >= ?2 "
      "AND wall_ns < ?3 GROUP BY target, probe ORDER BY target, "
      "probe",
      &st);
  if (rc < 0)
    return rc;
  bind_range(st, r);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *target = (const char *)sqlite3_column_text(st, 0);
    const char *probe = (const char *)sqlite3_column_text(st, 1);
    json_object *t, *latest;
    sqlite3_stmt *m = NULL;
    int rc2;

    if (!target_wanted(r, target))
      continue;
    t = json_object_new_object();
    json_object_array_add(targets, t);
    put(t, "target", json_object_new_string(target));
    put(t, "probe", json_object_new_string(probe));
    put(t, "rounds", json_object_new_int64(sqlite3_column_int64(st, 2)));
    latest = json_object_new_object();
    put(t, "latest", latest);
    put(latest, "time", store_report_time(sqlite3_column_int64(st, 4)));
    rc2 = prepare(s, "SELECT mode, set_hash FROM path_sets WHERE id = ?", &m);
    if (rc2 == BN_OK) {
      sqlite3_bind_int64(m, 1, sqlite3_column_int64(st, 3));
      if (sqlite3_step(m) == SQLITE_ROW) {
        put(t, "mode", str_or_null(sqlite3_column_text(m, 0)));
        put(latest, "set", str_or_null(sqlite3_column_text(m, 1)));
      }
      sqlite3_finalize(m);
    }
    if (rc2 == BN_OK)
      rc2 = paths_latest(s, sqlite3_column_int64(st, 3), latest);
    if (rc2 == BN_OK)
      rc2 = paths_layers(s, r, target, probe, t);
    if (rc2 == BN_OK)
      rc2 = paths_links(s, r, target, probe, t);
    if (rc2 == BN_OK)
      rc2 = paths_changes(s, r, target, t);
    if (rc2 < 0) {
      sqlite3_finalize(st);
      return rc2;
    }
  }
  rc = rows_done(s, st, rc, "cannot read path sets");
  if (rc < 0)
    return rc;
  availability(sec, json_object_array_length(targets) > 0,
               "no traceroute rounds in this range; add the traceroute probe "
               "to the profile");
  return BN_OK;
}
