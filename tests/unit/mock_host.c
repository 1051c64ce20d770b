/*
 * mock_host.c - the mock bn_host_api of the plugin unit tests (see
 * mock_host.h).  It stands in for core/host/host.c, core/config/conf.c and the
 * libuv loop, so that plugin tests need none of the core.
 */
#include "mock_host.h"
#include "output.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The mock's own configuration node: the SDK only declares the type. */
struct bn_node {
  int is_map;
  char *key;
  char *value;
  const char *file;
  int line, col;
  struct bn_node **items;
  size_t n_items;
};

struct bn_timer {
  mock_host *m;
  int64_t after_ns, repeat_ns;
  int64_t due_ns;
  int armed, dead;
  bn_timer_fn fn;
  void *arg;
  struct bn_timer *next;
};

struct bn_watch {
  mock_host *m;
  int fd;
  int events;
  int dead;
  bn_watch_fn fn;
  void *arg;
  struct bn_watch *next;
};

/* A resolution done at resolve() time, delivered by the loop. */
struct bn_resolve {
  mock_host *m;
  int dead; /* delivered or cancelled: reaped by the loop */
  int status;
  struct sockaddr_storage addr;
  size_t addrlen;
  char error[128];
  bn_resolve_fn fn;
  void *arg;
  struct bn_resolve *next;
};

static const char mock_file[] = "mock.yaml";

static mock_host *mock_of(bn_host *h)
{
  /* base is the first member, as in the real host. */
  return (mock_host *)h;
}

