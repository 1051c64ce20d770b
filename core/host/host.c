/*
 * host.c - the host function table (bn_host_api) and plugin instances.
 *
 * Every api function receives the instance's bn_host, which is the first
 * member of host_instance: log lines get "[kind:plugin:instance]", emitted
 * data is stored under the instance name and fanned out to anomaly
 * plugins and exporters.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "conf.h"
#include "host.h"
#include "host_redact.h"
#include "options.h"
#include "pathdiff.h"
#include "store_paths.h"
#include "log.h"
#include "output.h"
#include "resolve.h"

#define HOST_IN(h) ((host_instance *)(h))

static bn_node host_empty_map = {.type = CONF_MAP};

static void host_log(bn_host *h, bn_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void host_log(bn_host *h, bn_log_level level, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  log_vmsg(level, HOST_IN(h)->prefix, fmt, ap);
  va_end(ap);
}

static int host_log_enabled(bn_host *h, bn_log_level level)
{
  return log_enabled(level);
}

static int64_t host_now_mono(bn_host *h)
{
  return clock_mono(&HOST_IN(h)->core->clock);
}

static int64_t host_now_wall(bn_host *h)
{
  return clock_wall(&HOST_IN(h)->core->clock);
}

void host_clock_poll(host_core *core)
{
  int64_t delta;
  clock_change ch = clock_check(&core->clock, &delta);
  bn_event ev = {BN_INIT(bn_event)};
  char msg[160];

  if (ch == CLOCK_STEADY)
    return;
  if (ch == CLOCK_SUSPENDED) {
    snprintf(msg, sizeof(msg),
             "suspend of %.3f s detected; samples in flight are invalid",
             (double)delta / 1e9);
    ev.type = "clock_suspend";
  } else {
    snprintf(msg, sizeof(msg),
             "wall clock stepped by %+.3f s; samples in flight are invalid",
             (double)delta / 1e9);
    ev.type = "clock_step";
  }
  log_warn("clock", "%s", msg);
  ev.severity = BN_SEV_WARNING;
  ev.message = msg;
  ev.wall_ns = clock_wall(&core->clock);
  if (core->st)
    store_add_event(core->st, core->run_id, "core", &ev);
  core->n_events++;
}

static uint64_t host_clock_epoch(bn_host *h)
{
  host_core *core = HOST_IN(h)->core;

  host_clock_poll(core);
  return core->clock.epoch;
}

static const bn_node *host_config(bn_host *h)
{
  host_instance *in = HOST_IN(h);

  if (in->entry && in->entry->node)
    return in->entry->node;
  return &host_empty_map;
}

static const bn_node *host_cfg_get(const bn_node *map, const char *key)
{
  return conf_get(map, key);
}

static int host_cfg_error(bn_host *h, const bn_node *node, const char *fmt,
                          ...) __attribute__((format(printf, 3, 4)));
static int host_cfg_error(bn_host *h, const bn_node *node, const char *fmt,
                          ...)
{
  char where[512];
  char msg[1024];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (node)
    conf_where(node, where, sizeof(where));
  else
    snprintf(where, sizeof(where), "<profile>");
  log_msg(BN_LOG_ERROR, NULL, "%s: [%s] %s", where, HOST_IN(h)->prefix, msg);
  return BN_EINVAL;
}

/* The scalar under `key`, or BN_ENOENT; a map or list is an error. */
static int host_cfg_scalar_at(bn_host *h, const bn_node *map, const char *key,
                              const bn_node **out)
{
  const bn_node *n = map ? conf_get(map, key) : NULL;

  if (!n)
    return BN_ENOENT;
  if (n->type != CONF_SCALAR)
    return host_cfg_error(h, n, "option '%s' expects a single value", key);
  *out = n;
  return BN_OK;
}

static int host_cfg_string(bn_host *h, const bn_node *map, const char *key,
                           const char **out)
{
  const bn_node *n = NULL;
  int rc = host_cfg_scalar_at(h, map, key, &n);

  if (rc == BN_OK)
    *out = n->value;
  return rc;
}

static int host_cfg_int(bn_host *h, const bn_node *map, const char *key,
                        int64_t *out)
{
  const bn_node *n = NULL;
  int rc = host_cfg_scalar_at(h, map, key, &n);

  if (rc != BN_OK)
    return rc;
  if (conf_parse_int(n->value, out) != 0)
    return host_cfg_error(h, n, "option '%s' expects an integer, got '%s'",
                          key, n->value);
  return BN_OK;
}

