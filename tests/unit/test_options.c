/*
 * test_options.c - option validation against a plugin's table: each kind
 * of error with its exact line, every problem reported, defaults filled
 * in, and the --describe table.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"
#include "log.h"
#include "options.h"

/* The tcp probe's table, as the profiles use it. */
static const bn_option tcp_options[] = {
    {.name = "interval",
     .type = BN_OPT_DURATION,
     .def = "1s",
     .help = "time between probes",
     .min = 0.01,
     .max = 3600},
    {.name = "timeout",
     .type = BN_OPT_DURATION,
     .def = "1s",
     .help = "wait this long for a connect",
     .min = 0.001,
     .max = 60},
    {.name = "port",
     .type = BN_OPT_INT,
     .def = "0",
     .help = "port (0: the target's port)",
     .max = 65535},
    BN_OPTIONS_END};

/* One option of every type. */
static const bn_option all_options[] = {
    {.name = "label",
     .type = BN_OPT_STRING,
     .help = "a required label",
     .required = 1},
    {.name = "count",
     .type = BN_OPT_INT,
     .def = "3",
     .help = "how many",
     .min = 1,
     .max = 10},
    {.name = "ratio",
     .type = BN_OPT_DOUBLE,
     .def = "0.5",
     .help = "a fraction",
     .max = 1},
    {.name = "verbose",
     .type = BN_OPT_BOOL,
     .def = "false",
     .help = "say more"},
    {.name = "buffer",
     .type = BN_OPT_SIZE,
     .def = "64k",
     .help = "buffer size",
     .min = 1024,
     .max = 1048576},
    {.name = "hosts",
     .type = BN_OPT_LIST,
     .def = "[a, b]",
     .help = "extra hosts"},
    {.name = "headers",
     .type = BN_OPT_MAP,
     .def = "{x: 1}",
     .help = "extra headers"},
    {.name = "output",
     .type = BN_OPT_STRING,
     .def = "-",
     .help = "where to write"},
    {.name = "free", .type = BN_OPT_INT, .help = "no range, no default"},
    BN_OPTIONS_END};

static const char *const reserved[] = {"plugin", "name", "targets", "enabled",
                                       NULL};

#define MAX_LINES 16
static char lines[MAX_LINES][1024];
static int n_lines;

static void sink(bn_log_level level, const char *line, void *arg)
{
  (void)level;
  (void)arg;
  if (n_lines < MAX_LINES)
    snprintf(lines[n_lines], sizeof(lines[0]), "%s", line);
  n_lines++;
}

static int setup(void **state)
{
  (void)state;
  n_lines = 0;
  log_set_sink(sink, NULL);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  log_set_sink(NULL, NULL);
  return 0;
}

/* The map of the first probe of `text`. */
static bn_node *entry(const char *text, bn_node **root)
{
  char err[256] = "";

  if (conf_parse_string(text, "p.yaml", root, err, sizeof(err)) != 0)
    fail_msg("%s", err);
  return conf_get(*root, "probes")->items[0];
}

static void check_one(const bn_option *table, const char *text,
                      const char *want)
{
  bn_node *root = NULL, *map = entry(text, &root);

  n_lines = 0;
  assert_int_equal(options_validate(table, map, reserved, "tcp"), BN_EINVAL);
  if (n_lines != 1 || strcmp(lines[0], want) != 0)
    fail_msg("%d lines, first '%s', want '%s'", n_lines,
             n_lines ? lines[0] : "", want);
  conf_free(root);
}

/* A plugin's config struct, filled by the host from the table. */
typedef struct fill_cfg {
  const char *label;
  int64_t count;
  int small;
  double ratio;
  int verbose;
  int64_t interval_ns;
  uint64_t buffer;
  double rate;
  const bn_node *hosts;
} fill_cfg;

static const bn_option fill_options[] = {
    {.name = "label",
     .type = BN_OPT_STRING,
     .def = "x",
     BN_FIELD(fill_cfg, label)},
    {.name = "count",
     .type = BN_OPT_INT,
     .def = "3",
     BN_FIELD(fill_cfg, count)},
    {.name = "small",
     .type = BN_OPT_INT,
     .def = "-2",
     BN_FIELD(fill_cfg, small)},
    {.name = "ratio",
     .type = BN_OPT_DOUBLE,
     .def = "0.5",
     BN_FIELD(fill_cfg, ratio)},
    {.name = "verbose",
     .type = BN_OPT_BOOL,
     .def = "no",
     BN_FIELD(fill_cfg, verbose)},
    {.name = "interval",
     .type = BN_OPT_DURATION,
     .def = "250ms",
     BN_FIELD(fill_cfg, interval_ns)},
    {.name = "buffer",
     .type = BN_OPT_SIZE,
     .def = "8MiB",
     BN_FIELD(fill_cfg, buffer)},
    {.name = "rate",
     .type = BN_OPT_RATE,
     .def = "200M",
     BN_FIELD(fill_cfg, rate)},
    {.name = "hosts",
     .type = BN_OPT_LIST,
     .def = "[a, b]",
     BN_FIELD(fill_cfg, hosts)},
    {.name = "nofield", .type = BN_OPT_INT, .def = "7"},
    BN_OPTIONS_END,
};

