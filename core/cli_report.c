/*
 * cli_report.c - `bottleneck report`: render a stored run again, with
 * any reporter plugin, without measuring anything.
 *
 *   bottleneck report [--db PATH] [--run ID] [--reporter NAME]
 *                     [--output FILE]
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "host.h"
#include "loader.h"
#include "log.h"
#include "options.h"
#include "store.h"

static void cli_report_usage(FILE *out)
{
  fprintf(out,
          "Usage: bottleneck report [OPTIONS]\n"
          "\n"
          "Render a run from the history store with a reporter plugin.\n"
          "\n"
          "      --db PATH         history database (default:\n"
          "                        $XDG_DATA_HOME/bottleneck/history.db)\n"
          "  -r, --run ID          the run to report on (default: the last)\n"
          "  -R, --reporter NAME   reporter plugin (default: text)\n"
          "  -o, --output FILE     write there (atomically), not to stdout\n"
          "      --plugin-dir DIR  look for plugins in DIR first\n"
          "  -v, --verbose | --debug | -q, --quiet\n"
          "  -h, --help            this help\n");
}

typedef struct report_args {
  const char *db;
  const char *reporter;
  const char *output;
  const char *plugin_dir;
  int64_t run_id;
} report_args;

/* The reporter's config: --output if given, then the plugin's defaults,
 * exactly as for a reporter listed in a profile. */
static bn_node *cli_report_config(const loader_plugin *lp, const char *output)
{
  static const char *const reserved[] = {"plugin", "name", NULL};
  bn_node *map = conf_new(CONF_MAP, "<command line>", 1, 1);
  bn_node *v;

  if (!map)
    return NULL;
  if (output) {
    v = conf_new_scalar(output, "<command line>", 1, 1);
    if (!v || conf_append(map, "output", v) != 0) {
      conf_free(v);
      conf_free(map);
      return NULL;
    }
  }
  if (options_validate(lp->desc.options, map, reserved, lp->desc.name) != 0) {
    conf_free(map);
    return NULL;
  }
  return map;
}

static int cli_report_render(const report_args *a, const loader_plugin *lp,
                             store *st)
{
  host_core core;
  host_instance in;
  profile_plugin entry;
  const bn_reporter_ops *ops;
  bn_report_request req;
  int status = CLI_EXIT_OK;

  memset(&core, 0, sizeof(core));
  memset(&entry, 0, sizeof(entry));
  clock_init(&core.clock, NULL);
  core.st = st;
  core.run_id = a->run_id;
  entry.kind = BN_KIND_REPORTER;
  entry.plugin = (char *)lp->desc.name;
  entry.name = (char *)lp->desc.name;
  entry.node = cli_report_config(lp, a->output);
  if (!entry.node)
    return CLI_EXIT_USAGE;
  host_instance_setup(&in, &core, lp, &entry);
  ops = host_reporter_ops(&in);
  if (host_instance_init(&in) != BN_OK) {
    status = CLI_EXIT_PLUGIN;
  } else if (HOST_HAS(ops, render)) {
    req.run_id = a->run_id;
    req.out = stdout;
    if (ops->render(in.ctx, &req) != BN_OK)
      status = CLI_EXIT_PLUGIN;
    fflush(stdout);
  }
  host_instance_destroy(&in);
  conf_free(entry.node);
  return status;
}

static int cli_report_main(report_args *a)
{
  char path[4096];
  const loader_plugin *lp;
  bn_run_info info;
  loader *ld = loader_new();
  store *st = NULL;
  int status = CLI_EXIT_OK;

  if (!ld)
    return CLI_EXIT_FAILURE;
  loader_scan(ld, a->plugin_dir);
  lp = loader_find_kind(ld, BN_KIND_REPORTER, a->reporter);
  if (!lp) {
    fprintf(stderr,
            "bottleneck report: no reporter plugin named '%s'; run "
            "'bottleneck plugins' to list them\n",
            a->reporter);
    loader_free(ld);
    return CLI_EXIT_PLUGIN;
  }
  if (!a->db && store_default_path(path, sizeof(path)) == 0)
    a->db = path;
  if (!a->db || store_open_readonly(a->db, &st) != 0) {
    loader_free(ld);
    return CLI_EXIT_STORE;
  }
  if (!a->run_id && store_last_run(st, &a->run_id) != 0)
    status = CLI_EXIT_STORE;
  if (status == CLI_EXIT_OK && store_run_info(st, a->run_id, &info) != 0) {
    fprintf(stderr, "bottleneck report: %s has no run %lld\n", a->db,
            (long long)a->run_id);
    status = CLI_EXIT_STORE;
  }
  if (status == CLI_EXIT_OK)
    status = cli_report_render(a, lp, st);
  store_close(st);
  loader_free(ld);
  return status;
}

int cli_report(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"db", required_argument, NULL, 'D'},
      {"run", required_argument, NULL, 'r'},
      {"reporter", required_argument, NULL, 'R'},
      {"output", required_argument, NULL, 'o'},
      {"plugin-dir", required_argument, NULL, 'P'},
      CLI_LOG_LONGOPTS,
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  report_args a;
  int c;

  memset(&a, 0, sizeof(a));
  a.reporter = "text";
  optind = 1;
  while ((c = getopt_long(argc, argv, "r:R:o:vqh", longopts, NULL)) != -1) {
    switch (c) {
    case 'D':
      a.db = optarg;
      break;
    case 'r':
      if (conf_parse_int(optarg, &a.run_id) != 0 || a.run_id <= 0) {
        fprintf(stderr,
                "bottleneck report: --run '%s' is not a run id (a positive "
                "number; 'bottleneck report' alone shows the last run)\n",
                optarg);
        return CLI_EXIT_USAGE;
      }
      break;
    case 'R':
      a.reporter = optarg;
      break;
    case 'o':
      a.output = optarg;
      break;
    case 'P':
      a.plugin_dir = optarg;
      break;
    case 'h':
      cli_report_usage(stdout);
      return CLI_EXIT_OK;
    default:
      if (cli_log_option(c))
        break;
      cli_report_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "bottleneck report: unexpected argument '%s'\n",
            argv[optind]);
    return CLI_EXIT_USAGE;
  }
  return cli_report_main(&a);
}
