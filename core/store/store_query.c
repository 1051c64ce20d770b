/*
 * store_query.c - read-only views of the history store: run metadata,
 * per-series summaries, raw samples and events.  Each query commits the
 * open batch first, so it sees everything written on this connection.
 * Query statements are prepared per call: a callback may itself run a
 * query (a reporter reading samples of a series it is given).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "stats.h"
#include "store_int.h"

/* The WHERE clause of a query on samples or events, from a bn_query.
 * Parameters are named so that the binder need not count them. */
static int store_where(char *buf, size_t len, const bn_query *q,
                       const char *tcol, int series_cols)
{
  int n;

  n = snprintf(buf, len, " WHERE run_id = :run%s%s%s%s%s%s",
               q->target ? " AND " : "", q->target ? tcol : "",
               q->target ? " = :target" : "",
               series_cols && q->probe ? " AND se.probe = :probe" : "",
               series_cols && q->metric ? " AND se.metric = :metric" : "",
               series_cols && q->role
                   ? " AND EXISTS (SELECT 1 FROM metrics mr WHERE mr.probe = "
                     "se.probe AND mr.metric = se.metric AND mr.role = :role)"
                   : "");
  if (n < 0 || (size_t)n >= len)
    return BN_EINVAL;
  if (q->since_ns) {
    size_t used = (size_t)n;
    n = snprintf(buf + used, len - used, " AND wall_ns >= :since");
    if (n < 0 || (size_t)n >= len - used)
      return BN_EINVAL;
    n += (int)used;
  }
  if (q->until_ns) {
    size_t used = (size_t)n;
    n = snprintf(buf + used, len - used, " AND wall_ns < :until");
    if (n < 0 || (size_t)n >= len - used)
      return BN_EINVAL;
  }
  return BN_OK;
}