static int host_cfg_double(bn_host *h, const bn_node *map, const char *key,
                           double *out)
{
  const bn_node *n = NULL;
  int rc = host_cfg_scalar_at(h, map, key, &n);

  if (rc != BN_OK)
    return rc;
  if (conf_parse_double(n->value, out) != 0)
    return host_cfg_error(h, n, "option '%s' expects a number, got '%s'", key,
                          n->value);
  return BN_OK;
}

static int host_cfg_bool(bn_host *h, const bn_node *map, const char *key,
                         int *out)
{
  const bn_node *n = NULL;
  int rc = host_cfg_scalar_at(h, map, key, &n);

  if (rc != BN_OK)
    return rc;
  if (conf_parse_bool(n->value, out) != 0)
    return host_cfg_error(h, n, "option '%s' expects true or false, got '%s'",
                          key, n->value);
  return BN_OK;
}

static int host_cfg_duration(bn_host *h, const bn_node *map, const char *key,
                             int64_t *out_ns)
{
  const bn_node *n = NULL;
  int rc = host_cfg_scalar_at(h, map, key, &n);

  if (rc != BN_OK)
    return rc;
  if (conf_parse_duration(n->value, out_ns) != 0)
    return host_cfg_error(
        h, n, "option '%s' expects a duration like 250ms or 2s, got '%s'", key,
        n->value);
  return BN_OK;
}

static const char *host_instance_name(bn_host *h);

static int host_cfg_size(bn_host *h, const bn_node *map, const char *key,
                         uint64_t *out)
{
  const bn_node *n = NULL;
  int rc = host_cfg_scalar_at(h, map, key, &n);
  int64_t v;

  if (rc != BN_OK)
    return rc;
  if (conf_parse_size(n->value, &v) != 0)
    return host_cfg_error(
        h, n,
        "option '%s' expects a size like 64k (SI) or 8MiB (IEC), got '%s'",
        key, n->value);
  *out = (uint64_t)v;
  return BN_OK;
}

static int host_cfg_rate(bn_host *h, const bn_node *map, const char *key,
                         double *out_bps)
{
  const bn_node *n = NULL;
  int rc = host_cfg_scalar_at(h, map, key, &n);

  if (rc != BN_OK)
    return rc;
  if (conf_parse_rate(n->value, out_bps) != 0)
    return host_cfg_error(
        h, n, "option '%s' expects a rate in bits/s like 200M, got '%s'", key,
        n->value);
  return BN_OK;
}

static int host_cfg_fill(bn_host *h, void *cfg)
{
  host_instance *in = HOST_IN(h);

  if (!cfg)
    return BN_EINVAL;
  return options_fill(in->plugin->desc.options, host_config(h), cfg,
                      in->plugin->desc.name);
}

static const bn_metric *host_metric_info(bn_host *h, const char *probe,
                                         const char *metric)
{
  host_core *core = HOST_IN(h)->core;
  size_t i;

  if (!probe || !metric)
    return NULL;
  for (i = 0; i < core->n_inst; i++) {
    host_instance *in = &core->inst[i];

    if (in->plugin->desc.kind == BN_KIND_PROBE &&
        strcmp(host_instance_name(&in->pub), probe) == 0)
      return host_metric_find(in, metric);
  }
  return NULL;
}

static size_t host_cfg_len(const bn_node *list)
{
  return list && list->type == CONF_LIST ? list->n_items : 0;
}

static const bn_node *host_cfg_at(const bn_node *list, size_t i)
{
  if (!list || list->type != CONF_LIST || i >= list->n_items)
    return NULL;
  return list->items[i];
}

static const char *host_cfg_scalar(const bn_node *node)
{
  return conf_scalar(node);
}

static const bn_target *host_targets(bn_host *h, size_t *n)
{
  host_instance *in = HOST_IN(h);

  if (!in->entry) {
    *n = 0;
    return NULL;
  }
  *n = in->entry->n_targets;
  return in->entry->targets;
}

static const char *host_instance_name(bn_host *h)
{
  host_instance *in = HOST_IN(h);

  return in->entry ? in->entry->name : in->plugin->desc.name;
}

int host_copy_in(void *dst, size_t dst_size, const void *src, size_t min)
{
  uint32_t have;

  memset(dst, 0, dst_size);
  if (!src)
    return BN_EINVAL;
  memcpy(&have, src, sizeof(have));
  if (have < min)
    return BN_EINVAL;
  memcpy(dst, src, have < dst_size ? have : dst_size);
  /* from here on the copy is the host's own struct */
  have = (uint32_t)dst_size;
  memcpy(dst, &have, sizeof(have));
  return BN_OK;
}

const bn_metric *host_metric_find(const host_instance *in, const char *name)
{
  const bn_metric *m;

  for (m = in->plugin->desc.metrics; m && m->name; m++)
    if (strcmp(m->name, name) == 0)
      return m;
  return NULL;
}

