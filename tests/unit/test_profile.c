/*
 * test_profile.c - profiles: the search path, extends chains and cycles,
 * structure checks with their exact FILE:LINE:COL lines, target filters,
 * plugin checks against a fake loader, and the shipped profiles.
 *
 * loader.c is not linked: loader_find(), loader_find_kind() and
 * loader_kind_name() below
 * stand in for it with the option tables of the tcp, text and json
 * plugins.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "conf.h"
#include "loader.h"
#include "log.h"
#include "profile.h"

#ifndef BN_TEST_SRCDIR
#define BN_TEST_SRCDIR "."
#endif

/* ------------------------------------------------------------------ */
/* A fake loader                                                        */
/* ------------------------------------------------------------------ */

struct loader {
  int unused;
};

static const bn_option tcp_options[] = {{.name = "interval",
                                         .type = BN_OPT_DURATION,
                                         .def = "1s",
                                         .help = "time between probes",
                                         .min = 0.01,
                                         .max = 3600},
                                        {.name = "timeout",
                                         .type = BN_OPT_DURATION,
                                         .def = "1s",
                                         .help = "connect timeout",
                                         .min = 0.001,
                                         .max = 60},
                                        {.name = "port",
                                         .type = BN_OPT_INT,
                                         .def = "0",
                                         .help = "port (0: the target's)",
                                         .max = 65535},
                                        BN_OPTIONS_END};

static const bn_option text_options[] = {{.name = "output",
                                          .type = BN_OPT_STRING,
                                          .def = "-",
                                          .help = "file, or - for stdout"},
                                         BN_OPTIONS_END};

static const bn_option json_options[] = {{.name = "output",
                                          .type = BN_OPT_STRING,
                                          .def = "-",
                                          .help = "file, or - for stdout"},
                                         {.name = "pretty",
                                          .type = BN_OPT_BOOL,
                                          .def = "true",
                                          .help = "indent the JSON"},
                                         BN_OPTIONS_END};

static const bn_option fusion_options[] = {{.name = "cooldown",
                                            .type = BN_OPT_DURATION,
                                            .def = "30s",
                                            .help = "quiet time"},
                                           BN_OPTIONS_END};

static loader_plugin fakes[4];

const loader_plugin *loader_find(const loader *ld, const char *name)
{
  size_t i;

  (void)ld;
  for (i = 0; i < 4; i++)
    if (strcmp(fakes[i].desc.name, name) == 0)
      return &fakes[i];
  return NULL;
}

const loader_plugin *loader_find_kind(const loader *ld, bn_kind kind,
                                      const char *name)
{
  const loader_plugin *p = loader_find(ld, name);

  return p && p->desc.kind == kind ? p : NULL;
}

const char *loader_kind_name(bn_kind kind)
{
  static const char *const names[] = {"unknown", "probe",    "speedtest",
                                      "anomaly", "exporter", "reporter"};

  return kind >= 1 && kind <= 5 ? names[kind] : "unknown";
}

