/*
 * cli_plugins.c - `bottleneck plugins`: list what the loader found, or
 * describe one plugin's options.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "loader.h"
#include "log.h"
#include "options.h"

static void cli_plugins_usage(FILE *out)
{
  fprintf(out,
          "Usage: bottleneck plugins [--plugin-dir DIR] [--describe NAME]\n"
          "\n"
          "List the plugins found on the search path (--plugin-dir,\n"
          "BOTTLENECK_PLUGIN_PATH, then %s), and the\n"
          "files that were refused and why.\n"
          "\n"
          "      --plugin-dir DIR  look in DIR first\n"
          "      --describe NAME   print the plugin's option table\n"
          "  -h, --help            this help\n",
          PKGLIBDIR);
}

static void cli_plugins_list(const loader *ld)
{
  size_t i, n = loader_count(ld);

  printf("%-10s %-16s %-8s %-5s %s\n", "KIND", "NAME", "VERSION", "ABI",
         "FILE");
  for (i = 0; i < n; i++) {
    const loader_plugin *p = loader_at(ld, i);
    char abi[16];

    snprintf(abi, sizeof(abi), "%u.%u", (unsigned)p->desc.abi_major,
             (unsigned)p->desc.abi_minor);
    printf("%-10s %-16s %-8s %-5s %s\n", loader_kind_name(p->desc.kind),
           p->desc.name, p->desc.version ? p->desc.version : "-", abi,
           p->file);
  }
  if (n == 0)
    printf("(no plugins found)\n");
}

static const char *cli_plugins_agg(bn_metric_agg a)
{
  static const char *const names[] = {"",    "distribution", "mean",
                                      "sum", "last",         "max"};

  return (unsigned)a < sizeof(names) / sizeof(names[0]) ? names[a] : "";
}

/* What the plugin declares besides its options: metrics, formats,
 * needs. */
static void cli_plugins_describe_decls(const loader_plugin *p)
{
  const bn_metric *m;
  size_t i;
  int w = 6;

  for (m = p->desc.metrics; m && m->name; m++)
    if ((int)strlen(m->name) > w)
      w = (int)strlen(m->name);
  if (p->desc.metrics && p->desc.metrics[0].name) {
    printf("\n%-*s  %-7s  %-10s  %-12s  %s\n", w, "METRIC", "UNIT", "ROLE",
           "AGGREGATION", "DESCRIPTION");
    for (m = p->desc.metrics; m->name; m++)
      printf("%-*s  %-7s  %-10s  %-12s  %s%s\n", w, m->name, m->unit,
             bn_role_name(m->role), cli_plugins_agg(m->agg),
             m->flags & BN_METRIC_PRIMARY ? "(primary) " : "",
             m->help ? m->help : "");
  }
  if (p->desc.formats && p->desc.formats[0]) {
    printf("\nformats:");
    for (i = 0; p->desc.formats[i]; i++)
      printf(" %s", p->desc.formats[i]);
    putchar('\n');
  }
  if (p->desc.needs)
    printf("\nneeds:%s%s\n",
           p->desc.needs & BN_NEED_ICMP_SOCKET
               ? " ICMP sockets (raw with CAP_NET_RAW, or ping sockets)"
               : "",
           p->desc.needs & BN_NEED_RAW_SOCKET ? " raw sockets (CAP_NET_RAW)"
                                              : "");
}

static void cli_plugins_describe_one(const loader_plugin *p)
{
  printf("%s %s (%s plugin, ABI %u.%u)\n", p->desc.name,
         p->desc.version ? p->desc.version : "",
         loader_kind_name(p->desc.kind), (unsigned)p->desc.abi_major,
         (unsigned)p->desc.abi_minor);
  if (p->desc.summary)
    printf("%s\n", p->desc.summary);
  printf("file: %s\n\n", p->file);
  options_describe(p->desc.options, stdout);
  cli_plugins_describe_decls(p);
}

/* Names are unique per kind: describe every plugin of that name. */
static int cli_plugins_describe(const loader *ld, const char *name)
{
  int kind, n = 0;

  for (kind = BN_KIND_PROBE; kind <= BN_KIND_REPORTER; kind++) {
    const loader_plugin *p = loader_find_kind(ld, (bn_kind)kind, name);

    if (!p)
      continue;
    if (n++)
      printf("\n");
    cli_plugins_describe_one(p);
  }
  if (!n) {
    fprintf(stderr,
            "bottleneck plugins: no plugin named '%s'; run 'bottleneck "
            "plugins' to list them\n",
            name);
    return CLI_EXIT_PLUGIN;
  }
  return CLI_EXIT_OK;
}

int cli_plugins(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"plugin-dir", required_argument, NULL, 'P'},
      {"describe", required_argument, NULL, 'D'},
      CLI_LOG_LONGOPTS,
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *dir = NULL, *describe = NULL;
  loader *ld;
  int c, status;

  optind = 1;
  while ((c = getopt_long(argc, argv, "vqh", longopts, NULL)) != -1) {
    switch (c) {
    case 'P':
      dir = optarg;
      break;
    case 'D':
      describe = optarg;
      break;
    case 'h':
      cli_plugins_usage(stdout);
      return CLI_EXIT_OK;
    default:
      if (cli_log_option(c))
        break;
      cli_plugins_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "bottleneck plugins: unexpected argument '%s'\n",
            argv[optind]);
    return CLI_EXIT_USAGE;
  }
  ld = loader_new();
  if (!ld)
    return CLI_EXIT_FAILURE;
  /* Refusals are logged as warnings by the loader as it scans. */
  loader_scan(ld, dir);
  if (describe)
    status = cli_plugins_describe(ld, describe);
  else {
    cli_plugins_list(ld);
    status = CLI_EXIT_OK;
  }
  loader_free(ld);
  return status;
}
