/*
 * report_model.c - building the report model (report_model.h): the
 * range, the metadata, the sections from the store (store_report.c) and
 * the preset's choices of density and order.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "report_model.h"
#include "store_int.h"
#include "store_report.h"

static const char *const preset_names[] = {"full", "compact", "ops"};

/* Chart points across the range, per preset. */
static const int preset_points[] = {240, 60, 120};
/* CDF points per target, per preset (0: no CDF). */
static const int preset_cdf[] = {100, 0, 40};
/* ops: charts for this many of the worst targets */
#define OPS_WORST 5
/* compact: this many alerts (the most severe, newest first) */
#define COMPACT_ALERTS 10

int report_preset_of(const char *name)
{
  size_t i;

  for (i = 0; i < sizeof(preset_names) / sizeof(preset_names[0]); i++)
    if (name && !strcmp(name, preset_names[i]))
      return (int)i;
  return -1;
}

const char *report_preset_name(report_preset p)
{
  return preset_names[p <= REPORT_OPS ? p : 0];
}

/* The time of "generated": SOURCE_DATE_EPOCH when set (reproducible
 * output, as for builds: the golden tests use it), else the clock. */
static int64_t now_ns(void)
{
  const char *epoch = getenv("SOURCE_DATE_EPOCH");
  struct timespec ts;
  char *end;
  long long e;

  if (epoch && *epoch) {
    e = strtoll(epoch, &end, 10);
    if (!*end && e >= 0)
      return e * 1000000000LL;
  }
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- the range -------------------------------------------------------- */

static int query_i64(store *s, const char *sql, const char *text, int64_t arg,
                     int64_t *out)
{
  sqlite3_stmt *st = NULL;
  int rc = BN_ENOENT;

  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot read runs",
                      "is the database damaged?");
  if (text)
    sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64(st, 1, arg);
  if (sqlite3_step(st) == SQLITE_ROW &&
      sqlite3_column_type(st, 0) != SQLITE_NULL) {
    *out = sqlite3_column_int64(st, 0);
    rc = BN_OK;
  }
  sqlite3_finalize(st);
  return rc;
}

/* Fill run_id / since / until; logs and fails when there is nothing. */
static int model_range(store *s, const report_opts *o, int64_t now,
                       int64_t *run_id, int64_t *since, int64_t *until)
{
  bn_run_info info;
  int64_t id = o->run_id;

  *since = o->since_ns;
  *until = o->until_ns;
  if (!id && !*since && !*until) {
    /* the last run that ended: one killed before it could close its
     * row (or still running) is not "the last run" */
    int rc = query_i64(s,
                       o->profile ? "SELECT max(id) FROM runs WHERE ended_ns "
                                    "IS NOT NULL AND profile = ?1"
                                  : "SELECT max(id) FROM runs WHERE ended_ns "
                                    "IS NOT NULL AND ?1 = ?1",
                       o->profile, 0, &id);
    int64_t open_id = 0;

    if (rc != BN_OK &&
        query_i64(s,
                  o->profile ? "SELECT max(id) FROM runs WHERE profile = ?1"
                             : "SELECT max(id) FROM runs WHERE ?1 = ?1",
                  o->profile, 0, &open_id) == BN_OK &&
        open_id) {
      log_warn("report",
               "%s: run %lld has not ended (still running, or killed); "
               "reporting what it stored so far",
               s->path, (long long)open_id);
      id = open_id;
      rc = BN_OK;
    }
    if (rc != BN_OK || !id) {
      if (o->profile)
        log_error("report",
                  "%s: no run of profile '%s'; run 'bottleneck "
                  "run -p %s' first",
                  s->path, o->profile, o->profile);
      else
        log_error("report", "%s: no runs yet; run 'bottleneck run' first",
                  s->path);
      return BN_ENOENT;
    }
  }
  if (id) {
    if (store_run_info(s, id, &info) != BN_OK) {
      log_error("report",
                "%s has no run %lld; 'bottleneck report --since "
                "7d' reports on every run of the last week",
                s->path, (long long)id);
      return BN_ENOENT;
    }
    if (!*since)
      *since = info.started_ns;
    if (!*until)
      *until = (info.ended_ns > 0 ? info.ended_ns : now) + 1;
    *run_id = id;
    return BN_OK;
  }
  *run_id = 0;
  if (o->profile) {
    /* a range of that profile's runs: it must have some */
    int64_t first = 0;

    if (query_i64(s, "SELECT min(started_ns) FROM runs WHERE profile = ?1",
                  o->profile, 0, &first) != BN_OK) {
      log_error("report",
                "%s: no run of profile '%s'; run 'bottleneck run -p %s' "
                "first",
                s->path, o->profile, o->profile);
      return BN_ENOENT;
    }
    if (!*since)
      *since = first;
  }
  if (!*since && query_i64(s, "SELECT min(started_ns) FROM runs WHERE ?1 = ?1",
                           NULL, 0, since) != BN_OK) {
    log_error("report", "%s: no runs yet; run 'bottleneck run' first",
              s->path);
    return BN_ENOENT;
  }
  if (!*until)
    *until = now + 1;
  if (*until <= *since) {
    log_error("report", "the range ends before it starts (--since is after "
                        "--until)");
    return BN_EINVAL;
  }
  return BN_OK;
}

