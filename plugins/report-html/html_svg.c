/*
 * html_svg.c - chart frames in inline SVG: a viewBox that scales with
 * the page (width 100 %), value and time (or log) axes with a light
 * grid and labels.  The sections draw their series inside.
 */
#include <math.h>
#include <stdio.h>

#include "html.h"

double h_nice(double v)
{
  double p, m;

  if (!(v > 0) || !isfinite(v))
    return 1;
  p = pow(10, floor(log10(v)));
  m = v / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

double h_px(const h_chart *c, double x)
{
  double a = c->x0, b = c->x1;

  if (c->log_x) {
    a = log10(a);
    b = log10(b);
    x = log10(x > 0 ? x : c->x0);
  }
  if (b <= a)
    return c->left;
  return c->left + (x - a) / (b - a) * (c->w - c->left - c->right);
}

double h_py(const h_chart *c, double y)
{
  double plot = c->h - c->top - c->bottom;

  if (c->y1 <= c->y0)
    return c->h - c->bottom;
  if (y < c->y0)
    y = c->y0;
  if (y > c->y1)
    y = c->y1;
  return c->top + plot - (y - c->y0) / (c->y1 - c->y0) * plot;
}

/* A step of 1, 2 or 5 times a power of ten giving at most `n` steps
 * over `span`. */
static double step125(double span, int n)
{
  double raw = span / n, p, m;

  if (!(raw > 0) || !isfinite(raw))
    return 1;
  p = pow(10, floor(log10(raw)));
  m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/* A tick value as people write it: no exponent, no trailing zeros. */
static void tick_num(char *buf, size_t len, double v, double step)
{
  int d = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);

  if (fabs(v) < step * 1e-6)
    v = 0;
  snprintf(buf, len, "%.*f", d > 9 ? 9 : d, v);
}

/* Time ticks: whole seconds, minutes, hours or days (UTC). */
static double step_time(double span)
{
  static const double ladder[] = {
      1,   2,    5,    10,   15,    30,    60,    120,   300,    600,
      900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800};
  size_t i;

  for (i = 0; i < sizeof(ladder) / sizeof(ladder[0]); i++)
    if (span / ladder[i] <= 6)
      return ladder[i];
  return step125(span / 86400, 6) * 86400;
}

/* Log-axis ticks in [x0, x1]: 1-2-5 times powers of ten (only the
 * powers when there are many decades), else, over a narrow range, plain
 * 1-2-5 steps; returns how many. */
static size_t ticks_log(double x0, double x1, double *out, size_t max)
{
  static const double sets[][4] = {{1, 0}, {1, 2, 5, 0}};
  size_t s, n = 0, i;
  double k, step;

  for (s = 0; s < 2; s++) {
    n = 0;
    for (k = floor(log10(x0)); k <= ceil(log10(x1)); k++)
      for (i = 0; sets[s][i] > 0; i++) {
        double v = sets[s][i] * pow(10, k);

        if (v >= x0 * (1 - 1e-9) && v <= x1 * (1 + 1e-9) && n < 64)
          out[n++] = v;
      }
    if (n >= 3)
      break;
  }
  if (n > max) { /* many decades: every other power of ten */
    size_t j = 0;

    for (i = 0; i < n; i += (n + max - 1) / max)
      out[j++] = out[i];
    n = j;
  }
  if (n >= 3)
    return n;
  /* a narrow range (within a decade or so): linear 1-2-5 steps */
  step = step125(x1 - x0, 5);
  n = 0;
  for (k = ceil(x0 / step - 1e-9); k * step <= x1 * (1 + 1e-9) && n < max; k++)
    out[n++] = k * step;
  return n;
}

static void x_tick(h_chart *c, size_t i, double x, const char *text,
                   const char *unit)
{
  double px = h_px(c, x);
  const char *anchor = px < c->left + 24           ? "start"
                       : px > c->w - c->right - 24 ? "end"
                                                   : "middle";

  /* odd ticks are "alt": a phone shows every other one */
  fprintf(c->f,
          "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
          "y2=\"%d\"/><text class=\"ax xt%s\" x=\"%.1f\" y=\"%d\" "
          "text-anchor=\"%s\">",
          px, c->h - c->bottom, px, c->h - c->bottom + 4, i % 2 ? " alt" : "",
          px, c->h - 8, anchor);
  h_esc(c->f, text);
  if (unit && *unit) {
    fputc(' ', c->f);
    h_esc(c->f, unit);
  }
  fputs("</text>\n", c->f);
}

void h_chart_open_x(h_chart *c, FILE *f, const char *label, double x0,
                    double x1, double y0, double y1, int xkind,
                    const char *y_unit, const char *x_unit)
{
  int i, time_x = xkind == H_X_TIME;
  double xs[64], step, v;
  size_t n = 0, k;
  char buf[48];

  c->f = f;
  c->log_x = xkind == H_X_LOG && x0 > 0;
  c->x0 = x0;
  c->x1 = x1 > x0 ? x1 : x0 + 1;
  c->y0 = y0;
  c->y1 = y1 > y0 ? y1 : y0 + 1;
  c->w = 800;
  c->h = 240;
  c->left = 56;
  c->right = 12;
  c->top = 10;
  c->bottom = 28;
  fprintf(f,
          "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
          "aria-label=\"",
          c->w, c->h);
  h_esc(f, label);
  fputs("\">\n", f);
  if (y_unit && *y_unit) {
    /* value axis: grid lines and numbers on 1-2-5 steps */
    step = step125(c->y1 - c->y0, 5);
    for (v = ceil(c->y0 / step - 1e-9); v * step <= c->y1 * (1 + 1e-9) + 1e-12;
         v++) {
      double y = h_py(c, v * step);

      tick_num(buf, sizeof(buf), v * step, step);
      fprintf(f,
              "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
              "y2=\"%.1f\"/><text class=\"ax yt\" x=\"%d\" y=\"%.1f\" "
              "text-anchor=\"end\">%s</text>\n",
              c->left, y, c->w - c->right, y, c->left - 6, y + 4, buf);
    }
  } else {
    /* no numbers without a unit: the caller labels the rows itself */
    for (i = 0; i <= 5; i++) {
      double y = h_py(c, c->y0 + (c->y1 - c->y0) * i / 5.0);

      fprintf(f,
              "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
              "y2=\"%.1f\"/>\n",
              c->left, y, c->w - c->right, y);
    }
  }
  fprintf(f, "<text class=\"ax\" x=\"4\" y=\"%d\">", c->top + 8);
  h_esc(f, y_unit);
  fputs("</text>\n", f);
  /* x axis: round times (whole minutes, hours...) or 1-2-5 values */
  if (c->log_x) {
    n = ticks_log(c->x0, c->x1, xs, 7);
    step = n >= 2 ? xs[1] - xs[0] : 1;
    for (k = 0; k < n; k++) {
      /* decimals for the smallest tick's own step */
      tick_num(buf, sizeof(buf), xs[k],
               fmin(step, pow(10, floor(log10(xs[k])))));
      x_tick(c, k, xs[k], buf, k + 1 == n ? x_unit : NULL);
    }
  } else {
    step = time_x ? step_time(c->x1 - c->x0) : step125(c->x1 - c->x0, 5);
    for (v = ceil(c->x0 / step - 1e-9), k = 0;
         v * step <= c->x1 * (1 + 1e-12) && k < 64; v++, k++) {
      if (time_x)
        h_tick_time(buf, sizeof(buf), v * step, c->x1 - c->x0);
      else
        tick_num(buf, sizeof(buf), v * step, step);
      x_tick(c, k, v * step, buf, NULL);
    }
  }
  fprintf(f,
          "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
          c->left, c->h - c->bottom, c->w - c->right, c->h - c->bottom);
}

void h_chart_open(h_chart *c, FILE *f, const char *label, double x0, double x1,
                  double y0, double y1, int xkind, const char *y_unit)
{
  h_chart_open_x(c, f, label, x0, x1, y0, y1, xkind, y_unit, NULL);
}

void h_chart_close(h_chart *c)
{
  fputs("</svg>\n", c->f);
}
