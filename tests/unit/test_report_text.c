/*
 * test_report_text.c - the text reporter on the mock host's fixed data
 * set, compared byte for byte with tests/golden/report_text.txt.
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

#define GOLDEN "report_text.txt"

static const bn_reporter_ops *ops(void)
{
  return bn_plugin_descriptor.ops;
}

/* Render run `run_id` into memory; returns the status. */
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

/* Entries of a directory other than "." and "..". */
static size_t dir_entries(const char *path)
{
  DIR *d = opendir(path);
  struct dirent *e;
  size_t n = 0;

  assert_non_null(d);
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      n++;
  closedir(d);
  return n;
}

static void test_descriptor(void **state)
{
  const bn_plugin *p = &bn_plugin_descriptor;

  assert_int_equal(p->abi_major, BN_ABI_MAJOR);
  assert_int_equal(p->struct_size, sizeof(bn_plugin));
  assert_string_equal(p->name, "text");
  assert_int_equal(p->kind, BN_KIND_REPORTER);
  assert_int_equal(ops()->struct_size, sizeof(bn_reporter_ops));
  assert_string_equal(p->options[0].name, "output");
  assert_int_equal(p->options[0].type, BN_OPT_STRING);
  assert_string_equal(p->options[0].def, "-");
  assert_null(p->options[1].name);
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
  assert_int_equal(m.last_query_run, 42);
  assert_int_equal(m.n_logs, 0);
  free(text);
  mock_host_free(&m);
}

/* Run 0 means the last run: the queries then use the id it has. */
static void test_last_run(void **state)
{
  mock_host m;
  char *text = NULL;
  size_t len = 0;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, NULL), 0);
  mock_golden_data(&m);
  assert_int_equal(render_mem(&m, 0, &text, &len), 0);
  assert_int_equal(m.last_query_run, 42);
  assert_int_equal(mock_golden_diff(BN_GOLDEN_DIR, GOLDEN, text, len), 0);
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
  assert_int_equal(m.logs[0].level, BN_LOG_ERROR);
  assert_string_equal(m.logs[0].text, "run 7 not found in the history store");
  free(text);
  mock_host_free(&m);
}

/* A run still going, with nothing stored yet. */
static void test_empty_run(void **state)
{
  mock_host m;
  char *text = NULL;
  size_t len = 0;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, NULL), 0);
  mock_golden_data(&m);
  m.run.ended_ns = 0;
  m.run.exit_status = -1;
  m.n_series = 0;
  m.n_events = 0;
  assert_int_equal(render_mem(&m, 42, &text, &len), 0);
  assert_string_equal(text,
                      "Bottleneck report \xe2\x80\x94 profile lab, run 42\n"
                      "host testhost, started 2024-05-01T12:00:00Z, "
                      "duration - (still running)\n"
                      "\n"
                      "no samples in this run\n");
  free(text);
  mock_host_free(&m);
}

/* output: a file, written through a temporary file and a rename. */
static void test_output_file(void **state)
{
  char dir[] = "/tmp/bn-text-XXXXXX";
  char path[256], conf[300];
  struct stat st;
  bn_report_request req = {.run_id = 42};
  mock_host m;
  void *ctx = NULL;
  char *text;
  size_t len = 0;

  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/report.txt", dir);
  snprintf(conf, sizeof(conf), "output=%s", path);
  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor, conf), 0);
  mock_golden_data(&m);
  assert_int_equal(bn_plugin_descriptor.init(&m.base, &ctx), 0);
  assert_int_equal(ops()->render(ctx, &req), 0);
  /* Render again: the file is replaced, not appended to. */
  assert_int_equal(ops()->render(ctx, &req), 0);
  bn_plugin_descriptor.destroy(ctx);
  text = mock_read_file(path, &len);
  assert_non_null(text);
  assert_int_equal(mock_golden_diff(BN_GOLDEN_DIR, GOLDEN, text, len), 0);
  assert_int_equal(dir_entries(dir), 1); /* no temporary file left */
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0644);
  free(text);
  unlink(path);
  rmdir(dir);
  mock_host_free(&m);
}

static void test_output_unwritable(void **state)
{
  bn_report_request req = {.run_id = 42};
  mock_host m;
  void *ctx = NULL;

  assert_int_equal(mock_host_init(&m, &bn_plugin_descriptor,
                                  "output=/nonexistent-bn-dir/r.txt"),
                   0);
  mock_golden_data(&m);
  assert_int_equal(bn_plugin_descriptor.init(&m.base, &ctx), 0);
  assert_int_equal(ops()->render(ctx, &req), BN_EIO);
  assert_int_equal(m.n_logs, 1);
  assert_string_equal(m.logs[0].text,
                      "cannot write report to '/nonexistent-bn-dir/r.txt': "
                      "No such file or directory");
  bn_plugin_descriptor.destroy(ctx);
  mock_host_free(&m);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_descriptor),
      cmocka_unit_test(test_golden),
      cmocka_unit_test(test_last_run),
      cmocka_unit_test(test_unknown_run),
      cmocka_unit_test(test_empty_run),
      cmocka_unit_test(test_output_file),
      cmocka_unit_test(test_output_unwritable),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