/* ---- metadata ---------------------------------------------------------- */

static int model_meta(store *s, const report_opts *o, int64_t run_id,
                      int64_t since, int64_t until, int64_t now,
                      json_object *model)
{
  json_object *meta = json_object_new_object(),
              *runs = json_object_new_array(),
              *profiles = json_object_new_array();
  sqlite3_stmt *st = NULL;
  size_t len = 1;
  int64_t last = 0;
  bn_run_info info;

  json_object_object_add(model, "meta", meta);
  json_object_object_add(
      meta, "generator",
      json_object_new_string("bottleneck " PACKAGE_VERSION));
  json_object_object_add(meta, "generated", store_report_time(now));
  json_object_object_add(
      meta, "preset", json_object_new_string(report_preset_name(o->preset)));
  json_object_object_add(meta, "redacted", json_object_new_boolean(o->redact));
  json_object_object_add(meta, "since", store_report_time(since));
  json_object_object_add(meta, "until", store_report_time(until - 1));
  json_object_object_add(meta, "since_s",
                         store_report_num((double)since / 1e9, 3));
  json_object_object_add(meta, "until_s",
                         store_report_num((double)until / 1e9, 3));
  json_object_object_add(meta, "runs", runs);
  json_object_object_add(meta, "profiles", profiles);
  /* the runs measured over the range (of --profile's profile only, when
   * given with a range), and their profiles in order of first run */
  if (sqlite3_prepare_v2(s->db,
                         "SELECT id, profile FROM runs WHERE (?1 IS NULL OR "
                         "id = ?1) AND (?4 IS NULL OR profile = ?4) AND "
                         "started_ns < ?3 AND (ended_ns IS NULL OR "
                         "ended_ns >= ?2) ORDER BY id",
                         -1, &st, NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot read runs",
                      "is the database damaged?");
  if (run_id)
    sqlite3_bind_int64(st, 1, run_id);
  else
    sqlite3_bind_null(st, 1);
  sqlite3_bind_int64(st, 2, since);
  sqlite3_bind_int64(st, 3, until);
  if (!run_id && o->profile)
    sqlite3_bind_text(st, 4, o->profile, -1, SQLITE_TRANSIENT);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *pr = (const char *)sqlite3_column_text(st, 1);
    size_t i, n = json_object_array_length(profiles);

    last = sqlite3_column_int64(st, 0);
    json_object_array_add(runs, json_object_new_int64(last));
    for (i = 0; pr && i < n; i++)
      if (!strcmp(pr, json_object_get_string(
                          json_object_array_get_idx(profiles, i))))
        break;
    if (pr && i == n) {
      json_object_array_add(profiles, json_object_new_string(pr));
      len += strlen(pr) + 2;
    }
  }
  sqlite3_finalize(st);
  if (last && store_run_info(s, last, &info) == BN_OK) {
    /* the title's profile: every one measured over the range, not only
     * the last run's */
    char *all = json_object_array_length(profiles) > 1 ? malloc(len) : NULL;

    if (all) {
      size_t i, at = 0;

      all[0] = 0;
      for (i = 0; i < json_object_array_length(profiles) && at < len; i++)
        at += (size_t)snprintf(
            all + at, len - at, "%s%s", i ? ", " : "",
            json_object_get_string(json_object_array_get_idx(profiles, i)));
      json_object_object_add(meta, "profile", json_object_new_string(all));
      free(all);
    } else {
      json_object_object_add(
          meta, "profile",
          info.profile ? json_object_new_string(info.profile) : NULL);
    }
    json_object_object_add(
        meta, "host", info.host ? json_object_new_string(info.host) : NULL);
  } else {
    json_object_object_add(meta, "profile",
                           o->profile ? json_object_new_string(o->profile)
                                      : NULL);
    json_object_object_add(meta, "host", NULL);
  }
  if (o->n_targets) {
    json_object *t = json_object_new_array();
    size_t i;

    for (i = 0; i < o->n_targets; i++)
      json_object_array_add(t, json_object_new_string(o->targets[i]));
    json_object_object_add(meta, "targets", t);
  }
  return BN_OK;
}

