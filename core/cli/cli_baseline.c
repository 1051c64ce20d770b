/*
 * cli_baseline.c - `bottleneck baseline show [TARGET]`: the anomaly
 * baselines in force, as the detectors stored them in the history
 * (SDK 3.1 baseline_put): per detector instance, target, probe, metric
 * and kind, the centre, spread, loss rate, since when and from how many
 * samples.
 *
 *   bottleneck baseline show [TARGET] [--db PATH] [--json]
 */
#include "config.h"

#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "store.h"

static void bl_usage(FILE *f)
{
  fprintf(f, "Usage: bottleneck baseline show [TARGET] [--db PATH] [--json]\n"
             "\n"
             "The anomaly detectors' baselines in force (what they consider\n"
             "normal), as stored in the history: per detector, target,\n"
             "probe, metric and kind (latency, jitter, loss), the centre\n"
             "and spread (ms), the baseline loss rate, since when and from\n"
             "how many samples.  They survive restarts.\n"
             "\n"
             "Exit status: 0 ok, 1 no baseline stored (for TARGET), 2 usage,\n"
             "5 store error.\n");
}

typedef struct bl_state {
  int json;
  size_t n;
  json_object *arr;
} bl_state;

static void bl_time(int64_t ns, char *buf, size_t len)
{
  time_t t = (time_t)(ns / 1000000000LL);
  struct tm tm;

  if (ns <= 0 || !gmtime_r(&t, &tm) ||
      strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    snprintf(buf, len, "-");
}

static void bl_num(char *buf, size_t len, double v, int digits)
{
  if (isnan(v))
    snprintf(buf, len, "-");
  else
    snprintf(buf, len, "%.*f", digits, v);
}

static json_object *bl_jnum(double v)
{
  return isnan(v) ? NULL : json_object_new_double(v);
}

static int bl_row(const bn_baseline *b, void *arg)
{
  bl_state *st = arg;
  char since[32], upd[32], c[32], s[32], l[32];

  bl_time(b->since_ns, since, sizeof(since));
  bl_time(b->updated_ns, upd, sizeof(upd));
  if (st->json) {
    json_object *o = json_object_new_object();

    json_object_object_add(o, "target", json_object_new_string(b->target));
    json_object_object_add(o, "probe", json_object_new_string(b->probe));
    json_object_object_add(o, "metric", json_object_new_string(b->metric));
    json_object_object_add(o, "kind", json_object_new_string(b->kind));
    json_object_object_add(o, "source",
                           json_object_new_string(b->source ? b->source : ""));
    json_object_object_add(o, "centre", bl_jnum(b->centre));
    json_object_object_add(o, "spread", bl_jnum(b->spread));
    json_object_object_add(o, "loss_rate", bl_jnum(b->loss_rate));
    json_object_object_add(
        o, "since", b->since_ns > 0 ? json_object_new_string(since) : NULL);
    json_object_object_add(o, "samples",
                           json_object_new_int64((int64_t)b->samples));
    json_object_object_add(o, "updated", json_object_new_string(upd));
    json_object_array_add(st->arr, o);
  } else {
    if (!st->n)
      printf("%-16s %-10s %-12s %-8s %10s %8s %7s %-20s %7s %s\n", "TARGET",
             "PROBE", "METRIC", "KIND", "CENTRE", "SPREAD", "LOSS%", "SINCE",
             "SAMPLES", "DETECTOR");
    bl_num(c, sizeof(c), b->centre, 3);
    bl_num(s, sizeof(s), b->spread, 3);
    bl_num(l, sizeof(l), b->loss_rate * 100, 2);
    printf("%-16s %-10s %-12s %-8s %10s %8s %7s %-20s %7llu %s\n", b->target,
           b->probe, b->metric, b->kind, c, s, l, since,
           (unsigned long long)b->samples, b->source ? b->source : "-");
  }
  st->n++;
  return 0;
}

int cli_baseline(int argc, char **argv)
{
  enum { O_DB = 256, O_JSON };
  static const struct option longopts[] = {
      {"db", required_argument, NULL, O_DB},
      {"json", no_argument, NULL, O_JSON},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *db = NULL, *target = NULL;
  char path[4096];
  bn_query q = {BN_INIT(bn_query)};
  bl_state st;
  store *s = NULL;
  int c, rc;

  memset(&st, 0, sizeof(st));
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
    case O_DB:
      db = optarg;
      break;
    case O_JSON:
      st.json = 1;
      break;
    case 'h':
      bl_usage(stdout);
      return CLI_EXIT_OK;
    default:
      bl_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (optind >= argc || strcmp(argv[optind], "show") != 0) {
    fprintf(stderr,
            "bottleneck baseline: %s; use 'bottleneck baseline show "
            "[TARGET]'\n",
            optind >= argc ? "missing subcommand" : "unknown subcommand");
    return CLI_EXIT_USAGE;
  }
  optind++;
  if (optind < argc)
    target = argv[optind++];
  if (optind < argc) {
    fprintf(stderr, "bottleneck baseline: unexpected argument '%s'\n",
            argv[optind]);
    return CLI_EXIT_USAGE;
  }
  if (!db && store_default_path(path, sizeof(path)) == 0)
    db = path;
  if (!db || store_open_readonly(db, &s) != 0)
    return CLI_EXIT_STORE;
  q.target = target;
  if (st.json)
    st.arr = json_object_new_array();
  rc = store_baselines_each(s, NULL, &q, bl_row, &st);
  store_close(s);
  if (st.json) {
    if (rc == 0)
      printf("%s\n", json_object_to_json_string_ext(
                         st.arr, JSON_C_TO_STRING_PLAIN |
                                     JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(st.arr);
  }
  if (rc < 0)
    return CLI_EXIT_STORE;
  if (!st.n) {
    fprintf(stderr,
            "bottleneck baseline: no baseline stored%s%s; the anomaly "
            "detectors learn one after their warmup (docs/anomaly.md)\n",
            target ? " for " : "", target ? target : "");
    return CLI_EXIT_FAILURE;
  }
  return CLI_EXIT_OK;
}
