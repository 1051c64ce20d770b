/*
 * test_compact.c - retention (core/store/store_compact.c): the cut-offs
 * of each age at and around their boundaries, raw samples deleted only
 * where their minute is rolled up, minute rollups merged into hour
 * rollups with the same counts, sums, extremes and a sketch whose
 * percentiles stay within its error, old hour rollups deleted, and the
 * `compacted` record of it all.
 */
#include "config.h"

#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "hist.h"
#include "log.h"
#include "store.h"

#define S_NS   1000000000LL
#define MIN_NS (60 * S_NS)
#define H_NS   (3600 * S_NS)
#define D_NS   (86400 * S_NS)
#define H0     500000 /* the first hour of the test history (1987) */

typedef struct fixture {
  char dir[256];
  char db[300];
} fixture;

static int setup(void **state)
{
  fixture *f = calloc(1, sizeof(*f));
  const char *tmp = getenv("TMPDIR");

  if (!f)
    return -1;
  snprintf(f->dir, sizeof(f->dir), "%s/bn-compact.XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->db, sizeof(f->db), "%s/h.db", f->dir);
  log_set_level(BN_LOG_WARNING);
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

  nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  free(f);
  return 0;
}

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

static void sql_exec(const char *db, const char *sql)
{
  sqlite3 *h = NULL;

  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  if (sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK)
    fail_msg("%s: %s", sql, sqlite3_errmsg(h));
  sqlite3_close(h);
}

/* A deterministic latency-like value (log-normal-ish) for second i. */
static double value_at(int64_t i)
{
  uint64_t x = (uint64_t)i * 0x9e3779b97f4a7c15ULL;
  double u1, u2;

  x ^= x >> 31;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 29;
  u1 = ((double)(x >> 11) + 0.5) / 9007199254740992.0;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 32;
  u2 = ((double)(x >> 11) + 0.5) / 9007199254740992.0;
  return 10.0 * exp(0.5 * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
}

/* Three hours of 1 Hz samples from hour H0, every 50th lost. */
static store *fill(fixture *f, int64_t *run)
{
  store_run_meta m = {"host1", "lab", "abcd", "0.1.0", H0 * H_NS};
  store *s = NULL;
  int64_t i;

  assert_int_equal(store_open(f->db, &s), 0);
  assert_int_equal(store_run_begin(s, &m, run), 0);
  for (i = 0; i < 3 * 3600; i++) {
    int lost = i % 50 == 7;
    bn_sample smp = {BN_INIT(bn_sample),
                     "t",
                     "rtt_ms",
                     lost ? NAN : value_at(i),
                     H0 * H_NS + i * S_NS,
                     i * S_NS,
                     lost ? BN_SAMPLE_LOST : 0};

    assert_int_equal(store_add_sample(s, *run, "icmp", &smp), 0);
  }
  assert_int_equal(store_flush(s), 0);
  return s;
}

static int compact_all(store *s, const store_cuts *cuts, int64_t budget,
                       store_compact_stats *out)
{
  store_compactor c;
  int rc, n = 0;

  store_compact_init(&c, cuts, budget);
  while ((rc = store_compact_step(s, &c)) > 0)
    assert_true(++n < 1000000);
  assert_int_equal(rc, 0);
  *out = c.st;
  return (int)c.st.steps;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

/* The exact q-quantile (linear interpolation between closest ranks). */
static double exact_q(double *v, size_t n, double q)
{
  double pos = q * (double)(n - 1);
  size_t lo = (size_t)floor(pos);

  if (lo + 1 >= n)
    return v[n - 1];
  return v[lo] + (pos - (double)lo) * (v[lo + 1] - v[lo]);
}

/* ---- cut-offs -------------------------------------------------------- */

static void test_cuts_defaults(void **state)
{
  store_retention r = {STORE_RETAIN_RAW_NS, STORE_RETAIN_MINUTE_NS,
                       STORE_RETAIN_HOUR_NS};
  /* day 1000, 05:01:30 */
  int64_t now = 1000 * D_NS + 5 * H_NS + 90 * S_NS;
  store_cuts c;

  (void)state;
  store_retention_cuts(&r, now, &c);
  /* raw: now - 14 d, down to its minute */
  assert_int_equal(c.raw_ns, 986 * D_NS + 5 * H_NS + 60 * S_NS);
  assert_true(c.raw_ns <= now - r.raw_ns);
  assert_true(now - r.raw_ns - c.raw_ns < MIN_NS);
  /* minutes: now - 90 d, down to its hour, in minutes */
  assert_int_equal(c.minute, (910 * 24 + 5) * 60);
  /* hours: now - 730 d, in hours */
  assert_int_equal(c.hour, 270 * 24 + 5);
}

static void test_cuts_boundary(void **state)
{
  store_retention r = {2 * D_NS, 10 * D_NS, 100 * D_NS};
  store_cuts c;

  (void)state;
  /* exactly on a boundary: the cut is the boundary itself, so a row
   * exactly `age` old stays and one 1 ns older goes */
  store_retention_cuts(&r, 200 * D_NS, &c);
  assert_int_equal(c.raw_ns, 198 * D_NS);
  assert_int_equal(c.minute, 190 * 24 * 60);
  assert_int_equal(c.hour, 100 * 24);
  /* 1 ns before it: everything one unit back */
  store_retention_cuts(&r, 200 * D_NS - 1, &c);
  assert_int_equal(c.raw_ns, 198 * D_NS - MIN_NS);
  assert_int_equal(c.minute, (190 * 24 - 1) * 60);
  assert_int_equal(c.hour, 100 * 24 - 1);
  /* before 1970: floor, not truncation */
  store_retention_cuts(&r, 0, &c);
  assert_int_equal(c.raw_ns, -2 * D_NS);
  assert_int_equal(c.hour, -100 * 24);
  r.raw_ns = 30 * S_NS;
  store_retention_cuts(&r, 0, &c);
  assert_int_equal(c.raw_ns, -MIN_NS);
}

static void test_raw_boundary_rows(void **state)
{
  fixture *f = *state;
  store_compact_stats st;
  store_cuts cuts = {(H0 + 1) * H_NS + 30 * MIN_NS, INT64_MIN / 2,
                     INT64_MIN / 2};
  int64_t run;
  store *s = fill(f, &run);

  compact_all(s, &cuts, 20000000, &st);
  store_close(s);
  /* samples before the cut went, the one at the cut stayed */
  assert_int_equal(st.raw.rows, 5400);
  assert_int_equal(st.raw.first_ns, H0 * H_NS);
  assert_int_equal(st.raw.last_ns, cuts.raw_ns - S_NS);
  assert_int_equal(sql_int(f->db, "SELECT min(wall_ns) FROM samples"),
                   cuts.raw_ns);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM samples"), 5400);
  /* minute rollups all kept */
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM rollups"), 180);
  assert_int_equal(
      sql_int(f->db, "SELECT rows FROM compacted WHERE kind = 'raw'"), 5400);
}

/* ---- the merge -------------------------------------------------------- */

static void test_merge_minutes_into_hours(void **state)
{
  fixture *f = *state;
  store_compact_stats st;
  store_cuts cuts = {(H0 + 2) * H_NS, (H0 + 2) * 60, INT64_MIN / 2};
  double *v = malloc(3600 * sizeof(*v)), sum = 0, lo = INFINITY, hi = 0;
  size_t n = 0, i;
  int64_t run, k;
  sqlite3 *h = NULL;
  sqlite3_stmt *q = NULL;
  store *s = fill(f, &run);
  hist hs;

  assert_non_null(v);
  compact_all(s, &cuts, 20000000, &st);
  store_close(s);
  assert_int_equal(st.raw.rows, 7200);
  assert_int_equal(st.minute.rows, 120);
  assert_int_equal(st.hours_written, 2);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM samples"), 3600);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM rollups"), 60);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM rollups_hour"), 2);
  assert_int_equal(
      sql_int(f->db, "SELECT rows FROM compacted WHERE kind = 'minute'"), 120);
  /* hour H0 + 1 against the values written */
  for (k = 3600; k < 7200; k++) {
    if (k % 50 == 7)
      continue;
    v[n] = value_at(k);
    sum += v[n];
    lo = fmin(lo, v[n]);
    hi = fmax(hi, v[n]);
    n++;
  }
  qsort(v, n, sizeof(*v), cmp_double);
  assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(h,
                                      "SELECT sent, lost, n, sum, min, max, "
                                      "hist, jit_n FROM rollups_hour WHERE "
                                      "hour = ?1",
                                      -1, &q, NULL),
                   SQLITE_OK);
  sqlite3_bind_int64(q, 1, H0 + 1);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int64(q, 0), 3600);
  assert_int_equal(sqlite3_column_int64(q, 1), 3600 - (int64_t)n);
  assert_int_equal(sqlite3_column_int64(q, 2), (int64_t)n);
  assert_true(fabs(sqlite3_column_double(q, 3) - sum) < 1e-6 * sum);
  assert_true(sqlite3_column_double(q, 4) == lo);
  assert_true(sqlite3_column_double(q, 5) == hi);
  /* jitter pairs: every received value but the first of the run */
  assert_true(sqlite3_column_int64(q, 7) >= (int64_t)n - 1);
  memset(&hs, 0, sizeof(hs));
  assert_int_equal(hist_merge_blob(&hs, sqlite3_column_blob(q, 6),
                                   (size_t)sqlite3_column_bytes(q, 6)),
                   0);
  assert_int_equal(hs.n, n);
  for (i = 0; i < 5; i++) {
    static const double qs[] = {0.05, 0.25, 0.5, 0.95, 0.99};
    double e = exact_q(v, n, qs[i]), got = hist_quantile(&hs, qs[i], lo, hi);

    if (fabs(got - e) > HIST_REL_ERR * e * 1.0001)
      fail_msg("p%g: sketch %g, exact %g", qs[i] * 100, got, e);
  }
  hist_free(&hs);
  sqlite3_finalize(q);
  sqlite3_close(h);
  free(v);
}

