/*
 * test_store.c - the history store (core/store*.c) against real sqlite
 * files in a temporary directory.  Rows are checked through the store's
 * own queries and, where the store has no query, through a second
 * sqlite connection (which also proves what is committed).
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "log.h"
#include "hist.h"
#include "store.h"
#include "store_paths.h"

/* What schema 8 (retention) added: dropped to make an older schema. */
#define V9_DROP                                                               \
  "DROP TABLE rollups_hour; DROP TABLE compacted; "                           \
  "DROP INDEX rollups_series_minute; "

#define EPS       1e-9
#define MAX_LINES 16

/* cmocka 1.1.5 has no assert_double_equal; floats are too coarse. */
#define assert_near(a, b) assert_near_at((a), (b), __FILE__, __LINE__)

static void assert_near_at(double a, double b, const char *file, int line)
{
  if (fabs(a - b) <= EPS)
    return;
  print_error("%.12g != %.12g\n", a, b);
  _fail(file, line);
}

typedef struct fixture {
  char dir[512];
  char db[PATH_MAX];
  char lines[MAX_LINES][1024];
  int n_lines;
} fixture;

static void capture(bn_log_level level, const char *line, void *arg)
{
  fixture *f = arg;

  (void)level;
  if (f->n_lines < MAX_LINES)
    snprintf(f->lines[f->n_lines], sizeof(f->lines[0]), "%s", line);
  f->n_lines++;
}