/* Hand a sample to every anomaly plugin and exporter. */
static void host_fanout_sample(host_core *core, const char *probe,
                               const bn_metric *m, const bn_sample *s)
{
  size_t i;

  for (i = 0; i < core->n_inst; i++) {
    host_instance *in = &core->inst[i];
    const bn_anomaly_ops *an = host_anomaly_ops(in);
    const bn_exporter_ops *ex = host_exporter_ops(in);

    if (!in->initialised)
      continue;
    if (HOST_HAS(an, on_sample))
      an->on_sample(in->ctx, probe, m, s);
    if (HOST_HAS(ex, on_sample)) {
      bn_sample red;

      ex->on_sample(in->ctx, probe, m, host_redact_sample(in, s, &red));
    }
  }
}

/* The size of bn_sample in SDK 3.0: a plugin's sample is at least this. */
#define HOST_SAMPLE_V3 (offsetof(bn_sample, flags) + sizeof(uint32_t))

static int host_emit_sample(bn_host *h, const bn_sample *s)
{
  host_instance *in = HOST_IN(h);
  host_core *core = in->core;
  bn_sample copy;
  const bn_metric *m;
  const char *probe = host_instance_name(h);
  int rc = BN_OK;

  if (host_copy_in(&copy, sizeof(copy), s, HOST_SAMPLE_V3) < 0) {
    if (!in->warned_struct++)
      log_error(in->prefix,
                "sample with struct_size %u (at least %zu "
                "needed): set it with BN_INIT(bn_sample); samples dropped",
                s ? (unsigned)s->struct_size : 0, (size_t)HOST_SAMPLE_V3);
    in->n_dropped++;
    return BN_EINVAL;
  }
  if (!copy.target || !copy.metric)
    return BN_EINVAL;
  m = in->last_metric && strcmp(in->last_metric->name, copy.metric) == 0
          ? in->last_metric
          : host_metric_find(in, copy.metric);
  if (!m) {
    if (!in->warned_metric++)
      log_error(in->prefix,
                "metric '%s' is not declared in the plugin's "
                "descriptor (bn_plugin.metrics); its samples are dropped: "
                "declare it and rebuild the plugin",
                copy.metric);
    in->n_dropped++;
    return BN_EINVAL;
  }
  in->last_metric = m;
  /* A probe that failed here got no answer: it counts in the loss
   * (docs/metrics.md), whether or not the plugin said LOST too. */
  if (copy.flags & BN_SAMPLE_ERROR)
    copy.flags |= BN_SAMPLE_LOST;
  if (!copy.wall_ns)
    copy.wall_ns = clock_wall(&core->clock);
  if (!copy.mono_ns)
    copy.mono_ns = clock_mono(&core->clock);
  if (core->st)
    rc = store_add_sample(core->st, core->run_id, probe, &copy);
  in->n_emitted++;
  core->n_samples++;
  if (copy.flags & BN_SAMPLE_LOST)
    core->n_lost++;
  host_fanout_sample(core, probe, m, &copy);
  return rc;
}

/* Most changes one round can yield that are stored one by one. */
#define HOST_PATH_CHANGES 64

static int host_emit_event(bn_host *h, const bn_event *e);
static int host_store_paths(bn_host *h, bn_path_set *ps);

/* Announce each change from the previous round (one event per change,
 * WARNING for a different route, INFO for an RTT shift); they are
 * stored with the round. */
static void host_path_events(bn_host *h, const bn_path_set *ps,
                             const pathdiff_change *ch, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    char msg[512];
    bn_event e;

    pathdiff_describe(&ch[i], msg, sizeof(msg));
    memset(&e, 0, sizeof(e));
    e.struct_size = sizeof(e);
    e.target = ps->target;
    e.type = "path_change";
    e.severity =
        strcmp(ch[i].kind, "rtt_shift") ? BN_SEV_WARNING : BN_SEV_INFO;
    e.score = NAN;
    e.message = msg;
    e.wall_ns = ps->wall_ns;
    log_info(HOST_IN(h)->prefix, "%s: %s", ps->target, msg);
    host_emit_event(h, &e);
  }
}

/* Sizes of the path structs in SDK 3.0. */
#define HOST_SET_V3  (offsetof(bn_path_set, wall_ns) + sizeof(int64_t))
#define HOST_PATH_V3 (offsetof(bn_path, n_hops) + sizeof(size_t))
#define HOST_HOP_V3  (offsetof(bn_hop, flags) + sizeof(uint32_t))

/* The stride of an array whose elements start with struct_size. */
static size_t host_stride(const void *first)
{
  uint32_t n;

  memcpy(&n, first, sizeof(n));
  return n;
}