/* ---- preset choices ------------------------------------------------------
 */

/* The jitter view: per bucket jitter, taken from the latency points. */
/* The span the latency data covers (first bucket to the end of the
 * last), as meta.data_since_s / data_until_s: charts fit it instead of
 * leaving most of a range with little data empty. */
static void model_data_range(json_object *model)
{
  json_object *lat = json_object_object_get(model, "latency");
  json_object *meta = json_object_object_get(model, "meta");
  json_object *ls = json_object_object_get(lat, "series");
  double lo = INFINITY, hi = -INFINITY,
         b = json_object_get_double(json_object_object_get(lat, "bucket_s"));
  size_t i, j;

  for (i = 0; ls && i < json_object_array_length(ls); i++) {
    json_object *pts =
        json_object_object_get(json_object_array_get_idx(ls, i), "points");

    for (j = 0; pts && j < json_object_array_length(pts); j++) {
      double t = json_object_get_double(
          json_object_object_get(json_object_array_get_idx(pts, j), "t"));

      lo = fmin(lo, t);
      hi = fmax(hi, t);
    }
  }
  if (!meta || !(lo <= hi))
    return;
  hi = fmin(hi + b,
            json_object_get_double(json_object_object_get(meta, "until_s")));
  lo = fmax(lo,
            json_object_get_double(json_object_object_get(meta, "since_s")));
  json_object_object_add(meta, "data_since_s", store_report_num(lo, 3));
  json_object_object_add(meta, "data_until_s", store_report_num(hi, 3));
}

