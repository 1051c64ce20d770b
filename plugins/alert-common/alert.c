/*
 * alert.c - episodes, correlation context and alert renderings for the
 * webhook and email exporters (alert.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "alert.h"

int alert_parse_severity(const char *s, bn_severity *out)
{
  if (!s)
    return -1;
  if (!strcmp(s, "warning"))
    *out = BN_SEV_WARNING;
  else if (!strcmp(s, "critical") || !strcmp(s, "high"))
    *out = BN_SEV_CRITICAL;
  else
    return -1;
  return 0;
}

const char *alert_severity_name(bn_severity s)
{
  return s == BN_SEV_CRITICAL  ? "critical"
         : s == BN_SEV_WARNING ? "warning"
                               : "info";
}

const char *alert_state_name(alert_state s)
{
  return s == ALERT_OPENED      ? "opened"
         : s == ALERT_ESCALATED ? "escalated"
         : s == ALERT_RESOLVED  ? "resolved"
                                : "none";
}

static char *alert_strdup(const char *s)
{
  return strdup(s ? s : "");
}

static int64_t alert_now(alert_book *b)
{
  return b->h->api->now_wall_ns(b->h);
}

void alert_book_init(alert_book *b, bn_host *h, bn_severity min_sev,
                     int64_t window_ns)
{
  memset(b, 0, sizeof(*b));
  b->h = h;
  b->min_sev = min_sev;
  b->window_ns = window_ns;
}

void alert_book_free(alert_book *b)
{
  size_t i;

  while (b->episodes) {
    alert_episode *e = b->episodes;

    b->episodes = e->next;
    free(e->source);
    free(e->target);
    free(e->type);
    free(e->message);
    free(e->first_message);
    free(e);
  }
  while (b->stats) {
    alert_tstats *t = b->stats;

    b->stats = t->next;
    free(t->target);
    free(t);
  }
  for (i = 0; i < ALERT_CTX_EVENTS; i++) {
    free(b->ctx[i].target);
    free(b->ctx[i].type);
    free(b->ctx[i].message);
  }
  memset(b, 0, sizeof(*b));
}

static alert_tstats *alert_tstats_get(alert_book *b, const char *target,
                                      int create)
{
  alert_tstats *t;

  for (t = b->stats; t; t = t->next)
    if (!strcmp(t->target, target))
      return t;
  if (!create)
    return NULL;
  t = calloc(1, sizeof(*t));
  if (!t || !(t->target = strdup(target))) {
    free(t);
    return NULL;
  }
  t->next = b->stats;
  b->stats = t;
  return t;
}

/* Milliseconds per unit of a latency metric (0: not a time unit). */
static double alert_unit_ms(const char *u)
{
  if (!u)
    return 0;
  if (!strcmp(u, "ms"))
    return 1;
  if (!strcmp(u, "s"))
    return 1e3;
  if (!strcmp(u, "us"))
    return 1e-3;
  if (!strcmp(u, "ns"))
    return 1e-6;
  return 0;
}

void alert_book_sample(alert_book *b, const bn_metric *m, const bn_sample *s)
{
  alert_tstats *t;
  alert_point *p;
  double k;

  if (!m || m->role != BN_ROLE_LATENCY || !s->target ||
      (s->flags & (BN_SAMPLE_INVALID | BN_SAMPLE_LATE | BN_SAMPLE_DUP)))
    return;
  k = alert_unit_ms(m->unit);
  if (k <= 0)
    return;
  t = alert_tstats_get(b, s->target, 1);
  if (!t)
    return;
  p = &t->ring[t->head];
  t->head = (t->head + 1) % ALERT_RING;
  if (t->n < ALERT_RING)
    t->n++;
  p->wall_ns = s->wall_ns ? s->wall_ns : alert_now(b);
  p->ms =
      (s->flags & (BN_SAMPLE_LOST | BN_SAMPLE_ERROR)) || !bn_measured(s->value)
          ? NAN
          : s->value * k;
}

