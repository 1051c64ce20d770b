/*
 * store_writer.c - a helper for tests/integration/store_kill9.sh.
 *
 *   store_writer DB [--batch N] [--pause-us U] [--max-rows M]
 *     opens DB, begins a run and writes samples for ever (or M rows),
 *     committing every N rows (default 1000) and sleeping U us after
 *     each commit (default 2000).  Prints "ready" after the first commit.
 *   store_writer --check DB
 *     opens DB again (it must open and migrate cleanly after a crash),
 *     writes one more run and prints "runs R samples S" of the first run.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store.h"

static int writer_num(const char *s, long *out)
{
  char *end;

  errno = 0;
  *out = strtol(s, &end, 10);
  return (errno || end == s || *end || *out < 0) ? -1 : 0;
}

static int writer_sum(const bn_series *s, void *arg)
{
  uint64_t *n = arg;

  *n += s->count + s->invalid;
  return 0;
}

static int writer_check(const char *db)
{
  store_run_meta m = {"check", "kill9", NULL, PACKAGE_VERSION, 0};
  bn_query q = {0};
  uint64_t n = 0;
  int64_t run = 0, first = 1;
  store *s = NULL;

  if (store_open(db, &s) < 0)
    return 1;
  q.run_id = first;
  if (store_series_each(s, &q, writer_sum, &n) < 0)
    goto fail;
  if (store_run_begin(s, &m, &run) < 0 || store_run_end(s, run, 0, 0) < 0)
    goto fail;
  printf("runs %lld samples %llu\n", (long long)run, (unsigned long long)n);
  store_close(s);
  return 0;
fail:
  store_close(s);
  return 1;
}

static int writer_run(const char *db, long batch, long pause_us, long max_rows)
{
  store_run_meta m = {"writer", "kill9", NULL, PACKAGE_VERSION, 0};
  static const char *const targets[] = {"a", "b", "c", "d"};
  struct timespec ts;
  int64_t run = 0;
  long i;
  store *s = NULL;

  if (store_open(db, &s) < 0 || store_run_begin(s, &m, &run) < 0)
    goto fail;
  for (i = 0; max_rows == 0 || i < max_rows; i++) {
    bn_sample smp = {BN_INIT(bn_sample), .target = targets[i % 4],
                     .metric = "rtt_ms", .value = (double)(i % 97)};
    clock_gettime(CLOCK_REALTIME, &ts);
    smp.wall_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    smp.mono_ns = i;
    if (store_add_sample(s, run, "writer", &smp) < 0)
      goto fail;
    if ((i + 1) % batch != 0)
      continue;
    if (store_flush(s) < 0)
      goto fail;
    if (i + 1 == batch) {
      printf("ready\n");
      fflush(stdout);
    }
    if (pause_us)
      usleep((useconds_t)pause_us);
  }
  store_close(s);
  return 0;
fail:
  store_close(s);
  return 1;
}

int main(int argc, char **argv)
{
  long batch = 1000, pause_us = 2000, max_rows = 0;
  const char *db = NULL;
  int i;

  if (argc == 3 && strcmp(argv[1], "--check") == 0)
    return writer_check(argv[2]);
  for (i = 1; i < argc; i++) {
    long *opt = NULL;
    if (strcmp(argv[i], "--batch") == 0)
      opt = &batch;
    else if (strcmp(argv[i], "--pause-us") == 0)
      opt = &pause_us;
    else if (strcmp(argv[i], "--max-rows") == 0)
      opt = &max_rows;
    else if (!db && argv[i][0] != '-')
      db = argv[i];
    else
      goto usage;
    if (opt && (i + 1 >= argc || writer_num(argv[++i], opt) < 0))
      goto usage;
  }
  /* batches above STORE_BATCH_MAX would be cut by automatic commits */
  if (!db || batch < 1 || batch > STORE_BATCH_MAX)
    goto usage;
  return writer_run(db, batch, pause_us, max_rows);
usage:
  log_error("store_writer",
            "usage: store_writer DB [--batch N] [--pause-us U] "
            "[--max-rows M] | store_writer --check DB");
  return 2;
}
