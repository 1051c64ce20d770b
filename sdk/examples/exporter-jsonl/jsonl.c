/*
 * jsonl.c - an example exporter: samples, events and speed test results
 * as JSON lines in a file, built out of tree against the installed SDK
 * (`make && make install`).
 *
 * One object a line, for jq, Vector, Loki's promtail or a script:
 *
 *   {"type":"sample","probe":"udp","target":"echo",
 *    "metric":"udp_echo_rtt_ms","role":"latency","unit":"ms",
 *    "value":0.081,"wall_ns":1764700000123456789,"flags":0}
 *   {"type":"event","source":"ewma","target":"echo",
 *    "event":"latency_ewma","severity":"warning","score":41.5,
 *    "message":"...","wall_ns":...}
 *   {"type":"speedtest","provider":"bulk","status":0,...}
 *
 * Samples are chosen by role (`roles: [latency, loss]`), never by metric
 * name, so metrics of probes written after this exporter are exported
 * too.  "Not measured" (NaN) is written as null.
 *
 * Callbacks run on the host's loop and must not block it.  This one
 * writes into a stdio buffer (a local file: a write() now and then) and
 * pushes it to the file in flush(), which the host calls at least at the
 * end of a run.  An exporter that talks to the network would queue here
 * and send from a thread or with watches instead.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bottleneck/sdk.h>

typedef struct jsonl_config {
  const char *path;     /* the file to write */
  const bn_node *roles; /* list of role names, or NULL: every role */
  int events;           /* export events too */
  int append;           /* append to the file instead of truncating */
} jsonl_config;

static const bn_option jsonl_options[] = {
    {.name = "path",
     .type = BN_OPT_STRING,
     .required = 1,
     .help = "file to write the JSON lines to",
     BN_FIELD(jsonl_config, path)},
    {.name = "roles",
     .type = BN_OPT_LIST,
     .help = "metric roles to export (latency, loss, jitter, throughput, "
             "count, status, gauge); default: all",
     BN_FIELD(jsonl_config, roles)},
    {.name = "events",
     .type = BN_OPT_BOOL,
     .def = "true",
     .help = "export events (anomalies, alerts) too",
     BN_FIELD(jsonl_config, events)},
    {.name = "append",
     .type = BN_OPT_BOOL,
     .def = "true",
     .help = "append to the file; false truncates it at the start",
     BN_FIELD(jsonl_config, append)},
    BN_OPTIONS_END,
};

#define JSONL_N_ROLES 8 /* bn_metric_role values are 1..7 */

typedef struct jsonl_ctx {
  bn_host *h;
  jsonl_config cfg;
  int want[JSONL_N_ROLES]; /* by bn_metric_role */
  FILE *f;
  uint64_t lines;
} jsonl_ctx;

/* True when a struct the host sent is large enough to hold `field`:
 * fields added in a later minor lie beyond an older sender's size. */
#define JSONL_HAS(p, T, field)                                                \
  ((p)->struct_size >= offsetof(T, field) + sizeof((p)->field))

/* Parse the roles list into want[]; report a bad item at its line. */
static int jsonl_roles(bn_host *h, const bn_node *list, int *want)
{
  const bn_host_api *api = h->api;
  size_t i, n = api->cfg_len(list);
  int r, rc = 0;

  for (r = 1; r < JSONL_N_ROLES; r++)
    want[r] = list == NULL || n == 0;
  for (i = 0; i < n; i++) {
    const bn_node *item = api->cfg_at(list, i);
    const char *name = api->cfg_scalar(item);

    for (r = 1; r < JSONL_N_ROLES; r++)
      if (name && strcmp(name, bn_role_name((bn_metric_role)r)) == 0)
        break;
    if (r == JSONL_N_ROLES)
      rc = api->cfg_error(h, item,
                          "unknown role '%s'; use latency, loss, jitter, "
                          "throughput, count, status or gauge",
                          name ? name : "(not a scalar)");
    else
      want[r] = 1;
  }
  return rc;
}

