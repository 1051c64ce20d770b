/*
 * prom_table.c - the prometheus exporter's metric table: loop-side
 * queue, shared state under a mutex, and the /metrics text.  See
 * prom_table.h and docs/exporters.md.
 */
#include "prom_table.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What a series is exported as, chosen from role and unit. */
typedef enum prom_class {
  PROM_LATENCY = 1, /* histogram, last, sent/lost, loss ratio, jitter */
  PROM_LOSS,        /* bottleneck_loss_ratio */
  PROM_JITTER,      /* bottleneck_jitter_seconds */
  PROM_THROUGHPUT,  /* bottleneck_throughput_bytes_per_second */
  PROM_VALUE,       /* bottleneck_metric_value{role,unit} */
} prom_class;

typedef struct prom_series prom_series;
struct prom_series {
  prom_series *next;      /* shared list (or the unpublished list) */
  prom_series *hash_next; /* loop-side hash chain */
  uint64_t hash;
  char *target, *probe, *metric;
  char *labels; /* target="..",probe="..",metric=".." (escaped) */
  size_t labels_len;
  char *role_unit; /* ,role="..",unit=".." for PROM_VALUE */
  prom_class cls;
  double scale;
  /* Under the mutex from here on. */
  uint64_t sent, lost, invalid, received;
  double last;      /* last received value (base unit), NaN: none */
  int last_ok;      /* the last probe was answered */
  double sum;       /* of received values */
  uint64_t *bucket; /* n_buckets counts (not cumulative) */
  double jitter;    /* RFC 3550 estimate, NaN: fewer than two values */
  double prev;      /* previous received value, NaN: none */
  uint8_t *win;     /* loss window: 1 = lost */
  uint32_t win_pos, win_fill, win_lost;
};

/* The hops of one route (target, probe) as the last round saw them. */
typedef struct prom_hop {
  int ttl;
  char *addr; /* escaped label value; "" for no answer, "other" folded */
  uint64_t sent, received;
  double avg, best, worst; /* seconds, NaN: none */
} prom_hop;

typedef struct prom_route prom_route;
struct prom_route {
  prom_route *next;
  char *target, *probe;
  char *labels; /* target="..",probe=".." (escaped) */
  prom_hop *hops;
  size_t n_hops;
  char path_id[17];
  uint64_t rounds;
  int reached;
};

/* A counted key of up to three strings (events, path changes, episodes). */
typedef struct prom_key prom_key;
struct prom_key {
  prom_key *next;
  char *a, *b, *c;
  int sev;
  uint64_t n;
  int open; /* episodes: currently open at severity `sev` */
};

typedef struct prom_speed prom_speed;
struct prom_speed {
  prom_speed *next;
  char *provider;
  uint64_t ok, failed, bytes_down, bytes_up;
  double down, up, idle, loaded_down, loaded_up, jitter, loss; /* base */
  double last_run_s;
};

typedef enum prom_op_kind {
  PROM_OP_SAMPLE = 1,
  PROM_OP_EVENT,
  PROM_OP_ROUTE,
  PROM_OP_SPEED,
} prom_op_kind;

/* One queued event, route or speed test: owned by the op until applied. */
typedef struct prom_ev {
  char *source, *target, *type;
  int sev;
} prom_ev;

typedef struct prom_op {
  prom_op_kind kind;
  void *ptr; /* series, prom_ev, prom_route or prom_speed */
  double v;
  uint32_t flags;
} prom_op;

struct prom_table {
  prom_limits lim;
  char *le[PROM_MAX_BUCKETS + 1]; /* ,le="BOUND"} of each bucket */
  size_t le_len[PROM_MAX_BUCKETS + 1];
  pthread_mutex_t mu;

  /* Loop side only. */
  prom_series **hash;
  size_t hash_size, n_series;
  prom_series *fresh, **fresh_tail; /* not yet published */
  prom_op *q;
  size_t n_q, cap_q;

  /* Counters the loop writes and the renderer reads (atomics). */
  uint64_t n_samples, drop_queue, drop_series, drop_keys;

  /* Under mu. */
  prom_series *series, **series_tail;
  size_t n_published;
  prom_route *routes;
  prom_key *events, *changes, *episodes;
  size_t n_keys;
  prom_speed *speeds;
  uint64_t scrapes;
  double last_scrape_s;
};

static const char *const prom_sev_names[] = {"info", "warning", "critical"};

static const char *prom_sev_name(int s)
{
  return s >= 0 && s <= 2 ? prom_sev_names[s] : "info";
}

void prom_limits_default(prom_limits *l)
{
  static const double b[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                             0.005,  0.01,    0.025,  0.05,  0.1,
                             0.25,   0.5,     1,      2.5,   5};

  memset(l, 0, sizeof(*l));
  memcpy(l->buckets, b, sizeof(b));
  l->n_buckets = sizeof(b) / sizeof(b[0]);
  l->max_series = 100000;
  l->max_pending = 200000;
  l->loss_window = 100;
  l->max_hop_addrs = 4;
  l->max_hops = 64;
  l->max_event_keys = 10000;
}

static void prom_atomic_inc(uint64_t *p)
{
  __atomic_fetch_add(p, 1, __ATOMIC_RELAXED);
}

static uint64_t prom_atomic_get(uint64_t *p)
{
  return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static uint64_t prom_fnv(uint64_t h, const char *s)
{
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ull;
  }
  h ^= 0xff; /* separator, so ("ab","c") != ("a","bc") */
  return h * 1099511628211ull;
}

static char *prom_strdup(const char *s)
{
  return strdup(s ? s : "");
}

/* Labels text: name="escaped value" pairs into a malloc'd string. */
static char *prom_label_text(const char *const *kv, size_t n_pairs)
{
  prom_buf b = {0};

  prom_labels(&b, kv, n_pairs);
  if (b.oom) {
    prom_buf_free(&b);
    return NULL;
  }
  if (!b.p)
    return strdup("");
  return prom_buf_take(&b, NULL);
}