static int setup(void **state)
{
  fixture *f = calloc(1, sizeof(*f));
  const char *tmp = getenv("TMPDIR");

  if (!f)
    return -1;
  snprintf(f->dir, sizeof(f->dir), "%s/bn-store.XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->db, sizeof(f->db), "%s/a/b/history.db", f->dir);
  log_set_level(BN_LOG_WARNING);
  log_set_sink(capture, f);
  *state = f;
  return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static int teardown(void **state)
{
  fixture *f = *state;

  log_set_sink(NULL, NULL);
  nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  free(f);
  return 0;
}

/* One integer from a second, independent connection. */
static int64_t sql_int(const char *db, const char *sql)
{
  sqlite3 *h = NULL;
  sqlite3_stmt *st = NULL;
  int64_t v = -12345;

  assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL),
                   SQLITE_OK);
  if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("%s: %s", sql, sqlite3_errmsg(h));
  if (sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

/* One text value from a second connection, into buf ("NULL" for NULL). */
static const char *sql_text(const char *db, const char *sql, char *buf,
                            size_t len)
{
  sqlite3 *h = NULL;
  sqlite3_stmt *st = NULL;

  buf[0] = '\0';
  assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL),
                   SQLITE_OK);
  if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
    fail_msg("%s: %s", sql, sqlite3_errmsg(h));
  if (sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(buf, len, "%s", t ? (const char *)t : "NULL");
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return buf;
}

static void sql_exec(const char *db, const char *sql)
{
  sqlite3 *h = NULL;

  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  if (sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK)
    fail_msg("%s: %s", sql, sqlite3_errmsg(h));
  sqlite3_close(h);
}

static store *open_with_run(fixture *f, int64_t *run)
{
  store_run_meta m = {"host1", "lab", "abcd", "0.1.0", 1000};
  store *s = NULL;

  assert_int_equal(store_open(f->db, &s), 0);
  assert_int_equal(store_run_begin(s, &m, run), 0);
  return s;
}

static void add(store *s, int64_t run, const char *probe, const char *target,
                const char *metric, double v, int64_t wall, uint32_t flags)
{
  bn_sample smp = {BN_INIT(bn_sample), target, metric, v, wall,
                   wall + 7,           flags};

  assert_int_equal(store_add_sample(s, run, probe, &smp), 0);
}

static void test_open_creates(void **state)
{
  fixture *f = *state;
  char dir[PATH_MAX + 8], buf[64];
  struct stat st;
  store *s = NULL;

  assert_int_equal(store_open(f->db, &s), 0);
  assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
  assert_int_equal(store_pending(s), 0);
  assert_int_equal(stat(f->db, &st), 0);
  snprintf(dir, sizeof(dir), "%s/a/b", f->dir);
  assert_int_equal(stat(dir, &st), 0);
  assert_true(S_ISDIR(st.st_mode));
  assert_int_equal(st.st_mode & 0777, 0755);
  assert_string_equal(sql_text(f->db, "PRAGMA journal_mode", buf, sizeof(buf)),
                      "wal");
  assert_int_equal(sql_int(f->db, "PRAGMA user_version"),
                   STORE_SCHEMA_VERSION);
  /* the human view exists */
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM samples_v"), 0);
  store_close(s);
  assert_int_equal(f->n_lines, 0);
}

static void test_memory(void **state)
{
  fixture *f = *state;
  int64_t run = 0, last = 0;
  store_run_meta m = {"h", "p", NULL, "v", 1};
  store *s = NULL;

  assert_int_equal(store_open(":memory:", &s), 0);
  assert_int_equal(store_run_begin(s, &m, &run), 0);
  assert_int_equal(store_last_run(s, &last), 0);
  assert_int_equal(last, run);
  store_close(s);
  assert_int_equal(f->n_lines, 0);
}

static void test_reopen_is_noop(void **state)
{
  fixture *f = *state;
  int64_t run = 0, last = 0;
  store *s;

  log_set_level(BN_LOG_INFO);
  s = open_with_run(f, &run);
  /* one line per migration step, the last one to the current version */
  assert_int_equal(f->n_lines, STORE_SCHEMA_VERSION);
  assert_true(strstr(f->lines[0], "migrated schema from version 0 to 1"));
  assert_true(strstr(f->lines[1], "migrated schema from version 1 to 2"));
  assert_true(strstr(f->lines[2], "migrated schema from version 2 to 3"));
  assert_true(strstr(f->lines[3], "migrated schema from version 3 to 4"));
  assert_true(strstr(f->lines[4], "migrated schema from version 4 to 5"));
  assert_true(strstr(f->lines[5], "migrated schema from version 5 to 6"));
  assert_true(strstr(f->lines[6], "migrated schema from version 6 to 7"));
  assert_true(strstr(f->lines[7], "migrated schema from version 7 to 8"));
  store_close(s);

  f->n_lines = 0;
  assert_int_equal(store_open(f->db, &s), 0);
  /* no migration ran; the run left open by a process that is gone
   * (this one closed it without ending it) is marked interrupted */
  assert_int_equal(f->n_lines, 1);
  assert_non_null(strstr(f->lines[0], "1 run(s) left running"));
  assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
  assert_int_equal(store_last_run(s, &last), 0);
  assert_int_equal(last, run);
  {
    bn_run_info ri;

    assert_int_equal(store_run_info(s, run, &ri), 0);
    assert_int_equal(ri.exit_status, STORE_RUN_INTERRUPTED);
    assert_true(ri.ended_ns > 0);
  }
  store_close(s);
}

/* Schema 5 -> 6: a history of version 5 (a run in it) gets the episodes
 * table; an episode is inserted when it opens and replaced (one row)
 * when it rises and closes, through the writer thread too. */
static void test_migrate_episodes(void **state)
{
  fixture *f = *state;
  int64_t run = 0;
  store *s;
  bn_episode ep = {BN_INIT(bn_episode),
                   .id = 1,
                   .target = "t",
                   .start_ns = 1000000000,
                   .level = BN_SEV_WARNING,
                   .severity = "medium",
                   .peak = 0.8,
                   .dominant = "latency",
                   .signals = "latency=0.80 loss=0.00"};
  char buf[128];

  s = open_with_run(f, &run);
  store_close(s);
  sql_exec(f->db,
           V9_DROP "DROP TABLE run_attrs; ALTER TABLE runs DROP COLUMN kind; "
                   "DROP TABLE episodes; DROP TABLE baselines; PRAGMA "
                   "user_version = 5");
  log_set_level(BN_LOG_INFO);
  f->n_lines = 0;
  assert_int_equal(store_open(f->db, &s), 0);
  assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
  {
    int seen = 0;

    for (int i = 0; i < f->n_lines; i++)
      seen |= strstr(f->lines[i], "migrated schema from version 5 to 6") != 0;
    assert_true(seen);
  }
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM runs"), 1);
  assert_int_equal(store_add_episode(s, run, "fusion", &ep), 0);
  assert_int_equal(store_flush(s), 0);
  assert_int_equal(
      sql_int(f->db, "SELECT count(*) FROM episodes WHERE end_ns IS NULL"), 1);
  ep.level = BN_SEV_CRITICAL;
  ep.severity = "critical";
  ep.dominant = "unreachable";
  ep.peak = 1;
  ep.end_ns = 9000000000;
  assert_int_equal(store_writer_start(s), 0);
  assert_int_equal(store_add_episode(s, run, "fusion", &ep), 0);
  ep.id = 2; /* another episode, severity from the level */
  ep.severity = NULL;
  assert_int_equal(store_add_episode(s, run, "fusion", &ep), 0);
  assert_int_equal(store_writer_stop(s, 5000000000LL), 0);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM episodes"), 2);
  assert_string_equal(sql_text(f->db,
                               "SELECT severity || ' ' || dominant || ' ' || "
                               "end_ns || ' ' || level FROM episodes WHERE "
                               "id = 1",
                               buf, sizeof(buf)),
                      "critical unreachable 9000000000 2");
  assert_string_equal(sql_text(f->db,
                               "SELECT severity FROM episodes WHERE id = 2",
                               buf, sizeof(buf)),
                      "critical");
  store_close(s);
}

static int count_baseline(const bn_baseline *b, void *arg)
{
  char *out = arg;
  size_t n = strlen(out);

  snprintf(out + n, 512 - n, "%s %s %s %s %s %.1f %.1f %.2f %lld %llu|",
           b->source, b->target, b->probe, b->metric, b->kind, b->centre,
           b->spread, b->loss_rate, (long long)b->since_ns,
           (unsigned long long)b->samples);
  return 0;
}

/* Schema 6 -> 7: baselines, one per (source, target, probe, metric,
 * kind), replaced when stored again, through the writer thread, read
 * back filtered. */
static void test_baselines(void **state)
{
  fixture *f = *state;
  int64_t run = 0;
  store *s;
  char out[512] = "";
  bn_baseline b = {BN_INIT(bn_baseline), .target = "t",     .probe = "icmp",
                   .metric = "rtt_ms",   .kind = "latency", .centre = 10,
                   .spread = 0.5,        .loss_rate = NAN,  .since_ns = 7,
                   .samples = 30};
  bn_query q = {BN_INIT(bn_query), .target = "t"};

  s = open_with_run(f, &run);
  store_close(s);
  sql_exec(f->db,
           V9_DROP "DROP TABLE run_attrs; ALTER TABLE runs DROP COLUMN kind; "
                   "DROP TABLE baselines; PRAGMA user_version = 6");
  assert_int_equal(store_open(f->db, &s), 0);
  assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
  assert_int_equal(store_writer_start(s), 0);
  assert_int_equal(store_put_baseline(s, "fusion", &b), 0);
  b.centre = 12;
  b.loss_rate = 0.01;
  b.since_ns = 8;
  assert_int_equal(store_put_baseline(s, "fusion", &b), 0); /* replaces */
  b.kind = "jitter";
  assert_int_equal(store_put_baseline(s, "fusion", &b), 0);
  b.target = "u";
  assert_int_equal(store_put_baseline(s, "latency", &b), 0);
  b.kind = NULL;
  assert_int_equal(store_put_baseline(s, "fusion", &b), BN_EINVAL);
  assert_int_equal(store_writer_stop(s, 5000000000LL), 0);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM baselines"), 3);
  assert_int_equal(store_baselines_each(s, "fusion", &q, count_baseline, out),
                   0);
  assert_string_equal(out, "fusion t icmp rtt_ms jitter 12.0 0.5 0.01 8 30|"
                           "fusion t icmp rtt_ms latency 12.0 0.5 0.01 8 30|");
  out[0] = 0;
  assert_int_equal(store_baselines_each(s, NULL, NULL, count_baseline, out),
                   0);
  assert_non_null(strstr(out, "latency u icmp rtt_ms jitter"));
  store_close(s);
}

/* store_hold_begin/end: one transaction whatever the batch size (an
 * import is all or nothing): rolled back, nothing of it stays; committed,
 * all of it. */
static void test_hold_one_transaction(void **state)
{
  fixture *f = *state;
  store_run_meta m = {"h", "import", NULL, "v", 1};
  int64_t run = 0;
  store *s = NULL;

  assert_int_equal(store_open(f->db, &s), 0);
  for (int commit = 0; commit < 2; commit++) {
    assert_int_equal(store_hold_begin(s), 0);
    assert_int_equal(store_run_begin(s, &m, &run), 0);
    for (int i = 0; i < 3 * STORE_BATCH_MAX; i++)
      add(s, run, "import", "t", "rtt_ms", i, 1000 + i, 0);
    assert_int_equal(store_run_end(s, run, 5000, 0), 0);
    /* nothing committed yet, whatever the batch size */
    assert_int_equal(sql_int(f->db, "SELECT count(*) FROM runs"), 0);
    assert_int_equal(store_hold_end(s, commit), 0);
  }
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM runs"), 1);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM samples"),
                   3 * STORE_BATCH_MAX);
  store_close(s);
}

static void test_newer_schema_refused(void **state)
{
  fixture *f = *state;
  char want[PATH_MAX + 200];
  store *s = (store *)f; /* must be reset to NULL */

  snprintf(f->db, sizeof(f->db), "%s/new.db", f->dir);
  sql_exec(f->db, "PRAGMA user_version = 99");
  assert_int_equal(store_open(f->db, &s), BN_ENOTSUP);
  assert_null(s);
  snprintf(want, sizeof(want),
           "error: [store] %s: schema version 99 is newer than this "
           "bottleneck supports (%d); upgrade bottleneck",
           f->db, STORE_SCHEMA_VERSION);
  assert_int_equal(f->n_lines, 1);
  assert_string_equal(f->lines[0], want);
  assert_int_equal(sql_int(f->db, "PRAGMA user_version"), 99);

  f->n_lines = 0;
  assert_int_equal(store_open_readonly(f->db, &s), BN_ENOTSUP);
  assert_int_equal(f->n_lines, 1);
  assert_string_equal(f->lines[0], want);
}