static void store_bind_named_text(sqlite3_stmt *st, const char *name,
                                  const char *v)
{
  int i = sqlite3_bind_parameter_index(st, name);

  if (i > 0)
    sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static void store_bind_named_int(sqlite3_stmt *st, const char *name, int64_t v)
{
  int i = sqlite3_bind_parameter_index(st, name);

  if (i > 0)
    sqlite3_bind_int64(st, i, v);
}

static void store_bind_query(sqlite3_stmt *st, const bn_query *q,
                             int64_t run_id)
{
  store_bind_named_int(st, ":run", run_id);
  store_bind_named_text(st, ":target", q->target);
  store_bind_named_text(st, ":probe", q->probe);
  store_bind_named_text(st, ":metric", q->metric);
  store_bind_named_text(st, ":role", bn_role_name(q->role));
  store_bind_named_int(st, ":since", q->since_ns);
  store_bind_named_int(st, ":until", q->until_ns);
}

/* Prepare `head` + WHERE(q) + `tail`, bound to the query. */
static int store_query_prepare(store *s, const bn_query *q, int64_t run_id,
                               const char *head, const char *tcol,
                               int series_cols, const char *tail,
                               sqlite3_stmt **out)
{
  char where[256], sql[1024];
  int n, rc;

  rc = store_where(where, sizeof(where), q, tcol, series_cols);
  if (rc < 0)
    return rc;
  n = snprintf(sql, sizeof(sql), "%s%s%s", head, where, tail);
  if (n < 0 || (size_t)n >= sizeof(sql))
    return BN_EINVAL;
  if (sqlite3_prepare_v2(s->db, sql, -1, out, NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot query",
                      "is the database from this bottleneck?");
  store_bind_query(*out, q, run_id);
  return BN_OK;
}

static int store_single_int(store *s, const char *sql, int64_t arg,
                            int64_t *out)
{
  sqlite3_stmt *st = NULL;
  int rc = BN_OK, step;

  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
    rc = store_fail(s->path, s->db, "cannot query",
                    "is the database from this bottleneck?");
    goto out;
  }
  if (sqlite3_bind_parameter_count(st) > 0)
    sqlite3_bind_int64(st, 1, arg);
  step = sqlite3_step(st);
  if (step == SQLITE_ROW)
    *out = sqlite3_column_int64(st, 0);
  else if (step == SQLITE_DONE)
    rc = BN_ENOENT;
  else
    rc = store_fail(s->path, s->db, "cannot query",
                    "is the database from this bottleneck?");
out:
  sqlite3_finalize(st);
  return rc;
}

int store_last_run(store *s, int64_t *run_id)
{
  int rc;

  if (!s || !run_id)
    return BN_EINVAL;
  rc = store_flush(s);
  if (rc < 0)
    return rc;
  *run_id = 0;
  /* max() of no rows is one NULL row, read as 0. */
  return store_single_int(s, "SELECT max(id) FROM runs", 0, run_id);
}

/* Run 0 means the last run; *id stays 0 when there is none. */
static int store_resolve_run(store *s, int64_t want, int64_t *id)
{
  if (want) {
    *id = want;
    return BN_OK;
  }
  return store_last_run(s, id);
}

static int store_dup_col(store *s, sqlite3_stmt *st, int col, int slot,
                         const char **out)
{
  const unsigned char *v = sqlite3_column_text(st, col);

  free(s->run_strs[slot]);
  s->run_strs[slot] = NULL;
  *out = NULL;
  if (!v)
    return BN_OK;
  s->run_strs[slot] = strdup((const char *)v);
  if (!s->run_strs[slot])
    return BN_ENOMEM;
  *out = s->run_strs[slot];
  return BN_OK;
}

int store_run_info(store *s, int64_t run_id, bn_run_info *out)
{
  sqlite3_stmt *st = NULL;
  int64_t id = 0;
  int rc, step;

  if (!s || !out)
    return BN_EINVAL;
  rc = store_resolve_run(s, run_id, &id);
  if (rc < 0)
    return rc;
  if (id == 0)
    return BN_ENOENT;
  if (sqlite3_prepare_v2(s->db,
                         "SELECT id, host, profile, profile_hash, version, "
                         "started_ns, ended_ns, exit_status "
                         "FROM runs WHERE id = ?1",
                         -1, &st, NULL) != SQLITE_OK) {
    rc = store_fail(s->path, s->db, "cannot query",
                    "is the database from this bottleneck?");
    goto out;
  }
  sqlite3_bind_int64(st, 1, id);
  step = sqlite3_step(st);
  if (step == SQLITE_DONE) {
    rc = BN_ENOENT;
    goto out;
  }
  if (step != SQLITE_ROW) {
    rc = store_fail(s->path, s->db, "cannot query",
                    "is the database from this bottleneck?");
    goto out;
  }
  memset(out, 0, sizeof(*out));
  out->id = sqlite3_column_int64(st, 0);
  rc = store_dup_col(s, st, 1, 0, &out->host);
  if (rc == BN_OK)
    rc = store_dup_col(s, st, 2, 1, &out->profile);
  if (rc == BN_OK)
    rc = store_dup_col(s, st, 3, 2, &out->profile_hash);
  if (rc == BN_OK)
    rc = store_dup_col(s, st, 4, 3, &out->version);
  out->started_ns = sqlite3_column_int64(st, 5);
  out->ended_ns = sqlite3_column_int64(st, 6); /* NULL reads as 0 */
  out->exit_status = sqlite3_column_type(st, 7) == SQLITE_NULL
                         ? -1
                         : sqlite3_column_int(st, 7);
out:
  sqlite3_finalize(st);
  return rc;
}

/* The series being summed up while rows stream by. */
typedef struct store_acc {
  bn_series ser;
  int64_t series_id;
  char *names; /* target\0probe\0metric\0unit\0 */
  double *v;   /* received values, time order */
  size_t n, cap;
} store_acc;

static int store_acc_start(store_acc *a, sqlite3_stmt *st)
{
  const char *t = (const char *)sqlite3_column_text(st, 1);
  const char *p = (const char *)sqlite3_column_text(st, 2);
  const char *m = (const char *)sqlite3_column_text(st, 3);
  const char *u = (const char *)sqlite3_column_text(st, 8);
  size_t lt = strlen(t) + 1, lp = strlen(p) + 1, lm = strlen(m) + 1;
  size_t lu;
  char *names;

  if (!u)
    u = "";
  lu = strlen(u) + 1;
  names = realloc(a->names, lt + lp + lm + lu);
  if (!names)
    return BN_ENOMEM;
  a->names = names;
  memcpy(names, t, lt);
  memcpy(names + lt, p, lp);
  memcpy(names + lt + lp, m, lm);
  memcpy(names + lt + lp + lm, u, lu);
  memset(&a->ser, 0, sizeof(a->ser));
  a->ser.struct_size = sizeof(a->ser);
  a->ser.target = names;
  a->ser.probe = names + lt;
  a->ser.metric = names + lt + lp;
  a->ser.unit = names + lt + lp + lm;
  a->ser.role = store_role_parse((const char *)sqlite3_column_text(st, 7));
  a->series_id = sqlite3_column_int64(st, 0);
  a->ser.first_ns = sqlite3_column_int64(st, 5);
  a->n = 0;
  return BN_OK;
}

/*
 * Count one row.  Invalid samples (clock jump, suspend) are left out of
 * everything but `invalid`.  Late and duplicate answers are extra
 * replies to probes already counted (a late one was reported lost at its
 * timeout), so they are counted apart, never as sent.  Only a plain
 * answer is a received value: lost, late, duplicate and local errors
 * carry no round-trip time worth averaging.
 */
static int store_acc_add(store_acc *a, sqlite3_stmt *st)
{
  uint32_t flags = (uint32_t)sqlite3_column_int64(st, 6);
  const uint32_t not_rx =
      BN_SAMPLE_LOST | BN_SAMPLE_LATE | BN_SAMPLE_DUP | BN_SAMPLE_ERROR;

  a->ser.last_ns = sqlite3_column_int64(st, 5);
  if (flags & BN_SAMPLE_INVALID) {
    a->ser.invalid++;
    return BN_OK;
  }
  if (flags & (BN_SAMPLE_LATE | BN_SAMPLE_DUP)) {
    a->ser.late += (flags & BN_SAMPLE_LATE) != 0;
    a->ser.dup += (flags & BN_SAMPLE_DUP) != 0;
    return BN_OK;
  }
  a->ser.count++;
  a->ser.lost += (flags & BN_SAMPLE_LOST) != 0;
  if ((flags & not_rx) || sqlite3_column_type(st, 4) == SQLITE_NULL)
    return BN_OK;
  if (a->n == a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 1024;
    double *v = realloc(a->v, cap * sizeof(*v));
    if (!v)
      return BN_ENOMEM;
    a->v = v;
    a->cap = cap;
  }
  a->v[a->n++] = sqlite3_column_double(st, 4);
  return BN_OK;
}

static int store_acc_emit(store_acc *a, bn_series_fn fn, void *arg)
{
  a->ser.loss_pct =
      a->ser.count ? 100.0 * (double)a->ser.lost / (double)a->ser.count : 0;
  stats_fill(&a->ser, a->v, a->n);
  return fn(&a->ser, arg);
}

int store_series_each(store *s, const bn_query *q, bn_series_fn fn, void *arg)
{
  sqlite3_stmt *st = NULL;
  store_acc a;
  int64_t run = 0;
  int rc, step, have = 0;

  memset(&a, 0, sizeof(a));
  if (!s || !q || !fn)
    return BN_EINVAL;
  rc = store_resolve_run(s, q->run_id, &run);
  if (rc < 0 || run == 0)
    return rc;
  rc = store_query_prepare(
      s, q, run,
      "SELECT s.series_id, se.target, se.probe, se.metric, s.value, "
      "s.wall_ns, s.flags, m.role, m.unit FROM samples s JOIN series se "
      "ON se.id = s.series_id LEFT JOIN metrics m ON m.probe = se.probe AND "
      "m.metric = se.metric",
      "se.target", 1,
      " ORDER BY se.target, se.probe, se.metric, s.wall_ns, s.rowid", &st);
  if (rc < 0)
    goto out;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (have && sqlite3_column_int64(st, 0) != a.series_id) {
      have = 0;
      if (store_acc_emit(&a, fn, arg) != 0)
        goto out;
    }
    if (!have) {
      rc = store_acc_start(&a, st);
      if (rc < 0)
        goto out;
      have = 1;
    }
    rc = store_acc_add(&a, st);
    if (rc < 0)
      goto out;
  }
  if (step != SQLITE_DONE) {
    rc = store_fail(s->path, s->db, "cannot read samples",
                    "run PRAGMA integrity_check on the file");
    goto out;
  }
  if (have)
    store_acc_emit(&a, fn, arg);
out:
  sqlite3_finalize(st);
  free(a.names);
  free(a.v);
  return rc;
}

