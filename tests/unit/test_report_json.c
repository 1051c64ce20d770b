/*
 * test_report_json.c - the json reporter on the mock host's fixed data
 * set: byte for byte against tests/golden/report_json.json, and parsed
 * back with json-c to check types (null for NaN, integer *_ns).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>

#include "mock_host.h"

extern const bn_plugin bn_plugin_descriptor;

#define GOLDEN "report_json.json"

static const bn_reporter_ops *ops(void)
{
  return bn_plugin_descriptor.ops;
}

static int render_mem(mock_host *m, int64_t run_id, char **text, size_t *len)
{
  bn_report_request req;
  void *ctx = NULL;
  FILE *f;
  int rc;

  assert_int_equal(bn_plugin_descriptor.init(&m->base, &ctx), 0);
  f = open_memstream(text, len);
  assert_non_null(f);
  req.run_id = run_id;
  req.out = f;
  rc = ops()->render(ctx, &req);
  assert_int_equal(fclose(f), 0);
  bn_plugin_descriptor.destroy(ctx);
  return rc;
}

/* Member `key` of `o`, which must exist (it may be a JSON null). */
static json_object *member(json_object *o, const char *key)
{
  json_object *v = NULL;

  assert_true(json_object_object_get_ex(o, key, &v));
  return v;
}

static void test_descriptor(void **state)
{
  const bn_plugin *p = &bn_plugin_descriptor;

  assert_int_equal(p->abi_major, BN_ABI_MAJOR);
  assert_string_equal(p->name, "json");
  assert_int_equal(p->kind, BN_KIND_REPORTER);
  assert_string_equal(p->options[0].name, "output");
  assert_string_equal(p->options[0].def, "-");
  assert_string_equal(p->options[1].name, "pretty");
  assert_int_equal(p->options[1].type, BN_OPT_BOOL);
  assert_string_equal(p->options[1].def, "true");
  assert_null(p->options[2].name);
}

static void test_golden(void **state)
{
  mock_host m;
  char *text = NULL;
  size_t len = 0;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, NULL), 0);
  mock_golden_data(&m);
  assert_int_equal(render_mem(&m, 42, &text, &len), 0);
  assert_int_equal(mock_golden_diff(BN_GOLDEN_DIR, GOLDEN, text, len), 0);
  assert_int_equal(m.n_logs, 0);
  free(text);
  mock_host_free(&m);
}

/* The document's types and values, read back with json-c. */
static void test_structure(void **state)
{
  mock_host m;
  char *text = NULL;
  size_t len = 0;
  json_object *doc, *run, *series, *s, *ev;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, NULL), 0);
  mock_golden_data(&m);
  assert_int_equal(render_mem(&m, 42, &text, &len), 0);
  doc = json_tokener_parse(text);
  assert_non_null(doc);
  assert_string_equal(json_object_get_string(member(doc, "schema")),
                      "bottleneck.report.v1");
  run = member(doc, "run");
  assert_int_equal(json_object_get_int64(member(run, "id")), 42);
  assert_string_equal(json_object_get_string(member(run, "started")),
                      "2024-05-01T12:00:00.000Z");
  assert_true(json_object_is_type(member(run, "started_ns"), json_type_int));
  assert_int_equal(json_object_get_int64(member(run, "ended_ns")),
                   INT64_C(1714564860500000000));
  assert_string_equal(json_object_get_string(member(run, "ended")),
                      "2024-05-01T12:01:00.500Z");
  assert_int_equal(json_object_get_int(member(run, "exit_status")), 0);

  series = member(doc, "series");
  assert_int_equal(json_object_array_length(series), 3);
  s = json_object_array_get_idx(series, 1);
  assert_string_equal(json_object_get_string(member(s, "target")), "web");
  assert_int_equal(json_object_get_int64(member(s, "sent")), 60);
  assert_int_equal(json_object_get_int64(member(s, "lost")), 6);
  assert_int_equal(json_object_get_int64(member(s, "invalid")), 1);
  assert_true(json_object_get_double(member(s, "loss_pct")) == 10.0);
  assert_true(json_object_get_double(member(s, "p95")) == 41.2764);
  /* All lost: no statistic, so null rather than NaN. */
  s = json_object_array_get_idx(series, 2);
  assert_null(member(s, "min"));
  assert_null(member(s, "jitter"));
  assert_true(json_object_get_double(member(s, "loss_pct")) == 100.0);

  ev = member(doc, "events");
  assert_int_equal(json_object_array_length(ev), 2);
  assert_null(member(json_object_array_get_idx(ev, 0), "target"));
  s = json_object_array_get_idx(ev, 1);
  assert_string_equal(json_object_get_string(member(s, "target")), "web");
  assert_string_equal(json_object_get_string(member(s, "severity")),
                      "warning");
  assert_string_equal(json_object_get_string(member(s, "source")), "loss");
  assert_string_equal(json_object_get_string(member(s, "time")),
                      "2024-05-01T12:00:31.250Z");
  json_object_put(doc);
  free(text);
  mock_host_free(&m);
}

