/*
 * cli_analyze.c - `bottleneck analyze`: replay stored samples through a
 * profile's anomaly detectors, offline.
 *
 *   bottleneck analyze [--profile P] [--db PATH] [--run ID]
 *                      [--since T] [--until T] [--json]
 *
 * One run (the last one unless --run), optionally cut by --since and
 * --until.
 * The profile's `anomaly:` instances (default profile: base, so the
 * shipped `fusion`) are loaded and initialised as in a run; the samples
 * in range are read from the history store with their series' declared
 * role and unit, sorted by wall time (ties keep the store's order) and
 * handed to every instance's on_sample, then finish(): the same calls a
 * live run makes, so two runs give identical episodes.  Nothing is
 * written to the store: the events are caught by an in-process exporter
 * and printed, one line (or one JSON object) per episode: target, start
 * and end (RFC 3339 UTC), peak severity, confidence, dominant signal.
 * Events of other anomaly plugins are printed as they come.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "host.h"
#include "loader.h"
#include "profile.h"
#include "report_model.h"
#include "store.h"

typedef struct an_series_info {
  char *target, *probe;
  bn_metric m;
} an_series_info;

typedef struct an_row {
  size_t series;
  size_t seq;
  bn_sample s;
} an_row;

typedef struct an_state {
  an_series_info *series;
  size_t n_series, cap_series;
  an_row *rows;
  size_t n_rows, cap_rows;
  int json;
  size_t n_episodes;
  int failed;
} an_state;

static int an_series_cb(const bn_series *s, void *arg)
{
  an_state *st = arg;
  an_series_info *si;

  if (st->n_series == st->cap_series) {
    size_t cap = st->cap_series ? st->cap_series * 2 : 64;
    an_series_info *n = realloc(st->series, cap * sizeof(*n));

    if (!n)
      return st->failed = 1;
    st->series = n;
    st->cap_series = cap;
  }
  si = &st->series[st->n_series];
  memset(si, 0, sizeof(*si));
  si->target = strdup(s->target);
  si->probe = strdup(s->probe);
  si->m.name = strdup(s->metric);
  si->m.unit = strdup(s->unit ? s->unit : "");
  if (!si->target || !si->probe || !si->m.name || !si->m.unit)
    return st->failed = 1;
  si->m.role = s->role;
  si->m.agg = BN_AGG_DISTRIBUTION;
  st->n_series++;
  return 0;
}

static size_t an_series_find(const an_state *st, const bn_sample_row *r)
{
  for (size_t i = st->n_series; i-- > 0;)
    if (!strcmp(st->series[i].m.name, r->sample.metric) &&
        !strcmp(st->series[i].probe, r->probe) &&
        !strcmp(st->series[i].target, r->target))
      return i;
  return (size_t)-1;
}

static int an_sample_cb(const bn_sample_row *r, void *arg)
{
  an_state *st = arg;
  size_t k = an_series_find(st, r);
  an_row *row;

  if (k == (size_t)-1)
    return 0;
  if (st->n_rows == st->cap_rows) {
    size_t cap = st->cap_rows ? st->cap_rows * 2 : 4096;
    an_row *n = realloc(st->rows, cap * sizeof(*n));

    if (!n)
      return st->failed = 1;
    st->rows = n;
    st->cap_rows = cap;
  }
  row = &st->rows[st->n_rows];
  row->series = k;
  row->seq = st->n_rows;
  row->s = r->sample;
  row->s.target = st->series[k].target;
  row->s.metric = st->series[k].m.name;
  st->n_rows++;
  return 0;
}

static int an_row_cmp(const void *a, const void *b)
{
  const an_row *x = a, *y = b;

  if (x->s.wall_ns != y->s.wall_ns)
    return x->s.wall_ns < y->s.wall_ns ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void an_time(int64_t ns, char *buf, size_t len)
{
  time_t sec = (time_t)(ns / 1000000000LL);
  struct tm tm;

  if (!gmtime_r(&sec, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
    snprintf(buf, len, "%" PRId64, ns);
}

/* JSON string body: the names here are targets and plugin words. */
static void an_json_str(const char *s)
{
  putchar('"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      printf("\\%c", *s);
    else if ((unsigned char)*s < 0x20)
      printf("\\u%04x", (unsigned char)*s);
    else
      putchar(*s);
  }
  putchar('"');
}

/* The episode events of the shipped detectors: "anomaly.close.SEV" with
 * "SEV DOMINANT episode #ID closed: START to END (D s), peak confidence
 * C; ...".  Anything else is printed as it is. */
