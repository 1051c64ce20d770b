/*
 * html_sections.c - the page's sections other than paths: alerts with a
 * severity timeline, the summary table, latency (percentile band, median
 * line, loss marks), jitter, the latency CDF and speed tests with loaded
 * latency.  Each is a collapsible <details>; a section without data says
 * why.
 */
#include <math.h>
#include <string.h>

#include "html.h"
#include "report_common.h"

void h_sec_open(FILE *f, const char *id, const char *title, int open)
{
  fprintf(f, "<details class=\"sec\" id=\"%s\"%s><summary><h2>", id,
          open ? " open" : "");
  h_esc(f, title);
  fputs("</h2></summary>\n", f);
}

/* The time span charts draw: the span with latency data when the model
 * gives one (meta.data_since_s), else the whole range. */
static void chart_span(json_object *meta, double *t0, double *t1)
{
  double a = h_num(meta, "data_since_s"), b = h_num(meta, "data_until_s");

  *t0 = h_num(meta, "since_s");
  *t1 = h_num(meta, "until_s");
  if (isfinite(a) && isfinite(b) && a < b) {
    *t0 = a;
    *t1 = b;
  }
}

void h_sec_close(FILE *f)
{
  fputs("</details>\n", f);
}

int h_unavailable(FILE *f, json_object *sec)
{
  json_object *a = h_get(sec, "available");

  if (sec && a && json_object_get_boolean(a))
    return 0;
  fputs("<p class=\"note\">", f);
  h_esc(f, sec && h_str(sec, "note") ? h_str(sec, "note")
                                     : "not part of this report");
  fputs("</p>\n", f);
  return 1;
}

static void series_title(FILE *f, json_object *s)
{
  fputs("<h3>", f);
  h_esc(f, h_str(s, "target"));
  fputs(" <span class=\"dim\">", f);
  h_esc(f, h_str(s, "probe"));
  if (h_str(s, "metric")) {
    fputs(" · ", f);
    h_esc(f, h_str(s, "metric"));
  }
  fputs("</span></h3>\n", f);
}

/* ---- episodes ---------------------------------------------------------- */

/* The badge colour of an episode's severity (five levels on three). */
static const char *h_episode_class(const char *s)
{
  if (s && !strcmp(s, "critical"))
    return "critical";
  if (s && (!strcmp(s, "high") || !strcmp(s, "medium")))
    return "warning";
  return "info";
}

/* The anomaly baselines in force, under the episodes. */
static void h_baselines(FILE *f, json_object *items)
{
  size_t i;

  if (!h_len(items))
    return;
  fputs("<h3>Baselines in force</h3>\n<div class=\"scroll\"><table><thead>"
        "<tr><th>target</th><th>probe</th><th>metric</th><th>kind</th>"
        "<th>centre</th><th>spread</th><th>loss %</th><th>since</th>"
        "<th>samples</th></tr></thead><tbody>\n",
        f);
  for (i = 0; i < h_len(items); i++) {
    json_object *it = h_at(items, i);

    fputs("<tr><td>", f);
    h_esc(f, h_str(it, "target"));
    fputs("</td><td>", f);
    h_esc(f, h_str(it, "probe"));
    fputs("</td><td>", f);
    h_esc(f, h_str(it, "metric"));
    fputs("</td><td>", f);
    h_esc(f, h_str(it, "kind"));
    fputs("</td><td>", f);
    h_numf(f, h_num(it, "centre"), 3);
    fputs("</td><td>", f);
    h_numf(f, h_num(it, "spread"), 3);
    fputs("</td><td>", f);
    h_numf(f, h_num(it, "loss_pct"), 2);
    fputs("</td><td class=\"nowrap\">", f);
    if (h_str(it, "since"))
      h_when(f, h_str(it, "since"));
    fprintf(f, "</td><td>%.0f</td></tr>\n", h_num(it, "samples"));
  }
  fputs("</tbody></table></div>\n", f);
}

