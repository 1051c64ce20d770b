/*
 * test_report_json.c - the json reporter writes the report model it is
 * given (tests/golden/report_mini.json, the mini data set's model) back
 * byte for byte, indented or on one line, refuses a model that does not
 * parse, and reports an unwritable output in one line.
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

static const bn_reporter_ops *ops(void)
{
  return bn_plugin_descriptor.ops;
}

static char *golden_model(size_t *len)
{
  char *text = mock_read_file(BN_GOLDEN_DIR "/report_mini.json", len);

  assert_non_null(text);
  return text;
}

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
  req.format = "json";
  req.out = f;
  req.model_json = model;
  rc = ops()->render(ctx, &req);
  assert_int_equal(fclose(f), 0);
  bn_plugin_descriptor.destroy(ctx);
  return rc;
}

static void test_descriptor(void **state)
{
  const bn_plugin *p = &bn_plugin_descriptor;

  assert_int_equal(p->abi_major, BN_ABI_MAJOR);
  assert_string_equal(p->name, "json");
  assert_int_equal(p->kind, BN_KIND_REPORTER);
  assert_string_equal(p->options[0].name, "output");
  assert_string_equal(p->options[1].name, "pretty");
  assert_null(p->options[2].name); /* preset, redact: the host's keys */
  assert_string_equal(p->formats[0], "json");
  assert_null(p->formats[1]);
}

/* The model comes back as it went in (the host writes it the same way). */
static void test_golden(void **state)
{
  mock_host m;
  size_t glen = 0, len = 0;
  char *model = golden_model(&glen), *text = NULL;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, NULL), 0);
  assert_int_equal(render_mem(&m, model, &text, &len), 0);
  assert_int_equal(
      mock_golden_diff(BN_GOLDEN_DIR, "report_mini.json", text, len), 0);
  free(text);
  free(model);
  mock_host_free(&m);
}

/* pretty: false is one line that parses to the same document. */
static void test_one_line(void **state)
{
  mock_host m;
  size_t glen = 0, len = 0;
  char *model = golden_model(&glen), *text = NULL;
  json_object *a, *b;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, "pretty=false"),
                   0);
  assert_int_equal(render_mem(&m, model, &text, &len), 0);
  assert_non_null(strchr(text, '\n'));
  assert_ptr_equal(strchr(text, '\n'), text + len - 1);
  a = json_tokener_parse(text);
  b = json_tokener_parse(model);
  assert_non_null(a);
  assert_true(json_object_equal(a, b));
  json_object_put(a);
  json_object_put(b);
  free(text);
  free(model);
  mock_host_free(&m);
}

static void test_bad_model(void **state)
{
  mock_host m;
  char *text = NULL;
  size_t len = 0;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, NULL), 0);
  assert_int_equal(render_mem(&m, "not json", &text, &len), BN_EINVAL);
  assert_int_equal(len, 0);
  assert_int_equal(m.n_logs, 1);
  assert_string_equal(m.logs[0].text,
                      "the report model does not parse as JSON");
  free(text);
  mock_host_free(&m);
}

static void test_output_unwritable(void **state)
{
  size_t glen = 0;
  char *model = golden_model(&glen);
  bn_report_request req;
  mock_host m;
  void *ctx = NULL;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor,
                                  "output=/nonexistent-bn-dir/r.json"),
                   0);
  assert_int_equal(bn_plugin_descriptor.init(&m.base, &ctx), 0);
  memset(&req, 0, sizeof(req));
  req.struct_size = sizeof(req);
  req.format = "json";
  req.model_json = model;
  assert_int_equal(ops()->render(ctx, &req), BN_EIO);
  assert_int_equal(m.n_logs, 1);
  assert_string_equal(m.logs[0].text,
                      "cannot write report to '/nonexistent-bn-dir/r.json': "
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
      cmocka_unit_test(test_one_line),
      cmocka_unit_test(test_bad_model),
      cmocka_unit_test(test_output_unwritable),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
