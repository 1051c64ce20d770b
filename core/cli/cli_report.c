/*
 * cli_report.c - `bottleneck report`: render from the history store,
 * without measuring anything (docs/reports.md).
 *
 *   bottleneck report [--profile P] [--db PATH] [--run ID]
 *                     [--since T] [--until T] [--target NAME]...
 *                     [--format html|pdf|json|text] [--reporter NAME]
 *                     [--preset compact|full|ops] [--redact] [-o FILE]
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "host.h"
#include "loader.h"
#include "log.h"
#include "options.h"
#include "profile.h"
#include "report_model.h"
#include "report_render.h"
#include "store.h"

#define MAX_TARGETS 64

static void cli_report_usage(FILE *out)
{
  fprintf(out,
          "Usage: bottleneck report [OPTIONS]\n"
          "\n"
          "Render a report from the history store (no new measurement).\n"
          "Without a range: the last run.\n"
          "\n"
          "  -p, --profile NAME|FILE  the last run of that profile (and its\n"
          "                           history database)\n"
          "      --db PATH            history database (default: the "
          "profile's, or\n"
          "                           $XDG_DATA_HOME/bottleneck/history.db)\n"
          "  -r, --run ID             one run\n"
          "      --since T            from T: 24h, 7d, 2026-11-24, "
          "2026-11-24T10:00[Z]\n"
          "      --until T            up to T (default: now)\n"
          "  -t, --target NAME        only this target (repeat for more)\n"
          "  -f, --format FORMAT      a format a reporter declares: text\n"
          "                           (default), json, html, pdf ... (see\n"
          "                           'bottleneck plugins')\n"
          "  -R, --reporter NAME      any reporter plugin (instead of "
          "--format)\n"
          "      --preset PRESET      full (default), compact or ops\n"
          "      --compact | --full | --ops   the same, shorter\n"
          "      --redact             pseudonyms for host names and "
          "addresses\n"
          "  -o, --output FILE        write there (html and pdf default to a "
          "name\n"
          "                           from the profile, host and dates)\n"
          "      --plugin-dir DIR     look for plugins in DIR first\n"
          "  -v, --verbose | --debug | -q, --quiet\n"
          "  -h, --help               this help\n");
}

typedef struct report_args {
  const char *db;
  const char *profile;
  const char *format;
  const char *reporter;
  const char *output;
  const char *plugin_dir;
  const char *since, *until;
  const char *targets[MAX_TARGETS];
  size_t n_targets;
  int preset;
  int redact;
  int64_t run_id;
} report_args;

/* The reporter's config: its defaults, exactly as for a reporter listed
 * in a profile.  The preset, redaction and output file of the command
 * line reach it through the report request. */
static bn_node *cli_report_config(const loader_plugin *lp)
{
  static const char *const reserved[] = {"plugin", "name", NULL};
  bn_node *map = conf_new(CONF_MAP, "<command line>", 1, 1);

  if (!map)
    return NULL;
  if (options_validate(lp->desc.options, map, reserved, lp->desc.name) != 0) {
    conf_free(map);
    return NULL;
  }
  return map;
}

/* The index of `format` in the plugin's formats, or -1. */
static int cli_report_format_of(const loader_plugin *lp, const char *format)
{
  int i;

  for (i = 0; lp->desc.formats && lp->desc.formats[i]; i++)
    if (!strcmp(lp->desc.formats[i], format))
      return i;
  return -1;
}

/* The reporter that declares `format`, or NULL after listing the formats
 * there are. */
static const loader_plugin *cli_report_by_format(loader *ld,
                                                 const char *format)
{
  char known[512];
  size_t i, used = 0;

  known[0] = '\0';
  for (i = 0; i < loader_count(ld); i++) {
    const loader_plugin *lp = loader_at(ld, i);
    int k;

    if (lp->desc.kind != BN_KIND_REPORTER)
      continue;
    if (cli_report_format_of(lp, format) >= 0)
      return lp;
    for (k = 0; lp->desc.formats && lp->desc.formats[k]; k++) {
      int n = snprintf(known + used, sizeof(known) - used, "%s%s",
                       used ? ", " : "", lp->desc.formats[k]);

      if (n < 0 || (size_t)n >= sizeof(known) - used)
        break;
      used += (size_t)n;
    }
  }
  fprintf(stderr,
          "bottleneck report: no reporter plugin renders format '%s' "
          "(formats here: %s); run 'bottleneck plugins' to list them\n",
          format, known[0] ? known : "none");
  return NULL;
}