void h_sec_episodes(FILE *f, json_object *m, const h_page *p)
{
  json_object *sec = h_get(m, "episodes"), *items = h_get(sec, "items"),
              *c = h_get(sec, "counts");
  size_t i, j, n = h_len(items), max = p->compact ? 10 : 200;

  h_sec_open(f, "episodes", "Episodes", 1);
  if (h_unavailable(f, sec)) {
    h_baselines(f, h_get(sec, "baselines"));
    h_sec_close(f);
    return;
  }
  fprintf(f,
          "<p>%.0f critical, %.0f high, %.0f medium, %.0f low, %.0f "
          "info</p>\n",
          h_num(c, "critical"), h_num(c, "high"), h_num(c, "medium"),
          h_num(c, "low"), h_num(c, "info"));
  fputs("<div class=\"scroll\"><table><thead><tr><th>start</th><th>end"
        "</th><th>target</th><th>severity</th><th>peak</th><th>dominant</th>"
        "<th>signals</th><th>context</th></tr></thead><tbody>\n",
        f);
  for (i = 0; i < n && i < max; i++) {
    json_object *it = h_at(items, i), *ctx = h_get(it, "context");
    const char *s = h_str(it, "severity");

    fputs("<tr><td class=\"nowrap\">", f);
    h_when(f, h_str(it, "start"));
    fputs("</td><td class=\"nowrap\">", f);
    if (h_str(it, "end"))
      h_when(f, h_str(it, "end"));
    else
      fputs("(open)", f);
    fputs("</td><td>", f);
    h_esc(f, h_str(it, "target") ? h_str(it, "target") : "-");
    fprintf(f, "</td><td><span class=\"badge sev-%s\">", h_episode_class(s));
    h_esc(f, s ? s : "-");
    fputs("</span></td><td>", f);
    h_numf(f, h_num(it, "peak"), 2);
    fputs("</td><td>", f);
    h_esc(f, h_str(it, "dominant") ? h_str(it, "dominant") : "-");
    fputs("</td><td>", f);
    h_esc(f, h_str(it, "signals") ? h_str(it, "signals") : "-");
    fputs("</td><td>", f);
    for (j = 0; j < h_len(ctx); j++) {
      json_object *x = h_at(ctx, j);

      if (j)
        fputs("<br>", f);
      h_when(f, h_str(x, "time"));
      fputs(" ", f);
      h_esc(f, h_str(x, "kind"));
      fputs(": ", f);
      h_esc(f, h_str(x, "what"));
    }
    if (!h_len(ctx))
      fputs("-", f);
    fputs("</td></tr>\n", f);
  }
  fputs("</tbody></table></div>\n", f);
  if (n > max)
    fprintf(f, "<p class=\"note\">%zu more not shown</p>\n", n - max);
  h_baselines(f, h_get(sec, "baselines"));
  h_sec_close(f);
}

/* ---- alerts ------------------------------------------------------------ */

void h_sec_alerts(FILE *f, json_object *m, const h_page *p)
{
  static const char *const sev[] = {"critical", "warning", "info"};
  json_object *sec = h_get(m, "alerts"), *items = h_get(sec, "items"),
              *tl = h_get(sec, "timeline"), *meta = h_get(m, "meta");
  size_t i, j, n = h_len(items), max = 200;
  double more = h_num(sec, "not_shown");

  h_sec_open(f, "alerts", "Alerts", 1);
  if (h_unavailable(f, sec)) {
    h_sec_close(f);
    return;
  }
  if (!n) {
    fputs("<p class=\"note\">no alerts in this range</p>\n", f);
    h_sec_close(f);
    return;
  }
  /* severity timeline: one row per severity, a mark per bucket */
  if (h_len(tl)) {
    h_chart c;
    double t0 = h_num(meta, "since_s"), t1 = h_num(meta, "until_s");

    h_chart_open(&c, f, "severity timeline", t0, t1, 0, 3, H_X_TIME, "");
    for (j = 0; j < 3; j++)
      fprintf(f,
              "<text class=\"ax\" x=\"%d\" y=\"%.1f\" "
              "text-anchor=\"end\">%s</text>\n",
              c.left - 6, h_py(&c, 2.5 - (double)j) + 4, sev[j]);
    for (i = 0; i < h_len(tl); i++) {
      json_object *b = h_at(tl, i);

      for (j = 0; j < 3; j++) {
        double k = h_num(b, sev[j]);

        if (k > 0)
          fprintf(f,
                  "<rect class=\"sev-%s\" x=\"%.1f\" y=\"%.1f\" "
                  "width=\"6\" height=\"%.1f\"><title>%g %s</title></rect>\n",
                  sev[j], h_px(&c, h_num(b, "t")) - 3, h_py(&c, 3 - (double)j),
                  h_py(&c, 0) - h_py(&c, 1) - 4, k, sev[j]);
      }
    }
    h_chart_close(&c);
  }
  fputs("<div class=\"scroll\"><table class=\"stack\"><thead><tr><th>time"
        "</th><th>severity"
        "</th><th>source</th><th>target</th><th>message</th></tr></thead>"
        "<tbody>\n",
        f);
  for (i = 0; i < n && i < max; i++) {
    json_object *it = h_at(items, i);
    const char *s = h_str(it, "severity");

    fputs("<tr><td class=\"nowrap\">", f);
    h_when(f, h_str(it, "time"));
    fputs("</td><td><span class=\"badge sev-", f);
    h_esc(f, s);
    fputs("\">", f);
    h_esc(f, s);
    fputs("</span></td><td>", f);
    h_esc(f, h_str(it, "source"));
    fputs("</td><td>", f);
    h_esc(f, h_str(it, "target") ? h_str(it, "target") : "-");
    fputs("</td><td class=\"msg\">", f);
    h_esc(f, h_str(it, "message"));
    fputs("</td></tr>\n", f);
  }
  fputs("</tbody></table></div>\n", f);
  if (!(more > 0))
    more = 0;
  if (n > max || more > 0) {
    fprintf(f, "<p class=\"note\">%.0f more not shown (preset ",
            (double)(n > max ? n - max : 0) + more);
    h_esc(f, h_str(meta, "preset"));
    fputs(" keeps the most severe)</p>\n", f);
  }
  h_sec_close(f);
}

