/*
 * run.h - one `bottleneck run`: load the profile and plugins, open the
 * store, start the instances on the core loop, stop on --duration or
 * SIGINT/SIGTERM, flush, and render the reporters the profile lists.
 */
#ifndef BN_CORE_RUN_H
#define BN_CORE_RUN_H

#include <stdint.h>

#include "clock.h"

typedef struct run_options {
  const char *profile;       /* name or file */
  const char *db;            /* --db, or NULL */
  const char *plugin_dir;    /* --plugin-dir, or NULL */
  int64_t duration_ns;       /* 0: until a signal */
  int no_report;             /* --no-report */
  int consent;               /* --consent: every declared destination */
  const clock_source *clock; /* NULL: system clocks (tests hand one in) */
} run_options;

/** Run; returns a process exit status (cli.h). */
int run_main(const run_options *o);

#endif