/* Copy a plugin's path set into host-sized structs (it may have been
 * built with another minor): one block for the paths and their hops. */
static int host_paths_in(const bn_path_set *ps, bn_path_set *out, void **mem)
{
  size_t i, j, n_hops = 0, ps_stride = 0, hop_stride = 0;
  bn_path *paths;
  bn_hop *hops;
  const char *src;

  *mem = NULL;
  if (host_copy_in(out, sizeof(*out), ps, HOST_SET_V3) < 0 || !out->target ||
      (out->n_paths && !out->paths))
    return BN_EINVAL;
  if (out->n_paths) {
    ps_stride = host_stride(out->paths);
    if (ps_stride < HOST_PATH_V3)
      return BN_EINVAL;
  }
  for (i = 0; i < out->n_paths; i++) {
    const bn_path *p =
        (const bn_path *)((const char *)out->paths + i * ps_stride);

    if (host_stride(p) != ps_stride || (p->n_hops && !p->hops))
      return BN_EINVAL;
    if (p->n_hops) {
      if (!hop_stride)
        hop_stride = host_stride(p->hops);
      if (hop_stride < HOST_HOP_V3 || host_stride(p->hops) != hop_stride)
        return BN_EINVAL;
    }
    n_hops += p->n_hops;
  }
  *mem =
      calloc(1, out->n_paths * sizeof(bn_path) + n_hops * sizeof(bn_hop) + 1);
  if (!*mem)
    return BN_ENOMEM;
  paths = *mem;
  hops = (bn_hop *)(paths + out->n_paths);
  for (i = 0; i < out->n_paths; i++) {
    src = (const char *)out->paths + i * ps_stride;
    host_copy_in(&paths[i], sizeof(bn_path), src, HOST_PATH_V3);
    src = (const char *)paths[i].hops;
    paths[i].hops = hops;
    for (j = 0; j < paths[i].n_hops; j++)
      host_copy_in(hops++, sizeof(bn_hop), src + j * hop_stride, HOST_HOP_V3);
  }
  out->paths = paths;
  return BN_OK;
}

static void host_fanout_paths(host_core *core, const char *probe,
                              const bn_path_set *ps)
{
  size_t i;

  for (i = 0; i < core->n_inst; i++) {
    host_instance *in = &core->inst[i];
    const bn_anomaly_ops *an = host_anomaly_ops(in);
    const bn_exporter_ops *ex = host_exporter_ops(in);

    if (!in->initialised)
      continue;
    if (HOST_HAS(an, on_paths))
      an->on_paths(in->ctx, probe, ps);
    if (HOST_HAS(ex, on_paths)) {
      bn_path_set red;
      void *mem = NULL;

      ex->on_paths(in->ctx, probe, host_redact_paths(in, ps, &red, &mem));
      host_redact_done(&mem);
    }
  }
}

static int host_emit_paths(bn_host *h, const bn_path_set *ps)
{
  void *mem = NULL;
  bn_path_set copy;
  int rc;

  rc = host_paths_in(ps, &copy, &mem);
  if (rc == BN_EINVAL && !HOST_IN(h)->warned_struct++)
    log_error(HOST_IN(h)->prefix,
              "malformed path set (struct_size of bn_path_set, bn_path or "
              "bn_hop too small or not the same in one array); set them "
              "with BN_INIT and rebuild the plugin");
  if (rc == BN_OK)
    rc = host_store_paths(h, &copy);
  if (rc == BN_OK)
    host_fanout_paths(HOST_IN(h)->core, host_instance_name(h), &copy);
  free(mem);
  return rc;
}