static void test_foreign_db_refused(void **state)
{
  fixture *f = *state;
  store *s = NULL;

  snprintf(f->db, sizeof(f->db), "%s/other.db", f->dir);
  sql_exec(f->db, "CREATE TABLE runs (x)");
  assert_int_equal(store_open(f->db, &s), BN_EINVAL);
  assert_null(s);
  assert_int_equal(f->n_lines, 1);
  assert_non_null(strstr(f->lines[0], "not a bottleneck history database"));
  /* nothing was written into someone else's file */
  assert_int_equal(sql_int(f->db, "PRAGMA user_version"), 0);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM sqlite_master"), 1);
}

static void test_corrupt_file(void **state)
{
  fixture *f = *state;
  store *s = NULL;
  FILE *fp;
  int i;

  snprintf(f->db, sizeof(f->db), "%s/junk.db", f->dir);
  fp = fopen(f->db, "w");
  assert_non_null(fp);
  for (i = 0; i < 512; i++)
    fputs("this is not sqlite. ", fp);
  fclose(fp);
  assert_int_equal(store_open(f->db, &s), BN_EIO);
  assert_null(s);
  assert_int_equal(f->n_lines, 1);
  assert_non_null(strstr(f->lines[0], f->db));
  assert_non_null(strstr(f->lines[0], "file is not a database"));
  assert_non_null(strstr(f->lines[0], "move it aside"));

  f->n_lines = 0;
  assert_int_equal(store_open_readonly(f->db, &s), BN_EIO);
  assert_int_equal(f->n_lines, 1);
  assert_non_null(strstr(f->lines[0], "file is not a database"));
}

static void test_bad_path(void **state)
{
  fixture *f = *state;
  char file[PATH_MAX + 8], want[3 * PATH_MAX];
  store *s = NULL;
  FILE *fp;

  /* a directory cannot be created under a regular file, even by root */
  snprintf(file, sizeof(file), "%s/plain", f->dir);
  fp = fopen(file, "w");
  assert_non_null(fp);
  fclose(fp);
  snprintf(f->db, sizeof(f->db), "%s/plain/sub/history.db", f->dir);
  assert_int_equal(store_open(f->db, &s), BN_EIO);
  assert_null(s);
  assert_int_equal(f->n_lines, 1);
  snprintf(want, sizeof(want),
           "error: [store] %s: cannot create directory %s/plain/sub: %s; "
           "check the path and its permissions",
           f->db, f->dir, strerror(ENOTDIR));
  assert_string_equal(f->lines[0], want);

  /* an empty file read-only: nothing to report on, said as much */
  f->n_lines = 0;
  assert_int_equal(store_open_readonly(file, &s), BN_ENOENT);
  assert_int_equal(f->n_lines, 1);
  snprintf(want, sizeof(want),
           "error: [store] %s: holds no history yet; run bottleneck first",
           file);
  assert_string_equal(f->lines[0], want);
}

static void test_default_path(void **state)
{
  char buf[PATH_MAX];
  fixture *f = *state;

  (void)f;
  setenv("XDG_DATA_HOME", "/xdg/data", 1);
  setenv("HOME", "/home/u", 1);
  assert_int_equal(store_default_path(buf, sizeof(buf)), 0);
  assert_string_equal(buf, "/xdg/data/bottleneck/history.db");
  /* relative XDG_DATA_HOME is ignored, as the XDG spec says */
  setenv("XDG_DATA_HOME", "rel", 1);
  assert_int_equal(store_default_path(buf, sizeof(buf)), 0);
  assert_string_equal(buf, "/home/u/.local/share/bottleneck/history.db");
  unsetenv("XDG_DATA_HOME");
  assert_int_equal(store_default_path(buf, sizeof(buf)), 0);
  assert_string_equal(buf, "/home/u/.local/share/bottleneck/history.db");
  assert_int_equal(store_default_path(buf, 10), BN_EINVAL);
  unsetenv("HOME");
  assert_int_equal(store_default_path(buf, sizeof(buf)), BN_EINVAL);
  assert_int_equal(f->n_lines, 2);
}

static void test_runs(void **state)
{
  fixture *f = *state;
  int64_t run1 = 0, run2 = 0, last = -1;
  store_run_meta m2 = {NULL, "home", NULL, "0.2.0", 5000};
  bn_run_info ri;
  store *s = open_with_run(f, &run1);

  /* the run row is committed at once */
  assert_int_equal(store_pending(s), 0);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM runs"), 1);
  assert_int_equal(store_run_info(s, run1, &ri), 0);
  assert_int_equal(ri.id, run1);
  assert_string_equal(ri.host, "host1");
  assert_string_equal(ri.profile, "lab");
  assert_string_equal(ri.profile_hash, "abcd");
  assert_string_equal(ri.version, "0.1.0");
  assert_int_equal(ri.started_ns, 1000);
  assert_int_equal(ri.ended_ns, 0);
  assert_int_equal(ri.exit_status, -1);

  assert_int_equal(store_run_end(s, run1, 2000, 3), 0);
  assert_int_equal(sql_int(f->db, "SELECT exit_status FROM runs"), 3);
  assert_int_equal(store_run_begin(s, &m2, &run2), 0);
  assert_true(run2 > run1);
  assert_int_equal(store_last_run(s, &last), 0);
  assert_int_equal(last, run2);
  /* 0 is the last run */
  assert_int_equal(store_run_info(s, 0, &ri), 0);
  assert_int_equal(ri.id, run2);
  assert_null(ri.host);
  assert_string_equal(ri.profile, "home");
  assert_int_equal(store_run_info(s, run1, &ri), 0);
  assert_int_equal(ri.ended_ns, 2000);
  assert_int_equal(ri.exit_status, 3);

  assert_int_equal(store_run_info(s, 999, &ri), BN_ENOENT);
  assert_int_equal(f->n_lines, 0);
  assert_int_equal(store_run_end(s, 999, 1, 0), BN_ENOENT);
  assert_int_equal(f->n_lines, 1);
  store_close(s);
}

static void test_no_runs(void **state)
{
  fixture *f = *state;
  int64_t last = -1;
  bn_run_info ri;
  store *s = NULL;

  assert_int_equal(store_open(f->db, &s), 0);
  assert_int_equal(store_last_run(s, &last), 0);
  assert_int_equal(last, 0);
  assert_int_equal(store_run_info(s, 0, &ri), BN_ENOENT);
  store_close(s);
}

typedef struct rows {
  bn_sample_row r[16];
  char target[16][32], probe[16][32], metric[16][32];
  int n;
} rows;

