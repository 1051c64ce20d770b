/*
 * nab_score.c - the Numenta Anomaly Benchmark's scoring, and our
 * detectors scored with it.
 *
 * The scorer follows the rule of the NAB paper (Lavin and Ahmad 2015)
 * and of NAB's own scorer: the first 15 % of each file (at most 750
 * rows) is a probationary period that is never scored; a detection is a
 * row whose anomaly score is >= the threshold; the best (earliest)
 * detection in a window earns tpWeight * S(p) / S(-1), where p is the
 * row's position relative to the window's right edge (-1 at its left
 * edge) and S(x) = 2 / (1 + e^(5x)) - 1; a detection outside every
 * window costs fpWeight * S(d), d being its distance after the previous
 * window in window widths (-1 when there is none); a window without a
 * detection costs fnWeight.  The corpus score is normalised so the null
 * detector scores 0 and a perfect one (a detection at every window's
 * start) 100.  A threshold is either given or optimised: every distinct
 * score of the corpus is tried and the best kept (NAB hill-climbs; an
 * exhaustive sweep finds at least its optimum).
 *
 * Detectors: null (0.5 everywhere), perfect, random (Python's Mersenne
 * Twister seeded with 42 for each file, as NAB's random detector does),
 * and ours: latency (the latency detector alone) and fusion (latency and
 * jitter fused), run through the same an_engine as a live run, one
 * sample per row, with the anomaly score of a row = the confidence of
 * an episode that opened or rose at that row (0 elsewhere).
 *
 * Usage: nab_score [--nab DIR] [--detector NAME] [--threshold T]
 *                  [--per-file] [--set KEY=VALUE]...
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "an_engine.h"

#define NS 1000000000LL

typedef struct nab_file {
  char *name;     /* CATEGORY/FILE.csv */
  size_t n;       /* rows */
  int64_t *t;     /* row times, s */
  double *v;      /* values */
  double *score;  /* detector output per row */
  size_t n_win;   /* windows */
  size_t *win_lo; /* row index of each window's left edge */
  size_t *win_hi; /* ... right edge */
} nab_file;

typedef struct nab_profile {
  const char *name;
  double tp, fp, fn;
} nab_profile;

static const nab_profile nab_profiles[] = {
    {"standard", 1.0, 0.11, 1.0},
    {"reward_low_FP_rate", 1.0, 0.22, 1.0},
    {"reward_low_FN_rate", 1.0, 0.11, 2.0},
};
#define N_PROFILES 3

/* ---------------------------------------------------------------- */
/* Python's random.random(): MT19937, init_by_array, 53-bit doubles  */
/* ---------------------------------------------------------------- */

typedef struct mt {
  uint32_t s[624];
  int i;
} mt;

static void mt_init(mt *m, uint32_t seed)
{
  m->s[0] = seed;
  for (int i = 1; i < 624; i++)
    m->s[i] = 1812433253u * (m->s[i - 1] ^ (m->s[i - 1] >> 30)) + (uint32_t)i;
  m->i = 624;
}

static void mt_seed_array(mt *m, const uint32_t *key, int len)
{
  int i = 1, j = 0, k = 624 > len ? 624 : len;

  mt_init(m, 19650218u);
  for (; k; k--) {
    m->s[i] = (m->s[i] ^ ((m->s[i - 1] ^ (m->s[i - 1] >> 30)) * 1664525u)) +
              key[j] + (uint32_t)j;
    i++;
    j++;
    if (i >= 624) {
      m->s[0] = m->s[623];
      i = 1;
    }
    if (j >= len)
      j = 0;
  }
  for (k = 623; k; k--) {
    m->s[i] = (m->s[i] ^ ((m->s[i - 1] ^ (m->s[i - 1] >> 30)) * 1566083941u)) -
              (uint32_t)i;
    i++;
    if (i >= 624) {
      m->s[0] = m->s[623];
      i = 1;
    }
  }
  m->s[0] = 0x80000000u;
}

