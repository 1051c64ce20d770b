/*
 * test_remote_write.c - the remote_write exporter's pieces
 * (plugins/exporter-remote-write): label sets, the WriteRequest body
 * decoded back with protobuf-c and snappy, the mapping of samples to
 * points, and the sqlite queue (bound, drop-oldest, the batch in flight,
 * persistence across reopen, a file that is no queue).
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
#include <unistd.h>

#include <cmocka.h>
#include <snappy-c.h>

#include "remote.pb-c.h"
#include "rw_encode.h"
#include "rw_map.h"
#include "rw_queue.h"

static void pack(rw_labels *l, const char *name, const char *target)
{
  const char *kv[] = {"target", target, "agent", "a1", "__name__", name};

  assert_int_equal(rw_labels_pack(kv, 3, l), 0);
}

static void test_labels_sorted(void **state)
{
  rw_labels l;
  static const char want[] = "__name__\0m\0agent\0a1\0target\0t\0";

  (void)state;
  pack(&l, "m", "t");
  assert_int_equal(l.len, sizeof(want) - 1);
  assert_memory_equal(l.data, want, l.len);
  free(l.data);
}

/* Decode a body as a receiver does. */
static Prometheus__WriteRequest *decode(const char *body, size_t len)
{
  size_t raw_len = 0;
  char *raw;
  Prometheus__WriteRequest *r;

  assert_int_equal(snappy_uncompressed_length(body, len, &raw_len), SNAPPY_OK);
  raw = malloc(raw_len ? raw_len : 1);
  assert_non_null(raw);
  assert_int_equal(snappy_uncompress(body, len, raw, &raw_len), SNAPPY_OK);
  r = prometheus__write_request__unpack(NULL, raw_len, (uint8_t *)raw);
  free(raw);
  assert_non_null(r);
  return r;
}

static void test_encode_roundtrip(void **state)
{
  rw_labels a, b;
  rw_point p[5];
  char *body = NULL;
  size_t len = 0, raw = 0, i;
  Prometheus__WriteRequest *r;

  (void)state;
  pack(&a, "bottleneck_latency_last_seconds", "dns1");
  pack(&b, "bottleneck_probe_success", "dns\xc3\xa9");
  for (i = 0; i < 5; i++) {
    p[i].labels = i < 3 ? a.data : b.data;
    p[i].labels_len = i < 3 ? a.len : b.len;
    p[i].ts_ms = 1764860000000 + (int64_t)i * 250;
    p[i].value = i < 3 ? 0.0125 * (double)(i + 1) : (double)(i % 2);
  }
  assert_int_equal(rw_encode(p, 5, &body, &len, &raw), 0);
  assert_true(len > 0 && raw > 0);
  r = decode(body, len);
  assert_int_equal(r->n_timeseries, 2);
  assert_int_equal(r->timeseries[0]->n_labels, 3);
  assert_string_equal(r->timeseries[0]->labels[0]->name, "__name__");
  assert_string_equal(r->timeseries[0]->labels[0]->value,
                      "bottleneck_latency_last_seconds");
  assert_string_equal(r->timeseries[0]->labels[1]->name, "agent");
  assert_string_equal(r->timeseries[0]->labels[1]->value, "a1");
  assert_string_equal(r->timeseries[0]->labels[2]->name, "target");
  assert_string_equal(r->timeseries[0]->labels[2]->value, "dns1");
  assert_string_equal(r->timeseries[1]->labels[2]->value, "dns\xc3\xa9");
  assert_int_equal(r->timeseries[0]->n_samples, 3);
  assert_int_equal(r->timeseries[1]->n_samples, 2);
  for (i = 0; i < 3; i++) {
    assert_true(r->timeseries[0]->samples[i]->value == p[i].value);
    assert_int_equal(r->timeseries[0]->samples[i]->timestamp, p[i].ts_ms);
  }
  for (i = 0; i < 2; i++) {
    assert_true(r->timeseries[1]->samples[i]->value == p[3 + i].value);
    assert_int_equal(r->timeseries[1]->samples[i]->timestamp, p[3 + i].ts_ms);
  }
  prometheus__write_request__free_unpacked(r, NULL);
  free(body);

  /* nothing to send is an empty, valid request */
  assert_int_equal(rw_encode(p, 0, &body, &len, NULL), 0);
  r = decode(body, len);
  assert_int_equal(r->n_timeseries, 0);
  prometheus__write_request__free_unpacked(r, NULL);
  free(body);

  /* a label set that is not whole pairs is refused */
  p[0].labels = "__name__\0m\0agent";
  p[0].labels_len = 17;
  assert_int_equal(rw_encode(p, 1, &body, &len, NULL), -1);
  free(a.data);
  free(b.data);
}