static int64_t mock_mono(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---------------------------------------------------------------- */
/* Nodes                                                             */
/* ---------------------------------------------------------------- */

static bn_node *mock_node_new(int is_map, const char *key, const char *value,
                              int line, int col)
{
  bn_node *n = calloc(1, sizeof(*n));

  if (!n)
    return NULL;
  n->is_map = is_map;
  n->file = mock_file;
  n->line = line;
  n->col = col;
  n->key = key ? strdup(key) : NULL;
  n->value = value ? strdup(value) : NULL;
  if ((key && !n->key) || (value && !n->value)) {
    free(n->key);
    free(n->value);
    free(n);
    return NULL;
  }
  return n;
}

static void mock_node_free(bn_node *n)
{
  size_t i;

  if (!n)
    return;
  for (i = 0; i < n->n_items; i++)
    mock_node_free(n->items[i]);
  free(n->items);
  free(n->key);
  free(n->value);
  free(n);
}

static int mock_node_add(bn_node *map, const char *key, const char *value,
                         int line, int col)
{
  bn_node **items;
  bn_node *child;

  items = realloc(map->items, (map->n_items + 1) * sizeof(*items));
  if (!items)
    return BN_ENOMEM;
  map->items = items;
  child = mock_node_new(0, key, value, line, col);
  if (!child)
    return BN_ENOMEM;
  map->items[map->n_items++] = child;
  return 0;
}

static const bn_node *mock_cfg_get(const bn_node *map, const char *key)
{
  size_t i;

  if (!map || !map->is_map)
    return NULL;
  for (i = 0; i < map->n_items; i++)
    if (strcmp(map->items[i]->key, key) == 0)
      return map->items[i];
  return NULL;
}

/* ---------------------------------------------------------------- */
/* Logging                                                           */
/* ---------------------------------------------------------------- */

static void mock_vrecord(mock_host *m, bn_log_level level, const char *fmt,
                         va_list ap)
{
  mock_log_line *l;

  if (m->n_logs >= MOCK_MAX)
    return;
  l = &m->logs[m->n_logs++];
  l->level = level;
  vsnprintf(l->text, sizeof(l->text), fmt, ap);
  if (getenv("MOCK_VERBOSE"))
    fprintf(stderr, "mock log %d: %s\n", (int)level, l->text);
}

static void mock_log(bn_host *h, bn_log_level level, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  mock_vrecord(mock_of(h), level, fmt, ap);
  va_end(ap);
}

static int mock_log_enabled(bn_host *h, bn_log_level level)
{
  return 1;
}

size_t mock_log_count(const mock_host *m, bn_log_level level,
                      const char *needle)
{
  size_t i, n = 0;

  for (i = 0; i < m->n_logs; i++)
    if (m->logs[i].level == level && strstr(m->logs[i].text, needle))
      n++;
  return n;
}

/* ---------------------------------------------------------------- */
/* Clocks                                                            */
/* ---------------------------------------------------------------- */

static int64_t mock_now_mono_ns(bn_host *h)
{
  return mock_mono();
}

static int64_t mock_now_wall_ns(bn_host *h)
{
  struct timespec ts;

  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t mock_clock_epoch(bn_host *h)
{
  mock_host *m = mock_of(h);
  size_t i;

  if (m->n_epoch_script == 0)
    return m->epoch;
  i = m->epoch_calls++;
  if (i >= m->n_epoch_script)
    i = m->n_epoch_script - 1;
  return m->epoch_script[i];
}

/* ---------------------------------------------------------------- */
/* Configuration                                                     */
/* ---------------------------------------------------------------- */

static const bn_node *mock_config(bn_host *h)
{
  return mock_of(h)->config;
}

static int mock_cfg_error(bn_host *h, const bn_node *node, const char *fmt,
                          ...)
{
  char msg[400];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (node)
    mock_log(h, BN_LOG_ERROR, "%s:%d:%d: %s", node->file, node->line,
             node->col, msg);
  else
    mock_log(h, BN_LOG_ERROR, "%s", msg);
  return BN_EINVAL;
}

static int mock_cfg_string(bn_host *h, const bn_node *map, const char *key,
                           const char **out)
{
  const bn_node *n = mock_cfg_get(map, key);

  if (!n || !n->value)
    return BN_ENOENT;
  *out = n->value;
  return 0;
}

static int mock_cfg_double(bn_host *h, const bn_node *map, const char *key,
                           double *out)
{
  const bn_node *n = mock_cfg_get(map, key);
  char *end;
  double v;

  if (!n || !n->value)
    return BN_ENOENT;
  errno = 0;
  v = strtod(n->value, &end);
  if (errno || end == n->value || *end)
    return mock_cfg_error(h, n, "'%s': not a number: %s", key, n->value);
  *out = v;
  return 0;
}

static int mock_cfg_int(bn_host *h, const bn_node *map, const char *key,
                        int64_t *out)
{
  const bn_node *n = mock_cfg_get(map, key);
  char *end;
  long long v;

  if (!n || !n->value)
    return BN_ENOENT;
  errno = 0;
  v = strtoll(n->value, &end, 10);
  if (errno || end == n->value || *end)
    return mock_cfg_error(h, n, "'%s': not an integer: %s", key, n->value);
  *out = v;
  return 0;
}

static int mock_cfg_bool(bn_host *h, const bn_node *map, const char *key,
                         int *out)
{
  static const char *const yes[] = {"true", "yes", "on", NULL};
  static const char *const no[] = {"false", "no", "off", NULL};
  const bn_node *n = mock_cfg_get(map, key);
  size_t i;

  if (!n || !n->value)
    return BN_ENOENT;
  for (i = 0; yes[i]; i++) {
    if (strcmp(n->value, yes[i]) == 0) {
      *out = 1;
      return 0;
    }
    if (strcmp(n->value, no[i]) == 0) {
      *out = 0;
      return 0;
    }
  }
  return mock_cfg_error(h, n, "'%s': not a boolean: %s", key, n->value);
}

/* "250ms", "1.5s", "2m" or plain seconds. */
static int mock_parse_duration(const char *text, int64_t *out_ns)
{
  static const struct {
    const char *unit;
    double ns;
  } units[] = {{"", 1e9},  {"ns", 1},   {"us", 1e3},  {"ms", 1e6},
               {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
  char *end;
  double v;
  size_t i;

  errno = 0;
  v = strtod(text, &end);
  if (errno || end == text || v < 0)
    return BN_EINVAL;
  for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
    if (strcmp(end, units[i].unit) == 0) {
      *out_ns = (int64_t)llround(v * units[i].ns);
      return 0;
    }
  }
  return BN_EINVAL;
}

/* Bytes: SI k M G T (powers of 1000), IEC Ki Mi Gi Ti (powers of 1024),
 * an optional trailing "B", as the host's BN_OPT_SIZE. */
static int mock_parse_size(const char *text, uint64_t *out)
{
  static const struct {
    const char *unit;
    double mult;
  } units[] = {{"", 1},
               {"k", 1e3},
               {"K", 1e3},
               {"M", 1e6},
               {"G", 1e9},
               {"T", 1e12},
               {"Ki", 1024.0},
               {"Mi", 1048576.0},
               {"Gi", 1073741824.0},
               {"Ti", 1099511627776.0}};
  char unit[8];
  char *end;
  double v;
  size_t i, len;

  errno = 0;
  v = strtod(text, &end);
  if (errno || end == text || v < 0)
    return BN_EINVAL;
  len = strlen(end);
  if (len > 0 && end[len - 1] == 'B')
    len--;
  if (len >= sizeof(unit))
    return BN_EINVAL;
  memcpy(unit, end, len);
  unit[len] = '\0';
  for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
    if (strcmp(unit, units[i].unit) == 0) {
      *out = (uint64_t)llround(v * units[i].mult);
      return 0;
    }
  }
  return BN_EINVAL;
}

/* Bits per second, SI only: "200M", "1.5Gbit", "10Mbit/s". */
static int mock_parse_rate(const char *text, double *out)
{
  static const struct {
    const char *unit;
    double mult;
  } units[] = {{"", 1},    {"k", 1e3}, {"K", 1e3},
               {"M", 1e6}, {"G", 1e9}, {"T", 1e12}};
  char unit[16];
  char *end;
  double v;
  size_t i, len;

  errno = 0;
  v = strtod(text, &end);
  if (errno || end == text || v < 0)
    return BN_EINVAL;
  snprintf(unit, sizeof(unit), "%s", end);
  len = strlen(unit);
  if (len >= 2 && strcmp(unit + len - 2, "/s") == 0)
    unit[len -= 2] = '\0';
  if (len >= 3 && strcmp(unit + len - 3, "bit") == 0)
    unit[len -= 3] = '\0';
  for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
    if (strcmp(unit, units[i].unit) == 0) {
      *out = v * units[i].mult;
      return 0;
    }
  }
  return BN_EINVAL;
}

static int mock_cfg_duration(bn_host *h, const bn_node *map, const char *key,
                             int64_t *out_ns)
{
  const bn_node *n = mock_cfg_get(map, key);

  if (!n || !n->value)
    return BN_ENOENT;
  if (mock_parse_duration(n->value, out_ns) < 0)
    return mock_cfg_error(h, n, "'%s': not a duration: %s", key, n->value);
  return 0;
}

static int mock_cfg_size(bn_host *h, const bn_node *map, const char *key,
                         uint64_t *out)
{
  const bn_node *n = mock_cfg_get(map, key);

  if (!n || !n->value)
    return BN_ENOENT;
  if (mock_parse_size(n->value, out) < 0)
    return mock_cfg_error(h, n, "'%s': not a size: %s", key, n->value);
  return 0;
}

static int mock_cfg_rate(bn_host *h, const bn_node *map, const char *key,
                         double *out_bps)
{
  const bn_node *n = mock_cfg_get(map, key);

  if (!n || !n->value)
    return BN_ENOENT;
  if (mock_parse_rate(n->value, out_bps) < 0)
    return mock_cfg_error(h, n, "'%s': not a rate: %s", key, n->value);
  return 0;
}

/* The C size a field of option type `type` must have (0: any of the
 * sizes mock_fill_int accepts). */
static size_t mock_field_size(bn_opt_type type)
{
  switch (type) {
  case BN_OPT_STRING:
    return sizeof(const char *);
  case BN_OPT_DOUBLE:
  case BN_OPT_RATE:
    return sizeof(double);
  case BN_OPT_BOOL:
    return sizeof(int);
  case BN_OPT_DURATION:
    return sizeof(int64_t);
  case BN_OPT_SIZE:
    return sizeof(uint64_t);
  case BN_OPT_LIST:
  case BN_OPT_MAP:
    return sizeof(const bn_node *);
  default:
    return 0;
  }
}

/* Bounds as the host checks them: unused when min >= max. */
static int mock_in_bounds(const bn_option *o, double v)
{
  return o->min >= o->max || (v >= o->min && v <= o->max);
}

/* One option's value into its field (validated like the host does). */
static int mock_fill_one(bn_host *h, const bn_option *o, const bn_node *n,
                         char *field)
{
  int64_t i64 = 0;
  uint64_t u64 = 0;
  double d = 0;
  int b = 0, rc = 0;

  switch (o->type) {
  case BN_OPT_STRING:
    memcpy(field, &n->value, sizeof(n->value));
    return 0;
  case BN_OPT_LIST:
  case BN_OPT_MAP:
    memcpy(field, &n, sizeof(n));
    return 0;
  case BN_OPT_INT:
    rc = mock_cfg_int(h, mock_of(h)->config, o->name, &i64);
    d = (double)i64;
    break;
  case BN_OPT_DOUBLE:
    rc = mock_cfg_double(h, mock_of(h)->config, o->name, &d);
    break;
  case BN_OPT_BOOL:
    rc = mock_cfg_bool(h, mock_of(h)->config, o->name, &b);
    break;
  case BN_OPT_DURATION:
    rc = mock_cfg_duration(h, mock_of(h)->config, o->name, &i64);
    d = (double)i64 / 1e9;
    break;
  case BN_OPT_SIZE:
    rc = mock_cfg_size(h, mock_of(h)->config, o->name, &u64);
    d = (double)u64;
    break;
  case BN_OPT_RATE:
    rc = mock_cfg_rate(h, mock_of(h)->config, o->name, &d);
    break;
  default:
    return 0;
  }
  if (rc < 0)
    return rc;
  if (o->type != BN_OPT_BOOL && !mock_in_bounds(o, d))
    return mock_cfg_error(h, n, "'%s': %s is out of range (%g..%g)", o->name,
                          n->value, o->min, o->max);
  if (o->type == BN_OPT_INT && o->field_size == sizeof(int)) {
    int v = (int)i64;

    memcpy(field, &v, sizeof(v));
  } else if (o->type == BN_OPT_INT || o->type == BN_OPT_DURATION) {
    memcpy(field, &i64, sizeof(i64));
  } else if (o->type == BN_OPT_SIZE) {
    memcpy(field, &u64, sizeof(u64));
  } else if (o->type == BN_OPT_BOOL) {
    memcpy(field, &b, sizeof(b));
  } else {
    memcpy(field, &d, sizeof(d));
  }
  return 0;
}

/* cfg_fill: every option with a field gets its value or its default
 * (the config map already holds the defaults, as in the host). */
static int mock_cfg_fill(bn_host *h, void *cfg)
{
  mock_host *m = mock_of(h);
  const bn_option *o;
  int first = 0;

  /* Every bad value is reported, the first error returned (the host
   * validates the whole table before init, too). */
  for (o = m->plugin ? m->plugin->options : NULL; o && o->name; o++) {
    const bn_node *n;
    size_t want = mock_field_size(o->type);
    int rc;

    if (o->field_size == 0)
      continue;
    if (want ? o->field_size != want
             : (o->type == BN_OPT_INT && o->field_size != sizeof(int) &&
                o->field_size != sizeof(int64_t))) {
      mock_log(h, BN_LOG_ERROR,
               "option '%s': field of %zu bytes does not fit its type",
               o->name, o->field_size);
      return BN_EINVAL;
    }
    n = mock_cfg_get(m->config, o->name);
    if (!n)
      continue;
    rc = mock_fill_one(h, o, n, (char *)cfg + o->offset);
    if (rc < 0 && first == 0)
      first = rc;
  }
  return first;
}

static const bn_metric *mock_metric_info(bn_host *h, const char *probe,
                                         const char *metric)
{
  const bn_plugin *p = mock_of(h)->plugin;
  const bn_metric *mt;

  for (mt = p ? p->metrics : NULL; mt && mt->name; mt++)
    if (strcmp(mt->name, metric) == 0)
      return mt;
  return NULL;
}

static size_t mock_cfg_len(const bn_node *list)
{
  return 0;
}

static const bn_node *mock_cfg_at(const bn_node *list, size_t i)
{
  return NULL;
}

static const char *mock_cfg_scalar(const bn_node *node)
{
  return node && !node->is_map ? node->value : NULL;
}

static const bn_target *mock_targets(bn_host *h, size_t *n)
{
  mock_host *m = mock_of(h);

  *n = m->n_targets;
  return m->targets;
}

static const char *mock_instance_name(bn_host *h)
{
  return mock_of(h)->instance;
}

/* ---------------------------------------------------------------- */
/* Emitting                                                          */
/* ---------------------------------------------------------------- */

static int mock_emit_sample(bn_host *h, const bn_sample *s)
{
  mock_host *m = mock_of(h);
  mock_sample *r;

  if (s->struct_size < sizeof(bn_sample)) {
    mock_log(h, BN_LOG_ERROR, "sample of struct_size %u", s->struct_size);
    return BN_EINVAL;
  }
  /* As the host: a probe emits only the metrics it declares. */
  if (m->plugin && m->plugin->kind == BN_KIND_PROBE &&
      !mock_metric_info(h, NULL, s->metric)) {
    mock_log(h, BN_LOG_ERROR, "metric '%s' is not declared by plugin '%s'",
             s->metric, m->plugin->name);
    return BN_EINVAL;
  }
  /* A lost sample's value is BN_NOT_MEASURED. */
  if ((s->flags & BN_SAMPLE_LOST) && bn_measured(s->value)) {
    mock_log(h, BN_LOG_ERROR, "lost sample of '%s' with value %g", s->metric,
             s->value);
    return BN_EINVAL;
  }
  if (m->n_samples >= MOCK_MAX)
    return BN_ENOMEM;
  r = &m->samples[m->n_samples++];
  snprintf(r->target, sizeof(r->target), "%s", s->target);
  snprintf(r->metric, sizeof(r->metric), "%s", s->metric);
  r->value = s->value;
  r->wall_ns = s->wall_ns;
  r->mono_ns = s->mono_ns;
  r->flags = s->flags;
  return 0;
}

static int mock_emit_paths(bn_host *h, const bn_path_set *p)
{
  if (p->struct_size < sizeof(bn_path_set)) {
    mock_log(h, BN_LOG_ERROR, "path set of struct_size %u", p->struct_size);
    return BN_EINVAL;
  }
  return 0;
}

static int mock_emit_event(bn_host *h, const bn_event *e)
{
  if (e->struct_size < sizeof(bn_event)) {
    mock_log(h, BN_LOG_ERROR, "event of struct_size %u", e->struct_size);
    return BN_EINVAL;
  }
  mock_of(h)->n_events_emitted++;
  return 0;
}

/* ---------------------------------------------------------------- */
/* Timers and watches                                                */
/* ---------------------------------------------------------------- */

static bn_timer *mock_timer_start(bn_host *h, int64_t after_ns,
                                  int64_t repeat_ns, bn_timer_fn fn, void *arg)
{
  mock_host *m = mock_of(h);
  bn_timer *t = calloc(1, sizeof(*t));
  bn_timer **tail;

  if (!t)
    return NULL;
  t->m = m;
  t->after_ns = after_ns;
  t->repeat_ns = repeat_ns;
  t->due_ns = mock_mono() + after_ns;
  t->armed = 1;
  t->fn = fn;
  t->arg = arg;
  for (tail = &m->timers; *tail; tail = &(*tail)->next)
    ;
  *tail = t;
  return t;
}

static int mock_timer_again(bn_timer *t, int64_t after_ns, int64_t repeat_ns)
{
  t->after_ns = after_ns;
  t->repeat_ns = repeat_ns;
  t->due_ns = mock_mono() + after_ns;
  t->armed = 1;
  return 0;
}

static void mock_timer_free(bn_timer *t)
{
  /* Reaped by the loop: the timer may be the one that is firing. */
  if (t)
    t->dead = 1;
}

static bn_watch *mock_watch_start(bn_host *h, int fd, int events,
                                  bn_watch_fn fn, void *arg)
{
  mock_host *m = mock_of(h);
  bn_watch *w = calloc(1, sizeof(*w));
  bn_watch **tail;

  if (!w)
    return NULL;
  w->m = m;
  w->fd = fd;
  w->events = events;
  w->fn = fn;
  w->arg = arg;
  for (tail = &m->watches; *tail; tail = &(*tail)->next)
    ;
  *tail = w;
  return w;
}

static int mock_watch_update(bn_watch *w, int events)
{
  w->events = events;
  return 0;
}

static void mock_watch_free(bn_watch *w)
{
  if (w)
    w->dead = 1;
}

/* As core/runtime/resolve.c: literals are never looked up, names with
 * AI_ADDRCONFIG, the first address that fits is the answer. */
static void mock_resolve_now(bn_resolve *r, const char *host, int family,
                             int socktype)
{
  unsigned char buf[sizeof(struct in6_addr)];
  struct addrinfo hints, *res = NULL, *ai;
  int rc;

  memset(&hints, 0, sizeof(hints));
  hints.ai_family = family;
  hints.ai_socktype = socktype;
  hints.ai_flags =
      inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1
          ? AI_NUMERICHOST
          : AI_ADDRCONFIG;
  rc = getaddrinfo(host, NULL, &hints, &res);
  for (ai = rc == 0 ? res : NULL; ai; ai = ai->ai_next)
    if (ai->ai_addr && ai->ai_addrlen <= sizeof(r->addr))
      break;
  if (ai) {
    memcpy(&r->addr, ai->ai_addr, ai->ai_addrlen);
    r->addrlen = ai->ai_addrlen;
  } else {
    r->status = rc == EAI_MEMORY ? BN_ENOMEM : BN_ENOENT;
    snprintf(r->error, sizeof(r->error), "%s",
             rc != 0 ? gai_strerror(rc) : "no usable address");
  }
  if (res)
    freeaddrinfo(res);
}

static bn_resolve *mock_resolve(bn_host *h, const char *host, int family,
                                int socktype, bn_resolve_fn fn, void *arg)
{
  mock_host *m = mock_of(h);
  bn_resolve *r;
  bn_resolve **tail;

  if (!host || !fn)
    return NULL;
  r = calloc(1, sizeof(*r));
  if (!r)
    return NULL;
  r->m = m;
  r->fn = fn;
  r->arg = arg;
  mock_resolve_now(r, host, family, socktype);
  for (tail = &m->resolves; *tail; tail = &(*tail)->next)
    ;
  *tail = r;
  m->n_resolves++;
  return r;
}

static void mock_resolve_cancel(bn_resolve *r)
{
  if (r)
    r->dead = 1;
}

size_t mock_resolve_count(const mock_host *m)
{
  const bn_resolve *r;
  size_t n = 0;

  for (r = m->resolves; r; r = r->next)
    n += !r->dead;
  return n;
}

size_t mock_timer_count(const mock_host *m)
{
  const bn_timer *t;
  size_t n = 0;

  for (t = m->timers; t; t = t->next)
    n += !t->dead;
  return n;
}

size_t mock_watch_count(const mock_host *m)
{
  const bn_watch *w;
  size_t n = 0;

  for (w = m->watches; w; w = w->next)
    n += !w->dead;
  return n;
}

int mock_timer_times(const mock_host *m, size_t i, int64_t *after_ns,
                     int64_t *repeat_ns)
{
  const bn_timer *t;

  for (t = m->timers; t; t = t->next) {
    if (t->dead)
      continue;
    if (i-- == 0) {
      *after_ns = t->after_ns;
      *repeat_ns = t->repeat_ns;
      return 0;
    }
  }
  return BN_ENOENT;
}

static void mock_reap(mock_host *m)
{
  bn_timer **tp = &m->timers;
  bn_watch **wp = &m->watches;
  bn_resolve **rp = &m->resolves;

  while (*tp) {
    bn_timer *t = *tp;

    if (t->dead) {
      *tp = t->next;
      free(t);
    } else {
      tp = &t->next;
    }
  }
  while (*wp) {
    bn_watch *w = *wp;

    if (w->dead) {
      *wp = w->next;
      free(w);
    } else {
      wp = &w->next;
    }
  }
  while (*rp) {
    bn_resolve *r = *rp;

    if (r->dead) {
      *rp = r->next;
      free(r);
    } else {
      rp = &r->next;
    }
  }
}

/* Deliver the resolutions that were pending when the turn began; those
 * a callback starts wait for the next turn, as in the host. */
static void mock_deliver_resolves(mock_host *m)
{
  bn_resolve *r, *last = m->resolves;

  while (last && last->next)
    last = last->next;
  for (r = m->resolves; r; r = r->next) {
    if (!r->dead) {
      r->dead = 1;
      r->fn(r->status, r->status == 0 ? (struct sockaddr *)&r->addr : NULL,
            r->status == 0 ? r->addrlen : 0, r->status == 0 ? NULL : r->error,
            r->arg);
    }
    if (r == last)
      break;
  }
}

static void mock_fire_timers(mock_host *m)
{
  int64_t now = mock_mono();
  bn_timer *t;

  /* Timers started by a callback are appended and may fire in this
   * pass, as a zero-delay libuv timer would on the next iteration. */
  for (t = m->timers; t; t = t->next) {
    if (t->dead || !t->armed || t->due_ns > now)
      continue;
    if (t->repeat_ns > 0)
      t->due_ns = now + t->repeat_ns;
    else
      t->armed = 0;
    t->fn(t, t->arg);
  }
}

static int mock_wait_ms(const mock_host *m, int64_t deadline)
{
  int64_t now = mock_mono(), until = deadline;
  const bn_timer *t;

  for (t = m->timers; t; t = t->next)
    if (!t->dead && t->armed && t->due_ns < until)
      until = t->due_ns;
  if (until <= now || mock_resolve_count(m) > 0)
    return 0;
  return (int)((until - now + 999999) / 1000000);
}

static void mock_dispatch(bn_watch **ws, const struct pollfd *p, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    int ev = 0;

    if (ws[i]->dead || !p[i].revents)
      continue;
    /* Errors and hang-ups wake both directions, as in libuv. */
    if (p[i].revents & (POLLIN | POLLERR | POLLHUP))
      ev |= BN_WATCH_READ;
    if (p[i].revents & (POLLOUT | POLLERR | POLLHUP))
      ev |= BN_WATCH_WRITE;
    ev &= ws[i]->events;
    if (ev)
      ws[i]->fn(ws[i], ws[i]->fd, ev, ws[i]->arg);
  }
}