/* The le="..." label of each bucket, written once. */
static int prom_le_texts(prom_table *t)
{
  size_t i;

  for (i = 0; i <= t->lim.n_buckets; i++) {
    prom_buf b = {0};

    prom_puts(&b, ",le=\"");
    if (i < t->lim.n_buckets)
      prom_double(&b, t->lim.buckets[i]);
    else
      prom_puts(&b, "+Inf");
    prom_put(&b, "\"} ", 3);
    if (b.oom) {
      prom_buf_free(&b);
      return -1;
    }
    t->le[i] = prom_buf_take(&b, &t->le_len[i]);
  }
  return 0;
}

prom_table *prom_table_new(const prom_limits *l)
{
  prom_table *t = calloc(1, sizeof(*t));

  if (!t)
    return NULL;
  t->lim = *l;
  if (t->lim.n_buckets > PROM_MAX_BUCKETS)
    t->lim.n_buckets = PROM_MAX_BUCKETS;
  if (!t->lim.loss_window)
    t->lim.loss_window = 1;
  t->hash_size = 1024;
  t->hash = calloc(t->hash_size, sizeof(*t->hash));
  if (!t->hash || pthread_mutex_init(&t->mu, NULL)) {
    free(t->hash);
    free(t);
    return NULL;
  }
  t->fresh_tail = &t->fresh;
  t->series_tail = &t->series;
  if (prom_le_texts(t) < 0) {
    prom_table_free(t);
    return NULL;
  }
  return t;
}

static void prom_series_free(prom_series *s)
{
  free(s->target);
  free(s->probe);
  free(s->metric);
  free(s->labels);
  free(s->role_unit);
  free(s->bucket);
  free(s->win);
  free(s);
}

static void prom_route_free(prom_route *r)
{
  size_t i;

  if (!r)
    return;
  for (i = 0; i < r->n_hops; i++)
    free(r->hops[i].addr);
  free(r->hops);
  free(r->target);
  free(r->probe);
  free(r->labels);
  free(r);
}

static void prom_keys_free(prom_key *k)
{
  while (k) {
    prom_key *n = k->next;

    free(k->a);
    free(k->b);
    free(k->c);
    free(k);
    k = n;
  }
}

static void prom_ev_free(prom_ev *e)
{
  if (!e)
    return;
  free(e->source);
  free(e->target);
  free(e->type);
  free(e);
}

static void prom_speed_free(prom_speed *s)
{
  if (!s)
    return;
  free(s->provider);
  free(s);
}

static void prom_op_free(prom_op *op)
{
  if (op->kind == PROM_OP_EVENT)
    prom_ev_free(op->ptr);
  else if (op->kind == PROM_OP_ROUTE)
    prom_route_free(op->ptr);
  else if (op->kind == PROM_OP_SPEED)
    prom_speed_free(op->ptr);
}

void prom_table_free(prom_table *t)
{
  prom_series *s, *n;
  prom_route *r, *rn;
  prom_speed *sp, *spn;
  size_t i;

  if (!t)
    return;
  for (i = 0; i < t->n_q; i++)
    prom_op_free(&t->q[i]);
  free(t->q);
  for (s = t->series; s; s = n) {
    n = s->next;
    prom_series_free(s);
  }
  for (s = t->fresh; s; s = n) {
    n = s->next;
    prom_series_free(s);
  }
  for (r = t->routes; r; r = rn) {
    rn = r->next;
    prom_route_free(r);
  }
  for (sp = t->speeds; sp; sp = spn) {
    spn = sp->next;
    prom_speed_free(sp);
  }
  prom_keys_free(t->events);
  prom_keys_free(t->changes);
  prom_keys_free(t->episodes);
  free(t->hash);
  for (i = 0; i <= PROM_MAX_BUCKETS; i++)
    free(t->le[i]);
  pthread_mutex_destroy(&t->mu);
  free(t);
}

size_t prom_table_series(const prom_table *t)
{
  return t->n_series;
}

/* ------------------------------------------------------------------ */
/* Loop side: series lookup and the queue                              */
/* ------------------------------------------------------------------ */

static void prom_hash_grow(prom_table *t)
{
  size_t size = t->hash_size * 2, i;
  prom_series **h = calloc(size, sizeof(*h));

  if (!h)
    return; /* longer chains, still correct */
  for (i = 0; i < t->hash_size; i++) {
    prom_series *s = t->hash[i], *n;

    for (; s; s = n) {
      n = s->hash_next;
      s->hash_next = h[s->hash & (size - 1)];
      h[s->hash & (size - 1)] = s;
    }
  }
  free(t->hash);
  t->hash = h;
  t->hash_size = size;
}

/* Class and scale of a metric: by role, if its unit fits the role. */
static prom_class prom_classify(const bn_metric *m, double *scale)
{
  static const struct {
    bn_metric_role role;
    char kind;
    prom_class cls;
  } map[] = {
      {BN_ROLE_LATENCY, 's', PROM_LATENCY},
      {BN_ROLE_LOSS, 'r', PROM_LOSS},
      {BN_ROLE_JITTER, 's', PROM_JITTER},
      {BN_ROLE_THROUGHPUT, 'B', PROM_THROUGHPUT},
  };
  size_t i;

  for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
    if (m->role != map[i].role)
      continue;
    *scale = prom_unit_scale(m->unit, map[i].kind);
    if (*scale > 0)
      return map[i].cls;
  }
  *scale = 1.0;
  return PROM_VALUE;
}

