/*
 * prom_dump.c - fill the prometheus exporter's metric table with a
 * synthetic run and print /metrics to stdout: TARGETS targets with an RTT
 * series each (ROUNDS samples, every 10th lost), an HTTP probe's total
 * time on the first tenth, a 6-hop route for the first hundredth, events
 * and a speed test.  Then render REPEAT more times and print on stderr
 * "targets=N bytes=B render_ms=MIN/MEDIAN/MAX" for the bench.
 *
 *   prom_dump [TARGETS [ROUNDS [REPEAT]]]     (default 20 5 0)
 *
 * Render times are wall clock and the thread's CPU time (a loaded
 * machine stretches the first, not the second).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prom_table.h"

static const bn_metric dump_rtt = {.name = "rtt_ms",
                                   .unit = "ms",
                                   .role = BN_ROLE_LATENCY,
                                   .agg = BN_AGG_DISTRIBUTION};
static const bn_metric dump_http = {.name = "total_ms",
                                    .unit = "ms",
                                    .role = BN_ROLE_LATENCY,
                                    .agg = BN_AGG_DISTRIBUTION};
static const bn_metric dump_status = {
    .name = "status", .unit = "1", .role = BN_ROLE_STATUS, .agg = BN_AGG_LAST};

static double dump_ms(clockid_t clk)
{
  struct timespec ts;

  clock_gettime(clk, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int dump_cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static void dump_route(prom_table *t, const char *target, int round)
{
  bn_hop hops[6];
  bn_path path = {BN_INIT(bn_path), .flow_id = 1, .hops = hops, .n_hops = 6};
  bn_path_set ps = {BN_INIT(bn_path_set), .target = target, .mode = "udp",
                    .paths = &path, .n_paths = 1};
  char addr[6][32];
  int i;

  for (i = 0; i < 6; i++) {
    snprintf(addr[i], sizeof(addr[i]), "10.%d.%d.1", i, round % 2);
    hops[i] = (bn_hop){BN_INIT(bn_hop),
                       .ttl = i + 1,
                       .addr = addr[i],
                       .sent = 3,
                       .received = i == 3 ? 2 : 3,
                       .avg_ms = 1.5 * (i + 1),
                       .best_ms = 1.0 * (i + 1),
                       .worst_ms = 2.0 * (i + 1),
                       .last_ms = 1.5 * (i + 1),
                       .stddev_ms = 0.1};
  }
  prom_table_paths(t, "traceroute", &ps);
}

int main(int argc, char **argv)
{
  long targets = argc > 1 ? strtol(argv[1], NULL, 10) : 20;
  long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 5;
  long repeat = argc > 3 ? strtol(argv[3], NULL, 10) : 0;
  prom_limits lim;
  prom_table *t;
  prom_buf out = {0};
  double *ms = NULL, *cpu = NULL;
  long i, r;

  prom_limits_default(&lim);
  t = prom_table_new(&lim);
  if (!t)
    return 1;
  for (r = 0; r < rounds; r++) {
    for (i = 0; i < targets; i++) {
      char name[64];
      int lost = (i + r) % 10 == 0;
      bn_sample s = {
          BN_INIT(bn_sample), .target = name, .metric = dump_rtt.name,
          .value = lost ? BN_NOT_MEASURED : 0.2 + (double)((i * 7 + r) % 50),
          .flags = lost ? BN_SAMPLE_LOST : 0};

      snprintf(name, sizeof(name), "t%05ld.example", i);
      prom_table_sample(t, "icmp", &dump_rtt, &s);
      if (i % 10 == 0) {
        s.metric = dump_http.name;
        s.value = 12.5 + (double)r;
        s.flags = 0;
        prom_table_sample(t, "http", &dump_http, &s);
        s.metric = dump_status.name;
        s.value = 200;
        prom_table_sample(t, "http", &dump_status, &s);
      }
      if (i % 100 == 0)
        dump_route(t, name, (int)r);
    }
  }
  {
    bn_event e = {BN_INIT(bn_event), .target = "t00000.example",
                  .type = "episode", .severity = BN_SEV_CRITICAL,
                  .message = "unreachable"};
    bn_speedtest_result st = {BN_INIT(bn_speedtest_result),
                              .server = "http://127.0.0.1:1/",
                              .download_bps = 95e6,
                              .upload_bps = 20e6,
                              .latency_ms = 3,
                              .jitter_ms = 0.4,
                              .loaded_down_ms = 40,
                              .loaded_up_ms = 25,
                              .loss_pct = BN_NOT_MEASURED,
                              .udp_jitter_ms = BN_NOT_MEASURED,
                              .bytes_down = 1 << 20,
                              .bytes_up = 1 << 18};

    prom_table_event(t, "fusion", &e);
    e.type = "path_change";
    e.severity = BN_SEV_WARNING;
    prom_table_event(t, "traceroute", &e);
    prom_table_speedtest(t, "http", &st);
  }
  prom_table_drain(t, 1);
  if (prom_table_render(t, &out) < 0)
    return 1;
  fwrite(out.p, 1, out.len, stdout);
  if (repeat > 0) {
    ms = calloc((size_t)repeat, sizeof(*ms));
    cpu = calloc((size_t)repeat, sizeof(*cpu));
    for (r = 0; ms && cpu && r < repeat; r++) {
      double t0 = dump_ms(CLOCK_MONOTONIC);
      double c0 = dump_ms(CLOCK_THREAD_CPUTIME_ID);

      prom_buf_reset(&out);
      prom_table_render(t, &out);
      ms[r] = dump_ms(CLOCK_MONOTONIC) - t0;
      cpu[r] = dump_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
    }
    if (ms && cpu) {
      qsort(ms, (size_t)repeat, sizeof(*ms), dump_cmp);
      qsort(cpu, (size_t)repeat, sizeof(*cpu), dump_cmp);
      fprintf(stderr,
              "targets=%ld series=%zu bytes=%zu render_ms=%.2f/%.2f/%.2f "
              "cpu_ms=%.2f/%.2f/%.2f (min/median/max of %ld)\n",
              targets, prom_table_series(t), out.len, ms[0], ms[repeat / 2],
              ms[repeat - 1], cpu[0], cpu[repeat / 2], cpu[repeat - 1],
              repeat);
    }
    free(ms);
    free(cpu);
  }
  prom_buf_free(&out);
  prom_table_free(t);
  return 0;
}
