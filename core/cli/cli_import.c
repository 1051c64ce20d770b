/*
 * cli_import.c - `bottleneck import`: load measurements from files into
 * the history as one run, so that `report` and `analyze` work on them.
 *
 *   bottleneck import --format csv|nab FILE... [--db PATH]
 *   bottleneck import --format omnetpp|cdf-csv FILE... [--map
 * NAME=ROLE[:UNIT]]
 *                     [--map-file FILE] [--target NAME] [--cdf-points N]
 *
 * omnetpp and cdf-csv (simulation results, a run of kind "sim") are read
 * by core/sim/sim_import.c; see docs/simulation.md.
 *
 * csv: `timestamp,target,metric,value` rows (a header line is skipped);
 *      the timestamp in RFC 3339 (a missing zone is UTC) or Unix seconds,
 *      an empty value a lost probe.  Metrics are named as probes name
 *      them; a name ending in _ms is a latency in ms, _pct a loss in
 *      percent, anything else a gauge.  Probe instance: "import".
 * nab: the Numenta Anomaly Benchmark's `timestamp,value` files, one
 *      target per file (its base name without .csv), metric "value"
 *      treated as a latency.  Probe instance: "nab".
 *
 * Every file is read and checked before anything is written: a bad row
 * (wrong field count, unparseable time or value, NaN or infinity, time
 * going backwards within a file) is reported as FILE:LINE and nothing is
 * imported.  The run is then written in one transaction.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sim_import.h"
#include "store.h"

#define IM_MAX_ERRORS 20 /* bad rows printed before "and N more" */

typedef struct im_row {
  int64_t t_ns;
  double value;          /* NaN: lost */
  size_t target, metric; /* indexes into the name table */
} im_row;

typedef struct im_state {
  int nab;
  im_row *rows;
  size_t n_rows, cap_rows;
  char **names; /* targets and metrics, interned */
  size_t n_names, cap_names;
  size_t errors;
} im_state;

static void im_usage(FILE *f)
{
  fprintf(
      f,
      "Usage: bottleneck import --format csv|nab FILE... [--db PATH]\n"
      "\n"
      "Load measurements into the history as one run (then 'report' and\n"
      "'analyze' work on them).\n"
      "  csv  timestamp,target,metric,value rows; the timestamp RFC 3339\n"
      "       or Unix seconds, an empty value a lost probe; metric names\n"
      "       as probes name them (_ms: latency, _pct: loss)\n"
      "  nab  NAB timestamp,value files, one target per file\n"
      "A bad row is reported as FILE:LINE and nothing is imported.\n"
      "\n"
      "Simulation results (a run of kind sim, docs/simulation.md):\n"
      "  bottleneck import --format omnetpp|cdf-csv FILE... [--db PATH]\n"
      "  omnetpp  OMNeT++ .vec/.sca result files (format version 2, 3)\n"
      "  cdf-csv  value,cumulative probability rows (one metric per "
      "file)\n"
      "      --map NAME=ROLE[:UNIT]  results named NAME (a glob) become\n"
      "                              ROLE (latency, jitter, loss,\n"
      "                              throughput, count, gauge), values\n"
      "                              in UNIT, e.g. 'total delay=latency:s'\n"
      "      --map-file FILE         one NAME=ROLE[:UNIT] per line\n"
      "      --target NAME           the target (default: the module)\n"
      "      --cdf-points N          samples drawn from a CDF (1000)\n"
      "A malformed file is reported as FILE:LINE:COL and nothing is "
      "imported.\n"
      "\n"
      "Exit status: 0 imported, 1 bad input, 2 usage, 5 store error.\n");
}

static size_t im_intern(im_state *st, const char *s, size_t len)
{
  for (size_t i = 0; i < st->n_names; i++)
    if (strlen(st->names[i]) == len && !memcmp(st->names[i], s, len))
      return i;
  if (st->n_names == st->cap_names) {
    size_t cap = st->cap_names ? st->cap_names * 2 : 16;
    char **g = realloc(st->names, cap * sizeof(*g));

    if (!g)
      return (size_t)-1;
    st->names = g;
    st->cap_names = cap;
  }
  st->names[st->n_names] = strndup(s, len);
  if (!st->names[st->n_names])
    return (size_t)-1;
  return st->n_names++;
}