static int collect_sample(const bn_sample_row *r, void *arg)
{
  rows *c = arg;

  if (c->n >= 16)
    return 1;
  c->r[c->n] = *r;
  /* strings are only valid during the callback */
  snprintf(c->target[c->n], 32, "%s", r->target);
  snprintf(c->probe[c->n], 32, "%s", r->probe);
  snprintf(c->metric[c->n], 32, "%s", r->sample.metric);
  c->n++;
  return 0;
}

static void test_samples_round_trip(void **state)
{
  fixture *f = *state;
  bn_query q = {0};
  int64_t run = 0;
  rows c = {0};
  store *s = open_with_run(f, &run);

  add(s, run, "icmp", "gw", "rtt_ms", 1.25, 300, 0);
  add(s, run, "icmp", "gw", "rtt_ms", 99.0, 100, BN_SAMPLE_LOST);
  add(s, run, "icmp", "gw", "rtt_ms", 2.5, 200,
      BN_SAMPLE_LATE | BN_SAMPLE_DUP);
  add(s, run, "tcp", "dns", "connect_ms", 7.0, 150, BN_SAMPLE_INVALID);
  assert_int_equal(store_pending(s), 4);
  assert_int_equal(store_samples_each(s, &q, collect_sample, &c), 0);
  /* the query committed the batch first */
  assert_int_equal(store_pending(s), 0);
  assert_int_equal(c.n, 4);
  /* ordered by target, probe, metric, time */
  assert_string_equal(c.target[0], "dns");
  assert_string_equal(c.probe[0], "tcp");
  assert_string_equal(c.metric[0], "connect_ms");
  assert_int_equal(c.r[0].sample.flags, BN_SAMPLE_INVALID);
  assert_near(c.r[0].sample.value, 7.0);
  assert_string_equal(c.target[1], "gw");
  assert_int_equal(c.r[1].run_id, run);
  assert_int_equal(c.r[1].sample.wall_ns, 100);
  assert_int_equal(c.r[1].sample.mono_ns, 107);
  assert_int_equal(c.r[1].sample.flags, BN_SAMPLE_LOST);
  assert_true(isnan(c.r[1].sample.value));
  assert_int_equal(c.r[2].sample.wall_ns, 200);
  assert_int_equal(c.r[2].sample.flags, BN_SAMPLE_LATE | BN_SAMPLE_DUP);
  assert_near(c.r[2].sample.value, 2.5);
  assert_int_equal(c.r[3].sample.wall_ns, 300);
  assert_near(c.r[3].sample.value, 1.25);
  /* lost is NULL in the file, visible through the human view */
  assert_int_equal(
      sql_int(f->db, "SELECT count(*) FROM samples_v WHERE value IS NULL "
                     "AND target = 'gw' AND probe = 'icmp' AND flags = 1"),
      1);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM series"), 2);

  /* filters: probe, metric, time range [150, 300) */
  c.n = 0;
  q.probe = "icmp";
  q.since_ns = 150;
  q.until_ns = 300;
  assert_int_equal(store_samples_each(s, &q, collect_sample, &c), 0);
  assert_int_equal(c.n, 1);
  assert_int_equal(c.r[0].sample.wall_ns, 200);
  c.n = 0;
  memset(&q, 0, sizeof(q));
  q.metric = "connect_ms";
  assert_int_equal(store_samples_each(s, &q, collect_sample, &c), 0);
  assert_int_equal(c.n, 1);
  assert_string_equal(c.target[0], "dns");
  /* another run has none of these */
  c.n = 0;
  q.run_id = run + 1;
  assert_int_equal(store_samples_each(s, &q, collect_sample, &c), 0);
  assert_int_equal(c.n, 0);
  store_close(s);
  assert_int_equal(f->n_lines, 0);
}

typedef struct series_list {
  bn_series s[8];
  char target[8][32];
  int n;
  int stop_after;
} series_list;

static int collect_series(const bn_series *s, void *arg)
{
  series_list *l = arg;

  if (l->n >= 8)
    return 1;
  l->s[l->n] = *s;
  snprintf(l->target[l->n], 32, "%s", s->target);
  l->n++;
  return l->stop_after && l->n >= l->stop_after;
}

static void test_series_summary(void **state)
{
  fixture *f = *state;
  bn_query q = {0};
  int64_t run = 0;
  series_list l = {0};
  const bn_series *a;
  store *s = open_with_run(f, &run);

  /* received 10 20 30 40 in time order, mixed with one sample of each
   * kind that must stay out of the statistics */
  add(s, run, "icmp", "a", "rtt_ms", 10, 1000, 0);
  add(s, run, "icmp", "a", "rtt_ms", 0, 1100, BN_SAMPLE_LOST);
  add(s, run, "icmp", "a", "rtt_ms", 20, 1200, 0);
  add(s, run, "icmp", "a", "rtt_ms", 1000, 1300, BN_SAMPLE_INVALID);
  add(s, run, "icmp", "a", "rtt_ms", 30, 1400, 0);
  add(s, run, "icmp", "a", "rtt_ms", 500, 1500, BN_SAMPLE_LATE);
  add(s, run, "icmp", "a", "rtt_ms", 5, 1600, BN_SAMPLE_DUP);
  add(s, run, "icmp", "a", "rtt_ms", 40, 1700, 0);
  add(s, run, "icmp", "b", "rtt_ms", 0, 1000, BN_SAMPLE_LOST);
  assert_int_equal(store_series_each(s, &q, collect_series, &l), 0);
  assert_int_equal(l.n, 2);
  a = &l.s[0];
  assert_string_equal(l.target[0], "a");
  assert_int_equal(a->count, 5); /* late and dup are not probes sent */
  assert_int_equal(a->lost, 1);
  assert_int_equal(a->invalid, 1);
  assert_int_equal(a->late, 1);
  assert_int_equal(a->dup, 1);
  assert_near(a->loss_pct, 100.0 / 5.0);
  assert_near(a->min, 10);
  assert_near(a->avg, 25);
  assert_near(a->p50, 25);
  assert_near(a->p95, 38.5);
  assert_near(a->max, 40);
  assert_near(a->stddev, sqrt(125.0));
  assert_near(a->jitter, 10);
  assert_int_equal(a->first_ns, 1000);
  assert_int_equal(a->last_ns, 1700);

  /* all lost: 100 % and NaN statistics */
  assert_string_equal(l.target[1], "b");
  assert_int_equal(l.s[1].count, 1);
  assert_near(l.s[1].loss_pct, 100.0);
  assert_true(isnan(l.s[1].avg));
  assert_true(isnan(l.s[1].jitter));

  /* a time range cuts the series: [1200, 1500) has 20, invalid, 30 */
  memset(&l, 0, sizeof(l));
  q.target = "a";
  q.since_ns = 1200;
  q.until_ns = 1500;
  assert_int_equal(store_series_each(s, &q, collect_series, &l), 0);
  assert_int_equal(l.n, 1);
  assert_int_equal(l.s[0].count, 2);
  assert_int_equal(l.s[0].invalid, 1);
  assert_near(l.s[0].avg, 25);
  assert_near(l.s[0].loss_pct, 0);
  assert_int_equal(l.s[0].first_ns, 1200);
  assert_int_equal(l.s[0].last_ns, 1400);

  /* the callback can stop the iteration */
  memset(&l, 0, sizeof(l));
  memset(&q, 0, sizeof(q));
  l.stop_after = 1;
  assert_int_equal(store_series_each(s, &q, collect_series, &l), 0);
  assert_int_equal(l.n, 1);
  store_close(s);
}