static uint32_t mt_next(mt *m)
{
  uint32_t y;

  if (m->i >= 624) {
    for (int k = 0; k < 624; k++) {
      y = (m->s[k] & 0x80000000u) | (m->s[(k + 1) % 624] & 0x7fffffffu);
      m->s[k] = m->s[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1) ? 0x9908b0dfu : 0);
    }
    m->i = 0;
  }
  y = m->s[m->i++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

static double mt_random(mt *m)
{
  uint32_t a = mt_next(m) >> 5, b = mt_next(m) >> 6;

  return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

/* ---------------------------------------------------------------- */
/* Reading NAB                                                       */
/* ---------------------------------------------------------------- */

static int parse_time(const char *s, int64_t *out)
{
  struct tm tm;
  const char *end;

  memset(&tm, 0, sizeof(tm));
  end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
  if (!end)
    return -1;
  *out = (int64_t)timegm(&tm);
  return 0;
}

static int read_csv(const char *path, nab_file *f)
{
  FILE *fp = fopen(path, "r");
  char line[256];
  size_t cap = 0, lineno = 0;

  if (!fp) {
    fprintf(stderr, "nab_score: %s: %s\n", path, strerror(errno));
    return -1;
  }
  while (fgets(line, sizeof(line), fp)) {
    char *comma = strchr(line, ','), *end;

    lineno++;
    if (lineno == 1)
      continue; /* header */
    if (!comma)
      goto bad;
    *comma = '\0';
    if (f->n == cap) {
      cap = cap ? cap * 2 : 4096;
      f->t = realloc(f->t, cap * sizeof(*f->t));
      f->v = realloc(f->v, cap * sizeof(*f->v));
      if (!f->t || !f->v)
        goto bad;
    }
    if (parse_time(line, &f->t[f->n]) < 0)
      goto bad;
    errno = 0;
    f->v[f->n] = strtod(comma + 1, &end);
    if (errno || end == comma + 1)
      goto bad;
    f->n++;
  }
  fclose(fp);
  f->score = calloc(f->n, sizeof(*f->score));
  return f->score ? 0 : -1;
bad:
  fprintf(stderr, "nab_score: %s:%zu: bad row (want TIME,VALUE)\n", path,
          lineno);
  fclose(fp);
  return -1;
}

static long find_row(const nab_file *f, const char *ts)
{
  int64_t t;

  if (parse_time(ts, &t) < 0)
    return -1;
  for (size_t i = 0; i < f->n; i++)
    if (f->t[i] == t)
      return (long)i;
  return -1;
}

static int cmp_name(const void *a, const void *b)
{
  return strcmp(((const nab_file *)a)->name, ((const nab_file *)b)->name);
}

static nab_file *read_corpus(const char *dir, size_t *n_out)
{
  char path[4096];
  json_object *labels, *o;
  nab_file *files;
  size_t n = 0;
  struct json_object_iterator it, end;

  snprintf(path, sizeof(path), "%s/labels/combined_windows.json", dir);
  labels = json_object_from_file(path);
  if (!labels) {
    fprintf(stderr,
            "nab_score: %s: cannot read it (give the NAB folder with "
            "--nab DIR)\n",
            path);
    return NULL;
  }
  files = calloc((size_t)json_object_object_length(labels), sizeof(*files));
  it = json_object_iter_begin(labels);
  end = json_object_iter_end(labels);
  for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
    nab_file *f = &files[n++];
    size_t nw;

    f->name = strdup(json_object_iter_peek_name(&it));
    o = json_object_iter_peek_value(&it);
    snprintf(path, sizeof(path), "%s/data/%s", dir, f->name);
    if (read_csv(path, f) < 0)
      return NULL;
    nw = json_object_array_length(o);
    f->n_win = nw;
    f->win_lo = calloc(nw + 1, sizeof(size_t));
    f->win_hi = calloc(nw + 1, sizeof(size_t));
    for (size_t w = 0; w < nw; w++) {
      json_object *win = json_object_array_get_idx(o, w);
      long lo = find_row(
          f, json_object_get_string(json_object_array_get_idx(win, 0)));
      long hi = find_row(
          f, json_object_get_string(json_object_array_get_idx(win, 1)));

      if (lo < 0 || hi < lo) {
        fprintf(stderr, "nab_score: %s: window %zu matches no rows\n", f->name,
                w);
        return NULL;
      }
      f->win_lo[w] = (size_t)lo;
      f->win_hi[w] = (size_t)hi;
    }
  }
  json_object_put(labels);
  qsort(files, n, sizeof(*files), cmp_name);
  *n_out = n;
  return files;
}

/* ---------------------------------------------------------------- */
/* Scoring                                                           */
/* ---------------------------------------------------------------- */

static double scaled_sigmoid(double x)
{
  if (x >= 3.0)
    return -1.0;
  return 2 / (1 + exp(5 * x)) - 1.0;
}

static size_t probation(size_t n)
{
  double a = floor(0.15 * (double)n), b = 0.15 * 5000;

  return (size_t)(a < b ? a : b);
}

/* Per-row weighted score of a detection (NAB's sweep), the window it
 * lies in (-1: none), and whether it is scored at all. */
typedef struct row_score {
  double sweep;
  int win;
  int scored;
} row_score;

static void sweep_rows(const nab_file *f, const nab_profile *p, row_score *r)
{
  size_t prob = probation(f->n), w = 0;
  double max_tp = scaled_sigmoid(-1.0);
  long prev_hi = -1;
  double prev_width = 0;
  int in = -1;

  for (size_t i = 0; i < f->n; i++) {
    if (in < 0 && w < f->n_win && i == f->win_lo[w])
      in = (int)w++;
    if (in >= 0) {
      double width = (double)(f->win_hi[in] - f->win_lo[in] + 1);
      double pos = -((double)f->win_hi[in] - (double)i + 1) / width;

      r[i].sweep = scaled_sigmoid(pos) * p->tp / max_tp;
    } else {
      double pos = prev_hi < 0
                       ? 3.0
                       : fabs((double)prev_hi - (double)i) / (prev_width - 1);

      r[i].sweep = scaled_sigmoid(pos) * p->fp;
    }
    r[i].win = in;
    r[i].scored = i >= prob;
    if (in >= 0 && i == f->win_hi[in]) {
      prev_hi = (long)i;
      prev_width = (double)(f->win_hi[in] - f->win_lo[in] + 1);
      in = -1;
    }
  }
}

/* Raw score of a file at a threshold; *n_scorable_windows: windows that
 * have a scored row (the null detector pays for those). */
static double file_score(const nab_file *f, const row_score *r, double thr,
                         double fn_weight, size_t *n_scorable)
{
  double *best = calloc(f->n_win + 1, sizeof(double));
  char *seen = calloc(f->n_win + 1, 1);
  double fp = 0, total = 0;
  size_t ns = 0;

  for (size_t i = 0; i < f->n; i++) {
    if (!r[i].scored)
      continue;
    if (r[i].win >= 0 && !seen[r[i].win]) {
      seen[r[i].win] = 1;
      best[r[i].win] = -fn_weight;
      ns++;
    }
    if (!(f->score[i] >= thr))
      continue;
    if (r[i].win >= 0) {
      if (r[i].sweep > best[r[i].win])
        best[r[i].win] = r[i].sweep;
    } else {
      fp += r[i].sweep;
    }
  }
  for (size_t w = 0; w < f->n_win; w++)
    if (seen[w])
      total += best[w];
  free(best);
  free(seen);
  if (n_scorable)
    *n_scorable = ns;
  return total + fp;
}

/* Windows detected and false-positive rows at a threshold. */
static void count_hits(const nab_file *f, const row_score *r, double thr,
                       size_t *tp, size_t *fp, size_t *nw)
{
  char *hit = calloc(f->n_win + 1, 1), *seen = calloc(f->n_win + 1, 1);

  for (size_t i = 0; i < f->n; i++) {
    if (!r[i].scored)
      continue;
    if (r[i].win >= 0 && !seen[r[i].win]) {
      seen[r[i].win] = 1;
      (*nw)++;
    }
    if (!(f->score[i] >= thr))
      continue;
    if (r[i].win < 0)
      (*fp)++;
    else if (!hit[r[i].win]) {
      hit[r[i].win] = 1;
      (*tp)++;
    }
  }
  free(hit);
  free(seen);
}

/* ---------------------------------------------------------------- */
/* Detectors                                                         */
/* ---------------------------------------------------------------- */

typedef struct run_ctx {
  nab_file *f;
  size_t row;
} run_ctx;

static void on_episode(const an_episode *ep, void *arg)
{
  run_ctx *rc = arg;

  if (ep->phase != AN_EP_OPEN)
    return;
  if (ep->confidence > rc->f->score[rc->row])
    rc->f->score[rc->row] = ep->confidence;
}

/* Interval of a file: the median step between rows, in ns. */
static int64_t file_step_ns(const nab_file *f)
{
  int64_t steps[64];
  size_t n = 0;

  for (size_t i = 1; i < f->n && n < 64; i++)
    steps[n++] = f->t[i] - f->t[i - 1];
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && steps[j] < steps[j - 1]; j--) {
      int64_t x = steps[j];

      steps[j] = steps[j - 1];
      steps[j - 1] = x;
    }
  return (n ? steps[n / 2] : 300) * NS;
}