static int host_store_paths(bn_host *h, bn_path_set *ps)
{
  host_instance *in = HOST_IN(h);
  const char *probe = host_instance_name(h);
  bn_path_set copy = *ps;
  char(*ids)[PATHDIFF_ID_LEN + 1] = NULL;
  const char **idp = NULL;
  char set_id[PATHDIFF_ID_LEN + 1];
  pathdiff_change ch[HOST_PATH_CHANGES];
  store_path_round prev;
  size_t i, n = 0;
  int rc, have_prev;

  if (!copy.wall_ns)
    copy.wall_ns = clock_wall(&in->core->clock);
  ps->wall_ns = copy.wall_ns;
  if (!in->core->st)
    return BN_OK;
  ids = calloc(copy.n_paths + 1, sizeof(*ids));
  idp = calloc(copy.n_paths + 1, sizeof(*idp));
  if (!ids || !idp) {
    free(ids);
    free(idp);
    return BN_ENOMEM;
  }
  for (i = 0; i < copy.n_paths; i++) {
    pathdiff_path_id(&copy.paths[i], ids[i]);
    idp[i] = ids[i];
  }
  pathdiff_set_id(idp, copy.n_paths, set_id);
  /* The previous round (the store remembers the rounds still queued for
   * its writer); even with the same set id hops may have shifted their
   * RTT. */
  have_prev =
      store_path_round_last(in->core->st, copy.target, probe, &prev) == 0;
  if (have_prev) {
    n = pathdiff_compare(&prev.set, (const char *const *)prev.path_ids, &copy,
                         idp, copy.rtt_shift_ms, ch, HOST_PATH_CHANGES);
    if (n > HOST_PATH_CHANGES) {
      log_warn(in->prefix, "%s: %zu path changes, %d recorded", copy.target, n,
               HOST_PATH_CHANGES);
      n = HOST_PATH_CHANGES;
    }
  }
  rc = store_add_path_round(in->core->st, in->core->run_id, probe, &copy,
                            set_id, idp, ch, n);
  if (rc == BN_OK)
    host_path_events(h, &copy, ch, n);
  if (have_prev)
    store_path_round_free(&prev);
  free(ids);
  free(idp);
  return rc;
}

static int host_emit_event(bn_host *h, const bn_event *e)
{
  host_instance *in = HOST_IN(h);
  host_core *core = in->core;
  const char *source = host_instance_name(h);
  bn_event copy;
  size_t i;
  int rc = BN_OK;

  if (host_copy_in(&copy, sizeof(copy), e,
                   offsetof(bn_event, wall_ns) + sizeof(int64_t)) < 0 ||
      !copy.type) {
    if (!in->warned_struct++)
      log_error(in->prefix,
                "event without a type or with a struct_size "
                "too small: set it with BN_INIT(bn_event); dropped");
    return BN_EINVAL;
  }
  if (!copy.wall_ns)
    copy.wall_ns = clock_wall(&core->clock);
  if (core->st)
    rc = store_add_event(core->st, core->run_id, source, &copy);
  core->n_events++;
  for (i = 0; i < core->n_inst; i++) {
    host_instance *to = &core->inst[i];
    const bn_exporter_ops *ex = host_exporter_ops(to);

    if (to->initialised && HOST_HAS(ex, on_event)) {
      bn_event red;
      void *mem = NULL;

      ex->on_event(to->ctx, source, host_redact_event(to, &copy, &red, &mem));
      host_redact_done(&mem);
    }
  }
  return rc;
}

static int host_emit_episode(bn_host *h, const bn_episode *ep)
{
  host_instance *in = HOST_IN(h);
  host_core *core = in->core;
  bn_episode copy;

  if (host_copy_in(&copy, sizeof(copy), ep,
                   offsetof(bn_episode, signals) + sizeof(char *)) < 0 ||
      !copy.target || !copy.start_ns) {
    if (!in->warned_struct++)
      log_error(in->prefix,
                "episode without a target or start, or with a struct_size "
                "too small: set it with BN_INIT(bn_episode); dropped");
    return BN_EINVAL;
  }
  if (!core->st)
    return BN_OK; /* a replay (analyze) writes nothing */
  return store_add_episode(core->st, core->run_id, host_instance_name(h),
                           &copy);
}

static int host_baseline_put(bn_host *h, const bn_baseline *b)
{
  host_instance *in = HOST_IN(h);
  host_core *core = in->core;
  bn_baseline copy;

  if (host_copy_in(&copy, sizeof(copy), b,
                   offsetof(bn_baseline, samples) + sizeof(uint64_t)) < 0 ||
      !copy.target || !copy.probe || !copy.metric || !copy.kind) {
    if (!in->warned_struct++)
      log_error(in->prefix,
                "baseline without a target, probe, metric or kind, or with "
                "a struct_size too small: set it with BN_INIT(bn_baseline); "
                "dropped");
    return BN_EINVAL;
  }
  if (!core->st)
    return BN_OK; /* a replay (analyze) writes nothing */
  copy.updated_ns = clock_wall(&core->clock);
  return store_put_baseline(core->st, host_instance_name(h), &copy);
}

static int host_baselines_each(bn_host *h, const bn_query *q,
                               bn_baseline_fn fn, void *arg)
{
  host_core *core = HOST_IN(h)->core;

  if (!core->st || !fn)
    return BN_OK; /* a replay starts from no baseline */
  return store_baselines_each(core->st, host_instance_name(h), q, fn, arg);
}

static bn_timer *host_timer_start(bn_host *h, int64_t after_ns,
                                  int64_t repeat_ns, bn_timer_fn fn, void *arg)
{
  return loop_timer_start(&HOST_IN(h)->owner, after_ns, repeat_ns, fn, arg);
}

