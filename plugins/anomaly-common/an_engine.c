/*
 * an_engine.c - targets, series, fusion and episodes (see an_engine.h).
 */
#include "an_engine.h"

#include "an_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define AN_NS 1000000000LL

/* One analysed series: (probe, metric) of a target. */
typedef struct an_series {
  char *probe;
  char *metric;
  an_role role;
  int primary;
  int off; /* a latency metric that does not stand for its probe */
  int have_last;
  double last_v;
  double sig[AN_SIG_N];
  int64_t rate_ok_ns; /* loss-role: last time the rate was below 100 % */
  an_level lat;       /* latency level, or the value of a jitter metric */
  an_level jit;       /* volatility: |v[i] - v[i-1]| */
  an_loss loss;
} an_series;

typedef struct an_target {
  char *name;
  an_series **series;
  size_t n_series;
  int64_t now_ns;
  double conf;
  /* the episode */
  int open;
  uint64_t id;
  int64_t start_ns, last_hot_ns;
  an_severity sev;
  an_signal dominant;
  double peak_conf;
  double peak[AN_SIG_N];
  uint32_t dom_count[AN_SIG_N]; /* samples each signal dominated at sev */
} an_target;

struct an_engine {
  an_config cfg;
  an_emit_fn fn;
  void *arg;
  an_target **slots; /* open addressing, power-of-two size */
  size_t cap, n;
  uint64_t next_id;
  size_t bytes;
  an_store store; /* persistence of baselines (load/save NULL: none) */
};

static const char *const an_sig_names[AN_SIG_N] = {"latency", "loss", "jitter",
                                                   "unreachable"};
static const char *const an_sev_names[] = {"info", "low", "medium", "high",
                                           "critical"};
static const char *const an_phase_names[] = {"open", "update", "close"};

const char *an_signal_name(an_signal s)
{
  return (unsigned)s < AN_SIG_N ? an_sig_names[s] : "";
}

const char *an_severity_name(an_severity s)
{
  return (unsigned)s <= AN_SEV_CRITICAL ? an_sev_names[s] : "";
}

const char *an_phase_name(an_phase p)
{
  return (unsigned)p <= AN_EP_CLOSE ? an_phase_names[p] : "";
}

int an_signal_parse(const char *name)
{
  for (int i = 0; i < AN_SIG_N; i++)
    if (strcmp(name, an_sig_names[i]) == 0)
      return i;
  return -1;
}

void an_config_default(an_config *c)
{
  memset(c, 0, sizeof(*c));
  c->signals = AN_SIG_ALL;
  an_level_cfg_latency(&c->latency);
  an_level_cfg_jitter(&c->jitter);
  an_loss_cfg_default(&c->loss);
  for (int i = 0; i < AN_SIG_N; i++)
    c->weight[i] = 1.0;
  c->weight[AN_SIG_JITTER] = 0.9;
  c->open_threshold = 0.5;
  c->close_threshold = 0.3;
  c->sev_low = 0.65;
  c->sev_medium = 0.8;
  c->sev_high = 0.93;
  c->unreachable_critical = 1;
  c->cooldown_ns = 30 * AN_NS;
  c->jitter_dominance = 3.0;
}

static double an_clampd(double v, double lo, double hi)
{
  return v < lo ? lo : v > hi ? hi : v;
}

void an_config_clamp(an_config *c)
{
  an_level_cfg_clamp(&c->latency);
  an_level_cfg_clamp(&c->jitter);
  an_loss_cfg_clamp(&c->loss);
  for (int i = 0; i < AN_SIG_N; i++)
    c->weight[i] = an_clampd(c->weight[i], 0, 1);
  c->open_threshold = an_clampd(c->open_threshold, 0.01, 1);
  c->close_threshold = an_clampd(c->close_threshold, 0, c->open_threshold);
  if (c->cooldown_ns < 0)
    c->cooldown_ns = 0;
}

