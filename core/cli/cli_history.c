/*
 * cli_history.c - what the commands that read the history (report,
 * paths) share: which database, opening it with a message that says
 * what to do when there is no history yet, and refusing a target the
 * history has never seen.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "profile.h"
#include "store.h"

int cli_history_path(const char *db, const profile *p, char *buf, size_t len)
{
  int n;

  if (!db && p)
    db = p->store_path;
  if (db) {
    n = snprintf(buf, len, "%s", db);
    return n < 0 || (size_t)n >= len ? -1 : 0;
  }
  return store_default_path(buf, len) == 0 ? 0 : -1;
}

int cli_history_open(const char *cmd, const char *db, store **st)
{
  struct stat sb;

  if (stat(db, &sb) != 0 && errno == ENOENT) {
    fprintf(stderr,
            "bottleneck %s: no history yet (%s does not exist); measure "
            "first, e.g. 'bottleneck run --duration 5m' (or 'bottleneck "
            "run lab'), then run 'bottleneck %s' again\n",
            cmd, db, cmd);
    return CLI_EXIT_STORE;
  }
  return store_open_readonly(db, st) == 0 ? CLI_EXIT_OK : CLI_EXIT_STORE;
}

int cli_history_targets(const char *cmd, store *st, const char *const *targets,
                        size_t n)
{
  char known[600];
  size_t i;

  for (i = 0; i < n; i++) {
    int rc = store_target_lookup(st, targets[i], known, sizeof(known));

    if (rc < 0)
      return CLI_EXIT_STORE;
    if (rc == 0) {
      fprintf(stderr,
              "bottleneck %s: unknown target '%s': the history has no "
              "measurement of it; %s%s\n",
              cmd, targets[i], known[0] ? "known targets: " : "",
              known[0] ? known : "it holds no target yet");
      return CLI_EXIT_USAGE;
    }
  }
  return CLI_EXIT_OK;
}