static void mock_loop_step(mock_host *m, int64_t deadline)
{
  struct pollfd p[MOCK_MAX];
  bn_watch *ws[MOCK_MAX];
  bn_watch *w;
  size_t n = 0;

  mock_fire_timers(m);
  mock_deliver_resolves(m);
  for (w = m->watches; w && n < MOCK_MAX; w = w->next) {
    if (w->dead)
      continue;
    p[n].fd = w->fd;
    p[n].events = 0;
    if (w->events & BN_WATCH_READ)
      p[n].events |= POLLIN;
    if (w->events & BN_WATCH_WRITE)
      p[n].events |= POLLOUT;
    p[n].revents = 0;
    ws[n++] = w;
  }
  if (poll(p, n, mock_wait_ms(m, deadline)) > 0)
    mock_dispatch(ws, p, n);
  mock_reap(m);
}

void mock_loop_run(mock_host *m, int ms)
{
  int64_t deadline = mock_mono() + (int64_t)ms * 1000000;

  while (mock_mono() < deadline)
    mock_loop_step(m, deadline);
}

size_t mock_loop_run_samples(mock_host *m, size_t n, int max_ms)
{
  int64_t deadline = mock_mono() + (int64_t)max_ms * 1000000;

  while (m->n_samples < n && mock_mono() < deadline)
    mock_loop_step(m, deadline);
  return m->n_samples;
}