an_engine *an_engine_new(const an_config *c, an_emit_fn fn, void *arg)
{
  an_engine *e = calloc(1, sizeof(*e));

  if (!e)
    return NULL;
  e->cfg = *c;
  an_config_clamp(&e->cfg);
  e->fn = fn;
  e->arg = arg;
  e->cap = 64;
  e->slots = calloc(e->cap, sizeof(*e->slots));
  if (!e->slots) {
    free(e);
    return NULL;
  }
  e->bytes = sizeof(*e) + e->cap * sizeof(*e->slots);
  return e;
}

static void an_target_free(an_target *t)
{
  for (size_t i = 0; i < t->n_series; i++) {
    free(t->series[i]->probe);
    free(t->series[i]->metric);
    free(t->series[i]);
  }
  free(t->series);
  free(t->name);
  free(t);
}

void an_engine_free(an_engine *e)
{
  if (!e)
    return;
  for (size_t i = 0; i < e->cap; i++)
    if (e->slots[i])
      an_target_free(e->slots[i]);
  free(e->slots);
  free(e);
}

static uint64_t an_hash(const char *s)
{
  uint64_t h = 1469598103934665603ULL;

  while (*s)
    h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
  return h;
}

static an_target **an_slot(an_target **slots, size_t cap, const char *name)
{
  size_t i = (size_t)an_hash(name) & (cap - 1);

  while (slots[i] && strcmp(slots[i]->name, name) != 0)
    i = (i + 1) & (cap - 1);
  return &slots[i];
}

static int an_grow(an_engine *e)
{
  size_t cap = e->cap * 2;
  an_target **slots = calloc(cap, sizeof(*slots));

  if (!slots)
    return -1;
  for (size_t i = 0; i < e->cap; i++)
    if (e->slots[i])
      *an_slot(slots, cap, e->slots[i]->name) = e->slots[i];
  free(e->slots);
  e->bytes += (cap - e->cap) * sizeof(*slots);
  e->slots = slots;
  e->cap = cap;
  return 0;
}

static an_target *an_target_get(an_engine *e, const char *name, int create)
{
  an_target **slot = an_slot(e->slots, e->cap, name);
  an_target *t;

  if (*slot || !create)
    return *slot;
  if ((e->n + 1) * 2 > e->cap) {
    if (an_grow(e) < 0)
      return NULL;
    slot = an_slot(e->slots, e->cap, name);
  }
  t = calloc(1, sizeof(*t));
  if (!t)
    return NULL;
  t->name = strdup(name);
  if (!t->name) {
    free(t);
    return NULL;
  }
  t->conf = NAN;
  *slot = t;
  e->n++;
  e->bytes += sizeof(*t) + strlen(name) + 1;
  return t;
}

static void an_base_load(an_engine *e, const an_target *t, an_series *s);

static an_series *an_series_get(an_engine *e, an_target *t, const char *probe,
                                const char *metric, an_role role, int primary)
{
  an_series *s, **grown;

  for (size_t i = 0; i < t->n_series; i++) {
    s = t->series[i];
    if (strcmp(s->metric, metric) == 0 && strcmp(s->probe, probe) == 0)
      return s;
  }
  s = calloc(1, sizeof(*s));
  grown = realloc(t->series, (t->n_series + 1) * sizeof(*grown));
  if (!s || !grown) {
    free(s);
    if (grown)
      t->series = grown;
    return NULL;
  }
  t->series = grown;
  s->probe = strdup(probe);
  s->metric = strdup(metric);
  if (!s->probe || !s->metric) {
    free(s->probe);
    free(s->metric);
    free(s);
    return NULL;
  }
  s->role = role;
  s->primary = primary;
  an_level_init(&s->lat);
  an_level_init(&s->jit);
  an_loss_init(&s->loss);
  /* One latency series stands for a probe: its primary metric, or the
   * first one seen while it has shown no primary. */
  if (role == AN_ROLE_LATENCY) {
    for (size_t i = 0; i < t->n_series; i++) {
      an_series *o = t->series[i];

      if (o->role != AN_ROLE_LATENCY || o->off || strcmp(o->probe, probe) != 0)
        continue;
      if (primary && !o->primary) {
        o->off = 1;
        memset(o->sig, 0, sizeof(o->sig));
      } else {
        s->off = 1;
      }
    }
  }
  t->series[t->n_series++] = s;
  e->bytes += sizeof(*s) + sizeof(*grown) + strlen(probe) + strlen(metric) + 2;
  if (!s->off)
    an_base_load(e, t, s);
  return s;
}

