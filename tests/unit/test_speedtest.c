/*
 * test_speedtest.c - the speed test orchestration: settings of the
 * `speedtest:` section, the backoff schedule, the bufferbloat grade, and
 * retries, timeouts and failover over scripted fake providers on a real
 * loop, with every attempt checked in an in-memory store.
 */
#include "config.h"

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

#include "conf.h"
#include "host.h"
#include "log.h"
#include "speedtest.h"
#include "store.h"
#include "store_int.h"

/* ---- captured log lines ------------------------------------------ */

static char lines[16][512];
static int n_lines;

static void sink(bn_log_level level, const char *line, void *arg)
{
  if (n_lines < 16)
    snprintf(lines[n_lines], sizeof(lines[0]), "%s", line);
  n_lines++;
}

static int logged(const char *needle)
{
  int i;

  for (i = 0; i < n_lines && i < 16; i++)
    if (strstr(lines[i], needle))
      return 1;
  return 0;
}

static bn_node *parse(const char *yaml)
{
  char err[256];
  bn_node *n = NULL;

  assert_int_equal(conf_parse_string(yaml, "t.yaml", &n, err, sizeof(err)), 0);
  return n;
}

/* ---- settings, backoff, grade ------------------------------------ */

static void test_settings_defaults(void **state)
{
  speedtest_settings s;

  assert_int_equal(speedtest_settings_read(NULL, &s), 0);
  assert_int_equal(s.streams, 4);
  assert_true(s.duration_ns == 10000000000LL);
  assert_true(s.timeout_ns == 60000000000LL);
  assert_int_equal(s.retries, 2);
  assert_true(s.download && s.upload);
}

static void test_settings_values(void **state)
{
  bn_node *n = parse("streams: 8\nduration: 3s\ntimeout: 20s\n"
                     "retries: 0\nbackoff: 250ms\nupload: false\n");
  speedtest_settings s;

  assert_int_equal(speedtest_settings_read(n, &s), 0);
  assert_int_equal(s.streams, 8);
  assert_true(s.duration_ns == 3000000000LL);
  assert_int_equal(s.retries, 0);
  assert_true(s.backoff_ns == 250000000LL);
  assert_false(s.upload);
  conf_free(n);
}

static void test_settings_errors(void **state)
{
  static const struct {
    const char *yaml, *msg;
  } bad[] = {
      {"streams: 0\n", "t.yaml:1:10: section 'speedtest': option 'streams'"},
      {"strems: 4\n", "unknown option 'strems'"},
      {"duration: fast\n", "option 'duration' expects"},
      {"download: false\nupload: false\n", "nothing to measure"},
      {"duration: 30s\ntimeout: 40s\n", "leaves no room"},
      {"backoff: 10s\nbackoff_max: 1s\n", "t.yaml:2:14: 'backoff_max'"},
  };
  size_t i;

  log_set_sink(sink, NULL);
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    bn_node *n = parse(bad[i].yaml);
    speedtest_settings s;

    n_lines = 0;
    assert_int_equal(speedtest_settings_read(n, &s), BN_EINVAL);
    if (!logged(bad[i].msg))
      fail_msg("%s: no line with '%s' (got '%s')", bad[i].yaml, bad[i].msg,
               n_lines ? lines[0] : "");
    conf_free(n);
  }
  log_set_sink(NULL, NULL);
}

static void test_backoff(void **state)
{
  speedtest_settings s = {.backoff_ns = 1000, .backoff_max_ns = 5000};

  /* base doubles to the cap; the wait is in [base/2, base] */
  assert_true(speedtest_backoff_ns(&s, 1, 0.0) == 500);
  assert_true(speedtest_backoff_ns(&s, 1, 0.999) >= 999);
  assert_true(speedtest_backoff_ns(&s, 2, 0.0) == 1000);
  assert_true(speedtest_backoff_ns(&s, 3, 0.5) == 3000);
  assert_true(speedtest_backoff_ns(&s, 4, 0.0) == 2500); /* capped 5000 */
  assert_true(speedtest_backoff_ns(&s, 30, 0.0) == 2500);
}

static void test_grade(void **state)
{
  assert_string_equal(speedtest_grade(10, 14), "A+");
  assert_string_equal(speedtest_grade(10, 39), "A");
  assert_string_equal(speedtest_grade(10, 69), "B");
  assert_string_equal(speedtest_grade(10, 209), "C");
  assert_string_equal(speedtest_grade(10, 409), "D");
  assert_string_equal(speedtest_grade(10, 410), "F");
  assert_null(speedtest_grade(-1, 10));
  assert_null(speedtest_grade(10, -1));
}

/* ---- orchestration over fake providers --------------------------- */

enum fake_act { ACT_OK, ACT_FAIL, ACT_HANG, ACT_NOSTART, ACT_EMPTY };

typedef struct fake_ctx {
  bn_host *h;
  const enum fake_act *script;
  int calls;
  int cancels;
  bn_timer *t;
  bn_speedtest_done_fn done;
  void *arg;
  int64_t streams;
} fake_ctx;

