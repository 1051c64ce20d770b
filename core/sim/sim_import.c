/*
 * sim_import.c - simulation results into runs of kind "sim"
 * (docs/simulation.md).
 *
 * OMNeT++ files are read twice: a first pass checks every file and
 * learns the runs and result names, so that a malformed file stops the
 * import before the history is even opened (one FILE:LINE:COL line); the
 * second pass writes, all files in one transaction.  Memory does not
 * grow with the number of data lines.
 *
 * A CDF CSV (value,cumulative probability per line, the form MimicNet's
 * evaluation writes) becomes cdf_points samples drawn at evenly spaced
 * probabilities from the CDF, linearly interpolated.
 */
#include "config.h"

#include "sim_import.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "omnetpp_parse.h"
#include "sim_stats.h"
#include "store.h"

/* ------------------------------------------------------------------ */
/* Mappings                                                             */
/* ------------------------------------------------------------------ */

typedef struct si_unit {
  const char *name;
  double scale;
} si_unit;

static const si_unit si_time_units[] = {
    {"s", 1e3}, {"ms", 1}, {"us", 1e-3}, {"ns", 1e-6}, {NULL, 0}};
static const si_unit si_loss_units[] = {
    {"ratio", 100}, {"percent", 1}, {"pct", 1}, {"%", 1}, {NULL, 0}};
static const si_unit si_rate_units[] = {
    {"bps", 1},    {"bit/s", 1}, {"kbps", 1e3}, {"Mbps", 1e6},
    {"Gbps", 1e9}, {"Bps", 8},   {"B/s", 8},    {NULL, 0}};

int sim_map_add(sim_maps *m, const char *spec, char *err, size_t errlen)
{
  const char *eq = strrchr(spec, '=');
  char role[32], unit[16] = "";
  const char *colon;
  sim_map e;
  const si_unit *units = NULL;

  memset(&e, 0, sizeof(e));
  if (!eq || eq == spec || !eq[1]) {
    snprintf(err, errlen,
             "'%s' is not NAME=ROLE[:UNIT] (e.g. 'total delay=latency:s')",
             spec);
    return -1;
  }
  colon = strchr(eq + 1, ':');
  snprintf(role, sizeof(role), "%.*s",
           (int)(colon ? (size_t)(colon - eq - 1) : strlen(eq + 1)), eq + 1);
  if (colon)
    snprintf(unit, sizeof(unit), "%s", colon + 1);
  e.role = store_role_parse(role);
  switch (e.role) {
  case BN_ROLE_LATENCY:
  case BN_ROLE_JITTER:
    units = si_time_units;
    e.unit_out = "ms";
    if (!unit[0])
      snprintf(unit, sizeof(unit), "s");
    break;
  case BN_ROLE_LOSS:
    units = si_loss_units;
    e.unit_out = "percent";
    if (!unit[0])
      snprintf(unit, sizeof(unit), "ratio");
    break;
  case BN_ROLE_THROUGHPUT:
    units = si_rate_units;
    e.unit_out = "bit/s";
    if (!unit[0])
      snprintf(unit, sizeof(unit), "bps");
    break;
  case BN_ROLE_COUNT:
  case BN_ROLE_GAUGE:
    e.scale = 1;
    if (!unit[0])
      snprintf(unit, sizeof(unit), "1");
    break;
  default:
    snprintf(err, errlen,
             "'%s': unknown role '%s'; use latency, jitter, loss, "
             "throughput, count or gauge",
             spec, role);
    return -1;
  }
  snprintf(e.unit_in, sizeof(e.unit_in), "%s", unit);
  if (units) {
    const si_unit *u;

    for (u = units; u->name; u++)
      if (!strcmp(u->name, unit))
        break;
    if (!u->name) {
      char list[96] = "";

      for (u = units; u->name; u++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
                 u == units ? "" : ", ", u->name);
      snprintf(err, errlen, "'%s': unit '%s' is not one of %s for %s", spec,
               unit, list, role);
      return -1;
    }
    e.scale = u->scale;
  } else {
    e.unit_out = NULL; /* the stored unit is unit_in */
  }
  e.pattern = strndup(spec, (size_t)(eq - spec));
  if (!e.pattern) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 8;
    sim_map *g = realloc(m->v, cap * sizeof(*g));

    if (!g) {
      free(e.pattern);
      snprintf(err, errlen, "out of memory");
      return -1;
    }
    m->v = g;
    m->cap = cap;
  }
  m->v[m->n++] = e;
  return 0;
}