static prom_series *prom_series_new(prom_table *t, const char *target,
                                    const char *probe, const bn_metric *m,
                                    uint64_t hash)
{
  prom_series *s = calloc(1, sizeof(*s));
  const char *kv[6];

  if (!s)
    return NULL;
  s->hash = hash;
  s->target = prom_strdup(target);
  s->probe = prom_strdup(probe);
  s->metric = prom_strdup(m->name);
  s->cls = prom_classify(m, &s->scale);
  kv[0] = "target";
  kv[1] = target;
  kv[2] = "probe";
  kv[3] = probe;
  kv[4] = "metric";
  kv[5] = m->name;
  s->labels = prom_label_text(kv, 3);
  s->labels_len = s->labels ? strlen(s->labels) : 0;
  if (s->cls == PROM_VALUE) {
    prom_buf b = {0};

    prom_puts(&b, ",role=\"");
    prom_label_value(&b, bn_role_name(m->role));
    prom_puts(&b, "\",unit=\"");
    prom_label_value(&b, m->unit);
    prom_putc(&b, '"');
    s->role_unit = b.oom ? NULL : prom_buf_take(&b, NULL);
    if (b.oom)
      prom_buf_free(&b);
  }
  if (s->cls == PROM_LATENCY) {
    s->bucket = calloc(t->lim.n_buckets + 1, sizeof(*s->bucket));
    s->win = calloc(t->lim.loss_window, 1);
  }
  s->last = NAN;
  s->jitter = NAN;
  s->prev = NAN;
  if (!s->target || !s->probe || !s->metric || !s->labels ||
      (s->cls == PROM_VALUE && !s->role_unit) ||
      (s->cls == PROM_LATENCY && (!s->bucket || !s->win))) {
    prom_series_free(s);
    return NULL;
  }
  return s;
}

/* The series of (target, probe, metric), made on first sight (and then
 * waiting in the fresh list until the next drain publishes it). */
static prom_series *prom_series_get(prom_table *t, const char *target,
                                    const char *probe, const bn_metric *m)
{
  uint64_t h = 14695981039346656037ull;
  prom_series *s;

  h = prom_fnv(prom_fnv(prom_fnv(h, target), probe), m->name);
  for (s = t->hash[h & (t->hash_size - 1)]; s; s = s->hash_next)
    if (s->hash == h && !strcmp(s->metric, m->name) &&
        !strcmp(s->target, target) && !strcmp(s->probe, probe))
      return s;
  if (t->n_series >= t->lim.max_series)
    return NULL;
  s = prom_series_new(t, target, probe, m, h);
  if (!s)
    return NULL;
  if (t->n_series >= t->hash_size)
    prom_hash_grow(t);
  s->hash_next = t->hash[h & (t->hash_size - 1)];
  t->hash[h & (t->hash_size - 1)] = s;
  *t->fresh_tail = s;
  t->fresh_tail = &s->next;
  t->n_series++;
  return s;
}

/* Queue one op; on a full queue the op's payload is freed and counted. */
static int prom_push(prom_table *t, prom_op op)
{
  if (t->n_q >= t->lim.max_pending) {
    prom_op_free(&op);
    prom_atomic_inc(&t->drop_queue);
    return BN_EAGAIN;
  }
  if (t->n_q == t->cap_q) {
    size_t cap = t->cap_q ? t->cap_q * 2 : 256;
    prom_op *q;

    if (cap > t->lim.max_pending)
      cap = t->lim.max_pending;
    q = realloc(t->q, cap * sizeof(*q));
    if (!q) {
      prom_op_free(&op);
      prom_atomic_inc(&t->drop_queue);
      return BN_ENOMEM;
    }
    t->q = q;
    t->cap_q = cap;
  }
  t->q[t->n_q++] = op;
  prom_table_drain(t, 0);
  return BN_OK;
}

int prom_table_sample(prom_table *t, const char *probe, const bn_metric *m,
                      const bn_sample *s)
{
  prom_series *se;
  prom_op op = {.kind = PROM_OP_SAMPLE};

  if (!m || !m->name || !s || !s->target || !probe)
    return BN_EINVAL;
  prom_atomic_inc(&t->n_samples);
  se = prom_series_get(t, s->target, probe, m);
  if (!se) {
    prom_atomic_inc(&t->drop_series);
    return BN_ENOMEM;
  }
  op.ptr = se;
  op.v = s->value;
  op.flags = s->flags;
  return prom_push(t, op);
}

/* Host events that are not episodes (docs/exporters.md). */
static int prom_host_event(const char *type)
{
  return !strcmp(type, "path_change") || !strncmp(type, "clock_", 6);
}

int prom_table_event(prom_table *t, const char *source, const bn_event *e)
{
  prom_ev *ev;
  prom_op op = {.kind = PROM_OP_EVENT};

  if (!e || !e->type)
    return BN_EINVAL;
  ev = calloc(1, sizeof(*ev));
  if (!ev)
    return BN_ENOMEM;
  ev->source = prom_strdup(source);
  ev->target = prom_strdup(e->target);
  ev->type = prom_strdup(e->type);
  ev->sev = e->severity;
  if (!ev->source || !ev->target || !ev->type) {
    prom_ev_free(ev);
    return BN_ENOMEM;
  }
  op.ptr = ev;
  return prom_push(t, op);
}