static void model_jitter(json_object *model)
{
  json_object *lat = json_object_object_get(model, "latency");
  json_object *sec = json_object_new_object(),
              *series = json_object_new_array();
  json_object *ls = json_object_object_get(lat, "series");
  size_t i, j;

  json_object_object_add(model, "jitter", sec);
  json_object_object_add(sec, "series", series);
  for (i = 0; i < json_object_array_length(ls); i++) {
    json_object *in = json_object_array_get_idx(ls, i), *out, *pts;
    json_object *ip = json_object_object_get(in, "points");

    out = json_object_new_object();
    json_object_object_add(
        out, "target", json_object_get(json_object_object_get(in, "target")));
    json_object_object_add(
        out, "probe", json_object_get(json_object_object_get(in, "probe")));
    pts = json_object_new_array();
    for (j = 0; j < json_object_array_length(ip); j++) {
      json_object *p = json_object_array_get_idx(ip, j), *q;
      json_object *jv = json_object_object_get(p, "jitter");

      if (!jv)
        continue;
      q = json_object_new_object();
      json_object_object_add(q, "t",
                             json_object_get(json_object_object_get(p, "t")));
      json_object_object_add(q, "jitter", json_object_get(jv));
      json_object_array_add(pts, q);
    }
    json_object_object_add(out, "points", pts);
    json_object_array_add(series, out);
  }
  json_object_object_add(
      sec, "available",
      json_object_new_boolean(json_object_array_length(series) > 0));
  if (!json_object_array_length(series))
    json_object_object_add(sec, "note",
                           json_object_new_string("no latency samples in "
                                                  "this range"));
}

static double num_of(json_object *o, const char *k)
{
  json_object *v = json_object_object_get(o, k);

  return v ? json_object_get_double(v) : -1;
}

/* ops: worst first (loss, then p95) */
static int worst_first(const void *a, const void *b)
{
  json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
  double lx = num_of(x, "loss_pct"), ly = num_of(y, "loss_pct");

  if (lx != ly)
    return lx < ly ? 1 : -1;
  lx = num_of(x, "p95");
  ly = num_of(y, "p95");
  if (lx != ly)
    return lx < ly ? 1 : -1;
  return strcmp(json_object_get_string(json_object_object_get(x, "target")),
                json_object_get_string(json_object_object_get(y, "target")));
}

/* Keep only the chart series of the first `n` summary rows. */
static void keep_worst(json_object *model, const char *sec, size_t n)
{
  json_object *rows = json_object_object_get(
      json_object_object_get(model, "summary"), "targets");
  json_object *series =
      json_object_object_get(json_object_object_get(model, sec), "series");
  size_t i, j;

  if (!series)
    return;
  for (i = json_object_array_length(series); i-- > 0;) {
    json_object *s = json_object_array_get_idx(series, i);
    int keep = 0;

    for (j = 0; j < n && j < json_object_array_length(rows); j++) {
      json_object *r = json_object_array_get_idx(rows, j);

      keep |=
          !strcmp(
              json_object_get_string(json_object_object_get(s, "target")),
              json_object_get_string(json_object_object_get(r, "target"))) &&
          !strcmp(json_object_get_string(json_object_object_get(s, "probe")),
                  json_object_get_string(json_object_object_get(r, "probe")));
    }
    if (!keep)
      json_object_array_del_idx(series, i, 1);
  }
}

static int severity_rank(json_object *item)
{
  const char *s =
      json_object_get_string(json_object_object_get(item, "severity"));

  return !s ? 0 : !strcmp(s, "critical") ? 2 : !strcmp(s, "warning") ? 1 : 0;
}

/* Keep `max` alert items: the most severe, newest first among equals
 * (items are newest first), in their order; counts stay those of the
 * range, `not_shown` says how many were left out. */
static void keep_alerts(json_object *model, size_t max)
{
  json_object *sec = json_object_object_get(model, "alerts");
  json_object *items = json_object_object_get(sec, "items");
  size_t n = items ? json_object_array_length(items) : 0, kept = 0, i;
  int sev;

  if (n <= max)
    return;
  /* mark the kept ones: severities from critical down, newest first */
  {
    unsigned char *keep = calloc(n, 1);

    if (!keep)
      return;
    for (sev = 2; sev >= 0 && kept < max; sev--)
      for (i = 0; i < n && kept < max; i++)
        if (severity_rank(json_object_array_get_idx(items, i)) == sev) {
          keep[i] = 1;
          kept++;
        }
    for (i = n; i-- > 0;)
      if (!keep[i])
        json_object_array_del_idx(items, i, 1);
    free(keep);
  }
  json_object_object_add(sec, "not_shown",
                         json_object_new_int64((int64_t)(n - kept)));
}