int sim_map_file(sim_maps *m, const char *path, char *err, size_t errlen)
{
  FILE *fp = fopen(path, "r");
  char *line = NULL, msg[256];
  size_t cap = 0, lineno = 0;
  ssize_t len;
  int rc = 0;

  if (!fp) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  while (rc == 0 && (len = getline(&line, &cap, fp)) >= 0) {
    char *p = line;

    lineno++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
                       line[len - 1] == ' ' || line[len - 1] == '\t'))
      line[--len] = 0;
    p += strspn(p, " \t");
    if (!*p || *p == '#')
      continue;
    if (sim_map_add(m, p, msg, sizeof(msg)) != 0) {
      snprintf(err, errlen, "%s:%zu: %s", path, lineno, msg);
      rc = -1;
    }
  }
  free(line);
  fclose(fp);
  return rc;
}

void sim_maps_free(sim_maps *m)
{
  for (size_t i = 0; i < m->n; i++)
    free(m->v[i].pattern);
  free(m->v);
  memset(m, 0, sizeof(*m));
}

const sim_map *sim_map_find(const sim_maps *m, const char *name)
{
  for (size_t i = 0; i < m->n; i++)
    if (!fnmatch(m->v[i].pattern, name, FNM_CASEFOLD))
      return &m->v[i];
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Import state                                                         */
/* ------------------------------------------------------------------ */

typedef struct si_metric {
  char *name;
  bn_metric_role role;
  char unit[32];
  double scale;
  int mapped;
} si_metric;

typedef struct si_run {
  char *runid;
  int64_t base_ns;  /* the run's datetime attr (UTC), or the import time */
  int64_t store_id; /* 0 until written */
  int64_t last_ns;
  size_t samples, vectors, scalars;
  char *config, *repetition, *seed;
  char probe[96]; /* probe instance: omnetpp/CONFIGNAME, or cdf */
  size_t *mets;   /* the metrics (indexes into si_state.m) it has */
  size_t n_mets;
} si_run;

typedef struct si_vec {
  int declared;
  size_t metric;
  char *target;
} si_vec;

typedef struct si_state {
  const sim_import_opts *o;
  const sim_maps *maps;
  si_metric *m;
  size_t n_m;
  si_run *runs;
  size_t n_runs;
  si_vec *vecs; /* per vector id, of the current file */
  size_t n_vecs;
  store *s;
  int write;
  int64_t now_ns;
  size_t skipped; /* NaN or infinite values */
  size_t statistics;
} si_state;

static int si_fail(const char *path, size_t line, size_t col, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

/* The one error line: FILE:LINE:COL: message; nothing imported. */
static int si_fail(const char *path, size_t line, size_t col, const char *fmt,
                   ...)
{
  va_list ap;

  fprintf(stderr, "%s:%zu:%zu: ", path, line, col);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "; nothing imported\n");
  return -1;
}

static size_t si_metric_get(si_state *st, const char *name, const char *unit)
{
  const sim_map *mp;
  si_metric *e;

  for (size_t i = 0; i < st->n_m; i++)
    if (!strcmp(st->m[i].name, name))
      return i;
  e = realloc(st->m, (st->n_m + 1) * sizeof(*e));
  if (!e)
    return (size_t)-1;
  st->m = e;
  e = &st->m[st->n_m];
  memset(e, 0, sizeof(*e));
  e->name = strdup(name);
  if (!e->name)
    return (size_t)-1;
  mp = sim_map_find(st->maps, name);
  if (mp) {
    e->mapped = 1;
    e->role = mp->role;
    e->scale = mp->scale;
    snprintf(e->unit, sizeof(e->unit), "%s",
             mp->unit_out ? mp->unit_out : mp->unit_in);
  } else {
    e->role = BN_ROLE_GAUGE;
    e->scale = 1;
    snprintf(e->unit, sizeof(e->unit), "%s", unit ? unit : "1");
  }
  return st->n_m++;
}

static si_run *si_run_get(si_state *st, const char *runid)
{
  si_run *r;

  for (size_t i = 0; i < st->n_runs; i++)
    if (!strcmp(st->runs[i].runid, runid))
      return &st->runs[i];
  r = realloc(st->runs, (st->n_runs + 1) * sizeof(*r));
  if (!r)
    return NULL;
  st->runs = r;
  r = &st->runs[st->n_runs];
  memset(r, 0, sizeof(*r));
  r->runid = strdup(runid);
  if (!r->runid)
    return NULL;
  r->base_ns = st->now_ns;
  snprintf(r->probe, sizeof(r->probe), "%s",
           !strcmp(st->o->format, "omnetpp") ? "omnetpp" : "cdf");
  st->n_runs++;
  return r;
}

/* OMNeT++'s datetime attr, "YYYYMMDD-HH:MM:SS", read as UTC. */
static int si_datetime(const char *s, int64_t *ns)
{
  struct tm tm;
  int y, mo, d, h, mi, sec, n = 0;
  time_t t;

  if (sscanf(s, "%4d%2d%2d-%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) !=
          6 ||
      s[n] || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      sec > 60)
    return -1;
  memset(&tm, 0, sizeof(tm));
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  t = timegm(&tm);
  if (t == (time_t)-1)
    return -1;
  *ns = (int64_t)t * 1000000000LL;
  return 0;
}

static int si_dupset(char **dst, const char *v)
{
  char *c = strdup(v);

  if (!c)
    return -1;
  free(*dst);
  *dst = c;
  return 0;
}

static int si_attr(si_state *st, si_run *run, const char *prefix,
                   const char *key, const char *value)
{
  char k[512];

  if (!st->write)
    return 0;
  snprintf(k, sizeof(k), "%s%s", prefix, key);
  return store_run_attr_put(st->s, run->store_id, k, value) == BN_OK ? 0 : -1;
}

/* Remember (pass 1) that `run` has results named like metric `m`. */
static int si_run_uses(si_state *st, si_run *run, size_t m)
{
  size_t *g;

  if (m == (size_t)-1)
    return -1;
  if (st->write)
    return 0;
  for (size_t i = 0; i < run->n_mets; i++)
    if (run->mets[i] == m)
      return 0;
  g = realloc(run->mets, (run->n_mets + 1) * sizeof(*g));
  if (!g)
    return -1;
  run->mets = g;
  run->mets[run->n_mets++] = m;
  return 0;
}

static int si_sample(si_state *st, si_run *run, const char *target,
                     const si_metric *m, double value, int64_t wall_ns)
{
  bn_sample smp = {BN_INIT(bn_sample), .target = target,
                   .metric = m->name,  .value = value * m->scale,
                   .wall_ns = wall_ns, .mono_ns = wall_ns,
                   .flags = 0};

  if (!isfinite(smp.value)) {
    st->skipped++;
    return 0;
  }
  run->samples++;
  if (wall_ns > run->last_ns)
    run->last_ns = wall_ns;
  if (!st->write)
    return 0;
  return store_add_sample(st->s, run->store_id, run->probe, &smp) == BN_OK
             ? 0
             : -1;
}

/* Begin the store run of `r` in the write pass (once). */
static int si_run_begin(si_state *st, si_run *r, const char *profile)
{
  char host[256] = "";
  store_run_meta meta = {host, profile, NULL, PACKAGE_VERSION, r->base_ns};

  if (!st->write || r->store_id)
    return 0;
  gethostname(host, sizeof(host) - 1);
  if (store_run_begin(st->s, &meta, &r->store_id) != BN_OK ||
      store_run_set_kind(st->s, r->store_id, "sim") != BN_OK ||
      store_run_attr_put(st->s, r->store_id, "runid", r->runid) != BN_OK)
    return -1;
  r->samples = r->vectors = r->scalars = 0;
  r->last_ns = r->base_ns;
  return 0;
}

/* ------------------------------------------------------------------ */
/* OMNeT++ files                                                        */
/* ------------------------------------------------------------------ */

static int si_vec_set(si_state *st, uint32_t id, size_t metric,
                      const char *target)
{
  if (id >= st->n_vecs) {
    size_t n = st->n_vecs ? st->n_vecs : 64;
    si_vec *g;

    while (n <= id)
      n *= 2;
    g = realloc(st->vecs, n * sizeof(*g));
    if (!g)
      return -1;
    memset(g + st->n_vecs, 0, (n - st->n_vecs) * sizeof(*g));
    st->vecs = g;
    st->n_vecs = n;
  }
  st->vecs[id].declared = 1;
  st->vecs[id].metric = metric;
  free(st->vecs[id].target);
  st->vecs[id].target = strdup(target);
  return st->vecs[id].target ? 0 : -1;
}

static void si_vecs_reset(si_state *st)
{
  for (size_t i = 0; i < st->n_vecs; i++) {
    free(st->vecs[i].target);
    st->vecs[i].target = NULL;
    st->vecs[i].declared = 0;
  }
}

static int si_omnetpp_file(si_state *st, const char *path)
{
  FILE *fp;
  omn_parser *p;
  char *line = NULL;
  size_t cap = 0, lineno = 0, item_metric = (size_t)-1;
  ssize_t len;
  si_run *run = NULL;
  int rc = 0;
  size_t n = strlen(path);

  if (n > 4 && !strcmp(path + n - 4, ".vci"))
    return si_fail(path, 1, 1,
                   "an index file; import the .vec file beside it instead");
  fp = fopen(path, "r");
  if (!fp) {
    fprintf(stderr, "bottleneck import: %s: %s; nothing imported\n", path,
            strerror(errno));
    return -1;
  }
  p = omn_new();
  if (!p) {
    fclose(fp);
    return -1;
  }
  si_vecs_reset(st);
  while (rc == 0 && (len = getline(&line, &cap, fp)) >= 0) {
    omn_line l;
    omn_error err;
    const char *target;

    lineno++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = 0;
    if (omn_parse_line(p, line, (size_t)len, &l, &err) != 0) {
      rc = si_fail(path, lineno, err.col, "%s", err.msg);
      break;
    }
    switch (l.kind) {
    case OMN_RUN:
      run = si_run_get(st, l.tok[0]);
      if (!run || si_run_begin(st, run, "sim-omnetpp") != 0)
        rc = -1;
      break;
    case OMN_ATTR:
      if (l.scope == OMN_SCOPE_RUN) {
        if (!strcmp(l.tok[0], "datetime") && !st->write)
          si_datetime(l.tok[1], &run->base_ns);
        if (!strcmp(l.tok[0], "configname")) {
          rc = si_dupset(&run->config, l.tok[1]);
          if (!st->write)
            snprintf(run->probe, sizeof(run->probe), "omnetpp/%s", l.tok[1]);
        } else if (!strcmp(l.tok[0], "repetition"))
          rc = si_dupset(&run->repetition, l.tok[1]);
        else if (!strcmp(l.tok[0], "seedset"))
          rc = si_dupset(&run->seed, l.tok[1]);
        if (rc == 0)
          rc = si_attr(st, run, "", l.tok[0], l.tok[1]);
      } else if ((l.scope == OMN_SCOPE_VECTOR ||
                  l.scope == OMN_SCOPE_SCALAR) &&
                 !strcmp(l.tok[0], "unit") && item_metric != (size_t)-1 &&
                 !st->m[item_metric].mapped && !st->write)
        snprintf(st->m[item_metric].unit, sizeof(st->m[item_metric].unit),
                 "%s", l.tok[1]);
      break;
    case OMN_PARAM:
      rc = si_attr(st, run, "param ", l.tok[0], l.tok[1]);
      break;
    case OMN_ITERVAR:
      rc = si_attr(st, run, "itervar ", l.tok[0], l.tok[1]);
      break;
    case OMN_CONFIG:
      rc = si_attr(st, run, "config ", l.tok[0], l.tok[1]);
      break;
    case OMN_VECTOR:
      target = st->o->target ? st->o->target : l.tok[1];
      item_metric = si_metric_get(st, l.tok[2], NULL);
      if (si_run_uses(st, run, item_metric) != 0 ||
          si_vec_set(st, l.vector_id, item_metric, target) != 0)
        rc = -1;
      run->vectors++;
      break;
    case OMN_SCALAR:
      target = st->o->target ? st->o->target : l.tok[0];
      item_metric = si_metric_get(st, l.tok[1], NULL);
      if (si_run_uses(st, run, item_metric) != 0)
        rc = -1;
      else
        rc = si_sample(st, run, target, &st->m[item_metric], l.num,
                       run->base_ns);
      run->scalars++;
      break;
    case OMN_STATISTIC:
      item_metric = (size_t)-1;
      st->statistics++;
      break;
    case OMN_DATA: {
      const si_vec *v = &st->vecs[l.vector_id];

      rc = si_sample(st, run, v->target, &st->m[v->metric], l.value,
                     run->base_ns +
                         (l.has_time ? (int64_t)llround(l.time * 1e9) : 0));
      break;
    }
    default:
      break;
    }
  }
  if (rc == 0 && ferror(fp)) {
    fprintf(stderr, "bottleneck import: %s: read error; nothing imported\n",
            path);
    rc = -1;
  }
  if (rc == 0) {
    omn_error err;

    if (omn_finish(p, &err) != 0)
      rc = si_fail(path, lineno ? lineno : 1, err.col, "%s", err.msg);
  }
  free(line);
  omn_free(p);
  fclose(fp);
  return rc;
}

/* ------------------------------------------------------------------ */
/* CDF CSV files                                                        */
/* ------------------------------------------------------------------ */

static int si_csv_number(const char *s, double *v)
{
  char *end;

  if (!*s)
    return -1;
  errno = 0;
  *v = strtod(s, &end);
  return errno || *end || !isfinite(*v) ? -1 : 0;
}

static int si_cdf_file(si_state *st, si_run *run, const char *path)
{
  FILE *fp = fopen(path, "r");
  char *line = NULL, name[256];
  size_t cap = 0, lineno = 0, n = 0, cap_pts = 0;
  double *x = NULL, *cp = NULL;
  ssize_t len;
  int rc = 0;
  const char *base = strrchr(path, '/');
  size_t bl, metric;

  if (!fp) {
    fprintf(stderr, "bottleneck import: %s: %s; nothing imported\n", path,
            strerror(errno));
    return -1;
  }
  base = base ? base + 1 : path;
  bl = strlen(base);
  if (bl > 4 && !strcasecmp(base + bl - 4, ".csv"))
    bl -= 4;
  snprintf(name, sizeof(name), "%.*s", (int)bl, base);
  while (rc == 0 && (len = getline(&line, &cap, fp)) >= 0) {
    char *f0, *f1, *comma;
    size_t c0, c1;
    double v, p;

    lineno++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = 0;
    c0 = strspn(line, " \t");
    if (!line[c0] || line[c0] == '#')
      continue;
    comma = strchr(line, ',');
    if (!comma) {
      rc = si_fail(path, lineno, (size_t)len + 1,
                   "want 'value,cumulative probability', found no comma");
      break;
    }
    *comma = 0;
    if (strchr(comma + 1, ',')) {
      rc = si_fail(path, lineno, (size_t)(strchr(comma + 1, ',') - line) + 1,
                   "more than two fields (want 'value,cumulative "
                   "probability')");
      break;
    }
    f0 = line + c0;
    for (char *e = comma; e > f0 && (e[-1] == ' ' || e[-1] == '\t');)
      *--e = 0;
    c1 = (size_t)(comma - line) + 1;
    c1 += strspn(comma + 1, " \t");
    f1 = line + c1;
    for (char *e = line + len; e > f1 && (e[-1] == ' ' || e[-1] == '\t');)
      *--e = 0;
    if (si_csv_number(f0, &v) != 0) {
      if (!n && lineno == 1)
        continue; /* a header */
      rc = si_fail(path, lineno, c0 + 1, "value '%s' is not a finite number",
                   f0);
      break;
    }
    if (si_csv_number(f1, &p) != 0 || p < 0 || p > 1) {
      rc =
          si_fail(path, lineno, c1 + 1,
                  "cumulative probability '%s' is not a number in [0, 1]", f1);
      break;
    }
    if (n && v < x[n - 1]) {
      rc = si_fail(path, lineno, c0 + 1,
                   "value %s is below the previous one; sort the CDF by value",
                   f0);
      break;
    }
    if (n && p < cp[n - 1]) {
      rc =
          si_fail(path, lineno, c1 + 1,
                  "cumulative probability %s decreases; a CDF never does", f1);
      break;
    }
    if (n == cap_pts) {
      size_t c = cap_pts ? cap_pts * 2 : 256;
      double *gx = realloc(x, c * sizeof(*gx)), *gp;

      if (gx)
        x = gx;
      gp = gx ? realloc(cp, c * sizeof(*gp)) : NULL;
      if (!gx || !gp) {
        rc = -1;
        break;
      }
      cp = gp;
      cap_pts = c;
    }
    x[n] = v;
    cp[n++] = p;
  }
  if (rc == 0 && n < 2)
    rc = si_fail(path, lineno ? lineno : 1, 1,
                 "a CDF needs at least two points (value,cumulative "
                 "probability)");
  if (rc == 0) {
    metric = si_metric_get(st, name, NULL);
    if (si_run_uses(st, run, metric) != 0)
      rc = -1;
    /* Without a mapping a CDF is a latency in ms. */
    if (rc == 0 && !st->m[metric].mapped) {
      st->m[metric].role = BN_ROLE_LATENCY;
      snprintf(st->m[metric].unit, sizeof(st->m[metric].unit), "ms");
    }
    for (size_t i = 0; rc == 0 && i < st->o->cdf_points; i++) {
      double pr = ((double)i + 0.5) / (double)st->o->cdf_points;

      rc = si_sample(st, run, st->o->target ? st->o->target : "sim",
                     &st->m[metric], sim_cdf_inverse(x, cp, n, pr * cp[n - 1]),
                     run->base_ns + (int64_t)i * 1000000);
    }
    run->vectors++;
  }
  free(x);
  free(cp);
  free(line);
  fclose(fp);
  return rc;
}

/* ------------------------------------------------------------------ */
/* Driver                                                               */
/* ------------------------------------------------------------------ */

static int si_pass(si_state *st, char **files, int n_files)
{
  int cdf = !strcmp(st->o->format, "cdf-csv");
  si_run *run = NULL;

  if (cdf) {
    run = si_run_get(st, "cdf-csv");
    if (!run || si_run_begin(st, run, "sim-cdf") != 0)
      return -1;
  }
  for (int i = 0; i < n_files; i++) {
    if (cdf) {
      if (si_cdf_file(st, run, files[i]) != 0)
        return -1;
      if (st->write &&
          store_run_attr_put(st->s, run->store_id, "file", files[i]) != BN_OK)
        return -1;
    } else if (si_omnetpp_file(st, files[i]) != 0) {
      return -1;
    }
  }
  return 0;
}

/* Each run's metrics under its probe instance (omnetpp/CONFIGNAME), so
 * that runs of different models do not share a name's meaning. */
static int si_declare(si_state *st)
{
  int rc = BN_OK;

  for (size_t r = 0; r < st->n_runs && rc == BN_OK; r++) {
    const si_run *run = &st->runs[r];
    bn_metric *d = calloc(run->n_mets + 1, sizeof(*d));

    if (!d)
      return BN_ENOMEM;
    for (size_t i = 0; i < run->n_mets; i++) {
      const si_metric *m = &st->m[run->mets[i]];

      d[i].name = m->name;
      d[i].unit = m->unit;
      d[i].role = m->role;
      d[i].agg = m->role == BN_ROLE_LATENCY || m->role == BN_ROLE_JITTER
                     ? BN_AGG_DISTRIBUTION
                     : BN_AGG_MEAN;
      d[i].help = "imported simulation result";
    }
    rc = store_declare_metrics(st->s, run->probe, d);
    free(d);
  }
  return rc;
}

static const char *const si_default_maps[] = {
    "*delay=latency:s", "*latency=latency:s", "*jitter=jitter:s", NULL};

int sim_import(const sim_import_opts *o, char **files, int n_files)
{
  si_state st;
  sim_maps defaults = {NULL, 0, 0};
  char path[4096], err[256];
  const char *db = o->db;
  int status = CLI_EXIT_OK, rc;
  struct timespec ts;

  memset(&st, 0, sizeof(st));
  st.o = o;
  clock_gettime(CLOCK_REALTIME, &ts);
  st.now_ns = (int64_t)ts.tv_sec * 1000000000LL;
  st.maps = &o->maps;
  if (!o->maps.n) {
    for (int i = 0; si_default_maps[i]; i++)
      if (sim_map_add(&defaults, si_default_maps[i], err, sizeof(err)) != 0) {
        fprintf(stderr, "bottleneck import: %s\n", err);
        status = CLI_EXIT_FAILURE;
        goto out;
      }
    st.maps = &defaults;
  }

  /* pass 1: check everything, learn runs and names */
  if (si_pass(&st, files, n_files) != 0) {
    status = CLI_EXIT_FAILURE;
    goto out;
  }
  if (!st.n_runs) {
    fprintf(stderr, "bottleneck import: no run in the files; nothing "
                    "imported\n");
    status = CLI_EXIT_FAILURE;
    goto out;
  }
  /* pass 2: write, one transaction */
  if (!db && store_default_path(path, sizeof(path)) == 0)
    db = path;
  if (!db || store_open(db, &st.s) != 0) {
    status = CLI_EXIT_STORE;
    goto out;
  }
  st.write = 1;
  st.skipped = 0;
  st.statistics = 0;
  rc = store_hold_begin(st.s);
  if (rc == BN_OK)
    rc = si_declare(&st);
  if (rc == BN_OK && si_pass(&st, files, n_files) != 0)
    rc = BN_EIO;
  for (size_t i = 0; rc == BN_OK && i < st.n_runs; i++)
    rc = store_run_end(st.s, st.runs[i].store_id, st.runs[i].last_ns, 0);
  if (store_hold_end(st.s, rc == BN_OK) != BN_OK && rc == BN_OK)
    rc = BN_EIO;
  if (rc != BN_OK) {
    fprintf(stderr,
            "bottleneck import: writing %s failed; nothing "
            "imported\n",
            db);
    status = CLI_EXIT_STORE;
    goto out;
  }
  for (size_t i = 0; i < st.n_runs; i++) {
    const si_run *r = &st.runs[i];

    printf("imported %zu samples of %zu series and %zu scalar(s) as sim "
           "run %lld (run id %s",
           r->samples, r->vectors, r->scalars, (long long)r->store_id,
           r->runid);
    if (r->config)
      printf(", config %s", r->config);
    if (r->repetition)
      printf(", repetition %s", r->repetition);
    if (r->seed)
      printf(", seedset %s", r->seed);
    printf(")\n");
  }
  if (st.skipped)
    printf("skipped %zu NaN or infinite value(s)\n", st.skipped);
  for (size_t i = 0; i < st.n_m; i++)
    if (st.m[i].mapped)
      printf("  %s -> %s in %s\n", st.m[i].name, bn_role_name(st.m[i].role),
             st.m[i].unit);
out:
  if (st.s)
    store_close(st.s);
  for (size_t i = 0; i < st.n_m; i++)
    free(st.m[i].name);
  free(st.m);
  for (size_t i = 0; i < st.n_runs; i++) {
    free(st.runs[i].runid);
    free(st.runs[i].config);
    free(st.runs[i].repetition);
    free(st.runs[i].seed);
    free(st.runs[i].mets);
  }
  free(st.runs);
  si_vecs_reset(&st);
  free(st.vecs);
  sim_maps_free(&defaults);
  return status;
}
