/*
 * test_prom_text.c - the prometheus exporter's text format and metric
 * table (plugins/exporter-prometheus): escaping, numbers, units, and the
 * values a known series of samples, paths and events must give.
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prom_table.h"
#include "prom_text.h"

static char *render(prom_table *t)
{
  prom_buf b = {0};

  prom_table_drain(t, 1);
  assert_int_equal(prom_table_render(t, &b), 0);
  return prom_buf_take(&b, NULL);
}

/* The value of the line that starts with `series` + ' ', or fail. */
#define value_of(text, series) value_at((text), (series), __FILE__, __LINE__)

static double value_at(const char *text, const char *series, const char *file,
                       int line)
{
  size_t n = strlen(series);
  const char *p = text;

  while (p && *p) {
    if (!strncmp(p, series, n) && p[n] == ' ')
      return strtod(p + n + 1, NULL);
    p = strchr(p, '\n');
    if (p)
      p++;
  }
  print_error("no line '%s' in:\n%s\n", series, text);
  _fail(file, line);
  return NAN;
}

#define assert_near(a, b) assert_near_at((a), (b), __FILE__, __LINE__)

static void assert_near_at(double a, double b, const char *file, int line)
{
  if (fabs(a - b) <= 1e-12 * (fabs(b) > 1 ? fabs(b) : 1))
    return;
  print_error("%.17g != %.17g\n", a, b);
  _fail(file, line);
}

static char *text_of(void (*fn)(prom_buf *, const char *), const char *in)
{
  prom_buf b = {0};

  fn(&b, in);
  return prom_buf_take(&b, NULL);
}

static void test_escaping(void **state)
{
  char *s = text_of(prom_label_value, "a\"b\\c\nd");

  assert_string_equal(s, "a\\\"b\\\\c\\nd");
  free(s);
  s = text_of(prom_help_text, "say \"hi\"\\\n");
  assert_string_equal(s, "say \"hi\"\\\\\\n");
  free(s);
  s = text_of(prom_label_value, "");
  assert_null(s); /* nothing written, nothing allocated */
}

static char *num(double v)
{
  static char out[64];
  prom_buf b = {0};

  prom_double(&b, v);
  snprintf(out, sizeof(out), "%s", b.p ? b.p : "");
  prom_buf_free(&b);
  return out;
}

static void test_numbers(void **state)
{
  prom_buf b = {0};

  assert_string_equal(num(NAN), "NaN");
  assert_string_equal(num(INFINITY), "+Inf");
  assert_string_equal(num(-INFINITY), "-Inf");
  assert_string_equal(num(0), "0");
  assert_string_equal(num(42), "42");
  assert_string_equal(num(-3), "-3");
  assert_string_equal(num(0.001), "0.001");
  assert_string_equal(num(0.1 + 0.2), "0.30000000000000004");
  assert_string_equal(num(1e-9), "1e-09");
  assert_string_equal(num(1e300), "1e+300");
  prom_u64(&b, UINT64_MAX);
  assert_string_equal(b.p, "18446744073709551615");
  prom_buf_free(&b);
}

static void test_units(void **state)
{
  assert_near(prom_unit_scale("ms", 's'), 1e-3);
  assert_near(prom_unit_scale("us", 's'), 1e-6);
  assert_near(prom_unit_scale("s", 's'), 1);
  assert_near(prom_unit_scale("percent", 'r'), 0.01);
  assert_near(prom_unit_scale("bit/s", 'B'), 0.125);
  assert_near(prom_unit_scale("ms", 'r'), 0);
  assert_near(prom_unit_scale("furlong", 's'), 0);
  assert_near(prom_unit_scale(NULL, 's'), 0);
}

static prom_table *table_new(void)
{
  prom_limits l;
  prom_table *t;

  prom_limits_default(&l);
  l.max_hop_addrs = 1;
  t = prom_table_new(&l);
  assert_non_null(t);
  return t;
}

static void sample(prom_table *t, const char *target, const bn_metric *m,
                   double v, uint32_t flags)
{
  bn_sample s = {BN_INIT(bn_sample), .target = target, .metric = m->name,
                 .value = v, .flags = flags};

  assert_int_equal(prom_table_sample(t, "p1", m, &s), 0);
}

#define LBL "{target=\"web\",probe=\"p1\",metric=\"rtt_ms\"}"

