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
#include "report_pdf.h"
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
          "  -f, --format FORMAT      text (default), json, html or pdf\n"
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

static int has_option(const bn_option *table, const char *name)
{
  for (; table && table->name; table++)
    if (!strcmp(table->name, name))
      return 1;
  return 0;
}

/* The reporter's config: output, preset and redact, then the plugin's
 * defaults, exactly as for a reporter listed in a profile. */
static bn_node *cli_report_config(const loader_plugin *lp, const char *output,
                                  const report_args *a)
{
  static const char *const reserved[] = {"plugin", "name", NULL};
  bn_node *map = conf_new(CONF_MAP, "<command line>", 1, 1);
  const char *keys[3] = {"output", "preset", "redact"};
  const char *vals[3];
  size_t i;

  vals[0] = output;
  vals[1] = report_preset_name((report_preset)a->preset);
  vals[2] = a->redact ? "true" : "false";
  if (!map)
    return NULL;
  for (i = 0; i < 3; i++) {
    bn_node *v;

    if (!vals[i] || !has_option(lp->desc.options, keys[i]))
      continue;
    v = conf_new_scalar(vals[i], "<command line>", 1, 1);
    if (!v || conf_append(map, keys[i], v) != 0) {
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
                             store *st, const report_opts *o,
                             const char *output)
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
  entry.node = cli_report_config(lp, output, a);
  if (!entry.node)
    return CLI_EXIT_USAGE;
  host_instance_setup(&in, &core, lp, &entry);
  if (host_instance_init(&in) != BN_OK) {
    status = CLI_EXIT_PLUGIN;
  } else {
    int rc = report_render_instance(&in, st, o, stdout);

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

/* The default file name for html and pdf: from the model's metadata. */
static int cli_report_default_name(store *st, const report_opts *o,
                                   const char *ext, char *buf, size_t len)
{
  report_opts m = *o;
  json_object *model;

  m.meta_only = 1;
  model = report_model_build(st, &m);
  if (!model)
    return -1;
  report_file_name(model, ext, buf, len);
  json_object_put(model);
  return 0;
}

static int cli_report_pdf(const report_args *a, const loader_plugin *lp,
                          store *st, const report_opts *o, const char *pdf)
{
  char browser[4096], html[] = "/tmp/bottleneck-report.XXXXXX.html";
  int fd, status;

  if (report_pdf_browser(browser, sizeof(browser)) != 0) {
    fprintf(stderr, "bottleneck report: PDF needs Chromium, which is not "
                    "installed: apt-get install chromium (or set "
                    "BOTTLENECK_CHROMIUM to a Chromium or Chrome program)\n");
    return CLI_EXIT_FAILURE;
  }
  fd = mkstemps(html, 5);
  if (fd < 0) {
    fprintf(stderr, "bottleneck report: cannot make a temporary file: %s\n",
            strerror(errno));
    return CLI_EXIT_FAILURE;
  }
  close(fd);
  status = cli_report_render(a, lp, st, o, html);
  if (status == CLI_EXIT_OK && report_pdf_print(browser, html, pdf) != 0)
    status = CLI_EXIT_FAILURE;
  unlink(html);
  return status;
}

static int cli_report_main(report_args *a)
{
  char path[4096], name[1024];
  const char *reporter = a->reporter, *output = a->output;
  const loader_plugin *lp;
  profile *p = NULL;
  loader *ld = loader_new();
  report_opts o;
  store *st = NULL;
  int status = CLI_EXIT_OK, pdf = 0;
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
  if (!reporter) {
    const char *f = a->format ? a->format : "text";

    if (!strcmp(f, "pdf")) {
      pdf = 1;
      reporter = "html";
    } else if (!strcmp(f, "html") || !strcmp(f, "json") ||
               !strcmp(f, "text")) {
      reporter = f;
    } else {
      fprintf(stderr,
              "bottleneck report: --format '%s' is not one of html, pdf, "
              "json, text\n",
              f);
      loader_free(ld);
      return CLI_EXIT_USAGE;
    }
  }
  loader_scan(ld, a->plugin_dir);
  lp = loader_find_kind(ld, BN_KIND_REPORTER, reporter);
  if (!lp) {
    fprintf(stderr,
            "bottleneck report: no reporter plugin named '%s'; run "
            "'bottleneck plugins' to list them\n",
            reporter);
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
  status = a->db ? cli_history_open("report", a->db, &st) : CLI_EXIT_STORE;
  if (status == CLI_EXIT_OK)
    status = cli_history_targets("report", st, a->targets, a->n_targets);
  if (status != CLI_EXIT_OK) {
    store_close(st);
    profile_free(p);
    loader_free(ld);
    return status;
  }
  if ((pdf || !strcmp(reporter, "html")) && !output) {
    if (cli_report_default_name(st, &o, pdf ? "pdf" : "html", name,
                                sizeof(name)) != 0)
      status = CLI_EXIT_STORE;
    output = name;
  }
  if (status == CLI_EXIT_OK)
    status = pdf ? cli_report_pdf(a, lp, st, &o, output)
                 : cli_report_render(a, lp, st, &o, output);
  if (status == CLI_EXIT_OK && (pdf || (output && strcmp(output, "-"))))
    fprintf(stderr, "bottleneck report: wrote %s\n", output);
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
