/*
 * anomaly_bench.c - cost of the anomaly engine: CPU per sample and
 * memory per target with all detectors (latency, loss, jitter,
 * unreachable, fused) at many targets, one sample a second each.
 *
 * Usage: anomaly_bench [--targets N] [--seconds S]
 *
 * Each target gets a noisy RTT (one in 50 lost, a level shift now and
 * then) so the detectors work as in a real run: baselines refresh,
 * episodes open and close.  CPU is thread CPU time over the samples;
 * memory is what the engine holds (an_engine_bytes) per target, and
 * the process's peak RSS growth per target as a cross-check.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "an_engine.h"

#define NS 1000000000LL

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static double urand(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}

static long episodes;

static void on_episode(const an_episode *ep, void *arg)
{
  (void)arg;
  if (ep->phase == AN_EP_OPEN)
    episodes++;
}

static double cpu_s(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long max_rss_kb(void)
{
  struct rusage ru;

  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
  long n_targets = 10000, seconds = 300, rss0;
  an_config c;
  an_engine *e;
  char(*names)[32];
  double t0, t1;
  uint64_t samples = 0;

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--targets") == 0 && i + 1 < argc)
      n_targets = strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
      seconds = strtol(argv[++i], NULL, 10);
    else {
      fprintf(stderr, "usage: anomaly_bench [--targets N] [--seconds S]\n");
      return 2;
    }
  }
  if (n_targets < 1 || seconds < 1) {
    fprintf(stderr, "anomaly_bench: --targets and --seconds must be >= 1\n");
    return 2;
  }
  names = calloc((size_t)n_targets, sizeof(*names));
  if (!names)
    return 1;
  for (long i = 0; i < n_targets; i++)
    snprintf(names[i], sizeof(names[i]), "127.1.%ld.%ld", i / 250,
             i % 250 + 1);
  rss0 = max_rss_kb();
  an_config_default(&c);
  e = an_engine_new(&c, on_episode, NULL);
  if (!e)
    return 1;
  t0 = cpu_s();
  for (long s = 0; s < seconds; s++) {
    for (long i = 0; i < n_targets; i++) {
      int lost = urand() < 0.02;
      double level = (s / 60 + i) % 7 == 0 ? 40 : 10;
      double v = lost ? NAN : level + 0.5 * urand();

      an_engine_sample(e, names[i], "icmp", "rtt_ms", AN_ROLE_LATENCY, 1, v,
                       s * NS + i, lost ? AN_F_LOST : 0);
      samples++;
    }
  }
  t1 = cpu_s();
  printf("anomaly_bench: %ld targets x %ld s at 1 sample/s = %llu samples, "
         "all detectors (latency, loss, jitter, unreachable, fusion)\n",
         n_targets, seconds, (unsigned long long)samples);
  printf("cpu: %.3f s = %.3f us per sample\n", t1 - t0,
         (t1 - t0) * 1e6 / (double)samples);
  printf("memory: engine %zu bytes = %.0f bytes per target; peak RSS "
         "+%ld KiB = %.0f bytes per target\n",
         an_engine_bytes(e), (double)an_engine_bytes(e) / (double)n_targets,
         max_rss_kb() - rss0,
         (double)(max_rss_kb() - rss0) * 1024 / (double)n_targets);
  printf("episodes opened: %ld\n", episodes);
  an_engine_finish(e);
  an_engine_free(e);
  free(names);
  return 0;
}
