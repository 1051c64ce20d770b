/*
 * cli_check.c - `bottleneck check`: the pre-flight checks of a profile
 * (check.h), printed as pass/warn/fail lines or JSON.
 *
 *   bottleneck check [--profile P] [--json]
 *   bottleneck check --nic [IFACE...] [--json]
 */
#include "config.h"

#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "check_nic.h"
#include "cli.h"
#include "log.h"
#include "profile.h"

static void cli_check_usage(FILE *out)
{
  fprintf(out,
          "Usage: bottleneck check [OPTIONS]\n"
          "       bottleneck check --nic [IFACE...] [--json]\n"
          "\n"
          "Pre-flight checks for a profile's targets: DNS resolution of\n"
          "each target and of a reference name through each resolver of\n"
          "the profile's 'checks:' section, the default gateways (netlink)\n"
          "and whether they answer, and the path MTU to each target against\n"
          "the interface MTU.  One line each: pass, warn or fail, and why.\n"
          "\n"
          "With --nic, the tuning of network interfaces instead (every one\n"
          "that is up but loopback when none is named): offloads, rings,\n"
          "interrupt coalescing and channels (ethtool netlink), IRQ\n"
          "affinity, RPS/XPS, drops and errors; each finding with the\n"
          "command that changes it.\n"
          "\n"
          "  -p, --profile NAME|FILE  profile (default: home)\n"
          "      --nic                check interfaces (see above)\n"
          "      --db PATH, --plugin-dir DIR  accepted as by every command;\n"
          "                           check reads and writes no history and\n"
          "                           loads no plugin\n"
          "      --json               JSON for machines\n"
          "  -v, --verbose | --debug | -q, --quiet\n"
          "  -h, --help               this help\n"
          "\n"
          "Exit status: 0 nothing failed (warnings allowed), 1 a check\n"
          "failed, 2 usage or no such interface, 3 invalid profile.\n");
}

/* `check --nic [IFACE...]`: an unknown name is a usage error, said
 * before anything is read. */
static int cli_check_nic(char **names, int n, int json)
{
  check_list l = {0};
  nic_readings *rd = NULL;
  size_t nrd = 0, i;
  int k, status;

  for (k = 0; k < n; k++)
    if (strlen(names[k]) >= IF_NAMESIZE || if_nametoindex(names[k]) == 0) {
      fprintf(stderr,
              "bottleneck check: no network interface named '%s'; see 'ip "
              "link' for the names\n",
              names[k]);
      return CLI_EXIT_USAGE;
    }
  check_nic((const char *const *)names, (size_t)n, &l, &rd, &nrd);
  if (json) {
    fprintf(stdout, "{\"status\": \"%s\", \"checks\": ",
            check_status_name(check_worst(&l)));
    check_print_json_array(&l, stdout);
    fputs(",\n\"nic\": [", stdout);
    for (i = 0; i < nrd; i++) {
      fputs(i ? ",\n  " : "\n  ", stdout);
      nic_print_json(&rd[i], stdout);
    }
    fputs("]}\n", stdout);
  } else {
    for (i = 0; i < nrd; i++)
      nic_print_text(&rd[i], stdout);
    check_print_text(&l, stdout);
  }
  status = check_worst(&l) == CHECK_FAIL ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
  free(rd);
  check_list_free(&l);
  return status;
}

int cli_check(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"profile", required_argument, NULL, 'p'},
      {"db", required_argument, NULL, 'D'},
      {"plugin-dir", required_argument, NULL, 'P'},
      {"json", no_argument, NULL, 'j'},
      {"nic", no_argument, NULL, 'n'},
      CLI_LOG_LONGOPTS,
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *name = "home";
  check_list l = {0};
  profile *p = NULL;
  int c, json = 0, nic = 0, named = 0, status;

  optind = 1;
  while ((c = getopt_long(argc, argv, "p:vqh", longopts, NULL)) != -1) {
    if (cli_log_option(c))
      continue;
    switch (c) {
    case 'p':
      name = optarg;
      named = 1;
      break;
    case 'j':
      json = 1;
      break;
    case 'n':
      nic = 1;
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
  if (nic && named) {
    fprintf(stderr, "bottleneck check: --nic checks interfaces, not a "
                    "profile; drop --profile, or set 'checks: {nic: true}' "
                    "in the profile\n");
    return CLI_EXIT_USAGE;
  }
  if (nic)
    return cli_check_nic(argv + optind, argc - optind, json);
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