/* The kinds of a series' baselines: [0] its level detector (s->lat),
 * [1] the volatility one (s->jit, latency series only). */
static const char *an_kind(const an_series *s, int which)
{
  if (s->role == AN_ROLE_LOSS)
    return which ? NULL : "loss";
  if (s->role == AN_ROLE_JITTER)
    return which ? NULL : "jitter";
  return which ? "jitter" : "latency";
}

static void an_base_save(an_engine *e, const an_target *t, const an_series *s,
                         int which)
{
  const an_baseline *b = which ? &s->jit.base : &s->lat.base;
  an_baseline none = {NAN, NAN, NAN, 0, 0, 0};
  const char *kind = an_kind(s, which);

  if (!e->store.save || !kind || s->off)
    return;
  if (s->role == AN_ROLE_LOSS)
    b = &none;
  else if (!b->valid)
    return;
  e->store.save(e->store.arg, t->name, s->probe, s->metric, kind, b,
                which ? NAN : s->loss.base_rate);
}

static void an_base_load(an_engine *e, const an_target *t, an_series *s)
{
  for (int which = 0; which < 2 && e->store.load; which++) {
    const char *kind = an_kind(s, which);
    an_baseline b;
    double rate = NAN;

    memset(&b, 0, sizeof(b));
    if (!kind || e->store.load(e->store.arg, t->name, s->probe, s->metric,
                               kind, &b, &rate) != 1)
      continue;
    if (s->role != AN_ROLE_LOSS && b.samples > 0 && b.centre == b.centre &&
        b.mad == b.mad)
      an_level_set_baseline(which ? &s->jit : &s->lat,
                            which                       ? &e->cfg.jitter
                            : s->role == AN_ROLE_JITTER ? &e->cfg.jitter
                                                        : &e->cfg.latency,
                            &b);
    if (!which && rate == rate && rate >= 0 && rate <= 1)
      s->loss.base_rate = rate;
  }
}

/* Feed one sample into a series' detectors; sets s->sig[]. */
static void an_series_add(const an_config *c, an_series *s, double v,
                          int64_t t, int lost, int quiet)
{
  if (s->role == AN_ROLE_LOSS) {
    double frac = v / 100.0;

    if (lost || !(frac == frac))
      return;
    if (frac < 1 || s->rate_ok_ns == 0)
      s->rate_ok_ns = frac < 1 ? t : t - 1;
    s->sig[AN_SIG_LOSS] = an_score(frac - s->loss.base_rate, c->loss.rate_on);
    s->sig[AN_SIG_UNREACHABLE] =
        frac >= 1 && t - s->rate_ok_ns >= c->loss.unreachable_ns ? 1 : 0;
    if (quiet)
      s->loss.base_rate += c->loss.base_alpha * (frac - s->loss.base_rate);
    return;
  }
  if (s->role == AN_ROLE_JITTER) {
    if (!lost)
      s->sig[AN_SIG_JITTER] = an_level_add(&s->lat, &c->jitter, v, t, quiet);
    return;
  }
  s->sig[AN_SIG_LOSS] = an_loss_add(&s->loss, &c->loss, lost, t, quiet);
  s->sig[AN_SIG_UNREACHABLE] = s->loss.unreachable_score;
  if (lost)
    return;
  quiet = quiet && s->loss.rate == 0;
  s->sig[AN_SIG_LATENCY] = an_level_add(&s->lat, &c->latency, v, t, quiet);
  if (s->have_last)
    s->sig[AN_SIG_JITTER] =
        an_level_add(&s->jit, &c->jitter, fabs(v - s->last_v), t, quiet);
  s->last_v = v;
  s->have_last = 1;
}