size_t mock_loop_run_logs(mock_host *m, size_t n, int max_ms)
{
  int64_t deadline = mock_mono() + (int64_t)max_ms * 1000000;

  while (m->n_logs < n && mock_mono() < deadline)
    mock_loop_step(m, deadline);
  return m->n_logs;
}

/* ---------------------------------------------------------------- */
/* Store views                                                       */
/* ---------------------------------------------------------------- */

static int mock_run_matches(const mock_host *m, int64_t run_id)
{
  return run_id == 0 || run_id == m->run.id;
}

static int mock_run_info(bn_host *h, int64_t run_id, bn_run_info *out)
{
  mock_host *m = mock_of(h);

  if (m->run.id == 0 || !mock_run_matches(m, run_id))
    return BN_ENOENT;
  *out = m->run;
  return 0;
}

static int mock_series_each(bn_host *h, const bn_query *q, bn_series_fn fn,
                            void *arg)
{
  mock_host *m = mock_of(h);
  size_t i;

  m->last_query_run = q->run_id;
  if (!mock_run_matches(m, q->run_id))
    return 0;
  for (i = 0; i < m->n_series; i++)
    if (fn(&m->series[i], arg))
      break;
  return 0;
}

static int mock_samples_each(bn_host *h, const bn_query *q, bn_sample_fn fn,
                             void *arg)
{
  return 0;
}

