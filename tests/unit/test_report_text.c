/*
 * test_report_text.c - the text reporter renders the report model of the
 * mini data set (tests/golden/report_mini.json, made by `bottleneck
 * report -f json` from tests/helpers/report_fixture --mini) byte for byte
 * as tests/golden/report_mini.txt; a model without data says why per
 * section; bad models and unwritable outputs fail with one clear line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mock_host.h"

extern const bn_plugin bn_plugin_descriptor;

static const bn_reporter_ops *ops(void)
{
  return bn_plugin_descriptor.ops;
}

static char *golden_model(void)
{
  size_t len = 0;
  char *text = mock_read_file(BN_GOLDEN_DIR "/report_mini.json", &len);

  assert_non_null(text);
  return text;
}

/* Render `model` into memory; returns the status. */
static int render_mem(mock_host *m, const char *model, char **text,
                      size_t *len)
{
  bn_report_request req;
  void *ctx = NULL;
  FILE *f;
  int rc;

  assert_int_equal(bn_plugin_descriptor.init(&m->base, &ctx), 0);
  f = open_memstream(text, len);
  assert_non_null(f);
  memset(&req, 0, sizeof(req));
  req.struct_size = sizeof(req);
  req.format = "text";
  req.run_id = 1;
  req.out = f;
  req.model_json = model;
  req.preset = "full";
  rc = ops()->render(ctx, &req);
  assert_int_equal(fclose(f), 0);
  bn_plugin_descriptor.destroy(ctx);
  return rc;
}

static void test_descriptor(void **state)
{
  const bn_plugin *p = &bn_plugin_descriptor;

  assert_int_equal(p->abi_major, BN_ABI_MAJOR);
  assert_int_equal(p->abi_minor, BN_ABI_MINOR);
  assert_string_equal(p->name, "text");
  assert_int_equal(p->kind, BN_KIND_REPORTER);
  assert_int_equal(ops()->struct_size, sizeof(bn_reporter_ops));
  assert_string_equal(p->options[0].name, "output");
  assert_string_equal(p->options[0].def, "-");
  assert_null(p->options[1].name); /* preset, redact: the host's keys */
  assert_string_equal(p->formats[0], "text");
  assert_null(p->formats[1]);
  assert_null(p->metrics);
}

static void test_golden(void **state)
{
  mock_host m;
  char *model = golden_model(), *text = NULL;
  size_t len = 0;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, NULL), 0);
  assert_int_equal(render_mem(&m, model, &text, &len), 0);
  assert_int_equal(
      mock_golden_diff(BN_GOLDEN_DIR, "report_mini.txt", text, len), 0);
  assert_int_equal(m.n_logs, 0);
  free(text);
  free(model);
  mock_host_free(&m);
}

/* Every section without data: each says why, in the model's order. */
static void test_empty(void **state)
{
  static const char model[] =
      "{\"meta\": {\"profile\": \"p\", \"host\": \"h\", \"since\": "
      "\"2026-11-20T00:00:00.000Z\", \"until\": \"2026-11-20T00:01:00.000Z\","
      " \"runs\": [3], \"preset\": \"full\"},"
      " \"sections\": [\"alerts\", \"summary\", \"speedtests\", \"paths\"],"
      " \"alerts\": {\"available\": true, \"counts\": {\"critical\": 0, "
      "\"warning\": 0, \"info\": 0}, \"items\": []},"
      " \"summary\": {\"available\": false, \"note\": \"no latency samples "
      "in this range\"},"
      " \"speedtests\": {\"available\": false, \"note\": \"no speed tests\"},"
      " \"paths\": {\"available\": false, \"note\": \"no traceroute\"}}";
  mock_host m;
  char *text = NULL;
  size_t len = 0;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, NULL), 0);
  assert_int_equal(render_mem(&m, model, &text, &len), 0);
  assert_string_equal(text,
                      "Bottleneck report: profile p, host h\n"
                      "2026-11-20 00:00:00 .. 2026-11-20 00:01:00 UTC, 1 run, "
                      "preset full\n"
                      "\n== Alerts ==\n0 critical, 0 warning, 0 info\n"
                      "\n== Summary ==\nno latency samples in this range\n"
                      "\n== Speed tests ==\nno speed tests\n"
                      "\n== Paths ==\nno traceroute\n");
  free(text);
  mock_host_free(&m);
}

static void test_bad_model(void **state)
{
  mock_host m;
  char *text = NULL;
  size_t len = 0;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, NULL), 0);
  assert_int_equal(render_mem(&m, "{\"meta\": [", &text, &len), BN_EINVAL);
  assert_int_equal(len, 0);
  assert_int_equal(m.n_logs, 1);
  assert_string_equal(m.logs[0].text,
                      "the report model does not parse as JSON");
  free(text);
  mock_host_free(&m);
}

/* output: a file, written through a temporary file and a rename. */
static void test_output_file(void **state)
{
  char dir[] = "/tmp/bn-text-XXXXXX";
  char path[256], path2[256], conf[300];
  char *model = golden_model(), *text;
  struct stat st;
  bn_report_request req;
  mock_host m;
  void *ctx = NULL;
  size_t len = 0;

  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/report.txt", dir);
  snprintf(conf, sizeof(conf), "output=%s", path);
  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, conf), 0);
  assert_int_equal(bn_plugin_descriptor.init(&m.base, &ctx), 0);
  memset(&req, 0, sizeof(req));
  req.struct_size = sizeof(req);
  req.format = "text";
  req.model_json = model;
  assert_int_equal(ops()->render(ctx, &req), 0);
  /* Render again: the file is replaced, not appended to. */
  assert_int_equal(ops()->render(ctx, &req), 0);
  /* A file named on the command line (-o) wins over the option. */
  snprintf(path2, sizeof(path2), "%s/cli.txt", dir);
  req.output = path2;
  assert_int_equal(ops()->render(ctx, &req), 0);
  assert_int_equal(stat(path2, &st), 0);
  assert_int_equal(unlink(path2), 0);
  bn_plugin_descriptor.destroy(ctx);
  text = mock_read_file(path, &len);
  assert_non_null(text);
  assert_int_equal(
      mock_golden_diff(BN_GOLDEN_DIR, "report_mini.txt", text, len), 0);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0644);
  free(text);
  free(model);
  unlink(path);
  assert_int_equal(rmdir(dir), 0); /* no temporary file left */
  mock_host_free(&m);
}

static void test_output_unwritable(void **state)
{
  char *model = golden_model();
  bn_report_request req;
  mock_host m;
  void *ctx = NULL;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor,
                                  "output=/nonexistent-bn-dir/r.txt"),
                   0);
  assert_int_equal(bn_plugin_descriptor.init(&m.base, &ctx), 0);
  memset(&req, 0, sizeof(req));
  req.struct_size = sizeof(req);
  req.format = "text";
  req.model_json = model;
  assert_int_equal(ops()->render(ctx, &req), BN_EIO);
  assert_int_equal(m.n_logs, 1);
  assert_string_equal(m.logs[0].text,
                      "cannot write report to '/nonexistent-bn-dir/r.txt': "
                      "No such file or directory");
  bn_plugin_descriptor.destroy(ctx);
  free(model);
  mock_host_free(&m);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_descriptor),
      cmocka_unit_test(test_golden),
      cmocka_unit_test(test_empty),
      cmocka_unit_test(test_bad_model),
      cmocka_unit_test(test_output_file),
      cmocka_unit_test(test_output_unwritable),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