static void an_emit(an_engine *e, an_target *t, an_phase ph, int64_t now,
                    const an_series *s)
{
  an_episode ep = {
      .id = t->id,
      .target = t->name,
      .phase = ph,
      .start_ns = t->start_ns,
      .end_ns = ph == AN_EP_CLOSE ? t->last_hot_ns : 0,
      .now_ns = now,
      .severity = t->sev,
      .confidence = ph == AN_EP_CLOSE ? t->peak_conf : t->conf,
      .peak_confidence = t->peak_conf,
      .dominant = t->dominant,
      .probe = s ? s->probe : NULL,
      .metric = s ? s->metric : NULL,
  };

  memcpy(ep.scores, t->peak, sizeof(ep.scores));
  if (e->fn)
    e->fn(&ep, e->arg);
}

/* Fuse the target's signals and run its episode. */
static void an_fuse(an_engine *e, an_target *t, const an_series *cause)
{
  const an_config *c = &e->cfg;
  double sig[AN_SIG_N] = {0}, keep = 1, best = -1;
  double lat_delta = 0, jit_level = 0;
  an_signal dom = AN_SIG_LATENCY;
  an_severity sev, sev_emitted;
  int64_t now = t->now_ns;

  for (size_t i = 0; i < t->n_series; i++) {
    const an_series *s = t->series[i];

    if (s->off)
      continue;
    for (int k = 0; k < AN_SIG_N; k++)
      if (s->sig[k] > sig[k])
        sig[k] = s->sig[k];
    if (s->role == AN_ROLE_LATENCY && s->lat.base.valid &&
        s->lat.delta > lat_delta) {
      lat_delta = s->lat.delta;
      jit_level = s->jit.level;
    }
  }
  /* Order of preference on ties: unreachable, loss, latency, jitter. */
  static const an_signal order[AN_SIG_N] = {AN_SIG_UNREACHABLE, AN_SIG_LOSS,
                                            AN_SIG_LATENCY, AN_SIG_JITTER};
  for (int j = 0; j < AN_SIG_N; j++) {
    an_signal k = order[j];
    double w;

    if (!(c->signals & AN_SIGBIT(k)))
      sig[k] = 0;
    w = c->weight[k] * sig[k];
    keep *= 1 - w;
    if (w > best) {
      best = w;
      dom = k;
    }
  }
  if (dom == AN_SIG_LATENCY && sig[AN_SIG_JITTER] >= c->open_threshold &&
      lat_delta <= c->jitter_dominance * jit_level)
    dom = AN_SIG_JITTER;
  t->conf = 1 - keep;

  if (c->unreachable_critical && sig[AN_SIG_UNREACHABLE] >= 0.5)
    sev = AN_SEV_CRITICAL;
  else if (t->conf >= c->sev_high)
    sev = AN_SEV_HIGH;
  else if (t->conf >= c->sev_medium)
    sev = AN_SEV_MEDIUM;
  else if (t->conf >= c->sev_low)
    sev = AN_SEV_LOW;
  else
    sev = AN_SEV_INFO;

  if (!t->open) {
    if (t->conf < c->open_threshold)
      return;
    t->open = 1;
    t->id = ++e->next_id;
    t->start_ns = now;
    t->last_hot_ns = now;
    t->sev = sev;
    t->dominant = dom;
    t->peak_conf = t->conf;
    memcpy(t->peak, sig, sizeof(sig));
    memset(t->dom_count, 0, sizeof(t->dom_count));
    t->dom_count[dom] = 1;
    an_emit(e, t, AN_EP_OPEN, now, cause);
    return;
  }
  sev_emitted = t->sev;
  if (t->conf >= c->close_threshold)
    t->last_hot_ns = now;
  if (t->conf > t->peak_conf)
    t->peak_conf = t->conf;
  for (int k = 0; k < AN_SIG_N; k++)
    if (sig[k] > t->peak[k])
      t->peak[k] = sig[k];
  /* The dominant signal: the one that dominated most samples at the
   * peak severity (a jitter storm first moves the latency median). */
  if (sev > t->sev) {
    t->sev = sev;
    memset(t->dom_count, 0, sizeof(t->dom_count));
  }
  if (sev == t->sev && t->conf >= c->open_threshold) {
    t->dom_count[dom]++;
    if (t->dom_count[dom] > t->dom_count[t->dominant])
      t->dominant = dom;
  }
  if (t->sev > sev_emitted) {
    t->dominant = dom;
    an_emit(e, t, AN_EP_UPDATE, now, cause);
  }
  if (now - t->last_hot_ns >= c->cooldown_ns) {
    an_emit(e, t, AN_EP_CLOSE, now, cause);
    t->open = 0;
  }
}