static int an_on_event(void *ctx, const char *source, const bn_event *e)
{
  an_state *st = ctx;
  char sev[16], dom[16], start[32], end[32], when[32];
  unsigned long long id;
  double dur, conf;

  if (!strncmp(e->type, "anomaly.open.", 13) ||
      !strncmp(e->type, "anomaly.update.", 15))
    return 0;
  if (!strncmp(e->type, "anomaly.close.", 14) &&
      sscanf(e->message,
             "%15s %15s episode #%llu closed: %31s to %31s (%lf s), peak "
             "confidence %lf",
             sev, dom, &id, start, end, &dur, &conf) == 7) {
    st->n_episodes++;
    if (st->json) {
      printf("{\"target\":");
      an_json_str(e->target ? e->target : "");
      printf(",\"start\":\"%s\",\"end\":\"%s\",\"severity\":\"%s\","
             "\"confidence\":%.3f,\"dominant\":\"%s\",\"source\":",
             start, end, sev, conf, dom);
      an_json_str(source);
      printf("}\n");
    } else {
      printf("%-20s %s  %s  %-8s %.2f  %s\n", e->target ? e->target : "-",
             start, end, sev, conf, dom);
    }
    return 0;
  }
  an_time(e->wall_ns, when, sizeof(when));
  if (!st->json)
    printf("%-20s %s  event %s: %s\n", e->target ? e->target : "-", when,
           e->type, e->message ? e->message : "");
  return 0;
}

static const bn_exporter_ops an_capture_ops = {
    .struct_size = sizeof(bn_exporter_ops),
    .on_event = an_on_event,
};

static void an_usage(FILE *f)
{
  fprintf(f, "Usage: bottleneck analyze [--profile P] [--db PATH] "
             "[--run ID] [--since T] [--until T] [--json]\n"
             "\n"
             "Replay stored samples through the profile's anomaly "
             "detectors (default\nprofile: base) and print the episodes "
             "found; nothing is written.\n"
             "\n"
             "      --profile P      profile whose `anomaly:` list runs\n"
             "      --db PATH        history database (default: the "
             "profile's store,\n"
             "                       else the default path)\n"
             "      --run ID         the run to replay (default: the last "
             "one)\n"
             "      --since T        from T (24h, 7d, 2026-11-24T10:00)\n"
             "      --until T        up to T\n"
             "      --json           one JSON object an episode: target, "
             "start, end,\n"
             "                       severity, confidence, dominant\n"
             "      --plugin-dir D   look for plugins in D first\n");
}

static int an_replay(an_state *st, profile *p, loader *ld, store *db,
                     const bn_query *q)
{
  host_core core;
  host_instance *inst;
  profile_plugin *entries;
  loader_plugin cap;
  size_t n = 0;
  int status = CLI_EXIT_OK;

  for (size_t i = 0; i < p->n_plugins; i++)
    n += p->plugins[i].kind == BN_KIND_ANOMALY;
  if (n == 0) {
    fprintf(stderr,
            "bottleneck analyze: profile '%s' has no anomaly detector; add "
            "one under `anomaly:` (e.g. '- plugin: fusion')\n",
            p->name);
    return CLI_EXIT_PROFILE;
  }
  if (store_series_each(db, q, an_series_cb, st) != 0 ||
      store_samples_each(db, q, an_sample_cb, st) != 0 || st->failed) {
    fprintf(stderr, "bottleneck analyze: could not read the samples\n");
    return CLI_EXIT_STORE;
  }
  qsort(st->rows, st->n_rows, sizeof(*st->rows), an_row_cmp);

  memset(&core, 0, sizeof(core));
  clock_init(&core.clock, NULL);
  inst = calloc(n + 1, sizeof(*inst));
  entries = calloc(n, sizeof(*entries));
  if (!inst || !entries) {
    free(inst);
    free(entries);
    return CLI_EXIT_FAILURE;
  }
  core.inst = inst;
  n = 0;
  for (size_t i = 0; i < p->n_plugins && status == CLI_EXIT_OK; i++) {
    const loader_plugin *lp;

    if (p->plugins[i].kind != BN_KIND_ANOMALY)
      continue;
    lp = loader_find_kind(ld, BN_KIND_ANOMALY, p->plugins[i].plugin);
    if (!lp) {
      fprintf(stderr,
              "bottleneck analyze: no anomaly plugin named '%s'; run "
              "'bottleneck plugins' to list them\n",
              p->plugins[i].plugin);
      status = CLI_EXIT_PLUGIN;
      break;
    }
    host_instance_setup(&inst[n], &core, lp, &p->plugins[i]);
    core.n_inst = n + 1;
    if (host_instance_init(&inst[n]) != BN_OK)
      status = CLI_EXIT_PLUGIN;
    n++;
  }
  /* The capture "exporter" last: it only reads events. */
  memset(&cap, 0, sizeof(cap));
  cap.desc.abi_major = BN_ABI_MAJOR;
  cap.desc.abi_minor = BN_ABI_MINOR;
  cap.desc.struct_size = sizeof(bn_plugin);
  cap.desc.name = "analyze";
  cap.desc.kind = BN_KIND_EXPORTER;
  cap.desc.ops = &an_capture_ops;
  inst[n].plugin = &cap;
  inst[n].core = &core;
  inst[n].ctx = st;
  inst[n].initialised = 1;
  core.n_inst = n + 1;

  for (size_t r = 0; r < st->n_rows && status == CLI_EXIT_OK; r++) {
    const an_row *row = &st->rows[r];
    const an_series_info *si = &st->series[row->series];

    for (size_t i = 0; i < n; i++) {
      const bn_anomaly_ops *an = host_anomaly_ops(&inst[i]);

      if (inst[i].initialised && HOST_HAS(an, on_sample))
        an->on_sample(inst[i].ctx, si->probe, &si->m, &row->s);
    }
  }
  for (size_t i = 0; i < n; i++) {
    const bn_anomaly_ops *an = host_anomaly_ops(&inst[i]);

    if (inst[i].initialised && HOST_HAS(an, finish))
      an->finish(inst[i].ctx);
  }
  core.n_inst = n;
  for (size_t i = 0; i < n; i++)
    host_instance_destroy(&inst[i]);
  if (!st->json && status == CLI_EXIT_OK)
    fprintf(stderr, "bottleneck analyze: %zu samples, %zu episodes\n",
            st->n_rows, st->n_episodes);
  free(inst);
  free(entries);
  return status;
}

