/*
 * html.h - the `html` reporter (internal to the plugin): one
 * self-contained page from the report model, inline SVG charts, no
 * script, no request for anything outside the file (a Content Security
 * Policy says so to the browser too).
 */
#ifndef BN_HTML_H
#define BN_HTML_H

#include <stddef.h>
#include <stdio.h>

#include <json.h>

/* ---- reading the model (html_write.c) ------------------------------ */

/** Member k of object o, or NULL. */
json_object *h_get(json_object *o, const char *k);
/** String member, or NULL. */
const char *h_str(json_object *o, const char *k);
/** Number member, or NaN (null, missing). */
double h_num(json_object *o, const char *k);
/** Length of an array (0 for NULL). */
size_t h_len(json_object *a);
/** Element i of an array. */
json_object *h_at(json_object *a, size_t i);

/* ---- writing (html_write.c) ----------------------------------------- */

/** Text with &, <, >, " and ' escaped: safe in content and attributes. */
void h_esc(FILE *f, const char *s);
/** A number with d decimals, or "-" when NaN. */
void h_numf(FILE *f, double v, int d);
/** "2026-11-24 10:00:00" from an ISO time. */
void h_when(FILE *f, const char *iso);
/** "10:00" or "11-24 10:00" from Unix seconds, for axis labels. */
void h_tick_time(char *buf, size_t len, double t, double span);
/** The colour of series i. */
const char *h_color(size_t i);

/* ---- charts (html_svg.c) --------------------------------------------- */

/** A chart: a plot area in an SVG with value and time axes. */
typedef struct h_chart {
  FILE *f;
  double x0, x1;                /* data range on x */
  double y0, y1;                /* data range on y */
  int w, h;                     /* viewBox size */
  int left, right, top, bottom; /* margins */
  int log_x;                    /* x is logarithmic (CDF) */
} h_chart;

/** Kinds of x axis. */
enum { H_X_NUM = 0, H_X_TIME = 1, H_X_LOG = 2 };

/**
 * Open an SVG chart with axes and grid; `label` names it for readers.
 * Ticks are round: values on 1-2-5 steps (class "yt", "xt"), times on
 * whole seconds, minutes, hours or days (UTC), a log axis on 1-2-5
 * times powers of ten; `y_unit` heads the value axis (no numbers
 * without one).
 */
void h_chart_open(h_chart *c, FILE *f, const char *label, double x0, double x1,
                  double y0, double y1, int xkind, const char *y_unit);
/** The same, with `x_unit` after the last x tick ("ms"). */
void h_chart_open_x(h_chart *c, FILE *f, const char *label, double x0,
                    double x1, double y0, double y1, int xkind,
                    const char *y_unit, const char *x_unit);
/** Close the SVG. */
void h_chart_close(h_chart *c);
/** Pixel x of a data x. */
double h_px(const h_chart *c, double x);
/** Pixel y of a data y. */
double h_py(const h_chart *c, double y);
/** A "nice" upper bound for a value axis. */
double h_nice(double v);

/* ---- sections (html_sections.c, html_paths.c) ------------------------ */

/** Options of the page. */
typedef struct h_page {
  int compact; /* preset compact: smaller charts, fewer rows */
  int ops;     /* preset ops */
} h_page;

void h_sec_alerts(FILE *f, json_object *m, const h_page *p);
void h_sec_episodes(FILE *f, json_object *m, const h_page *p);
void h_sec_summary(FILE *f, json_object *m, const h_page *p);
void h_sec_latency(FILE *f, json_object *m, const h_page *p);
void h_sec_jitter(FILE *f, json_object *m, const h_page *p);
void h_sec_cdf(FILE *f, json_object *m, const h_page *p);
void h_sec_speedtests(FILE *f, json_object *m, const h_page *p);
void h_sec_paths(FILE *f, json_object *m, const h_page *p);

/** A section's opening (a collapsible <details>), with an anchor id. */
void h_sec_open(FILE *f, const char *id, const char *title, int open);
/** Close it. */
void h_sec_close(FILE *f);
/** 1 (after printing the note) when the section has no data. */
int h_unavailable(FILE *f, json_object *sec);

/**
 * The whole page.  `paper` ("A4" or "letter", or NULL for none) is the
 * page size the print stylesheet asks for (@page), for the PDF and for
 * printing from a browser.
 */
int h_page_write(FILE *f, json_object *m, const char *paper);

/**
 * The paper of option value `opt`: "a4" or "letter" (any case), or
 * "auto": letter where the locale's territory uses it (LC_ALL, else
 * LC_PAPER, else LANG: the US, Canada, Mexico, Chile, Colombia, Costa
 * Rica, Guatemala, Nicaragua, Panama, El Salvador, Puerto Rico,
 * Venezuela, the Philippines), A4 everywhere else (and in the C
 * locale).  "A4", "letter", or NULL for an unknown value.
 */
const char *h_paper(const char *opt);

/* ---- PDF (html_pdf.c) ---------------------------------------------- */

struct report_ctx;
struct bn_report_request;

/**
 * Render req as PDF: the page printed by headless Chromium
 * ($BOTTLENECK_CHROMIUM, else chromium on $PATH), copied into the
 * output, on `paper` ("A4" or "letter", h_paper).  0 or a bn_status,
 * logged.
 */
int html_pdf_render(struct report_ctx *c, const struct bn_report_request *req,
                    const char *paper);

#endif
