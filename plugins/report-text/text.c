/*
 * text.c - the `text` reporter: a plain-text summary of one run, a table
 * of every series (target, probe, metric) and the run's events.
 *
 * The statistics come ready-made from the store's series view; this
 * plugin only lays them out (column widths follow the content, numbers
 * are right-aligned, "-" stands for "no value").  With `output` set to a
 * path the report is written to a temporary file next to it and renamed,
 * so a reader never sees half a report.
 */
#include <bottleneck/sdk.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TEXT_SERIES_COLS 11
#define TEXT_EVENT_COLS  5
#define TEXT_CELL        128

typedef struct text_ctx {
  bn_host *h;
  char *output; /* "-" or a path */
} text_ctx;

/* Rows of cells, each cell its own string; widths are computed at print. */
typedef struct text_table {
  size_t ncols;
  const char *const *heads;
  const int *right; /* per column: right-aligned */
  char **cells;     /* nrows * ncols */
  size_t nrows, cap;
} text_table;

/* What render() gathers before it writes anything. */
typedef struct text_report {
  bn_host *h;
  int64_t run_id;
  char *host, *profile;
  int64_t started_ns, ended_ns;
  text_table series;
  text_table events;
  uint64_t invalid, late, dup;
  int rc; /* first error inside a store callback */
} text_report;

static const char *const text_series_heads[TEXT_SERIES_COLS] = {
    "TARGET", "PROBE", "METRIC", "SENT", "LOSS%", "MIN",
    "AVG",    "P50",   "P95",    "MAX",  "JITTER"};
static const int text_series_right[TEXT_SERIES_COLS] = {0, 0, 0, 1, 1, 1,
                                                        1, 1, 1, 1, 1};
static const char *const text_event_heads[TEXT_EVENT_COLS] = {
    "TIME", "SEVERITY", "TARGET", "TYPE", "MESSAGE"};
static const int text_event_right[TEXT_EVENT_COLS] = {0, 0, 0, 0, 0};

static const bn_option text_options[] = {
    {"output", BN_OPT_STRING, "-",
     "file to write the report to; \"-\" writes to standard output", 0, 0, 0},
    BN_OPTIONS_END};

/* ---------------------------------------------------------------- */
/* Tables                                                            */
/* ---------------------------------------------------------------- */

static void text_table_init(text_table *t, size_t ncols,
                            const char *const *heads, const int *right)
{
  memset(t, 0, sizeof(*t));
  t->ncols = ncols;
  t->heads = heads;
  t->right = right;
}

static void text_table_free(text_table *t)
{
  size_t i;

  for (i = 0; i < t->nrows * t->ncols; i++)
    free(t->cells[i]);
  free(t->cells);
  t->cells = NULL;
  t->nrows = t->cap = 0;
}

