/*
 * sim_chart.c - the HTML overlay of a sim and a real distribution (see
 * sim_chart.h).  The x axis is logarithmic when all values are positive
 * and span more than two decades (a simulated queue in seconds against
 * loopback RTTs in tens of microseconds), else linear.
 */
#include "config.h"

#include "sim_chart.h"

#include <math.h>

#include "stats.h"

#define W          640.0
#define H          320.0
#define ML         56.0 /* margins */
#define MR         16.0
#define MT         28.0
#define MB         40.0
#define MAX_POINTS 400 /* per step line */

typedef struct axis {
  double lo, hi;
  int log;
} axis;

static double ax_pos(const axis *a, double v, double from, double to)
{
  double t;

  if (a->log) {
    double l = log10(a->lo), h = log10(a->hi);

    t = h > l ? (log10(v) - l) / (h - l) : 0.5;
  } else {
    t = a->hi > a->lo ? (v - a->lo) / (a->hi - a->lo) : 0.5;
  }
  if (t < 0)
    t = 0;
  if (t > 1)
    t = 1;
  return from + t * (to - from);
}

static void html_text(FILE *o, const char *s)
{
  for (; *s; s++) {
    switch (*s) {
    case '<':
      fputs("&lt;", o);
      break;
    case '>':
      fputs("&gt;", o);
      break;
    case '&':
      fputs("&amp;", o);
      break;
    case '"':
      fputs("&quot;", o);
      break;
    default:
      fputc(*s, o);
    }
  }
}

/* The empirical CDF of v as a step line, at most MAX_POINTS steps. */
static void cdf_line(FILE *o, const axis *ax, const double *v, size_t n,
                     const char *colour)
{
  size_t step = n > MAX_POINTS ? n / MAX_POINTS : 1;

  fprintf(o,
          "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
          "points=\"",
          colour);
  fprintf(o, "%.1f,%.1f ", ax_pos(ax, v[0], ML, W - MR), H - MB);
  for (size_t i = 0; i < n; i += step) {
    size_t j = i + step < n ? i + step : n; /* F after v[j - 1] */
    double x = ax_pos(ax, v[j - 1], ML, W - MR);
    double y0 = H - MB - (H - MT - MB) * (double)i / (double)n;
    double y1 = H - MB - (H - MT - MB) * (double)j / (double)n;

    fprintf(o, "%.1f,%.1f %.1f,%.1f ", x, y0, x, y1);
  }
  fprintf(o, "\"/>\n");
}

static void ticks(FILE *o, const axis *ax, int vertical, double from,
                  double to)
{
  for (int k = 0; k <= 4; k++) {
    double v =
        ax->log
            ? pow(10, log10(ax->lo) + (log10(ax->hi) - log10(ax->lo)) * k / 4)
            : ax->lo + (ax->hi - ax->lo) * k / 4;
    double p = ax_pos(ax, v, from, to);

    if (vertical)
      fprintf(o,
              "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
              "text-anchor=\"end\">%.3g</text>\n",
              ML - 4, p + 3, v);
    else
      fprintf(o,
              "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
              "text-anchor=\"%s\">%.3g</text>\n",
              p, H - MB + 14,
              k == 4 ? "end"
              : k    ? "middle"
                     : "start",
              v);
  }
}

static void chart(FILE *o, const sim_chart_series *s)
{
  axis ax = {fmin(s->sim[0], s->real[0]),
             fmax(s->sim[s->n_sim - 1], s->real[s->n_real - 1]), 0};

  ax.log = ax.lo > 0 && ax.hi / ax.lo > 100;
  /* the CDF overlay */
  fprintf(o, "<h2>");
  html_text(o, s->title);
  fprintf(o,
          "</h2>\n<svg class=\"cdf\" xmlns=\"http://www.w3.org/2000/svg\" "
          "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
          W, H, W, H);
  fprintf(o,
          "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" "
          "fill=\"none\" stroke=\"#999\"/>\n",
          ML, MT, W - ML - MR, H - MT - MB);
  cdf_line(o, &ax, s->real, s->n_real, "#1f77b4");
  cdf_line(o, &ax, s->sim, s->n_sim, "#d62728");
  ticks(o, &ax, 0, ML, W - MR);
  for (int k = 0; k <= 4; k++)
    fprintf(o,
            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
            "text-anchor=\"end\">%.2f</text>\n",
            ML - 4, H - MB - (H - MT - MB) * k / 4 + 3, k / 4.0);
  fprintf(o,
          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
          "text-anchor=\"middle\">%s (",
          (W + ML - MR) / 2, H - 8, "value");
  html_text(o, s->unit);
  fprintf(o, ")%s</text>\n", ax.log ? ", log scale" : "");
  fprintf(o,
          "<text class=\"dist\" x=\"%.1f\" y=\"%.1f\" font-size=\"12\">"
          "KS %.3f, Wasserstein %.3f ",
          ML + 8, MT + 16, s->ks, s->w1);
  html_text(o, s->unit);
  fprintf(o, "</text>\n");
  fprintf(o,
          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#d62728\">"
          "sim (n %zu)</text>\n<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
          "fill=\"#1f77b4\">real (n %zu)</text>\n</svg>\n",
          ML + 8, MT + 32, s->n_sim, ML + 8, MT + 46, s->n_real);

  /* Q-Q: sim quantile (x) against real quantile (y), 1..99 % */
  fprintf(o,
          "<svg class=\"qq\" xmlns=\"http://www.w3.org/2000/svg\" "
          "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
          H, H, H, H);
  {
    double side = H - MT - MB;

    fprintf(o,
            "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" "
            "fill=\"none\" stroke=\"#999\"/>\n"
            "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
            "stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>\n",
            ML, MT, side, side, ML, MT + side, ML + side, MT);
    for (int p = 1; p <= 99; p++) {
      double qs = stats_percentile(s->sim, s->n_sim, p);
      double qr = stats_percentile(s->real, s->n_real, p);

      fprintf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"#555\"/>\n",
              ax_pos(&ax, qs, ML, ML + side), ax_pos(&ax, qr, MT + side, MT));
    }
    fprintf(o,
            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
            "text-anchor=\"middle\">Q-Q: sim (x) against real (y)</text>\n"
            "</svg>\n",
            ML + side / 2, H - 8);
  }
}

int sim_chart_html(FILE *out, const char *heading, const sim_chart_series *s,
                   size_t n)
{
  fprintf(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
               "<title>");
  html_text(out, heading);
  fprintf(out, "</title>\n<style>body{font-family:sans-serif;margin:1em}"
               "svg{margin:0 1em 1em 0;background:#fff}</style>\n"
               "</head><body>\n<h1>");
  html_text(out, heading);
  fprintf(out, "</h1>\n<p>Empirical CDFs of the simulated (red) and the "
               "measured (blue) values, and their quantiles against each "
               "other. KS: the largest vertical gap between the CDFs; "
               "Wasserstein: the area between them.</p>\n");
  for (size_t i = 0; i < n; i++)
    if (s[i].n_sim && s[i].n_real)
      chart(out, &s[i]);
  fprintf(out, "</body></html>\n");
  return ferror(out) ? -1 : 0;
}
