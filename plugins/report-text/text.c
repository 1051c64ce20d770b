/*
 * text.c - the `text` reporter: the report model (docs/reports.md) as
 * plain text, the sections the model lists in its order: alerts, the
 * per-target summary, latency and jitter over time, the latency CDF,
 * speed tests and paths.  A section without data says why in one line.
 *
 * Column widths follow the content, numbers are right-aligned, "-"
 * stands for "no value".  With `output` set to a path the report is
 * written to a temporary file next to it and renamed, so a reader never
 * sees half a report.
 */
#include <bottleneck/sdk.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>

#include "report_common.h"
#include "text_table.h"

#define CELL 160
/* Rows of a time table before it is thinned (compact: fewer). */
#define TIME_ROWS_FULL    48
#define TIME_ROWS_COMPACT 12

typedef struct text_config {
  report_config common; /* output */
} text_config;

static const bn_option text_options[] = {
    REPORT_OUTPUT_OPTION(text_config, "-"), BN_OPTIONS_END};

static const char *const text_formats[] = {"text", NULL};

/* ---- reading the model ------------------------------------------------ */

static json_object *get(json_object *o, const char *k)
{
  json_object *v = NULL;

  return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* Array length and element that hold on any JSON: json-c asserts on a
 * non-array, and a reporter trusts no model (tests/fuzz). */
static size_t alen(json_object *a)
{
  return json_object_is_type(a, json_type_array) ? json_object_array_length(a)
                                                 : 0;
}

static json_object *aidx(json_object *a, size_t i)
{
  return i < alen(a) ? json_object_array_get_idx(a, i) : NULL;
}

static const char *str(json_object *o, const char *k)
{
  json_object *v = get(o, k);

  return v && json_object_is_type(v, json_type_string)
             ? json_object_get_string(v)
             : NULL;
}

static double num(json_object *o, const char *k)
{
  json_object *v = get(o, k);

  return v && !json_object_is_type(v, json_type_null)
             ? json_object_get_double(v)
             : NAN;
}

/* A number with `d` decimals, or "-". */
static const char *fmt(char *buf, double v, int d)
{
  if (!isfinite(v))
    snprintf(buf, CELL, "-");
  else
    snprintf(buf, CELL, "%.*f", d, v);
  return buf;
}

/* "2026-11-24T10:00:00.000Z" -> "2026-11-24 10:00:00" */
static const char *when(char *buf, const char *iso)
{
  snprintf(buf, CELL, "%.10s %.8s", iso ? iso : "-",
           iso && strlen(iso) > 11 ? iso + 11 : "");
  return buf;
}

/* Unix seconds as a time_t, when it is one (a model is not trusted:
 * NaN or 1e300 would be undefined behaviour in a cast). */
static int secs(double t, time_t *out)
{
  if (!(t > -1e12 && t < 1e12))
    return 0;
  *out = (time_t)t;
  return 1;
}

/* Unix seconds -> "2026-11-24 10:00:00" (UTC) */
static const char *when_s(char *buf, double t)
{
  time_t s;
  struct tm tm;

  if (!secs(t, &s) || !gmtime_r(&s, &tm))
    snprintf(buf, CELL, "-");
  else
    strftime(buf, CELL, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

static const char *or_dash(const char *s)
{
  return s && *s ? s : "-";
}

static void heading(FILE *f, const char *title)
{
  fprintf(f, "\n== %s ==\n", title);
}

/* Prints the note of a section without data; 1 when it had none. */
static int unavailable(FILE *f, json_object *sec)
{
  json_object *a = get(sec, "available");

  if (sec && a && json_object_get_boolean(a))
    return 0;
  fprintf(f, "%s\n", or_dash(str(sec, "note")));
  return 1;
}

/* ---- sections ------------------------------------------------------------
 */

static void sec_alerts(FILE *f, json_object *m)
{
  static const char *const heads[] = {"TIME", "SEVERITY", "SOURCE", "TARGET",
                                      "MESSAGE"};
  static const int right[] = {0, 0, 0, 0, 0};
  json_object *sec = get(m, "alerts"), *items = get(sec, "items");
  json_object *c = get(sec, "counts");
  text_table t;
  size_t i;

  heading(f, "Alerts");
  if (unavailable(f, sec))
    return;
  fprintf(f, "%.0f critical, %.0f warning, %.0f info\n", num(c, "critical"),
          num(c, "warning"), num(c, "info"));
  if (!alen(items))
    return;
  text_table_init(&t, 5, heads, right);
  for (i = 0; i < alen(items); i++) {
    json_object *it = aidx(items, i);
    char b0[CELL];
    const char *row[5];

    row[0] = when(b0, str(it, "time"));
    row[1] = or_dash(str(it, "severity"));
    row[2] = or_dash(str(it, "source"));
    row[3] = or_dash(str(it, "target"));
    row[4] = or_dash(str(it, "message"));
    text_table_add(&t, row);
  }
  text_table_print(&t, f);
  text_table_free(&t);
  if (num(sec, "not_shown") > 0)
    fprintf(f, "%.0f more not shown (preset %s keeps the most severe)\n",
            num(sec, "not_shown"), or_dash(str(get(m, "meta"), "preset")));
}

/* The anomaly baselines in force, under the episodes. */
static void sec_baselines(FILE *f, json_object *items)
{
  static const char *const heads[] = {"TARGET", "PROBE",  "METRIC",
                                      "KIND",   "CENTRE", "SPREAD",
                                      "LOSS%",  "SINCE",  "SAMPLES"};
  static const int right[] = {0, 0, 0, 0, 1, 1, 1, 0, 1};
  text_table t;
  size_t i;

  if (!alen(items))
    return;
  fprintf(f, "baselines in force:\n");
  text_table_init(&t, 9, heads, right);
  for (i = 0; i < alen(items); i++) {
    json_object *it = aidx(items, i);
    char b0[CELL], b1[CELL], b2[CELL], b3[CELL], b4[CELL];
    const char *row[9];

    row[0] = or_dash(str(it, "target"));
    row[1] = or_dash(str(it, "probe"));
    row[2] = or_dash(str(it, "metric"));
    row[3] = or_dash(str(it, "kind"));
    snprintf(b0, sizeof(b0), "%.3f", num(it, "centre"));
    snprintf(b1, sizeof(b1), "%.3f", num(it, "spread"));
    snprintf(b2, sizeof(b2), "%.2f", num(it, "loss_pct"));
    row[4] = get(it, "centre") ? b0 : "-";
    row[5] = get(it, "spread") ? b1 : "-";
    row[6] = get(it, "loss_pct") ? b2 : "-";
    row[7] = when(b3, str(it, "since"));
    snprintf(b4, sizeof(b4), "%.0f", num(it, "samples"));
    row[8] = b4;
    text_table_add(&t, row);
  }
  text_table_print(&t, f);
  text_table_free(&t);
}

static void sec_episodes(FILE *f, json_object *m)
{
  static const char *const heads[] = {
      "START", "END", "TARGET", "SEVERITY", "PEAK", "DOMINANT", "SIGNALS"};
  static const int right[] = {0, 0, 0, 0, 1, 0, 0};
  json_object *sec = get(m, "episodes"), *items = get(sec, "items");
  json_object *c = get(sec, "counts");
  text_table t;
  size_t i, j;

  heading(f, "Episodes");
  if (unavailable(f, sec)) {
    sec_baselines(f, get(sec, "baselines"));
    return;
  }
  fprintf(f, "%.0f critical, %.0f high, %.0f medium, %.0f low, %.0f info\n",
          num(c, "critical"), num(c, "high"), num(c, "medium"), num(c, "low"),
          num(c, "info"));
  text_table_init(&t, 7, heads, right);
  for (i = 0; i < alen(items); i++) {
    json_object *it = aidx(items, i);
    char b0[CELL], b1[CELL], b2[CELL];
    const char *row[7];

    row[0] = when(b0, str(it, "start"));
    row[1] = get(it, "end") ? when(b1, str(it, "end")) : "(open)";
    row[2] = or_dash(str(it, "target"));
    row[3] = or_dash(str(it, "severity"));
    snprintf(b2, sizeof(b2), "%.2f", num(it, "peak"));
    row[4] = b2;
    row[5] = or_dash(str(it, "dominant"));
    row[6] = or_dash(str(it, "signals"));
    text_table_add(&t, row);
  }
  text_table_print(&t, f);
  text_table_free(&t);
  for (i = 0; i < alen(items); i++) {
    json_object *it = aidx(items, i), *ctx = get(it, "context");
    char b0[CELL];

    for (j = 0; j < alen(ctx); j++) {
      json_object *c1 = aidx(ctx, j);

      if (!j)
        fprintf(f, "context of the %s episode of %s at %s:\n",
                or_dash(str(it, "severity")), or_dash(str(it, "target")),
                when(b0, str(it, "start")));
      fprintf(f, "  %s %s %s\n", when(b0, str(c1, "time")),
              or_dash(str(c1, "kind")), or_dash(str(c1, "what")));
    }
  }
  sec_baselines(f, get(sec, "baselines"));
}

static void sec_summary(FILE *f, json_object *m)
{
  static const char *const heads[] = {"TARGET", "PROBE", "METRIC", "SENT",
                                      "LOSS%",  "MIN",   "AVG",    "P50",
                                      "P95",    "MAX",   "JITTER"};
  static const int right[] = {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
  json_object *sec = get(m, "summary"), *rows = get(sec, "targets");
  double invalid = 0;
  text_table t;
  size_t i;

  heading(f, "Summary");
  if (unavailable(f, sec))
    return;
  text_table_init(&t, 11, heads, right);
  for (i = 0; i < alen(rows); i++) {
    json_object *r = aidx(rows, i);
    char b[8][CELL];
    const char *row[11];

    row[0] = or_dash(str(r, "target"));
    row[1] = or_dash(str(r, "probe"));
    row[2] = or_dash(str(r, "metric"));
    row[3] = fmt(b[0], num(r, "sent"), 0);
    row[4] = fmt(b[1], num(r, "loss_pct"), 1);
    row[5] = fmt(b[2], num(r, "min"), 3);
    row[6] = fmt(b[3], num(r, "avg"), 3);
    row[7] =
        fmt(b[4], num(r, "p50"), report_pct_digits(sec, num(r, "p50"), 3));
    row[8] =
        fmt(b[5], num(r, "p95"), report_pct_digits(sec, num(r, "p95"), 3));
    row[9] = fmt(b[6], num(r, "max"), 3);
    row[10] = fmt(b[7], num(r, "jitter"), 3);
    if (isfinite(num(r, "invalid")))
      invalid += num(r, "invalid");
    text_table_add(&t, row);
  }
  text_table_print(&t, f);
  text_table_free(&t);
  if (get(sec, "percentile_error"))
    fprintf(f,
            "P50 and P95 from the per-minute rollups' sketch: within %g %% "
            "of the exact values\n",
            100 * num(sec, "percentile_error"));
  if (invalid > 0)
    fprintf(f, "%.0f invalid samples (clock jump or suspend) left out\n",
            invalid);
}

/* Rows to print of n points: all, or every k-th so that at most max. */
static size_t stride(size_t n, size_t max)
{
  return n > max ? (n + max - 1) / max : 1;
}

/* Points j .. j + k - 1 merged into one row, so that thinning a long
 * table hides no spike: probes and losses add up, P5 is the lowest,
 * P50 the mean of the medians, P95 and MAX the highest. */
static void merged_row(json_object *sec, json_object *pts, size_t j, size_t k,
                       text_table *t)
{
  double sent = 0, lost = 0, p5 = INFINITY, p50 = 0, p95 = -INFINITY,
         max = -INFINITY;
  size_t i, n50 = 0, n = alen(pts);
  char b[7][CELL];
  const char *row[7];

  for (i = j; i < j + k && i < n; i++) {
    json_object *p = aidx(pts, i);
    double v;

    sent += num(p, "sent");
    lost += num(p, "lost");
    if ((v = num(p, "p5")) < p5)
      p5 = v;
    if (isfinite(v = num(p, "p50"))) {
      p50 += v;
      n50++;
    }
    if ((v = num(p, "p95")) > p95)
      p95 = v;
    if ((v = num(p, "max")) > max)
      max = v;
  }
  row[0] = when_s(b[0], num(aidx(pts, j), "t"));
  row[1] = fmt(b[1], sent, 0);
  row[2] = fmt(b[2], sent > 0 ? 100.0 * lost / sent : NAN, 1);
  p50 = n50 ? p50 / (double)n50 : NAN;
  row[3] = fmt(b[3], p5, report_pct_digits(sec, p5, 3));
  row[4] = fmt(b[4], p50, report_pct_digits(sec, p50, 3));
  row[5] = fmt(b[5], p95, report_pct_digits(sec, p95, 3));
  row[6] = fmt(b[6], max, 3);
  text_table_add(t, row);
}

static void sec_latency(FILE *f, json_object *m, size_t max_rows)
{
  static const char *const heads[] = {"TIME", "SENT", "LOSS%", "P5",
                                      "P50",  "P95",  "MAX"};
  static const int right[] = {0, 1, 1, 1, 1, 1, 1};
  json_object *sec = get(m, "latency"), *series = get(sec, "series");
  size_t i, j;

  heading(f, "Latency over time (ms)");
  if (unavailable(f, sec))
    return;
  fprintf(f, "buckets of %g s (%s)\n", num(sec, "bucket_s"),
          or_dash(str(sec, "source")));
  /* ranges the retention compacted (docs/history.md) */
  if (str(sec, "resolution") && strstr(str(sec, "resolution"), "hour"))
    fprintf(f,
            "older data compacted by the retention: %s rollups (an hour "
            "counts whole in the bucket of its start)\n",
            str(sec, "resolution"));
  for (i = 0; i < alen(series); i++) {
    json_object *s = aidx(series, i), *pts = get(s, "points");
    size_t n = alen(pts), k = stride(n, max_rows);
    text_table t;

    fprintf(f, "\n%s (%s, %s)", or_dash(str(s, "target")),
            or_dash(str(s, "probe")), or_dash(str(s, "metric")));
    if (k > 1)
      fprintf(f,
              ", %zu buckets a row: P5 lowest, P50 mean, P95 and MAX "
              "highest",
              k);
    fputc('\n', f);
    text_table_init(&t, 7, heads, right);
    for (j = 0; j < n; j += k)
      merged_row(sec, pts, j, k, &t);
    text_table_print(&t, f);
    text_table_free(&t);
  }
}

static void sec_jitter(FILE *f, json_object *m, size_t max_rows)
{
  static const char *const heads[] = {"TARGET", "PROBE", "MIN",
                                      "AVG",    "MAX",   "LAST"};
  static const int right[] = {0, 0, 1, 1, 1, 1};
  json_object *sec = get(m, "jitter"), *series = get(sec, "series");
  text_table t;
  size_t i, j;

  (void)max_rows;
  heading(f, "Jitter (ms, per bucket)");
  if (unavailable(f, sec))
    return;
  text_table_init(&t, 6, heads, right);
  for (i = 0; i < alen(series); i++) {
    json_object *s = aidx(series, i), *pts = get(s, "points");
    double lo = INFINITY, hi = -INFINITY, sum = 0, last = NAN;
    size_t n = alen(pts);
    char b[4][CELL];
    const char *row[6];

    for (j = 0; j < n; j++) {
      double v = num(aidx(pts, j), "jitter");

      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
      sum += v;
      last = v;
    }
    row[0] = or_dash(str(s, "target"));
    row[1] = or_dash(str(s, "probe"));
    row[2] = fmt(b[0], n ? lo : NAN, 3);
    row[3] = fmt(b[1], n ? sum / (double)n : NAN, 3);
    row[4] = fmt(b[2], n ? hi : NAN, 3);
    row[5] = fmt(b[3], last, 3);
    text_table_add(&t, row);
  }
  text_table_print(&t, f);
  text_table_free(&t);
}

/* The value where the CDF reaches q (the first point at or above it). */
static double cdf_at(json_object *pts, double q)
{
  size_t i;

  for (i = 0; i < alen(pts); i++) {
    json_object *p = aidx(pts, i);

    if (json_object_get_double(aidx(p, 1)) >= q - 1e-9)
      return json_object_get_double(aidx(p, 0));
  }
  return NAN;
}

static void sec_cdf(FILE *f, json_object *m)
{
  static const char *const heads[] = {"TARGET", "PROBE", "10%", "25%",
                                      "50%",    "75%",   "90%", "99%"};
  static const int right[] = {0, 0, 1, 1, 1, 1, 1, 1};
  static const double qs[] = {0.10, 0.25, 0.50, 0.75, 0.90, 0.99};
  json_object *sec = get(m, "cdf"), *series = get(sec, "series");
  text_table t;
  size_t i, j;

  heading(f, "Latency distribution (ms at which this share of answers "
             "arrived)");
  if (unavailable(f, sec))
    return;
  text_table_init(&t, 8, heads, right);
  for (i = 0; i < alen(series); i++) {
    json_object *s = aidx(series, i);
    char b[6][CELL];
    const char *row[8];

    row[0] = or_dash(str(s, "target"));
    row[1] = or_dash(str(s, "probe"));
    for (j = 0; j < 6; j++)
      row[2 + j] = fmt(b[j], cdf_at(get(s, "points"), qs[j]), 3);
    text_table_add(&t, row);
  }
  text_table_print(&t, f);
  text_table_free(&t);
}

/* Speed tests that took more than one attempt: each attempt in order,
 * so a failover is seen (which provider failed, why, which took over). */
static void speed_attempts(FILE *f, json_object *items)
{
  size_t i, j;

  for (i = 0; i < alen(items); i++) {
    json_object *it = aidx(items, i), *list = get(it, "attempt_list");
    char b0[CELL];

    if (alen(list) < 2)
      continue;
    fprintf(f, "%s: %zu attempts\n", when(b0, str(it, "time")), alen(list));
    for (j = 0; j < alen(list); j++) {
      json_object *a = aidx(list, j);
      json_object *ok = get(a, "ok");

      fprintf(f, "  #%.0f %s (%s): %s%s%s\n", num(a, "attempt"),
              or_dash(str(a, "provider")), or_dash(str(a, "server")),
              ok && json_object_get_boolean(ok) ? "ok" : "failed",
              str(a, "error") ? ": " : "",
              str(a, "error") ? str(a, "error") : "");
    }
  }
}

static void sec_speedtests(FILE *f, json_object *m)
{
  static const char *const heads[] = {"TIME",      "PROVIDER", "SERVER",
                                      "DOWN Mb/s", "UP Mb/s",  "IDLE ms",
                                      "LOADED ms", "GRADE",    "ERROR"};
  static const int right[] = {0, 0, 0, 1, 1, 1, 1, 0, 0};
  json_object *sec = get(m, "speedtests"), *items = get(sec, "items");
  text_table t;
  size_t i;

  heading(f, "Speed tests");
  if (unavailable(f, sec))
    return;
  text_table_init(&t, 9, heads, right);
  for (i = 0; i < alen(items); i++) {
    json_object *it = aidx(items, i);
    char b[6][CELL], loaded[2 * CELL + 4];
    const char *row[9];

    row[0] = when(b[0], str(it, "time"));
    row[1] = or_dash(str(it, "provider"));
    row[2] = or_dash(str(it, "server"));
    row[3] = fmt(b[1], num(it, "down_mbps"), 2);
    row[4] = fmt(b[2], num(it, "up_mbps"), 2);
    row[5] = fmt(b[3], num(it, "idle_ms"), 2);
    snprintf(loaded, sizeof(loaded), "%s/%s",
             fmt(b[4], num(it, "loaded_down_ms"), 1),
             fmt(b[5], num(it, "loaded_up_ms"), 1));
    row[6] = loaded;
    row[7] = or_dash(str(it, "bufferbloat"));
    row[8] = or_dash(str(it, "error"));
    text_table_add(&t, row);
  }
  text_table_print(&t, f);
  text_table_free(&t);
  speed_attempts(f, items);
}

static void path_changes(FILE *f, json_object *changes, size_t max)
{
  size_t n = alen(changes), i;

  if (!n) {
    fprintf(f, "  no path changes\n");
    return;
  }
  fprintf(f, "  %zu change%s%s:\n", n, n == 1 ? "" : "s",
          n > max ? " (the latest shown)" : "");
  for (i = n > max ? n - max : 0; i < n; i++) {
    json_object *c = aidx(changes, i);
    const char *kind = or_dash(str(c, "kind"));
    char b0[CELL];

    fprintf(f, "    %s  ", when(b0, str(c, "time")));
    if (!strcmp(kind, "set"))
      fprintf(f, "the set of paths changed (%.0f -> %.0f distinct)\n",
              num(c, "old_paths"), num(c, "new_paths"));
    else if (!strcmp(kind, "rtt_shift"))
      fprintf(f, "hop %.0f (%s) RTT %.2f -> %.2f ms\n", num(c, "ttl"),
              or_dash(str(c, "new_addr")), num(c, "old_rtt_ms"),
              num(c, "new_rtt_ms"));
    else
      fprintf(f, "hop %.0f %s %s -> %s (flow %.0f)\n", num(c, "ttl"), kind,
              or_dash(str(c, "old_addr")), or_dash(str(c, "new_addr")),
              num(c, "flow"));
  }
}

static void sec_paths(FILE *f, json_object *m, int compact)
{
  static const char *const heads[] = {"HOP", "ADDRESS", "LOSS%",
                                      "AVG", "BEST",    "WORST"};
  static const int right[] = {1, 0, 1, 1, 1, 1};
  json_object *sec = get(m, "paths"), *targets = get(sec, "targets");
  size_t i, j, k;

  heading(f, "Paths");
  if (unavailable(f, sec))
    return;
  for (i = 0; i < alen(targets); i++) {
    json_object *t = aidx(targets, i), *latest = get(t, "latest"),
                *paths = get(latest, "paths");
    char b0[CELL];

    fprintf(f, "\n%s (%s, %s): %.0f rounds; latest %s\n",
            or_dash(str(t, "target")), or_dash(str(t, "probe")),
            or_dash(str(t, "mode")), num(t, "rounds"),
            when(b0, str(latest, "time")));
    for (j = 0; j < alen(paths); j++) {
      json_object *p = aidx(paths, j), *hops = get(p, "hops");
      text_table tb;

      if (compact && j > 0)
        break;
      fprintf(f, "  flow %.0f, %s\n", num(p, "flow"),
              or_dash(str(p, "status")));
      text_table_init(&tb, 6, heads, right);
      for (k = 0; k < alen(hops); k++) {
        json_object *h = aidx(hops, k);
        char b[5][CELL];
        const char *row[6];

        row[0] = fmt(b[0], num(h, "ttl"), 0);
        row[1] = str(h, "addr") ? str(h, "addr") : "???";
        row[2] = fmt(b[1],
                     num(h, "sent") > 0
                         ? 100.0 * (num(h, "sent") - num(h, "received")) /
                               num(h, "sent")
                         : NAN,
                     1);
        row[3] = fmt(b[2], num(h, "avg_ms"), 3);
        row[4] = fmt(b[3], num(h, "best_ms"), 3);
        row[5] = fmt(b[4], num(h, "worst_ms"), 3);
        text_table_add(&tb, row);
      }
      text_table_print(&tb, f);
      text_table_free(&tb);
    }
    path_changes(f, get(t, "changes"), compact ? 5 : 50);
  }
}

static int text_write(json_object *m, FILE *f)
{
  json_object *meta = get(m, "meta"), *runs = get(meta, "runs"),
              *sections = get(m, "sections");
  const char *preset = or_dash(str(meta, "preset"));
  int compact = !strcmp(preset, "compact");
  size_t rows = compact ? TIME_ROWS_COMPACT : TIME_ROWS_FULL, i;
  char b0[CELL], b1[CELL];

  fprintf(f, "Bottleneck report: profile %s, host %s\n",
          or_dash(str(meta, "profile")), or_dash(str(meta, "host")));
  fprintf(f, "%s .. %s UTC, %zu run%s, preset %s%s\n",
          when(b0, str(meta, "since")), when(b1, str(meta, "until")),
          alen(runs), alen(runs) == 1 ? "" : "s", preset,
          json_object_get_boolean(get(meta, "redacted")) ? ", redacted" : "");
  {
    /* data over a small part of the range: say so */
    double a = num(meta, "data_since_s"), b = num(meta, "data_until_s"),
           r0 = num(meta, "since_s"), r1 = num(meta, "until_s");

    time_t ta, tb;

    if (secs(a, &ta) && secs(b, &tb) && b - a < 0.9 * (r1 - r0)) {
      char d0[CELL], d1[CELL];

      fprintf(f, "data only %s .. %s UTC\n", when_s(d0, a), when_s(d1, b));
    }
  }
  for (i = 0; i < alen(sections); i++) {
    const char *s = json_object_get_string(aidx(sections, i));

    if (!s) /* a null in the list (the model comes from any JSON) */
      continue;
    if (!strcmp(s, "alerts"))
      sec_alerts(f, m);
    else if (!strcmp(s, "episodes"))
      sec_episodes(f, m);
    else if (!strcmp(s, "summary"))
      sec_summary(f, m);
    else if (!strcmp(s, "latency"))
      sec_latency(f, m, rows);
    else if (!strcmp(s, "jitter"))
      sec_jitter(f, m, rows);
    else if (!strcmp(s, "cdf"))
      sec_cdf(f, m);
    else if (!strcmp(s, "speedtests"))
      sec_speedtests(f, m);
    else if (!strcmp(s, "paths"))
      sec_paths(f, m, compact);
  }
  return ferror(f) ? BN_EIO : BN_OK;
}

static int text_write_model(json_object *model, FILE *f, void *cfg)
{
  (void)cfg;
  return text_write(model, f);
}

static int text_render(void *ctx, const bn_report_request *req)
{
  return report_ctx_render(ctx, req, text_write_model);
}

static void text_destroy(void *ctx)
{
  report_ctx_free(ctx);
}

static int text_init(bn_host *h, void **out)
{
  text_config *cfg = calloc(1, sizeof(*cfg));

  if (cfg)
    cfg->common.output = "-";
  return report_ctx_new(h, cfg ? &cfg->common : NULL, (report_ctx **)out);
}

static const bn_reporter_ops text_ops = {
    .struct_size = sizeof(bn_reporter_ops),
    .render = text_render,
};

BN_PLUGIN(.name = "text", .version = "2.0", .kind = BN_KIND_REPORTER,
          .summary = "plain-text report: alerts, summary, latency and jitter "
                     "over time, CDF, speed tests, paths",
          .options = text_options, .formats = text_formats, .init = text_init,
          .destroy = text_destroy, .ops = &text_ops);