/* Append a row; the cells are copied. */
static int text_table_add(text_table *t, const char *const *row)
{
  size_t i, base;

  if (t->nrows == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 8;
    char **cells = realloc(t->cells, cap * t->ncols * sizeof(*cells));

    if (!cells)
      return BN_ENOMEM;
    t->cells = cells;
    t->cap = cap;
  }
  base = t->nrows * t->ncols;
  for (i = 0; i < t->ncols; i++) {
    t->cells[base + i] = strdup(row[i]);
    if (!t->cells[base + i]) {
      while (i-- > 0)
        free(t->cells[base + i]);
      return BN_ENOMEM;
    }
  }
  t->nrows++;
  return 0;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t text_width(const char *s)
{
  size_t n = 0;

  for (; *s; s++)
    if (((unsigned char)*s & 0xC0) != 0x80)
      n++;
  return n;
}

static void text_pad(FILE *f, size_t n)
{
  while (n-- > 0)
    fputc(' ', f);
}

static void text_table_row(const text_table *t, FILE *f, const size_t *w,
                           const char *const *row)
{
  size_t i;

  for (i = 0; i < t->ncols; i++) {
    size_t pad = w[i] - text_width(row[i]);

    if (i > 0)
      fputs("  ", f);
    if (t->right[i])
      text_pad(f, pad);
    fputs(row[i], f);
    /* No trailing blanks after the last column. */
    if (!t->right[i] && i + 1 < t->ncols)
      text_pad(f, pad);
  }
  fputc('\n', f);
}

static int text_table_print(const text_table *t, FILE *f)
{
  size_t *w = calloc(t->ncols, sizeof(*w));
  size_t r, i;

  if (!w)
    return BN_ENOMEM;
  for (i = 0; i < t->ncols; i++)
    w[i] = text_width(t->heads[i]);
  for (r = 0; r < t->nrows; r++) {
    for (i = 0; i < t->ncols; i++) {
      size_t cw = text_width(t->cells[r * t->ncols + i]);

      if (cw > w[i])
        w[i] = cw;
    }
  }
  text_table_row(t, f, w, t->heads);
  for (r = 0; r < t->nrows; r++)
    text_table_row(t, f, w, (const char *const *)&t->cells[r * t->ncols]);
  free(w);
  return 0;
}

/* ---------------------------------------------------------------- */
/* Formatting                                                        */
/* ---------------------------------------------------------------- */

/* "2024-05-01T12:00:00Z": UTC, whole seconds. */
static void text_time(char *buf, size_t len, int64_t wall_ns)
{
  time_t secs = (time_t)(wall_ns / 1000000000);
  struct tm tm;

  if (wall_ns < 0 && wall_ns % 1000000000)
    secs--;
  if (!gmtime_r(&secs, &tm) ||
      strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(buf, len, "-");
}

static int text_is_ms(const char *metric)
{
  size_t n = strlen(metric);

  return n >= 3 && strcmp(metric + n - 3, "_ms") == 0;
}

/* Milliseconds with 3 decimals, other units with 6 significant digits. */
static void text_num(char *buf, size_t len, double v, int ms)
{
  if (!isfinite(v))
    snprintf(buf, len, "-");
  else if (ms)
    snprintf(buf, len, "%.3f", v);
  else
    snprintf(buf, len, "%.6g", v);
}

static const char *text_severity(bn_severity s)
{
  switch (s) {
  case BN_SEV_INFO:
    return "info";
  case BN_SEV_WARNING:
    return "warning";
  case BN_SEV_CRITICAL:
    return "critical";
  }
  return "unknown";
}

/* ---------------------------------------------------------------- */
/* Gathering                                                         */
/* ---------------------------------------------------------------- */

static int text_on_series(const bn_series *s, void *arg)
{
  text_report *r = arg;
  char cells[TEXT_SERIES_COLS][TEXT_CELL];
  const char *row[TEXT_SERIES_COLS];
  const double stats[6] = {s->min, s->avg, s->p50, s->p95, s->max, s->jitter};
  int ms = text_is_ms(s->metric);
  size_t i;

  snprintf(cells[0], TEXT_CELL, "%s", s->target);
  snprintf(cells[1], TEXT_CELL, "%s", s->probe);
  snprintf(cells[2], TEXT_CELL, "%s", s->metric);
  snprintf(cells[3], TEXT_CELL, "%" PRIu64, s->count);
  snprintf(cells[4], TEXT_CELL, "%.1f", s->loss_pct);
  for (i = 0; i < 6; i++)
    text_num(cells[5 + i], TEXT_CELL, stats[i], ms);
  for (i = 0; i < TEXT_SERIES_COLS; i++)
    row[i] = cells[i];
  r->invalid += s->invalid;
  r->late += s->late;
  r->dup += s->dup;
  r->rc = text_table_add(&r->series, row);
  return r->rc != 0;
}

static int text_on_event(const bn_event *e, const char *source, void *arg)
{
  text_report *r = arg;
  char when[40];
  const char *row[TEXT_EVENT_COLS];

  text_time(when, sizeof(when), e->wall_ns);
  row[0] = when;
  row[1] = text_severity(e->severity);
  row[2] = e->target ? e->target : "-";
  row[3] = e->type ? e->type : "-";
  row[4] = e->message ? e->message : "";
  r->rc = text_table_add(&r->events, row);
  return r->rc != 0;
}

static void text_report_free(text_report *r)
{
  free(r->host);
  free(r->profile);
  text_table_free(&r->series);
  text_table_free(&r->events);
}

static int text_collect(text_ctx *c, int64_t run_id, text_report *r)
{
  const bn_host_api *api = c->h->api;
  bn_run_info info;
  bn_query q;
  int rc;

  memset(r, 0, sizeof(*r));
  r->h = c->h;
  text_table_init(&r->series, TEXT_SERIES_COLS, text_series_heads,
                  text_series_right);
  text_table_init(&r->events, TEXT_EVENT_COLS, text_event_heads,
                  text_event_right);
  rc = api->run_info(c->h, run_id, &info);
  if (rc < 0) {
    if (run_id)
      bn_error(c->h, "run %" PRId64 " not found in the history store", run_id);
    else
      bn_error(c->h, "no run in the history store");
    return rc;
  }
  r->run_id = info.id;
  r->started_ns = info.started_ns;
  r->ended_ns = info.ended_ns;
  r->host = strdup(info.host ? info.host : "-");
  r->profile = strdup(info.profile ? info.profile : "-");
  if (!r->host || !r->profile)
    return BN_ENOMEM;
  memset(&q, 0, sizeof(q));
  /* The id the store gave, so that series and events match the header. */
  q.run_id = info.id;
  rc = api->series_each(c->h, &q, text_on_series, r);
  if (rc == 0)
    rc = r->rc;
  if (rc == 0)
    rc = api->events_each(c->h, &q, text_on_event, r);
  if (rc == 0)
    rc = r->rc;
  if (rc < 0)
    bn_error(c->h, "cannot read run %" PRId64 " from the history store",
             info.id);
  return rc;
}

/* ---------------------------------------------------------------- */
/* Writing                                                           */
/* ---------------------------------------------------------------- */

static const char *text_plural(uint64_t n, const char *one, const char *many)
{
  return n == 1 ? one : many;
}

static int text_write(const text_report *r, FILE *f)
{
  char started[40];
  int rc;

  text_time(started, sizeof(started), r->started_ns);
  fprintf(f, "Bottleneck report \xe2\x80\x94 profile %s, run %" PRId64 "\n",
          r->profile, r->run_id);
  fprintf(f, "host %s, started %s, ", r->host, started);
  if (r->ended_ns)
    fprintf(f, "duration %.3f s\n\n",
            (double)(r->ended_ns - r->started_ns) / 1e9);
  else
    fprintf(f, "duration - (still running)\n\n");
  if (r->series.nrows == 0) {
    fputs("no samples in this run\n", f);
  } else {
    rc = text_table_print(&r->series, f);
    if (rc < 0)
      return rc;
  }
  if (r->invalid || r->late || r->dup)
    fputc('\n', f);
  if (r->invalid)
    fprintf(f, "%" PRIu64 " %s (clock jump or suspend) left out\n", r->invalid,
            text_plural(r->invalid, "invalid sample", "invalid samples"));
  if (r->late)
    fprintf(f, "%" PRIu64 " %s (after the timeout) not counted\n", r->late,
            text_plural(r->late, "late answer", "late answers"));
  if (r->dup)
    fprintf(f, "%" PRIu64 " %s left out\n", r->dup,
            text_plural(r->dup, "duplicate answer", "duplicate answers"));
  if (r->events.nrows > 0) {
    fputs("\nEVENTS\n", f);
    rc = text_table_print(&r->events, f);
    if (rc < 0)
      return rc;
  }
  return 0;
}

/* ---------------------------------------------------------------- */
/* Plugin callbacks                                                  */
/* ---------------------------------------------------------------- */

static int text_render(void *ctx, const bn_report_request *req)
{
  text_ctx *c = ctx;
  const bn_host_api *api = c->h->api;
  text_report r;
  bn_output *out = NULL;
  int rc;

  /* Gather first: a failed query must not leave a file behind. */
  rc = text_collect(c, req->run_id, &r);
  if (rc == 0)
    rc = api->output_open(c->h, c->output, req->out, &out);
  if (rc == 0) {
    rc = text_write(&r, api->output_file(out));
    if (api->output_close(c->h, out, rc == 0) != 0 && rc == 0)
      rc = BN_EIO;
  }
  text_report_free(&r);
  return rc;
}

static void text_destroy(void *ctx)
{
  text_ctx *c = ctx;

  if (!c)
    return;
  free(c->output);
  free(c);
}

static int text_init(bn_host *h, void **out)
{
  const char *output = "-";
  text_ctx *c;
  int rc;

  c = calloc(1, sizeof(*c));
  if (!c)
    return BN_ENOMEM;
  c->h = h;
  rc = h->api->cfg_string(h, h->api->config(h), "output", &output);
  if (rc == BN_ENOENT)
    rc = 0;
  if (rc == 0 && *output == '\0')
    rc = h->api->cfg_error(h, h->api->cfg_get(h->api->config(h), "output"),
                           "output must not be empty; use \"-\" for "
                           "standard output");
  if (rc == 0) {
    c->output = strdup(output);
    if (!c->output)
      rc = BN_ENOMEM;
  }
  if (rc < 0) {
    text_destroy(c);
    return rc;
  }
  *out = c;
  return 0;
}

static const bn_reporter_ops text_ops = {
    sizeof(bn_reporter_ops),
    text_render,
};

BN_PLUGIN_DEFINE("text", "1.0", BN_KIND_REPORTER,
                 "plain-text table of a run's series and events", text_options,
                 text_init, text_destroy, &text_ops);