static int mock_events_each(bn_host *h, const bn_query *q, bn_event_fn fn,
                            void *arg)
{
  mock_host *m = mock_of(h);
  size_t i;

  m->last_query_run = q->run_id;
  if (!mock_run_matches(m, q->run_id))
    return 0;
  for (i = 0; i < m->n_events; i++)
    if (fn(&m->events[i].event, m->events[i].source, arg))
      break;
  return 0;
}

/* ---------------------------------------------------------------- */
/* Set-up                                                            */
/* ---------------------------------------------------------------- */

/* ---------------------------------------------------------------- */
/* Report outputs: the core's own atomic writer (core/host/output.c)      */
/* ---------------------------------------------------------------- */

static int mock_output_open(bn_host *h, const char *path, FILE *std,
                            bn_output **out)
{
  int rc = output_open(path, std, out);

  if (rc != BN_OK)
    mock_log(h, BN_LOG_ERROR, "cannot write report to '%s': %s",
             path && strcmp(path, "-") ? path : "standard output",
             strerror(errno));
  return rc;
}

static int mock_output_close(bn_host *h, bn_output *o, int commit)
{
  char name[4096];
  int rc;

  if (!o)
    return BN_OK;
  snprintf(name, sizeof(name), "%s", output_name(o));
  rc = output_close(o, commit);
  if (rc != BN_OK)
    mock_log(h, BN_LOG_ERROR, "cannot write report to '%s': %s", name,
             strerror(errno));
  return rc;
}