/* pretty: false gives one line holding the same document. */
static void test_compact(void **state)
{
  mock_host m;
  char *text = NULL, *golden;
  size_t len = 0;
  json_object *a, *b;
  char path[1024];

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "pretty=false"),
                   0);
  mock_golden_data(&m);
  assert_int_equal(render_mem(&m, 42, &text, &len), 0);
  assert_true(len > 2);
  assert_null(memchr(text, '\n', len - 1));
  assert_int_equal(text[len - 1], '\n');
  snprintf(path, sizeof(path), "%s/%s", BN_GOLDEN_DIR, GOLDEN);
  golden = mock_read_file(path, NULL);
  assert_non_null(golden);
  a = json_tokener_parse(text);
  b = json_tokener_parse(golden);
  assert_non_null(a);
  assert_non_null(b);
  assert_true(json_object_equal(a, b));
  json_object_put(a);
  json_object_put(b);
  free(golden);
  free(text);
  mock_host_free(&m);
}

static void test_unknown_run(void **state)
{
  mock_host m;
  char *text = NULL;
  size_t len = 0;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, NULL), 0);
  mock_golden_data(&m);
  assert_int_equal(render_mem(&m, 7, &text, &len), BN_ENOENT);
  assert_int_equal(len, 0);
  assert_int_equal(m.n_logs, 1);
  assert_string_equal(m.logs[0].text, "run 7 not found in the history store");
  free(text);
  mock_host_free(&m);
}

static void test_output_file(void **state)
{
  char dir[] = "/tmp/bn-json-XXXXXX";
  char path[256], conf[300];
  bn_report_request req = {.run_id = 42};
  mock_host m;
  void *ctx = NULL;
  char *text;
  size_t len = 0;

  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/report.json", dir);
  snprintf(conf, sizeof(conf), "output=%s", path);
  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, conf), 0);
  mock_golden_data(&m);
  assert_int_equal(bn_plugin_descriptor.init(&m.base, &ctx), 0);
  assert_int_equal(ops()->render(ctx, &req), 0);
  bn_plugin_descriptor.destroy(ctx);
  text = mock_read_file(path, &len);
  assert_non_null(text);
  assert_int_equal(mock_golden_diff(BN_GOLDEN_DIR, GOLDEN, text, len), 0);
  free(text);
  unlink(path);
  assert_int_equal(rmdir(dir), 0); /* empty: no temporary file left */
  mock_host_free(&m);
}

static void test_bad_options(void **state)
{
  mock_host m;
  void *ctx = NULL;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "output="), 0);
  assert_int_equal(bn_plugin_descriptor.init(&m.base, &ctx), BN_EINVAL);
  assert_null(ctx);
  assert_string_equal(m.logs[0].text,
                      "mock.yaml:1:3: output must not be empty; use \"-\" "
                      "for standard output");
  mock_host_free(&m);
  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "pretty=maybe"),
                   0);
  assert_int_equal(bn_plugin_descriptor.init(&m.base, &ctx), BN_EINVAL);
  assert_null(ctx);
  mock_host_free(&m);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_descriptor),  cmocka_unit_test(test_golden),
      cmocka_unit_test(test_structure),   cmocka_unit_test(test_compact),
      cmocka_unit_test(test_unknown_run), cmocka_unit_test(test_output_file),
      cmocka_unit_test(test_bad_options),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
