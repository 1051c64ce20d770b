/*
 * main.c - `bottleneck`: global options, then one command.
 *
 *   bottleneck [--verbose|--debug|--quiet] COMMAND [ARGS]
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <bottleneck/sdk.h>

#include "cli.h"
#include "log.h"

static void main_usage(FILE *out)
{
  fprintf(out,
          "Usage: bottleneck [OPTIONS] COMMAND [ARGS]\n"
          "\n"
          "Measure network latency, loss and paths, keep history, report.\n"
          "\n"
          "Commands:\n"
          "  run                 measure with a profile, then report\n"
          "  plugins             list plugins (--describe NAME: options)\n"
          "  profile validate    check profile files\n"
          "  profile show        print a profile merged with its parents\n"
          "  report              render a stored run again (text, json...)\n"
          "  analyze             replay a stored run through the anomaly\n"
          "                      detectors; print its episodes\n"
          "  baseline show       the anomaly baselines in force (per target)\n"
          "  import              load csv, NAB or simulation (OMNeT++, CDF)\n"
          "                      files into the history\n"
          "  compare             a simulated run against measured ones:\n"
          "                      KS, Wasserstein, p50/p90/p99 differences\n"
          "  compact             apply the retention: roll up and remove old "
          "data\n"
          "  check               pre-flight checks: DNS, gateway, path MTU\n"
          "  selftest            what this machine supports; every plugin\n"
          "                      on loopback, in a few seconds\n"
          "  paths TARGET        stored path history and changes of a target\n"
          "  speedtest           throughput, latency under load (providers\n"
          "                      in order, with retries and failover)\n"
          "  version             print version and plugin ABI\n"
          "\n"
          "Options:\n"
          "  -v, --verbose       more messages\n"
          "      --debug         all messages\n"
          "  -q, --quiet         errors only\n"
          "  -h, --help          this help ('bottleneck COMMAND --help')\n"
          "  -V, --version       same as 'version'\n"
          "\n"
          "Exit status: 0 ok, 1 failure, 2 usage, 3 invalid profile,\n"
          "4 plugin error, 5 store error.  See bottleneck(1).\n");
}

static int main_version(void)
{
  printf("bottleneck %s (plugin ABI %d.%d)\n", PACKAGE_VERSION, BN_ABI_MAJOR,
         BN_ABI_MINOR);
  return CLI_EXIT_OK;
}

int cli_log_option(int c)
{
  switch (c) {
  case 'v':
    log_set_level(BN_LOG_INFO);
    return 1;
  case 'g':
    log_set_level(BN_LOG_DEBUG);
    return 1;
  case 'q':
    log_set_level(BN_LOG_ERROR);
    return 1;
  default:
    return 0;
  }
}

int main(int argc, char **argv)
{
  int i = 1;

  /* A closed pipe (`bottleneck run | head`) is a write error to handle
   * (the run still ends and closes its row), not a reason to die. */
  signal(SIGPIPE, SIG_IGN);

  /* Global options come before the command; commands accept them too. */
  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *a = argv[i];

    if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
      cli_log_option('v');
    else if (!strcmp(a, "--debug"))
      cli_log_option('g');
    else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
      cli_log_option('q');
    else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      main_usage(stdout);
      return CLI_EXIT_OK;
    } else if (!strcmp(a, "-V") || !strcmp(a, "--version"))
      return main_version();
    else {
      fprintf(stderr,
              "bottleneck: unknown option '%s'; see 'bottleneck "
              "--help'\n",
              a);
      return CLI_EXIT_USAGE;
    }
  }
  if (i >= argc) {
    main_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  argc -= i;
  argv += i;
  if (!strcmp(argv[0], "run"))
    return cli_run(argc, argv);
  if (!strcmp(argv[0], "plugins"))
    return cli_plugins(argc, argv);
  if (!strcmp(argv[0], "profile"))
    return cli_profile(argc, argv);
  if (!strcmp(argv[0], "report"))
    return cli_report(argc, argv);
  if (!strcmp(argv[0], "analyze"))
    return cli_analyze(argc, argv);
  if (!strcmp(argv[0], "baseline"))
    return cli_baseline(argc, argv);
  if (!strcmp(argv[0], "import"))
    return cli_import(argc, argv);
  if (!strcmp(argv[0], "compare"))
    return cli_compare(argc, argv);
  if (!strcmp(argv[0], "compact"))
    return cli_compact(argc, argv);
  if (!strcmp(argv[0], "speedtest"))
    return cli_speedtest(argc, argv);
  if (!strcmp(argv[0], "paths"))
    return cli_paths(argc, argv);
  if (!strcmp(argv[0], "check"))
    return cli_check(argc, argv);
  if (!strcmp(argv[0], "selftest"))
    return cli_selftest(argc, argv);
  if (!strcmp(argv[0], "version"))
    return main_version();
  if (!strcmp(argv[0], "help")) {
    main_usage(stdout);
    return CLI_EXIT_OK;
  }
  fprintf(stderr,
          "bottleneck: unknown command '%s'; see 'bottleneck --help'\n",
          argv[0]);
  return CLI_EXIT_USAGE;
}
