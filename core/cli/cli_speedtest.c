/*
 * cli_speedtest.c - `bottleneck speedtest`: run one speed test over the
 * profile's providers (retries, backoff and failover in speedtest.c),
 * store it as a run of its own, and print the result as text or JSON.
 *
 *   bottleneck speedtest [--profile P] [--provider NAME] [--db PATH]
 *                        [--json] [--plugin-dir DIR]
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
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
#include "speedtest.h"
#include "speedtest_print.h"
#include "store.h"

typedef struct st_args {
  const char *profile;
  const char *provider;
  const char *db;
  const char *plugin_dir;
  int json;
} st_args;

/* What the progress line shows. */
typedef struct st_cli {
  host_core core;
  uv_loop_t uv;
  uv_signal_t sigint, sigterm;
  host_instance *inst;   /* all instances made (destroyed at the end) */
  host_instance **order; /* the providers, in failover order */
  size_t n_inst;         /* instances made: providers, then exporters */
  size_t n_order;        /* providers */
  bn_node *cmdline_node; /* config of a --provider not in the profile */
  int progress;
  int interrupted;
  bn_speedtest_phase phase;
  int64_t phase_t0;
} st_cli;

static void cli_speedtest_usage(FILE *out)
{
  fprintf(out,
          "Usage: bottleneck speedtest [OPTIONS]\n"
          "\n"
          "Measure download and upload throughput, idle latency and latency\n"
          "under load with the profile's speed test providers, in order:\n"
          "a provider that fails is retried with backoff, then the next\n"
          "one takes over.  Every attempt is stored with the result.\n"
          "\n"
          "  -p, --profile NAME|FILE  profile (default: home)\n"
          "  -P, --provider NAME      only this provider (an instance of the\n"
          "                           profile, or any speedtest plugin with\n"
          "                           its defaults)\n"
          "      --db PATH            history database (default: the\n"
          "                           profile's store, else\n"
          "                           $XDG_DATA_HOME/bottleneck/history.db)\n"
          "      --json               print the result as JSON\n"
          "      --plugin-dir DIR     look for plugins in DIR first\n"
          "  -v, --verbose | --debug | -q, --quiet\n"
          "  -h, --help               this help\n"
          "\n"
          "Exit status: 0 measured, 1 every attempt failed, 2 usage,\n"
          "3 invalid profile, 4 plugin error, 5 store error.\n");
}

static const char *const st_phase_names[] = {"latency", "download", "upload"};

/* One redrawn line on stderr: provider, phase, rate, bytes, elapsed. */
static void st_progress(const char *provider, bn_speedtest_phase phase,
                        uint64_t bytes, double rate_bps, void *arg)
{
  st_cli *c = arg;
  int64_t now = clock_mono(&c->core.clock);

  if (!c->progress)
    return;
  if (phase != c->phase || !c->phase_t0) {
    c->phase = phase;
    c->phase_t0 = now;
  }
  fprintf(stderr, "\r\033[K%s: %-8s %9.2f Mbit/s %9.1f MB %5.1f s", provider,
          st_phase_names[phase % 3], rate_bps / 1e6, (double)bytes / 1e6,
          (double)(now - c->phase_t0) / 1e9);
  fflush(stderr);
}

static void st_signal(uv_signal_t *sig, int signum)
{
  st_cli *c = sig->data;

  log_warn("speedtest", "stopping on %s",
           signum == SIGINT ? "SIGINT" : "SIGTERM");
  c->interrupted = 1;
  uv_stop(&c->uv);
}

/* A --provider that the profile does not list: the plugin's defaults. */
static int st_adhoc(st_cli *c, const loader_plugin *lp, profile_plugin *entry)
{
  static const char *const reserved[] = {"plugin", "name", NULL};

  c->cmdline_node = conf_new(CONF_MAP, "<command line>", 1, 1);
  if (!c->cmdline_node)
    return CLI_EXIT_FAILURE;
  if (options_validate(lp->desc.options, c->cmdline_node, reserved,
                       lp->desc.name) != 0)
    return CLI_EXIT_PROFILE;
  memset(entry, 0, sizeof(*entry));
  entry->kind = BN_KIND_SPEEDTEST;
  entry->plugin = (char *)lp->desc.name;
  entry->name = (char *)lp->desc.name;
  entry->node = c->cmdline_node;
  return CLI_EXIT_OK;
}

static int st_wanted(const profile_plugin *pp, const char *only)
{
  if (pp->kind != BN_KIND_SPEEDTEST)
    return 0;
  return !only || !strcmp(pp->name, only) || !strcmp(pp->plugin, only);
}