int an_engine_sample(an_engine *e, const char *target, const char *probe,
                     const char *metric, an_role role, int primary,
                     double value, int64_t t_ns, unsigned flags)
{
  an_target *t;
  an_series *s;
  int lost;

  if (flags & AN_F_INVALID)
    return 0;
  if (role != AN_ROLE_LATENCY && role != AN_ROLE_LOSS &&
      role != AN_ROLE_JITTER)
    return 0;
  t = an_target_get(e, target, 1);
  if (!t)
    return -1;
  s = an_series_get(e, t, probe, metric, role, primary);
  if (!s)
    return -1;
  if (s->off)
    return 0;
  lost = (flags & AN_F_LOST) || !(value == value);
  if (t_ns > t->now_ns)
    t->now_ns = t_ns;
  if (e->store.save) {
    int64_t since0 = s->lat.base.since_ns, since1 = s->jit.base.since_ns;
    int valid0 = s->lat.base.valid, valid1 = s->jit.base.valid;

    an_series_add(&e->cfg, s, value, t_ns, lost, !t->open);
    if (s->lat.base.valid && (!valid0 || s->lat.base.since_ns != since0))
      an_base_save(e, t, s, 0);
    if (s->jit.base.valid && (!valid1 || s->jit.base.since_ns != since1))
      an_base_save(e, t, s, 1);
  } else {
    an_series_add(&e->cfg, s, value, t_ns, lost, !t->open);
  }
  an_fuse(e, t, s);
  return 0;
}

void an_engine_set_store(an_engine *e, const an_store *st)
{
  if (st)
    e->store = *st;
  else
    memset(&e->store, 0, sizeof(e->store));
}

void an_engine_finish(an_engine *e)
{
  for (size_t i = 0; i < e->cap; i++) {
    an_target *t = e->slots[i];

    if (t && t->open) {
      an_emit(e, t, AN_EP_CLOSE, t->now_ns, NULL);
      t->open = 0;
    }
    /* the baselines in force, with the loss rate learned meanwhile */
    for (size_t k = 0; t && k < t->n_series; k++) {
      an_base_save(e, t, t->series[k], 0);
      an_base_save(e, t, t->series[k], 1);
    }
  }
}

double an_engine_confidence(const an_engine *e, const char *target)
{
  an_target *t = an_target_get((an_engine *)e, target, 0);

  return t ? t->conf : NAN;
}

const an_baseline *an_engine_baseline(const an_engine *e, const char *target)
{
  an_target *t = an_target_get((an_engine *)e, target, 0);

  if (!t)
    return NULL;
  for (size_t i = 0; i < t->n_series; i++)
    if (!t->series[i]->off && t->series[i]->role == AN_ROLE_LATENCY &&
        t->series[i]->lat.base.valid)
      return &t->series[i]->lat.base;
  return NULL;
}

size_t an_engine_bytes(const an_engine *e)
{
  return e->bytes;
}

size_t an_engine_targets(const an_engine *e)
{
  return e->n;
}