static const bn_host_api mock_api = {
    .struct_size = sizeof(bn_host_api),
    .log = mock_log,
    .log_enabled = mock_log_enabled,
    .now_mono_ns = mock_now_mono_ns,
    .now_wall_ns = mock_now_wall_ns,
    .clock_epoch = mock_clock_epoch,
    .config = mock_config,
    .cfg_get = mock_cfg_get,
    .cfg_string = mock_cfg_string,
    .cfg_int = mock_cfg_int,
    .cfg_double = mock_cfg_double,
    .cfg_bool = mock_cfg_bool,
    .cfg_duration = mock_cfg_duration,
    .cfg_len = mock_cfg_len,
    .cfg_at = mock_cfg_at,
    .cfg_scalar = mock_cfg_scalar,
    .cfg_error = mock_cfg_error,
    .targets = mock_targets,
    .emit_sample = mock_emit_sample,
    .emit_paths = mock_emit_paths,
    .emit_event = mock_emit_event,
    .timer_start = mock_timer_start,
    .timer_again = mock_timer_again,
    .timer_free = mock_timer_free,
    .watch_start = mock_watch_start,
    .watch_update = mock_watch_update,
    .watch_free = mock_watch_free,
    .run_info = mock_run_info,
    .series_each = mock_series_each,
    .samples_each = mock_samples_each,
    .events_each = mock_events_each,
    .instance_name = mock_instance_name,
    .output_open = mock_output_open,
    .output_file = output_file,
    .output_close = mock_output_close,
    .resolve = mock_resolve,
    .resolve_cancel = mock_resolve_cancel,
    .cfg_fill = mock_cfg_fill,
    .cfg_size = mock_cfg_size,
    .cfg_rate = mock_cfg_rate,
    .metric_info = mock_metric_info,
};

