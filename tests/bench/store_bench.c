/*
 * store_bench.c - how fast the history store takes samples, next to the
 * best plain sqlite3 can do with the same schema.
 *
 *   store_bench [--samples N] [--series K] [--dir DIR]
 *
 * "store" goes through the store API as a run does: series interned,
 * batched transactions committed every second of wall time or at
 * STORE_BATCH_MAX rows.  "sqlite baseline" inserts the same rows with
 * one prepared statement in one transaction and known series ids.
 * Both include opening and closing the database (the WAL checkpoint).
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store.h"

#define NS 1000000000LL

typedef struct bench {
  long samples;
  long series;
  char dir[PATH_MAX];
  char (*names)[32];
} bench;

static int64_t bench_now(clockid_t clk)
{
  struct timespec ts;

  clock_gettime(clk, &ts);
  return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* The i-th sample, the same in both runs. */
static void bench_sample(const bench *b, long i, bn_sample *smp)
{
  smp->target = b->names[i % b->series];
  smp->metric = "rtt_ms";
  smp->value = (double)((i * 7919) % 100000) / 1000.0;
  smp->wall_ns = 1700000000LL * NS + (int64_t)i * 1000;
  smp->mono_ns = (int64_t)i * 1000;
  smp->flags = i % 100 == 99 ? BN_SAMPLE_LOST : 0;
}

static int bench_store(const bench *b, int threaded, double *secs)
{
  store_run_meta m = {"bench", "bench", NULL, PACKAGE_VERSION, 0};
  char path[PATH_MAX + 16];
  int64_t t0, last, run = 0;
  store *s = NULL;
  bn_sample smp;
  long i;

  snprintf(path, sizeof(path), "%s/store%d.db", b->dir, threaded);
  t0 = bench_now(CLOCK_MONOTONIC);
  last = t0;
  if (store_open(path, &s) < 0 || store_run_begin(s, &m, &run) < 0)
    goto fail;
  /* as a run does: the writer thread, its queue big enough for all */
  if (threaded && store_writer_start(s) < 0)
    goto fail;
  for (i = 0; i < b->samples; i++) {
    bench_sample(b, i, &smp);
    if (store_add_sample(s, run, "bench", &smp) < 0)
      goto fail;
    /* the core flushes on a 1 s timer; look at the clock now and then */
    if ((i & 1023) == 1023 && bench_now(CLOCK_MONOTONIC) - last >= NS) {
      if (store_flush(s) < 0)
        goto fail;
      last = bench_now(CLOCK_MONOTONIC);
    }
  }
  /* every row committed (the queue drained) is part of the time */
  if (threaded && store_writer_stop(s, 0) < 0)
    goto fail;
  store_close(s);
  *secs = (double)(bench_now(CLOCK_MONOTONIC) - t0) / NS;
  return 0;
fail:
  store_close(s);
  return -1;
}

static int bench_exec(sqlite3 *db, const char *sql)
{
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
    return 0;
  log_error("bench", "%s: %s", sql, sqlite3_errmsg(db));
  return -1;
}

static int bench_baseline_rows(const bench *b, sqlite3 *db)
{
  sqlite3_stmt *ser = NULL, *ins = NULL;
  bn_sample smp;
  long i;
  int rc = -1;

  if (sqlite3_prepare_v2(db,
                         "INSERT INTO series (id, target, probe, metric) "
                         "VALUES (?1, ?2, 'bench', 'rtt_ms')",
                         -1, &ser, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db,
                         "INSERT INTO samples (run_id, series_id, value, "
                         "wall_ns, mono_ns, flags) "
                         "VALUES (1, ?1, ?2, ?3, ?4, ?5)",
                         -1, &ins, NULL) != SQLITE_OK)
    goto out;
  for (i = 0; i < b->series; i++) {
    sqlite3_bind_int64(ser, 1, i + 1);
    sqlite3_bind_text(ser, 2, b->names[i], -1, SQLITE_STATIC);
    if (sqlite3_step(ser) != SQLITE_DONE)
      goto out;
    sqlite3_reset(ser);
  }
  for (i = 0; i < b->samples; i++) {
    bench_sample(b, i, &smp);
    sqlite3_bind_int64(ins, 1, i % b->series + 1);
    if (smp.flags & BN_SAMPLE_LOST)
      sqlite3_bind_null(ins, 2);
    else
      sqlite3_bind_double(ins, 2, smp.value);
    sqlite3_bind_int64(ins, 3, smp.wall_ns);
    sqlite3_bind_int64(ins, 4, smp.mono_ns);
    sqlite3_bind_int64(ins, 5, smp.flags);
    if (sqlite3_step(ins) != SQLITE_DONE)
      goto out;
    sqlite3_reset(ins);
  }
  rc = 0;
out:
  if (rc < 0)
    log_error("bench", "baseline insert: %s", sqlite3_errmsg(db));
  sqlite3_finalize(ser);
  sqlite3_finalize(ins);
  return rc;
}