static int cli_report_render(const report_args *a, const loader_plugin *lp,
                             store *st, const report_opts *o,
                             const char *format, const char *output,
                             char *written, size_t wlen)
{
  host_core core;
  host_instance in;
  profile_plugin entry;
  int status = CLI_EXIT_OK;

  memset(&core, 0, sizeof(core));
  memset(&entry, 0, sizeof(entry));
  clock_init(&core.clock, NULL);
  core.st = st;
  core.run_id = o->run_id;
  entry.kind = BN_KIND_REPORTER;
  entry.plugin = (char *)lp->desc.name;
  entry.name = (char *)lp->desc.name;
  entry.node = cli_report_config(lp);
  if (!entry.node)
    return CLI_EXIT_USAGE;
  (void)a;
  host_instance_setup(&in, &core, lp, &entry);
  if (host_instance_init(&in) != BN_OK) {
    status = CLI_EXIT_PLUGIN;
  } else {
    int rc = report_render_instance(&in, st, o, format, output, stdout,
                                    written, wlen);

    if (rc == BN_ENOENT)
      status = CLI_EXIT_STORE;
    else if (rc != BN_OK)
      status = CLI_EXIT_PLUGIN;
  }
  fflush(stdout);
  host_instance_destroy(&in);
  conf_free(entry.node);
  return status;
}

static int cli_report_main(report_args *a)
{
  char path[4096], name[1024];
  const char *output = a->output, *format = a->format;
  const loader_plugin *lp;
  profile *p = NULL;
  loader *ld = loader_new();
  report_opts o;
  store *st = NULL;
  int status = CLI_EXIT_OK;
  int64_t now;

  if (!ld)
    return CLI_EXIT_FAILURE;
  memset(&o, 0, sizeof(o));
  o.run_id = a->run_id;
  o.targets = a->n_targets ? a->targets : NULL;
  o.n_targets = a->n_targets;
  o.preset = (report_preset)a->preset;
  o.redact = a->redact;
  now = (int64_t)time(NULL) * 1000000000LL;
  if (a->since && report_parse_time(a->since, now, &o.since_ns) != 0) {
    fprintf(stderr,
            "bottleneck report: --since '%s' is not a time: use 24h, 7d, "
            "2026-11-24 or 2026-11-24T10:00\n",
            a->since);
    loader_free(ld);
    return CLI_EXIT_USAGE;
  }
  if (a->until && report_parse_time(a->until, now, &o.until_ns) != 0) {
    fprintf(stderr,
            "bottleneck report: --until '%s' is not a time: use now, 1h, "
            "2026-11-25 or 2026-11-25T10:00\n",
            a->until);
    loader_free(ld);
    return CLI_EXIT_USAGE;
  }
  if (o.since_ns && o.until_ns && o.until_ns <= o.since_ns) {
    fprintf(stderr, "bottleneck report: the range ends before it starts "
                    "(--until is not after --since)\n");
    loader_free(ld);
    return CLI_EXIT_USAGE;
  }
  loader_scan(ld, a->plugin_dir);
  if (a->reporter) {
    lp = loader_find_kind(ld, BN_KIND_REPORTER, a->reporter);
    if (!lp)
      fprintf(stderr,
              "bottleneck report: no reporter plugin named '%s'; run "
              "'bottleneck plugins' to list them\n",
              a->reporter);
    else
      format = lp->desc.formats[0];
  } else {
    if (!format)
      format = BN_FORMAT_DEFAULT;
    lp = cli_report_by_format(ld, format);
  }
  if (!lp) {
    loader_free(ld);
    return CLI_EXIT_PLUGIN;
  }
  if (a->profile) {
    if (profile_load(a->profile, &p) != 0) {
      loader_free(ld);
      return CLI_EXIT_PROFILE;
    }
    o.profile = p->name;
    if (!a->db)
      a->db = p->store_path;
  }
  if (!a->db && store_default_path(path, sizeof(path)) == 0)
    a->db = path;
  if (!a->db || store_open_readonly(a->db, &st) != 0) {
    profile_free(p);
    loader_free(ld);
    return CLI_EXIT_STORE;
  }
  /* A reporter whose `output` option defaults to "" writes a file named
   * after the report (profile, host, dates; the format as extension)
   * unless the command line names one; "-" is standard output. */
  name[0] = '\0';
  status =
      cli_report_render(a, lp, st, &o, format, output, name, sizeof(name));
  if (status == CLI_EXIT_OK && name[0] && strcmp(name, "-"))
    fprintf(stderr, "bottleneck report: wrote %s\n", name);
  store_close(st);
  profile_free(p);
  loader_free(ld);
  return status;
}

