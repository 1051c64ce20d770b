/*
 * cli_compare.c - `bottleneck compare`: a simulated run (imported with
 * `import --format omnetpp|cdf-csv`) against measured data.
 *
 *   bottleneck compare --sim RUN (--real RUN | --since T [--until T])
 *                      [--target T] [--json] [--html FILE] [--db PATH]
 *
 * Every series of the sim run whose role is latency, jitter, loss or
 * throughput is matched with the measured values of the same role and
 * unit (all targets pooled, or only --target T), and the two empirical
 * distributions compared: the Kolmogorov-Smirnov distance (largest gap
 * between the CDFs), the Wasserstein distance (area between them, in the
 * metric's unit) and the differences sim - real at p50, p90 and p99.
 * --html FILE also writes the two CDFs overlaid and a Q-Q view per
 * metric, with the distances on the chart (sim_chart.c).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "json_out.h"
#include "report_model.h"
#include "sim_chart.h"
#include "sim_stats.h"
#include "stats.h"
#include "store.h"

typedef struct cmp_group {
  char *target, *metric, *role, *unit;
  double *v;
  size_t n, cap;
} cmp_group;

typedef struct cmp_set {
  cmp_group *g;
  size_t n;
  int pool; /* group by role and unit only */
  int oom;
} cmp_set;

static int cmp_matchable(const char *role)
{
  return role && (!strcmp(role, "latency") || !strcmp(role, "jitter") ||
                  !strcmp(role, "loss") || !strcmp(role, "throughput"));
}

static int cmp_add(const char *target, const char *metric, const char *role,
                   const char *unit, double value, void *arg)
{
  cmp_set *set = arg;
  cmp_group *g = NULL;

  if (!cmp_matchable(role) || !isfinite(value))
    return 0;
  for (size_t i = set->n; i-- > 0;) {
    cmp_group *c = &set->g[i];

    if (!strcmp(c->role, role) && !strcmp(c->unit, unit) &&
        (set->pool ||
         (!strcmp(c->target, target) && !strcmp(c->metric, metric)))) {
      g = c;
      break;
    }
  }
  if (!g) {
    cmp_group *n = realloc(set->g, (set->n + 1) * sizeof(*n));

    if (!n)
      goto oom;
    set->g = n;
    g = &set->g[set->n];
    memset(g, 0, sizeof(*g));
    g->target = strdup(set->pool ? "*" : target);
    g->metric = strdup(set->pool ? "*" : metric);
    g->role = strdup(role);
    g->unit = strdup(unit);
    set->n++;
    if (!g->target || !g->metric || !g->role || !g->unit)
      goto oom;
  }
  if (g->n == g->cap) {
    size_t c = g->cap ? g->cap * 2 : 256;
    double *nv = realloc(g->v, c * sizeof(*nv));

    if (!nv)
      goto oom;
    g->v = nv;
    g->cap = c;
  }
  g->v[g->n++] = value;
  return 0;
oom:
  set->oom = 1;
  return 1;
}

static void cmp_free(cmp_set *set)
{
  for (size_t i = 0; i < set->n; i++) {
    free(set->g[i].target);
    free(set->g[i].metric);
    free(set->g[i].role);
    free(set->g[i].unit);
    free(set->g[i].v);
  }
  free(set->g);
}