/* Make and initialise one provider instance (appended to the order). */
static int st_add(st_cli *c, loader *ld, profile_plugin *pp)
{
  host_instance *in = &c->inst[c->n_inst];

  host_instance_setup(in, &c->core,
                      loader_find_kind(ld, BN_KIND_SPEEDTEST, pp->plugin), pp);
  c->n_inst++;
  c->core.n_inst = c->n_inst;
  c->order[c->n_order++] = in;
  return host_instance_init(in) == BN_OK ? CLI_EXIT_OK : CLI_EXIT_PLUGIN;
}

/* The profile's exporters see the results as they do in a run. */
static int st_add_exporters(st_cli *c, profile *p, loader *ld)
{
  size_t i;

  for (i = 0; i < p->n_plugins; i++) {
    host_instance *in = &c->inst[c->n_inst];

    if (p->plugins[i].kind != BN_KIND_EXPORTER)
      continue;
    host_instance_setup(
        in, &c->core,
        loader_find_kind(ld, BN_KIND_EXPORTER, p->plugins[i].plugin),
        &p->plugins[i]);
    c->n_inst++;
    c->core.n_inst = c->n_inst;
    if (host_instance_init(in) != BN_OK)
      return CLI_EXIT_PLUGIN;
  }
  return CLI_EXIT_OK;
}

static void st_flush_exporters(st_cli *c)
{
  size_t i;

  for (i = 0; i < c->n_inst; i++) {
    host_instance *in = &c->inst[i];
    const bn_exporter_ops *ex = host_exporter_ops(in);

    if (in->initialised && HOST_HAS(ex, flush))
      ex->flush(in->ctx);
  }
}

/* Make and initialise the provider instances, in profile order. */
static int st_instances(st_cli *c, profile *p, loader *ld, const char *only,
                        profile_plugin *adhoc)
{
  const loader_plugin *lp;
  size_t i, n = 0, n_exp = 0;
  int status;

  for (i = 0; i < p->n_plugins; i++)
    n += st_wanted(&p->plugins[i], only);
  if (n == 0 && only) {
    lp = loader_find_kind(ld, BN_KIND_SPEEDTEST, only);
    if (!lp) {
      log_error(NULL,
                "no speed test provider named '%s' in profile %s or among "
                "the plugins; run 'bottleneck plugins' to list them",
                only, p->name);
      return CLI_EXIT_PLUGIN;
    }
    if (st_adhoc(c, lp, adhoc) != CLI_EXIT_OK)
      return CLI_EXIT_PROFILE;
    n = 1;
  }
  if (n == 0) {
    log_error(NULL,
              "%s: profile %s lists no speed test providers; add a "
              "'speedtests:' list or pass --provider NAME",
              p->file, p->name);
    return CLI_EXIT_PROFILE;
  }
  for (i = 0; i < p->n_plugins; i++)
    n_exp += p->plugins[i].kind == BN_KIND_EXPORTER;
  c->inst = calloc(n + n_exp, sizeof(*c->inst));
  c->order = calloc(n, sizeof(*c->order));
  if (!c->inst || !c->order)
    return CLI_EXIT_FAILURE;
  c->core.inst = c->inst;
  if (adhoc->plugin) {
    status = st_add(c, ld, adhoc);
    return status == CLI_EXIT_OK ? st_add_exporters(c, p, ld) : status;
  }
  for (i = 0; i < p->n_plugins; i++) {
    if (!st_wanted(&p->plugins[i], only))
      continue;
    status = st_add(c, ld, &p->plugins[i]);
    if (status != CLI_EXIT_OK)
      return status;
  }
  return st_add_exporters(c, p, ld);
}

static int st_open_store(const st_args *a, const profile *p, store **st)
{
  char path[4096];
  const char *db = a->db ? a->db : p->store_path;

  if (!db) {
    if (store_default_path(path, sizeof(path)) != 0) {
      log_error("store", "no store path: set --db, XDG_DATA_HOME or HOME");
      return CLI_EXIT_STORE;
    }
    db = path;
  }
  log_info("store", "history in %s", db);
  return store_open(db, st) == 0 ? CLI_EXIT_OK : CLI_EXIT_STORE;
}

static int st_begin(st_cli *c, const profile *p)
{
  char hostname[256] = "unknown";
  store_run_meta meta;

  gethostname(hostname, sizeof(hostname) - 1);
  hostname[sizeof(hostname) - 1] = '\0';
  meta.host = hostname;
  meta.profile = p->name;
  meta.profile_hash = p->hash;
  meta.version = PACKAGE_VERSION;
  meta.started_ns = clock_wall(&c->core.clock);
  if (store_run_begin(c->core.st, &meta, &c->core.run_id) != 0 ||
      store_flush(c->core.st) != 0)
    return CLI_EXIT_STORE;
  return CLI_EXIT_OK;
}