/* Every rollup row of the file as text, in key order. */
static char *rollup_dump(const char *db)
{
  static char buf[16384];
  sqlite3 *h = NULL;
  sqlite3_stmt *st = NULL;
  size_t len = 0;

  buf[0] = 0;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  assert_int_equal(
      sqlite3_prepare_v2(h,
                         "SELECT series_id, run_id, minute, sent, lost, "
                         "invalid, late, dup, n, printf('%.6f', sum), "
                         "printf('%.6f', sumsq), min, max, "
                         "printf('%.6f', jit_sum), jit_n, hex(hist) "
                         "FROM rollups ORDER BY 1, 2, 3",
                         -1, &st, NULL),
      SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    int i;

    for (i = 0; i < 16; i++)
      len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
                              (const char *)sqlite3_column_text(st, i)
                                  ? (const char *)sqlite3_column_text(st, i)
                                  : "NULL",
                              i == 15 ? "\n" : "|");
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return buf;
}

static void test_rollups(void **state)
{
  fixture *f = *state;
  const int64_t min = 60000000000LL;
  int64_t run = 0;
  char live[16384];
  sqlite3 *h = NULL;
  sqlite3_stmt *st = NULL;
  store *s = open_with_run(f, &run);

  /* minute 0: 10, lost, 20, invalid, late, dup; minute 1: 40 and an
   * error; minute 2 of another series; a minute before 1970 */
  add(s, run, "icmp", "a", "rtt_ms", 10, 1000, 0);
  add(s, run, "icmp", "a", "rtt_ms", 0, 2000, BN_SAMPLE_LOST);
  add(s, run, "icmp", "a", "rtt_ms", 20, 3000, 0);
  add(s, run, "icmp", "a", "rtt_ms", 999, 4000, BN_SAMPLE_INVALID);
  add(s, run, "icmp", "a", "rtt_ms", 500, 5000, BN_SAMPLE_LATE);
  add(s, run, "icmp", "a", "rtt_ms", 5, 6000, BN_SAMPLE_DUP);
  assert_int_equal(store_flush(s), 0); /* the minute spans commits */
  add(s, run, "icmp", "a", "rtt_ms", 12, 7000, 0);
  add(s, run, "icmp", "a", "rtt_ms", 40, min + 1, 0);
  add(s, run, "icmp", "a", "rtt_ms", 0, min + 2,
      BN_SAMPLE_LOST | BN_SAMPLE_ERROR);
  add(s, run, "icmp", "b", "rtt_ms", 3, 2 * min + 5, 0);
  add(s, run, "icmp", "c", "rtt_ms", 4, -5, 0);
  store_close(s);

  snprintf(live, sizeof(live), "%s", rollup_dump(f->db));
  assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
  assert_int_equal(
      sqlite3_prepare_v2(h,
                         "SELECT minute, sent, lost, invalid, late, dup, n, "
                         "sum, min, max, jit_sum, jit_n FROM rollups r JOIN "
                         "series se ON se.id = r.series_id WHERE se.target "
                         "= 'a' ORDER BY minute",
                         -1, &st, NULL),
      SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int64(st, 0), 0);
  assert_int_equal(sqlite3_column_int(st, 1), 4); /* 10, lost, 20, 12 */
  assert_int_equal(sqlite3_column_int(st, 2), 1);
  assert_int_equal(sqlite3_column_int(st, 3), 1);
  assert_int_equal(sqlite3_column_int(st, 4), 1);
  assert_int_equal(sqlite3_column_int(st, 5), 1);
  assert_int_equal(sqlite3_column_int(st, 6), 3);
  assert_near(sqlite3_column_double(st, 7), 42);
  assert_near(sqlite3_column_double(st, 8), 10);
  assert_near(sqlite3_column_double(st, 9), 20);
  assert_near(sqlite3_column_double(st, 10), 18); /* |20-10| + |12-20| */
  assert_int_equal(sqlite3_column_int(st, 11), 2);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int64(st, 0), 1);
  assert_int_equal(sqlite3_column_int(st, 1), 2);
  assert_int_equal(sqlite3_column_int(st, 2), 1);
  assert_near(sqlite3_column_double(st, 10), 28); /* across minutes */
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  /* the sketches of two minutes merge into the percentiles of both */
  assert_int_equal(
      sqlite3_prepare_v2(h,
                         "SELECT hist FROM rollups r JOIN series se ON "
                         "se.id = r.series_id WHERE se.target = 'a'",
                         -1, &st, NULL),
      SQLITE_OK);
  {
    hist hs;

    memset(&hs, 0, sizeof(hs));
    while (sqlite3_step(st) == SQLITE_ROW)
      assert_int_equal(hist_merge_blob(&hs, sqlite3_column_blob(st, 0),
                                       (size_t)sqlite3_column_bytes(st, 0)),
                       0);
    assert_int_equal(hs.n, 4);
    /* 10, 12, 20, 40: the median lies between 12 and 20 */
    assert_true(fabs(hist_quantile(&hs, 0.5, 10, 40) - 16) <
                16 * HIST_REL_ERR);
    assert_near(hist_quantile(&hs, 1, 10, 40), 40);
    hist_free(&hs);
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  /* the minute before 1970 is minute -1 */
  assert_non_null(strstr(live, "|-1|1|0|0|0|0|1|"));

  /* counted from the samples table, the rollups are the same */
  assert_int_equal(store_open(f->db, &s), 0);
  assert_int_equal(store_rollup_rebuild(s), 0);
  store_close(s);
  assert_string_equal(rollup_dump(f->db), live);
}

/* Schema 4 -> 5: a minute whose samples are stored gets its sketch
 * counted again from them; one whose samples are gone has its schema-4
 * histogram (the 2^(1/8) bins of schemas 2 to 4) converted. */