static int cmp_dbl(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static void cmp_usage(FILE *f)
{
  fprintf(f,
          "Usage: bottleneck compare --sim RUN (--real RUN | --since T "
          "[--until T])\n"
          "                          [--target T] [--json] [--db PATH]\n"
          "\n"
          "Compare a simulated run (import --format omnetpp|cdf-csv) with\n"
          "measured data: per sim series of role latency, jitter, loss or\n"
          "throughput, against the measured values of the same role and "
          "unit:\n"
          "the Kolmogorov-Smirnov distance (0..1), the Wasserstein distance\n"
          "(in the unit) and the differences sim - real at p50, p90, p99.\n"
          "      --sim RUN       the simulated run (kind sim)\n"
          "      --real RUN      a measured run\n"
          "      --since T       or every measured run's values from T (24h,\n"
          "                      7d, 2026-11-24T10:00) ...\n"
          "      --until T       ... until T\n"
          "      --target T      only the measured target T\n"
          "      --json          JSON instead of a table\n"
          "      --html FILE     also write the CDFs overlaid and a Q-Q view\n"
          "\n"
          "Exit status: 0 compared, 1 nothing to compare, 2 usage, 5 store "
          "error.\n");
}

static int cmp_run_arg(const char *opt, const char *s, int64_t *out)
{
  char *end;
  long long v;

  errno = 0;
  v = strtoll(s, &end, 10);
  if (errno || *end || !*s || v <= 0) {
    fprintf(stderr,
            "bottleneck compare: %s '%s': want a run id (see "
            "'bottleneck report --list')\n",
            opt, s);
    return -1;
  }
  *out = v;
  return 0;
}

typedef struct cmp_row {
  const cmp_group *sim, *real;
  double ks, w1, p[3][2]; /* p50, p90, p99: sim, real */
} cmp_row;

static const double cmp_pcts[3] = {50, 90, 99};

static void cmp_json_num(FILE *o, double v)
{
  if (isfinite(v))
    fprintf(o, "%.9g", v);
  else
    fputs("null", o);
}

/* The overlay page, written beside FILE and renamed into place. */
static int cmp_html(const char *path, const cmp_row *rows, size_t n,
                    int64_t sim_run, int64_t real_run, const char *since)
{
  sim_chart_series *cs = calloc(n + 1, sizeof(*cs));
  char(*titles)[300] = calloc(n + 1, sizeof(*titles));
  char heading[160], tmp[4096];
  FILE *f = NULL;
  int rc = -1;

  if (!cs || !titles)
    goto out;
  for (size_t i = 0; i < n; i++) {
    snprintf(titles[i], sizeof(titles[i]), "%s/%s (%s)", rows[i].sim->target,
             rows[i].sim->metric, rows[i].sim->role);
    cs[i] = (sim_chart_series){
        titles[i],       rows[i].sim->unit, rows[i].sim->v, rows[i].sim->n,
        rows[i].real->v, rows[i].real->n,   rows[i].ks,     rows[i].w1};
  }
  if (real_run)
    snprintf(heading, sizeof(heading),
             "sim run %lld against measured run %lld", (long long)sim_run,
             (long long)real_run);
  else
    snprintf(heading, sizeof(heading),
             "sim run %lld against measured runs since %s", (long long)sim_run,
             since);
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  errno = 0;
  f = fopen(tmp, "w");
  if (f) {
    rc = sim_chart_html(f, heading, cs, n);
    if (fclose(f) != 0 || rc != 0 || rename(tmp, path) != 0) {
      rc = -1;
      remove(tmp);
    }
  }
  if (rc != 0) {
    fprintf(stderr, "bottleneck compare: --html %s: %s\n", path,
            strerror(errno ? errno : EIO));
    goto out;
  }
out:
  free(cs);
  free(titles);
  return rc;
}

int cli_compare(int argc, char **argv)
{
  enum {
    O_DB = 256,
    O_SIM,
    O_REAL,
    O_SINCE,
    O_UNTIL,
    O_TARGET,
    O_JSON,
    O_HTML
  };
  static const struct option longopts[] = {
      {"db", required_argument, NULL, O_DB},
      {"sim", required_argument, NULL, O_SIM},
      {"real", required_argument, NULL, O_REAL},
      {"since", required_argument, NULL, O_SINCE},
      {"until", required_argument, NULL, O_UNTIL},
      {"target", required_argument, NULL, O_TARGET},
      {"json", no_argument, NULL, O_JSON},
      {"html", required_argument, NULL, O_HTML},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *db = NULL, *since = NULL, *until = NULL, *target = NULL,
             *html = NULL;
  int64_t sim_run = 0, real_run = 0, since_ns = 0, until_ns = 0, now;
  int c, json = 0, status = CLI_EXIT_OK;
  char path[4096], kind[32];
  store *s = NULL;
  cmp_set sim = {NULL, 0, 0, 0}, real = {NULL, 0, 1, 0};
  cmp_row *rows = NULL;
  size_t n_rows = 0;
  struct timespec ts;

  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case O_DB:
      db = optarg;
      break;
    case O_SIM:
      if (cmp_run_arg("--sim", optarg, &sim_run) != 0)
        return CLI_EXIT_USAGE;
      break;
    case O_REAL:
      if (cmp_run_arg("--real", optarg, &real_run) != 0)
        return CLI_EXIT_USAGE;
      break;
    case O_SINCE:
      since = optarg;
      break;
    case O_UNTIL:
      until = optarg;
      break;
    case O_TARGET:
      target = optarg;
      break;
    case O_JSON:
      json = 1;
      break;
    case O_HTML:
      html = optarg;
      break;
    case 'h':
      cmp_usage(stdout);
      return CLI_EXIT_OK;
    default:
      cmp_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "bottleneck compare: unexpected argument '%s'\n",
            argv[optind]);
    return CLI_EXIT_USAGE;
  }
  if (!sim_run || (!real_run && !since) || (real_run && (since || until))) {
    fprintf(stderr, "bottleneck compare: give --sim RUN and either --real "
                    "RUN or --since T\n");
    return CLI_EXIT_USAGE;
  }
  clock_gettime(CLOCK_REALTIME, &ts);
  now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
  if ((since && report_parse_time(since, now, &since_ns) != 0) ||
      (until && report_parse_time(until, now, &until_ns) != 0)) {
    fprintf(stderr, "bottleneck compare: --since/--until: not a time; use "
                    "24h, 7d, 2026-11-24 or 2026-11-24T10:00\n");
    return CLI_EXIT_USAGE;
  }
  if (!db && store_default_path(path, sizeof(path)) == 0)
    db = path;
  if (!db || store_open_readonly(db, &s) != 0)
    return CLI_EXIT_STORE;
  if (store_schema_version(s) < 8) {
    fprintf(stderr,
            "bottleneck compare: %s has no simulated runs (schema "
            "%d; import one first)\n",
            db, store_schema_version(s));
    status = CLI_EXIT_FAILURE;
    goto out;
  }
  if (store_run_kind(s, sim_run, kind, sizeof(kind)) != BN_OK) {
    fprintf(stderr, "bottleneck compare: --sim %lld: no such run\n",
            (long long)sim_run);
    status = CLI_EXIT_FAILURE;
    goto out;
  }
  if (strcmp(kind, "sim")) {
    fprintf(stderr,
            "bottleneck compare: --sim %lld: run of kind %s, not sim (import "
            "one with 'bottleneck import --format omnetpp')\n",
            (long long)sim_run, kind);
    status = CLI_EXIT_FAILURE;
    goto out;
  }
  if (real_run) {
    if (store_run_kind(s, real_run, kind, sizeof(kind)) != BN_OK) {
      fprintf(stderr, "bottleneck compare: --real %lld: no such run\n",
              (long long)real_run);
      status = CLI_EXIT_FAILURE;
      goto out;
    }
    if (!strcmp(kind, "sim")) {
      fprintf(stderr,
              "bottleneck compare: --real %lld: a simulated run; give a "
              "measured one\n",
              (long long)real_run);
      status = CLI_EXIT_FAILURE;
      goto out;
    }
  }
  if (store_values_each(s, sim_run, 0, 0, NULL, cmp_add, &sim) != BN_OK ||
      store_values_each(s, real_run, since_ns, until_ns, target, cmp_add,
                        &real) != BN_OK ||
      sim.oom || real.oom) {
    status = CLI_EXIT_STORE;
    goto out;
  }
  rows = calloc(sim.n + 1, sizeof(*rows));
  if (!rows) {
    status = CLI_EXIT_FAILURE;
    goto out;
  }
  for (size_t i = 0; i < sim.n; i++) {
    cmp_group *a = &sim.g[i];

    for (size_t j = 0; j < real.n; j++) {
      cmp_group *b = &real.g[j];
      cmp_row *r;

      if (strcmp(a->role, b->role) || strcmp(a->unit, b->unit))
        continue;
      r = &rows[n_rows++];
      qsort(a->v, a->n, sizeof(double), cmp_dbl);
      qsort(b->v, b->n, sizeof(double), cmp_dbl);
      r->sim = a;
      r->real = b;
      r->ks = sim_ks_distance(a->v, a->n, b->v, b->n);
      r->w1 = sim_wasserstein(a->v, a->n, b->v, b->n);
      for (int k = 0; k < 3; k++) {
        r->p[k][0] = stats_percentile(a->v, a->n, cmp_pcts[k]);
        r->p[k][1] = stats_percentile(b->v, b->n, cmp_pcts[k]);
      }
      break;
    }
  }
  if (!n_rows) {
    fprintf(stderr,
            "bottleneck compare: no series of sim run %lld matches measured "
            "values of the same role and unit%s%s (map result names with "
            "import --map, e.g. 'total delay=latency:s')\n",
            (long long)sim_run, target ? " of target " : "",
            target ? target : "");
    status = CLI_EXIT_FAILURE;
    goto out;
  }
  if (html && cmp_html(html, rows, n_rows, sim_run, real_run, since) != 0) {
    status = CLI_EXIT_FAILURE;
    goto out;
  }
  if (json) {
    printf("{\"sim_run\":%lld,", (long long)sim_run);
    if (real_run)
      printf("\"real_run\":%lld,", (long long)real_run);
    else
      printf("\"since_ns\":%lld,\"until_ns\":%lld,", (long long)since_ns,
             (long long)until_ns);
    printf("\"target\":");
    if (target)
      json_out_str(stdout, target);
    else
      fputs("null", stdout);
    printf(",\"metrics\":[");
    for (size_t i = 0; i < n_rows; i++) {
      const cmp_row *r = &rows[i];

      printf("%s{\"target\":", i ? "," : "");
      json_out_str(stdout, r->sim->target);
      printf(",\"metric\":");
      json_out_str(stdout, r->sim->metric);
      printf(",\"role\":");
      json_out_str(stdout, r->sim->role);
      printf(",\"unit\":");
      json_out_str(stdout, r->sim->unit);
      printf(",\"n_sim\":%zu,\"n_real\":%zu,\"ks\":", r->sim->n, r->real->n);
      cmp_json_num(stdout, r->ks);
      printf(",\"wasserstein\":");
      cmp_json_num(stdout, r->w1);
      for (int k = 0; k < 3; k++) {
        printf(",\"p%d\":{\"sim\":", (int)cmp_pcts[k]);
        cmp_json_num(stdout, r->p[k][0]);
        printf(",\"real\":");
        cmp_json_num(stdout, r->p[k][1]);
        printf(",\"diff\":");
        cmp_json_num(stdout, r->p[k][0] - r->p[k][1]);
        printf("}");
      }
      printf("}");
    }
    printf("]}\n");
  } else {
    if (real_run)
      printf("sim run %lld against measured run %lld", (long long)sim_run,
             (long long)real_run);
    else
      printf("sim run %lld against measured runs since %s%s%s",
             (long long)sim_run, since, until ? " until " : "",
             until ? until : "");
    printf("%s%s\n\n", target ? ", target " : "", target ? target : "");
    printf("%-32s %-10s %-7s %7s %7s %6s %11s %10s %10s %10s\n", "sim series",
           "role", "unit", "n sim", "n real", "KS", "Wasserstein", "p50 diff",
           "p90 diff", "p99 diff");
    for (size_t i = 0; i < n_rows; i++) {
      const cmp_row *r = &rows[i];
      char name[256];

      snprintf(name, sizeof(name), "%s/%s", r->sim->target, r->sim->metric);
      printf("%-32.32s %-10s %-7.7s %7zu %7zu %6.3f %11.3f %+10.3f %+10.3f "
             "%+10.3f\n",
             name, r->sim->role, r->sim->unit, r->sim->n, r->real->n, r->ks,
             r->w1, r->p[0][0] - r->p[0][1], r->p[1][0] - r->p[1][1],
             r->p[2][0] - r->p[2][1]);
    }
    printf("\nKS: largest gap between the two CDFs (0 same, 1 disjoint); "
           "Wasserstein: area between them, in the unit; diff: sim - real.\n");
  }
out:
  free(rows);
  cmp_free(&sim);
  cmp_free(&real);
  store_close(s);
  return status;
}