static void test_fill_struct(void **state)
{
  bn_node *root = NULL;
  bn_node *map = entry("probes:\n  - count: 9\n    buffer: 64k\n"
                       "    verbose: yes\n    rate: 1.5Gbit\n",
                       &root);
  fill_cfg c;

  (void)state;
  memset(&c, 0, sizeof(c));
  assert_int_equal(options_validate(fill_options, map, NULL, "fill"), 0);
  assert_int_equal(options_fill(fill_options, map, &c, "fill"), 0);
  assert_string_equal(c.label, "x");
  assert_int_equal(c.count, 9);
  assert_int_equal(c.small, -2);
  assert_true(c.ratio == 0.5);
  assert_int_equal(c.verbose, 1);
  assert_int_equal(c.interval_ns, 250000000);
  assert_int_equal(c.buffer, 64000); /* SI k */
  assert_true(c.rate == 1.5e9);
  assert_int_equal(c.hosts->n_items, 2);
  conf_free(root);
}

/* A field whose size does not fit its type is the plugin's bug: one
 * line naming the plugin and the option, before anything is written. */
static void test_fill_bad_field(void **state)
{
  static const bn_option bad[] = {
      {.name = "interval",
       .type = BN_OPT_DURATION,
       .def = "1s",
       BN_FIELD(fill_cfg, small)},
      BN_OPTIONS_END,
  };

  (void)state;
  n_lines = 0;
  assert_int_equal(options_check_table(bad, "fill"), BN_EINVAL);
  assert_int_equal(n_lines, 1);
  assert_non_null(strstr(lines[0], "plugin 'fill': option 'interval'"));
}

static void test_valid_and_defaults(void **state)
{
  bn_node *root = NULL;
  bn_node *map = entry("probes:\n"
                       "  - plugin: tcp\n"
                       "    name: tcp-web\n"
                       "    targets: [web]\n"
                       "    enabled: true\n"
                       "    interval: 250ms\n",
                       &root);
  bn_node *n;

  (void)state;
  assert_int_equal(options_validate(tcp_options, map, reserved, "tcp"), 0);
  assert_int_equal(n_lines, 0);
  assert_string_equal(conf_scalar(conf_get(map, "interval")), "250ms");
  n = conf_get(map, "timeout");
  assert_non_null(n);
  assert_string_equal(conf_scalar(n), "1s");
  /* A default stands where the entry is, for later error messages. */
  assert_ptr_equal(n->file, map->file);
  assert_int_equal(n->line, map->line);
  assert_int_equal(n->col, map->col);
  assert_string_equal(conf_scalar(conf_get(map, "port")), "0");
  assert_int_equal(map->n_items, 7);
  /* Validating again changes nothing. */
  assert_int_equal(options_validate(tcp_options, map, reserved, "tcp"), 0);
  assert_int_equal(map->n_items, 7);
  conf_free(root);
}

static void test_defaults_of_every_type(void **state)
{
  bn_node *root = NULL;
  bn_node *map = entry("probes:\n  - label: x\n", &root);
  bn_node *n;

  (void)state;
  assert_int_equal(options_validate(all_options, map, NULL, "all"), 0);
  assert_int_equal(n_lines, 0);
  assert_string_equal(conf_scalar(conf_get(map, "count")), "3");
  assert_string_equal(conf_scalar(conf_get(map, "verbose")), "false");
  assert_string_equal(conf_scalar(conf_get(map, "buffer")), "64k");
  n = conf_get(map, "output");
  assert_string_equal(conf_scalar(n), "-");
  assert_int_equal(n->quoted, 1);
  n = conf_get(map, "hosts");
  assert_int_equal(n->type, CONF_LIST);
  assert_int_equal(n->n_items, 2);
  assert_string_equal(conf_scalar(n->items[1]), "b");
  assert_int_equal(n->items[1]->line, map->line);
  assert_ptr_equal(n->items[1]->file, map->file);
  n = conf_get(map, "headers");
  assert_int_equal(n->type, CONF_MAP);
  assert_string_equal(conf_scalar(conf_get(n, "x")), "1");
  assert_null(conf_get(map, "free"));
  conf_free(root);
}

