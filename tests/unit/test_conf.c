/*
 * test_conf.c - the configuration tree: YAML reading with positions and
 * exact error lines, typed scalar parsing, merge rules and dump round
 * trips.
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

#ifndef BN_TEST_SRCDIR
#define BN_TEST_SRCDIR "."
#endif

static const char *srcdir(void)
{
  const char *s = getenv("BN_TOP_SRCDIR");

  return s && *s ? s : BN_TEST_SRCDIR;
}

static bn_node *parse_ok(const char *text)
{
  char err[512] = "";
  bn_node *n = NULL;
  int rc = conf_parse_string(text, "t.yaml", &n, err, sizeof(err));

  if (rc != 0)
    fail_msg("unexpected parse error: %s", err);
  assert_non_null(n);
  return n;
}

/* Dump into a malloc'd string. */
static char *dump_str(const bn_node *n)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);

  assert_non_null(f);
  conf_dump(n, f);
  fclose(f);
  return text;
}

static void assert_dump(const bn_node *n, const char *want)
{
  char *got = dump_str(n);

  assert_string_equal(got, want);
  free(got);
}

/* Same shape, keys, text and quoting. */
static int tree_equal(const bn_node *a, const bn_node *b)
{
  size_t i;

  if (a->type != b->type || a->n_items != b->n_items ||
      (a->key == NULL) != (b->key == NULL))
    return 0;
  if (a->key && strcmp(a->key, b->key) != 0)
    return 0;
  if (a->type == CONF_SCALAR &&
      (strcmp(a->value, b->value) != 0 || a->quoted != b->quoted))
    return 0;
  for (i = 0; i < a->n_items; i++)
    if (!tree_equal(a->items[i], b->items[i]))
      return 0;
  return 1;
}

static void test_parse_positions(void **state)
{
  bn_node *root = parse_ok("# a profile\n"
                           "name: lab\n"
                           "targets:\n"
                           "  - name: web\n"
                           "    port: 8080\n"
                           "    tags: [loopback, \"v4\"]\n"
                           "empty:\n"
                           "flow: {a: 1}\n");
  bn_node *n, *t;

  (void)state;
  assert_int_equal(root->type, CONF_MAP);
  assert_int_equal(root->n_items, 4);
  assert_int_equal(root->line, 2);
  assert_int_equal(root->col, 1);

  n = conf_get(root, "name");
  assert_string_equal(conf_scalar(n), "lab");
  assert_int_equal(n->line, 2);
  assert_int_equal(n->col, 7);
  assert_int_equal(n->key_line, 2);
  assert_int_equal(n->key_col, 1);
  assert_int_equal(n->quoted, 0);

  n = conf_get(root, "targets");
  assert_int_equal(n->type, CONF_LIST);
  assert_int_equal(n->key_line, 3);
  assert_int_equal(n->n_items, 1);
  t = n->items[0];
  assert_null(t->key);
  assert_int_equal(t->type, CONF_MAP);
  assert_int_equal(t->line, 4);
  assert_int_equal(t->col, 5);
  n = conf_get(t, "port");
  assert_string_equal(conf_scalar(n), "8080");
  assert_int_equal(n->line, 5);
  assert_int_equal(n->col, 11);
  assert_int_equal(n->key_col, 5);
  n = conf_get(t, "tags");
  assert_int_equal(n->type, CONF_LIST);
  assert_int_equal(n->line, 6);
  assert_int_equal(n->col, 11);
  assert_int_equal(n->items[1]->col, 22);
  assert_int_equal(n->items[0]->quoted, 0);
  assert_int_equal(n->items[1]->quoted, 1);

  n = conf_get(root, "empty");
  assert_int_equal(n->type, CONF_SCALAR);
  assert_string_equal(n->value, "");
  assert_null(conf_get(root, "nope"));
  assert_null(conf_scalar(conf_get(root, "flow")));
  conf_free(root);
}

static void test_parse_interned_file(void **state)
{
  bn_node *a = parse_ok("x: {y: [1, 2]}\n");
  bn_node *b = parse_ok("z: 1\n");
  bn_node *x = conf_get(a, "x");

  (void)state;
  assert_string_equal(a->file, "t.yaml");
  /* One copy of the name, shared by every node, even across trees. */
  assert_ptr_equal(a->file, x->file);
  assert_ptr_equal(a->file, conf_get(x, "y")->items[1]->file);
  assert_ptr_equal(a->file, b->file);
  conf_free(a);
  conf_free(b);
}

