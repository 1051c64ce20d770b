/*
 * sim_chart.h - `bottleneck compare --html FILE`: a self-contained HTML
 * page with, per compared metric, the two CDFs overlaid and a Q-Q view,
 * the distances written on the chart (inline SVG, no scripts).
 */
#ifndef BN_CORE_SIM_SIM_CHART_H
#define BN_CORE_SIM_SIM_CHART_H

#include <stddef.h>
#include <stdio.h>

typedef struct sim_chart_series {
  const char *title; /* e.g. "up/rtt_ms (latency)" */
  const char *unit;  /* the values' unit */
  const double *sim; /* sorted ascending */
  size_t n_sim;
  const double *real; /* sorted ascending */
  size_t n_real;
  double ks, w1; /* the distances to write on the chart */
} sim_chart_series;

/** Write the page; 0, or -1 on a write error. */
int sim_chart_html(FILE *out, const char *heading, const sim_chart_series *s,
                   size_t n);

#endif