/* Add one path's hops into the route's per-(ttl, addr) table. */
static int prom_route_add(prom_table *t, prom_route *r, const bn_path *p)
{
  const unsigned char *hp = (const unsigned char *)p->hops;
  size_t stride = p->n_hops ? ((const bn_hop *)hp)->struct_size : 0;
  size_t i, j;

  if (p->n_hops && stride < offsetof(bn_hop, stddev_ms))
    return BN_EINVAL;
  for (i = 0; i < p->n_hops; i++) {
    const bn_hop *h = (const bn_hop *)(hp + i * stride);
    const char *addr = h->addr ? h->addr : "";
    size_t same = 0, at = r->n_hops;
    prom_hop *o;

    if (h->ttl < 1 || (uint32_t)h->ttl > t->lim.max_hops)
      continue;
    for (j = 0; j < r->n_hops; j++) {
      if (r->hops[j].ttl != h->ttl)
        continue;
      same++;
      if (!strcmp(r->hops[j].addr, addr))
        at = j;
    }
    if (at == r->n_hops && same >= t->lim.max_hop_addrs) {
      for (j = 0; j < r->n_hops; j++)
        if (r->hops[j].ttl == h->ttl && !strcmp(r->hops[j].addr, "other"))
          at = j;
      addr = "other";
    }
    if (at == r->n_hops) {
      prom_hop *nh = realloc(r->hops, (r->n_hops + 1) * sizeof(*nh));

      if (!nh)
        return BN_ENOMEM;
      r->hops = nh;
      o = &nh[r->n_hops];
      memset(o, 0, sizeof(*o));
      o->ttl = h->ttl;
      o->addr = prom_strdup(addr);
      o->avg = o->best = o->worst = NAN;
      if (!o->addr)
        return BN_ENOMEM;
      r->n_hops++;
    }
    o = &r->hops[at];
    if (bn_measured(h->avg_ms) && h->received) {
      double avg = h->avg_ms * 1e-3;

      o->avg =
          isnan(o->avg)
              ? avg
              : (o->avg * (double)o->received + avg * (double)h->received) /
                    (double)(o->received + h->received);
      if (bn_measured(h->best_ms) &&
          (isnan(o->best) || h->best_ms * 1e-3 < o->best))
        o->best = h->best_ms * 1e-3;
      if (bn_measured(h->worst_ms) &&
          (isnan(o->worst) || h->worst_ms * 1e-3 > o->worst))
        o->worst = h->worst_ms * 1e-3;
    }
    o->sent += h->sent;
    o->received += h->received;
  }
  return BN_OK;
}

static int prom_hop_cmp(const void *a, const void *b)
{
  const prom_hop *x = a, *y = b;

  if (x->ttl != y->ttl)
    return x->ttl < y->ttl ? -1 : 1;
  return strcmp(x->addr, y->addr);
}

int prom_table_paths(prom_table *t, const char *probe, const bn_path_set *ps)
{
  const unsigned char *pp;
  prom_route *r;
  prom_op op = {.kind = PROM_OP_ROUTE};
  uint64_t id = 14695981039346656037ull;
  const char *kv[4];
  size_t i, stride;
  int rc = BN_OK;

  if (!ps || !ps->target || (ps->n_paths && !ps->paths))
    return BN_EINVAL;
  r = calloc(1, sizeof(*r));
  if (!r)
    return BN_ENOMEM;
  r->target = prom_strdup(ps->target);
  r->probe = prom_strdup(probe);
  kv[0] = "target";
  kv[1] = ps->target;
  kv[2] = "probe";
  kv[3] = probe;
  r->labels = prom_label_text(kv, 2);
  if (!r->target || !r->probe || !r->labels) {
    prom_route_free(r);
    return BN_ENOMEM;
  }
  pp = (const unsigned char *)ps->paths;
  stride = ps->n_paths ? ps->paths->struct_size : 0;
  for (i = 0; i < ps->n_paths && rc == BN_OK; i++) {
    const bn_path *p = (const bn_path *)(pp + i * stride);

    rc = prom_route_add(t, r, p);
    if (p->status == BN_PATH_REACHED)
      r->reached = 1;
  }
  if (rc != BN_OK) {
    prom_route_free(r);
    return rc;
  }
  qsort(r->hops, r->n_hops, sizeof(*r->hops), prom_hop_cmp);
  /* Path id: the responding addresses by ttl, over all flows. */
  for (i = 0; i < r->n_hops; i++) {
    char ttl[8];

    snprintf(ttl, sizeof(ttl), "%d", r->hops[i].ttl);
    id = prom_fnv(prom_fnv(id, ttl), r->hops[i].addr);
  }
  snprintf(r->path_id, sizeof(r->path_id), "%016llx", (unsigned long long)id);
  op.ptr = r;
  return prom_push(t, op);
}

int prom_table_speedtest(prom_table *t, const char *provider,
                         const bn_speedtest_result *r)
{
  prom_speed *s;
  prom_op op = {.kind = PROM_OP_SPEED};

  if (!r || r->struct_size < offsetof(bn_speedtest_result, error))
    return BN_EINVAL;
  s = calloc(1, sizeof(*s));
  if (!s)
    return BN_ENOMEM;
  s->provider = prom_strdup(provider);
  if (!s->provider) {
    free(s);
    return BN_ENOMEM;
  }
  s->ok = r->status == 0;
  s->failed = r->status != 0;
  s->bytes_down = r->bytes_down;
  s->bytes_up = r->bytes_up;
  s->down = r->download_bps / 8;
  s->up = r->upload_bps / 8;
  s->idle = r->latency_ms * 1e-3;
  s->loaded_down = r->loaded_down_ms * 1e-3;
  s->loaded_up = r->loaded_up_ms * 1e-3;
  s->jitter = r->jitter_ms * 1e-3;
  s->loss = r->loss_pct / 100;
  {
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    s->last_run_s = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
  }
  op.ptr = s;
  return prom_push(t, op);
}

/* ------------------------------------------------------------------ */
/* Applying the queue (under the mutex)                                */
/* ------------------------------------------------------------------ */