static void test_map(void **state)
{
  bn_metric lat = {.name = "rtt_ms", .unit = "ms", .role = BN_ROLE_LATENCY};
  bn_metric loss = {
      .name = "loss_pct", .unit = "percent", .role = BN_ROLE_LOSS};
  bn_metric odd = {.name = "hops", .unit = "1", .role = BN_ROLE_COUNT};
  bn_metric badunit = {
      .name = "x", .unit = "furlong", .role = BN_ROLE_LATENCY};
  bn_sample s = {BN_INIT(bn_sample), .target = "t", .value = 12.5};
  rw_mapped m[RW_MAP_MAX];

  (void)state;
  assert_int_equal(rw_map_sample(&lat, &s, m), 2);
  assert_string_equal(m[0].name, "bottleneck_probe_success");
  assert_true(m[0].value == 1);
  assert_string_equal(m[1].name, "bottleneck_latency_last_seconds");
  assert_true(fabs(m[1].value - 0.0125) < 1e-15);
  s.flags = BN_SAMPLE_LOST;
  s.value = BN_NOT_MEASURED;
  assert_int_equal(rw_map_sample(&lat, &s, m), 1);
  assert_true(m[0].value == 0);
  s.flags = BN_SAMPLE_LATE;
  s.value = 3;
  assert_int_equal(rw_map_sample(&lat, &s, m), 0);
  s.flags = BN_SAMPLE_INVALID;
  assert_int_equal(rw_map_sample(&lat, &s, m), 0);
  s.flags = 0;
  s.value = 25;
  assert_int_equal(rw_map_sample(&loss, &s, m), 1);
  assert_string_equal(m[0].name, "bottleneck_loss_ratio");
  assert_true(fabs(m[0].value - 0.25) < 1e-15);
  assert_int_equal(rw_map_sample(&odd, &s, m), 1);
  assert_string_equal(m[0].name, "bottleneck_metric_value");
  assert_true(m[0].role_unit && m[0].value == 25);
  assert_int_equal(rw_map_sample(&badunit, &s, m), 1);
  assert_string_equal(m[0].name, "bottleneck_metric_value");
}

static char *tmp_path(void)
{
  char *p = strdup("/tmp/test_rw_queueXXXXXX");
  int fd;

  assert_non_null(p);
  fd = mkstemp(p);
  assert_true(fd >= 0);
  close(fd);
  unlink(p);
  return p;
}

static void rm_queue(const char *p)
{
  char w[300];

  unlink(p);
  snprintf(w, sizeof(w), "%s-wal", p);
  unlink(w);
  snprintf(w, sizeof(w), "%s-shm", p);
  unlink(w);
}

static rw_queue *open_q(const char *path, uint64_t max)
{
  char err[300];
  rw_queue *q = rw_queue_open(path, max, err, sizeof(err));

  if (!q)
    fail_msg("rw_queue_open: %s", err);
  return q;
}

static void add_n(rw_queue *q, const rw_labels *l, int from, int n)
{
  int i;

  for (i = from; i < from + n; i++)
    assert_int_equal(rw_queue_add(q, l, 1000 + i, (double)i), 0);
}

