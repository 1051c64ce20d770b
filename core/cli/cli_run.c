/*
 * cli_run.c - `bottleneck run`: option parsing only; run.c does the work.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "log.h"
#include "run.h"

static void cli_run_usage(FILE *out)
{
  fprintf(out,
          "Usage: bottleneck run [OPTIONS] [PROFILE]\n"
          "\n"
          "Measure the targets of a profile, store every sample, and render\n"
          "the profile's reporters when the run ends.\n"
          "\n"
          "  -p, --profile NAME|FILE  profile to run (default: home); the\n"
          "                           PROFILE argument says the same\n"
          "  -d, --duration DUR       stop after DUR (30s, 5m, 1h); default:\n"
          "                           run until SIGINT/SIGTERM\n"
          "      --db PATH            history database (default: the\n"
          "                           profile's store, else\n"
          "                           $XDG_DATA_HOME/bottleneck/history.db)\n"
          "      --plugin-dir DIR     look for plugins in DIR first\n"
          "      --no-report          do not render reports at the end\n"
          "      --consent            let plugins send data to the\n"
          "                           destinations they declare, without\n"
          "                           asking (see the profile's consent:)\n"
          "  -v, --verbose | --debug | -q, --quiet\n"
          "  -h, --help               this help\n");
}

int cli_run(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"profile", required_argument, NULL, 'p'},
      {"duration", required_argument, NULL, 'd'},
      {"db", required_argument, NULL, 'D'},
      {"plugin-dir", required_argument, NULL, 'P'},
      {"no-report", no_argument, NULL, 'n'},
      {"consent", no_argument, NULL, 'C'},
      CLI_LOG_LONGOPTS,
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  clock_source test_clock;
  run_options o;
  int c, given = 0;

  memset(&o, 0, sizeof(o));
  o.profile = "home";
  optind = 1;
  while ((c = getopt_long(argc, argv, "p:d:vqh", longopts, NULL)) != -1) {
    switch (c) {
    case 'p':
      o.profile = optarg;
      given = 1;
      break;
    case 'd':
      if (conf_parse_duration(optarg, &o.duration_ns) != 0 ||
          o.duration_ns <= 0) {
        fprintf(stderr,
                "bottleneck run: --duration '%s' is not a duration; use "
                "e.g. 30s, 5m or 1h\n",
                optarg);
        return CLI_EXIT_USAGE;
      }
      break;
    case 'D':
      o.db = optarg;
      break;
    case 'P':
      o.plugin_dir = optarg;
      break;
    case 'n':
      o.no_report = 1;
      break;
    case 'C':
      o.consent = 1;
      break;
    case 'h':
      cli_run_usage(stdout);
      return CLI_EXIT_OK;
    default:
      if (cli_log_option(c))
        break;
      cli_run_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  /* `bottleneck run lab`: the profile as the argument */
  if (optind < argc && !given) {
    o.profile = argv[optind++];
    given = 1;
  }
  if (optind < argc) {
    fprintf(stderr,
            "bottleneck run: unexpected argument '%s'; give one profile, "
            "as --profile NAME or as the argument\n",
            argv[optind]);
    return CLI_EXIT_USAGE;
  }
  /* Test hook: a clock with file-driven offsets (see clock.h). */
  if (getenv("BOTTLENECK_TEST_CLOCK")) {
    clock_test_source(getenv("BOTTLENECK_TEST_CLOCK"), &test_clock);
    o.clock = &test_clock;
  }
  return run_main(&o);
}