static void alert_keep_ctx(alert_book *b, const bn_event *e)
{
  alert_ctxev *c = &b->ctx[b->ctx_head];

  free(c->target);
  free(c->type);
  free(c->message);
  c->target = e->target ? strdup(e->target) : NULL;
  c->type = alert_strdup(e->type);
  c->message = alert_strdup(e->message);
  c->wall_ns = e->wall_ns ? e->wall_ns : alert_now(b);
  b->ctx_head = (b->ctx_head + 1) % ALERT_CTX_EVENTS;
  if (b->n_ctx < ALERT_CTX_EVENTS)
    b->n_ctx++;
}

static int alert_is_context(const char *type)
{
  return !strcmp(type, "path_change") || !strncmp(type, "check", 5) ||
         !strncmp(type, "clock_", 6) || !strncmp(type, "resolve", 7);
}

alert_state alert_book_event(alert_book *b, const char *source,
                             const bn_event *e, alert_episode **out)
{
  const char *target = e->target ? e->target : "";
  int64_t when = e->wall_ns ? e->wall_ns : alert_now(b);
  alert_episode *ep;

  *out = NULL;
  if (!e->type)
    return ALERT_NONE;
  if (alert_is_context(e->type)) {
    alert_keep_ctx(b, e);
    return ALERT_NONE;
  }
  for (ep = b->episodes; ep; ep = ep->next)
    if (!strcmp(ep->source, source) && !strcmp(ep->target, target) &&
        !strcmp(ep->type, e->type) && ep->open)
      break;
  if (e->severity < BN_SEV_WARNING) {
    /* INFO: closes an open episode */
    if (!ep)
      return ALERT_NONE;
    ep->open = 0;
    ep->end_ns = when;
    free(ep->message);
    ep->message = alert_strdup(e->message);
    if (e->score > ep->peak_score) {
      ep->peak_score = e->score;
      ep->peak_ns = when;
    }
    *out = ep;
    return ep->delivered ? ALERT_RESOLVED : ALERT_NONE;
  }
  if (!ep) {
    ep = calloc(1, sizeof(*ep));
    if (!ep)
      return ALERT_NONE;
    ep->source = alert_strdup(source);
    ep->target = alert_strdup(target);
    ep->type = alert_strdup(e->type);
    ep->first_message = alert_strdup(e->message);
    ep->seq = ++b->n_episodes;
    ep->open = 1;
    ep->start_ns = when;
    ep->sev = e->severity;
    ep->peak_score = e->score;
    ep->peak_ns = when;
    ep->next = b->episodes;
    b->episodes = ep;
  }
  if (e->severity > ep->sev)
    ep->sev = e->severity;
  if (e->score >= ep->peak_score) {
    ep->peak_score = e->score;
    ep->peak_ns = when;
  }
  ep->score = e->score;
  free(ep->message);
  ep->message = alert_strdup(e->message);
  *out = ep;
  if (ep->sev < b->min_sev)
    return ALERT_NONE;
  if (!ep->delivered)
    return ALERT_OPENED;
  return ep->sev > ep->sent_sev ? ALERT_ESCALATED : ALERT_NONE;
}

void alert_key(alert_book *b, const alert_episode *ep, alert_state st,
               char *buf, size_t len)
{
  bn_run_info ri;
  char host[128] = "";

  memset(&ri, 0, sizeof(ri));
  if (b->h->api->run_info(b->h, 0, &ri) < 0 || !ri.host) {
    gethostname(host, sizeof(host) - 1);
    ri.host = host;
  }
  snprintf(buf, len, "%s-run%lld-ep%u-%u-%s", ri.host, (long long)ri.id,
           ep->seq, ep->changes + 1, alert_state_name(st));
}

static void alert_time(int64_t ns, char *buf, size_t len)
{
  time_t s = (time_t)(ns / 1000000000);
  struct tm tm;

  gmtime_r(&s, &tm);
  snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
           (int)(ns % 1000000000 / 1000000));
}

typedef struct alert_summary {
  size_t n, lost;
  double min, max, mean, median;
} alert_summary;