int cli_report(int argc, char **argv)
{
  enum {
    O_DB = 256,
    O_PLUGIN_DIR,
    O_SINCE,
    O_UNTIL,
    O_PRESET,
    O_REDACT,
    O_COMPACT,
    O_FULL,
    O_OPS
  };
  static const struct option longopts[] = {
      {"db", required_argument, NULL, O_DB},
      {"profile", required_argument, NULL, 'p'},
      {"run", required_argument, NULL, 'r'},
      {"since", required_argument, NULL, O_SINCE},
      {"until", required_argument, NULL, O_UNTIL},
      {"target", required_argument, NULL, 't'},
      {"format", required_argument, NULL, 'f'},
      {"reporter", required_argument, NULL, 'R'},
      {"preset", required_argument, NULL, O_PRESET},
      {"compact", no_argument, NULL, O_COMPACT},
      {"full", no_argument, NULL, O_FULL},
      {"ops", no_argument, NULL, O_OPS},
      {"redact", no_argument, NULL, O_REDACT},
      {"output", required_argument, NULL, 'o'},
      {"plugin-dir", required_argument, NULL, O_PLUGIN_DIR},
      CLI_LOG_LONGOPTS,
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  report_args a;
  int c;

  memset(&a, 0, sizeof(a));
  optind = 1;
  while ((c = getopt_long(argc, argv, "p:r:t:f:R:o:vqh", longopts, NULL)) !=
         -1) {
    switch (c) {
    case O_DB:
      a.db = optarg;
      break;
    case 'p':
      a.profile = optarg;
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
    case O_SINCE:
      a.since = optarg;
      break;
    case O_UNTIL:
      a.until = optarg;
      break;
    case 't':
      if (a.n_targets == MAX_TARGETS) {
        fprintf(stderr, "bottleneck report: at most %d --target options\n",
                MAX_TARGETS);
        return CLI_EXIT_USAGE;
      }
      a.targets[a.n_targets++] = optarg;
      break;
    case 'f':
      a.format = optarg;
      break;
    case 'R':
      a.reporter = optarg;
      break;
    case O_PRESET:
      a.preset = report_preset_of(optarg);
      if (a.preset < 0) {
        fprintf(stderr,
                "bottleneck report: --preset '%s' is not one of full, "
                "compact, ops\n",
                optarg);
        return CLI_EXIT_USAGE;
      }
      break;
    case O_COMPACT:
      a.preset = REPORT_COMPACT;
      break;
    case O_FULL:
      a.preset = REPORT_FULL;
      break;
    case O_OPS:
      a.preset = REPORT_OPS;
      break;
    case O_REDACT:
      a.redact = 1;
      break;
    case 'o':
      a.output = optarg;
      break;
    case O_PLUGIN_DIR:
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
  if (a.format && a.reporter) {
    fprintf(stderr, "bottleneck report: give --format or --reporter, not "
                    "both\n");
    return CLI_EXIT_USAGE;
  }
  return cli_report_main(&a);
}