/* Parse "k=v;k=v" (or newlines) into the config map. */
static int mock_parse_conf(bn_node *map, const char *conf)
{
  const char *p = conf;
  int line = 1;

  while (p && *p) {
    size_t len = strcspn(p, ";\n");
    const char *eq = memchr(p, '=', len);
    char key[64], value[256];
    size_t klen;
    int rc;

    if (len > 0) {
      klen = eq ? (size_t)(eq - p) : len;
      if (!eq || klen >= sizeof(key) || len - klen - 1 >= sizeof(value))
        return BN_EINVAL;
      memcpy(key, p, klen);
      key[klen] = '\0';
      memcpy(value, eq + 1, len - klen - 1);
      value[len - klen - 1] = '\0';
      rc = mock_node_add(map, key, value, line++, 3);
      if (rc < 0)
        return rc;
    }
    p += len;
    if (*p)
      p++;
  }
  return 0;
}

int mock_host_init(mock_host *m, const bn_plugin *plugin, const char *conf)
{
  const bn_option *o;
  int rc, line = 100;

  memset(m, 0, sizeof(*m));
  m->base.api = &mock_api;
  m->instance = "mock";
  m->plugin = plugin;
  m->config = mock_node_new(1, NULL, NULL, 1, 1);
  if (!m->config)
    return BN_ENOMEM;
  rc = mock_parse_conf(m->config, conf);
  if (rc < 0)
    return rc;
  /* Defaults, as options_validate() fills them in the real host. */
  for (o = plugin ? plugin->options : NULL; o && o->name; o++) {
    if (o->def && !mock_cfg_get(m->config, o->name)) {
      rc = mock_node_add(m->config, o->name, o->def, line++, 3);
      if (rc < 0)
        return rc;
    }
  }
  return 0;
}