static void prom_apply_latency(prom_table *t, prom_series *s, double v,
                               uint32_t flags)
{
  int lost = (flags & (BN_SAMPLE_LOST | BN_SAMPLE_ERROR)) || !bn_measured(v);
  size_t i;

  s->sent++;
  if (s->win_fill == t->lim.loss_window)
    s->win_lost -= s->win[s->win_pos];
  else
    s->win_fill++;
  s->win[s->win_pos] = (uint8_t)lost;
  s->win_lost += (uint32_t)lost;
  s->win_pos = (s->win_pos + 1) % t->lim.loss_window;
  s->last_ok = !lost;
  if (lost) {
    s->lost++;
    return;
  }
  v *= s->scale;
  s->received++;
  s->sum += v;
  s->last = v;
  for (i = 0; i < t->lim.n_buckets && v > t->lim.buckets[i]; i++)
    ;
  s->bucket[i]++;
  if (!isnan(s->prev)) {
    double d = fabs(v - s->prev);

    /* RFC 3550 section 6.4.1: J += (|D| - J) / 16. */
    s->jitter = isnan(s->jitter) ? d : s->jitter + (d - s->jitter) / 16;
  }
  s->prev = v;
}

static void prom_apply_sample(prom_table *t, prom_op *op)
{
  prom_series *s = op->ptr;

  if (op->flags & BN_SAMPLE_INVALID) {
    s->invalid++;
    return;
  }
  /* Late and duplicate answers are not probes (as in the store). */
  if (op->flags & (BN_SAMPLE_LATE | BN_SAMPLE_DUP))
    return;
  if (s->cls == PROM_LATENCY) {
    prom_apply_latency(t, s, op->v, op->flags);
    return;
  }
  s->sent++;
  if ((op->flags & (BN_SAMPLE_LOST | BN_SAMPLE_ERROR)) ||
      !bn_measured(op->v)) {
    s->lost++;
    return;
  }
  s->received++;
  s->last = op->v * s->scale;
}

/* The key (a, b, c) of a list, made when absent and room is left. */
static prom_key *prom_key_get(prom_table *t, prom_key **list, const char *a,
                              const char *b, const char *c, int sev)
{
  prom_key *k;

  for (k = *list; k; k = k->next)
    if (k->sev == sev && !strcmp(k->a, a) && !strcmp(k->b, b) &&
        !strcmp(k->c, c))
      return k;
  if (t->n_keys >= t->lim.max_event_keys) {
    t->drop_keys++;
    return NULL;
  }
  k = calloc(1, sizeof(*k));
  if (!k)
    return NULL;
  k->a = strdup(a);
  k->b = strdup(b);
  k->c = strdup(c);
  k->sev = sev;
  if (!k->a || !k->b || !k->c) {
    prom_keys_free(k);
    return NULL;
  }
  k->next = *list;
  *list = k;
  t->n_keys++;
  return k;
}

static void prom_apply_event(prom_table *t, prom_ev *e)
{
  prom_key *k = prom_key_get(t, &t->events, e->source, e->type, "", e->sev);

  if (k)
    k->n++;
  if (!strcmp(e->type, "path_change")) {
    k = prom_key_get(t, &t->changes, e->target, e->source, "", 0);
    if (k)
      k->n++;
    return;
  }
  if (prom_host_event(e->type))
    return;
  /* Episodes: (source, target, type) opens or rises with a warning or
   * critical event, and closes with an info one. */
  k = prom_key_get(t, &t->episodes, e->source, e->target, e->type, 0);
  if (!k)
    return;
  k->n++;
  k->open = e->sev >= BN_SEV_WARNING ? (int)e->sev + 1 : 0;
}

static void prom_apply_route(prom_table *t, prom_route *r)
{
  prom_route *o;

  /* A route's change counter exists from its first round, at 0, so
   * that the first change is an increase (rate(), changes()). */
  (void)prom_key_get(t, &t->changes, r->target, r->probe, "", 0);
  for (o = t->routes; o; o = o->next) {
    if (strcmp(o->target, r->target) || strcmp(o->probe, r->probe))
      continue;
    /* Keep the old record (its place in the list); take the new hops. */
    {
      prom_hop *hops = o->hops;
      size_t n = o->n_hops;

      o->hops = r->hops;
      o->n_hops = r->n_hops;
      r->hops = hops;
      r->n_hops = n;
    }
    memcpy(o->path_id, r->path_id, sizeof(o->path_id));
    o->reached = r->reached;
    o->rounds++;
    prom_route_free(r);
    return;
  }
  r->rounds = 1;
  r->next = t->routes;
  t->routes = r;
}

static void prom_apply_speed(prom_table *t, prom_speed *s)
{
  prom_speed *o;

  for (o = t->speeds; o; o = o->next)
    if (!strcmp(o->provider, s->provider))
      break;
  if (!o) {
    s->next = t->speeds;
    t->speeds = s;
    return;
  }
  o->ok += s->ok;
  o->failed += s->failed;
  o->bytes_down += s->bytes_down;
  o->bytes_up += s->bytes_up;
  o->last_run_s = s->last_run_s;
  if (s->ok) {
    o->down = s->down;
    o->up = s->up;
    o->idle = s->idle;
    o->loaded_down = s->loaded_down;
    o->loaded_up = s->loaded_up;
    o->jitter = s->jitter;
    o->loss = s->loss;
  }
  prom_speed_free(s);
}

static void prom_apply(prom_table *t)
{
  size_t i;

  if (t->fresh) {
    t->n_published = t->n_series;
    *t->series_tail = t->fresh;
    t->series_tail = t->fresh_tail;
    t->fresh = NULL;
    t->fresh_tail = &t->fresh;
  }
  for (i = 0; i < t->n_q; i++) {
    prom_op *op = &t->q[i];

    switch (op->kind) {
    case PROM_OP_SAMPLE:
      prom_apply_sample(t, op);
      break;
    case PROM_OP_EVENT:
      prom_apply_event(t, op->ptr);
      prom_ev_free(op->ptr);
      break;
    case PROM_OP_ROUTE:
      prom_apply_route(t, op->ptr);
      break;
    case PROM_OP_SPEED:
      prom_apply_speed(t, op->ptr);
      break;
    }
  }
  t->n_q = 0;
}