static int bench_baseline(const bench *b, double *secs)
{
  char path[PATH_MAX + 16];
  sqlite3 *db = NULL;
  store *s = NULL;
  int64_t t0;
  int rc = -1;

  /* the same schema, made by the store, then left alone */
  snprintf(path, sizeof(path), "%s/baseline.db", b->dir);
  if (store_open(path, &s) < 0)
    return -1;
  store_close(s);
  t0 = bench_now(CLOCK_MONOTONIC);
  if (sqlite3_open(path, &db) != SQLITE_OK)
    goto out;
  if (bench_exec(db, "PRAGMA journal_mode = WAL") < 0 ||
      bench_exec(db, "PRAGMA synchronous = NORMAL") < 0 ||
      bench_exec(db, "PRAGMA foreign_keys = ON") < 0 ||
      bench_exec(db, "PRAGMA cache_size = -32768") < 0 ||
      bench_exec(db, "BEGIN") < 0 ||
      bench_exec(db, "INSERT INTO runs (id, started_ns) VALUES (1, 0)") < 0)
    goto out;
  if (bench_baseline_rows(b, db) < 0 || bench_exec(db, "COMMIT") < 0)
    goto out;
  rc = 0;
out:
  sqlite3_close(db);
  *secs = (double)(bench_now(CLOCK_MONOTONIC) - t0) / NS;
  return rc;
}

static int bench_rm(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static int bench_arg(const char *s, long *out)
{
  char *end;

  errno = 0;
  *out = strtol(s, &end, 10);
  return (errno || end == s || *end || *out < 1) ? -1 : 0;
}

static int bench_parse(bench *b, int argc, char **argv)
{
  const char *tmp = getenv("TMPDIR");
  int i;

  b->samples = 1000000;
  b->series = 1000;
  snprintf(b->dir, sizeof(b->dir), "%s/bn-bench.XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  for (i = 1; i < argc; i++) {
    if (i + 1 < argc && strcmp(argv[i], "--samples") == 0) {
      if (bench_arg(argv[++i], &b->samples) < 0)
        return -1;
    } else if (i + 1 < argc && strcmp(argv[i], "--series") == 0) {
      if (bench_arg(argv[++i], &b->series) < 0)
        return -1;
    } else if (i + 1 < argc && strcmp(argv[i], "--dir") == 0) {
      snprintf(b->dir, sizeof(b->dir), "%s/bn-bench.XXXXXX", argv[++i]);
    } else {
      return -1;
    }
  }
  return 0;
}

static void bench_line(const char *what, long n, double secs)
{
  printf("%-16s %ld samples in %.2f s = %.0f samples/s\n", what, n, secs,
         (double)n / secs);
}

int main(int argc, char **argv)
{
  double ts = 0, tw = 0, tb = 0;
  char qmax[32];
  bench b;
  long i;
  int rc = 1;

  memset(&b, 0, sizeof(b));
  if (bench_parse(&b, argc, argv) < 0) {
    log_error("bench", "usage: store_bench [--samples N] [--series K] "
                       "[--dir DIR]");
    return 2;
  }
  b.names = calloc((size_t)b.series, sizeof(*b.names));
  if (!b.names || !mkdtemp(b.dir)) {
    log_error("bench", "%s: %s", b.dir, strerror(errno));
    free(b.names);
    return 1;
  }
  for (i = 0; i < b.series; i++)
    snprintf(b.names[i], sizeof(b.names[i]), "target-%05ld", i);
  printf("store_bench: %ld samples over %ld series, sqlite %s\n", b.samples,
         b.series, sqlite3_libversion());
  snprintf(qmax, sizeof(qmax), "%ld", b.samples + 1);
  setenv("BN_STORE_QUEUE_MAX", qmax, 1);
  if (bench_store(&b, 0, &ts) < 0 || bench_store(&b, 1, &tw) < 0 ||
      bench_baseline(&b, &tb) < 0)
    goto out;
  bench_line("store:", b.samples, ts);
  bench_line("store (writer):", b.samples, tw);
  bench_line("sqlite baseline:", b.samples, tb);
  printf("ratio (store rate / baseline rate): %.2f\n", tb / ts);
  printf("ratio (store with writer / baseline): %.2f\n", tb / tw);
  rc = 0;
out:
  nftw(b.dir, bench_rm, 16, FTW_DEPTH | FTW_PHYS);
  free(b.names);
  return rc;
}