static void model_preset(json_object *model, report_preset p)
{
  static const char *const full[] = {"alerts",     "episodes", "summary",
                                     "latency",    "jitter",   "cdf",
                                     "speedtests", "paths",    NULL};
  static const char *const compact[] = {
      "alerts", "episodes", "summary", "latency", "speedtests", "paths", NULL};
  static const char *const ops[] = {"alerts",     "episodes", "paths",
                                    "summary",    "latency",  "jitter",
                                    "speedtests", NULL};
  const char *const *order = p == REPORT_COMPACT ? compact
                             : p == REPORT_OPS   ? ops
                                                 : full;
  json_object *sections = json_object_new_array();
  size_t i;

  if (p == REPORT_OPS) {
    json_object *rows = json_object_object_get(
        json_object_object_get(model, "summary"), "targets");

    json_object_array_sort(rows, worst_first);
    keep_worst(model, "latency", OPS_WORST);
    keep_worst(model, "jitter", OPS_WORST);
    json_object_object_del(model, "cdf");
  }
  if (p == REPORT_COMPACT) {
    json_object_object_del(model, "cdf");
    json_object_object_del(model, "jitter");
    keep_alerts(model, COMPACT_ALERTS);
  }
  for (i = 0; order[i]; i++)
    json_object_array_add(sections, json_object_new_string(order[i]));
  json_object_object_add(model, "sections", sections);
}

/* A bucket of a round size (1 s, 2 s, 5 s ... 1 h ... 1 d) giving at most
 * about `points` buckets over span: a chart's points then fall on round
 * times, and a sample exactly on a boundary is not pushed into the
 * previous bucket by a range that ends a nanosecond late. */
static int64_t model_bucket(int64_t span, int points)
{
  static const int64_t ladder_s[] = {1,    2,    5,     10,    15,    30,
                                     60,   120,  300,   600,   900,   1800,
                                     3600, 7200, 10800, 21600, 43200, 86400};
  int64_t raw = (span + points - 1) / points;
  size_t i;

  for (i = 0; i < sizeof(ladder_s) / sizeof(ladder_s[0]); i++)
    if (ladder_s[i] * 1000000000LL >= raw)
      return ladder_s[i] * 1000000000LL;
  return (raw + 86400000000000LL - 1) / 86400000000000LL * 86400000000000LL;
}

json_object *report_model_build(store *st, const report_opts *o)
{
  store_report_range r;
  json_object *model;
  int64_t now = o->now_ns ? o->now_ns : now_ns(), span;
  int rc;

  memset(&r, 0, sizeof(r));
  rc = model_range(st, o, now, &r.run_id, &r.since_ns, &r.until_ns);
  if (rc < 0)
    return NULL;
  r.targets = o->targets;
  r.n_targets = o->n_targets;
  /* a range with --profile: that profile's runs only */
  r.profile = r.run_id ? NULL : o->profile;
  span = r.until_ns - r.since_ns;
  r.bucket_ns = model_bucket(span, preset_points[o->preset]);
  r.cdf_points = (size_t)(preset_cdf[o->preset] ? preset_cdf[o->preset] : 40);
  model = json_object_new_object();
  json_object_object_add(model, "schema",
                         json_object_new_string("bottleneck-report/1"));
  rc = model_meta(st, o, r.run_id, r.since_ns, r.until_ns, now, model);
  if (rc == BN_OK && o->meta_only) {
    if (o->redact)
      report_redact(model);
    return model;
  }
  if (rc == BN_OK)
    rc = store_report_alerts(st, &r, model);
  if (rc == BN_OK)
    rc = store_report_episodes(st, &r, model);
  if (rc == BN_OK)
    rc = store_report_latency(st, &r, model);
  if (rc == BN_OK)
    rc = store_report_speedtests(st, &r, model);
  if (rc == BN_OK)
    rc = store_report_paths(st, &r, model);
  if (rc < 0) {
    json_object_put(model);
    return NULL;
  }
  model_data_range(model);
  model_jitter(model);
  model_preset(model, o->preset);
  if (o->redact)
    report_redact(model);
  return model;
}

