/*
 * test_omnetpp.c - the OMNeT++ result file parser (core/sim/omnetpp_parse.c):
 * every line kind of format versions 2 and 3, quoting and escapes, a
 * file without a version line (OMNeT++ 4.0), and malformed lines with
 * their exact column; the name-to-role mappings (core/sim/sim_import.c).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "omnetpp_parse.h"
#include "sim_import.h"

/* Feed lines to a fresh parser; the last line's result into *out, with
 * its return value.  Earlier lines must parse. */
typedef struct feed {
  omn_parser *p;
  char buf[512];
  omn_line l;
  omn_error e;
} feed;

static int feed_line(feed *f, const char *line)
{
  snprintf(f->buf, sizeof(f->buf), "%s", line);
  return omn_parse_line(f->p, f->buf, strlen(f->buf), &f->l, &f->e);
}

static void feed_ok(feed *f, const char *line, omn_kind kind)
{
  int rc = feed_line(f, line);

  if (rc != 0)
    fail_msg("'%s': col %zu: %s", line, f->e.col, f->e.msg);
  assert_int_equal(f->l.kind, kind);
}

static int setup(void **state)
{
  feed *f = calloc(1, sizeof(*f));

  f->p = omn_new();
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  feed *f = *state;

  omn_free(f->p);
  free(f);
  return 0;
}

static void test_v2_all_kinds(void **state)
{
  feed *f = *state;

  feed_ok(f, "version 2", OMN_VERSION);
  assert_int_equal(omn_version(f->p), 2);
  feed_ok(f, "", OMN_NONE);
  feed_ok(f, "   # a comment with an \"unbalanced quote", OMN_NONE);
  feed_ok(f, "run OneFifo-0-20081210-11:48:12-11130", OMN_RUN);
  assert_string_equal(f->l.tok[0], "OneFifo-0-20081210-11:48:12-11130");
  feed_ok(f, "attr iterationvars \"\"", OMN_ATTR);
  assert_int_equal(f->l.scope, OMN_SCOPE_RUN);
  assert_string_equal(f->l.tok[0], "iterationvars");
  assert_string_equal(f->l.tok[1], "");
  feed_ok(f, "param **.sink.delay  \"exponential(1s)\"", OMN_PARAM);
  assert_string_equal(f->l.tok[0], "**.sink.delay");
  assert_string_equal(f->l.tok[1], "exponential(1s)");
  feed_ok(f, "vector 9  SimpleQueue.queue  \"queueing time\"  ETV",
          OMN_VECTOR);
  assert_int_equal(f->l.vector_id, 9);
  assert_string_equal(f->l.tok[1], "SimpleQueue.queue");
  assert_string_equal(f->l.tok[2], "queueing time");
  assert_string_equal(f->l.tok[3], "ETV");
  feed_ok(f, "attr unit s", OMN_ATTR);
  assert_int_equal(f->l.scope, OMN_SCOPE_VECTOR);
  feed_ok(f, "vector 3 m noColumns", OMN_VECTOR);
  assert_string_equal(f->l.tok[3], "ETV"); /* the default */
  feed_ok(f, "9\t6\t2.540824900056\t1.340831700958", OMN_DATA);
  assert_int_equal(f->l.vector_id, 9);
  assert_int_equal(f->l.event, 6);
  assert_true(f->l.has_time);
  assert_true(fabs(f->l.time - 2.540824900056) < 1e-12);
  assert_true(fabs(f->l.value - 1.340831700958) < 1e-12);
  feed_ok(f, "3 7 3.5 nan", OMN_DATA);
  assert_true(isnan(f->l.value));
  feed_ok(f, "scalar Aloha.server \t\"total frames\" \t711", OMN_SCALAR);
  assert_string_equal(f->l.tok[0], "Aloha.server");
  assert_string_equal(f->l.tok[1], "total frames");
  assert_true(f->l.num == 711);
  feed_ok(f, "scalar m inf -inf", OMN_SCALAR);
  assert_true(isinf(f->l.num) && f->l.num < 0);
  feed_ok(f, "statistic Aloha.server \t\"collision multiplicity\"",
          OMN_STATISTIC);
  feed_ok(f, "field count 176", OMN_FIELD);
  assert_string_equal(f->l.tok[0], "count");
  assert_true(f->l.num == 176);
  feed_ok(f, "attr unit  packets", OMN_ATTR);
  assert_int_equal(f->l.scope, OMN_SCOPE_STATISTIC);
  feed_ok(f, "bin\t-INF\t0", OMN_BIN);
  assert_true(isinf(f->l.num) && f->l.num < 0);
  assert_true(f->l.num2 == 0);
  feed_ok(f, "bin\t1.5\t79", OMN_BIN);
  assert_true(f->l.num == 1.5 && f->l.num2 == 79);
  assert_int_equal(omn_finish(f->p, &f->e), 0);
}