size_t prom_table_drain(prom_table *t, int wait)
{
  if (!t->n_q && !t->fresh)
    return 0;
  if (wait)
    pthread_mutex_lock(&t->mu);
  else if (pthread_mutex_trylock(&t->mu))
    return t->n_q;
  prom_apply(t);
  pthread_mutex_unlock(&t->mu);
  return 0;
}

/* ------------------------------------------------------------------ */
/* Rendering (under the mutex)                                         */
/* ------------------------------------------------------------------ */

/* name{labels[extra]} value\n */
static void prom_line(prom_buf *b, const char *name, const char *labels,
                      const char *extra, double v)
{
  prom_puts(b, name);
  prom_putc(b, '{');
  prom_puts(b, labels);
  if (extra)
    prom_puts(b, extra);
  prom_put(b, "} ", 2);
  prom_double(b, v);
  prom_putc(b, '\n');
}

static void prom_line_u64(prom_buf *b, const char *name, const char *labels,
                          const char *extra, uint64_t v)
{
  prom_puts(b, name);
  prom_putc(b, '{');
  prom_puts(b, labels);
  if (extra)
    prom_puts(b, extra);
  prom_put(b, "} ", 2);
  prom_u64(b, v);
  prom_putc(b, '\n');
}

static int prom_has(const prom_table *t, prom_class c)
{
  const prom_series *s;

  for (s = t->series; s; s = s->next)
    if (s->cls == c)
      return 1;
  return 0;
}

static void prom_render_histogram(prom_table *t, prom_buf *b)
{
  static const char bucket[] = "bottleneck_latency_seconds_bucket{";
  const prom_series *s;
  size_t i;

  if (!t->lim.n_buckets)
    return;
  prom_family(b, "bottleneck_latency_seconds", "histogram",
              "Latency of answered probes (role latency), seconds.");
  for (s = t->series; s; s = s->next) {
    uint64_t cum = 0;

    if (s->cls != PROM_LATENCY)
      continue;
    for (i = 0; i <= t->lim.n_buckets; i++) {
      cum += s->bucket[i];
      prom_put(b, bucket, sizeof(bucket) - 1);
      prom_put(b, s->labels, s->labels_len);
      prom_put(b, t->le[i], t->le_len[i]);
      prom_u64(b, cum);
      prom_putc(b, '\n');
    }
    prom_line(b, "bottleneck_latency_seconds_sum", s->labels, NULL, s->sum);
    prom_line_u64(b, "bottleneck_latency_seconds_count", s->labels, NULL,
                  s->received);
  }
}

static void prom_render_latency(prom_table *t, prom_buf *b)
{
  const prom_series *s;

  if (!prom_has(t, PROM_LATENCY))
    return;
  prom_render_histogram(t, b);
  prom_family(b, "bottleneck_latency_last_seconds", "gauge",
              "Latency of the last answered probe, seconds.");
  for (s = t->series; s; s = s->next)
    if (s->cls == PROM_LATENCY)
      prom_line(b, "bottleneck_latency_last_seconds", s->labels, NULL,
                s->last);
  prom_family(b, "bottleneck_probe_success", "gauge",
              "1 when the last probe was answered, else 0.");
  for (s = t->series; s; s = s->next)
    if (s->cls == PROM_LATENCY && s->sent)
      prom_line_u64(b, "bottleneck_probe_success", s->labels, NULL,
                    (uint64_t)s->last_ok);
  prom_family(b, "bottleneck_probes_sent_total", "counter",
              "Probes sent (valid, lost included; late and duplicate "
              "answers are not probes).");
  for (s = t->series; s; s = s->next)
    if (s->cls == PROM_LATENCY)
      prom_line_u64(b, "bottleneck_probes_sent_total", s->labels, NULL,
                    s->sent);
  prom_family(b, "bottleneck_probes_lost_total", "counter",
              "Probes that got no answer.");
  for (s = t->series; s; s = s->next)
    if (s->cls == PROM_LATENCY)
      prom_line_u64(b, "bottleneck_probes_lost_total", s->labels, NULL,
                    s->lost);
  prom_family(b, "bottleneck_samples_invalid_total", "counter",
              "Samples left out: clock jump or suspend during the probe.");
  for (s = t->series; s; s = s->next)
    if (s->cls == PROM_LATENCY)
      prom_line_u64(b, "bottleneck_samples_invalid_total", s->labels, NULL,
                    s->invalid);
}

static void prom_render_ratios(prom_table *t, prom_buf *b)
{
  const prom_series *s;

  if (prom_has(t, PROM_LATENCY) || prom_has(t, PROM_LOSS)) {
    prom_family(b, "bottleneck_loss_ratio", "gauge",
                "Loss: lost share of the last loss_window probes of a "
                "latency metric, or a loss metric's last value (0..1).");
    for (s = t->series; s; s = s->next) {
      if (s->cls == PROM_LATENCY)
        prom_line(b, "bottleneck_loss_ratio", s->labels, NULL,
                  s->win_fill ? (double)s->win_lost / s->win_fill : NAN);
      else if (s->cls == PROM_LOSS)
        prom_line(b, "bottleneck_loss_ratio", s->labels, NULL, s->last);
    }
  }
  if (prom_has(t, PROM_LATENCY) || prom_has(t, PROM_JITTER)) {
    prom_family(b, "bottleneck_jitter_seconds", "gauge",
                "Jitter: RFC 3550 estimate over a latency metric's "
                "answers, or a jitter metric's last value, seconds.");
    for (s = t->series; s; s = s->next)
      if (s->cls == PROM_LATENCY || s->cls == PROM_JITTER)
        prom_line(b, "bottleneck_jitter_seconds", s->labels, NULL,
                  s->cls == PROM_LATENCY ? s->jitter : s->last);
  }
  if (prom_has(t, PROM_THROUGHPUT)) {
    prom_family(b, "bottleneck_throughput_bytes_per_second", "gauge",
                "Last value of a throughput metric, bytes per second.");
    for (s = t->series; s; s = s->next)
      if (s->cls == PROM_THROUGHPUT)
        prom_line(b, "bottleneck_throughput_bytes_per_second", s->labels, NULL,
                  s->last);
  }
  if (prom_has(t, PROM_VALUE)) {
    prom_family(b, "bottleneck_metric_value", "gauge",
                "Last value of any other metric, in its declared unit.");
    for (s = t->series; s; s = s->next)
      if (s->cls == PROM_VALUE)
        prom_line(b, "bottleneck_metric_value", s->labels, s->role_unit,
                  s->last);
  }
}