typedef struct tuning {
  double cooldown_steps; /* cooldown in rows */
  double relearn_steps;  /* relearn_after in rows */
  an_config cfg;
} tuning;

static void run_engine(nab_file *f, const tuning *tu)
{
  an_config c = tu->cfg;
  int64_t step = file_step_ns(f);
  run_ctx rc = {.f = f};
  an_engine *e;

  c.cooldown_ns = (int64_t)(tu->cooldown_steps * (double)step);
  c.latency.relearn_ns = (int64_t)(tu->relearn_steps * (double)step);
  c.jitter.relearn_ns = c.latency.relearn_ns;
  e = an_engine_new(&c, on_episode, &rc);
  for (size_t i = 0; i < f->n; i++) {
    rc.row = i;
    f->score[i] = 0;
    an_engine_sample(e, "nab", "nab", "value", AN_ROLE_LATENCY, 1, f->v[i],
                     f->t[i] * NS, 0);
  }
  an_engine_finish(e);
  an_engine_free(e);
}

static void run_detector(nab_file *f, const char *det, const tuning *tu)
{
  if (strcmp(det, "null") == 0) {
    for (size_t i = 0; i < f->n; i++)
      f->score[i] = 0.5;
  } else if (strcmp(det, "perfect") == 0) {
    for (size_t i = 0; i < f->n; i++)
      f->score[i] = 0;
    for (size_t w = 0; w < f->n_win; w++)
      f->score[f->win_lo[w]] = 1;
  } else if (strcmp(det, "random") == 0) {
    mt m;
    uint32_t key = 42;

    mt_seed_array(&m, &key, 1);
    for (size_t i = 0; i < f->n; i++)
      f->score[i] = mt_random(&m);
  } else {
    run_engine(f, tu);
  }
}