static bn_watch *host_watch_start(bn_host *h, int fd, int events,
                                  bn_watch_fn fn, void *arg)
{
  return loop_watch_start(&HOST_IN(h)->owner, fd, events, fn, arg);
}

static bn_resolve *host_resolve(bn_host *h, const char *host, int family,
                                int socktype, bn_resolve_fn fn, void *arg)
{
  return resolve_start(&HOST_IN(h)->owner, host, family, socktype, fn, arg);
}

static int host_run_info(bn_host *h, int64_t run_id, bn_run_info *out)
{
  host_instance *in = HOST_IN(h);
  host_core *core = in->core;
  int rc;

  if (!core->st)
    return BN_ENOENT;
  rc = store_run_info(core->st, run_id ? run_id : core->run_id, out);
  if (rc == BN_OK && out->host)
    out->host = host_redact_host(in, out->host);
  return rc;
}

/* Query run 0 means "this run" inside a run. */
static bn_query host_query(host_core *core, const bn_query *q)
{
  bn_query copy;

  /* A query from a plugin of an older minor has fewer fields: they
   * match everything. */
  if (host_copy_in(&copy, sizeof(copy), q,
                   offsetof(bn_query, until_ns) + sizeof(int64_t)) < 0) {
    memset(&copy, 0, sizeof(copy));
    copy.struct_size = sizeof(copy);
  }
  if (!copy.run_id)
    copy.run_id = core->run_id;
  return copy;
}

static int host_series_each(bn_host *h, const bn_query *q, bn_series_fn fn,
                            void *arg)
{
  host_core *core = HOST_IN(h)->core;
  bn_query copy = host_query(core, q);

  if (!core->st)
    return BN_ENOENT;
  return store_series_each(core->st, &copy, fn, arg);
}

static int host_samples_each(bn_host *h, const bn_query *q, bn_sample_fn fn,
                             void *arg)
{
  host_core *core = HOST_IN(h)->core;
  bn_query copy = host_query(core, q);

  if (!core->st)
    return BN_ENOENT;
  return store_samples_each(core->st, &copy, fn, arg);
}

static int host_events_each(bn_host *h, const bn_query *q, bn_event_fn fn,
                            void *arg)
{
  host_core *core = HOST_IN(h)->core;
  bn_query copy = host_query(core, q);

  if (!core->st)
    return BN_ENOENT;
  return store_events_each(core->st, &copy, fn, arg);
}

static void host_speedtest_progress(bn_host *h, bn_speedtest_phase phase,
                                    uint64_t bytes, double rate_bps)
{
  host_core *core = HOST_IN(h)->core;

  if (core->speedtest_progress)
    core->speedtest_progress(host_instance_name(h), phase, bytes, rate_bps,
                             core->speedtest_progress_arg);
}

static int host_output_open(bn_host *h, const char *path, FILE *std,
                            bn_output **out)
{
  int rc = output_open(path, std, out);

  if (rc != BN_OK)
    log_error(HOST_IN(h)->prefix, "cannot write report to '%s': %s",
              path && strcmp(path, "-") ? path : "standard output",
              strerror(errno));
  return rc;
}

static int host_output_close(bn_host *h, bn_output *o, int commit)
{
  char name[4096];
  int rc;

  if (!o)
    return BN_OK;
  snprintf(name, sizeof(name), "%s", output_name(o));
  rc = output_close(o, commit);
  if (rc != BN_OK)
    log_error(HOST_IN(h)->prefix, "cannot write report to '%s': %s", name,
              strerror(errno));
  return rc;
}

/* ---- consent to send data off the machine ---- */

/* The host part of a destination: "https://user@h.example:8443/x" ->
 * "h.example" (and "h.example:8443" in hostport); "[::1]:9" -> "::1". */
static void host_dest_split(const char *dest, char *host, size_t hlen,
                            char *hostport, size_t hplen)
{
  const char *p = strstr(dest, "://"), *end, *at;
  size_t n;

  p = p ? p + 3 : dest;
  end = p + strcspn(p, "/?#");
  at = memchr(p, '@', (size_t)(end - p));
  if (at)
    p = at + 1;
  n = (size_t)(end - p);
  snprintf(hostport, hplen, "%.*s", (int)n, p);
  if (*p == '[') {
    const char *rb = memchr(p, ']', n);

    snprintf(host, hlen, "%.*s", (int)(rb ? rb - p - 1 : (long)n - 1), p + 1);
    return;
  }
  /* one colon: host:port; more: a bare IPv6 address */
  {
    const char *c = memchr(p, ':', n);

    if (c && !memchr(c + 1, ':', (size_t)(end - c - 1)))
      n = (size_t)(c - p);
  }
  snprintf(host, hlen, "%.*s", (int)n, p);
}

