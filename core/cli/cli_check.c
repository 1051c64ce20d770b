/*
 * cli_check.c - `bottleneck check`: the pre-flight checks of a profile
 * (check.h), printed as pass/warn/fail lines or JSON.
 *
 *   bottleneck check [--profile P] [--json]
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "log.h"
#include "profile.h"

static void cli_check_usage(FILE *out)
{
  fprintf(out,
          "Usage: bottleneck check [OPTIONS]\n"
          "\n"
          "Pre-flight checks for a profile's targets: DNS resolution of\n"
          "each target and of a reference name through each resolver of\n"
          "the profile's 'checks:' section, the default gateways (netlink)\n"
          "and whether they answer, and the path MTU to each target against\n"
          "the interface MTU.  One line each: pass, warn or fail, and why.\n"
          "\n"
          "  -p, --profile NAME|FILE  profile (default: home)\n"
          "      --db PATH, --plugin-dir DIR  accepted as by every command;\n"
          "                           check reads and writes no history and\n"
          "                           loads no plugin\n"
          "      --json               JSON for machines\n"
          "  -v, --verbose | --debug | -q, --quiet\n"
          "  -h, --help               this help\n"
          "\n"
          "Exit status: 0 nothing failed (warnings allowed), 1 a check\n"
          "failed, 2 usage, 3 invalid profile.\n");
}

int cli_check(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"profile", required_argument, NULL, 'p'},
      {"db", required_argument, NULL, 'D'},
      {"plugin-dir", required_argument, NULL, 'P'},
      {"json", no_argument, NULL, 'j'},
      CLI_LOG_LONGOPTS,
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *name = "home";
  check_list l = {0};
  profile *p = NULL;
  int c, json = 0, status;

  optind = 1;
  while ((c = getopt_long(argc, argv, "p:vqh", longopts, NULL)) != -1) {
    if (cli_log_option(c))
      continue;
    switch (c) {
    case 'p':
      name = optarg;
      break;
    case 'j':
      json = 1;
      break;
    case 'D': /* the same global options as every command */
    case 'P':
      break;
    case 'h':
      cli_check_usage(stdout);
      return CLI_EXIT_OK;
    default:
      cli_check_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr,
            "bottleneck check: unexpected argument '%s'; see 'bottleneck "
            "check --help'\n",
            argv[optind]);
    return CLI_EXIT_USAGE;
  }
  if (profile_load(name, &p) != 0)
    return CLI_EXIT_PROFILE;
  check_run(p, &p->checks, &l);
  if (json)
    check_print_json(&l, stdout);
  else
    check_print_text(&l, stdout);
  status = check_worst(&l) == CHECK_FAIL ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
  check_list_free(&l);
  profile_free(p);
  return status;
}