static void test_sketch_migration(void **state)
{
  /* schema 4 bins: 100 (5.6 ms) x 3 */
  static const unsigned char v1[] = {100, 3};
  fixture *f = *state;
  const int64_t min = 60000000000LL;
  int64_t run = 0;
  char live[256], buf[256];
  sqlite3 *h = NULL;
  sqlite3_stmt *st = NULL;
  store *s = open_with_run(f, &run);
  double old = 1e-3 * exp2(99.5 / 8);
  hist hs;

  add(s, run, "icmp", "a", "rtt_ms", 10, 1000, 0);
  add(s, run, "icmp", "a", "rtt_ms", 20, 2000, 0);
  add(s, run, "icmp", "a", "rtt_ms", 12, 3000, BN_SAMPLE_LOST);
  add(s, run, "icmp", "a", "rtt_ms", 7, min + 1, 0);
  assert_int_equal(store_run_end(s, run, 2 * min, 0), 0);
  store_close(s);
  sql_text(f->db, "SELECT hex(hist) FROM rollups WHERE minute = 0", live,
           sizeof(live));
  assert_true(strlen(live) > 4);

  /* make it a schema-4 file: old blobs, minute 1's samples pruned */
  assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(h,
                   "DELETE FROM samples WHERE wall_ns >= 60000000000;" V9_DROP
                   "DROP TABLE run_attrs; ALTER TABLE runs DROP COLUMN kind; "
                   "DROP TABLE episodes; DROP TABLE baselines;"
                   "PRAGMA user_version = 4",
                   NULL, NULL, NULL),
      SQLITE_OK);
  assert_int_equal(
      sqlite3_prepare_v2(h, "UPDATE rollups SET hist = ?", -1, &st, NULL),
      SQLITE_OK);
  sqlite3_bind_blob(st, 1, v1, sizeof(v1), SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  sqlite3_close(h);

  log_set_level(BN_LOG_INFO);
  f->n_lines = 0;
  assert_int_equal(store_open(f->db, &s), 0);
  store_close(s);
  assert_int_equal(f->n_lines, 5); /* 4 -> 5 ... 8 -> 9 */
  assert_non_null(strstr(f->lines[0], "migrated schema from version 4 to 5"));
  /* minute 0: counted again, the same as written live */
  assert_string_equal(
      sql_text(f->db, "SELECT hex(hist) FROM rollups WHERE minute = 0", buf,
               sizeof(buf)),
      live);
  /* minute 1: the old bins, converted */
  assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
  assert_int_equal(
      sqlite3_prepare_v2(h, "SELECT hist FROM rollups WHERE minute = 1", -1,
                         &st, NULL),
      SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  memset(&hs, 0, sizeof(hs));
  assert_int_equal(hist_merge_blob(&hs, sqlite3_column_blob(st, 0),
                                   (size_t)sqlite3_column_bytes(st, 0)),
                   0);
  assert_int_equal(hs.n, 3);
  assert_true(fabs(hist_quantile(&hs, 0.5, -INFINITY, INFINITY) - old) <
              old * HIST_REL_ERR * (1 + 1e-9));
  hist_free(&hs);
  sqlite3_finalize(st);
  sqlite3_close(h);
}

static void test_paths(void **state)
{
  fixture *f = *state;
  bn_hop hops[3] = {
      {BN_INIT(bn_hop), .ttl = 1, .addr = "10.0.0.1", .sent = 4, .received = 4,
       .last_ms = 1.25, .avg_ms = 1.5, .best_ms = 1, .worst_ms = 2,
       .stddev_ms = 0.25},
      {BN_INIT(bn_hop), .ttl = 2, .sent = 4, .flags = BN_SAMPLE_LOST},
      {BN_INIT(bn_hop), .ttl = 3, .addr = "192.0.2.9", .sent = 4,
       .received = 3, .last_ms = 9, .avg_ms = 9.75, .best_ms = 9,
       .worst_ms = 11, .stddev_ms = 0.8},
  };
  bn_path path = {BN_INIT(bn_path), 7, BN_PATH_REACHED, hops, 3};
  bn_path_set p = {BN_INIT(bn_path_set), "dst", "udp", &path, 1, 0, 4242};
  const char *hash = "p1";
  int64_t set_id = 0;
  char buf[64];
  int64_t run = 0;
  store *s = open_with_run(f, &run);

  assert_int_equal(
      store_add_path_set(s, run, "trace", &p, "s1", &hash, &set_id), 0);
  assert_true(set_id > 0);
  assert_int_equal(store_pending(s), 5);
  assert_int_equal(store_flush(s), 0);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM paths WHERE "
                                  "target = 'dst' AND probe = 'trace' AND "
                                  "complete = 1 AND n_hops = 3 AND "
                                  "wall_ns = 4242 AND flow_id = 7 AND "
                                  "path_hash = 'p1' AND set_id IN (SELECT "
                                  "id FROM path_sets WHERE set_hash = 's1' "
                                  "AND mode = 'udp' AND n_paths = 1)"),
                   1);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM hops JOIN paths "
                                  "ON paths.id = hops.path_id"),
                   3);
  assert_string_equal(sql_text(f->db,
                               "SELECT addr || ' ' || rtt_ms || ' ' || "
                               "loss_pct || ' ' || sent || ' ' || "
                               "received || ' ' || worst_ms FROM hops "
                               "WHERE ttl = 3",
                               buf, sizeof(buf)),
                      "192.0.2.9 9.75 25.0 4 3 11.0");
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM hops WHERE ttl = 2 "
                                  "AND addr IS NULL AND rtt_ms IS NULL "
                                  "AND flags = 1 AND loss_pct = 100"),
                   1);
  /* a path of an unknown run is refused whole: no orphan hops */
  assert_int_equal(
      store_add_path_set(s, run + 100, "trace", &p, "s1", &hash, NULL),
      BN_EIO);
  assert_int_equal(f->n_lines, 1);
  assert_non_null(strstr(f->lines[0], "FOREIGN KEY constraint failed"));
  assert_int_equal(store_flush(s), 0);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM hops"), 3);
  store_close(s);
}

typedef struct ev_list {
  char line[4][160];
  int n;
} ev_list;

static int collect_event(const bn_event *e, const char *source, void *arg)
{
  ev_list *l = arg;

  if (l->n < 4)
    snprintf(l->line[l->n], sizeof(l->line[0]), "%s %s %s %d %.2f %s %lld",
             source, e->target ? e->target : "-", e->type, (int)e->severity,
             e->score, e->message ? e->message : "-", (long long)e->wall_ns);
  l->n++;
  return 0;
}

static void test_events(void **state)
{
  fixture *f = *state;
  bn_event e1 = {
      BN_INIT(bn_event), "gw", "latency_zscore", BN_SEV_WARNING, 0.75,
      "rtt 5x baseline", 2000};
  bn_event e2 = {
      BN_INIT(bn_event), NULL, "clock_jump", BN_SEV_INFO, 0, NULL, 1000};
  bn_query q = {0};
  ev_list l = {0};
  int64_t run = 0;
  store *s = open_with_run(f, &run);

  assert_int_equal(store_add_event(s, run, "anomaly:zscore", &e1), 0);
  assert_int_equal(store_add_event(s, run, "core", &e2), 0);
  assert_int_equal(store_pending(s), 2);
  assert_int_equal(store_events_each(s, &q, collect_event, &l), 0);
  assert_int_equal(l.n, 2);
  /* by time */
  assert_string_equal(l.line[0], "core - clock_jump 0 0.00 - 1000");
  assert_string_equal(l.line[1], "anomaly:zscore gw latency_zscore 1 0.75 "
                                 "rtt 5x baseline 2000");
  memset(&l, 0, sizeof(l));
  q.target = "gw";
  assert_int_equal(store_events_each(s, &q, collect_event, &l), 0);
  assert_int_equal(l.n, 1);
  memset(&l, 0, sizeof(l));
  q.target = NULL;
  q.since_ns = 1500;
  assert_int_equal(store_events_each(s, &q, collect_event, &l), 0);
  assert_int_equal(l.n, 1);
  store_close(s);
}

