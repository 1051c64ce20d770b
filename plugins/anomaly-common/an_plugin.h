/*
 * an_plugin.h - what the four anomaly plugins (latency, loss, jitter,
 * fusion) share: the config struct the host fills from their option
 * tables (cfg_fill), the option table fragments, and the SDK glue that
 * feeds samples, selected by metric role, into one an_engine and turns
 * its episodes into events.
 *
 * Each plugin is its option table, the signals it enables and a
 * BN_PLUGIN() descriptor; everything else is here, so a profile can run
 * one detector alone or `fusion` (all of them, one episode per target).
 */
#ifndef AN_PLUGIN_H
#define AN_PLUGIN_H

#include <bottleneck/sdk.h>

#include "an_engine.h"

/** The options of an anomaly plugin, filled by the host (cfg_fill). */
typedef struct an_plugin_cfg {
  /* episodes and fusion */
  int64_t cooldown_ns;
  int persist; /* keep baselines in the history across runs */
  double open_threshold, close_threshold;
  double sev_low, sev_medium, sev_high;
  double w_latency, w_loss, w_jitter, w_unreachable;
  /* latency */
  int lat_baseline, lat_warmup, lat_short, lat_long;
  double lat_z_short, lat_z_long, lat_min_spread_ms, lat_rel_spread;
  double lat_min_shift_ms;
  int64_t lat_relearn_ns;
  int lat_both_ways;
  /* loss */
  int loss_window, loss_burst, loss_min_lost, loss_clear;
  double loss_rate;
  int64_t loss_unreachable_ns;
  int loss_unreachable_critical;
  /* jitter */
  int jit_short, jit_long;
  double jit_z_short, jit_z_long, jit_min_spread_ms, jit_min_shift_ms;
} an_plugin_cfg;

/* Option table fragments; a plugin's table lists those it uses and ends
 * with BN_OPTIONS_END.  Defaults: docs/anomaly.md. */
#define AN_OPTIONS_EPISODE                                                    \
  {.name = "cooldown",                                                        \
   .type = BN_OPT_DURATION,                                                   \
   .def = "30s",                                                              \
   .help = "quiet time after which an episode closes",                        \
   .min = 0,                                                                  \
   .max = 86400,                                                              \
   BN_FIELD(an_plugin_cfg, cooldown_ns)},                                     \
      {.name = "persist_baselines",                                           \
       .type = BN_OPT_BOOL,                                                   \
       .def = "true",                                                         \
       .help = "store the baselines in the history and start from them "      \
               "next run (no relearning after a restart)",                    \
       BN_FIELD(an_plugin_cfg, persist)},                                     \
      {.name = "open_threshold",                                              \
       .type = BN_OPT_DOUBLE,                                                 \
       .def = "0.5",                                                          \
       .help = "confidence that opens an episode",                            \
       .min = 0.01,                                                           \
       .max = 1,                                                              \
       BN_FIELD(an_plugin_cfg, open_threshold)},                              \
      {.name = "close_threshold",                                             \
       .type = BN_OPT_DOUBLE,                                                 \
       .def = "0.3",                                                          \
       .help = "confidence under which the cooldown runs",                    \
       .min = 0,                                                              \
       .max = 1,                                                              \
       BN_FIELD(an_plugin_cfg, close_threshold)},                             \
      {.name = "severity_low",                                                \
       .type = BN_OPT_DOUBLE,                                                 \
       .def = "0.65",                                                         \
       .help = "confidence of severity low (below: info)",                    \
       .min = 0,                                                              \
       .max = 1,                                                              \
       BN_FIELD(an_plugin_cfg, sev_low)},                                     \
      {.name = "severity_medium",                                             \
       .type = BN_OPT_DOUBLE,                                                 \
       .def = "0.8",                                                          \
       .help = "confidence of severity medium",                               \
       .min = 0,                                                              \
       .max = 1,                                                              \
       BN_FIELD(an_plugin_cfg, sev_medium)},                                  \
  {                                                                           \
    .name = "severity_high", .type = BN_OPT_DOUBLE, .def = "0.93",            \
    .help = "confidence of severity high (critical: unreachable)", .min = 0,  \
    .max = 1, BN_FIELD(an_plugin_cfg, sev_high)                               \
  }