static void test_parse_errors(void **state)
{
  static const struct {
    const char *text, *err;
  } cases[] = {
      {"", "t.yaml:1:1: empty profile"},
      {"# nothing but a comment\n\n", "t.yaml:1:1: empty profile"},
      {"---\n", "t.yaml:1:1: empty profile"},
      {"- a\n- b\n", "t.yaml:1:1: the document root must be a map of "
                     "'key: value' lines, got a list"},
      {"just text\n", "t.yaml:1:1: the document root must be a map of "
                      "'key: value' lines, got a scalar"},
      {"a: 1\nb: 2\na: 3\n",
       "t.yaml:3:1: duplicate key 'a' (first at line 1, column 1)"},
      {"m:\n  k: 1\n  k: 2\n",
       "t.yaml:3:3: duplicate key 'k' (first at line 2, column 3)"},
      {"a: &x 1\nb: 2\n", "t.yaml:1:4: YAML anchors ('&x') are not "
                          "supported; write the value out"},
      {"a: 1\nb: *x\n", "t.yaml:2:4: YAML aliases ('*x') are not "
                        "supported; write the value out"},
      {"l: &anchor [1]\n", "t.yaml:1:4: YAML anchors ('&anchor') are not "
                           "supported; write the value out"},
      {"a: [1, 2\n", "t.yaml:2:1: did not find expected ',' or ']'"},
      {"a:\n\tb: c\n", "t.yaml:2:1: found character that cannot start "
                       "any token"},
      {"a: b\n  c: d\n",
       "t.yaml:2:4: mapping values are not allowed in this context"},
      {"a: \"open\n", "t.yaml:2:1: found unexpected end of stream"},
      {"a: b\n---\nc: d\n", "t.yaml:2:1: more than one YAML document; a "
                            "profile is one document"},
      {"{a: 1}: x\n", "t.yaml:1:1: a map key must be a plain value"},
      {"a: \"x\\0y\"\n", "t.yaml:1:4: NUL character in a value"},
      {"a: \"x\\ey\"\n", "t.yaml:1:4: control character 0x1b in a value; "
                         "remove it (write it out in words if it is meant)"},
      {"a:\n  - \"\\r\"\n", "t.yaml:2:5: control character 0x0d in a "
                            "value; remove it (write it out in words if it "
                            "is meant)"},
      {"\"k\\a\": 1\n", "t.yaml:1:1: control character 0x07 in a value; "
                        "remove it (write it out in words if it is meant)"},
      {"a: \"\\x7f\"\n", "t.yaml:1:4: control character 0x7f in a value; "
                         "remove it (write it out in words if it is meant)"},
      {"a: 'x\xff'\n", "t.yaml:1:6: invalid leading UTF-8 octet"},
  };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char err[512] = "";
    bn_node *n = (bn_node *)1;
    int rc = conf_parse_string(cases[i].text, "t.yaml", &n, err, sizeof(err));

    if (rc != BN_EINVAL || strcmp(err, cases[i].err) != 0)
      fail_msg("case %zu: rc %d, err '%s', want '%s'", i, rc, err,
               cases[i].err);
    assert_null(n);
  }
}

static void test_parse_nesting_limit(void **state)
{
  char text[512], err[256] = "";
  bn_node *n = NULL;
  size_t used = 0;
  int i;

  (void)state;
  used += (size_t)snprintf(text, sizeof(text), "a: ");
  for (i = 0; i < 70; i++)
    text[used++] = '[';
  text[used] = '\0';
  assert_int_equal(conf_parse_string(text, "deep.yaml", &n, err, sizeof(err)),
                   BN_EINVAL);
  assert_string_equal(err, "deep.yaml:1:67: nesting deeper than 64 levels");
}

static void test_parse_file(void **state)
{
  char path[1024], want[1200], err[1200] = "";
  bn_node *n = NULL;

  (void)state;
  snprintf(path, sizeof(path), "%s/tests/fixtures/profiles/bad-syntax.yaml",
           srcdir());
  assert_int_equal(conf_parse_file(path, &n, err, sizeof(err)), BN_EINVAL);
  snprintf(want, sizeof(want), "%s:5:4: did not find expected '-' indicator",
           path);
  assert_string_equal(err, want);
  assert_null(n);

  snprintf(path, sizeof(path), "%s/tests/fixtures/profiles/empty.yaml",
           srcdir());
  assert_int_equal(conf_parse_file(path, &n, err, sizeof(err)), BN_EINVAL);
  snprintf(want, sizeof(want), "%s:1:1: empty profile", path);
  assert_string_equal(err, want);

  snprintf(path, sizeof(path), "%s/tests/fixtures/profiles/minimal.yaml",
           srcdir());
  assert_int_equal(conf_parse_file(path, &n, err, sizeof(err)), 0);
  assert_string_equal(n->file, path);
  assert_string_equal(conf_scalar(conf_get(n, "name")), "minimal");
  conf_free(n);

  assert_int_equal(
      conf_parse_file("/nonexistent/x.yaml", &n, err, sizeof(err)), BN_ENOENT);
  assert_string_equal(err, "/nonexistent/x.yaml: cannot open: No such file or "
                           "directory");
}

