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

void h_chart_open(h_chart *c, FILE *f, const char *label, double x0, double x1,
                  double y0, double y1, int xkind, const char *y_unit)
{
  int i, time_x = xkind == H_X_TIME;

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
  /* value axis: 5 steps with grid lines (no numbers without a unit:
   * the caller labels the rows itself) */
  for (i = 0; i <= 5; i++) {
    double v = c->y0 + (c->y1 - c->y0) * i / 5.0, y = h_py(c, v);

    fprintf(f,
            "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
            "y2=\"%.1f\"/>",
            c->left, y, c->w - c->right, y);
    if (y_unit && *y_unit)
      fprintf(f,
              "<text class=\"ax\" x=\"%d\" y=\"%.1f\" "
              "text-anchor=\"end\">%g</text>",
              c->left - 6, y + 4, v);
    fputc('\n', f);
  }
  fprintf(f, "<text class=\"ax\" x=\"4\" y=\"%d\">", c->top + 8);
  h_esc(f, y_unit);
  fputs("</text>\n", f);
  /* x axis */
  for (i = 0; i <= 5; i++) {
    double x, px;
    char buf[32];

    if (c->log_x)
      x = c->x0 * pow(c->x1 / c->x0, i / 5.0);
    else
      x = c->x0 + (c->x1 - c->x0) * i / 5.0;
    px = h_px(c, x);
    if (time_x)
      h_tick_time(buf, sizeof(buf), x, c->x1 - c->x0);
    else
      snprintf(buf, sizeof(buf), "%.3g", x);
    /* odd ticks are "alt": a phone shows every other one */
    fprintf(f,
            "<text class=\"ax%s\" x=\"%.1f\" y=\"%d\" "
            "text-anchor=\"%s\">%s</text>\n",
            i % 2 ? " alt" : "", px, c->h - 8,
            i == 0   ? "start"
            : i == 5 ? "end"
                     : "middle",
            buf);
  }
  fprintf(f,
          "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
          c->left, c->h - c->bottom, c->w - c->right, c->h - c->bottom);
}

void h_chart_close(h_chart *c)
{
  fputs("</svg>\n", c->f);
}
