/*
 * cli_paths.c - `bottleneck paths TARGET`: the stored path history of a
 * target, round by round, with mtr-style hop statistics and the changes
 * found against the round before.
 *
 *   bottleneck paths TARGET [--db PATH] [--since DUR] [--limit N] [--json]
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json_out.h"
#include "cli.h"
#include "clock.h"
#include "conf.h"
#include "log.h"
#include "pathdiff.h"
#include "profile.h"
#include "store.h"
#include "store_paths.h"

typedef struct paths_args {
  const char *target;
  const char *db;
  const char *profile; /* its store, when --db is not given */
  int64_t since_ns;    /* 0: all */
  long limit;
  int json;
} paths_args;

static const char *const paths_status[] = {"reached", "max ttl", "unreachable",
                                           "error"};

static void cli_paths_usage(FILE *out)
{
  fprintf(out,
          "Usage: bottleneck paths TARGET [OPTIONS]\n"
          "\n"
          "Print the stored path history of TARGET (rounds of a path probe\n"
          "such as traceroute): each round's paths with per-hop loss and\n"
          "RTT, and what changed against the round before.\n"
          "\n"
          "  -p, --profile NAME|FILE  read that profile's history database\n"
          "      --db PATH      history database (default: the profile's,\n"
          "                     or $XDG_DATA_HOME/bottleneck/history.db)\n"
          "      --plugin-dir DIR  accepted as by every command (paths\n"
          "                     loads no plugin)\n"
          "  -s, --since DUR    only rounds of the last DUR (1h, 7d ...)\n"
          "  -n, --limit N      at most the last N rounds (default 20;\n"
          "                     0: all)\n"
          "      --json         JSON for machines\n"
          "  -v, --verbose | --debug | -q, --quiet\n"
          "  -h, --help         this help\n");
}

static const char *paths_status_name(bn_path_status s)
{
  return (unsigned)s < 4 ? paths_status[s] : "unknown";
}

/* ---- text ----------------------------------------------------------- */

static void text_ms(FILE *out, double v)
{
  if (v < 0)
    fprintf(out, " %7s", "-");
  else
    fprintf(out, " %7.2f", v);
}

static void text_path(const store_path_round *r, size_t i, FILE *out)
{
  const bn_path *p = &r->paths[i];
  size_t k;

  fprintf(out, "  flow %u  path %s  %s\n", (unsigned)p->flow_id,
          r->path_ids[i] ? r->path_ids[i] : "-", paths_status_name(p->status));
  fprintf(out, "    %3s  %-39s %6s %5s %7s %7s %7s %7s %7s\n", "hop",
          "address", "loss%", "sent", "last", "avg", "best", "worst", "stdev");
  for (k = 0; k < p->n_hops; k++) {
    const bn_hop *h = &p->hops[k];
    double loss = h->sent ? 100.0 * (h->sent - h->received) / h->sent : 0;

    fprintf(out, "    %3d  %-39s %6.1f %5u", h->ttl, h->addr ? h->addr : "???",
            loss, (unsigned)h->sent);
    if (h->received) {
      text_ms(out, h->last_ms);
      text_ms(out, h->avg_ms);
      text_ms(out, h->best_ms);
      text_ms(out, h->worst_ms);
      text_ms(out, h->stddev_ms);
    }
    fputc('\n', out);
  }
}

static int text_change(const store_path_change_row *c, void *arg)
{
  FILE *out = arg;
  pathdiff_change d;
  char msg[512];

  memset(&d, 0, sizeof(d));
  d.kind = c->kind;
  d.flow_id = c->flow_id;
  d.ttl = c->ttl;
  d.old_addr = c->old_addr;
  d.new_addr = c->new_addr;
  d.old_rtt_ms = c->old_rtt_ms;
  d.new_rtt_ms = c->new_rtt_ms;
  d.old_n = c->old_paths;
  d.new_n = c->new_paths;
  pathdiff_describe(&d, msg, sizeof(msg));
  if (!strcmp(c->kind, "set")) {
    fprintf(out, "  change: %s\n", msg);
    return 0;
  }
  fprintf(out, "  change: %s (flow %u)\n", msg, (unsigned)c->flow_id);
  return 0;
}