static int host_dest_loopback(const char *host)
{
  struct in_addr a4;
  struct in6_addr a6;

  if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost."))
    return 1;
  if (inet_pton(AF_INET, host, &a4) == 1)
    return (ntohl(a4.s_addr) >> 24) == 127;
  if (inet_pton(AF_INET6, host, &a6) == 1)
    return IN6_IS_ADDR_LOOPBACK(&a6) ||
           (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
  return 0;
}

/* y/N on the terminal, default no. */
static int host_consent_ask(const host_instance *in, const char *dest)
{
  char line[32];

  if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
    return 0;
  fprintf(stderr,
          "bottleneck: [%s] wants to send data to %s, off this machine. "
          "Allow? [y/N] ",
          in->prefix, dest);
  fflush(stderr);
  if (!fgets(line, sizeof(line), stdin))
    return 0;
  return line[0] == 'y' || line[0] == 'Y';
}

static void host_consent_record(host_instance *in, const char *dest,
                                int granted, const char *why)
{
  host_core *core = in->core;
  bn_event ev = {BN_INIT(bn_event)};
  char msg[600];

  snprintf(msg, sizeof(msg), "%s %s data to %s: %s", in->prefix,
           granted ? "may send" : "may not send", dest, why);
  ev.type = "consent";
  ev.severity = granted ? BN_SEV_INFO : BN_SEV_WARNING;
  ev.score = granted ? 1 : 0;
  ev.message = msg;
  ev.wall_ns = clock_wall(&core->clock);
  if (core->st)
    store_add_event(core->st, core->run_id, "core", &ev);
  core->n_events++;
}

static int host_consent(bn_host *h, const char *dest)
{
  host_instance *in = HOST_IN(h);
  host_core *core = in->core;
  char host[256], hostport[300];
  const char *why = NULL;
  size_t i;

  if (!dest || !*dest)
    return BN_EINVAL;
  host_dest_split(dest, host, sizeof(host), hostport, sizeof(hostport));
  if (host_dest_loopback(host))
    why = "loopback, no consent needed";
  for (i = 0; !why && core->consent && i < core->consent->n_items; i++) {
    const char *c = conf_scalar(core->consent->items[i]);

    if (c && (!strcmp(c, "*") || !strcmp(c, dest) || !strcasecmp(c, host) ||
              !strcasecmp(c, hostport)))
      why = "granted by the profile's consent:";
  }
  if (!why && core->consent_all)
    why = "granted by --consent";
  if (!why && host_consent_ask(in, dest))
    why = "granted on the terminal";
  if (why) {
    log_info(in->prefix, "sends data to %s (%s)", dest, why);
    host_consent_record(in, dest, 1, why);
    return BN_OK;
  }
  log_warn(in->prefix,
           "not started: no consent to send data to %s (add it to the "
           "profile's consent: list, or run with --consent)",
           dest);
  host_consent_record(in, dest, 0, "refused (no consent)");
  return BN_EACCES;
}

static const bn_host_api host_table = {
    .struct_size = sizeof(bn_host_api),
    .log = host_log,
    .log_enabled = host_log_enabled,
    .now_mono_ns = host_now_mono,
    .now_wall_ns = host_now_wall,
    .clock_epoch = host_clock_epoch,
    .config = host_config,
    .cfg_get = host_cfg_get,
    .cfg_string = host_cfg_string,
    .cfg_int = host_cfg_int,
    .cfg_double = host_cfg_double,
    .cfg_bool = host_cfg_bool,
    .cfg_duration = host_cfg_duration,
    .cfg_len = host_cfg_len,
    .cfg_at = host_cfg_at,
    .cfg_scalar = host_cfg_scalar,
    .cfg_error = host_cfg_error,
    .targets = host_targets,
    .emit_sample = host_emit_sample,
    .emit_paths = host_emit_paths,
    .emit_event = host_emit_event,
    .timer_start = host_timer_start,
    .timer_again = loop_timer_again,
    .timer_free = loop_timer_free,
    .watch_start = host_watch_start,
    .watch_update = loop_watch_update,
    .watch_free = loop_watch_free,
    .run_info = host_run_info,
    .series_each = host_series_each,
    .samples_each = host_samples_each,
    .events_each = host_events_each,
    .instance_name = host_instance_name,
    .output_open = host_output_open,
    .output_file = output_file,
    .output_close = host_output_close,
    .resolve = host_resolve,
    .resolve_cancel = resolve_cancel,
    .speedtest_progress = host_speedtest_progress,
    .cfg_fill = host_cfg_fill,
    .cfg_size = host_cfg_size,
    .cfg_rate = host_cfg_rate,
    .metric_info = host_metric_info,
    .emit_episode = host_emit_episode,
    .baseline_put = host_baseline_put,
    .baselines_each = host_baselines_each,
    .consent = host_consent,
};

void host_fanout_speedtest(host_core *core, const char *provider,
                           const bn_speedtest_result *r)
{
  size_t i;

  for (i = 0; i < core->n_inst; i++) {
    host_instance *in = &core->inst[i];
    const bn_exporter_ops *ex = host_exporter_ops(in);

    if (in->initialised && HOST_HAS(ex, on_speedtest)) {
      bn_speedtest_result red;
      void *mem = NULL;

      ex->on_speedtest(in->ctx, provider,
                       host_redact_speedtest(in, r, &red, &mem));
      host_redact_done(&mem);
    }
  }
}

const bn_host_api *host_api(void)
{
  return &host_table;
}

void host_instance_setup(host_instance *in, host_core *core,
                         const loader_plugin *plugin,
                         const profile_plugin *entry)
{
  memset(in, 0, sizeof(*in));
  in->pub.api = &host_table;
  in->core = core;
  in->plugin = plugin;
  in->entry = entry;
  snprintf(in->prefix, sizeof(in->prefix), "%s:%s:%s",
           loader_kind_name(plugin->desc.kind), plugin->desc.name,
           entry ? entry->name : plugin->desc.name);
  loop_owner_init(&in->owner, core->uv, in->prefix);
}

int host_instance_init(host_instance *in)
{
  int rc;

  /* What the probe measures goes into the history first, so that reports
   * find its series by role even if the run is killed. */
  if (in->core->st && in->plugin->desc.kind == BN_KIND_PROBE &&
      store_declare_metrics(in->core->st, host_instance_name(&in->pub),
                            in->plugin->desc.metrics) < 0)
    log_warn(in->prefix, "cannot record the plugin's metrics in the history; "
                         "its series may be missing from reports");
  if (host_redact_setup(in) < 0) {
    log_error(in->prefix, "out of memory for its redaction table");
    return BN_ENOMEM;
  }
  rc = in->plugin->desc.init(&in->pub, &in->ctx);
  if (rc == BN_EACCES) {
    /* refused consent (host_consent logged it): the run goes on without */
    loop_owner_close_all(&in->owner);
    return BN_OK;
  }
  if (rc != BN_OK) {
    log_error(in->prefix, "plugin failed to start (status %d); see above", rc);
    loop_owner_close_all(&in->owner);
    return rc < 0 ? rc : BN_ERR;
  }
  in->initialised = 1;
  return BN_OK;
}

void host_instance_destroy(host_instance *in)
{
  if (in->initialised && in->plugin->desc.destroy)
    in->plugin->desc.destroy(in->ctx);
  in->initialised = 0;
  in->ctx = NULL;
  host_redact_free(in);
  if (in->core->uv)
    loop_owner_close_all(&in->owner);
}

int host_check_profile(const profile *p, const loader *ld)
{
  host_core core;
  host_instance in;
  size_t i;
  int rc = BN_OK;

  memset(&core, 0, sizeof(core));
  clock_init(&core.clock, NULL);
  for (i = 0; i < p->n_plugins; i++) {
    const loader_plugin *lp =
        loader_find_kind(ld, p->plugins[i].kind, p->plugins[i].plugin);

    /* options the table refused were reported already */
    if (!lp || !lp->desc.check || p->plugins[i].options_bad)
      continue;
    host_instance_setup(&in, &core, lp, &p->plugins[i]);
    if (lp->desc.check(&in.pub) != BN_OK)
      rc = BN_EINVAL;
  }
  return rc;
}

static const void *host_ops_of(const host_instance *in, bn_kind kind)
{
  if (in->plugin->desc.kind != kind)
    return NULL;
  return in->plugin->desc.ops;
}

const bn_probe_ops *host_probe_ops(const host_instance *in)
{
  return host_ops_of(in, BN_KIND_PROBE);
}

const bn_reporter_ops *host_reporter_ops(const host_instance *in)
{
  return host_ops_of(in, BN_KIND_REPORTER);
}

const bn_anomaly_ops *host_anomaly_ops(const host_instance *in)
{
  return host_ops_of(in, BN_KIND_ANOMALY);
}

const bn_exporter_ops *host_exporter_ops(const host_instance *in)
{
  return host_ops_of(in, BN_KIND_EXPORTER);
}

const bn_speedtest_ops *host_speedtest_ops(const host_instance *in)
{
  return host_ops_of(in, BN_KIND_SPEEDTEST);
}