/* ---- summary --------------------------------------------------------------
 */

void h_sec_summary(FILE *f, json_object *m, const h_page *p)
{
  static const char *const cols[] = {"min", "avg", "p50",
                                     "p95", "max", "jitter"};
  json_object *sec = h_get(m, "summary"), *rows = h_get(sec, "targets");
  size_t i, j;

  h_sec_open(f, "summary", p->ops ? "Targets, worst first" : "Targets", 1);
  if (h_unavailable(f, sec)) {
    h_sec_close(f);
    return;
  }
  fputs("<div class=\"scroll\"><table><thead><tr><th>target</th><th>probe"
        "</th><th class=\"r\">sent</th><th class=\"r\">loss %</th>"
        "<th class=\"r\">min</th><th class=\"r\">avg</th><th class=\"r\">p50"
        "</th><th class=\"r\">p95</th><th class=\"r\">max</th><th "
        "class=\"r\">jitter</th></tr></thead><tbody>\n",
        f);
  for (i = 0; i < h_len(rows); i++) {
    json_object *r = h_at(rows, i);
    double loss = h_num(r, "loss_pct");

    fputs("<tr><td>", f);
    h_esc(f, h_str(r, "target"));
    fputs("</td><td>", f);
    h_esc(f, h_str(r, "probe"));
    fputs("</td><td class=\"r\">", f);
    h_numf(f, h_num(r, "sent"), 0);
    fprintf(f, "</td><td class=\"r%s\">",
            loss >= 5  ? " bad"
            : loss > 0 ? " warn"
                       : "");
    h_numf(f, loss, 1);
    for (j = 0; j < 6; j++) {
      double v = h_num(r, cols[j]);

      fputs("</td><td class=\"r\">", f);
      h_numf(f, v, j == 2 || j == 3 ? report_pct_digits(sec, v, 2) : 2);
    }
    fputs("</td></tr>\n", f);
  }
  fputs("</tbody></table></div>\n<p class=\"dim\">times in ms</p>\n", f);
  h_sec_close(f);
}

/* ---- latency --------------------------------------------------------------
 */

static double points_max(json_object *pts, const char *k)
{
  double hi = 0;
  size_t i;

  for (i = 0; i < h_len(pts); i++) {
    double v = h_num(h_at(pts, i), k);

    if (isfinite(v) && v > hi)
      hi = v;
  }
  return hi;
}

/* A polyline of member k, broken where a point has none. */
static void line(FILE *f, const h_chart *c, json_object *pts, const char *k,
                 const char *cls, const char *color)
{
  size_t i;
  int open = 0;

  for (i = 0; i < h_len(pts); i++) {
    json_object *pt = h_at(pts, i);
    double v = h_num(pt, k);

    if (!isfinite(v)) {
      if (open)
        fputs("\"/>\n", f);
      open = 0;
      continue;
    }
    if (!open)
      fprintf(f, "<polyline class=\"%s\" stroke=\"%s\" points=\"", cls, color);
    fprintf(f, "%.1f,%.1f ", h_px(c, h_num(pt, "t")), h_py(c, v));
    open = 1;
  }
  if (open)
    fputs("\"/>\n", f);
}