static void test_parse_int(void **state)
{
  int64_t v = -1;

  (void)state;
  assert_int_equal(conf_parse_int("42", &v), 0);
  assert_int_equal(v, 42);
  assert_int_equal(conf_parse_int("-7", &v), 0);
  assert_int_equal(v, -7);
  assert_int_equal(conf_parse_int("+3", &v), 0);
  assert_int_equal(v, 3);
  assert_int_equal(conf_parse_int("9223372036854775807", &v), 0);
  assert_true(v == INT64_MAX);
  assert_int_equal(conf_parse_int("9223372036854775808", &v), BN_EINVAL);
  assert_int_equal(conf_parse_int("", &v), BN_EINVAL);
  assert_int_equal(conf_parse_int(" 1", &v), BN_EINVAL);
  assert_int_equal(conf_parse_int("1 ", &v), BN_EINVAL);
  assert_int_equal(conf_parse_int("1x", &v), BN_EINVAL);
  assert_int_equal(conf_parse_int("1.0", &v), BN_EINVAL);
  assert_int_equal(conf_parse_int(NULL, &v), BN_EINVAL);
}

static void test_parse_double(void **state)
{
  double d = 0;

  (void)state;
  assert_int_equal(conf_parse_double("1.5", &d), 0);
  assert_true(d == 1.5);
  assert_int_equal(conf_parse_double("-2e3", &d), 0);
  assert_true(d == -2000.0);
  assert_int_equal(conf_parse_double("7", &d), 0);
  assert_true(d == 7.0);
  assert_int_equal(conf_parse_double("nan", &d), BN_EINVAL);
  assert_int_equal(conf_parse_double("inf", &d), BN_EINVAL);
  assert_int_equal(conf_parse_double("0x10", &d), BN_EINVAL);
  assert_int_equal(conf_parse_double("1e999", &d), BN_EINVAL);
  assert_int_equal(conf_parse_double("", &d), BN_EINVAL);
  assert_int_equal(conf_parse_double("1.5s", &d), BN_EINVAL);
}

static void test_parse_bool(void **state)
{
  static const char *const yes[] = {"true", "True", "yes", "on", "ON"};
  static const char *const no[] = {"false", "FALSE", "no", "off", "Off"};
  static const char *const bad[] = {"", "1", "0", "y", "n", "tru", "nope"};
  size_t i;
  int b;

  (void)state;
  for (i = 0; i < 5; i++) {
    b = -1;
    assert_int_equal(conf_parse_bool(yes[i], &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(conf_parse_bool(no[i], &b), 0);
    assert_int_equal(b, 0);
  }
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(conf_parse_bool(bad[i], &b), BN_EINVAL);
}

static void test_parse_duration(void **state)
{
  static const struct {
    const char *s;
    int64_t ns;
  } ok[] = {
      {"250ms", 250000000LL},   {"1.5s", 1500000000LL}, {"2m", 120000000000LL},
      {"1h", 3600000000000LL},  {"100us", 100000LL},    {"10ns", 10LL},
      {"5", 5000000000LL},      {"0.5", 500000000LL},   {"0", 0},
      {"1d", 86400000000000LL}, {".25s", 250000000LL},  {"0.001ms", 1000LL},
  };
  static const char *const bad[] = {
      "",   "ms",   "-1s", "1 s",   "1.5.5s",
      "1S", "1sec", "abc", "1e3ms", "9999999999999h"};
  int64_t ns;
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    ns = -1;
    if (conf_parse_duration(ok[i].s, &ns) != 0 || ns != ok[i].ns)
      fail_msg("duration '%s' gave %lld", ok[i].s, (long long)ns);
  }
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    if (conf_parse_duration(bad[i], &ns) != BN_EINVAL)
      fail_msg("duration '%s' was accepted", bad[i]);
}

static void test_parse_size(void **state)
{
  static const struct {
    const char *s;
    int64_t v;
  } ok[] = {
      {"1500", 1500},
      {"64k", 64000},
      {"64K", 64000},
      {"64Ki", 65536},
      {"10M", 10000000},
      {"10MiB", 10485760},
      {"1G", 1000000000LL},
      {"1GiB", 1073741824LL},
      {"2KiB", 2048},
      {"3MB", 3000000},
      {"1T", 1000000000000LL},
      {"1TiB", 1099511627776LL},
      {"0", 0},
      {"512B", 512},
      {"1.5M", 1500000},
      {"0.5KiB", 512},
  };
  static const char *const bad[] = {"",    "k",   "-1",   "1.5",
                                    "10X", "1 k", "1kk",  "9999999999T",
                                    " 10", "10m", "0.3B", "1.3Ki"};
  int64_t v;
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    v = -1;
    if (conf_parse_size(ok[i].s, &v) != 0 || v != ok[i].v)
      fail_msg("size '%s' gave %lld", ok[i].s, (long long)v);
  }
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    if (conf_parse_size(bad[i], &v) != BN_EINVAL)
      fail_msg("size '%s' was accepted", bad[i]);
}