static void test_v3_all_kinds(void **state)
{
  feed *f = *state;

  feed_ok(f, "version 3", OMN_VERSION);
  assert_int_equal(omn_version(f->p), 3);
  feed_ok(f, "run General-0-20210101-10:00:00-1234", OMN_RUN);
  feed_ok(f, "attr configname General", OMN_ATTR);
  feed_ok(f, "itervar rate 10Mbps", OMN_ITERVAR);
  assert_string_equal(f->l.tok[0], "rate");
  assert_string_equal(f->l.tok[1], "10Mbps");
  feed_ok(f, "config sim-time-limit 100s", OMN_CONFIG);
  assert_string_equal(f->l.tok[0], "sim-time-limit");
  feed_ok(f, "par Net.host[0] sendInterval \"exponential(1s)\"", OMN_PAR);
  assert_string_equal(f->l.tok[0], "Net.host[0]");
  assert_string_equal(f->l.tok[2], "exponential(1s)");
  feed_ok(f, "attr unit s", OMN_ATTR);
  assert_int_equal(f->l.scope, OMN_SCOPE_PAR);
  feed_ok(f, "vector 0 Net.sink \"delay:vector\" TV", OMN_VECTOR);
  assert_string_equal(f->l.tok[3], "TV");
  feed_ok(f, "attr recordingmode vector", OMN_ATTR);
  feed_ok(f, "0\t1.25\t0.003", OMN_DATA);
  assert_int_equal(f->l.event, -1);
  assert_true(f->l.time == 1.25 && f->l.value == 0.003);
  feed_ok(f, "vector 1 Net.sink v V", OMN_VECTOR);
  feed_ok(f, "1 42", OMN_DATA);
  assert_false(f->l.has_time);
  assert_true(f->l.value == 42);
  feed_ok(f, "scalar Net.sink \"delay:mean\" 0.0042", OMN_SCALAR);
  feed_ok(f, "statistic Net.sink delay:histogram", OMN_STATISTIC);
  feed_ok(f, "field mean 0.0042", OMN_FIELD);
  feed_ok(f, "bin -inf 0", OMN_BIN);
  feed_ok(f, "bin 0 12.5", OMN_BIN); /* weighted histograms: fractional */
  assert_int_equal(omn_finish(f->p, &f->e), 0);
}

static void test_quoting(void **state)
{
  feed *f = *state;

  feed_ok(f, "version 2", OMN_VERSION);
  feed_ok(f, "run r", OMN_RUN);
  feed_ok(f, "scalar \"a b\" \"say \\\"hi\\\" \\\\ done\" 1", OMN_SCALAR);
  assert_string_equal(f->l.tok[0], "a b");
  assert_string_equal(f->l.tok[1], "say \"hi\" \\ done");
  feed_ok(f, "attr x \"tab\\there\\nnl\\x41\\x7a\"", OMN_ATTR);
  assert_string_equal(f->l.tok[1], "tab\there\nnlAz");
  feed_ok(f, "attr bare a\\ b\\\\c", OMN_ATTR);
  assert_string_equal(f->l.tok[1], "a b\\c");
  feed_ok(f, "attr empty \"\"", OMN_ATTR);
  assert_string_equal(f->l.tok[1], "");
  feed_ok(f, "attr \"#not a comment\" v", OMN_ATTR);
  assert_string_equal(f->l.tok[0], "#not a comment");
}