static void test_latency(void **state)
{
  static const bn_metric rtt = {
      .name = "rtt_ms", .unit = "ms", .role = BN_ROLE_LATENCY};
  prom_table *t = table_new();
  char *s;

  sample(t, "web", &rtt, 1, 0);
  sample(t, "web", &rtt, 2, 0);
  sample(t, "web", &rtt, BN_NOT_MEASURED, BN_SAMPLE_LOST);
  sample(t, "web", &rtt, 4, 0);
  sample(t, "web", &rtt, 50, BN_SAMPLE_LATE);     /* not a probe */
  sample(t, "web", &rtt, 900, BN_SAMPLE_INVALID); /* left out */
  s = render(t);
  assert_near(value_of(s, "bottleneck_latency_seconds_bucket{target=\"web\","
                          "probe=\"p1\",metric=\"rtt_ms\",le=\"0.001\"}"),
              1);
  assert_near(value_of(s, "bottleneck_latency_seconds_bucket{target=\"web\","
                          "probe=\"p1\",metric=\"rtt_ms\",le=\"0.0025\"}"),
              2);
  assert_near(value_of(s, "bottleneck_latency_seconds_bucket{target=\"web\","
                          "probe=\"p1\",metric=\"rtt_ms\",le=\"0.005\"}"),
              3);
  assert_near(value_of(s, "bottleneck_latency_seconds_bucket{target=\"web\","
                          "probe=\"p1\",metric=\"rtt_ms\",le=\"+Inf\"}"),
              3);
  assert_near(value_of(s, "bottleneck_latency_seconds_sum" LBL),
              1e-3 + 2e-3 + 4e-3);
  assert_near(value_of(s, "bottleneck_latency_seconds_count" LBL), 3);
  assert_near(value_of(s, "bottleneck_probes_sent_total" LBL), 4);
  assert_near(value_of(s, "bottleneck_probes_lost_total" LBL), 1);
  assert_near(value_of(s, "bottleneck_samples_invalid_total" LBL), 1);
  assert_near(value_of(s, "bottleneck_loss_ratio" LBL), 0.25);
  assert_near(value_of(s, "bottleneck_latency_last_seconds" LBL), 4e-3);
  assert_near(value_of(s, "bottleneck_probe_success" LBL), 1);
  /* RFC 3550: J = 0.001, then J += (0.002 - J) / 16. */
  assert_near(value_of(s, "bottleneck_jitter_seconds" LBL),
              0.001 + (0.002 - 0.001) / 16);
  assert_near(value_of(s, "bottleneck_exporter_samples_total"), 6);
  assert_near(value_of(s, "bottleneck_exporter_series"), 1);
  assert_near(value_of(s, "bottleneck_exporter_scrapes_total"), 1);
  free(s);
  prom_table_free(t);
}

/* Metrics the exporter has never heard of, chosen by role alone. */
static void test_roles(void **state)
{
  static const bn_metric m[] = {
      {.name = "answer_us", .unit = "us", .role = BN_ROLE_LATENCY},
      {.name = "drop_pct", .unit = "percent", .role = BN_ROLE_LOSS},
      {.name = "wobble", .unit = "ms", .role = BN_ROLE_JITTER},
      {.name = "rate", .unit = "bit/s", .role = BN_ROLE_THROUGHPUT},
      {.name = "hops", .unit = "1", .role = BN_ROLE_COUNT},
      {.name = "odd", .unit = "furlong", .role = BN_ROLE_LATENCY},
  };
  prom_table *t = table_new();
  char *s;

  sample(t, "x\"y", &m[0], 1500, 0);
  sample(t, "x\"y", &m[1], 12.5, 0);
  sample(t, "x\"y", &m[2], 3, 0);
  sample(t, "x\"y", &m[3], 8e6, 0);
  sample(t, "x\"y", &m[4], 7, 0);
  sample(t, "x\"y", &m[5], 9, 0);
  s = render(t);
  assert_near(value_of(s, "bottleneck_latency_last_seconds{target=\"x\\\"y\","
                          "probe=\"p1\",metric=\"answer_us\"}"),
              1.5e-3);
  assert_near(value_of(s, "bottleneck_loss_ratio{target=\"x\\\"y\","
                          "probe=\"p1\",metric=\"drop_pct\"}"),
              0.125);
  assert_near(value_of(s, "bottleneck_jitter_seconds{target=\"x\\\"y\","
                          "probe=\"p1\",metric=\"wobble\"}"),
              3e-3);
  assert_near(value_of(s, "bottleneck_throughput_bytes_per_second{target="
                          "\"x\\\"y\",probe=\"p1\",metric=\"rate\"}"),
              1e6);
  assert_near(value_of(s, "bottleneck_metric_value{target=\"x\\\"y\","
                          "probe=\"p1\",metric=\"hops\",role=\"count\","
                          "unit=\"1\"}"),
              7);
  /* A latency in a unit we cannot convert stays as it is, labelled. */
  assert_near(value_of(s, "bottleneck_metric_value{target=\"x\\\"y\","
                          "probe=\"p1\",metric=\"odd\",role=\"latency\","
                          "unit=\"furlong\"}"),
              9);
  free(s);
  prom_table_free(t);
}