static void text_round(store *st, const store_path_round *r, FILE *out)
{
  char when[64];
  size_t i;

  fprintf(out, "%s  %s  set %s  %s  %zu path%s (run %lld)\n",
          clock_format_wall(r->wall_ns, when, sizeof(when)), r->probe,
          r->set_hash, r->mode ? r->mode : "-", r->set.n_paths,
          r->set.n_paths == 1 ? "" : "s", (long long)r->run_id);
  store_path_changes_each(st, r->set_id, text_change, out);
  for (i = 0; i < r->set.n_paths; i++)
    text_path(r, i, out);
}

/* ---- JSON ----------------------------------------------------------- */

static void json_num(FILE *out, double v)
{
  if (v < 0)
    fputs("null", out);
  else
    fprintf(out, "%.3f", v);
}

static void json_hop(const bn_hop *h, FILE *out)
{
  fprintf(out, "{\"ttl\": %d, \"addr\": ", h->ttl);
  json_out_str(out, h->addr);
  fprintf(out, ", \"sent\": %u, \"received\": %u, \"loss_pct\": %.1f",
          (unsigned)h->sent, (unsigned)h->received,
          h->sent ? 100.0 * (h->sent - h->received) / h->sent : 0.0);
  fputs(", \"last_ms\": ", out);
  json_num(out, h->received ? h->last_ms : -1);
  fputs(", \"avg_ms\": ", out);
  json_num(out, h->received ? h->avg_ms : -1);
  fputs(", \"best_ms\": ", out);
  json_num(out, h->received ? h->best_ms : -1);
  fputs(", \"worst_ms\": ", out);
  json_num(out, h->received ? h->worst_ms : -1);
  fputs(", \"stddev_ms\": ", out);
  json_num(out, h->received ? h->stddev_ms : -1);
  fputc('}', out);
}

typedef struct json_changes {
  FILE *out;
  int n;
} json_changes;

static int json_change(const store_path_change_row *c, void *arg)
{
  json_changes *j = arg;
  FILE *out = j->out;

  fprintf(out, "%s\n      {\"kind\": ", j->n++ ? "," : "");
  json_out_str(out, c->kind);
  fprintf(out,
          ", \"flow\": %u, \"ttl\": %d, \"old_addr\": ", (unsigned)c->flow_id,
          c->ttl);
  json_out_str(out, c->old_addr);
  fputs(", \"new_addr\": ", out);
  json_out_str(out, c->new_addr);
  fputs(", \"old_rtt_ms\": ", out);
  json_num(out, c->old_rtt_ms);
  fputs(", \"new_rtt_ms\": ", out);
  json_num(out, c->new_rtt_ms);
  if (!strcmp(c->kind, "set"))
    fprintf(out, ", \"old_paths\": %d, \"new_paths\": %d", c->old_paths,
            c->new_paths);
  fputc('}', out);
  return 0;
}

static void json_round(store *st, const store_path_round *r, int first,
                       FILE *out)
{
  json_changes jc = {out, 0};
  size_t i, k;

  fprintf(out, "%s\n  {\"set_id\": %lld, \"run\": %lld, \"time_ns\": %lld, ",
          first ? "" : ",", (long long)r->set_id, (long long)r->run_id,
          (long long)r->wall_ns);
  fputs("\"probe\": ", out);
  json_out_str(out, r->probe);
  fputs(", \"mode\": ", out);
  json_out_str(out, r->mode);
  fputs(", \"set\": ", out);
  json_out_str(out, r->set_hash);
  fputs(",\n    \"changes\": [", out);
  store_path_changes_each(st, r->set_id, json_change, &jc);
  fputs(jc.n ? "\n    ],\n    \"paths\": [" : "],\n    \"paths\": [", out);
  for (i = 0; i < r->set.n_paths; i++) {
    const bn_path *p = &r->paths[i];

    fprintf(out, "%s\n      {\"flow\": %u, \"path\": ", i ? "," : "",
            (unsigned)p->flow_id);
    json_out_str(out, r->path_ids[i]);
    fprintf(out, ", \"status\": \"%s\", \"hops\": [",
            paths_status_name(p->status));
    for (k = 0; k < p->n_hops; k++) {
      fputs(k ? ",\n        " : "\n        ", out);
      json_hop(&p->hops[k], out);
    }
    fputs("]}", out);
  }
  fputs("\n    ]}", out);
}