#define AN_OPTIONS_LATENCY                                                    \
  {.name = "baseline",                                                        \
   .type = BN_OPT_INT,                                                        \
   .def = "128",                                                              \
   .help = "latency samples in the baseline (median, MAD)",                   \
   .min = 8,                                                                  \
   .max = AN_BASE_MAX,                                                        \
   BN_FIELD(an_plugin_cfg, lat_baseline)},                                    \
      {.name = "warmup",                                                      \
       .type = BN_OPT_INT,                                                    \
       .def = "30",                                                           \
       .help = "samples before the first baseline",                           \
       .min = 3,                                                              \
       .max = AN_BASE_MAX,                                                    \
       BN_FIELD(an_plugin_cfg, lat_warmup)},                                  \
      {.name = "short_window",                                                \
       .type = BN_OPT_INT,                                                    \
       .def = "5",                                                            \
       .help = "median of this many samples: level shifts (a lone spike "     \
               "never moves it)",                                             \
       .min = 1,                                                              \
       .max = AN_RECENT_MAX,                                                  \
       BN_FIELD(an_plugin_cfg, lat_short)},                                   \
      {.name = "long_window",                                                 \
       .type = BN_OPT_INT,                                                    \
       .def = "30",                                                           \
       .help = "median of this many samples: ramps, small shifts",            \
       .min = 1,                                                              \
       .max = AN_RECENT_MAX,                                                  \
       BN_FIELD(an_plugin_cfg, lat_long)},                                    \
      {.name = "z_short",                                                     \
       .type = BN_OPT_DOUBLE,                                                 \
       .def = "6",                                                            \
       .help = "robust z of the short median that scores 0.5",                \
       .min = 0.5,                                                            \
       .max = 100,                                                            \
       BN_FIELD(an_plugin_cfg, lat_z_short)},                                 \
      {.name = "z_long",                                                      \
       .type = BN_OPT_DOUBLE,                                                 \
       .def = "4",                                                            \
       .help = "robust z of the long median that scores 0.5",                 \
       .min = 0.5,                                                            \
       .max = 100,                                                            \
       BN_FIELD(an_plugin_cfg, lat_z_long)},                                  \
      {.name = "min_spread",                                                  \
       .type = BN_OPT_DOUBLE,                                                 \
       .def = "0.1",                                                          \
       .help = "floor of the baseline spread, ms (a constant series)",        \
       .min = 0,                                                              \
       .max = 1e6,                                                            \
       BN_FIELD(an_plugin_cfg, lat_min_spread_ms)},                           \
      {.name = "rel_spread",                                                  \
       .type = BN_OPT_DOUBLE,                                                 \
       .def = "0.02",                                                         \
       .help = "floor of the spread relative to the baseline median",         \
       .min = 0,                                                              \
       .max = 10,                                                             \
       BN_FIELD(an_plugin_cfg, lat_rel_spread)},                              \
      {.name = "min_shift",                                                   \
       .type = BN_OPT_DOUBLE,                                                 \
       .def = "5",                                                            \
       .help = "a latency shift of this many ms scores at most 0.5 "          \
               "(smallest episode; 0: any significant shift)",                \
       .min = 0,                                                              \
       .max = 1e6,                                                            \
       BN_FIELD(an_plugin_cfg, lat_min_shift_ms)},                            \
      {.name = "relearn_after",                                               \
       .type = BN_OPT_DURATION,                                               \
       .def = "10m",                                                          \
       .help = "a stable shift lasting this long becomes the baseline "       \
               "(0: never)",                                                  \
       .min = 0,                                                              \
       .max = 604800,                                                         \
       BN_FIELD(an_plugin_cfg, lat_relearn_ns)},                              \
  {                                                                           \
    .name = "both_ways", .type = BN_OPT_BOOL, .def = "false",                 \
    .help = "latency drops are anomalies too",                                \
    BN_FIELD(an_plugin_cfg, lat_both_ways)                                    \
  }

#define AN_OPTIONS_LOSS                                                       \
  {.name = "loss_window",                                                     \
   .type = BN_OPT_INT,                                                        \
   .def = "60",                                                               \
   .help = "probes in the loss-rate window",                                  \
   .min = 4,                                                                  \
   .max = 64,                                                                 \
   BN_FIELD(an_plugin_cfg, loss_window)},                                     \
      {.name = "burst",                                                       \
       .type = BN_OPT_INT,                                                    \
       .def = "3",                                                            \
       .help = "consecutive losses that make a burst (score 0.5)",            \
       .min = 1,                                                              \
       .max = 1000,                                                           \
       BN_FIELD(an_plugin_cfg, loss_burst)},                                  \
      {.name = "min_lost",                                                    \
       .type = BN_OPT_INT,                                                    \
       .def = "3",                                                            \
       .help = "fewer losses in the window never count",                      \
       .min = 1,                                                              \
       .max = 64,                                                             \
       BN_FIELD(an_plugin_cfg, loss_min_lost)},                               \
      {.name = "loss_rate",                                                   \
       .type = BN_OPT_DOUBLE,                                                 \
       .def = "0.05",                                                         \
       .help = "loss rate above the baseline's that scores 0.5",              \
       .min = 0.001,                                                          \
       .max = 1,                                                              \
       BN_FIELD(an_plugin_cfg, loss_rate)},                                   \
      {.name = "loss_clear",                                                  \
       .type = BN_OPT_INT,                                                    \
       .def = "5",                                                            \
       .help = "answers in a row that end a loss",                            \
       .min = 1,                                                              \
       .max = 64,                                                             \
       BN_FIELD(an_plugin_cfg, loss_clear)},                                  \
      {.name = "unreachable_after",                                           \
       .type = BN_OPT_DURATION,                                               \
       .def = "10s",                                                          \
       .help = "no answer this long: the target is unreachable",              \
       .min = 0.1,                                                            \
       .max = 86400,                                                          \
       BN_FIELD(an_plugin_cfg, loss_unreachable_ns)},                         \
  {                                                                           \
    .name = "unreachable_critical", .type = BN_OPT_BOOL, .def = "true",       \
    .help = "an unreachable target is a critical episode",                    \
    BN_FIELD(an_plugin_cfg, loss_unreachable_critical)                        \
  }