static int alert_cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static void alert_stats(alert_book *b, const char *target, alert_summary *s)
{
  alert_tstats *t = alert_tstats_get(b, target, 0);
  int64_t since = alert_now(b) - b->window_ns;
  double v[ALERT_RING], sum = 0;
  size_t i, nv = 0;

  memset(s, 0, sizeof(*s));
  s->min = s->max = s->mean = s->median = NAN;
  if (!t)
    return;
  for (i = 0; i < t->n; i++) {
    const alert_point *p = &t->ring[i];

    if (p->wall_ns < since)
      continue;
    s->n++;
    if (isnan(p->ms)) {
      s->lost++;
      continue;
    }
    v[nv++] = p->ms;
    sum += p->ms;
  }
  if (!nv)
    return;
  qsort(v, nv, sizeof(v[0]), alert_cmp);
  s->min = v[0];
  s->max = v[nv - 1];
  s->mean = sum / (double)nv;
  s->median = nv % 2 ? v[nv / 2] : (v[nv / 2 - 1] + v[nv / 2]) / 2;
}

static json_object *alert_num(double v)
{
  return isfinite(v) ? json_object_new_double(v) : NULL;
}

static void alert_put(json_object *o, const char *k, json_object *v)
{
  json_object_object_add(o, k, v);
}

static json_object *alert_ts(int64_t ns)
{
  char t[64];

  if (!ns)
    return NULL;
  alert_time(ns, t, sizeof(t));
  return json_object_new_string(t);
}