bn_target *mock_add_target(mock_host *m, const char *name, const char *host,
                           int port)
{
  bn_target *t;
  bn_node *node;
  char buf[16];
  int line;

  if (m->n_targets >= MOCK_MAX)
    return NULL;
  line = 10 * (int)(m->n_targets + 1);
  node = mock_node_new(1, NULL, NULL, line, 3);
  if (!node)
    return NULL;
  snprintf(buf, sizeof(buf), "%d", port);
  if (mock_node_add(node, "name", name, line, 5) < 0 ||
      mock_node_add(node, "host", host, line + 1, 5) < 0 ||
      (port && mock_node_add(node, "port", buf, line + 2, 5) < 0)) {
    mock_node_free(node);
    return NULL;
  }
  t = &m->targets[m->n_targets++];
  memset(t, 0, sizeof(*t));
  /* The node owns the strings the target points at. */
  t->name = node->items[0]->value;
  t->host = node->items[1]->value;
  t->port = port;
  t->node = node;
  return t;
}

int mock_target_set(bn_target *t, const char *key, const char *value)
{
  bn_node *node = (bn_node *)t->node;

  /* The target's strings live in the child nodes, which do not move. */
  return mock_node_add(node, key, value, node->line + 3, 5);
}

void mock_host_free(mock_host *m)
{
  bn_timer *t;
  bn_watch *w;
  bn_resolve *r;
  size_t i;

  for (t = m->timers; t; t = t->next)
    t->dead = 1;
  for (w = m->watches; w; w = w->next)
    w->dead = 1;
  for (r = m->resolves; r; r = r->next)
    r->dead = 1;
  mock_reap(m);
  for (i = 0; i < m->n_targets; i++)
    mock_node_free((bn_node *)m->targets[i].node);
  mock_node_free(m->config);
  memset(m, 0, sizeof(*m));
}

char *mock_read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t n = 0, cap = 0, got;

  if (!f)
    return NULL;
  do {
    if (n + 4096 + 1 > cap) {
      char *nb = realloc(buf, cap + 8192);

      if (!nb) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = nb;
      cap += 8192;
    }
    got = fread(buf + n, 1, 4096, f);
    n += got;
  } while (got > 0);
  fclose(f);
  buf[n] = '\0';
  if (len)
    *len = n;
  return buf;
}

int mock_golden_diff(const char *golden_dir, const char *name,
                     const char *actual, size_t len)
{
  char path[1024];
  size_t glen = 0;
  char *golden;
  int differs;
  FILE *f;

  snprintf(path, sizeof(path), "%s/%s", golden_dir, name);
  golden = mock_read_file(path, &glen);
  differs = !golden || glen != len || memcmp(golden, actual, len) != 0;
  free(golden);
  if (!differs)
    return 0;
  snprintf(path, sizeof(path), "%s.actual", name);
  f = fopen(path, "wb");
  if (f) {
    fwrite(actual, 1, len, f);
    fclose(f);
  }
  fprintf(stderr, "golden %s/%s differs: see %s\n", golden_dir, name, path);
  return 1;
}

int mock_loopback_socket(int family, int type, int backlog, int want_port,
                         int *port)
{
  struct sockaddr_storage ss;
  socklen_t len;
  int fd, one = 1;

  memset(&ss, 0, sizeof(ss));
  if (family == AF_INET6) {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

    s6->sin6_family = AF_INET6;
    s6->sin6_addr = in6addr_loopback;
    s6->sin6_port = htons((uint16_t)want_port);
    len = sizeof(*s6);
  } else {
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

    s4->sin_family = AF_INET;
    s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s4->sin_port = htons((uint16_t)want_port);
    len = sizeof(*s4);
  }
  fd = socket(family, type | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
      (type == SOCK_STREAM && listen(fd, backlog) < 0) ||
      getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
    close(fd);
    return -1;
  }
  *port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                   : ((struct sockaddr_in *)&ss)->sin_port);
  return fd;
}