static void test_queue_bound(void **state)
{
  char *path = tmp_path();
  rw_queue *q = open_q(path, 100);
  rw_labels l;
  rw_batch b;
  size_t i;

  (void)state;
  pack(&l, "m", "t");
  assert_int_equal(rw_queue_peek(q, 10, &b), 0); /* empty: nothing held */
  assert_null(b.pts);
  add_n(q, &l, 0, 250);
  assert_int_equal(rw_queue_len(q), 250);
  assert_int_equal(rw_queue_commit(q, 0), 150);
  assert_int_equal(rw_queue_len(q), 100);
  assert_int_equal(rw_queue_dropped(q), 150);
  /* the oldest went: 150..249 are left, in order */
  assert_int_equal(rw_queue_peek(q, 1000, &b), 100);
  for (i = 0; i < b.n; i++) {
    assert_true(b.pts[i].value == (double)(150 + i));
    assert_int_equal(b.pts[i].ts_ms, 1150 + (int64_t)i);
    assert_int_equal(b.pts[i].labels_len, l.len);
  }
  rw_batch_free(&b);

  /* a batch in flight (the 10 oldest) is not dropped: the next oldest are */
  assert_int_equal(rw_queue_peek(q, 10, &b), 10);
  add_n(q, &l, 250, 20);
  assert_int_equal(rw_queue_commit(q, b.last_id), 20);
  assert_int_equal(rw_queue_len(q), 100);
  assert_int_equal(rw_queue_ack(q, b.last_id), 0);
  rw_batch_free(&b);
  assert_int_equal(rw_queue_len(q), 90);
  assert_int_equal(rw_queue_peek(q, 1, &b), 1);
  assert_true(b.pts[0].value == 180.0); /* 150..159 sent, 160..179 dropped */
  rw_batch_free(&b);
  rw_queue_close(q);
  free(l.data);
  rm_queue(path);
  free(path);
}

static void test_queue_persist(void **state)
{
  char *path = tmp_path();
  rw_queue *q = open_q(path, 1000);
  rw_labels a, c;
  rw_batch b;
  int i;

  (void)state;
  pack(&a, "m", "a");
  pack(&c, "m", "c");
  for (i = 0; i < 30; i++) /* interleaved series */
    assert_int_equal(rw_queue_add(q, i % 2 ? &c : &a, i, (double)i), 0);
  assert_int_equal(rw_queue_commit(q, 0), 0);
  rw_queue_close(q);

  q = open_q(path, 20); /* reopened with a smaller bound */
  assert_int_equal(rw_queue_len(q), 30);
  /* grouped by series, each oldest first */
  assert_int_equal(rw_queue_peek(q, 30, &b), 30);
  for (i = 0; i < 30; i++) {
    const rw_labels *want = i < 15 ? &a : &c;

    assert_int_equal(b.pts[i].labels_len, want->len);
    assert_memory_equal(b.pts[i].labels, want->data, want->len);
    assert_true(b.pts[i].value == (double)(i < 15 ? 2 * i : 2 * (i - 15) + 1));
  }
  rw_batch_free(&b);
  assert_int_equal(rw_queue_commit(q, 0), 10);
  rw_queue_close(q);

  q = open_q(path, 20);
  assert_int_equal(rw_queue_len(q), 20);
  assert_int_equal(rw_queue_dropped(q), 10); /* the count survives */
  assert_int_equal(rw_queue_peek(q, 5, &b), 5);
  assert_true(b.pts[0].value == 10.0);
  assert_int_equal(rw_queue_ack(q, b.last_id), 0);
  rw_batch_free(&b);
  rw_queue_close(q);
  q = open_q(path, 20);
  assert_int_equal(rw_queue_len(q), 15);
  {
    /* held while open: a second user is refused with a clear reason */
    char err[300];

    assert_null(rw_queue_open(path, 20, err, sizeof(err)));
    assert_non_null(strstr(err, "is in use by another run"));
  }
  rw_queue_close(q);
  free(a.data);
  free(c.data);
  rm_queue(path);
  free(path);
}

static void test_queue_not_a_queue(void **state)
{
  char *path = tmp_path();
  char err[300];
  FILE *f = fopen(path, "w");

  (void)state;
  assert_non_null(f);
  fputs("this is no sqlite database, it is plain text, long enough\n", f);
  fclose(f);
  assert_null(rw_queue_open(path, 100, err, sizeof(err)));
  assert_non_null(strstr(err, path));
  rm_queue(path);
  assert_null(rw_queue_open("/nonexistent-dir/q.db", 100, err, sizeof(err)));
  assert_non_null(strstr(err, "/nonexistent-dir/q.db"));
  free(path);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_labels_sorted),
      cmocka_unit_test(test_encode_roundtrip),
      cmocka_unit_test(test_map),
      cmocka_unit_test(test_queue_bound),
      cmocka_unit_test(test_queue_persist),
      cmocka_unit_test(test_queue_not_a_queue),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