/* The p5..p95 band: one polygon per run of points with values. */
static void band(FILE *f, const h_chart *c, json_object *pts,
                 const char *color)
{
  size_t i = 0, n = h_len(pts), a, j;

  while (i < n) {
    while (i < n && !isfinite(h_num(h_at(pts, i), "p95")))
      i++;
    a = i;
    while (i < n && isfinite(h_num(h_at(pts, i), "p95")))
      i++;
    if (i == a)
      break;
    fprintf(f, "<polygon class=\"band\" fill=\"%s\" points=\"", color);
    for (j = a; j < i; j++)
      fprintf(f, "%.1f,%.1f ", h_px(c, h_num(h_at(pts, j), "t")),
              h_py(c, h_num(h_at(pts, j), "p95")));
    for (j = i; j-- > a;)
      fprintf(f, "%.1f,%.1f ", h_px(c, h_num(h_at(pts, j), "t")),
              h_py(c, h_num(h_at(pts, j), "p5")));
    fputs("\"/>\n", f);
  }
}

void h_sec_latency(FILE *f, json_object *m, const h_page *p)
{
  json_object *sec = h_get(m, "latency"), *series = h_get(sec, "series"),
              *meta = h_get(m, "meta");
  double t0, t1;
  size_t i, j;

  chart_span(meta, &t0, &t1);
  h_sec_open(f, "latency", "Latency over time", 1);
  if (h_unavailable(f, sec)) {
    h_sec_close(f);
    return;
  }
  fputs("<p class=\"dim\">band: 5th to 95th percentile; line: median; red "
        "marks: loss (height = share lost); one chart per target, each on "
        "its own scale</p>\n",
        f);
  for (i = 0; i < h_len(series); i++) {
    json_object *s = h_at(series, i), *pts = h_get(s, "points");
    double hi = h_nice(points_max(pts, p->compact ? "p95" : "max") * 1.05);
    h_chart c;

    fputs("<div class=\"card\">", f);
    series_title(f, s);
    h_chart_open(&c, f, "latency over time", t0, t1, 0, hi, H_X_TIME, "ms");
    band(f, &c, pts, h_color(i));
    line(f, &c, pts, "p50", "p50", h_color(i));
    for (j = 0; j < h_len(pts); j++) {
      json_object *pt = h_at(pts, j);
      double loss = h_num(pt, "loss_pct");

      if (loss > 0)
        fprintf(f,
                "<rect class=\"loss\" x=\"%.1f\" y=\"%.1f\" width=\"3\" "
                "height=\"%.1f\"><title>%.1f %% lost</title></rect>\n",
                h_px(&c, h_num(pt, "t")) - 1.5,
                c.h - c.bottom - 24 * loss / 100.0, 24 * loss / 100.0, loss);
    }
    h_chart_close(&c);
    fputs("</div>\n", f);
  }
  h_sec_close(f);
}

/* ---- jitter ----------------------------------------------------------------
 */

static void legend(FILE *f, json_object *series)
{
  size_t i;

  fputs("<p class=\"legend\">", f);
  for (i = 0; i < h_len(series); i++) {
    fprintf(f, "<span><i style=\"background:%s\"></i>", h_color(i));
    h_esc(f, h_str(h_at(series, i), "target"));
    fputs(" <span class=\"dim\">", f);
    h_esc(f, h_str(h_at(series, i), "probe"));
    fputs("</span></span> ", f);
  }
  fputs("</p>\n", f);
}

void h_sec_jitter(FILE *f, json_object *m, const h_page *p)
{
  json_object *sec = h_get(m, "jitter"), *series = h_get(sec, "series"),
              *meta = h_get(m, "meta");
  size_t i;

  (void)p;
  h_sec_open(f, "jitter", "Jitter", 1);
  if (h_unavailable(f, sec)) {
    h_sec_close(f);
    return;
  }
  /* small multiples: a spike of one target must not flatten the others */
  fputs("<p class=\"dim\">mean difference between consecutive answers, per "
        "bucket; one chart per target, each on its own scale</p>\n",
        f);
  for (i = 0; i < h_len(series); i++) {
    json_object *s = h_at(series, i), *pts = h_get(s, "points");
    h_chart c;

    fputs("<div class=\"card\">", f);
    series_title(f, s);
    double t0, t1;

    chart_span(meta, &t0, &t1);
    h_chart_open(&c, f, "jitter over time", t0, t1, 0,
                 h_nice(points_max(pts, "jitter") * 1.05), H_X_TIME, "ms");
    line(f, &c, pts, "jitter", "p50", h_color(i));
    h_chart_close(&c);
    fputs("</div>\n", f);
  }
  h_sec_close(f);
}