int store_samples_each(store *s, const bn_query *q, bn_sample_fn fn, void *arg)
{
  sqlite3_stmt *st = NULL;
  bn_sample_row r;
  int64_t run = 0;
  int rc, step;

  if (!s || !q || !fn)
    return BN_EINVAL;
  rc = store_resolve_run(s, q->run_id, &run);
  if (rc < 0 || run == 0)
    return rc;
  rc = store_query_prepare(
      s, q, run,
      "SELECT se.target, se.probe, se.metric, s.value, s.wall_ns, "
      "s.mono_ns, s.flags FROM samples s JOIN series se "
      "ON se.id = s.series_id",
      "se.target", 1,
      " ORDER BY se.target, se.probe, se.metric, s.wall_ns, s.rowid", &st);
  if (rc < 0)
    goto out;
  memset(&r, 0, sizeof(r));
  r.run_id = run;
  r.sample.struct_size = sizeof(r.sample);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    r.target = (const char *)sqlite3_column_text(st, 0);
    r.probe = (const char *)sqlite3_column_text(st, 1);
    r.sample.target = r.target;
    r.sample.metric = (const char *)sqlite3_column_text(st, 2);
    r.sample.value = sqlite3_column_type(st, 3) == SQLITE_NULL
                         ? NAN
                         : sqlite3_column_double(st, 3);
    r.sample.wall_ns = sqlite3_column_int64(st, 4);
    r.sample.mono_ns = sqlite3_column_int64(st, 5);
    r.sample.flags = (uint32_t)sqlite3_column_int64(st, 6);
    if (fn(&r, arg) != 0)
      goto out;
  }
  if (step != SQLITE_DONE)
    rc = store_fail(s->path, s->db, "cannot read samples",
                    "run PRAGMA integrity_check on the file");