/* Merging twice into the same hour adds up (an import of old data after
 * a compaction): the hour row counts both. */
static void test_merge_adds_up(void **state)
{
  fixture *f = *state;
  store_compact_stats st;
  store_cuts cuts = {H0 * H_NS, (H0 + 1) * 60, INT64_MIN / 2};
  int64_t run;
  store *s = fill(f, &run);

  /* first half of hour H0's minutes, then the rest */
  sql_exec(f->db, "UPDATE rollups SET minute = minute + 1000000000 WHERE "
                  "minute % 60 >= 30 AND minute < (500000 + 1) * 60");
  compact_all(s, &cuts, 20000000, &st);
  assert_int_equal(st.minute.rows, 30);
  sql_exec(f->db, "UPDATE rollups SET minute = minute - 1000000000 WHERE "
                  "minute >= 1000000000");
  compact_all(s, &cuts, 20000000, &st);
  assert_int_equal(st.minute.rows, 30);
  store_close(s);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM rollups_hour"), 1);
  assert_int_equal(sql_int(f->db, "SELECT sent FROM rollups_hour"), 3600);
  assert_int_equal(sql_int(f->db, "SELECT rows FROM compacted WHERE kind = "
                                  "'minute'"),
                   60);
}

/* Samples whose minute has no rollup are not deleted. */
static void test_raw_kept_without_rollup(void **state)
{
  fixture *f = *state;
  store_compact_stats st;
  store_cuts cuts = {(H0 + 3) * H_NS, INT64_MIN / 2, INT64_MIN / 2};
  int64_t run;
  store *s = fill(f, &run);

  sql_exec(f->db, "DELETE FROM rollups WHERE minute = 500000 * 60 + 17");
  assert_int_equal(store_compact_plan(s, &cuts, &st), 0);
  assert_int_equal(st.raw.rows, 3 * 3600 - 60);
  assert_int_equal(st.raw_kept, 60);
  compact_all(s, &cuts, 20000000, &st);
  store_close(s);
  assert_int_equal(st.raw.rows, 3 * 3600 - 60);
  assert_int_equal(sql_int(f->db, "SELECT count(*) FROM samples"), 60);
  assert_int_equal(sql_int(f->db, "SELECT min(wall_ns) FROM samples"),
                   H0 * H_NS + 17 * MIN_NS);
}

