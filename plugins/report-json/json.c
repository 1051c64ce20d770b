/*
 * json.c - the `json` reporter: one run as a JSON document (schema
 * "bottleneck.report.v1", see docs/metrics.md), built with json-c.
 *
 * Missing values (NaN) are null; every time appears twice, as an
 * RFC 3339 UTC string and as integer nanoseconds ("*_ns"), so that both
 * people and programs read it without guessing a time zone.  With
 * `output` set to a path the document is written to a temporary file
 * next to it and renamed into place.
 */
#include <bottleneck/sdk.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json.h>

#define JSON_SCHEMA "bottleneck.report.v1"

typedef struct json_ctx {
  bn_host *h;
  char *output; /* "-" or a path */
  int pretty;
} json_ctx;

/* State of the store iterations. */
typedef struct json_gather {
  json_object *list;
  int rc;
} json_gather;

static const bn_option json_options[] = {
    {"output", BN_OPT_STRING, "-",
     "file to write the report to; \"-\" writes to standard output", 0, 0, 0},
    {"pretty", BN_OPT_BOOL, "true", "indent the document (false: one line)", 0,
     0, 0},
    BN_OPTIONS_END};

/* ---------------------------------------------------------------- */
/* Values                                                            */
/* ---------------------------------------------------------------- */

/* A number, or NULL (JSON null) when there is none. */
static json_object *json_num(double v)
{
  char buf[40];

  if (!isfinite(v))
    return NULL;
  /* Our own text: json-c's default "%.17g" prints 0.1 as 0.1000...01. */
  snprintf(buf, sizeof(buf), "%.9g", v);
  return json_object_new_double_s(v, buf);
}

static json_object *json_str(const char *s)
{
  return s ? json_object_new_string(s) : NULL;
}