static void test_parse_rate(void **state)
{
  static const struct {
    const char *s;
    double v;
  } ok[] = {
      {"200M", 200e6},  {"1.5G", 1.5e9}, {"10Mbit", 10e6}, {"100Mbit/s", 1e8},
      {"64kbps", 64e3}, {"9600", 9600},  {"2Gb", 2e9},
  };
  static const char *const bad[] = {"",     "M",   "-1", "200Mi",
                                    "10MB", "1 M", "10m"};
  double v;
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    v = -1;
    if (conf_parse_rate(ok[i].s, &v) != 0 || fabs(v - ok[i].v) > 1e-6)
      fail_msg("rate '%s' gave %g", ok[i].s, v);
  }
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    if (conf_parse_rate(bad[i], &v) != BN_EINVAL)
      fail_msg("rate '%s' was accepted", bad[i]);
}

static void test_build_and_edit(void **state)
{
  bn_node *map = conf_new(CONF_MAP, NULL, 0, 0);
  bn_node *list = conf_new(CONF_LIST, "x.yaml", 3, 4);
  bn_node *s = conf_new_scalar("v", "x.yaml", 5, 6);
  bn_node *copy;
  char where[64];

  (void)state;
  assert_string_equal(map->file, "<builtin>");
  assert_int_equal(conf_append(map, "k", s), 0);
  assert_int_equal(s->key_line, 5);
  assert_int_equal(conf_append(map, "l", list), 0);
  assert_int_equal(conf_append(list, NULL, conf_new_scalar("a", NULL, 1, 1)),
                   0);
  /* A map refuses a second "k" and an entry without a key. */
  s = conf_new_scalar("w", NULL, 1, 1);
  assert_int_equal(conf_append(map, "k", s), BN_EINVAL);
  assert_int_equal(conf_append(map, NULL, s), BN_EINVAL);
  assert_int_equal(conf_append(conf_get(map, "k"), "x", s), BN_EINVAL);
  conf_free(s);

  assert_string_equal(conf_where(list, where, sizeof(where)), "x.yaml:3:4");
  copy = conf_copy(map);
  assert_true(tree_equal(map, copy));
  assert_int_equal(conf_remove(copy, "k"), 1);
  assert_int_equal(conf_remove(copy, "k"), 0);
  assert_null(conf_get(copy, "k"));
  assert_non_null(conf_get(map, "k"));
  assert_dump(copy, "l:\n  - a\n");
  assert_dump(map, "k: v\nl:\n  - a\n");
  conf_free(copy);
  conf_free(map);
}

static bn_node *merged(const char *base, const char *over)
{
  bn_node *b = parse_ok(base), *o = parse_ok(over), *m;
  char *bd = dump_str(b), *od = dump_str(o), *bd2, *od2;

  m = conf_merge(b, o);
  assert_non_null(m);
  /* Merging leaves its inputs alone. */
  bd2 = dump_str(b);
  od2 = dump_str(o);
  assert_string_equal(bd, bd2);
  assert_string_equal(od, od2);
  free(bd);
  free(od);
  free(bd2);
  free(od2);
  conf_free(b);
  conf_free(o);
  return m;
}