static void st_signals(st_cli *c)
{
  uv_signal_init(&c->uv, &c->sigint);
  uv_signal_init(&c->uv, &c->sigterm);
  c->sigint.data = c->sigterm.data = c;
  uv_signal_start(&c->sigint, st_signal, SIGINT);
  uv_signal_start(&c->sigterm, st_signal, SIGTERM);
}

static void st_close(st_cli *c)
{
  size_t i;

  for (i = 0; i < c->n_inst; i++)
    host_instance_destroy(&c->inst[i]);
  if (c->sigint.loop) {
    uv_close((uv_handle_t *)&c->sigint, NULL);
    uv_close((uv_handle_t *)&c->sigterm, NULL);
  }
  uv_run(&c->uv, UV_RUN_DEFAULT);
  if (uv_loop_close(&c->uv) != 0)
    log_debug("speedtest", "event loop still had handles at exit");
}

/* The measuring part, once the profile, plugins and store are ready. */
static int st_measure(st_cli *c, const st_args *a, profile *p, loader *ld)
{
  profile_plugin adhoc;
  speedtest_outcome out;
  unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
  int status, end;

  memset(&adhoc, 0, sizeof(adhoc));
  status = st_instances(c, p, ld, a->provider, &adhoc);
  if (status != CLI_EXIT_OK)
    return status;
  status = st_begin(c, p);
  if (status != CLI_EXIT_OK)
    return status;
  st_signals(c);
  c->core.speedtest_progress = st_progress;
  c->core.speedtest_progress_arg = c;
  log_set_progress(c->progress);
  speedtest_run(&c->core, c->order, c->n_order, &p->speedtest, &seed, &out);
  st_flush_exporters(c);
  log_set_progress(0);
  if (c->progress)
    fprintf(stderr, "\r\033[K");
  status = out.status == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
  end = store_run_end(c->core.st, c->core.run_id, clock_wall(&c->core.clock),
                      status) == 0 &&
                store_flush(c->core.st) == 0
            ? status
            : CLI_EXIT_STORE;
  if (a->json)
    speedtest_print_json(&out, c->core.run_id, stdout);
  else
    speedtest_print_text(&out, stdout);
  fflush(stdout);
  speedtest_outcome_free(&out);
  return end;
}

static int st_main(const st_args *a)
{
  st_cli c;
  loader *ld = loader_new();
  profile *p = NULL;
  int status;

  memset(&c, 0, sizeof(c));
  if (!ld)
    return CLI_EXIT_FAILURE;
  loader_scan(ld, a->plugin_dir);
  if (profile_load(a->profile, &p) != 0 || profile_check_plugins(p, ld) != 0 ||
      host_check_profile(p, ld) != 0) {
    status = CLI_EXIT_PROFILE;
    goto out;
  }
  status = st_open_store(a, p, &c.core.st);
  if (status != CLI_EXIT_OK)
    goto out;
  if (uv_loop_init(&c.uv) != 0) {
    log_error("speedtest", "cannot create the event loop");
    status = CLI_EXIT_FAILURE;
    goto out;
  }
  c.core.uv = &c.uv;
  clock_init(&c.core.clock, NULL);
  c.progress = isatty(STDERR_FILENO) && log_enabled(BN_LOG_WARNING);
  status = st_measure(&c, a, p, ld);
  st_close(&c);
out:
  free(c.inst);
  free(c.order);
  conf_free(c.cmdline_node);
  store_close(c.core.st);
  profile_free(p);
  loader_free(ld);
  return status;
}

int cli_speedtest(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"profile", required_argument, NULL, 'p'},
      {"provider", required_argument, NULL, 'P'},
      {"db", required_argument, NULL, 'D'},
      {"json", no_argument, NULL, 'j'},
      {"plugin-dir", required_argument, NULL, 'L'},
      CLI_LOG_LONGOPTS,
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  st_args a;
  int c;

  memset(&a, 0, sizeof(a));
  a.profile = "home";
  optind = 1;
  while ((c = getopt_long(argc, argv, "p:P:vqh", longopts, NULL)) != -1) {
    if (cli_log_option(c))
      continue;
    switch (c) {
    case 'p':
      a.profile = optarg;
      break;
    case 'P':
      a.provider = optarg;
      break;
    case 'D':
      a.db = optarg;
      break;
    case 'j':
      a.json = 1;
      break;
    case 'L':
      a.plugin_dir = optarg;
      break;
    case 'h':
      cli_speedtest_usage(stdout);
      return CLI_EXIT_OK;
    default:
      cli_speedtest_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr,
            "bottleneck speedtest: unexpected argument '%s'; see "
            "'bottleneck speedtest --help'\n",
            argv[optind]);
    return CLI_EXIT_USAGE;
  }
  return st_main(&a);
}