int cli_analyze(int argc, char **argv)
{
  enum { O_DB = 256, O_RUN, O_SINCE, O_UNTIL, O_JSON, O_PROFILE, O_DIR };
  static const struct option longopts[] = {
      {"db", required_argument, NULL, O_DB},
      {"run", required_argument, NULL, O_RUN},
      {"since", required_argument, NULL, O_SINCE},
      {"until", required_argument, NULL, O_UNTIL},
      {"json", no_argument, NULL, O_JSON},
      {"profile", required_argument, NULL, O_PROFILE},
      {"plugin-dir", required_argument, NULL, O_DIR},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *db = NULL, *prof = "base", *dir = NULL, *since = NULL,
             *until = NULL;
  char path[4096], *end;
  bn_query q = {BN_INIT(bn_query)};
  an_state st;
  profile *p = NULL;
  loader *ld;
  store *s = NULL;
  int c, status;
  int64_t now = (int64_t)time(NULL) * 1000000000LL;

  memset(&st, 0, sizeof(st));
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case O_DB:
      db = optarg;
      break;
    case O_RUN:
      q.run_id = strtoll(optarg, &end, 10);
      if (*end || q.run_id <= 0) {
        fprintf(stderr, "bottleneck analyze: --run '%s' is not a run id\n",
                optarg);
        return CLI_EXIT_USAGE;
      }
      break;
    case O_SINCE:
      since = optarg;
      break;
    case O_UNTIL:
      until = optarg;
      break;
    case O_JSON:
      st.json = 1;
      break;
    case O_PROFILE:
      prof = optarg;
      break;
    case O_DIR:
      dir = optarg;
      break;
    case 'h':
      an_usage(stdout);
      return CLI_EXIT_OK;
    default:
      an_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "bottleneck analyze: unexpected argument '%s'\n",
            argv[optind]);
    return CLI_EXIT_USAGE;
  }
  if ((since && report_parse_time(since, now, &q.since_ns) != 0) ||
      (until && report_parse_time(until, now, &q.until_ns) != 0)) {
    fprintf(stderr, "bottleneck analyze: --since/--until: not a time; use "
                    "24h, 7d, 2026-11-24 or 2026-11-24T10:00\n");
    return CLI_EXIT_USAGE;
  }
  if (profile_load(prof, &p) != 0)
    return CLI_EXIT_PROFILE;
  if (!db)
    db = p->store_path;
  if (!db && store_default_path(path, sizeof(path)) == 0)
    db = path;
  if (!db || store_open_readonly(db, &s) != 0) {
    profile_free(p);
    return CLI_EXIT_STORE;
  }
  ld = loader_new();
  if (!ld) {
    store_close(s);
    profile_free(p);
    return CLI_EXIT_FAILURE;
  }
  loader_scan(ld, dir);
  status = an_replay(&st, p, ld, s, &q);
  for (size_t i = 0; i < st.n_series; i++) {
    free(st.series[i].target);
    free(st.series[i].probe);
    free((char *)st.series[i].m.name);
    free((char *)st.series[i].m.unit);
  }
  free(st.series);
  free(st.rows);
  loader_free(ld);
  store_close(s);
  profile_free(p);
  return status;
}