char *alert_json(alert_book *b, const alert_episode *ep, alert_state st,
                 const char *key)
{
  json_object *root = json_object_new_object(), *e, *ctx, *st_o, *evs, *run;
  alert_summary s;
  bn_run_info ri;
  int64_t since = alert_now(b) - b->window_ns;
  size_t i;
  char *out;

  if (!root)
    return NULL;
  alert_put(root, "version", json_object_new_int(1));
  alert_put(root, "idempotency_key", json_object_new_string(key));
  alert_put(root, "state", json_object_new_string(alert_state_name(st)));
  e = json_object_new_object();
  alert_put(e, "source", json_object_new_string(ep->source));
  alert_put(e, "target", json_object_new_string(ep->target));
  alert_put(e, "type", json_object_new_string(ep->type));
  alert_put(e, "severity",
            json_object_new_string(alert_severity_name(ep->sev)));
  alert_put(e, "confidence", alert_num(ep->score));
  alert_put(e, "message", json_object_new_string(ep->message));
  alert_put(e, "first_message", json_object_new_string(ep->first_message));
  alert_put(e, "start", alert_ts(ep->start_ns));
  alert_put(e, "end", ep->open ? NULL : alert_ts(ep->end_ns));
  {
    json_object *pk = json_object_new_object();

    alert_put(pk, "score", alert_num(ep->peak_score));
    alert_put(pk, "at", alert_ts(ep->peak_ns));
    alert_put(e, "peak", pk);
  }
  alert_put(root, "episode", e);

  ctx = json_object_new_object();
  alert_stats(b, ep->target, &s);
  st_o = json_object_new_object();
  alert_put(st_o, "window_s",
            json_object_new_double((double)b->window_ns / 1e9));
  alert_put(st_o, "samples", json_object_new_int64((int64_t)s.n));
  alert_put(st_o, "lost", json_object_new_int64((int64_t)s.lost));
  alert_put(st_o, "loss_ratio",
            alert_num(s.n ? (double)s.lost / (double)s.n : NAN));
  alert_put(st_o, "latency_ms_min", alert_num(s.min));
  alert_put(st_o, "latency_ms_median", alert_num(s.median));
  alert_put(st_o, "latency_ms_mean", alert_num(s.mean));
  alert_put(st_o, "latency_ms_max", alert_num(s.max));
  alert_put(ctx, "target_stats", st_o);
  evs = json_object_new_array();
  for (i = 0; i < b->n_ctx; i++) {
    const alert_ctxev *c = &b->ctx[i];
    json_object *o;

    if (c->wall_ns < since ||
        (c->target && ep->target[0] && strcmp(c->target, ep->target)))
      continue;
    o = json_object_new_object();
    alert_put(o, "type", json_object_new_string(c->type));
    alert_put(o, "target",
              c->target ? json_object_new_string(c->target) : NULL);
    alert_put(o, "message", json_object_new_string(c->message));
    alert_put(o, "at", alert_ts(c->wall_ns));
    json_object_array_add(evs, o);
  }
  alert_put(ctx, "events", evs);
  run = json_object_new_object();
  memset(&ri, 0, sizeof(ri));
  if (b->h->api->run_info(b->h, 0, &ri) == 0) {
    alert_put(run, "id", json_object_new_int64(ri.id));
    alert_put(run, "host", ri.host ? json_object_new_string(ri.host) : NULL);
    alert_put(run, "profile",
              ri.profile ? json_object_new_string(ri.profile) : NULL);
    alert_put(run, "version",
              ri.version ? json_object_new_string(ri.version) : NULL);
    alert_put(run, "started", alert_ts(ri.started_ns));
  }
  alert_put(ctx, "run", run);
  alert_put(root, "context", ctx);
  out = strdup(json_object_to_json_string_ext(
      root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put(root);
  return out;
}

static void alert_appendf(char **buf, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void alert_appendf(char **buf, size_t *len, const char *fmt, ...)
{
  va_list ap;
  char line[1024];
  int n;
  char *nb;

  va_start(ap, fmt);
  n = vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (n < 0 || !*buf)
    return;
  if ((size_t)n >= sizeof(line))
    n = sizeof(line) - 1;
  nb = realloc(*buf, *len + (size_t)n + 1);
  if (!nb) {
    free(*buf);
    *buf = NULL;
    return;
  }
  memcpy(nb + *len, line, (size_t)n + 1);
  *buf = nb;
  *len += (size_t)n;
}

int alert_text(alert_book *b, const alert_episode *ep, alert_state st,
               const char *key, char **subject, char **body)
{
  alert_summary s;
  bn_run_info ri;
  char t0[64] = "", t1[64] = "", tp[64] = "";
  int64_t since = alert_now(b) - b->window_ns;
  size_t len = 0, i;
  char *out = calloc(1, 1);

  alert_time(ep->start_ns, t0, sizeof(t0));
  if (!ep->open)
    alert_time(ep->end_ns, t1, sizeof(t1));
  alert_time(ep->peak_ns, tp, sizeof(tp));
  memset(&ri, 0, sizeof(ri));
  b->h->api->run_info(b->h, 0, &ri);
  *subject = malloc(512);
  if (!*subject || !out) {
    free(*subject);
    free(out);
    return -1;
  }
  snprintf(*subject, 512, "[bottleneck] %s %s: %s on %s",
           alert_severity_name(ep->sev), alert_state_name(st), ep->type,
           ep->target[0] ? ep->target : "this host");
  alert_appendf(&out, &len, "%s %s: %s\n", alert_severity_name(ep->sev),
                alert_state_name(st), ep->message);
  alert_appendf(&out, &len, "\nTarget:     %s\n",
                ep->target[0] ? ep->target : "(this host)");
  alert_appendf(&out, &len, "Detector:   %s (%s)\n", ep->source, ep->type);
  alert_appendf(&out, &len, "Confidence: %.2f (peak %.2f at %s)\n", ep->score,
                ep->peak_score, tp);
  alert_appendf(&out, &len, "Started:    %s\n", t0);
  if (!ep->open)
    alert_appendf(&out, &len, "Ended:      %s\n", t1);
  alert_stats(b, ep->target, &s);
  alert_appendf(&out, &len, "\nLast %.0f s of %s:\n",
                (double)b->window_ns / 1e9, ep->target);
  alert_appendf(&out, &len, "  samples %zu, lost %zu (%.1f %%)\n", s.n, s.lost,
                s.n ? 100.0 * (double)s.lost / (double)s.n : 0.0);
  if (isfinite(s.median))
    alert_appendf(&out, &len,
                  "  latency ms: min %.3f, median %.3f, max %.3f\n", s.min,
                  s.median, s.max);
  for (i = 0; i < b->n_ctx; i++) {
    const alert_ctxev *c = &b->ctx[i];
    char tc[64];

    if (c->wall_ns < since ||
        (c->target && ep->target[0] && strcmp(c->target, ep->target)))
      continue;
    alert_time(c->wall_ns, tc, sizeof(tc));
    alert_appendf(&out, &len, "  %s %s: %s\n", tc, c->type, c->message);
  }
  alert_appendf(&out, &len, "\nHost %s, profile %s, run %lld.\n",
                ri.host ? ri.host : "?", ri.profile ? ri.profile : "?",
                (long long)ri.id);
  alert_appendf(&out, &len, "Alert id: %s\n", key);
  if (!out) {
    free(*subject);
    return -1;
  }
  *body = out;
  return 0;
}