static void test_paths(void **state)
{
  bn_hop f1[2] = {
      {BN_INIT(bn_hop), .ttl = 1, .addr = "10.0.0.1", .sent = 3, .received = 3,
       .avg_ms = 1, .best_ms = 0.5, .worst_ms = 2},
      {BN_INIT(bn_hop), .ttl = 2, .addr = "10.0.1.1", .sent = 3, .received = 2,
       .avg_ms = 4, .best_ms = 3, .worst_ms = 5},
  };
  bn_hop f2[2] = {
      {BN_INIT(bn_hop), .ttl = 1, .addr = "10.0.0.1", .sent = 3, .received = 1,
       .avg_ms = 4, .best_ms = 4, .worst_ms = 4},
      {BN_INIT(bn_hop), .ttl = 2, .addr = "10.0.2.1", .sent = 3, .received = 0,
       .avg_ms = BN_NOT_MEASURED, .best_ms = BN_NOT_MEASURED,
       .worst_ms = BN_NOT_MEASURED},
  };
  bn_path p[2] = {
      {BN_INIT(bn_path), .flow_id = 1, .hops = f1, .n_hops = 2},
      {BN_INIT(bn_path), .flow_id = 2, .status = BN_PATH_MAX_TTL, .hops = f2,
       .n_hops = 2},
  };
  bn_path_set ps = {BN_INIT(bn_path_set), .target = "web", .mode = "udp",
                    .paths = p, .n_paths = 2};
  prom_table *t = table_new();
  char *s;

  assert_int_equal(prom_table_paths(t, "tr", &ps), 0);
  assert_int_equal(prom_table_paths(t, "tr", &ps), 0);
  s = render(t);
  /* ttl 1: both flows, (3*1 + 1*4) / 4 answers; best and worst over both */
  assert_near(value_of(s, "bottleneck_hop_rtt_seconds{target=\"web\","
                          "probe=\"tr\",hop=\"1\",addr=\"10.0.0.1\"}"),
              (3 * 1e-3 + 4e-3) / 4);
  assert_near(value_of(s, "bottleneck_hop_rtt_best_seconds{target=\"web\","
                          "probe=\"tr\",hop=\"1\",addr=\"10.0.0.1\"}"),
              0.5e-3);
  assert_near(value_of(s, "bottleneck_hop_loss_ratio{target=\"web\","
                          "probe=\"tr\",hop=\"1\",addr=\"10.0.0.1\"}"),
              2.0 / 6);
  /* max_hop_addrs = 1: the second address of ttl 2 folds into "other" */
  assert_near(value_of(s, "bottleneck_hop_loss_ratio{target=\"web\","
                          "probe=\"tr\",hop=\"2\",addr=\"10.0.1.1\"}"),
              1.0 / 3);
  assert_near(value_of(s, "bottleneck_hop_loss_ratio{target=\"web\","
                          "probe=\"tr\",hop=\"2\",addr=\"other\"}"),
              1);
  assert_true(isnan(value_of(s, "bottleneck_hop_rtt_seconds{target=\"web\","
                                "probe=\"tr\",hop=\"2\",addr=\"other\"}")));
  assert_null(strstr(s, "10.0.2.1"));
  assert_near(value_of(s, "bottleneck_path_rounds_total{target=\"web\","
                          "probe=\"tr\"}"),
              2);
  assert_near(value_of(s, "bottleneck_path_hops{target=\"web\","
                          "probe=\"tr\"}"),
              2);
  assert_near(value_of(s, "bottleneck_path_reached{target=\"web\","
                          "probe=\"tr\"}"),
              1);
  assert_non_null(strstr(s, "bottleneck_path_info{target=\"web\","
                            "probe=\"tr\",path_id=\""));
  free(s);
  prom_table_free(t);
}