static void test_no_version_line(void **state)
{
  feed *f = *state;

  /* OMNeT++ 4.0 files start with the run line */
  feed_ok(f, "run TokenRing1-0-20080514-18:19:44-3248", OMN_RUN);
  assert_int_equal(omn_version(f->p), 2);
  feed_ok(f, "vector 5 TokenRing.comp[0].mac \"Queue length (packets)\" ETV",
          OMN_VECTOR);
  feed_ok(f, "5\t56\t0.022021\t1", OMN_DATA);
  /* but a version line cannot come later */
  assert_int_equal(feed_line(f, "version 2"), -1);
  assert_int_equal(f->e.col, 1);
}

typedef struct bad {
  const char *pre; /* lines before, '\n' separated */
  const char *line;
  size_t col;
  const char *msg; /* a substring */
} bad;

static const bad bads[] = {
    {"", "version 4", 9, "not supported"},
    {"", "version two", 9, "not supported"},
    {"", "attr a b", 1, "before the 'version' line"},
    {"", "1 2 3 4", 1, "data before the 'version' line"},
    {"version 2", "attr a b", 1, "before any 'run' line"},
    {"version 2", "version 2", 1, "must be the first line"},
    {"version 2\nrun r", "foo bar", 1, "unknown entry 'foo'"},
    {"version 2\nrun r", "run a b", 7, "extra 'b'"},
    {"version 2\nrun r", "scalar m n", 11, "needs 3 field(s), got 2"},
    {"version 2\nrun r", "scalar m n x1", 12, "not a number"},
    {"version 2\nrun r", "vector 1 m \"unterminated", 12, "unterminated"},
    {"version 2\nrun r", "vector 1 m \"end\\", 16, "unterminated"},
    {"version 2\nrun r", "attr \"a\"b c", 9, "space must follow"},
    {"version 2\nrun r", "attr a\"b c", 7, "quote inside a bare token"},
    {"version 2\nrun r", "attr a b\\", 9, "backslash ends the line"},
    {"version 2\nrun r", "attr a \"\\xZ1\"", 9, "two hex digits"},
    {"version 2\nrun r", "\"attr\" a b", 1, "bare keyword"},
    {"version 2\nrun r", "vector x m n", 8, "not an integer"},
    {"version 2\nrun r", "vector 1 m n ETX", 14, "columns 'ETX'"},
    {"version 2\nrun r", "vector 1 m n TT", 14, "columns 'TT'"},
    {"version 2\nrun r", "vector 1 m n ET", 14, "V required"},
    {"version 2\nrun r\nvector 1 m n", "vector 1 m o", 8, "declared twice"},
    {"version 2\nrun r", "7 1 2.0 3", 1, "no vector line declared"},
    {"version 2\nrun r", "x7 1 2.0 3", 1, "unknown entry"},
    {"version 2\nrun r\nvector 1 m n ETV", "1 2 3.0", 5, "want 3 values"},
    {"version 2\nrun r\nvector 1 m n ETV", "1 2 3.0 4 5", 11,
     "want 3 values, got 4"},
    {"version 2\nrun r\nvector 1 m n ETV", "1 2 3.0 abc", 9,
     "value 'abc' is not a number"},
    {"version 2\nrun r\nvector 1 m n ETV", "1 2 -3.0 1", 5,
     "time '-3.0' is not a non-negative"},
    {"version 2\nrun r\nvector 1 m n ETV", "1 2.5 3.0 1", 3,
     "event number '2.5'"},
    {"version 2\nrun r", "field count 3", 1, "outside a statistic"},
    {"version 2\nrun r\nscalar m n 1", "bin 0 3", 1, "outside a statistic"},
    {"version 2\nrun r\nstatistic m n", "bin 0 -3", 7, "bin count"},
    {"version 2\nrun r\nstatistic m n", "field mean x", 12, "field value"},
    {"version 2\nrun r\nvector 1 m n", "param a b", 1, "run header"},
    {"version 3\nrun r\nscalar m n 1", "itervar a b", 1, "run header"},
};