static void jsonl_str(FILE *f, const char *s)
{
  if (!s) {
    fputs("null", f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;

    if (ch == '"' || ch == '\\')
      fprintf(f, "\\%c", ch);
    else if (ch < 0x20)
      fprintf(f, "\\u%04x", ch);
    else
      fputc(ch, f);
  }
  fputc('"', f);
}

static void jsonl_num(FILE *f, double v)
{
  if (bn_measured(v) && !isinf(v))
    fprintf(f, "%.17g", v);
  else
    fputs("null", f);
}

static int jsonl_on_sample(void *ctx, const char *probe, const bn_metric *m,
                           const bn_sample *s)
{
  jsonl_ctx *c = ctx;

  if (!m || (unsigned)m->role >= JSONL_N_ROLES || !c->want[m->role])
    return 0;
  fputs("{\"type\":\"sample\",\"probe\":", c->f);
  jsonl_str(c->f, probe);
  fputs(",\"target\":", c->f);
  jsonl_str(c->f, s->target);
  fputs(",\"metric\":", c->f);
  jsonl_str(c->f, s->metric);
  fputs(",\"role\":", c->f);
  jsonl_str(c->f, bn_role_name(m->role));
  fputs(",\"unit\":", c->f);
  jsonl_str(c->f, m->unit);
  fputs(",\"value\":", c->f);
  jsonl_num(c->f, s->value);
  fprintf(c->f, ",\"wall_ns\":%lld,\"flags\":%u}\n", (long long)s->wall_ns,
          (unsigned)s->flags);
  c->lines++;
  return ferror(c->f) ? BN_EIO : 0;
}

static int jsonl_on_event(void *ctx, const char *source, const bn_event *e)
{
  static const char *const sev[] = {"info", "warning", "critical"};
  jsonl_ctx *c = ctx;

  if (!c->cfg.events)
    return 0;
  fputs("{\"type\":\"event\",\"source\":", c->f);
  jsonl_str(c->f, source);
  fputs(",\"target\":", c->f);
  jsonl_str(c->f, e->target);
  fputs(",\"event\":", c->f);
  jsonl_str(c->f, e->type);
  fputs(",\"severity\":", c->f);
  jsonl_str(c->f, (unsigned)e->severity < 3 ? sev[e->severity] : "unknown");
  fputs(",\"score\":", c->f);
  jsonl_num(c->f, e->score);
  fputs(",\"message\":", c->f);
  jsonl_str(c->f, e->message);
  fprintf(c->f, ",\"wall_ns\":%lld}\n", (long long)e->wall_ns);
  c->lines++;
  return ferror(c->f) ? BN_EIO : 0;
}

static int jsonl_on_speedtest(void *ctx, const char *provider,
                              const bn_speedtest_result *r)
{
  jsonl_ctx *c = ctx;

  fputs("{\"type\":\"speedtest\",\"provider\":", c->f);
  jsonl_str(c->f, provider);
  fputs(",\"server\":", c->f);
  jsonl_str(c->f, r->server);
  fprintf(c->f, ",\"status\":%d,\"error\":", r->status);
  jsonl_str(c->f, r->error);
  fputs(",\"download_bps\":", c->f);
  jsonl_num(c->f, r->download_bps);
  fputs(",\"upload_bps\":", c->f);
  jsonl_num(c->f, r->upload_bps);
  fputs(",\"latency_ms\":", c->f);
  jsonl_num(c->f, r->latency_ms);
  /* A field added in a later minor would be read like this: */
  if (JSONL_HAS(r, bn_speedtest_result, loaded_down_ms)) {
    fputs(",\"loaded_down_ms\":", c->f);
    jsonl_num(c->f, r->loaded_down_ms);
  }
  fputs("}\n", c->f);
  c->lines++;
  return ferror(c->f) ? BN_EIO : 0;
}

static int jsonl_flush(void *ctx)
{
  jsonl_ctx *c = ctx;

  if (fflush(c->f) != 0) {
    bn_error(c->h, "%s: %s", c->cfg.path, strerror(errno));
    return BN_EIO;
  }
  bn_debug(c->h, "%llu lines in %s", (unsigned long long)c->lines,
           c->cfg.path);
  return 0;
}

/* check(): the role names, without opening anything. */
static int jsonl_check(bn_host *h)
{
  jsonl_config cfg = {0};
  int want[JSONL_N_ROLES];

  if (h->api->cfg_fill(h, &cfg) < 0)
    return BN_EINVAL;
  return jsonl_roles(h, cfg.roles, want);
}

static int jsonl_init(bn_host *h, void **ctx)
{
  jsonl_ctx *c = calloc(1, sizeof(*c));
  int rc;

  if (!c)
    return BN_ENOMEM;
  c->h = h;
  rc = h->api->cfg_fill(h, &c->cfg);
  if (rc == 0)
    rc = jsonl_roles(h, c->cfg.roles, c->want);
  if (rc < 0) {
    free(c);
    return rc;
  }
  c->f = fopen(c->cfg.path, c->cfg.append ? "ae" : "we");
  if (!c->f) {
    bn_error(h, "cannot open %s: %s; check the exporter's path:", c->cfg.path,
             strerror(errno));
    free(c);
    return BN_EIO;
  }
  setvbuf(c->f, NULL, _IOFBF, 1 << 16);
  *ctx = c;
  return 0;
}

static void jsonl_destroy(void *ctx)
{
  jsonl_ctx *c = ctx;

  if (fclose(c->f) != 0)
    bn_error(c->h, "%s: %s", c->cfg.path, strerror(errno));
  free(c);
}

static const bn_exporter_ops jsonl_ops = {
    BN_INIT(bn_exporter_ops),   .on_sample = jsonl_on_sample,
    .on_event = jsonl_on_event, .flush = jsonl_flush,
    .on_paths = NULL,           .on_speedtest = jsonl_on_speedtest,
};

BN_PLUGIN(.name = "jsonl", .version = "1.0", .kind = BN_KIND_EXPORTER,
          .summary = "example: samples and events as JSON lines in a file",
          .options = jsonl_options, .init = jsonl_init,
          .destroy = jsonl_destroy, .check = jsonl_check, .ops = &jsonl_ops);