#define AN_OPTIONS_JITTER                                                     \
  {.name = "jitter_window",                                                   \
   .type = BN_OPT_INT,                                                        \
   .def = "9",                                                                \
   .help = "median of this many |successive differences|",                    \
   .min = 1,                                                                  \
   .max = AN_RECENT_MAX,                                                      \
   BN_FIELD(an_plugin_cfg, jit_short)},                                       \
      {.name = "jitter_long_window",                                          \
       .type = BN_OPT_INT,                                                    \
       .def = "30",                                                           \
       .help = "long median of |successive differences|",                     \
       .min = 1,                                                              \
       .max = AN_RECENT_MAX,                                                  \
       BN_FIELD(an_plugin_cfg, jit_long)},                                    \
      {.name = "jitter_z",                                                    \
       .type = BN_OPT_DOUBLE,                                                 \
       .def = "6",                                                            \
       .help = "robust z of the volatility that scores 0.5",                  \
       .min = 0.5,                                                            \
       .max = 100,                                                            \
       BN_FIELD(an_plugin_cfg, jit_z_short)},                                 \
      {.name = "jitter_z_long",                                               \
       .type = BN_OPT_DOUBLE,                                                 \
       .def = "5",                                                            \
       .help = "robust z of the long volatility median",                      \
       .min = 0.5,                                                            \
       .max = 100,                                                            \
       BN_FIELD(an_plugin_cfg, jit_z_long)},                                  \
      {.name = "jitter_min_spread",                                           \
       .type = BN_OPT_DOUBLE,                                                 \
       .def = "0.2",                                                          \
       .help = "floor of the volatility spread, ms",                          \
       .min = 0,                                                              \
       .max = 1e6,                                                            \
       BN_FIELD(an_plugin_cfg, jit_min_spread_ms)},                           \
  {                                                                           \
    .name = "jitter_min_shift", .type = BN_OPT_DOUBLE, .def = "3",            \
    .help = "a volatility rise of this many ms scores at most 0.5 (0: none)", \
    .min = 0, .max = 1e6, BN_FIELD(an_plugin_cfg, jit_min_shift_ms)           \
  }

#define AN_OPTIONS_WEIGHTS                                                    \
  {.name = "weight_latency",                                                  \
   .type = BN_OPT_DOUBLE,                                                     \
   .def = "1",                                                                \
   .help = "weight of the latency signal in the fusion",                      \
   .min = 0,                                                                  \
   .max = 1,                                                                  \
   BN_FIELD(an_plugin_cfg, w_latency)},                                       \
      {.name = "weight_loss",                                                 \
       .type = BN_OPT_DOUBLE,                                                 \
       .def = "1",                                                            \
       .help = "weight of the loss signal",                                   \
       .min = 0,                                                              \
       .max = 1,                                                              \
       BN_FIELD(an_plugin_cfg, w_loss)},                                      \
      {.name = "weight_jitter",                                               \
       .type = BN_OPT_DOUBLE,                                                 \
       .def = "0.9",                                                          \
       .help = "weight of the jitter signal",                                 \
       .min = 0,                                                              \
       .max = 1,                                                              \
       BN_FIELD(an_plugin_cfg, w_jitter)},                                    \
  {                                                                           \
    .name = "weight_unreachable", .type = BN_OPT_DOUBLE, .def = "1",          \
    .help = "weight of the unreachable signal", .min = 0, .max = 1,           \
    BN_FIELD(an_plugin_cfg, w_unreachable)                                    \
  }

/** The ops table every anomaly plugin uses. */
extern const bn_anomaly_ops an_plugin_ops;

/**
 * init() of a plugin that runs the signals `signals` (AN_SIGBIT bits):
 * fills an_plugin_cfg through cfg_fill, builds the engine.
 */
int an_plugin_init(bn_host *h, void **ctx, unsigned signals);
/** destroy() of every anomaly plugin. */
void an_plugin_destroy(void *ctx);
/** check(): thresholds in order (close <= open, low <= medium <= high). */
int an_plugin_check(bn_host *h);

/**
 * Map an plugin config onto an engine config (defaults for what the
 * plugin's table does not list are set before cfg_fill, so this is
 * the only place the two meet).  Exposed for the tests and `analyze`.
 */
void an_plugin_cfg_default(an_plugin_cfg *p);
void an_plugin_cfg_apply(const an_plugin_cfg *p, unsigned signals,
                         an_config *c);

/** The five-level severity onto the SDK's three (info, warning, critical). */
bn_severity an_plugin_bn_severity(an_severity s);

#endif /* AN_PLUGIN_H */