static void im_error(im_state *st, const char *file, size_t line,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void im_error(im_state *st, const char *file, size_t line,
                     const char *fmt, ...)
{
  va_list ap;

  if (st->errors++ < IM_MAX_ERRORS) {
    fprintf(stderr, "%s:%zu: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
  }
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t im_days(int y, int m, int d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + doe - 719468;
}

/*
 * A time: Unix seconds (with a fraction), or RFC 3339
 * "YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|+hh:mm|-hh:mm]" (no zone: UTC).
 * 0 and *ns, or -1.
 */
static int im_time(const char *s, int64_t *ns)
{
  int y, mo, d, h, mi, sec, n = 0, oh, om;
  double frac = 0;
  char *end;
  const char *p;

  if (!*s)
    return -1;
  if (strspn(s, "0123456789.") == strlen(s)) {
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v > 9.2e9)
      return -1;
    *ns = (int64_t)llround(v * 1e9);
    return 0;
  }
  if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
    return -1;
  p = s + 11;
  n = 0;
  if (sscanf(p, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3 || n != 8)
    return -1;
  p += 8;
  if (*p == '.') {
    size_t k = strspn(p + 1, "0123456789");

    if (!k)
      return -1;
    frac = strtod(p, NULL);
    p += 1 + k;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
    return -1;
  *ns =
      ((im_days(y, mo, d) * 86400) + h * 3600 + mi * 60 + sec) * 1000000000LL +
      (int64_t)llround(frac * 1e9);
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    n = 0;
    if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5 || oh > 23 ||
        om > 59)
      return -1;
    *ns -=
        (*p == '+' ? 1 : -1) * ((int64_t)oh * 3600 + om * 60) * 1000000000LL;
    p += 6;
  }
  return *p ? -1 : 0;
}

/* Split a line on commas into at most `max` fields (trimmed, quotes
 * removed); returns the field count. */
static int im_split(char *line, char **f, int max)
{
  int n = 0;
  char *p = line;

  for (;;) {
    char *c = strchr(p, ',');
    char *e;

    if (n == max)
      return max + 1;
    if (c)
      *c = 0;
    while (*p == ' ' || *p == '\t')
      p++;
    e = p + strlen(p);
    while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
      *--e = 0;
    if (e - p >= 2 && *p == '"' && e[-1] == '"') {
      e[-1] = 0;
      p++;
    }
    f[n++] = p;
    if (!c)
      return n;
    p = c + 1;
  }
}

static int im_value(const char *s, double *v)
{
  char *end;

  if (!*s) {
    *v = NAN; /* lost */
    return 0;
  }
  errno = 0;
  *v = strtod(s, &end);
  return errno || *end || !isfinite(*v) ? -1 : 0;
}

static const char *im_base(const char *path, size_t *len)
{
  const char *b = strrchr(path, '/');
  size_t n;

  b = b ? b + 1 : path;
  n = strlen(b);
  if (n > 4 && !strcasecmp(b + n - 4, ".csv"))
    n -= 4;
  *len = n;
  return b;
}

static int im_file(im_state *st, const char *path)
{
  FILE *fp = fopen(path, "r");
  char *line = NULL, *f[5];
  size_t cap = 0, lineno = 0, nab_target = 0;
  ssize_t len;
  int64_t last = INT64_MIN;
  int want = st->nab ? 2 : 4, rc = 0;

  if (!fp) {
    fprintf(stderr, "bottleneck import: %s: %s\n", path, strerror(errno));
    return -1;
  }
  if (st->nab) {
    size_t bl;
    const char *b = im_base(path, &bl);

    nab_target = im_intern(st, b, bl);
  }
  while ((len = getline(&line, &cap, fp)) >= 0) {
    im_row r;
    int n;

    lineno++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = 0;
    if (!len || line[strspn(line, " \t")] == 0)
      continue;
    n = im_split(line, f, want);
    if (lineno == 1 && n >= 1 && !strcasecmp(f[0], "timestamp"))
      continue; /* the header */
    if (n != want) {
      char what[64];

      snprintf(what, sizeof(what), "%d fields, want %d",
               n > want ? want + 1 : n, want);
      im_error(st, path, lineno,
               st->nab ? "%s (timestamp,value)"
                       : "%s (timestamp,target,metric,value)",
               what);
      continue;
    }
    if (im_time(f[0], &r.t_ns) != 0) {
      im_error(st, path, lineno,
               "time '%s' is neither RFC 3339 (2026-12-04T15:00:00Z) nor "
               "Unix seconds",
               f[0]);
      continue;
    }
    if (im_value(f[want - 1], &r.value) != 0) {
      im_error(st, path, lineno,
               "value '%s' is not a finite number (leave it empty for a "
               "lost probe)",
               f[want - 1]);
      continue;
    }
    if (st->nab && !(r.value == r.value)) {
      im_error(st, path, lineno, "%s", "a NAB row needs a value");
      continue;
    }
    if (r.t_ns < last) {
      im_error(st, path, lineno, "time '%s' goes backwards; sort the file",
               f[0]);
      continue;
    }
    last = r.t_ns;
    if (st->nab) {
      r.target = nab_target;
      r.metric = im_intern(st, "value", 5);
    } else {
      if (!*f[1] || !*f[2]) {
        im_error(st, path, lineno, "%s", "empty target or metric");
        continue;
      }
      r.target = im_intern(st, f[1], strlen(f[1]));
      r.metric = im_intern(st, f[2], strlen(f[2]));
    }
    if (r.target == (size_t)-1 || r.metric == (size_t)-1) {
      rc = -1;
      break;
    }
    if (st->n_rows == st->cap_rows) {
      size_t c = st->cap_rows ? st->cap_rows * 2 : 1024;
      im_row *g = realloc(st->rows, c * sizeof(*g));

      if (!g) {
        rc = -1;
        break;
      }
      st->rows = g;
      st->cap_rows = c;
    }
    st->rows[st->n_rows++] = r;
  }
  if (rc < 0)
    fprintf(stderr, "bottleneck import: out of memory\n");
  else if (ferror(fp)) {
    fprintf(stderr, "bottleneck import: %s: read error\n", path);
    rc = -1;
  }
  free(line);
  fclose(fp);
  return rc;
}

static int im_suffix(const char *s, const char *suf)
{
  size_t n = strlen(s), k = strlen(suf);

  return n > k && !strcmp(s + n - k, suf);
}

/* What an imported metric means, from its name's unit suffix. */
static bn_metric im_declare(const im_state *st, size_t metric)
{
  const char *name = st->names[metric];
  bn_metric m = {name, "1", BN_ROLE_GAUGE, BN_AGG_MEAN, 0, "imported"};

  if (st->nab) {
    m.role = BN_ROLE_LATENCY;
    m.agg = BN_AGG_DISTRIBUTION;
    m.flags = BN_METRIC_PRIMARY;
    m.help = "NAB series value";
  } else if (im_suffix(name, "_ms")) {
    m.unit = "ms";
    m.role = BN_ROLE_LATENCY;
    m.agg = BN_AGG_DISTRIBUTION;
  } else if (im_suffix(name, "_pct")) {
    m.unit = "percent";
    m.role = BN_ROLE_LOSS;
  }
  return m;
}

static int im_write(im_state *st, store *s, size_t n_files)
{
  const char *probe = st->nab ? "nab" : "import";
  char host[256] = "";
  int64_t first = INT64_MAX, last = INT64_MIN, run = 0;
  bn_metric *decl;
  size_t n_decl = 0, lost = 0;
  int rc;

  for (size_t i = 0; i < st->n_rows; i++) {
    if (st->rows[i].t_ns < first)
      first = st->rows[i].t_ns;
    if (st->rows[i].t_ns > last)
      last = st->rows[i].t_ns;
  }
  gethostname(host, sizeof(host) - 1);
  decl = calloc(st->n_names + 1, sizeof(*decl));
  if (!decl)
    return BN_ENOMEM;
  for (size_t i = 0; i < st->n_rows; i++) {
    size_t k;

    for (k = 0; k < n_decl; k++)
      if (!strcmp(decl[k].name, st->names[st->rows[i].metric]))
        break;
    if (k == n_decl)
      decl[n_decl++] = im_declare(st, st->rows[i].metric);
  }
  rc = store_hold_begin(s);
  if (rc == BN_OK) {
    store_run_meta m = {host, st->nab ? "import-nab" : "import", NULL,
                        PACKAGE_VERSION, first};

    rc = store_run_begin(s, &m, &run);
  }
  /* an imported run: the retention keeps its samples (docs/history.md) */
  if (rc == BN_OK)
    rc = store_run_set_kind(s, run, "imported");
  if (rc == BN_OK)
    rc = store_declare_metrics(s, probe, decl);
  for (size_t i = 0; i < st->n_rows && rc == BN_OK; i++) {
    const im_row *r = &st->rows[i];
    bn_sample smp = {BN_INIT(bn_sample),
                     .target = st->names[r->target],
                     .metric = st->names[r->metric],
                     .value = r->value,
                     .wall_ns = r->t_ns,
                     .mono_ns = r->t_ns,
                     .flags = r->value == r->value ? 0 : BN_SAMPLE_LOST};

    lost += !(r->value == r->value);
    rc = store_add_sample(s, run, probe, &smp);
  }
  if (rc == BN_OK)
    rc = store_run_end(s, run, last, 0);
  if (store_hold_end(s, rc == BN_OK) != BN_OK && rc == BN_OK)
    rc = BN_EIO;
  free(decl);
  if (rc == BN_OK)
    printf("imported %zu samples (%zu lost) of %zu metric(s) from %zu "
           "file(s) as run %lld\n",
           st->n_rows, lost, n_decl, n_files, (long long)run);
  return rc;
}

int cli_import(int argc, char **argv)
{
  enum { O_DB = 256, O_FORMAT, O_MAP, O_MAP_FILE, O_TARGET, O_CDF_POINTS };
  static const struct option longopts[] = {
      {"db", required_argument, NULL, O_DB},
      {"format", required_argument, NULL, O_FORMAT},
      {"map", required_argument, NULL, O_MAP},
      {"map-file", required_argument, NULL, O_MAP_FILE},
      {"target", required_argument, NULL, O_TARGET},
      {"cdf-points", required_argument, NULL, O_CDF_POINTS},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *db = NULL, *format = NULL;
  char path[4096];
  im_state st;
  store *s = NULL;
  int c, status = CLI_EXIT_OK, sim_opts = 0;
  sim_import_opts so;
  char err[512], *end;

  memset(&st, 0, sizeof(st));
  memset(&so, 0, sizeof(so));
  so.cdf_points = 1000;
  optind = 1;
  while ((c = getopt_long(argc, argv, "hf:", longopts, NULL)) != -1) {
    switch (c) {
    case O_DB:
      db = optarg;
      break;
    case 'f':
    case O_FORMAT:
      format = optarg;
      break;
    case O_MAP:
    case O_MAP_FILE:
      sim_opts = 1;
      if ((c == O_MAP
               ? sim_map_add(&so.maps, optarg, err, sizeof(err))
               : sim_map_file(&so.maps, optarg, err, sizeof(err))) != 0) {
        fprintf(stderr, "bottleneck import: %s %s\n",
                c == O_MAP ? "--map" : "--map-file", err);
        sim_maps_free(&so.maps);
        return CLI_EXIT_USAGE;
      }
      break;
    case O_TARGET:
      sim_opts = 1;
      so.target = optarg;
      break;
    case O_CDF_POINTS:
      sim_opts = 1;
      errno = 0;
      so.cdf_points = (size_t)strtoul(optarg, &end, 10);
      if (errno || *end || !*optarg || so.cdf_points < 1 ||
          so.cdf_points > 10000000) {
        fprintf(stderr,
                "bottleneck import: --cdf-points '%s': want a "
                "number from 1 to 10000000\n",
                optarg);
        sim_maps_free(&so.maps);
        return CLI_EXIT_USAGE;
      }
      break;
    case 'h':
      im_usage(stdout);
      sim_maps_free(&so.maps);
      return CLI_EXIT_OK;
    default:
      im_usage(stderr);
      sim_maps_free(&so.maps);
      return CLI_EXIT_USAGE;
    }
  }
  if (format && (!strcmp(format, "omnetpp") || !strcmp(format, "cdf-csv"))) {
    if (optind >= argc) {
      fprintf(stderr, "bottleneck import: no FILE given\n");
      sim_maps_free(&so.maps);
      return CLI_EXIT_USAGE;
    }
    so.format = format;
    so.db = db;
    status = sim_import(&so, argv + optind, argc - optind);
    sim_maps_free(&so.maps);
    return status;
  }
  if (sim_opts) {
    fprintf(stderr, "bottleneck import: --map, --map-file, --target and "
                    "--cdf-points are for --format omnetpp or cdf-csv\n");
    sim_maps_free(&so.maps);
    return CLI_EXIT_USAGE;
  }
  if (!format || (strcmp(format, "csv") && strcmp(format, "nab"))) {
    fprintf(stderr,
            "bottleneck import: %s; use --format csv, nab, omnetpp or "
            "cdf-csv\n",
            format ? "unknown format" : "no --format given");
    return CLI_EXIT_USAGE;
  }
  if (optind >= argc) {
    fprintf(stderr, "bottleneck import: no FILE given\n");
    return CLI_EXIT_USAGE;
  }
  st.nab = !strcmp(format, "nab");
  for (int i = optind; i < argc && status == CLI_EXIT_OK; i++)
    if (im_file(&st, argv[i]) < 0)
      status = CLI_EXIT_FAILURE;
  if (status == CLI_EXIT_OK && st.errors) {
    if (st.errors > IM_MAX_ERRORS)
      fprintf(stderr, "... and %zu more bad rows\n",
              st.errors - IM_MAX_ERRORS);
    fprintf(stderr,
            "bottleneck import: %zu bad row(s); nothing imported (fix them "
            "and import again)\n",
            st.errors);
    status = CLI_EXIT_FAILURE;
  }
  if (status == CLI_EXIT_OK && !st.n_rows) {
    fprintf(stderr, "bottleneck import: no rows; nothing imported\n");
    status = CLI_EXIT_FAILURE;
  }
  if (status == CLI_EXIT_OK) {
    if (!db && store_default_path(path, sizeof(path)) == 0)
      db = path;
    if (!db || store_open(db, &s) != 0)
      status = CLI_EXIT_STORE;
    else if (im_write(&st, s, (size_t)(argc - optind)) != BN_OK)
      status = CLI_EXIT_STORE;
    if (s)
      store_close(s);
  }
  for (size_t i = 0; i < st.n_names; i++)
    free(st.names[i]);
  free(st.names);
  free(st.rows);
  return status;
}