static void test_unknown_option(void **state)
{
  (void)state;
  check_one(tcp_options, "probes:\n  - plugin: tcp\n    prot: 80\n",
            "error: p.yaml:3:5: plugin 'tcp': unknown option 'prot' (known: "
            "interval, timeout, port)");
  check_one(NULL, "probes:\n  - plugin: tcp\n    x: 1\n",
            "error: p.yaml:3:5: plugin 'tcp': unknown option 'x' (known: "
            "none)");
}

static void test_bad_types(void **state)
{
  static const struct {
    const char *yaml, *want;
  } cases[] = {
      {"interval: abc", "error: p.yaml:3:15: plugin 'tcp': option "
                        "'interval' expects a duration like 250ms or 2s, "
                        "got 'abc'"},
      {"interval: [1s]", "error: p.yaml:3:15: plugin 'tcp': option "
                         "'interval' expects a duration like 250ms or 2s, "
                         "got a list"},
      {"count: many", "error: p.yaml:3:12: plugin 'tcp': option 'count' "
                      "expects an integer, got 'many'"},
      {"ratio: half", "error: p.yaml:3:12: plugin 'tcp': option 'ratio' "
                      "expects a number, got 'half'"},
      {"verbose: maybe", "error: p.yaml:3:14: plugin 'tcp': option "
                         "'verbose' expects true or false, got 'maybe'"},
      {"buffer: big",
       "error: p.yaml:3:13: plugin 'tcp': option 'buffer' "
       "expects a size like 1500, 64k (SI) or 8MiB (IEC), got 'big'"},
      {"hosts: a", "error: p.yaml:3:12: plugin 'tcp': option 'hosts' "
                   "expects a list, got 'a'"},
      {"hosts: [a, {b: 1}]", "error: p.yaml:3:16: plugin 'tcp': option "
                             "'hosts' expects a list of values, got a map "
                             "in it"},
      {"headers: [x]", "error: p.yaml:3:14: plugin 'tcp': option 'headers' "
                       "expects a map, got a list"},
      {"output: {a: 1}", "error: p.yaml:3:13: plugin 'tcp': option "
                         "'output' expects a string, got a map"},
      {"free:", "error: p.yaml:3:10: plugin 'tcp': option 'free' expects "
                "an integer, got ''"},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char text[256];

    const bn_option *table =
        strncmp(cases[i].yaml, "interval", 8) == 0 ? tcp_options : all_options;

    snprintf(text, sizeof(text), "probes:\n  - %s\n    %s\n",
             table == tcp_options ? "plugin: tcp" : "label: x", cases[i].yaml);
    check_one(table, text, cases[i].want);
  }
}

static void test_ranges(void **state)
{
  static const struct {
    const bn_option *table;
    const char *yaml, *want;
  } cases[] = {
      {tcp_options, "interval: 2h",
       "error: p.yaml:3:15: plugin 'tcp': option 'interval' must be "
       "between 10ms and 1h, got 2h"},
      {tcp_options, "interval: 9ms",
       "error: p.yaml:3:15: plugin 'tcp': option 'interval' must be "
       "between 10ms and 1h, got 9ms"},
      {tcp_options, "timeout: 0",
       "error: p.yaml:3:14: plugin 'tcp': option 'timeout' must be "
       "between 1ms and 1m, got 0"},
      {tcp_options, "port: 70000",
       "error: p.yaml:3:11: plugin 'tcp': option 'port' must be between 0 "
       "and 65535, got 70000"},
      {tcp_options, "port: -1",
       "error: p.yaml:3:11: plugin 'tcp': option 'port' must be between 0 "
       "and 65535, got -1"},
      {all_options, "ratio: 1.5",
       "error: p.yaml:3:12: plugin 'tcp': option 'ratio' must be between 0 "
       "and 1, got 1.5"},
      {all_options, "buffer: 2M",
       "error: p.yaml:3:13: plugin 'tcp': option 'buffer' must be between "
       "1KiB and 1MiB, got 2M"},
      {all_options, "count: 0",
       "error: p.yaml:3:12: plugin 'tcp': option 'count' must be between 1 "
       "and 10, got 0"},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char text[256];

    snprintf(text, sizeof(text), "probes:\n  - %s\n    %s\n",
             cases[i].table == tcp_options ? "plugin: tcp" : "label: x",
             cases[i].yaml);
    check_one(cases[i].table, text, cases[i].want);
  }
  /* The bounds themselves are inside. */
  {
    bn_node *root = NULL;
    bn_node *map = entry("probes:\n  - interval: 10ms\n    timeout: 1m\n"
                         "    port: 65535\n",
                         &root);

    assert_int_equal(options_validate(tcp_options, map, reserved, "tcp"), 0);
    conf_free(root);
  }
}