static const enum fake_act *fake_scripts[4];
static fake_ctx *fake_made[4];
static int fake_n;

static void fake_fire(bn_timer *t, void *arg)
{
  fake_ctx *c = arg;
  bn_speedtest_result r;
  enum fake_act a = c->script[c->calls - 1];

  c->h->api->timer_free(c->t);
  c->t = NULL;
  r = (bn_speedtest_result){BN_INIT(bn_speedtest_result)};
  r.server = "fake://server";
  r.streams = (int)c->streams;
  r.download_bps = a == ACT_OK ? 9e6 : BN_NOT_MEASURED;
  r.upload_bps = a == ACT_OK ? 4e6 : BN_NOT_MEASURED;
  r.latency_ms = a == ACT_OK ? 10 : BN_NOT_MEASURED;
  r.loaded_down_ms = a == ACT_OK ? 50 : BN_NOT_MEASURED; /* +40 ms: grade B */
  r.loaded_up_ms = a == ACT_OK ? 20 : BN_NOT_MEASURED;
  r.jitter_ms = r.loss_pct = r.udp_jitter_ms = BN_NOT_MEASURED;
  r.status = a == ACT_FAIL ? BN_EIO : 0;
  r.error = a == ACT_FAIL ? "HTTP 500 from fake" : NULL;
  c->done(&r, c->arg);
}

static int fake_run(void *ctx, const bn_speedtest_request *req,
                    bn_speedtest_done_fn done, void *arg)
{
  fake_ctx *c = ctx;
  enum fake_act a = c->script[c->calls++];

  c->done = done;
  c->arg = arg;
  c->streams = req->streams;
  if (a == ACT_NOSTART)
    return BN_EIO;
  if (a != ACT_HANG)
    c->t = c->h->api->timer_start(c->h, 1000000, 0, fake_fire, c);
  return 0;
}

static void fake_cancel(void *ctx)
{
  fake_ctx *c = ctx;

  c->cancels++;
  c->h->api->timer_free(c->t);
  c->t = NULL;
}

static int fake_init(bn_host *h, void **out)
{
  fake_ctx *c = calloc(1, sizeof(*c));

  c->h = h;
  c->script = fake_scripts[fake_n];
  fake_made[fake_n++] = c;
  *out = c;
  return 0;
}

static void fake_destroy(void *ctx)
{
  free(ctx);
}

static const bn_speedtest_ops fake_ops = {
    .struct_size = sizeof(bn_speedtest_ops),
    .run = fake_run,
    .cancel = fake_cancel,
};

typedef struct orch {
  uv_loop_t uv;
  host_core core;
  loader_plugin lp;
  profile_plugin entries[4];
  host_instance inst[4];
  host_instance *order[4];
  speedtest_settings set;
  speedtest_outcome out;
  int n;
} orch;

/* Run the fake providers with the scripts given; return the status. */
static int orch_run(orch *o, int n, const enum fake_act *const *scripts)
{
  static char names[4][8];
  unsigned seed = 42;
  int i;

  memset(o, 0, sizeof(*o));
  assert_int_equal(uv_loop_init(&o->uv), 0);
  o->core.uv = &o->uv;
  clock_init(&o->core.clock, NULL);
  assert_int_equal(store_open(":memory:", &o->core.st), 0);
  {
    store_run_meta m = {"host", "p", "h", "v", 1};

    assert_int_equal(store_run_begin(o->core.st, &m, &o->core.run_id), 0);
  }
  o->lp.desc.abi_major = BN_ABI_MAJOR;
  o->lp.desc.struct_size = sizeof(bn_plugin);
  o->lp.desc.name = "fake";
  o->lp.desc.kind = BN_KIND_SPEEDTEST;
  o->lp.desc.init = fake_init;
  o->lp.desc.destroy = fake_destroy;
  o->lp.desc.ops = &fake_ops;
  o->lp.file = "fake.so";
  fake_n = 0;
  for (i = 0; i < n; i++) {
    snprintf(names[i], sizeof(names[i]), "p%d", i + 1);
    fake_scripts[i] = scripts[i];
    o->entries[i].kind = BN_KIND_SPEEDTEST;
    o->entries[i].plugin = "fake";
    o->entries[i].name = names[i];
    host_instance_setup(&o->inst[i], &o->core, &o->lp, &o->entries[i]);
    assert_int_equal(host_instance_init(&o->inst[i]), 0);
    o->order[i] = &o->inst[i];
  }
  o->n = n;
  o->set.streams = 3;
  o->set.duration_ns = 1000000;
  o->set.timeout_ns = 50000000; /* 50 ms */
  o->set.retries = 1;
  o->set.backoff_ns = 2000000;
  o->set.backoff_max_ns = 8000000;
  o->set.download = o->set.upload = 1;
  return speedtest_run(&o->core, o->order, n, &o->set, &seed, &o->out);
}