static void event(prom_table *t, const char *src, const char *target,
                  const char *type, bn_severity sev)
{
  bn_event e = {BN_INIT(bn_event), .target = target, .type = type,
                .severity = sev, .message = "m"};

  assert_int_equal(prom_table_event(t, src, &e), 0);
}

static void test_events(void **state)
{
  prom_table *t = table_new();
  char *s;

  event(t, "fusion", "a", "episode", BN_SEV_WARNING);
  event(t, "fusion", "a", "episode", BN_SEV_CRITICAL);
  event(t, "fusion", "b", "episode", BN_SEV_WARNING);
  event(t, "fusion", "c", "episode", BN_SEV_WARNING);
  event(t, "fusion", "c", "episode", BN_SEV_INFO); /* closes c */
  event(t, "tr", "a", "path_change", BN_SEV_WARNING);
  event(t, "tr", "a", "path_change", BN_SEV_INFO);
  s = render(t);
  assert_near(value_of(s, "bottleneck_episodes_open{severity=\"critical\"}"),
              1);
  assert_near(value_of(s, "bottleneck_episodes_open{severity=\"warning\"}"),
              1);
  assert_near(value_of(s, "bottleneck_events_total{source=\"fusion\","
                          "type=\"episode\",severity=\"warning\"}"),
              3);
  assert_near(value_of(s, "bottleneck_path_changes_total{target=\"a\","
                          "probe=\"tr\"}"),
              2);
  free(s);
  prom_table_free(t);
}

static void test_speedtest(void **state)
{
  bn_speedtest_result r = {BN_INIT(bn_speedtest_result),
                           .server = "http://127.0.0.1/",
                           .download_bps = 80e6,
                           .upload_bps = 8e6,
                           .latency_ms = 10,
                           .jitter_ms = 1,
                           .loaded_down_ms = 50,
                           .loaded_up_ms = 30,
                           .loss_pct = BN_NOT_MEASURED,
                           .udp_jitter_ms = BN_NOT_MEASURED,
                           .bytes_down = 1000,
                           .bytes_up = 100};
  bn_speedtest_result bad = {BN_INIT(bn_speedtest_result), .status = BN_EIO,
                             .error = "refused"};
  prom_table *t = table_new();
  char *s;

  assert_int_equal(prom_table_speedtest(t, "http", &r), 0);
  assert_int_equal(prom_table_speedtest(t, "http", &bad), 0);
  s = render(t);
  assert_near(value_of(s, "bottleneck_speedtest_download_bytes_per_second"
                          "{provider=\"http\"}"),
              10e6);
  assert_near(value_of(s, "bottleneck_speedtest_latency_seconds"
                          "{provider=\"http\",phase=\"download\"}"),
              0.05);
  assert_near(value_of(s, "bottleneck_speedtest_runs_total"
                          "{provider=\"http\",result=\"error\"}"),
              1);
  assert_near(value_of(s, "bottleneck_speedtest_transferred_bytes_total"
                          "{provider=\"http\",direction=\"download\"}"),
              1000);
  free(s);
  prom_table_free(t);
}

/* The series limit drops and counts, and never grows the table. */
static void test_limits(void **state)
{
  static const bn_metric rtt = {
      .name = "rtt_ms", .unit = "ms", .role = BN_ROLE_LATENCY};
  prom_limits l;
  prom_table *t;
  char *s;

  prom_limits_default(&l);
  l.max_series = 2;
  t = prom_table_new(&l);
  sample(t, "a", &rtt, 1, 0);
  sample(t, "b", &rtt, 1, 0);
  assert_int_not_equal(
      prom_table_sample(t, "p1", &rtt,
                        &(bn_sample){BN_INIT(bn_sample), .target = "c",
                                     .metric = "rtt_ms", .value = 1}),
      0);
  s = render(t);
  assert_near(value_of(s, "bottleneck_exporter_samples_dropped_total"
                          "{reason=\"series_limit\"}"),
              1);
  assert_null(strstr(s, "target=\"c\""));
  free(s);
  prom_table_free(t);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_escaping), cmocka_unit_test(test_numbers),
      cmocka_unit_test(test_units),    cmocka_unit_test(test_latency),
      cmocka_unit_test(test_roles),    cmocka_unit_test(test_paths),
      cmocka_unit_test(test_events),   cmocka_unit_test(test_speedtest),
      cmocka_unit_test(test_limits),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