static void prom_hop_labels(prom_buf *lb, const prom_route *r,
                            const prom_hop *h)
{
  char ttl[16];

  snprintf(ttl, sizeof(ttl), "%d", h->ttl);
  prom_buf_reset(lb);
  prom_puts(lb, r->labels);
  prom_puts(lb, ",hop=\"");
  prom_puts(lb, ttl);
  prom_puts(lb, "\",addr=\"");
  prom_label_value(lb, h->addr);
  prom_putc(lb, '"');
}

static void prom_render_hops(prom_table *t, prom_buf *b)
{
  static const struct {
    const char *name, *type, *help;
  } fam[] = {
      {"bottleneck_hop_rtt_seconds", "gauge",
       "Mean RTT of a hop in the last round (over its flows), seconds."},
      {"bottleneck_hop_rtt_best_seconds", "gauge",
       "Lowest RTT of a hop in the last round, seconds."},
      {"bottleneck_hop_rtt_worst_seconds", "gauge",
       "Highest RTT of a hop in the last round, seconds."},
      {"bottleneck_hop_loss_ratio", "gauge",
       "Unanswered share of the probes sent to a hop in the last round."},
      {"bottleneck_hop_probes_sent", "gauge",
       "Probes sent to a hop in the last round."},
  };
  prom_buf lb = {0};
  const prom_route *r;
  size_t f, i;

  if (!t->routes)
    return;
  for (f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
    prom_family(b, fam[f].name, fam[f].type, fam[f].help);
    for (r = t->routes; r; r = r->next) {
      for (i = 0; i < r->n_hops; i++) {
        const prom_hop *h = &r->hops[i];
        double v =
            f == 0   ? h->avg
            : f == 1 ? h->best
            : f == 2 ? h->worst
            : f == 3
                ? (h->sent ? 1.0 - (double)h->received / (double)h->sent : NAN)
                : (double)h->sent;

        prom_hop_labels(&lb, r, h);
        if (!lb.oom)
          prom_line(b, fam[f].name, lb.p, NULL, v);
      }
    }
  }
  prom_buf_free(&lb);
  prom_family(b, "bottleneck_path_hops", "gauge",
              "Hops (ttl values) seen in the last round.");
  for (r = t->routes; r; r = r->next) {
    int max = 0;

    for (i = 0; i < r->n_hops; i++)
      if (r->hops[i].ttl > max)
        max = r->hops[i].ttl;
    prom_line_u64(b, "bottleneck_path_hops", r->labels, NULL, (uint64_t)max);
  }
  prom_family(b, "bottleneck_path_reached", "gauge",
              "1 when a flow of the last round reached the target.");
  for (r = t->routes; r; r = r->next)
    prom_line_u64(b, "bottleneck_path_reached", r->labels, NULL,
                  (uint64_t)r->reached);
  prom_family(b, "bottleneck_path_info", "gauge",
              "Always 1; path_id hashes the responding addresses by ttl.");
  for (r = t->routes; r; r = r->next) {
    prom_puts(b, "bottleneck_path_info{");
    prom_puts(b, r->labels);
    prom_puts(b, ",path_id=\"");
    prom_puts(b, r->path_id);
    prom_puts(b, "\"} 1\n");
  }
  prom_family(b, "bottleneck_path_rounds_total", "counter",
              "Path rounds (traces) received.");
  for (r = t->routes; r; r = r->next)
    prom_line_u64(b, "bottleneck_path_rounds_total", r->labels, NULL,
                  r->rounds);
}

static void prom_render_events(prom_table *t, prom_buf *b)
{
  const prom_key *k;
  int sev;

  if (t->changes) {
    prom_family(b, "bottleneck_path_changes_total", "counter",
                "Path changes the host found (route or RTT shift).");
    for (k = t->changes; k; k = k->next) {
      const char *kv[4] = {"target", k->a, "probe", k->b};

      prom_puts(b, "bottleneck_path_changes_total{");
      prom_labels(b, kv, 2);
      prom_put(b, "} ", 2);
      prom_u64(b, k->n);
      prom_putc(b, '\n');
    }
  }
  prom_family(b, "bottleneck_events_total", "counter",
              "Events by source instance, type and severity.");
  for (k = t->events; k; k = k->next) {
    const char *kv[6] = {"source", k->a,       "type",
                         k->b,     "severity", prom_sev_name(k->sev)};

    prom_puts(b, "bottleneck_events_total{");
    prom_labels(b, kv, 3);
    prom_put(b, "} ", 2);
    prom_u64(b, k->n);
    prom_putc(b, '\n');
  }
  prom_family(b, "bottleneck_episodes_open", "gauge",
              "Anomaly episodes open now, by current severity.");
  for (sev = BN_SEV_WARNING; sev <= BN_SEV_CRITICAL; sev++) {
    uint64_t n = 0;

    for (k = t->episodes; k; k = k->next)
      n += k->open == sev + 1;
    prom_puts(b, "bottleneck_episodes_open{severity=\"");
    prom_puts(b, prom_sev_name(sev));
    prom_puts(b, "\"} ");
    prom_u64(b, n);
    prom_putc(b, '\n');
  }
}