/* ---- CDF
 * --------------------------------------------------------------------- */

void h_sec_cdf(FILE *f, json_object *m, const h_page *p)
{
  json_object *sec = h_get(m, "cdf"), *series = h_get(sec, "series");
  double lo = INFINITY, hi = 0;
  size_t i, j;
  h_chart c;

  (void)p;
  h_sec_open(f, "cdf", "Latency distribution", 1);
  if (h_unavailable(f, sec)) {
    h_sec_close(f);
    return;
  }
  for (i = 0; i < h_len(series); i++) {
    json_object *pts = h_get(h_at(series, i), "points");

    for (j = 0; j < h_len(pts); j++) {
      double v = json_object_get_double(h_at(h_at(pts, j), 0));

      if (v > 0 && v < lo)
        lo = v;
      if (v > hi)
        hi = v;
    }
  }
  if (!(lo < hi)) {
    lo = hi > 0 ? hi / 2 : 0.1;
    hi = hi > 0 ? hi * 2 : 1;
  }
  fputs("<p class=\"dim\">share of answers (y) arriving within a time (x, "
        "ms, log scale)</p>\n",
        f);
  legend(f, series);
  h_chart_open_x(&c, f, "latency CDF", lo, hi, 0, 1, H_X_LOG, "share", "ms");
  for (i = 0; i < h_len(series); i++) {
    json_object *pts = h_get(h_at(series, i), "points");
    double py = h_py(&c, 0);

    fprintf(f, "<polyline class=\"p50\" stroke=\"%s\" points=\"", h_color(i));
    for (j = 0; j < h_len(pts); j++) {
      json_object *pt = h_at(pts, j);
      double x = h_px(&c, json_object_get_double(h_at(pt, 0)));
      double ny = h_py(&c, json_object_get_double(h_at(pt, 1)));

      /* steps: along at the old share, then up */
      fprintf(f, "%.1f,%.1f %.1f,%.1f ", x, py, x, ny);
      py = ny;
    }
    fputs("\"/>\n", f);
  }
  h_chart_close(&c);
  h_sec_close(f);
}

/* ---- speed tests
 * --------------------------------------------------------------- */

/* Tests that took more than one attempt (failover): each attempt. */
static void h_speed_attempts(FILE *f, json_object *items)
{
  size_t i, j;

  for (i = 0; i < h_len(items); i++) {
    json_object *it = h_at(items, i), *list = h_get(it, "attempt_list");

    if (h_len(list) < 2)
      continue;
    fputs("<p class=\"note\">", f);
    h_when(f, h_str(it, "time"));
    fprintf(f, ": %zu attempts</p>\n<ol class=\"attempts\">\n", h_len(list));
    for (j = 0; j < h_len(list); j++) {
      json_object *a = h_at(list, j);
      int ok = json_object_get_boolean(h_get(a, "ok"));

      fputs("<li>", f);
      h_esc(f, h_str(a, "provider"));
      fputs(" (", f);
      h_esc(f, h_str(a, "server") ? h_str(a, "server") : "-");
      fprintf(f, "): <span class=\"%s\">%s</span>", ok ? "ok" : "bad",
              ok ? "ok" : "failed");
      if (h_str(a, "error")) {
        fputs(": ", f);
        h_esc(f, h_str(a, "error"));
      }
      fputs("</li>\n", f);
    }
    fputs("</ol>\n", f);
  }
}