/* "2024-05-01T12:00:00.250Z" (RFC 3339, UTC, milliseconds). */
static json_object *json_time(int64_t wall_ns)
{
  int64_t secs = wall_ns / 1000000000, frac = wall_ns % 1000000000;
  time_t t;
  struct tm tm;
  char day[32], buf[48];

  if (frac < 0) {
    secs--;
    frac += 1000000000;
  }
  t = (time_t)secs;
  if (!gmtime_r(&t, &tm) ||
      strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
    return NULL;
  snprintf(buf, sizeof(buf), "%s.%03dZ", day, (int)(frac / 1000000));
  return json_object_new_string(buf);
}

/* Add "<key>" as RFC 3339 text and "<key>_ns" as an integer. */
static void json_add_time(json_object *o, const char *key, int64_t wall_ns,
                          int present)
{
  char nskey[64];

  snprintf(nskey, sizeof(nskey), "%s_ns", key);
  json_object_object_add(o, key, present ? json_time(wall_ns) : NULL);
  json_object_object_add(o, nskey,
                         present ? json_object_new_int64(wall_ns) : NULL);
}

static json_object *json_count(uint64_t n)
{
  return json_object_new_uint64(n);
}

static const char *json_severity(bn_severity s)
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

static json_object *json_run(const bn_run_info *r)
{
  json_object *o = json_object_new_object();
  int ended = r->ended_ns != 0;

  if (!o)
    return NULL;
  json_object_object_add(o, "id", json_object_new_int64(r->id));
  json_object_object_add(o, "host", json_str(r->host));
  json_object_object_add(o, "profile", json_str(r->profile));
  json_object_object_add(o, "profile_hash", json_str(r->profile_hash));
  json_object_object_add(o, "version", json_str(r->version));
  json_add_time(o, "started", r->started_ns, 1);
  json_add_time(o, "ended", r->ended_ns, ended);
  json_object_object_add(o, "exit_status",
                         ended ? json_object_new_int(r->exit_status) : NULL);
  return o;
}

static int json_on_series(const bn_series *s, void *arg)
{
  json_gather *g = arg;
  json_object *o = json_object_new_object();

  if (!o) {
    g->rc = BN_ENOMEM;
    return 1;
  }
  json_object_object_add(o, "target", json_str(s->target));
  json_object_object_add(o, "probe", json_str(s->probe));
  json_object_object_add(o, "metric", json_str(s->metric));
  json_object_object_add(o, "sent", json_count(s->count));
  json_object_object_add(o, "lost", json_count(s->lost));
  json_object_object_add(o, "invalid", json_count(s->invalid));
  json_object_object_add(o, "late", json_count(s->late));
  json_object_object_add(o, "dup", json_count(s->dup));
  json_object_object_add(o, "loss_pct", json_num(s->loss_pct));
  json_object_object_add(o, "min", json_num(s->min));
  json_object_object_add(o, "avg", json_num(s->avg));
  json_object_object_add(o, "p50", json_num(s->p50));
  json_object_object_add(o, "p95", json_num(s->p95));
  json_object_object_add(o, "max", json_num(s->max));
  json_object_object_add(o, "stddev", json_num(s->stddev));
  json_object_object_add(o, "jitter", json_num(s->jitter));
  json_add_time(o, "first", s->first_ns, s->first_ns != 0);
  json_add_time(o, "last", s->last_ns, s->last_ns != 0);
  json_object_array_add(g->list, o);
  return 0;
}

static int json_on_event(const bn_event *e, const char *source, void *arg)
{
  json_gather *g = arg;
  json_object *o = json_object_new_object();

  if (!o) {
    g->rc = BN_ENOMEM;
    return 1;
  }
  json_add_time(o, "time", e->wall_ns, 1);
  json_object_object_add(o, "source", json_str(source));
  json_object_object_add(o, "target", json_str(e->target));
  json_object_object_add(o, "type", json_str(e->type));
  json_object_object_add(o, "severity", json_str(json_severity(e->severity)));
  json_object_object_add(o, "score", json_num(e->score));
  json_object_object_add(o, "message", json_str(e->message));
  json_object_array_add(g->list, o);
  return 0;
}

/* Run an iteration into a new array stored under `key` of `root`. */
static int json_gather_list(json_ctx *c, json_object *root, const char *key,
                            const bn_query *q, int series)
{
  const bn_host_api *api = c->h->api;
  json_gather g;
  int rc;

  g.rc = 0;
  g.list = json_object_new_array();
  if (!g.list)
    return BN_ENOMEM;
  json_object_object_add(root, key, g.list);
  if (series)
    rc = api->series_each(c->h, q, json_on_series, &g);
  else
    rc = api->events_each(c->h, q, json_on_event, &g);
  return rc < 0 ? rc : g.rc;
}

static int json_collect(json_ctx *c, int64_t run_id, json_object **out)
{
  json_object *root = NULL, *run;
  bn_run_info info;
  bn_query q;
  int rc;

  *out = NULL;
  rc = c->h->api->run_info(c->h, run_id, &info);
  if (rc < 0) {
    if (run_id)
      bn_error(c->h, "run %" PRId64 " not found in the history store", run_id);
    else
      bn_error(c->h, "no run in the history store");
    return rc;
  }
  root = json_object_new_object();
  run = root ? json_run(&info) : NULL;
  if (!run) {
    json_object_put(root);
    return BN_ENOMEM;
  }
  json_object_object_add(root, "schema", json_object_new_string(JSON_SCHEMA));
  json_object_object_add(root, "run", run);
  memset(&q, 0, sizeof(q));
  /* The id the store gave, so that series and events match "run". */
  q.run_id = info.id;
  rc = json_gather_list(c, root, "series", &q, 1);
  if (rc == 0)
    rc = json_gather_list(c, root, "events", &q, 0);
  if (rc < 0) {
    bn_error(c->h, "cannot read run %" PRId64 " from the history store",
             info.id);
    json_object_put(root);
    return rc;
  }
  *out = root;
  return 0;
}

/* ---------------------------------------------------------------- */
/* Plugin callbacks                                                  */
/* ---------------------------------------------------------------- */

static int json_render(void *ctx, const bn_report_request *req)
{
  json_ctx *c = ctx;
  const bn_host_api *api = c->h->api;
  int flags = JSON_C_TO_STRING_NOSLASHESCAPE;
  json_object *root = NULL;
  bn_output *out = NULL;
  const char *text;
  int rc;

  if (c->pretty)
    flags |= JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED;
  else
    flags |= JSON_C_TO_STRING_PLAIN;
  /* Gather first: a failed query must not leave a file behind. */
  rc = json_collect(c, req->run_id, &root);
  if (rc == 0)
    rc = api->output_open(c->h, c->output, req->out, &out);
  if (rc == 0) {
    text = json_object_to_json_string_ext(root, flags);
    if (text) {
      fputs(text, api->output_file(out));
      fputc('\n', api->output_file(out));
    } else {
      rc = BN_ENOMEM;
    }
    if (api->output_close(c->h, out, rc == 0) != 0 && rc == 0)
      rc = BN_EIO;
  }
  json_object_put(root);
  return rc;
}

static void json_destroy(void *ctx)
{
  json_ctx *c = ctx;

  if (!c)
    return;
  free(c->output);
  free(c);
}

static int json_init(bn_host *h, void **out)
{
  const bn_host_api *api = h->api;
  const bn_node *cfg = api->config(h);
  const char *output = "-";
  json_ctx *c;
  int rc;

  c = calloc(1, sizeof(*c));
  if (!c)
    return BN_ENOMEM;
  c->h = h;
  c->pretty = 1;
  rc = api->cfg_string(h, cfg, "output", &output);
  if (rc == BN_ENOENT)
    rc = 0;
  if (rc == 0 && *output == '\0')
    rc = api->cfg_error(h, api->cfg_get(cfg, "output"),
                        "output must not be empty; use \"-\" for standard "
                        "output");
  if (rc == 0) {
    rc = api->cfg_bool(h, cfg, "pretty", &c->pretty);
    if (rc == BN_ENOENT)
      rc = 0;
  }
  if (rc == 0) {
    c->output = strdup(output);
    if (!c->output)
      rc = BN_ENOMEM;
  }
  if (rc < 0) {
    json_destroy(c);
    return rc;
  }
  *out = c;
  return 0;
}

static const bn_reporter_ops json_ops = {
    sizeof(bn_reporter_ops),
    json_render,
};

BN_PLUGIN_DEFINE("json", "1.0", BN_KIND_REPORTER,
                 "JSON document of a run's series and events (json-c)",
                 json_options, json_init, json_destroy, &json_ops);