static void test_speedtests(void **state)
{
  fixture *f = *state;
  bn_speedtest_result ok = {.target = "lan",
                            .server = "http://127.0.0.1:8080/",
                            .streams = 4,
                            .download_bps = 47.8e6,
                            .upload_bps = 45.1e6,
                            .latency_ms = 0.8,
                            .jitter_ms = 0.1,
                            .loaded_down_ms = 20,
                            .loaded_up_ms = 30,
                            .loss_pct = -1,
                            .udp_jitter_ms = -1,
                            .bytes_down = 60000000,
                            .bytes_up = 56000000};
  bn_speedtest_result bad = {.target = "lan",
                             .download_bps = 12.5e6,
                             .upload_bps = -1,
                             .latency_ms = -1,
                             .jitter_ms = -1,
                             .loaded_down_ms = -1,
                             .loaded_up_ms = -1,
                             .loss_pct = -1,
                             .udp_jitter_ms = -1,
                             .bytes_down = 1000,
                             .status = BN_ETIMEDOUT,
                             .error = "upload timed out"};
  char buf[128];
  int64_t run = 0;
  store *s = open_with_run(f, &run);

  assert_int_equal(store_add_speedtest(s, run, "librespeed", &ok, 111), 0);
  assert_int_equal(store_add_speedtest(s, run, "iperf3", &bad, 222), 0);
  assert_int_equal(store_pending(s), 2);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM speedtests"), 0);
  assert_int_equal(store_flush(s), 0);
  assert_string_equal(
      sql_text(f->db,
               "SELECT provider || ' ' || target || ' ' || wall_ns || ' ' || "
               "CAST(download_bps AS INTEGER) || ' ' || bytes_down || ' ' || "
               "status FROM speedtests WHERE wall_ns = 111",
               buf, sizeof(buf)),
      "librespeed lan 111 47800000 60000000 0");
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM speedtests WHERE "
                                  "provider = 'iperf3' AND upload_bps IS "
                                  "NULL AND latency_ms IS NULL AND "
                                  "status = -8 AND error = "
                                  "'upload timed out'"),
                   1);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM speedtests WHERE "
                                  "error IS NULL"),
                   1);
  store_close(s);
}

static void test_batching(void **state)
{
  fixture *f = *state;
  int64_t run = 0;
  unsigned i;
  store *s = open_with_run(f, &run);

  add(s, run, "p", "t", "m", 1, 1, 0);
  add(s, run, "p", "t", "m", 2, 2, 0);
  assert_int_equal(store_pending(s), 2);
  /* a second connection sees only committed rows */
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM samples"), 0);
  assert_int_equal(store_flush(s), 0);
  assert_int_equal(store_pending(s), 0);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM samples"), 2);
  assert_int_equal(store_flush(s), 0); /* empty flush is a no-op */

  /* the batch commits by itself when it is full */
  for (i = 0; i < STORE_BATCH_MAX - 1; i++)
    add(s, run, "p", "t", "m", i, 10 + i, 0);
  assert_int_equal(store_pending(s), STORE_BATCH_MAX - 1);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM samples"), 2);
  add(s, run, "p", "t", "m", 0, 1, 0);
  assert_int_equal(store_pending(s), 0);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM samples"),
                   2 + STORE_BATCH_MAX);

  /* close flushes */
  add(s, run, "p", "t", "m", 3, 3, 0);
  assert_int_equal(store_pending(s), 1);
  store_close(s);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM samples"),
                   3 + STORE_BATCH_MAX);
  assert_int_equal(f->n_lines, 0);
}

static void test_readonly(void **state)
{
  fixture *f = *state;
  int64_t run = 0;
  series_list l = {0};
  bn_query q = {0};
  bn_sample smp = {BN_INIT(bn_sample), "t", "m", 1, 1, 1, 0};
  store *s = open_with_run(f, &run);
  store *ro = NULL;

  add(s, run, "p", "t", "m", 5, 1, 0);
  store_close(s);
  assert_int_equal(store_open_readonly(f->db, &ro), 0);
  assert_int_equal(store_schema_version(ro), STORE_SCHEMA_VERSION);
  assert_int_equal(store_series_each(ro, &q, collect_series, &l), 0);
  assert_int_equal(l.n, 1);
  assert_near(l.s[0].avg, 5);
  assert_int_equal(f->n_lines, 0);
  assert_int_equal(store_add_sample(ro, run, "p", &smp), BN_EINVAL);
  assert_int_equal(f->n_lines, 1);
  assert_non_null(strstr(f->lines[0], "opened read-only"));
  store_close(ro);

  /* a missing file is not created by a read-only open */
  snprintf(f->db, sizeof(f->db), "%s/missing.db", f->dir);
  f->n_lines = 0;
  assert_int_equal(store_open_readonly(f->db, &ro), BN_EIO);
  assert_int_equal(f->n_lines, 1);
  assert_int_equal(access(f->db, F_OK), -1);
}

/* A history with a table dropped by hand is refused at open, for
 * writing and for reading, with the table named. */