/* ---------------------------------------------------------------- */
/* Tuning from the command line: --set key=value                     */
/* ---------------------------------------------------------------- */

static int set_option(tuning *tu, const char *kv)
{
  char key[64];
  const char *eq = strchr(kv, '=');
  double v;
  char *end;

  if (!eq || (size_t)(eq - kv) >= sizeof(key))
    return -1;
  memcpy(key, kv, (size_t)(eq - kv));
  key[eq - kv] = '\0';
  v = strtod(eq + 1, &end);
  if (*end)
    return -1;
#define SET(name, field)                                                      \
  if (strcmp(key, name) == 0) {                                               \
    field = v;                                                                \
    return 0;                                                                 \
  }
  SET("cooldown", tu->cooldown_steps);
  SET("relearn", tu->relearn_steps);
  SET("z_short", tu->cfg.latency.z_short);
  SET("z_long", tu->cfg.latency.z_long);
  SET("short", tu->cfg.latency.short_n);
  SET("long", tu->cfg.latency.long_n);
  SET("base", tu->cfg.latency.base_n);
  SET("warmup", tu->cfg.latency.warmup_n);
  SET("block", tu->cfg.latency.block_n);
  SET("min_spread", tu->cfg.latency.min_spread);
  SET("rel_spread", tu->cfg.latency.rel_spread);
  SET("trend", tu->cfg.latency.trend_z);
  SET("accept", tu->cfg.latency.accept_score);
  SET("both", tu->cfg.latency.both_ways);
  SET("jz_short", tu->cfg.jitter.z_short);
  SET("jz_long", tu->cfg.jitter.z_long);
  SET("jshort", tu->cfg.jitter.short_n);
  SET("jmin_spread", tu->cfg.jitter.min_spread);
  SET("jrel_spread", tu->cfg.jitter.rel_spread);
  SET("w_jitter", tu->cfg.weight[AN_SIG_JITTER]);
  SET("open", tu->cfg.open_threshold);
  SET("close", tu->cfg.close_threshold);
#undef SET
  return -1;
}