static void test_malformed(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
    feed f;
    char pre[256], *save = NULL, *l;

    memset(&f, 0, sizeof(f));
    f.p = omn_new();
    snprintf(pre, sizeof(pre), "%s", bads[i].pre);
    for (l = strtok_r(pre, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
      if (feed_line(&f, l) != 0)
        fail_msg("case %zu: setup line '%s': %s", i, l, f.e.msg);
    if (feed_line(&f, bads[i].line) != -1)
      fail_msg("case %zu: '%s' parsed", i, bads[i].line);
    if (f.e.col != bads[i].col || !strstr(f.e.msg, bads[i].msg))
      fail_msg("case %zu: '%s': col %zu '%s', want col %zu '%s'", i,
               bads[i].line, f.e.col, f.e.msg, bads[i].col, bads[i].msg);
    omn_free(f.p);
  }
}

static void test_empty_file(void **state)
{
  feed *f = *state;

  feed_ok(f, "# only a comment", OMN_NONE);
  assert_int_equal(omn_finish(f->p, &f->e), -1);
  assert_int_equal(f->e.col, 1);
  assert_non_null(strstr(f->e.msg, "no 'run' line"));
}

static void test_maps(void **state)
{
  sim_maps m = {NULL, 0, 0};
  char err[256];
  const sim_map *e;

  (void)state;
  assert_int_equal(sim_map_add(&m, "total delay=latency:s", err, sizeof(err)),
                   0);
  assert_int_equal(sim_map_add(&m, "*drop*=loss", err, sizeof(err)), 0);
  assert_int_equal(sim_map_add(&m, "a=b=throughput:Mbps", err, sizeof(err)),
                   0);
  assert_int_equal(sim_map_add(&m, "q*=gauge:packets", err, sizeof(err)), 0);
  e = sim_map_find(&m, "Total Delay");
  assert_non_null(e);
  assert_int_equal(e->role, BN_ROLE_LATENCY);
  assert_string_equal(e->unit_out, "ms");
  assert_true(e->scale == 1000);
  e = sim_map_find(&m, "dropped jobs");
  assert_int_equal(e->role, BN_ROLE_LOSS);
  assert_true(e->scale == 100); /* a ratio by default, stored in percent */
  e = sim_map_find(&m, "a=b");
  assert_int_equal(e->role, BN_ROLE_THROUGHPUT);
  assert_true(e->scale == 1e6);
  e = sim_map_find(&m, "queue length");
  assert_int_equal(e->role, BN_ROLE_GAUGE);
  assert_null(e->unit_out);
  assert_string_equal(e->unit_in, "packets");
  assert_null(sim_map_find(&m, "total lifetime"));

  assert_int_equal(sim_map_add(&m, "nothing", err, sizeof(err)), -1);
  assert_non_null(strstr(err, "is not NAME=ROLE[:UNIT]"));
  assert_int_equal(sim_map_add(&m, "x=speed", err, sizeof(err)), -1);
  assert_non_null(strstr(err, "unknown role 'speed'"));
  assert_int_equal(sim_map_add(&m, "x=latency:h", err, sizeof(err)), -1);
  assert_non_null(strstr(err, "unit 'h' is not one of s, ms, us, ns"));
  assert_int_equal(sim_map_add(&m, "=latency", err, sizeof(err)), -1);
  assert_int_equal(m.n, 4);
  sim_maps_free(&m);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_v2_all_kinds, setup, teardown),
      cmocka_unit_test_setup_teardown(test_v3_all_kinds, setup, teardown),
      cmocka_unit_test_setup_teardown(test_quoting, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_version_line, setup, teardown),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test_setup_teardown(test_empty_file, setup, teardown),
      cmocka_unit_test(test_maps),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