static void test_merge_maps(void **state)
{
  bn_node *m = merged("a: 1\nm:\n  x: 1\n  y: 2\n  n: {p: 1}\nkeep: k\n",
                      "m:\n  y: 3\n  z: 4\n  n: {q: 2}\nb: 2\na: one\n");

  (void)state;
  assert_dump(m, "a: one\n"
                 "m:\n"
                 "  x: 1\n"
                 "  y: 3\n"
                 "  n:\n"
                 "    p: 1\n"
                 "    q: 2\n"
                 "  z: 4\n"
                 "keep: k\n"
                 "b: 2\n");
  /* The merged value is where the overriding profile wrote it. */
  assert_int_equal(conf_get(m, "a")->line, 6);
  assert_int_equal(conf_get(m, "a")->key_line, 6);
  assert_int_equal(conf_get(conf_get(m, "m"), "y")->line, 2);
  assert_int_equal(conf_get(conf_get(m, "m"), "x")->line, 3);
  conf_free(m);

  /* Scalars, lists and maps replace one another. */
  m = merged("a: {x: 1}\nb: 1\nc: [1, 2]\n", "a: 2\nb: {y: 1}\nc: [3]\n");
  assert_dump(m, "a: 2\nb:\n  y: 1\nc:\n  - 3\n");
  conf_free(m);
}

static void test_merge_named_lists(void **state)
{
  bn_node *m = merged("probes:\n"
                      "  - plugin: tcp\n"
                      "    interval: 1s\n"
                      "    timeout: 1s\n"
                      "  - plugin: icmp\n"
                      "    name: ping\n"
                      "  - plugin: tcp\n"
                      "    name: tcp-web\n",
                      "probes:\n"
                      "  - plugin: tcp\n"
                      "    interval: 2s\n"
                      "  - name: ping\n"
                      "    enabled: false\n"
                      "  - plugin: dns\n"
                      "  - name: ghost\n"
                      "    enabled: no\n");

  (void)state;
  assert_dump(m, "probes:\n"
                 "  - plugin: tcp\n"
                 "    interval: 2s\n"
                 "    timeout: 1s\n"
                 "  - plugin: tcp\n"
                 "    name: tcp-web\n"
                 "  - plugin: dns\n"
                 "  - name: ghost\n"
                 "    enabled: no\n");
  conf_free(m);

  /* Targets merge by name too; plain lists replace. */
  m = merged("targets:\n"
             "  - {name: a, host: a.example, tags: [x, y]}\n"
             "  - {name: b, host: b.example}\n",
             "targets:\n"
             "  - {name: a, tags: [z]}\n"
             "  - {name: c, host: c.example}\n");
  assert_dump(m, "targets:\n"
                 "  - name: a\n"
                 "    host: a.example\n"
                 "    tags:\n"
                 "      - z\n"
                 "  - name: b\n"
                 "    host: b.example\n"
                 "  - name: c\n"
                 "    host: c.example\n");
  conf_free(m);

  /* Two entries of one file never merge with each other. */
  m = merged("l:\n  - {name: a, x: 1}\n",
             "l:\n  - {name: b}\n  - {name: b, y: 2}\n  - {name: a}\n");
  assert_dump(m, "l:\n  - name: a\n    x: 1\n  - name: b\n  - name: b\n"
                 "    y: 2\n");
  conf_free(m);

  /* An empty list clears; a list with an unnamed item replaces. */
  m = merged("reporters:\n  - plugin: text\n", "reporters: []\n");
  assert_dump(m, "reporters: []\n");
  conf_free(m);
  m = merged("l:\n  - {name: a}\n", "l:\n  - {name: b}\n  - {x: 1}\n");
  assert_dump(m, "l:\n  - name: b\n  - x: 1\n");
  conf_free(m);
}

static void test_dump_format(void **state)
{
  bn_node *n = parse_ok("name: lab\n"
                        "empty_map: {}\n"
                        "empty_list: []\n"
                        "nothing:\n"
                        "quoted_empty: \"\"\n"
                        "nested:\n"
                        "  - - a\n"
                        "    - b\n"
                        "  - {}\n"
                        "  - k: v\n"
                        "    l: [1]\n"
                        "text: |\n"
                        "  two\n"
                        "  lines\n"
                        "yes: \"yes\"\n"
                        "dash: \"-\"\n");

  (void)state;
  assert_dump(n, "name: lab\n"
                 "empty_map: {}\n"
                 "empty_list: []\n"
                 "nothing:\n"
                 "quoted_empty: \"\"\n"
                 "nested:\n"
                 "  -\n"
                 "    - a\n"
                 "    - b\n"
                 "  - {}\n"
                 "  - k: v\n"
                 "    l:\n"
                 "      - 1\n"
                 "text: \"two\\nlines\\n\"\n"
                 "yes: \"yes\"\n"
                 "dash: \"-\"\n");
  conf_free(n);
}