/* The NAB settings of our detectors: the shipped defaults, except that
 * NAB's series are not latencies (drops count too, no ms floors) and
 * the times scale with the series' own step. */
static void tuning_default(tuning *tu, const char *det)
{
  an_config_default(&tu->cfg);
  tu->cfg.signals = strcmp(det, "fusion") == 0
                        ? AN_SIGBIT(AN_SIG_LATENCY) | AN_SIGBIT(AN_SIG_JITTER)
                        : AN_SIGBIT(AN_SIG_LATENCY);
  tu->cfg.latency.both_ways = 1;
  tu->cfg.latency.min_spread = 0;
  tu->cfg.jitter.min_spread = 0;
  /* NAB values are not ms: no effect-size bound */
  tu->cfg.latency.min_shift = 0;
  tu->cfg.jitter.min_shift = 0;
  tu->cooldown_steps = 30;
  tu->relearn_steps = 600;
}

/* ---------------------------------------------------------------- */

typedef struct corpus_score {
  double raw, null, perfect;
} corpus_score;

static double normalised(const corpus_score *s)
{
  return 100 * (s->raw - s->null) / (s->perfect - s->null);
}

static void corpus_at(nab_file *files, size_t n, row_score **rows,
                      const nab_profile *p, double thr, const char *cat,
                      corpus_score *out)
{
  memset(out, 0, sizeof(*out));
  for (size_t i = 0; i < n; i++) {
    size_t ns;

    if (cat && strncmp(files[i].name, cat, strlen(cat)) != 0)
      continue;
    out->raw += file_score(&files[i], rows[i], thr, p->fn, &ns);
    out->null -= p->fn * (double)ns;
    out->perfect += p->tp * (double)files[i].n_win;
  }
}

static int cmp_double_desc(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? 1 : x > y ? -1 : 0;
}

/* Best threshold: every distinct score of the corpus (and 1.1: none). */
static double optimise(nab_file *files, size_t n, row_score **rows,
                       const nab_profile *p)
{
  size_t total = 0, k = 0, nd = 0;
  double *all, best_thr = 1.1, best = -INFINITY;

  for (size_t i = 0; i < n; i++)
    total += files[i].n;
  all = malloc((total + 1) * sizeof(double));
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < files[i].n; j++)
      all[k++] = files[i].score[j];
  all[k++] = 1.1;
  qsort(all, k, sizeof(double), cmp_double_desc);
  for (size_t i = 0; i < k; i++) {
    corpus_score s;

    if (i > 0 && all[i] == all[i - 1])
      continue;
    /* many distinct scores (random): try at most 2000 quantiles */
    if (k > 4000 && nd++ % (k / 2000) != 0)
      continue;
    corpus_at(files, n, rows, p, all[i], NULL, &s);
    if (s.raw > best) {
      best = s.raw;
      best_thr = all[i];
    }
  }
  free(all);
  return best_thr;
}

/* The thresholds NAB's optimiser found for a published detector. */
static int read_thresholds(const char *dir, const char *det, double *thr)
{
  char path[4096];
  json_object *all, *d, *p, *t;

  snprintf(path, sizeof(path), "%s/config/thresholds.json", dir);
  all = json_object_from_file(path);
  if (!all || !json_object_object_get_ex(all, det, &d)) {
    fprintf(stderr, "nab_score: %s: no thresholds for detector %s\n", path,
            det);
    return -1;
  }
  for (int i = 0; i < N_PROFILES; i++) {
    if (!json_object_object_get_ex(d, nab_profiles[i].name, &p) ||
        !json_object_object_get_ex(p, "threshold", &t)) {
      fprintf(stderr, "nab_score: %s: %s has no %s threshold\n", path, det,
              nab_profiles[i].name);
      return -1;
    }
    thr[i] = json_object_get_double(t);
  }
  json_object_put(all);
  return 0;
}