/* ---- time arguments ------------------------------------------------------
 */

int report_parse_time(const char *s, int64_t now, int64_t *out)
{
  struct tm tm;
  const char *end;
  char *e;
  double n;
  int utc;

  if (!s || !*s)
    return -1;
  if (!strcmp(s, "now")) {
    *out = now;
    return 0;
  }
  /* a duration back from now: 90m, 24h, 7d, 30s, 2w */
  n = strtod(s, &e);
  if (e != s && e[0] && !e[1] && n >= 0 && isfinite(n) &&
      isdigit((unsigned char)s[0])) {
    double unit = 0;

    switch (*e) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    case 'w':
      unit = 7 * 86400;
      break;
    default:
      break;
    }
    if (unit > 0) {
      *out = now - (int64_t)(n * unit * 1e9);
      return 0;
    }
  }
  memset(&tm, 0, sizeof(tm));
  end = strptime(s, "%Y-%m-%d", &tm);
  if (!end)
    return -1;
  if (*end == 'T' || *end == ' ') {
    const char *t = strptime(end + 1, "%H:%M:%S", &tm);

    if (!t)
      t = strptime(end + 1, "%H:%M", &tm);
    if (!t)
      return -1;
    end = t;
  }
  utc = *end == 'Z';
  if (utc)
    end++;
  if (*end)
    return -1;
  tm.tm_isdst = -1;
  {
    time_t t = utc ? timegm(&tm) : mktime(&tm);

    if (t == (time_t)-1)
      return -1;
    *out = (int64_t)t * 1000000000LL;
  }
  return 0;
}

/* ---- file names
 * ------------------------------------------------------------- */

static void name_part(char *buf, size_t len, size_t *at, const char *s)
{
  for (; s && *s && *at + 1 < len; s++) {
    unsigned char c = (unsigned char)*s;

    buf[(*at)++] = (char)(isalnum(c) || c == '.' || c == '_' ? c : '-');
  }
  buf[*at] = 0;
}

void report_file_name(json_object *model, const char *ext, char *buf,
                      size_t len)
{
  json_object *meta = json_object_object_get(model, "meta");
  const char *profile =
      json_object_get_string(json_object_object_get(meta, "profile"));
  const char *host =
      json_object_get_string(json_object_object_get(meta, "host"));
  const char *since =
      json_object_get_string(json_object_object_get(meta, "since"));
  const char *until =
      json_object_get_string(json_object_object_get(meta, "until"));
  char from[9] = "", to[9] = "";
  size_t at = 0;

  /* YYYY-MM-DD... -> YYYYMMDD */
  if (since && strlen(since) >= 10)
    snprintf(from, sizeof(from), "%.4s%.2s%.2s", since, since + 5, since + 8);
  if (until && strlen(until) >= 10)
    snprintf(to, sizeof(to), "%.4s%.2s%.2s", until, until + 5, until + 8);
  buf[0] = 0;
  name_part(buf, len, &at, "bottleneck-");
  name_part(buf, len, &at, profile ? profile : "report");
  if (host) {
    name_part(buf, len, &at, "-");
    name_part(buf, len, &at, host);
  }
  if (from[0]) {
    name_part(buf, len, &at, "-");
    name_part(buf, len, &at, from);
  }
  if (to[0] && strcmp(from, to)) {
    name_part(buf, len, &at, "-");
    name_part(buf, len, &at, to);
  }
  name_part(buf, len, &at, ".");
  name_part(buf, len, &at, ext);
}