static void fakes_init(void)
{
  fakes[0].desc.name = "tcp";
  fakes[0].desc.kind = BN_KIND_PROBE;
  fakes[0].desc.options = tcp_options;
  fakes[1].desc.name = "text";
  fakes[1].desc.kind = BN_KIND_REPORTER;
  fakes[1].desc.options = text_options;
  fakes[2].desc.name = "json";
  fakes[2].desc.kind = BN_KIND_REPORTER;
  fakes[2].desc.options = json_options;
  /* base.yaml runs the fusion anomaly detector (no options used) */
  fakes[3].desc.name = "fusion";
  fakes[3].desc.kind = BN_KIND_ANOMALY;
  fakes[3].desc.options = fusion_options;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

#define MAX_LINES 32
static char lines[MAX_LINES][1024];
static int n_lines;
static char fixdir[600], topdir[512], tmpdir[256];

static void sink(bn_log_level level, const char *line, void *arg)
{
  (void)level;
  (void)arg;
  if (n_lines < MAX_LINES)
    snprintf(lines[n_lines], sizeof(lines[0]), "%s", line);
  n_lines++;
}

static int rm_tree(const char *dir)
{
  char cmd[512];

  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  return system(cmd);
}

static int group_setup(void **state)
{
  const char *s = getenv("BN_TOP_SRCDIR");

  (void)state;
  snprintf(topdir, sizeof(topdir), "%s", s && *s ? s : BN_TEST_SRCDIR);
  snprintf(fixdir, sizeof(fixdir), "%s/tests/fixtures/profiles", topdir);
  snprintf(tmpdir, sizeof(tmpdir), "%s/bn-profile-XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(tmpdir))
    return -1;
  fakes_init();
  return 0;
}

static int group_teardown(void **state)
{
  (void)state;
  return rm_tree(tmpdir) == 0 ? 0 : -1;
}

/* Each test: a clean log and a search path that holds nothing. */
static int setup(void **state)
{
  char empty[512];

  (void)state;
  n_lines = 0;
  log_set_sink(sink, NULL);
  snprintf(empty, sizeof(empty), "%s/nothing", tmpdir);
  setenv("BOTTLENECK_PROFILE_PATH", empty, 1);
  setenv("XDG_CONFIG_HOME", empty, 1);
  setenv("HOME", "/home/tester", 1);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  log_set_sink(NULL, NULL);
  return 0;
}

/* "@" in a wanted line stands for the fixtures directory. */
static void expand(const char *want, char *buf, size_t len)
{
  size_t used = 0;

  for (; *want && used + 1 < len; want++) {
    if (*want == '@')
      used += (size_t)snprintf(buf + used, len - used, "%s", fixdir);
    else
      buf[used++] = *want;
  }
  buf[used < len ? used : len - 1] = '\0';
}

static void assert_lines(const char *const *want, int n)
{
  char exp[2048];
  int i;

  for (i = 0; i < n && i < n_lines; i++) {
    expand(want[i], exp, sizeof(exp));
    if (strcmp(lines[i], exp) != 0)
      fail_msg("line %d:\n got: %s\nwant: %s", i, lines[i], exp);
  }
  if (n_lines != n) {
    for (i = 0; i < n_lines && i < MAX_LINES; i++)
      print_message("log: %s\n", lines[i]);
    fail_msg("%d log lines, want %d", n_lines, n);
  }
}

static int load_fixture(const char *name, profile **p)
{
  char path[1200];

  snprintf(path, sizeof(path), "%s/%s", fixdir, name);
  return profile_load(path, p);
}

/* A fixture that must fail to load with exactly these lines. */
static void load_fails(const char *name, int rc, const char *const *want,
                       int n)
{
  profile *p = (profile *)1;

  assert_int_equal(load_fixture(name, &p), rc);
  assert_null(p);
  assert_lines(want, n);
}

static void write_file(const char *dir, const char *name, const char *text)
{
  char path[512];
  FILE *f;

  mkdir(dir, 0755);
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static const bn_target *target(const profile *p, const char *name)
{
  size_t i;

  for (i = 0; i < p->n_targets; i++)
    if (strcmp(p->targets[i].name, name) == 0)
      return &p->targets[i];
  return NULL;
}

static const profile_plugin *instance(const profile *p, bn_kind kind,
                                      const char *name)
{
  size_t i;

  for (i = 0; i < p->n_plugins; i++)
    if (p->plugins[i].kind == kind && strcmp(p->plugins[i].name, name) == 0)
      return &p->plugins[i];
  return NULL;
}

/* "a,b,c": the names of an instance's targets. */
static void target_names(const profile_plugin *pp, char *buf, size_t len)
{
  size_t i, used = 0;

  buf[0] = '\0';
  for (i = 0; i < pp->n_targets && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "",
                             pp->targets[i].name);
}

/* ------------------------------------------------------------------ */
/* Tests                                                                */
/* ------------------------------------------------------------------ */

static void test_kinds_and_sections(void **state)
{
  (void)state;
  assert_string_equal(profile_section(BN_KIND_PROBE), "probes");
  assert_string_equal(profile_section(BN_KIND_SPEEDTEST), "speedtests");
  assert_string_equal(profile_section(BN_KIND_ANOMALY), "anomaly");
  assert_string_equal(profile_section(BN_KIND_EXPORTER), "exporters");
  assert_string_equal(profile_section(BN_KIND_REPORTER), "reporters");
  assert_null(profile_section((bn_kind)0));
  assert_string_equal(profile_kind_name(BN_KIND_ANOMALY), "anomaly");
  assert_string_equal(profile_kind_name(BN_KIND_REPORTER), "reporter");
  assert_string_equal(profile_kind_name((bn_kind)42), "unknown");
}

static void test_find(void **state)
{
  char a[300], b[300], xdg[300], path[1024], want[1024];
  char nfline[2048];

  (void)state;
  snprintf(a, sizeof(a), "%s/path-a", tmpdir);
  snprintf(b, sizeof(b), "%s/path-b", tmpdir);
  snprintf(xdg, sizeof(xdg), "%s/xdg", tmpdir);
  write_file(b, "only-b.yaml", "name: only-b\n");
  write_file(b, "both.yaml", "name: both-b\n");
  write_file(a, "both.yaml", "name: both-a\n");
  write_file(b, "short.yml", "name: short\n");
  mkdir(xdg, 0755);
  snprintf(path, sizeof(path), "%s/bottleneck", xdg);
  mkdir(path, 0755);
  snprintf(path, sizeof(path), "%s/bottleneck/profiles", xdg);
  write_file(path, "from-xdg.yaml", "name: from-xdg\n");
  write_file(path, "both.yaml", "name: both-xdg\n");

  snprintf(path, sizeof(path), "%s::%s", a, b);
  setenv("BOTTLENECK_PROFILE_PATH", path, 1);
  setenv("XDG_CONFIG_HOME", xdg, 1);

  /* The first directory of the path wins. */
  assert_int_equal(profile_find("both", path, sizeof(path)), 0);
  snprintf(want, sizeof(want), "%s/both.yaml", a);
  assert_string_equal(path, want);
  assert_int_equal(profile_find("only-b", path, sizeof(path)), 0);
  snprintf(want, sizeof(want), "%s/only-b.yaml", b);
  assert_string_equal(path, want);
  assert_int_equal(profile_find("short", path, sizeof(path)), 0);
  snprintf(want, sizeof(want), "%s/short.yml", b);
  assert_string_equal(path, want);
  /* Then $XDG_CONFIG_HOME/bottleneck/profiles. */
  assert_int_equal(profile_find("from-xdg", path, sizeof(path)), 0);
  snprintf(want, sizeof(want), "%s/bottleneck/profiles/from-xdg.yaml", xdg);
  assert_string_equal(path, want);
  assert_int_equal(n_lines, 0);

  /* A path is taken as it is. */
  snprintf(want, sizeof(want), "%s/minimal.yaml", fixdir);
  assert_int_equal(profile_find(want, path, sizeof(path)), 0);
  assert_string_equal(path, want);
  assert_int_equal(profile_find(want, path, 8), BN_EINVAL);
  n_lines = 0;

  assert_int_equal(profile_find("ghost", path, sizeof(path)), BN_ENOENT);
  snprintf(nfline, sizeof(nfline),
           "error: [profile] no profile named 'ghost' (searched: %s, %s, "
           "%s/bottleneck/profiles, " PKGDATADIR "/profiles)",
           a, b, xdg);
  assert_int_equal(n_lines, 1);
  assert_string_equal(lines[0], nfline);

  n_lines = 0;
  assert_int_equal(profile_find("/no/such/x.yaml", path, sizeof(path)),
                   BN_ENOENT);
  assert_int_equal(n_lines, 1);
  assert_string_equal(lines[0], "error: [profile] cannot read profile "
                                "'/no/such/x.yaml': No such file or "
                                "directory");

  /* Without XDG_CONFIG_HOME: ~/.config. */
  unsetenv("XDG_CONFIG_HOME");
  setenv("HOME", xdg, 1);
  snprintf(path, sizeof(path), "%s/.config", xdg);
  mkdir(path, 0755);
  snprintf(path, sizeof(path), "%s/.config/bottleneck", xdg);
  mkdir(path, 0755);
  snprintf(path, sizeof(path), "%s/.config/bottleneck/profiles", xdg);
  write_file(path, "dot-config.yaml", "name: dot-config\n");
  assert_int_equal(profile_find("dot-config", path, sizeof(path)), 0);
  snprintf(want, sizeof(want),
           "%s/.config/bottleneck/profiles/dot-config.yaml", xdg);
  assert_string_equal(path, want);
}

static void test_load_minimal(void **state)
{
  profile *p = NULL;
  char want[1200];

  (void)state;
  assert_int_equal(load_fixture("minimal.yaml", &p), 0);
  assert_int_equal(n_lines, 0);
  assert_string_equal(p->name, "minimal");
  assert_null(p->description);
  assert_null(p->store_path);
  snprintf(want, sizeof(want), "%s/minimal.yaml", fixdir);
  assert_string_equal(p->file, want);
  assert_int_equal(p->n_targets, 1);
  assert_string_equal(p->targets[0].host, "localhost");
  assert_int_equal(p->targets[0].port, 0);
  assert_int_equal(p->targets[0].n_tags, 0);
  assert_ptr_equal(p->targets[0].node, p->root->items[1]->items[0]);
  assert_int_equal(p->n_plugins, 0);
  assert_int_equal(strlen(p->hash), 64);
  assert_int_equal(strspn(p->hash, "0123456789abcdef"), 64);
  profile_free(p);
}

static void test_extends_chain(void **state)
{
  profile *p = NULL;
  const bn_target *t;
  const profile_plugin *pp;
  const bn_node *n;
  char names[256], where[1200], want[1200];

  (void)state;
  assert_int_equal(load_fixture("chain-top.yaml", &p), 0);
  assert_int_equal(n_lines, 0);
  assert_string_equal(p->name, "chain-top");
  assert_string_equal(p->description, "the top of the chain");
  assert_string_equal(p->store_path, "/home/tester/chain/history.db");
  assert_null(conf_get(p->root, "extends"));

  /* a was disabled at the top; b merged; c and d added in order. */
  assert_int_equal(p->n_targets, 3);
  assert_string_equal(p->targets[0].name, "b");
  assert_string_equal(p->targets[1].name, "c");
  assert_string_equal(p->targets[2].name, "d");
  t = target(p, "b");
  assert_string_equal(t->host, "b.example");
  assert_int_equal(t->port, 8443);
  /* Each value still points at the file that wrote it. */
  n = conf_get(t->node, "port");
  snprintf(want, sizeof(want), "%s/chain-mid.yaml:5:11", fixdir);
  assert_string_equal(conf_where(n, where, sizeof(where)), want);
  n = conf_get(t->node, "host");
  snprintf(want, sizeof(want), "%s/chain-base.yaml:10:11", fixdir);
  assert_string_equal(conf_where(n, where, sizeof(where)), want);
  t = target(p, "c");
  assert_int_equal(t->port, 0);
  assert_int_equal(t->n_tags, 2);
  assert_string_equal(t->tags[1], "v6");
  t = target(p, "d");
  assert_string_equal(t->host, "::1");
  assert_int_equal(t->port, 22);

  /* tcp merged over three files; tcp-slow removed in the middle. */
  assert_int_equal(p->n_plugins, 3);
  pp = instance(p, BN_KIND_PROBE, "tcp");
  assert_non_null(pp);
  assert_string_equal(pp->plugin, "tcp");
  assert_string_equal(conf_scalar(conf_get(pp->node, "interval")), "2s");
  assert_string_equal(conf_scalar(conf_get(pp->node, "timeout")), "500ms");
  target_names(pp, names, sizeof(names));
  assert_string_equal(names, "c");
  assert_null(instance(p, BN_KIND_PROBE, "tcp-slow"));
  assert_non_null(instance(p, BN_KIND_REPORTER, "text"));
  pp = instance(p, BN_KIND_REPORTER, "json");
  assert_non_null(pp);
  target_names(pp, names, sizeof(names));
  assert_string_equal(names, "b,c,d");
  assert_ptr_equal(p->plugins[0].node->file, p->plugins[0].node->file);
  assert_int_equal(p->plugins[0].kind, BN_KIND_PROBE);
  assert_int_equal(p->plugins[2].kind, BN_KIND_REPORTER);
  profile_free(p);
}

static void test_extends_cycle(void **state)
{
  static const char *const want[] = {
      "error: @/cycle-b.yaml:2:10: extends cycle: cycle-a -> cycle-b -> "
      "cycle-a"};
  static const char *const self[] = {
      "error: @/self-cycle.yaml:2:10: extends cycle: self-cycle -> "
      "self-cycle"};

  (void)state;
  load_fails("cycle-a.yaml", BN_EINVAL, want, 1);
  n_lines = 0;
  load_fails("self-cycle.yaml", BN_EINVAL, self, 1);
}

static void test_extends_missing_and_search(void **state)
{
  static const char *const want[] = {
      "error: @/extends-missing.yaml:2:10: extends: no profile named "
      "'no-such-profile' (looked beside this file and in the profile "
      "search path)"};
  char dir[1100];
  profile *p = NULL;

  (void)state;
  load_fails("extends-missing.yaml", BN_ENOENT, want, 1);
  /* Not beside the file: found through BOTTLENECK_PROFILE_PATH. */
  n_lines = 0;
  snprintf(dir, sizeof(dir), "%s/profiles", topdir);
  setenv("BOTTLENECK_PROFILE_PATH", dir, 1);
  assert_int_equal(load_fixture("extends-search.yaml", &p), 0);
  assert_int_equal(n_lines, 0);
  assert_string_equal(p->name, "extends-search");
  assert_string_equal(p->description, "Loopback-only lab profile");
  assert_int_equal(p->n_targets, 3);
  /* `reporters: []` cleared base's text reporter; base's anomaly
   * detector is inherited (on by default). */
  assert_int_equal(p->n_plugins, 2);
  assert_non_null(instance(p, BN_KIND_PROBE, "tcp"));
  assert_non_null(instance(p, BN_KIND_ANOMALY, "fusion"));
  profile_free(p);
}

static void test_unknown_top_key_and_name(void **state)
{
  static const char *const want[] = {
      "error: @/bad-key.yaml:3:1: unknown key 'probe' in profile (known: "
      "name, description, extends, store, targets, probes, speedtest, "
      "speedtests, checks, anomaly, exporters, reporters, consent, "
      "retention)"};
  static const char *const noname[] = {
      "error: @/no-name.yaml:1:1: profile has no 'name'"};

  (void)state;
  load_fails("bad-key.yaml", BN_EINVAL, want, 1);
  n_lines = 0;
  load_fails("no-name.yaml", BN_EINVAL, noname, 1);
}

/* `consent:` is a list of non-empty strings. */
static void test_bad_consent(void **state)
{
  static const char *const notlist[] = {
      "error: @/bad-consent.yaml:2:10: 'consent' must be a list of "
      "destinations (URL, host or \"*\"), e.g. consent: "
      "[\"hooks.example.com\"]"};
  static const char *const item[] = {
      "error: @/bad-consent-item.yaml:4:5: each 'consent' item must be a "
      "non-empty string"};

  (void)state;
  load_fails("bad-consent.yaml", BN_EINVAL, notlist, 1);
  n_lines = 0;
  load_fails("bad-consent-item.yaml", BN_EINVAL, item, 1);
}

static void test_bad_targets(void **state)
{
  static const char *const want[] = {
      "error: @/bad-targets.yaml:7:11: target 'zero-port': port must be "
      "between 1 and 65535, got '0'",
      "error: @/bad-targets.yaml:10:11: target 'big-port': port must be "
      "between 1 and 65535, got '70000'",
      "error: @/bad-targets.yaml:13:11: target 'word-port': port must be "
      "between 1 and 65535, got 'http'",
      "error: @/bad-targets.yaml:15:11: target 'bad-v4': host '256.1.1.1' "
      "is not a valid IPv4 address",
      "error: @/bad-targets.yaml:17:11: target 'bad-v6': host 'fe80::1::2' "
      "is not a valid IPv6 address",
      "error: @/bad-targets.yaml:19:11: target 'bad-dns': host "
      "'-bad.example' is not a valid host name",
      "error: @/bad-targets.yaml:21:11: target 'underscore': host "
      "'_gateway' is not a valid host name",
      "error: @/bad-targets.yaml:23:11: target 'long-label': host "
      "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
      "example' is not a valid host name",
      "error: @/bad-targets.yaml:24:11: duplicate target name 'ok' (first "
      "at @/bad-targets.yaml:3:11)",
      "error: @/bad-targets.yaml:26:5: target has no 'name'",
      "error: @/bad-targets.yaml:27:5: target 'no-host' has no 'host' (or "
      "'url')",
      "error: @/bad-targets.yaml:30:5: unknown key 'prot' in target "
      "(known: name, host, port, url, tags, region, asn, enabled)",
      "error: @/bad-targets.yaml:31:11: target name 'tag:x' must not start "
      "with 'tag:'",
      "error: @/bad-targets.yaml:35:11: target 'bad-tags': 'tags' must be "
      "a list of strings",
      "error: @/bad-targets.yaml:36:5: each target must be a map with "
      "'name' and 'host'",
  };

  (void)state;
  load_fails("bad-targets.yaml", BN_EINVAL, want,
             (int)(sizeof(want) / sizeof(want[0])));
}

/* A target given by url: gets its host from the URL. */
static void test_target_url(void **state)
{
  char path[400];
  profile *p = NULL;

  (void)state;
  write_file(tmpdir, "url.yaml",
             "name: url\n"
             "targets:\n"
             "  - {name: a, url: \"http://127.0.0.1:8080/x\"}\n"
             "  - {name: b, url: \"https://[::1]:8443/\"}\n"
             "  - {name: c, url: \"https://u@www.example.org\", port: 443}\n"
             "  - {name: d, host: 127.0.0.2, url: \"http://x/\"}\n");
  snprintf(path, sizeof(path), "%s/url.yaml", tmpdir);
  assert_int_equal(profile_load(path, &p), 0);
  assert_int_equal(p->n_targets, 4);
  assert_string_equal(p->targets[0].host, "127.0.0.1");
  assert_string_equal(p->targets[1].host, "::1");
  assert_string_equal(p->targets[2].host, "www.example.org");
  assert_int_equal(p->targets[2].port, 443);
  assert_string_equal(p->targets[3].host, "127.0.0.2");
  profile_free(p);

  write_file(tmpdir, "badurl.yaml",
             "name: badurl\n"
             "targets:\n"
             "  - name: a\n"
             "    url: nonsense\n"
             "  - name: b\n"
             "    port: 80\n");
  snprintf(path, sizeof(path), "%s/badurl.yaml", tmpdir);
  n_lines = 0;
  p = NULL;
  assert_int_equal(profile_load(path, &p), BN_EINVAL);
  assert_null(p);
  assert_int_equal(n_lines, 2);
  assert_non_null(strstr(lines[0], "badurl.yaml:4:10: target 'a': url "
                                   "'nonsense' has no host"));
  assert_non_null(strstr(lines[1], "badurl.yaml:5:5: target 'b' has no "
                                   "'host' (or 'url')"));
}

static void test_target_filters(void **state)
{
  static const char *const want[] = {
      "error: @/filter-unknown.yaml:7:20: probes 'tcp': unknown target "
      "'nope' (known: web, db)",
      "error: @/filter-unknown.yaml:7:26: probes 'tcp': no target has tag "
      "'missing'",
      "error: @/filter-unknown.yaml:10:14: probes 'tcp2': 'targets' must "
      "be a list of target names or \"tag:TAG\"",
  };
  profile *p = NULL;
  char names[128];

  (void)state;
  load_fails("filter-unknown.yaml", BN_EINVAL, want, 3);

  n_lines = 0;
  assert_int_equal(load_fixture("filter-tags.yaml", &p), 0);
  assert_int_equal(n_lines, 0);
  /* d is disabled: gone, and not matched by tag:x. */
  assert_int_equal(p->n_targets, 3);
  assert_null(target(p, "d"));
  assert_int_equal(p->n_plugins, 4);
  target_names(instance(p, BN_KIND_PROBE, "by-tag"), names, sizeof(names));
  assert_string_equal(names, "b,c");
  /* In profile order, each once. */
  target_names(instance(p, BN_KIND_PROBE, "mixed"), names, sizeof(names));
  assert_string_equal(names, "a,c");
  target_names(instance(p, BN_KIND_PROBE, "all"), names, sizeof(names));
  assert_string_equal(names, "a,b,c");
  assert_null(instance(p, BN_KIND_PROBE, "off"));
  assert_int_equal(instance(p, BN_KIND_REPORTER, "text")->n_targets, 0);
  profile_free(p);
}

static void test_bad_plugin_entries(void **state)
{
  static const char *const want[] = {
      "error: @/bad-plugins.yaml:4:5: duplicate name 'tcp' in probes "
      "(first at @/bad-plugins.yaml:3:5); give each entry its own 'name'",
      "error: @/bad-plugins.yaml:5:5: entry of 'probes' has no 'plugin'",
      "error: @/bad-plugins.yaml:6:5: each entry of 'probes' must be a map "
      "with a 'plugin'",
      "error: @/bad-plugins.yaml:7:13: 'speedtests' must be a list of "
      "plugin entries",
      "error: @/bad-plugins.yaml:10:14: 'enabled' must be true or false",
  };

  (void)state;
  load_fails("bad-plugins.yaml", BN_EINVAL, want, 5);
}

static void test_check_plugins(void **state)
{
  static const char *const want[] = {
      "error: @/check-plugins.yaml:6:15: plugin 'tcp': option 'interval' "
      "must be between 10ms and 1h, got 2h",
      "error: @/check-plugins.yaml:7:5: plugin 'tcp': unknown option "
      "'prot' (known: interval, timeout, port)",
      "error: @/check-plugins.yaml:8:13: unknown plugin 'nosuch' in probes "
      "(see 'bottleneck plugins')",
      "error: @/check-plugins.yaml:9:13: plugin 'text' is a reporter, not "
      "a probe",
      "error: @/check-plugins.yaml:16:13: plugin 'tcp' is a probe, not an "
      "anomaly",
      "error: @/check-plugins.yaml:13:13: plugin 'tcp' is a probe, not a "
      "reporter",
  };
  struct loader ld = {0};
  profile *p = NULL;
  const profile_plugin *pp;

  (void)state;
  assert_int_equal(load_fixture("check-plugins.yaml", &p), 0);
  assert_int_equal(n_lines, 0);
  assert_int_equal(profile_check_plugins(p, &ld), BN_EINVAL);
  assert_lines(want, 6);
  /* The text reporter itself was fine and got its default. */
  pp = instance(p, BN_KIND_REPORTER, "text");
  assert_string_equal(conf_scalar(conf_get(pp->node, "output")), "-");
  profile_free(p);
}

static void test_hash(void **state)
{
  profile *a = NULL, *b = NULL;
  unsigned char md[32];
  unsigned int mdlen = 0, i;
  char *text = NULL, hex[65];
  size_t len = 0;
  FILE *f;

  (void)state;
  assert_int_equal(load_fixture("chain-top.yaml", &a), 0);
  assert_int_equal(load_fixture("chain-top.yaml", &b), 0);
  assert_string_equal(a->hash, b->hash);
  f = open_memstream(&text, &len);
  conf_dump(a->root, f);
  fclose(f);
  assert_int_equal(EVP_Digest(text, len, md, &mdlen, EVP_sha256(), NULL), 1);
  for (i = 0; i < 32; i++)
    snprintf(hex + 2 * i, 3, "%02x", md[i]);
  assert_string_equal(a->hash, hex);
  free(text);
  profile_free(b);
  assert_int_equal(load_fixture("chain-mid.yaml", &b), 0);
  assert_string_not_equal(a->hash, b->hash);
  profile_free(a);
  profile_free(b);
}

/* All four shipped profiles load and pass the plugin check. */
static void test_shipped_profiles(void **state)
{
  static const char *const names[] = {"base", "home", "corporate", "lab"};
  struct loader ld = {0};
  char dir[1100], names_buf[256];
  profile *p;
  const profile_plugin *pp;
  size_t i, j;

  (void)state;
  snprintf(dir, sizeof(dir), "%s/profiles", topdir);
  setenv("BOTTLENECK_PROFILE_PATH", dir, 1);
  for (i = 0; i < 4; i++) {
    p = NULL;
    if (profile_load(names[i], &p) != 0)
      fail_msg("profile %s: %s", names[i], n_lines ? lines[0] : "");
    assert_string_equal(p->name, names[i]);
    assert_non_null(p->description);
    assert_null(p->store_path);
    /* home and corporate use the icmp/http/dns plugins, which the fake
     * loader lacks: cli_basics.sh validates them with the real ones. */
    if (i != 1 && i != 2 && profile_check_plugins(p, &ld) != 0)
      fail_msg("profile %s: %s", names[i], n_lines ? lines[0] : "");
    assert_int_equal(n_lines, 0);
    /* Every profile reports as text; every real one probes with tcp. */
    assert_non_null(instance(p, BN_KIND_REPORTER, "text"));
    /* anomaly detection is on by default in every shipped profile */
    assert_non_null(instance(p, BN_KIND_ANOMALY, "fusion"));
    for (j = 0; j < p->n_plugins; j++)
      if (p->plugins[j].kind == BN_KIND_PROBE)
        assert_true(p->plugins[j].n_targets > 0);
    if (i > 0)
      assert_true(p->n_targets > 0);
    profile_free(p);
  }

  p = NULL;
  assert_int_equal(profile_load("lab", &p), 0);
  assert_int_equal(profile_check_plugins(p, &ld), 0);
  assert_int_equal(p->n_targets, 3);
  for (i = 0; i < p->n_targets; i++) {
    assert_true(strcmp(p->targets[i].host, "127.0.0.1") == 0 ||
                strcmp(p->targets[i].host, "::1") == 0);
    assert_string_equal(p->targets[i].tags[0], "loopback");
  }
  assert_int_equal(target(p, "lab-web")->port, 47080);
  assert_int_equal(target(p, "lab-closed")->port, 47081);
  assert_string_equal(target(p, "lab-web6")->host, "::1");
  /* tcp, text and base's fusion detector (lab-closed: an unreachable
   * episode in the lab demo) */
  assert_int_equal(p->n_plugins, 3);
  pp = instance(p, BN_KIND_PROBE, "tcp");
  target_names(pp, names_buf, sizeof(names_buf));
  assert_string_equal(names_buf, "lab-web,lab-web6,lab-closed");
  assert_string_equal(conf_scalar(conf_get(pp->node, "interval")), "1s");
  /* Filled in from the tcp plugin's table. */
  assert_string_equal(conf_scalar(conf_get(pp->node, "port")), "0");
  profile_free(p);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_kinds_and_sections),
      T(test_find),
      T(test_load_minimal),
      T(test_extends_chain),
      T(test_extends_cycle),
      T(test_extends_missing_and_search),
      T(test_unknown_top_key_and_name),
      T(test_bad_consent),
      T(test_bad_targets),
      T(test_target_url),
      T(test_target_filters),
      T(test_bad_plugin_entries),
      T(test_check_plugins),
      T(test_hash),
      T(test_shipped_profiles),
  };
#undef T

  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