static void test_hours_expire(void **state)
{
  fixture *f = *state;
  store_compact_stats st;
  store_cuts cuts = {(H0 + 3) * H_NS, (H0 + 3) * 60, H0 + 2};
  int64_t run;
  store *s = fill(f, &run);

  /* one pass merges the minutes into hours H0..H0+2, then deletes the
   * hours older than the cut */
  compact_all(s, &cuts, 20000000, &st);
  store_close(s);
  assert_int_equal(st.hours_written, 3);
  assert_int_equal(st.hour.rows, 2);
  assert_int_equal(st.hour.first_ns, H0 * H_NS);
  assert_int_equal(st.hour.last_ns, (H0 + 1) * H_NS);
  assert_int_equal(sql_int(f->db, "SELECT hour FROM rollups_hour"), H0 + 2);
}

/* A tiny budget splits the work into many steps; a second compaction
 * finds nothing to do. */
static void test_small_steps_and_idempotent(void **state)
{
  fixture *f = *state;
  store_compact_stats st;
  store_cuts cuts = {(H0 + 3) * H_NS, (H0 + 3) * 60, INT64_MIN / 2};
  int64_t run;
  store *s = fill(f, &run);

  assert_true(compact_all(s, &cuts, 100000, &st) > 3);
  assert_int_equal(st.raw.rows, 3 * 3600);
  assert_int_equal(st.minute.rows, 180);
  compact_all(s, &cuts, 20000000, &st);
  assert_int_equal(st.raw.rows + st.minute.rows + st.hour.rows, 0);
  store_close(s);
}

/* A new file has incremental vacuum and gives the space back. */
static void test_vacuum_gives_back(void **state)
{
  fixture *f = *state;
  store_compact_stats st;
  store_cuts cuts = {(H0 + 3) * H_NS, (H0 + 3) * 60, INT64_MIN / 2};
  int64_t run, used0, used1, free1;
  int av = 0;
  store *s = fill(f, &run);

  assert_int_equal(store_space(s, &used0, NULL, &av), 0);
  assert_int_equal(av, 2);
  compact_all(s, &cuts, 20000000, &st);
  assert_int_equal(store_space(s, &used1, &free1, &av), 0);
  store_close(s);
  assert_true(used1 < used0);
  assert_int_equal(free1, 0);
  assert_true(st.vacuumed > 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cuts_defaults),
      cmocka_unit_test(test_cuts_boundary),
      cmocka_unit_test_setup_teardown(test_raw_boundary_rows, setup, teardown),
      cmocka_unit_test_setup_teardown(test_merge_minutes_into_hours, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_merge_adds_up, setup, teardown),
      cmocka_unit_test_setup_teardown(test_raw_kept_without_rollup, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_hours_expire, setup, teardown),
      cmocka_unit_test_setup_teardown(test_small_steps_and_idempotent, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_vacuum_gives_back, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