static void test_missing_required(void **state)
{
  (void)state;
  check_one(all_options, "probes:\n  - plugin: all\n    count: 2\n",
            "error: p.yaml:2:5: plugin 'tcp': missing required option "
            "'label'");
}

static void test_reports_every_problem(void **state)
{
  bn_node *root = NULL;
  bn_node *map = entry("probes:\n"
                       "  - plugin: all\n"
                       "    cuont: 2\n"
                       "    ratio: 7\n"
                       "    verbose: yes\n"
                       "    buffer: 1\n",
                       &root);

  (void)state;
  assert_int_equal(options_validate(all_options, map, reserved, "all"),
                   BN_EINVAL);
  assert_int_equal(n_lines, 4);
  assert_string_equal(lines[0],
                      "error: p.yaml:3:5: plugin 'all': unknown option "
                      "'cuont' (known: label, count, ratio, verbose, "
                      "buffer, hosts, headers, output, free)");
  assert_string_equal(lines[1], "error: p.yaml:4:12: plugin 'all': option "
                                "'ratio' must be between 0 and 1, got 7");
  assert_string_equal(lines[2],
                      "error: p.yaml:6:13: plugin 'all': option "
                      "'buffer' must be between 1KiB and 1MiB, got 1");
  assert_string_equal(lines[3], "error: p.yaml:2:5: plugin 'all': missing "
                                "required option 'label'");
  conf_free(root);
}

static void test_not_a_map(void **state)
{
  bn_node *root = NULL;
  char err[128];

  (void)state;
  assert_int_equal(
      conf_parse_string("probes: [tcp]\n", "p.yaml", &root, err, 128), 0);
  assert_int_equal(options_validate(tcp_options,
                                    conf_get(root, "probes")->items[0],
                                    reserved, "tcp"),
                   BN_EINVAL);
  assert_int_equal(n_lines, 1);
  assert_string_equal(lines[0],
                      "error: p.yaml:1:10: plugin 'tcp': expected a map of "
                      "options");
  conf_free(root);
}

static void test_describe(void **state)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f;

  (void)state;
  f = open_memstream(&text, &len);
  options_describe(tcp_options, f);
  fclose(f);
  assert_string_equal(
      text, "OPTION    TYPE      DEFAULT  RANGE     DESCRIPTION\n"
            "interval  duration  1s       10ms..1h  time between probes\n"
            "timeout   duration  1s       1ms..1m   wait this long for a "
            "connect\n"
            "port      int       0        0..65535  port (0: the target's "
            "port)\n");
  free(text);

  f = open_memstream(&text, &len);
  options_describe(all_options, f);
  fclose(f);
  assert_string_equal(
      text, "OPTION   TYPE    DEFAULT     RANGE       DESCRIPTION\n"
            "label    string  (required)  -           a required label\n"
            "count    int     3           1..10       how many\n"
            "ratio    double  0.5         0..1        a fraction\n"
            "verbose  bool    false       -           say more\n"
            "buffer   size    64k         1KiB..1MiB  buffer size\n"
            "hosts    list    [a, b]      -           extra hosts\n"
            "headers  map     {x: 1}      -           extra headers\n"
            "output   string  -           -           where to write\n"
            "free     int     (none)      -           no range, no default\n");
  free(text);

  f = open_memstream(&text, &len);
  options_describe(NULL, f);
  fclose(f);
  assert_string_equal(text, "(no options)\n");
  free(text);
}

static void test_type_names(void **state)
{
  (void)state;
  assert_string_equal(options_type_name(BN_OPT_STRING), "string");
  assert_string_equal(options_type_name(BN_OPT_INT), "int");
  assert_string_equal(options_type_name(BN_OPT_DOUBLE), "double");
  assert_string_equal(options_type_name(BN_OPT_BOOL), "bool");
  assert_string_equal(options_type_name(BN_OPT_DURATION), "duration");
  assert_string_equal(options_type_name(BN_OPT_SIZE), "size");
  assert_string_equal(options_type_name(BN_OPT_LIST), "list");
  assert_string_equal(options_type_name(BN_OPT_MAP), "map");
  assert_string_equal(options_type_name((bn_opt_type)99), "unknown");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_valid_and_defaults, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_defaults_of_every_type, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_unknown_option, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_types, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ranges, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_required, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reports_every_problem, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_not_a_map, setup, teardown),
      cmocka_unit_test_setup_teardown(test_describe, setup, teardown),
      cmocka_unit_test(test_type_names),
      cmocka_unit_test_setup_teardown(test_fill_struct, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fill_bad_field, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
