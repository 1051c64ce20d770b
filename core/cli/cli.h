/*
 * cli.h - the `bottleneck` commands and their exit statuses.
 */
#ifndef BN_CORE_CLI_H
#define BN_CORE_CLI_H

#include <stddef.h>

/* Exit statuses, documented in docs/bottleneck.1 and README.md. */
enum cli_exit {
  CLI_EXIT_OK = 0,      /* success */
  CLI_EXIT_FAILURE = 1, /* a run-time failure */
  CLI_EXIT_USAGE = 2,   /* bad command line */
  CLI_EXIT_PROFILE = 3, /* the profile is invalid */
  CLI_EXIT_PLUGIN = 4,  /* a plugin is missing, refused or failed to start */
  CLI_EXIT_STORE = 5,   /* the history store could not be opened/written */
};

/* Logging options every command accepts, as getopt_long entries. */
#define CLI_LOG_LONGOPTS                                                      \
  {"verbose", no_argument, NULL, 'v'}, {"debug", no_argument, NULL, 'g'},     \
  {                                                                           \
    "quiet", no_argument, NULL, 'q'                                           \
  }

/**
 * Apply a logging option (getopt code 'v', 'g' or 'q').  Returns 1 when
 * `c` was one, 0 otherwise.
 */
int cli_log_option(int c);

struct profile;
struct store;

/**
 * The history database of a command: `db` (--db), else the profile's
 * store, else the default path, into buf.  0, or -1 when there is none.
 */
int cli_history_path(const char *db, const struct profile *p, char *buf,
                     size_t len);
/**
 * Open the history read-only for command `cmd`.  A database that does
 * not exist yet is one line saying so and how to make some history.
 * Returns CLI_EXIT_OK or CLI_EXIT_STORE.
 */
int cli_history_open(const char *cmd, const char *db, struct store **st);
/**
 * Refuse a target the history has never seen, with the known ones:
 * CLI_EXIT_OK, CLI_EXIT_USAGE or CLI_EXIT_STORE.
 */
int cli_history_targets(const char *cmd, struct store *st,
                        const char *const *targets, size_t n);

int cli_run(int argc, char **argv);
int cli_plugins(int argc, char **argv);
int cli_profile(int argc, char **argv);
int cli_report(int argc, char **argv);
/** `bottleneck analyze`: replay stored samples through the detectors. */
int cli_analyze(int argc, char **argv);
/** `bottleneck baseline show [TARGET]`: the stored anomaly baselines. */
int cli_baseline(int argc, char **argv);
/** `bottleneck import --format csv|nab FILE...`: files into a run. */
int cli_import(int argc, char **argv);
/** `bottleneck compare --sim RUN --real RUN|--since T`: distances between
 * a simulated run's distributions and measured ones (cli_compare.c). */
int cli_compare(int argc, char **argv);
/** `bottleneck compact [--dry-run]`: apply the retention by hand. */
int cli_compact(int argc, char **argv);
int cli_speedtest(int argc, char **argv);
int cli_paths(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_selftest(int argc, char **argv);

#endif