out:
  sqlite3_finalize(st);
  return rc;
}

int store_events_each(store *s, const bn_query *q, bn_event_fn fn, void *arg)
{
  sqlite3_stmt *st = NULL;
  bn_event e;
  int64_t run = 0;
  int rc, step;

  if (!s || !q || !fn)
    return BN_EINVAL;
  rc = store_resolve_run(s, q->run_id, &run);
  if (rc < 0 || run == 0)
    return rc;
  rc = store_query_prepare(s, q, run,
                           "SELECT source, target, type, severity, score, "
                           "message, wall_ns FROM events",
                           "target", 0, " ORDER BY wall_ns, id", &st);
  if (rc < 0)
    goto out;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    memset(&e, 0, sizeof(e));
    e.struct_size = sizeof(e);
    e.target = (const char *)sqlite3_column_text(st, 1);
    e.type = (const char *)sqlite3_column_text(st, 2);
    e.severity = (bn_severity)sqlite3_column_int(st, 3);
    e.score = sqlite3_column_type(st, 4) == SQLITE_NULL
                  ? NAN
                  : sqlite3_column_double(st, 4);
    e.message = (const char *)sqlite3_column_text(st, 5);
    e.wall_ns = sqlite3_column_int64(st, 6);
    if (fn(&e, (const char *)sqlite3_column_text(st, 0), arg) != 0)
      goto out;
  }
  if (step != SQLITE_DONE)
    rc = store_fail(s->path, s->db, "cannot read events",
                    "run PRAGMA integrity_check on the file");
out:
  sqlite3_finalize(st);
  return rc;
}
