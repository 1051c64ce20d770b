/*
 * test_loader.c - the plugin loader against real shared objects: the
 * fixture plugins of tests/fixtures/plugins (FIXTURE_DIR) are copied into
 * a fresh directory per test and each refusal line is checked exactly.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
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

#include "loader.h"
#include "log.h"

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must name the directory of the built fixture plugins"
#endif

#define MAX_LINES 32

typedef struct fx {
  loader *ld;
  char dir[512];  /* fresh 0755 directory (short: see snprintf) */
  char dir2[512]; /* a second one, for search-order tests */
} fx;

/* Log lines captured through the log sink. */
static char log_lines[MAX_LINES][2300];
static size_t n_log_lines;

static void capture(bn_log_level level, const char *line, void *arg)
{
  if (n_log_lines < MAX_LINES)
    snprintf(log_lines[n_log_lines++], sizeof(log_lines[0]), "%s", line);
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
  return remove(path);
}

static void rm_rf(const char *dir)
{
  if (dir[0])
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void make_tmpdir(char *buf, size_t len)
{
  const char *tmp = getenv("TMPDIR");

  snprintf(buf, len, "%s/bn-loader.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  assert_non_null(mkdtemp(buf));
  assert_int_equal(chmod(buf, 0755), 0);
}

/* Copy FIXTURE_DIR/name to dir/as. */
static void copy_file(const char *from, const char *to, size_t max)
{
  char buf[8192];
  ssize_t r;
  size_t done = 0;
  int in, out;

  in = open(from, O_RDONLY);
  if (in < 0)
    fail_msg("cannot open fixture %s: %s", from, strerror(errno));
  out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
  assert_true(out >= 0);
  while (done < max && (r = read(in, buf, sizeof(buf))) > 0) {
    size_t n = (size_t)r;

    if (n > max - done)
      n = max - done;
    assert_int_equal(write(out, buf, n), (ssize_t)n);
    done += n;
  }
  close(in);
  assert_int_equal(close(out), 0);
}

static void put_fixture(const char *dir, const char *name, const char *as,
                        char *path, size_t len)
{
  char from[PATH_MAX];

  snprintf(from, sizeof(from), "%s/%s", FIXTURE_DIR, name);
  snprintf(path, len, "%s/%s", dir, as);
  copy_file(from, path, SIZE_MAX);
}

static void write_text(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");

  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
  fx *f = calloc(1, sizeof(*f));

  assert_non_null(f);
  make_tmpdir(f->dir, sizeof(f->dir));
  make_tmpdir(f->dir2, sizeof(f->dir2));
  f->ld = loader_new();
  assert_non_null(f->ld);
  n_log_lines = 0;
  log_set_level(BN_LOG_WARNING);
  log_set_sink(capture, NULL);
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  fx *f = *state;

  loader_free(f->ld);
  log_set_sink(NULL, NULL);
  chmod(f->dir, 0755);
  chmod(f->dir2, 0755);
  rm_rf(f->dir);
  rm_rf(f->dir2);
  free(f);
  return 0;
}

/* The refusal was recorded as exactly `want` and logged as a warning. */
static void assert_refusal(const loader *ld, size_t i, const char *want)
{
  char logged[2400];
  size_t k;
  int found = 0;

  assert_true(loader_n_errors(ld) > i);
  assert_string_equal(loader_error(ld, i), want);
  snprintf(logged, sizeof(logged), "warning: [loader] %s", want);
  for (k = 0; k < n_log_lines; k++)
    if (strcmp(log_lines[k], logged) == 0)
      found = 1;
  if (!found)
    fail_msg("not logged: %s", logged);
}

/* Only one refusal: load `fixture` into the temp dir and expect `fmt`
 * (with the path as its first and only %s argument). */
static void load_refused(fx *f, const char *fixture, int want_rc,
                         const char *want)
{
  char path[PATH_MAX];

  put_fixture(f->dir, fixture, fixture, path, sizeof(path));
  assert_int_equal(loader_load_file(f->ld, path), want_rc);
  assert_int_equal(loader_count(f->ld), 0);
  assert_int_equal(loader_n_errors(f->ld), 1);
  assert_refusal(f->ld, 0, want);
}

static void test_good_loads(void **state)
{
  fx *f = *state;
  char path[PATH_MAX];
  const loader_plugin *p;
  const bn_probe_ops *ops;

  put_fixture(f->dir, "good.so", "good.so", path, sizeof(path));
  assert_int_equal(loader_load_file(f->ld, path), 0);
  assert_int_equal(loader_count(f->ld), 1);
  assert_int_equal(loader_n_errors(f->ld), 0);
  assert_null(loader_error(f->ld, 0));

  p = loader_find(f->ld, "fixture-good");
  assert_non_null(p);
  assert_ptr_equal(p, loader_at(f->ld, 0));
  assert_null(loader_at(f->ld, 1));
  assert_null(loader_find(f->ld, "fixture-nope"));
  assert_string_equal(p->file, path);
  assert_non_null(p->handle);
  assert_int_equal(p->desc.abi_major, BN_ABI_MAJOR);
  assert_int_equal(p->desc.abi_minor, BN_ABI_MINOR);
  assert_int_equal(p->desc.struct_size, sizeof(bn_plugin));
  assert_string_equal(p->desc.name, "fixture-good");
  assert_string_equal(p->desc.version, "1.2.3");
  assert_int_equal(p->desc.kind, BN_KIND_PROBE);
  assert_string_equal(loader_kind_name(p->desc.kind), "probe");
  assert_string_equal(p->desc.summary, "fixture: a valid probe");
  assert_non_null(p->desc.options);
  assert_string_equal(p->desc.options[0].name, "interval");
  assert_int_equal(p->desc.options[0].type, BN_OPT_DURATION);
  assert_string_equal(p->desc.options[0].def, "1s");
  assert_int_equal(p->desc.options[1].type, BN_OPT_END);
  assert_non_null(p->desc.init);
  assert_non_null(p->desc.destroy);
  ops = p->desc.ops;
  assert_non_null(ops);
  assert_int_equal(ops->struct_size, sizeof(bn_probe_ops));
  assert_non_null(ops->start);
  assert_non_null(ops->stop);
  /* The plugin's code really runs from the loaded object. */
  {
    void *ctx = NULL;

    assert_int_equal(p->desc.init(NULL, &ctx), 0);
    assert_non_null(ctx);
    assert_int_equal(ops->start(ctx), 0);
    ops->stop(ctx);
    p->desc.destroy(ctx);
  }
}

static void test_relative_path_made_absolute(void **state)
{
  fx *f = *state;
  char path[PATH_MAX], cwd[PATH_MAX], real[PATH_MAX];
  char want[PATH_MAX + 16];
  const loader_plugin *p;

  put_fixture(f->dir, "good.so", "good.so", path, sizeof(path));
  /* getcwd() gives the resolved name of the directory. */
  assert_non_null(realpath(f->dir, real));
  assert_non_null(getcwd(cwd, sizeof(cwd)));
  assert_int_equal(chdir(f->dir), 0);
  assert_int_equal(loader_load_file(f->ld, "./good.so"), 0);
  assert_int_equal(chdir(cwd), 0);
  p = loader_find(f->ld, "fixture-good");
  assert_non_null(p);
  snprintf(want, sizeof(want), "%s/./good.so", real);
  assert_string_equal(p->file, want);
}

static void test_missing_symbol(void **state)
{
  fx *f = *state;
  char want[PATH_MAX + 200];

  snprintf(want, sizeof(want),
           "%s/nosym.so: no bn_plugin_descriptor symbol: not a Bottleneck "
           "plugin; build it with BN_PLUGIN",
           f->dir);
  load_refused(f, "nosym.so", BN_ENOENT, want);
}

static void test_wrong_major(void **state)
{
  fx *f = *state;
  char want[PATH_MAX + 200];

  /* major.so is an ABI 2.1 plugin: the refusal says how to port it */
  snprintf(want, sizeof(want),
           "%s/major.so: plugin ABI 2.1, this bottleneck needs 3.%d; port "
           "the plugin to SDK 3.x (declare its metrics, BN_INIT on "
           "samples and events, BN_PLUGIN descriptor: docs/sdk.md, "
           "'From 2.x to 3.0') and rebuild it",
           f->dir, BN_ABI_MINOR);
  load_refused(f, "major.so", BN_ENOTSUP, want);
}

static void test_newer_minor(void **state)
{
  fx *f = *state;
  char want[PATH_MAX + 200];

  snprintf(want, sizeof(want),
           "%s/minor.so: plugin ABI %d.%d is newer than this bottleneck's "
           "%d.%d; upgrade bottleneck or rebuild the plugin against SDK "
           "%d.%d",
           f->dir, BN_ABI_MAJOR, BN_ABI_MINOR + 1, BN_ABI_MAJOR, BN_ABI_MINOR,
           BN_ABI_MAJOR, BN_ABI_MINOR);
  load_refused(f, "minor.so", BN_ENOTSUP, want);
}

static void test_short_struct(void **state)
{
  fx *f = *state;
  char want[PATH_MAX + 200];

  snprintf(want, sizeof(want),
           "%s/short.so: descriptor is too short (8 bytes, at least %zu "
           "needed); rebuild the plugin against this SDK",
           f->dir, offsetof(bn_plugin, ops) + sizeof(void *));
  load_refused(f, "short.so", BN_EINVAL, want);
}

static void test_unknown_kind(void **state)
{
  fx *f = *state;
  char want[PATH_MAX + 200];

  snprintf(want, sizeof(want),
           "%s/kind.so: descriptor has unknown kind 99; rebuild the plugin",
           f->dir);
  load_refused(f, "kind.so", BN_EINVAL, want);
}

static void test_no_name(void **state)
{
  fx *f = *state;
  char want[PATH_MAX + 200];

  snprintf(want, sizeof(want),
           "%s/noname.so: descriptor has no name; rebuild the plugin", f->dir);
  load_refused(f, "noname.so", BN_EINVAL, want);
}

/* The shortest accepted descriptor: what lies past its struct_size is
 * zero in the copy even though the object holds something there. */
static void test_old_descriptor_tail_zeroed(void **state)
{
  fx *f = *state;
  char path[PATH_MAX];
  const loader_plugin *p;
  size_t i;

  put_fixture(f->dir, "old.so", "old.so", path, sizeof(path));
  assert_int_equal(loader_load_file(f->ld, path), 0);
  p = loader_find(f->ld, "fixture-aaa-old");
  assert_non_null(p);
  assert_int_equal(p->desc.struct_size,
                   offsetof(bn_plugin, ops) + sizeof(void *));
  assert_int_equal(p->desc.kind, BN_KIND_SPEEDTEST);
  assert_string_equal(loader_kind_name(p->desc.kind), "speedtest");
  assert_non_null(p->desc.ops);
  for (i = 0; i < sizeof(p->desc.reserved) / sizeof(p->desc.reserved[0]); i++)
    assert_null(p->desc.reserved[i]);

  /* Loaded after it, the probe still sorts first: kind before name. */
  put_fixture(f->dir, "good.so", "good.so", path, sizeof(path));
  assert_int_equal(loader_load_file(f->ld, path), 0);
  assert_int_equal(loader_count(f->ld), 2);
  assert_string_equal(loader_at(f->ld, 0)->desc.name, "fixture-good");
  assert_ptr_equal(loader_at(f->ld, 1), p);
}

static void test_not_loadable(void **state)
{
  fx *f = *state;
  char path[PATH_MAX], head[PATH_MAX + 64], tail[PATH_MAX + 64];
  const char *e;
  size_t le, lt;

  snprintf(path, sizeof(path), "%s/junk.so", f->dir);
  write_text(path, "this is not an ELF object\n");
  assert_int_equal(loader_load_file(f->ld, path), BN_EINVAL);
  assert_int_equal(loader_n_errors(f->ld), 1);
  e = loader_error(f->ld, 0);
  /* The middle is libltdl's (dlerror's) text, which varies by libc. */
  snprintf(head, sizeof(head), "%s: not a loadable shared object (", path);
  snprintf(tail, sizeof(tail), "); check it with 'ldd %s'", path);
  le = strlen(e);
  lt = strlen(tail);
  assert_true(le > strlen(head) + lt);
  assert_memory_equal(e, head, strlen(head));
  assert_string_equal(e + le - lt, tail);
  assert_null(strchr(e, '\n'));
  assert_refusal(f->ld, 0, e);
}

static void test_truncated_object(void **state)
{
  fx *f = *state;
  char from[PATH_MAX], path[PATH_MAX], head[PATH_MAX + 64];

  /* Only the ELF header: the program headers lie past the end. */
  snprintf(from, sizeof(from), "%s/good.so", FIXTURE_DIR);
  snprintf(path, sizeof(path), "%s/cut.so", f->dir);
  copy_file(from, path, 64);
  assert_int_equal(loader_load_file(f->ld, path), BN_EINVAL);
  snprintf(head, sizeof(head), "%s: not a loadable shared object (", path);
  assert_int_equal(loader_n_errors(f->ld), 1);
  assert_memory_equal(loader_error(f->ld, 0), head, strlen(head));
  /* Cut inside a segment: glibc would map past the end of the file and
   * die of SIGBUS; the loader must see it first. */
  snprintf(path, sizeof(path), "%s/half.so", f->dir);
  copy_file(from, path, 4000);
  assert_int_equal(loader_load_file(f->ld, path), BN_EINVAL);
  assert_int_equal(loader_n_errors(f->ld), 2);
  snprintf(head, sizeof(head),
           "%s: not a loadable shared object (truncated: ", path);
  assert_memory_equal(loader_error(f->ld, 1), head, strlen(head));
  /* An empty file, too. */
  snprintf(path, sizeof(path), "%s/empty.so", f->dir);
  write_text(path, "");
  assert_int_equal(loader_load_file(f->ld, path), BN_EINVAL);
  assert_int_equal(loader_n_errors(f->ld), 3);
  assert_int_equal(loader_count(f->ld), 0);
}

/* Called directly on a fifo, the loader must not block in open(). */
static void test_fifo(void **state)
{
  fx *f = *state;
  char path[PATH_MAX], want[3 * PATH_MAX];

  snprintf(path, sizeof(path), "%s/pipe.so", f->dir);
  assert_int_equal(mkfifo(path, 0644), 0);
  assert_int_equal(loader_load_file(f->ld, path), BN_EINVAL);
  snprintf(want, sizeof(want),
           "%s: not a loadable shared object (not a regular file); check "
           "it with 'ldd %s'",
           path, path);
  assert_refusal(f->ld, 0, want);
  /* A scan skips it without a word. */
  assert_int_equal(loader_scan_dir(f->ld, f->dir), 0);
  assert_int_equal(loader_n_errors(f->ld), 1);
}

static void test_missing_file(void **state)
{
  fx *f = *state;
  char path[PATH_MAX], head[PATH_MAX + 64];

  snprintf(path, sizeof(path), "%s/absent.so", f->dir);
  assert_int_equal(loader_load_file(f->ld, path), BN_EINVAL);
  snprintf(head, sizeof(head), "%s: not a loadable shared object (", path);
  assert_int_equal(loader_n_errors(f->ld), 1);
  assert_memory_equal(loader_error(f->ld, 0), head, strlen(head));
}

/* A directory scan: sorted order decides which of two same-named
 * plugins wins, and only regular *.so files are tried. */
static void test_scan_dir(void **state)
{
  fx *f = *state;
  char path[PATH_MAX], good[PATH_MAX], dup[PATH_MAX], link[PATH_MAX];
  char want[3 * PATH_MAX];
  const loader_plugin *p;

  put_fixture(f->dir, "good.so", "good.so", good, sizeof(good));
  put_fixture(f->dir, "dup.so", "dup.so", dup, sizeof(dup));
  put_fixture(f->dir, "old.so", "old.so", path, sizeof(path));
  /* Not tried: wrong suffix, a directory, links to non-regular files. */
  put_fixture(f->dir, "nosym.so", "nosym.so.1", path, sizeof(path));
  put_fixture(f->dir, "nosym.so", "nosym.la", path, sizeof(path));
  snprintf(path, sizeof(path), "%s/sub.so", f->dir);
  assert_int_equal(mkdir(path, 0755), 0);
  snprintf(link, sizeof(link), "%s/dirlink.so", f->dir);
  assert_int_equal(symlink(path, link), 0);
  snprintf(link, sizeof(link), "%s/dangling.so", f->dir);
  assert_int_equal(symlink("/nonexistent/x.so", link), 0);
  /* Tried: a link to a regular file (same name as good: refused). */
  snprintf(link, sizeof(link), "%s/zz-link.so", f->dir);
  assert_int_equal(symlink(good, link), 0);

  assert_int_equal(loader_scan_dir(f->ld, f->dir), 2);
  assert_int_equal(loader_count(f->ld), 2);
  /* Sorted by kind (probe before reporter), then name. */
  assert_string_equal(loader_at(f->ld, 0)->desc.name, "fixture-good");
  assert_string_equal(loader_at(f->ld, 1)->desc.name, "fixture-aaa-old");
  /* dup.so sorts before good.so, so it is the one loaded. */
  p = loader_find(f->ld, "fixture-good");
  assert_string_equal(p->desc.version, "9.9");
  assert_string_equal(p->file, dup);
  assert_int_equal(loader_n_errors(f->ld), 2);
  snprintf(want, sizeof(want),
           "%s: probe plugin name 'fixture-good' is already loaded from %s; "
           "remove one of them",
           good, dup);
  assert_refusal(f->ld, 0, want);
  snprintf(want, sizeof(want),
           "%s: probe plugin name 'fixture-good' is already loaded from %s; "
           "remove one of them",
           link, dup);
  assert_refusal(f->ld, 1, want);
}

static void test_scan_dir_with_junk(void **state)
{
  fx *f = *state;
  char path[PATH_MAX], head[PATH_MAX + 64];

  put_fixture(f->dir, "good.so", "good.so", path, sizeof(path));
  snprintf(path, sizeof(path), "%s/junk.so", f->dir);
  write_text(path, "garbage\n");
  assert_int_equal(loader_scan_dir(f->ld, f->dir), 1);
  assert_non_null(loader_find(f->ld, "fixture-good"));
  assert_int_equal(loader_n_errors(f->ld), 1);
  snprintf(head, sizeof(head), "%s: not a loadable shared object (", path);
  assert_memory_equal(loader_error(f->ld, 0), head, strlen(head));
}

static void check_writable_refused(fx *f, mode_t mode)
{
  char path[PATH_MAX], want[3 * PATH_MAX];

  put_fixture(f->dir, "good.so", "good.so", path, sizeof(path));
  assert_int_equal(chmod(f->dir, mode), 0);
  assert_int_equal(loader_scan_dir(f->ld, f->dir), BN_EINVAL);
  assert_int_equal(loader_count(f->ld), 0);
  assert_int_equal(loader_n_errors(f->ld), 1);
  snprintf(want, sizeof(want),
           "%s: plugin directory is writable by group or others; refusing "
           "to load from it; fix with 'chmod go-w %s'",
           f->dir, f->dir);
  assert_refusal(f->ld, 0, want);
}

static void test_world_writable_dir(void **state)
{
  check_writable_refused(*state, 0777);
}

static void test_group_writable_dir(void **state)
{
  check_writable_refused(*state, 0775);
}

static void test_scan_dir_missing(void **state)
{
  fx *f = *state;
  char path[PATH_MAX];

  snprintf(path, sizeof(path), "%s/absent", f->dir);
  assert_int_equal(loader_scan_dir(f->ld, path), BN_ENOENT);
  assert_int_equal(loader_n_errors(f->ld), 0);
}

/* Number of recorded errors that mention `dir` (the installed
 * PKGLIBDIR is scanned too and is none of the test's business). */
static size_t errors_about(const loader *ld, const char *dir)
{
  size_t i, n = 0;

  for (i = 0; i < loader_n_errors(ld); i++)
    if (strstr(loader_error(ld, i), dir))
      n++;
  return n;
}

static const char *error_about(const loader *ld, const char *dir)
{
  size_t i;

  for (i = 0; i < loader_n_errors(ld); i++)
    if (strstr(loader_error(ld, i), dir))
      return loader_error(ld, i);
  return NULL;
}

/* BOTTLENECK_PLUGIN_PATH in order; the first copy of a name wins. */
static void test_scan_env_order(void **state)
{
  fx *f = *state;
  char env[3 * PATH_MAX], first[PATH_MAX], second[PATH_MAX];
  char want[3 * PATH_MAX];
  const loader_plugin *p;

  put_fixture(f->dir, "good.so", "good.so", first, sizeof(first));
  put_fixture(f->dir2, "dup.so", "dup.so", second, sizeof(second));
  /* Empty and missing entries are skipped without a word; the same
   * directory twice is scanned once. */
  snprintf(env, sizeof(env), "%s::/nonexistent/bn-plugins:%s:%s", f->dir,
           f->dir2, f->dir);
  assert_int_equal(setenv("BOTTLENECK_PLUGIN_PATH", env, 1), 0);
  assert_true(loader_scan(f->ld, NULL) >= 1);
  p = loader_find(f->ld, "fixture-good");
  assert_non_null(p);
  assert_string_equal(p->file, first);
  assert_string_equal(p->desc.version, "1.2.3");
  assert_int_equal(errors_about(f->ld, "/nonexistent/"), 0);
  assert_int_equal(errors_about(f->ld, f->dir2), 1);
  assert_int_equal(errors_about(f->ld, f->dir), 1);
  snprintf(want, sizeof(want),
           "%s: probe plugin name 'fixture-good' is already loaded from %s; "
           "remove one of them",
           second, first);
  assert_string_equal(error_about(f->ld, f->dir2), want);
}

/* --plugin-dir comes before the environment. */
static void test_scan_plugin_dir_first(void **state)
{
  fx *f = *state;
  char first[PATH_MAX], second[PATH_MAX], want[3 * PATH_MAX];
  const loader_plugin *p;

  put_fixture(f->dir, "good.so", "good.so", second, sizeof(second));
  put_fixture(f->dir2, "dup.so", "dup.so", first, sizeof(first));
  assert_int_equal(setenv("BOTTLENECK_PLUGIN_PATH", f->dir, 1), 0);
  assert_true(loader_scan(f->ld, f->dir2) >= 1);
  p = loader_find(f->ld, "fixture-good");
  assert_non_null(p);
  assert_string_equal(p->file, first);
  assert_string_equal(p->desc.version, "9.9");
  snprintf(want, sizeof(want),
           "%s: probe plugin name 'fixture-good' is already loaded from %s; "
           "remove one of them",
           second, first);
  assert_string_equal(error_about(f->ld, second), want);
  /* Shadowed by an earlier directory: recorded, but no warning line. */
  for (size_t k = 0; k < n_log_lines; k++)
    assert_null(strstr(log_lines[k], second));
}

static void test_scan_missing_plugin_dir(void **state)
{
  fx *f = *state;
  char missing[PATH_MAX], want[PATH_MAX + 64];

  snprintf(missing, sizeof(missing), "%s/not-there", f->dir);
  assert_int_equal(setenv("BOTTLENECK_PLUGIN_PATH", "/nonexistent/bn", 1), 0);
  loader_scan(f->ld, missing);
  assert_int_equal(errors_about(f->ld, f->dir), 1);
  snprintf(want, sizeof(want), "%s: plugin directory not found", missing);
  assert_string_equal(error_about(f->ld, f->dir), want);
  assert_int_equal(errors_about(f->ld, "/nonexistent/bn"), 0);
}

static void test_scan_writable_env_dir(void **state)
{
  fx *f = *state;
  char path[PATH_MAX];

  put_fixture(f->dir, "good.so", "good.so", path, sizeof(path));
  assert_int_equal(chmod(f->dir, 0777), 0);
  assert_int_equal(setenv("BOTTLENECK_PLUGIN_PATH", f->dir, 1), 0);
  loader_scan(f->ld, NULL);
  assert_null(loader_find(f->ld, "fixture-good"));
  assert_int_equal(errors_about(f->ld, f->dir), 1);
  assert_non_null(strstr(error_about(f->ld, f->dir),
                         ": plugin directory is writable by group or "
                         "others; refusing to load from it;"));
}

static void test_kind_names(void **state)
{
  assert_string_equal(loader_kind_name(BN_KIND_PROBE), "probe");
  assert_string_equal(loader_kind_name(BN_KIND_SPEEDTEST), "speedtest");
  assert_string_equal(loader_kind_name(BN_KIND_ANOMALY), "anomaly");
  assert_string_equal(loader_kind_name(BN_KIND_EXPORTER), "exporter");
  assert_string_equal(loader_kind_name(BN_KIND_REPORTER), "reporter");
  assert_string_equal(loader_kind_name((bn_kind)0), "unknown");
  assert_string_equal(loader_kind_name((bn_kind)99), "unknown");
}

/* Two loaders at once: libltdl stays initialised until the last goes. */
static void test_two_loaders(void **state)
{
  fx *f = *state;
  char path[PATH_MAX];
  loader *other;

  put_fixture(f->dir, "good.so", "good.so", path, sizeof(path));
  other = loader_new();
  assert_non_null(other);
  assert_int_equal(loader_load_file(other, path), 0);
  loader_free(other);
  assert_int_equal(loader_load_file(f->ld, path), 0);
  assert_non_null(loader_find(f->ld, "fixture-good"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_good_loads, setup, teardown),
      cmocka_unit_test_setup_teardown(test_relative_path_made_absolute, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_missing_symbol, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wrong_major, setup, teardown),
      cmocka_unit_test_setup_teardown(test_newer_minor, setup, teardown),
      cmocka_unit_test_setup_teardown(test_short_struct, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unknown_kind, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_name, setup, teardown),
      cmocka_unit_test_setup_teardown(test_old_descriptor_tail_zeroed, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_not_loadable, setup, teardown),
      cmocka_unit_test_setup_teardown(test_truncated_object, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fifo, setup, teardown),
      cmocka_unit_test_setup_teardown(test_scan_dir, setup, teardown),
      cmocka_unit_test_setup_teardown(test_scan_dir_with_junk, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_world_writable_dir, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_group_writable_dir, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_scan_dir_missing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_scan_env_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_scan_plugin_dir_first, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_scan_missing_plugin_dir, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_scan_writable_env_dir, setup,
                                      teardown),
      cmocka_unit_test(test_kind_names),
      cmocka_unit_test_setup_teardown(test_two_loaders, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