static const char *const categories[] = {
    "artificialNoAnomaly/", "artificialWithAnomaly/", "realAdExchange/",
    "realAWSCloudwatch/",   "realKnownCause/",        "realTraffic/",
    "realTweets/",
};

int main(int argc, char **argv)
{
  const char *dir = "../shared/data/nab", *det = "latency";
  double given = NAN, given_p[N_PROFILES];
  const char *published = NULL;
  int per_file = 0;
  size_t n;
  nab_file *files;
  row_score **rows[N_PROFILES];
  tuning tu;
  struct timespec t0, t1;
  size_t total_rows = 0;

  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--detector") == 0 && i + 1 < argc)
      det = argv[++i];
  tuning_default(&tu, det);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--nab") == 0 && i + 1 < argc) {
      dir = argv[++i];
    } else if (strcmp(argv[i], "--detector") == 0 && i + 1 < argc) {
      i++;
    } else if (strcmp(argv[i], "--threshold") == 0 && i + 1 < argc) {
      given = strtod(argv[++i], NULL);
    } else if (strcmp(argv[i], "--published-threshold") == 0 && i + 1 < argc) {
      published = argv[++i];
    } else if (strcmp(argv[i], "--per-file") == 0) {
      per_file = 1;
    } else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
      if (set_option(&tu, argv[++i]) < 0) {
        fprintf(stderr, "nab_score: --set %s: unknown key or bad value\n",
                argv[i]);
        return 2;
      }
    } else {
      fprintf(stderr, "usage: nab_score [--nab DIR] [--detector "
                      "null|perfect|random|latency|fusion] [--threshold T] "
                      "[--published-threshold DETECTOR] "
                      "[--per-file] [--set KEY=VALUE]...\n");
      return 2;
    }
  }
  files = read_corpus(dir, &n);
  if (!files)
    return 1;
  for (int p = 0; p < N_PROFILES; p++)
    given_p[p] = given;
  if (published && read_thresholds(dir, published, given_p) < 0)
    return 1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (size_t i = 0; i < n; i++) {
    run_detector(&files[i], det, &tu);
    total_rows += files[i].n;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  for (int p = 0; p < N_PROFILES; p++) {
    rows[p] = calloc(n, sizeof(row_score *));
    for (size_t i = 0; i < n; i++) {
      rows[p][i] = calloc(files[i].n, sizeof(row_score));
      sweep_rows(&files[i], &nab_profiles[p], rows[p][i]);
    }
  }
  printf("nab_score: %zu files, %zu rows, detector %s (%.3f us/row)\n", n,
         total_rows, det,
         ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
          (double)(t1.tv_nsec - t0.tv_nsec)) /
             1e3 / (double)total_rows);
  for (int p = 0; p < N_PROFILES; p++) {
    const nab_profile *pr = &nab_profiles[p];
    double thr =
        isnan(given_p[p]) ? optimise(files, n, rows[p], pr) : given_p[p];
    corpus_score s;

    corpus_at(files, n, rows[p], pr, thr, NULL, &s);
    {
      size_t tp = 0, fp = 0, nw = 0;

      for (size_t i = 0; i < n; i++)
        count_hits(&files[i], rows[p][i], thr, &tp, &fp, &nw);
      printf("%-20s windows %zu/%zu detected, %zu false positives\n", pr->name,
             tp, nw, fp);
    }
    printf("%-20s score %9.5f  threshold %.6g  (raw %.3f, null %.3f, "
           "perfect %.3f)\n",
           pr->name, normalised(&s), thr, s.raw, s.null, s.perfect);
    if (p != 0)
      continue;
    for (size_t c = 0; c < sizeof(categories) / sizeof(categories[0]); c++) {
      corpus_score cs;

      corpus_at(files, n, rows[p], pr, thr, categories[c], &cs);
      if (cs.perfect - cs.null > 0)
        printf("  %-24s %7.2f\n", categories[c], normalised(&cs));
      else
        printf("  %-24s    (no windows; raw %.3f = %.0f false-positive "
               "cost)\n",
               categories[c], cs.raw, cs.raw);
    }
    if (per_file)
      for (size_t i = 0; i < n; i++) {
        size_t ns;

        printf("    %-60s %8.3f\n", files[i].name,
               file_score(&files[i], rows[p][i], thr, pr->fn, &ns));
      }
  }
  return 0;
}