void h_sec_speedtests(FILE *f, json_object *m, const h_page *p)
{
  json_object *sec = h_get(m, "speedtests"), *items = h_get(sec, "items"),
              *meta = h_get(m, "meta");
  double hi = 0, lhi = 0;
  size_t i;
  h_chart c;

  (void)p;
  h_sec_open(f, "speedtests", "Speed tests", 1);
  if (h_unavailable(f, sec)) {
    h_sec_close(f);
    return;
  }
  for (i = 0; i < h_len(items); i++) {
    json_object *it = h_at(items, i);
    double d = h_num(it, "down_mbps"), u = h_num(it, "up_mbps"),
           l = fmax(h_num(it, "loaded_down_ms"), h_num(it, "loaded_up_ms"));

    hi = fmax(hi, fmax(isfinite(d) ? d : 0, isfinite(u) ? u : 0));
    lhi = fmax(lhi, isfinite(l) ? l : 0);
  }
  fputs("<p class=\"legend\"><span><i style=\"background:#1f77b4\"></i>"
        "download</span> <span><i style=\"background:#2ca02c\"></i>upload"
        "</span> <span><i class=\"dot\"></i>latency under load (right "
        "scale)</span> <span><i style=\"background:#57606a\"></i>failed"
        "</span></p>\n",
        f);
  h_chart_open(&c, f, "speed test history", h_num(meta, "since_s"),
               h_num(meta, "until_s"), 0, h_nice(hi * 1.05), H_X_TIME,
               "Mbit/s");
  lhi = h_nice(lhi * 1.05);
  for (i = 0; i < h_len(items); i++) {
    json_object *it = h_at(items, i);
    double x = h_px(&c, h_num(it, "t")), d = h_num(it, "down_mbps"),
           u = h_num(it, "up_mbps"), l = h_num(it, "loaded_down_ms");

    if (!json_object_get_boolean(h_get(it, "ok"))) {
      fprintf(f,
              "<rect class=\"failed\" x=\"%.1f\" y=\"%d\" width=\"4\" "
              "height=\"%d\"><title>failed</title></rect>\n",
              x - 2, c.top, c.h - c.top - c.bottom);
      continue;
    }
    if (isfinite(d))
      fprintf(f,
              "<rect fill=\"#1f77b4\" x=\"%.1f\" y=\"%.1f\" width=\"6\" "
              "height=\"%.1f\"><title>%.1f Mbit/s down</title></rect>\n",
              x - 6, h_py(&c, d), h_py(&c, 0) - h_py(&c, d), d);
    if (isfinite(u))
      fprintf(f,
              "<rect fill=\"#2ca02c\" x=\"%.1f\" y=\"%.1f\" width=\"6\" "
              "height=\"%.1f\"><title>%.1f Mbit/s up</title></rect>\n",
              x, h_py(&c, u), h_py(&c, 0) - h_py(&c, u), u);
    if (isfinite(l) && lhi > 0)
      fprintf(f,
              "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\">"
              "<title>%.1f ms under load</title></circle>\n",
              x, c.top + (1 - l / lhi) * (c.h - c.top - c.bottom), l);
  }
  fprintf(f,
          "<text class=\"ax\" x=\"%d\" y=\"%d\" text-anchor=\"end\">load "
          "%g ms</text>\n",
          c.w - c.right, c.top + 8, lhi);
  h_chart_close(&c);
  fputs("<div class=\"scroll\"><table><thead><tr><th>time</th><th>provider"
        "</th><th>server</th><th class=\"r\">down Mbit/s</th><th "
        "class=\"r\">up Mbit/s</th><th class=\"r\">idle ms</th><th "
        "class=\"r\">loaded ms (down/up)</th><th>grade</th><th>error</th>"
        "</tr></thead><tbody>\n",
        f);
  for (i = 0; i < h_len(items); i++) {
    json_object *it = h_at(items, i);

    fputs("<tr><td class=\"nowrap\">", f);
    h_when(f, h_str(it, "time"));
    fputs("</td><td>", f);
    h_esc(f, h_str(it, "provider"));
    fputs("</td><td>", f);
    h_esc(f, h_str(it, "server") ? h_str(it, "server") : "-");
    fputs("</td><td class=\"r\">", f);
    h_numf(f, h_num(it, "down_mbps"), 1);
    fputs("</td><td class=\"r\">", f);
    h_numf(f, h_num(it, "up_mbps"), 1);
    fputs("</td><td class=\"r\">", f);
    h_numf(f, h_num(it, "idle_ms"), 1);
    fputs("</td><td class=\"r\">", f);
    h_numf(f, h_num(it, "loaded_down_ms"), 1);
    fputs(" / ", f);
    h_numf(f, h_num(it, "loaded_up_ms"), 1);
    fputs("</td><td>", f);
    h_esc(f, h_str(it, "bufferbloat") ? h_str(it, "bufferbloat") : "-");
    fputs("</td><td>", f);
    h_esc(f, h_str(it, "error") ? h_str(it, "error") : "");
    fputs("</td></tr>\n", f);
  }
  fputs("</tbody></table></div>\n", f);
  h_speed_attempts(f, items);
  h_sec_close(f);
}