static void test_damaged_schema(void **state)
{
  fixture *f = *state;
  sqlite3 *h = NULL;
  int64_t run = 0;
  store *s = open_with_run(f, &run);

  store_close(s);
  assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
  assert_int_equal(sqlite3_exec(h, "DROP TABLE samples", NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(h);
  f->n_lines = 0;
  assert_int_equal(store_open(f->db, &s), BN_EINVAL);
  assert_null(s);
  assert_int_equal(f->n_lines, 1);
  assert_non_null(strstr(f->lines[0], "table 'samples' is missing"));
  f->n_lines = 0;
  assert_int_equal(store_open_readonly(f->db, &s), BN_EINVAL);
  assert_int_equal(f->n_lines, 1);
  assert_non_null(strstr(f->lines[0], "table 'samples' is missing"));
}

/* /dev/null, a directory: not a history, and nothing created beside. */
static void test_not_regular(void **state)
{
  fixture *f = *state;
  int had_journal = access("/dev/null-journal", F_OK) == 0;
  store *s = NULL;

  assert_int_equal(store_open("/dev/null", &s), BN_EINVAL);
  assert_null(s);
  assert_int_equal(f->n_lines, 1);
  assert_non_null(strstr(f->lines[0], "not a regular file (a character "
                                      "device)"));
  if (!had_journal)
    assert_int_equal(access("/dev/null-journal", F_OK), -1);
  f->n_lines = 0;
  assert_int_equal(store_open_readonly("/dev/null", &s), BN_EINVAL);
  assert_int_equal(f->n_lines, 1);
  f->n_lines = 0;
  assert_int_equal(store_open(f->dir, &s), BN_EINVAL);
  assert_non_null(strstr(f->lines[0], "not a regular file (a directory)"));
}

static void writer_sample(bn_sample *smp, int i)
{
  memset(smp, 0, sizeof(*smp));
  smp->target = i % 2 ? "t1" : "t2";
  smp->metric = "rtt_ms";
  smp->value = 1 + i % 7;
  smp->wall_ns = 1700000000000000000LL + (int64_t)i * 1000000;
  smp->mono_ns = (int64_t)i * 1000000;
}

/* Samples, events and path rounds through the writer thread; a round's
 * changes are stored against it and the round before. */
static void test_writer(void **state)
{
  fixture *f = *state;
  bn_hop h1[2] = {{.ttl = 1, .addr = "10.0.0.1", .sent = 1, .received = 1},
                  {.ttl = 2, .addr = "10.0.0.2", .sent = 1, .received = 1}};
  bn_hop h2[2] = {{.ttl = 1, .addr = "10.0.0.1", .sent = 1, .received = 1},
                  {.ttl = 2, .addr = "10.0.0.3", .sent = 1, .received = 1}};
  bn_path p1 = {.hops = h1, .n_hops = 2}, p2 = {.hops = h2, .n_hops = 2};
  bn_path_set ps = {.target = "web", .mode = "udp", .n_paths = 1};
  const char *id1[] = {"aaaa"}, *id2[] = {"bbbb"};
  pathdiff_change ch = {
      .kind = "changed", .ttl = 2, .old_rtt_ms = -1, .new_rtt_ms = -1};
  bn_event ev = {.type = "test", .message = "hello", .score = NAN};
  store_writer_stats st;
  char buf[64];
  int64_t run = 0, first, second;
  bn_sample smp;
  store *s = open_with_run(f, &run);
  int i;

  assert_int_equal(store_writer_start(s), 0);
  for (i = 0; i < 100; i++) {
    writer_sample(&smp, i);
    assert_int_equal(store_add_sample(s, run, "p", &smp), 0);
  }
  assert_int_equal(store_add_event(s, run, "core", &ev), 0);
  ps.paths = &p1;
  ps.wall_ns = 1700000000000000000LL;
  assert_int_equal(
      store_add_path_round(s, run, "trace", &ps, "set1", id1, NULL, 0), 0);
  ps.paths = &p2;
  ps.wall_ns += 1000000000;
  ch.old_addr = "10.0.0.2";
  ch.new_addr = "10.0.0.3";
  assert_int_equal(
      store_add_path_round(s, run, "trace", &ps, "set2", id2, &ch, 1), 0);
  /* the round just queued is the one the next round compares with */
  {
    store_path_round r;

    assert_int_equal(store_path_round_last(s, "web", "trace", &r), 0);
    assert_string_equal(r.set_hash, "set2");
    assert_int_equal(r.set.n_paths, 1);
    assert_string_equal(r.set.paths[0].hops[1].addr, "10.0.0.3");
    store_path_round_free(&r);
  }
  assert_int_equal(store_sync(s, 10 * 1000000000LL), 0);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM samples"), 100);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM events"), 1);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM hops"), 4);
  first = sql_int(f->db, "SELECT id FROM path_sets WHERE set_hash = 'set1'");
  second = sql_int(f->db, "SELECT id FROM path_sets WHERE set_hash = 'set2'");
  assert_int_equal(sql_int(f->db, "SELECT set_id FROM path_changes"), second);
  assert_int_equal(sql_int(f->db, "SELECT prev_set_id FROM path_changes"),
                   first);
  assert_string_equal(
      sql_text(f->db, "SELECT new_addr FROM path_changes", buf, sizeof(buf)),
      "10.0.0.3");
  store_writer_get_stats(s, &st);
  /* samples, event, set + path + 2 hops twice, one change */
  assert_int_equal(st.written, 100 + 1 + 4 + 4 + 1);
  assert_int_equal(st.queued, 0);
  assert_int_equal(store_writer_stop(s, 0), 0);
  store_close(s);
  assert_int_equal(f->n_lines, 0);
}

static int64_t mono_ns(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Another connection holds the database locked: adding rows does not
 * wait, they are held (up to the queue's bound, then dropped and
 * counted) and written once the lock is gone. */
static void test_writer_locked(void **state)
{
  fixture *f = *state;
  store_writer_stats st;
  int64_t run = 0, t0, took;
  sqlite3 *h = NULL;
  bn_sample smp;
  store *s = open_with_run(f, &run);
  int i, dropped = 0;

  setenv("BN_STORE_QUEUE_MAX", "50", 1);
  assert_int_equal(store_writer_start(s), 0);
  unsetenv("BN_STORE_QUEUE_MAX");
  assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
  assert_int_equal(sqlite3_exec(h,
                                "BEGIN EXCLUSIVE; INSERT INTO runs "
                                "(started_ns) VALUES (1)",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  t0 = mono_ns();
  for (i = 0; i < 60; i++) {
    writer_sample(&smp, i);
    if (store_add_sample(s, run, "p", &smp) == BN_EAGAIN)
      dropped++;
    store_flush(s); /* asks for a commit; must not wait for it */
  }
  took = mono_ns() - t0;
  /* sqlite's busy wait is 5 s: the caller saw none of it */
  assert_true(took < 1000000000LL);
  assert_int_equal(dropped, 10);
  assert_int_equal(store_sync(s, 300000000LL), BN_ETIMEDOUT);
  store_writer_get_stats(s, &st);
  assert_int_equal(st.queued, 50);
  assert_int_equal(st.dropped, 10);
  assert_int_equal(st.written, 0);
  assert_int_equal(sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(h);
  assert_int_equal(store_sync(s, 20 * 1000000000LL), 0);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM samples"), 50);
  /* the drop was said once, and the total once at the end */
  assert_int_equal(store_writer_stop(s, 0), BN_EIO);
  store_close(s);
  {
    int warned = 0, total = 0;

    for (i = 0; i < f->n_lines && i < MAX_LINES; i++) {
      warned += strstr(f->lines[i], "new rows are dropped") != NULL;
      total +=
          strstr(f->lines[i], "10 rows were not stored: 10 dropped") != NULL;
    }
    assert_int_equal(warned, 1);
    assert_int_equal(total, 1);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_open_creates, setup, teardown),
      cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reopen_is_noop, setup, teardown),
      cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_foreign_db_refused, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_corrupt_file, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_path, setup, teardown),
      cmocka_unit_test_setup_teardown(test_default_path, setup, teardown),
      cmocka_unit_test_setup_teardown(test_runs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_runs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_samples_round_trip, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_series_summary, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rollups, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sketch_migration, setup, teardown),
      cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
      cmocka_unit_test_setup_teardown(test_events, setup, teardown),
      cmocka_unit_test_setup_teardown(test_migrate_episodes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_baselines, setup, teardown),
      cmocka_unit_test_setup_teardown(test_hold_one_transaction, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_speedtests, setup, teardown),
      cmocka_unit_test_setup_teardown(test_batching, setup, teardown),
      cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
      cmocka_unit_test_setup_teardown(test_damaged_schema, setup, teardown),
      cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
      cmocka_unit_test_setup_teardown(test_writer, setup, teardown),
      cmocka_unit_test_setup_teardown(test_writer_locked, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