static void test_dump_round_trip(void **state)
{
  static const char *const values[] = {
      "-",
      "a: b",
      "#x",
      "a #b",
      "  lead",
      "trail ",
      "",
      "yes",
      "null",
      "~",
      "héllo",
      "::1",
      "tag:loopback",
      "http://x/y?z#w",
      "---",
      "...x",
      "[x]",
      "{y}",
      "*star",
      "&amp",
      "!bang",
      "%pc",
      "@at",
      "`bt",
      "'sq'",
      "\"dq\"",
      "back\\slash",
      "tab\there",
      "nl\nnl",
      "x:",
      ":",
      "?",
      "-x",
      "a,b",
      "1.5s",
      "127.0.0.1",
      "|",
      ">",
      "a'b",
      "x: y: z",
  };
  bn_node *root = conf_new(CONF_MAP, "rt.yaml", 1, 1);
  bn_node *list = conf_new(CONF_LIST, "rt.yaml", 1, 1);
  bn_node *back = NULL;
  char *text;
  char err[256] = "";
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
    char key[32];
    bn_node *q = conf_new_scalar(values[i], NULL, 1, 1);

    q->quoted = 1;
    assert_int_equal(conf_append(list, NULL, q), 0);
    snprintf(key, sizeof(key), "k%zu", i);
    assert_int_equal(
        conf_append(root, key, conf_new_scalar(values[i], NULL, 1, 1)), 0);
    /* The values are keys too. */
    if (values[i][0])
      assert_int_equal(
          conf_append(root, values[i], conf_new_scalar("v", NULL, 1, 1)), 0);
  }
  assert_int_equal(conf_append(root, "list", list), 0);
  text = dump_str(root);
  if (conf_parse_string(text, "rt.yaml", &back, err, sizeof(err)) != 0)
    fail_msg("dump does not parse: %s\n%s", err, text);
  assert_int_equal(back->n_items, root->n_items);
  for (i = 0; i < root->n_items; i++) {
    const bn_node *a = root->items[i], *b = back->items[i];

    assert_string_equal(a->key, b->key);
    if (a->type == CONF_SCALAR) {
      assert_string_equal(a->value, b->value);
      /* Plain empty text is YAML null; anything else keeps its text. */
      if (a->value[0] == '\0')
        assert_int_equal(b->quoted, 0);
    }
  }
  /* Quoted scalars stay quoted, so the list comes back equal. */
  assert_true(tree_equal(list, conf_get(back, "list")));
  free(text);
  conf_free(back);
  conf_free(root);
}

static void test_dump_round_trip_fixture(void **state)
{
  char path[1024], err[1200] = "";
  bn_node *a = NULL, *b = NULL;
  char *text, *text2;

  (void)state;
  snprintf(path, sizeof(path), "%s/tests/fixtures/profiles/roundtrip.yaml",
           srcdir());
  assert_int_equal(conf_parse_file(path, &a, err, sizeof(err)), 0);
  text = dump_str(a);
  if (conf_parse_string(text, "again", &b, err, sizeof(err)) != 0)
    fail_msg("%s\n%s", err, text);
  assert_true(tree_equal(a, b));
  text2 = dump_str(b);
  assert_string_equal(text, text2);
  free(text);
  free(text2);
  conf_free(a);
  conf_free(b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_positions),
      cmocka_unit_test(test_parse_interned_file),
      cmocka_unit_test(test_parse_errors),
      cmocka_unit_test(test_parse_nesting_limit),
      cmocka_unit_test(test_parse_file),
      cmocka_unit_test(test_parse_int),
      cmocka_unit_test(test_parse_double),
      cmocka_unit_test(test_parse_bool),
      cmocka_unit_test(test_parse_duration),
      cmocka_unit_test(test_parse_size),
      cmocka_unit_test(test_parse_rate),
      cmocka_unit_test(test_build_and_edit),
      cmocka_unit_test(test_merge_maps),
      cmocka_unit_test(test_merge_named_lists),
      cmocka_unit_test(test_dump_format),
      cmocka_unit_test(test_dump_round_trip),
      cmocka_unit_test(test_dump_round_trip_fixture),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