static void prom_render_speed(prom_table *t, prom_buf *b)
{
  static const struct {
    const char *name, *help, *extra;
    size_t off;
  } fam[] = {
      {"bottleneck_speedtest_download_bytes_per_second",
       "Download goodput of the last good test.", NULL,
       offsetof(prom_speed, down)},
      {"bottleneck_speedtest_upload_bytes_per_second",
       "Upload goodput of the last good test.", NULL,
       offsetof(prom_speed, up)},
      {"bottleneck_speedtest_latency_seconds",
       "Median latency of the last good test: idle, and while loaded.",
       ",phase=\"idle\"", offsetof(prom_speed, idle)},
      {"bottleneck_speedtest_latency_seconds", NULL, ",phase=\"download\"",
       offsetof(prom_speed, loaded_down)},
      {"bottleneck_speedtest_latency_seconds", NULL, ",phase=\"upload\"",
       offsetof(prom_speed, loaded_up)},
      {"bottleneck_speedtest_jitter_seconds",
       "Idle jitter of the last good test.", NULL,
       offsetof(prom_speed, jitter)},
      {"bottleneck_speedtest_loss_ratio",
       "Packet loss of the last good test (UDP tests).", NULL,
       offsetof(prom_speed, loss)},
      {"bottleneck_speedtest_last_run_timestamp_seconds",
       "Unix time of the last test, good or failed.", NULL,
       offsetof(prom_speed, last_run_s)},
  };
  const prom_speed *s;
  size_t f;

  if (!t->speeds)
    return;
  for (f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
    if (fam[f].help)
      prom_family(b, fam[f].name, "gauge", fam[f].help);
    for (s = t->speeds; s; s = s->next) {
      const char *kv[2] = {"provider", s->provider};
      double v = *(const double *)((const char *)s + fam[f].off);

      prom_puts(b, fam[f].name);
      prom_putc(b, '{');
      prom_labels(b, kv, 1);
      if (fam[f].extra)
        prom_puts(b, fam[f].extra);
      prom_put(b, "} ", 2);
      prom_double(b, v);
      prom_putc(b, '\n');
    }
  }
  prom_family(b, "bottleneck_speedtest_runs_total", "counter",
              "Speed test attempts by result.");
  for (s = t->speeds; s; s = s->next) {
    const char *kv[4] = {"provider", s->provider, "result", "ok"};

    prom_puts(b, "bottleneck_speedtest_runs_total{");
    prom_labels(b, kv, 2);
    prom_put(b, "} ", 2);
    prom_u64(b, s->ok);
    prom_puts(b, "\nbottleneck_speedtest_runs_total{");
    kv[3] = "error";
    prom_labels(b, kv, 2);
    prom_put(b, "} ", 2);
    prom_u64(b, s->failed);
    prom_putc(b, '\n');
  }
  prom_family(b, "bottleneck_speedtest_transferred_bytes_total", "counter",
              "Payload bytes moved by speed tests.");
  for (s = t->speeds; s; s = s->next) {
    const char *kv[4] = {"provider", s->provider, "direction", "download"};

    prom_puts(b, "bottleneck_speedtest_transferred_bytes_total{");
    prom_labels(b, kv, 2);
    prom_put(b, "} ", 2);
    prom_u64(b, s->bytes_down);
    prom_puts(b, "\nbottleneck_speedtest_transferred_bytes_total{");
    kv[3] = "upload";
    prom_labels(b, kv, 2);
    prom_put(b, "} ", 2);
    prom_u64(b, s->bytes_up);
    prom_putc(b, '\n');
  }
}

/* A metric without labels: header and one line. */
static void prom_single(prom_buf *b, const char *name, const char *type,
                        const char *help, double v)
{
  prom_family(b, name, type, help);
  prom_puts(b, name);
  prom_putc(b, ' ');
  prom_double(b, v);
  prom_putc(b, '\n');
}

static void prom_render_health(prom_table *t, prom_buf *b)
{
  static const char *const reasons[] = {"queue_full", "series_limit",
                                        "event_key_limit"};
  uint64_t drops[3];
  size_t i;

  drops[0] = prom_atomic_get(&t->drop_queue);
  drops[1] = prom_atomic_get(&t->drop_series);
  drops[2] = t->drop_keys;
  prom_single(b, "bottleneck_exporter_scrapes_total", "counter",
              "Scrapes of /metrics served, this one included.",
              (double)t->scrapes);
  prom_single(b, "bottleneck_exporter_scrape_duration_seconds", "gauge",
              "Time the previous scrape took to render, seconds.",
              t->last_scrape_s);
  prom_single(b, "bottleneck_exporter_samples_total", "counter",
              "Samples handed to the exporter.",
              (double)prom_atomic_get(&t->n_samples));
  prom_single(b, "bottleneck_exporter_series", "gauge",
              "Series (target, probe, metric) in the table.",
              (double)t->n_published);
  prom_family(b, "bottleneck_exporter_samples_dropped_total", "counter",
              "Updates dropped: queue full while scrapes held the table, "
              "series limit, event key limit.");
  for (i = 0; i < 3; i++) {
    prom_puts(b, "bottleneck_exporter_samples_dropped_total{reason=\"");
    prom_puts(b, reasons[i]);
    prom_puts(b, "\"} ");
    prom_u64(b, drops[i]);
    prom_putc(b, '\n');
  }
}

static double prom_mono_s(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int prom_table_render(prom_table *t, prom_buf *out)
{
  double t0;

  pthread_mutex_lock(&t->mu);
  t0 = prom_mono_s();
  t->scrapes++;
  prom_render_latency(t, out);
  prom_render_ratios(t, out);
  prom_render_hops(t, out);
  prom_render_events(t, out);
  prom_render_speed(t, out);
  prom_render_health(t, out);
  t->last_scrape_s = prom_mono_s() - t0;
  pthread_mutex_unlock(&t->mu);
  return out->oom ? BN_ENOMEM : BN_OK;
}
