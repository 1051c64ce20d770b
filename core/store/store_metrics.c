/*
 * store_metrics.c - what each probe instance's metrics mean: the
 * declarations (unit, role, aggregation) a run's probes make, kept in
 * the `metrics` table so that reports and detectors select series by
 * role, for any plugin, long after the plugin has gone.
 */
#include "config.h"

#include <string.h>

#include "store_int.h"

static const char *store_agg_name(bn_metric_agg a)
{
  switch (a) {
  case BN_AGG_DISTRIBUTION:
    return "distribution";
  case BN_AGG_MEAN:
    return "mean";
  case BN_AGG_SUM:
    return "sum";
  case BN_AGG_LAST:
    return "last";
  case BN_AGG_MAX:
    return "max";
  default:
    return "mean";
  }
}

bn_metric_role store_role_parse(const char *name)
{
  int r;

  for (r = BN_ROLE_LATENCY; name && r <= BN_ROLE_GAUGE; r++)
    if (strcmp(name, bn_role_name((bn_metric_role)r)) == 0)
      return (bn_metric_role)r;
  return (bn_metric_role)0;
}

int store_declare_metrics(store *s, const char *probe, const bn_metric *m)
{
  sqlite3_stmt *st = NULL;
  int rc = BN_OK;

  if (!s || s->readonly || !probe)
    return BN_EINVAL;
  if (sqlite3_prepare_v2(
          s->db,
          "INSERT OR REPLACE INTO metrics (probe, metric, unit, role, agg, "
          "flags, help) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
          -1, &st, NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot record the metrics of a probe",
                      "check that the file is writable");
  for (; m && m->name; m++) {
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, probe, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m->unit ? m->unit : "1", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, bn_role_name(m->role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, store_agg_name(m->agg), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, m->flags);
    if (m->help)
      sqlite3_bind_text(st, 7, m->help, -1, SQLITE_STATIC);
    else
      sqlite3_bind_null(st, 7);
    if (sqlite3_step(st) != SQLITE_DONE) {
      rc = store_fail(s->path, s->db, "cannot record the metrics of a probe",
                      "check free disk space and that the file is writable");
      break;
    }
  }
  sqlite3_finalize(st);
  return rc;
}