static int64_t orch_sql(orch *o, const char *sql)
{
  sqlite3_stmt *st;
  int64_t v = -1;

  assert_int_equal(store_flush(o->core.st), 0);
  assert_int_equal(sqlite3_prepare_v2(o->core.st->db, sql, -1, &st, NULL),
                   SQLITE_OK);
  if (sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static void orch_free(orch *o)
{
  int i;

  for (i = 0; i < o->n; i++)
    host_instance_destroy(&o->inst[i]);
  uv_run(&o->uv, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&o->uv), 0);
  speedtest_outcome_free(&o->out);
  store_close(o->core.st);
}

static void test_first_try(void **state)
{
  static const enum fake_act ok[] = {ACT_OK};
  const enum fake_act *scripts[] = {ok};
  orch o;

  assert_int_equal(orch_run(&o, 1, scripts), 0);
  assert_string_equal(o.out.provider, "p1");
  assert_int_equal(o.out.n_attempts, 1);
  assert_string_equal(o.out.grade, "B");
  assert_int_equal(fake_made[0]->streams, 3);
  assert_true(orch_sql(&o, "SELECT count(*) FROM speedtests WHERE "
                           "provider = 'p1' AND status = 0 AND attempts = 1 "
                           "AND bufferbloat = 'B' AND server = "
                           "'fake://server' AND download_bps = 9e6") == 1);
  assert_true(orch_sql(&o, "SELECT count(*) FROM speedtest_attempts WHERE "
                           "speedtest_id IS NOT NULL AND status = 0") == 1);
  orch_free(&o);
}

/* p1 fails, is retried after a backoff and fails again; p2 hangs past
 * the timeout (cancelled), then cannot even start; p3 succeeds. */
static void test_retry_timeout_failover(void **state)
{
  static const enum fake_act a[] = {ACT_FAIL, ACT_FAIL};
  static const enum fake_act b[] = {ACT_HANG, ACT_NOSTART};
  static const enum fake_act c[] = {ACT_OK};
  const enum fake_act *scripts[] = {a, b, c};
  orch o;

  log_set_sink(sink, NULL);
  n_lines = 0;
  assert_int_equal(orch_run(&o, 3, scripts), 0);
  log_set_sink(NULL, NULL);
  assert_string_equal(o.out.provider, "p3");
  assert_int_equal(o.out.n_attempts, 5);
  assert_int_equal(fake_made[0]->calls, 2);
  assert_int_equal(fake_made[1]->calls, 2);
  assert_int_equal(fake_made[1]->cancels, 1);
  assert_int_equal(o.out.attempts[0].status, BN_EIO);
  assert_string_equal(o.out.attempts[0].error, "HTTP 500 from fake");
  /* the retry waited at least backoff/2 */
  assert_true(o.out.attempts[1].wall_ns - o.out.attempts[0].wall_ns >=
              1000000);
  assert_int_equal(o.out.attempts[2].status, BN_ETIMEDOUT);
  /* libuv's timers count whole milliseconds from a cached time */
  assert_true(o.out.attempts[2].duration_ns >= 49000000);
  assert_non_null(strstr(o.out.attempts[3].error, "could not start"));
  assert_int_equal(o.out.attempts[4].status, 0);
  assert_true(logged("failing over to p2") && logged("failing over to p3"));
  assert_true(orch_sql(&o, "SELECT count(*) FROM speedtest_attempts WHERE "
                           "speedtest_id = (SELECT id FROM speedtests WHERE "
                           "provider = 'p3' AND attempts = 5)") == 5);
  assert_true(orch_sql(&o, "SELECT group_concat(provider || attempt || "
                           "':' || status, ' ') = 'p11:-5 p12:-5 p23:-8 "
                           "p24:-5 p35:0' FROM (SELECT * FROM "
                           "speedtest_attempts ORDER BY attempt)") == 1);
  orch_free(&o);
}

/* Every provider fails: the outcome and the stored row say so. */
static void test_all_fail(void **state)
{
  static const enum fake_act a[] = {ACT_FAIL, ACT_EMPTY};
  const enum fake_act *scripts[] = {a};
  orch o;

  log_set_sink(sink, NULL);
  assert_int_equal(orch_run(&o, 1, scripts), BN_ERR);
  log_set_sink(NULL, NULL);
  assert_int_equal(o.out.n_attempts, 2);
  /* a "success" without any figure is an error, not a zero */
  assert_string_equal(o.out.attempts[1].error,
                      "the provider measured nothing");
  assert_true(orch_sql(&o, "SELECT count(*) FROM speedtests WHERE status < "
                           "0 AND download_bps IS NULL AND attempts = 2 AND "
                           "error = 'the provider measured nothing'") == 1);
  orch_free(&o);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_settings_defaults),
      cmocka_unit_test(test_settings_values),
      cmocka_unit_test(test_settings_errors),
      cmocka_unit_test(test_backoff),
      cmocka_unit_test(test_grade),
      cmocka_unit_test(test_first_try),
      cmocka_unit_test(test_retry_timeout_failover),
      cmocka_unit_test(test_all_fail),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