/* ---- main ----------------------------------------------------------- */

static int paths_main(const paths_args *a)
{
  char path[4096];
  const char *tgt[1];
  profile *p = NULL;
  store *st = NULL;
  int64_t *ids = NULL;
  size_t n = 0, i;
  int rc;

  if (a->profile && profile_load(a->profile, &p) != 0)
    return CLI_EXIT_PROFILE;
  rc = cli_history_path(a->db, p, path, sizeof(path));
  profile_free(p);
  if (rc != 0) {
    fprintf(stderr, "bottleneck paths: no history database path: give "
                    "--db, or set XDG_DATA_HOME or HOME\n");
    return CLI_EXIT_STORE;
  }
  rc = cli_history_open("paths", path, &st);
  tgt[0] = a->target;
  if (rc == CLI_EXIT_OK)
    rc = cli_history_targets("paths", st, tgt, 1);
  if (rc != CLI_EXIT_OK) {
    store_close(st);
    return rc;
  }
  rc = store_path_rounds(st, a->target, a->since_ns, (size_t)a->limit, &ids,
                         &n);
  if (rc != 0) {
    free(ids);
    store_close(st);
    return CLI_EXIT_STORE;
  }
  if (a->json) {
    printf("{\"target\": ");
    json_out_str(stdout, a->target);
    printf(", \"rounds\": [");
  } else if (n == 0) {
    printf("no paths stored for target '%s'%s\n", a->target,
           a->since_ns ? " in that time" : "");
  } else {
    printf("paths to %s: %zu round%s, oldest first\n\n", a->target, n,
           n == 1 ? "" : "s");
  }
  for (i = 0; i < n; i++) {
    store_path_round r;

    if (store_path_round_get(st, ids[i], &r) != 0)
      continue;
    if (a->json)
      json_round(st, &r, i == 0, stdout);
    else {
      text_round(st, &r, stdout);
      if (i + 1 < n)
        fputc('\n', stdout);
    }
    store_path_round_free(&r);
  }
  if (a->json)
    printf("%s]}\n", n ? "\n" : "");
  free(ids);
  store_close(st);
  return CLI_EXIT_OK;
}

int cli_paths(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"db", required_argument, NULL, 'D'},
      {"profile", required_argument, NULL, 'p'},
      {"plugin-dir", required_argument, NULL, 'P'},
      {"since", required_argument, NULL, 's'},
      {"limit", required_argument, NULL, 'n'},
      {"json", no_argument, NULL, 'j'},
      CLI_LOG_LONGOPTS,
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  paths_args a;
  int64_t v;
  int c;

  memset(&a, 0, sizeof(a));
  a.limit = 20;
  optind = 1;
  while ((c = getopt_long(argc, argv, "p:s:n:vqh", longopts, NULL)) != -1) {
    if (cli_log_option(c))
      continue;
    switch (c) {
    case 'D':
      a.db = optarg;
      break;
    case 'p':
      a.profile = optarg;
      break;
    case 'P':
      break; /* no plugins here */
    case 's':
      if (conf_parse_duration(optarg, &v) != 0 || v <= 0) {
        fprintf(stderr,
                "bottleneck paths: --since '%s' is not a duration; write "
                "e.g. 30m, 24h or 7d\n",
                optarg);
        return CLI_EXIT_USAGE;
      }
      a.since_ns = (int64_t)time(NULL) * 1000000000LL - v;
      break;
    case 'n':
      if (conf_parse_int(optarg, &v) != 0 || v < 0) {
        fprintf(stderr,
                "bottleneck paths: --limit '%s' is not a count; write a "
                "number of rounds (0: all)\n",
                optarg);
        return CLI_EXIT_USAGE;
      }
      a.limit = (long)v;
      break;
    case 'j':
      a.json = 1;
      break;
    case 'h':
      cli_paths_usage(stdout);
      return CLI_EXIT_OK;
    default:
      cli_paths_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (optind + 1 != argc) {
    fprintf(stderr, "bottleneck paths: give one TARGET; see 'bottleneck "
                    "paths --help'\n");
    return CLI_EXIT_USAGE;
  }
  a.target = argv[optind];
  return paths_main(&a);
}
