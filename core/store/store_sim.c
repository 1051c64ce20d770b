/*
 * store_sim.c - run kinds, run attributes and value queries for
 * simulated runs (see store.h and docs/simulation.md).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "store_int.h"

static int store_sim_exec(store *s, const char *sql, int64_t run_id,
                          const char *a, const char *b, const char *what)
{
  sqlite3_stmt *st = NULL;
  int rc = BN_OK;

  if (!s || s->readonly || !s->hold)
    return BN_EINVAL;
  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, what, "please report this as a bug");
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_text(st, 2, a, -1, SQLITE_TRANSIENT);
  if (b)
    sqlite3_bind_text(st, 3, b, -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st) != SQLITE_DONE)
    rc = store_fail(s->path, s->db, what,
                    "check free disk space and permissions");
  sqlite3_finalize(st);
  return rc;
}

int store_run_set_kind(store *s, int64_t run_id, const char *kind)
{
  return store_sim_exec(s, "UPDATE runs SET kind = ?2 WHERE id = ?1", run_id,
                        kind, NULL, "cannot set the run's kind");
}

int store_run_attr_put(store *s, int64_t run_id, const char *key,
                       const char *value)
{
  return store_sim_exec(s,
                        "INSERT OR REPLACE INTO run_attrs (run_id, key, value)"
                        " VALUES (?1, ?2, ?3)",
                        run_id, key, value ? value : "",
                        "cannot record a run attribute");
}

int store_run_kind(store *s, int64_t run_id, char *buf, size_t len)
{
  sqlite3_stmt *st = NULL;
  int rc = BN_ENOENT;

  if (!s || !buf || !len)
    return BN_EINVAL;
  if (sqlite3_prepare_v2(s->db, "SELECT kind FROM runs WHERE id = ?1", -1, &st,
                         NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot read the run",
                      "is the database older than schema 8?");
  sqlite3_bind_int64(st, 1, run_id);
  if (sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char *k = sqlite3_column_text(st, 0);

    snprintf(buf, len, "%s", k ? (const char *)k : "measured");
    rc = BN_OK;
  }
  sqlite3_finalize(st);
  return rc;
}

int store_run_attrs_each(store *s, int64_t run_id,
                         int (*fn)(const char *key, const char *value,
                                   void *arg),
                         void *arg)
{
  sqlite3_stmt *st = NULL;
  int rc = BN_OK;

  if (!s || !fn)
    return BN_EINVAL;
  if (sqlite3_prepare_v2(s->db,
                         "SELECT key, value FROM run_attrs WHERE run_id = ?1 "
                         "ORDER BY key",
                         -1, &st, NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot read the run's attributes",
                      "is the database older than schema 8?");
  sqlite3_bind_int64(st, 1, run_id);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (fn((const char *)sqlite3_column_text(st, 0),
           (const char *)sqlite3_column_text(st, 1), arg))
      break;
  rc = rc == SQLITE_ROW || rc == SQLITE_DONE
           ? BN_OK
           : store_fail(s->path, s->db, "cannot read the run's attributes",
                        "is the database damaged?");
  sqlite3_finalize(st);
  return rc;
}

int store_values_each(store *s, int64_t run_id, int64_t since_ns,
                      int64_t until_ns, const char *target, store_value_fn fn,
                      void *arg)
{
  sqlite3_stmt *st = NULL;
  int rc;
  char sql[1024];

  if (!s || !fn)
    return BN_EINVAL;
  snprintf(
      sql, sizeof(sql),
      "SELECT se.target, se.metric, coalesce(m.role, 'gauge'),"
      "       coalesce(m.unit, '1'), sa.value"
      " FROM samples sa JOIN series se ON se.id = sa.series_id"
      " JOIN runs r ON r.id = sa.run_id"
      " LEFT JOIN metrics m ON m.probe = se.probe AND m.metric = se.metric"
      " WHERE sa.value IS NOT NULL AND (sa.flags & %u) = 0"
      "   AND %s"
      "   AND (?4 IS NULL OR se.target = ?4)"
      " ORDER BY se.target, se.metric",
      (unsigned)(BN_SAMPLE_LOST | BN_SAMPLE_INVALID),
      run_id ? "sa.run_id = ?1"
             : "r.kind <> 'sim' AND sa.wall_ns >= ?2"
               " AND (?3 = 0 OR sa.wall_ns < ?3)");
  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot read samples",
                      "is the database older than schema 8?");
  sqlite3_bind_int64(st, 1, run_id);
  sqlite3_bind_int64(st, 2, since_ns);
  sqlite3_bind_int64(st, 3, until_ns);
  if (target)
    sqlite3_bind_text(st, 4, target, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    if (fn((const char *)sqlite3_column_text(st, 0),
           (const char *)sqlite3_column_text(st, 1),
           (const char *)sqlite3_column_text(st, 2),
           (const char *)sqlite3_column_text(st, 3),
           sqlite3_column_double(st, 4), arg))
      break;
  rc = rc == SQLITE_ROW || rc == SQLITE_DONE
           ? BN_OK
           : store_fail(s->path, s->db, "cannot read samples",
                        "is the database damaged?");
  sqlite3_finalize(st);
  return rc;
}
