/*
 * bottleneck/sdk.h - the public plugin SDK of Bottleneck.
 *
 * A plugin is a shared object that exports exactly one symbol, the
 * descriptor made by BN_PLUGIN().  The host loads it, checks the
 * ABI fields at the head of the descriptor, validates the plugin's part of
 * the profile against the descriptor's option table, and then calls
 *
 *     init(host, config, &ctx)  ->  kind callbacks(ctx, ...)  ->  destroy(ctx)
 *
 * A plugin keeps all of its state in the context it allocates in init();
 * it has no globals, so several instances of one plugin can run at once.
 * It reaches the host only through the function table in bn_host, so it
 * needs no host symbol at link time: link with -module -avoid-version.
 *
 * Nothing of the core's own libraries (libuv, sqlite, libyaml) appears
 * here: timers, fd watches, configuration nodes and store views are
 * opaque handles.
 *
 * ABI rules: BN_ABI_MAJOR changes when an existing type or call changes
 * shape; the host refuses plugins of another major.  BN_ABI_MINOR grows
 * when something is added at the end of a table or struct; the host
 * refuses plugins built against a newer minor than its own, and treats
 * any callback that lies beyond a plugin's struct_size as absent.
 *
 * Since ABI 3.0 every struct that crosses the boundary in either
 * direction (the descriptor, the ops tables, bn_sample, bn_event,
 * bn_path_set, bn_hop, the speed test request and result) starts with
 * `struct_size`, set to sizeof() of the struct the sender was built with
 * (the BN_*_INIT macros do it).  The receiver reads only the fields that
 * lie inside it, so each of these structs can grow in a minor version.
 *
 * "Not measured" is NaN everywhere (BN_NOT_MEASURED, test with
 * bn_measured()): a double field that holds no measurement, in any
 * struct of this header, is NaN, never a negative number or zero.
 *
 * Plugins declare what they measure: a probe's descriptor lists each
 * metric with its unit, role and aggregation (bn_metric).  Reports,
 * anomaly detectors and exporters select metrics by role, never by name,
 * so a metric name the host has never seen works everywhere its role
 * fits.  A reporter declares the formats it renders (bn_plugin.formats).
 */
#ifndef BOTTLENECK_SDK_H
#define BOTTLENECK_SDK_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Major version of the plugin ABI; plugins of another major are refused. */
#define BN_ABI_MAJOR 3
/** Minor version of the plugin ABI; plugins of a newer minor are refused. */
#define BN_ABI_MINOR 1

/** Name of the one symbol every plugin exports (made by BN_PLUGIN). */
#define BN_PLUGIN_SYMBOL "bn_plugin_descriptor"

/* ------------------------------------------------------------------ */
/* Status codes                                                        */
/* ------------------------------------------------------------------ */

/**
 * Every SDK call that can fail returns 0 on success or one of these
 * negative codes.  Plugin callbacks follow the same rule.
 */
enum bn_status {
  BN_OK = 0,         /**< success */
  BN_ERR = -1,       /**< generic failure (already logged) */
  BN_ENOENT = -2,    /**< no such key, target, row or plugin */
  BN_EINVAL = -3,    /**< invalid argument or configuration value */
  BN_ENOMEM = -4,    /**< out of memory */
  BN_EIO = -5,       /**< I/O or store error */
  BN_EAGAIN = -6,    /**< try again later (resource busy) */
  BN_ENOTSUP = -7,   /**< not supported by this host or plugin */
  BN_ETIMEDOUT = -8, /**< the operation timed out */
  BN_EACCES = -9,    /**< refused: no consent to send data there (3.1) */
};

/**
 * The value of a double field that holds no measurement (NaN).  Use
 * bn_measured() to test for it: NaN compares unequal to everything,
 * itself included.
 */
#define BN_NOT_MEASURED (NAN)

/** Non-zero when `v` is a measurement (not BN_NOT_MEASURED). */
static inline int bn_measured(double v)
{
  return !isnan(v);
}

/* ------------------------------------------------------------------ */
/* Plugin kinds                                                        */
/* ------------------------------------------------------------------ */

/** The five kinds of plugin.  The value selects the ops table type. */
typedef enum bn_kind {
  BN_KIND_PROBE = 1,     /**< measures targets; ops: bn_probe_ops */
  BN_KIND_SPEEDTEST = 2, /**< one throughput provider; ops: bn_speedtest_ops */
  BN_KIND_ANOMALY = 3,   /**< scores samples into events; bn_anomaly_ops */
  BN_KIND_EXPORTER = 4,  /**< sends samples/events away; bn_exporter_ops */
  BN_KIND_REPORTER = 5,  /**< renders stored history; bn_reporter_ops */
} bn_kind;

/* ------------------------------------------------------------------ */
/* Opaque handles                                                      */
/* ------------------------------------------------------------------ */

/** One node of the neutral configuration tree (a map, list or scalar). */
typedef struct bn_node bn_node;
/** A timer on the core event loop. */
typedef struct bn_timer bn_timer;
/** A file-descriptor watch on the core event loop. */
typedef struct bn_watch bn_watch;
/** A report output being written (see bn_host_api.output_open). */
typedef struct bn_output bn_output;
/** A name resolution in progress (see bn_host_api.resolve). */
typedef struct bn_resolve bn_resolve;

struct bn_host_api;

/**
 * The host as a plugin instance sees it.  The core embeds this struct at
 * the head of its own per-instance record; plugins must only read `api`.
 */
typedef struct bn_host {
  const struct bn_host_api *api; /**< the host function table */
} bn_host;

/* ------------------------------------------------------------------ */
/* Option tables                                                       */
/* ------------------------------------------------------------------ */

/**
 * Type of one option in a plugin's option table, and the C type of the
 * field the host fills for it (see bn_option.offset and
 * bn_host_api.cfg_fill).
 */
typedef enum bn_opt_type {
  BN_OPT_END = 0,  /**< terminates the table */
  BN_OPT_STRING,   /**< any scalar, read as text; field: const char * */
  BN_OPT_INT,      /**< a signed integer; field: int64_t or int */
  BN_OPT_DOUBLE,   /**< a floating-point number; field: double */
  BN_OPT_BOOL,     /**< true/false, yes/no, on/off; field: int */
  BN_OPT_DURATION, /**< "250ms", "1.5s", "2m", "1h" or plain seconds;
                        field: int64_t nanoseconds; bounds in seconds */
  BN_OPT_SIZE,     /**< bytes: "1500", "64k" (SI: k M G T are powers of
                        1000), "8MiB" (IEC: Ki Mi Gi Ti are powers of
                        1024), an optional trailing "B"; field: uint64_t */
  BN_OPT_LIST,     /**< a YAML sequence of scalars; field: const bn_node * */
  BN_OPT_MAP,      /**< a nested YAML mapping, validated by the plugin;
                        field: const bn_node * */
  BN_OPT_RATE,     /**< bits per second: "200M", "1.5Gbit", "10Mbit/s"
                        (SI only, as iperf3 and network equipment use);
                        field: double bits/s */
} bn_opt_type;

/**
 * One entry of a plugin's option table, written with named fields:
 *
 *     {.name = "interval", .type = BN_OPT_DURATION, .def = "1s",
 *      .help = "time between probes", .min = 0.01, .max = 3600,
 *      BN_FIELD(tcp_config, interval_ns)},
 *
 * The host rejects unknown keys and values of the wrong type or out of
 * range with FILE:LINE:COL, fills in defaults, fills the plugin's config
 * struct (cfg_fill) for entries with a field, and `bottleneck plugins
 * --describe NAME` prints the table.  So bounds and defaults are written
 * once, here.
 */
typedef struct bn_option {
  const char *name;  /**< key in the profile */
  bn_opt_type type;  /**< expected type */
  const char *def;   /**< default as YAML text, or NULL for none */
  const char *help;  /**< one-line description */
  double min;        /**< lower bound (INT, DOUBLE, DURATION s, SIZE, RATE) */
  double max;        /**< upper bound; bounds unused when min >= max */
  int required;      /**< non-zero: the key must be present */
  size_t offset;     /**< offsetof() the config struct field (BN_FIELD) */
  size_t field_size; /**< sizeof() that field; 0: the host fills nothing */
} bn_option;

/**
 * The field of config struct `T` that the host fills for an option:
 * sets bn_option.offset and bn_option.field_size.
 */
#define BN_FIELD(T, member)                                                   \
  .offset = offsetof(T, member), .field_size = sizeof(((T *)0)->member)

/** Terminator for an option table. */
#define BN_OPTIONS_END                                                        \
  {                                                                           \
    .name = NULL, .type = BN_OPT_END                                          \
  }

/* ------------------------------------------------------------------ */
/* Metrics: what a probe measures                                      */
/* ------------------------------------------------------------------ */

/**
 * What a metric means, so that reports, anomaly detectors and exporters
 * can use a metric they have never heard of.  Everything downstream
 * selects by role, never by name.
 */
typedef enum bn_metric_role {
  BN_ROLE_LATENCY = 1,    /**< a delay (RTT, query time); lower is better.
                               Lost samples of a latency series make its loss */
  BN_ROLE_LOSS = 2,       /**< a loss rate measured as a value (e.g. percent
                               of a round's packets) */
  BN_ROLE_JITTER = 3,     /**< variation of delay (stddev, mean |delta|) */
  BN_ROLE_THROUGHPUT = 4, /**< a rate of bytes or bits moved */
  BN_ROLE_COUNT = 5,      /**< a count or a size (hops, answers, bytes) */
  BN_ROLE_STATUS = 6,     /**< a status code (HTTP status, DNS rcode) */
  BN_ROLE_GAUGE = 7,      /**< any other level (an interval in use...) */
} bn_metric_role;

/** How a metric's samples are summarised over a range. */
typedef enum bn_metric_agg {
  BN_AGG_DISTRIBUTION = 1, /**< min, mean, percentiles, max, jitter */
  BN_AGG_MEAN = 2,         /**< the mean */
  BN_AGG_SUM = 3,          /**< the sum (counters of events or bytes) */
  BN_AGG_LAST = 4,         /**< the last value (states, settings) */
  BN_AGG_MAX = 5,          /**< the largest value */
} bn_metric_agg;

/** bn_metric.flags bits. */
enum bn_metric_flag {
  /**
   * The metric that stands for the probe in summaries, charts and
   * alerts (e.g. the RTT of an echo, the total time of an HTTP request).
   * At most one metric of a plugin has it; without one, the first
   * latency metric stands for the plugin.
   */
  BN_METRIC_PRIMARY = 1u << 0,
};

/**
 * One metric a probe emits.  A probe may emit only the metrics its
 * descriptor lists (bn_plugin.metrics); the host refuses other samples
 * with an error naming the plugin and the metric.
 */
typedef struct bn_metric {
  const char *name;    /**< lower_snake_case, e.g. "rtt_ms" */
  const char *unit;    /**< "ms", "s", "bit/s", "byte", "percent",
                            "ratio", "1" (a plain number) */
  bn_metric_role role; /**< what it means */
  bn_metric_agg agg;   /**< how to summarise it */
  uint32_t flags;      /**< bn_metric_flag bits */
  const char *help;    /**< one-line description */
} bn_metric;

/** Terminator for a metric table. */
#define BN_METRICS_END                                                        \
  {                                                                           \
    .name = NULL                                                              \
  }

/** Name of a role as stored and exported ("latency", "loss"...). */
static inline const char *bn_role_name(bn_metric_role r)
{
  static const char *const names[] = {"",       "latency",    "loss",
                                      "jitter", "throughput", "count",
                                      "status", "gauge"};

  return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "";
}

/* ------------------------------------------------------------------ */
/* Targets, samples, paths, events, speed tests                        */
/* ------------------------------------------------------------------ */

/** A measurement target from the profile (read-only for plugins). */
typedef struct bn_target {
  const char *name;        /**< unique name within the profile */
  const char *host;        /**< host name or address literal */
  int port;                /**< port, or 0 when not given */
  const char *const *tags; /**< tags, n_tags of them */
  size_t n_tags;           /**< number of tags */
  const char *region;      /**< optional region metadata, or NULL */
  const char *asn;         /**< optional ASN metadata, or NULL */
  const bn_node *node;     /**< the target's own profile node */
} bn_target;

/** Sample flags (bit set). */
enum bn_sample_flag {
  BN_SAMPLE_LOST = 1u << 0,    /**< no answer within the timeout */
  BN_SAMPLE_INVALID = 1u << 1, /**< clock jump or suspend: do not count */
  BN_SAMPLE_LATE = 1u << 2,    /**< an answer after its timeout */
  BN_SAMPLE_DUP = 1u << 3,     /**< a duplicate answer */
  /** the probe failed locally (no route...): a failed probe, so the host
   *  adds BN_SAMPLE_LOST when a plugin leaves it out */
  BN_SAMPLE_ERROR = 1u << 4,
};

/**
 * Sets the struct_size of an SDK struct in a designated initializer:
 *
 *     bn_sample s = {BN_INIT(bn_sample), .target = t->name, ...};
 */
#define BN_INIT(T) .struct_size = (uint32_t)sizeof(T)

/**
 * One measurement.  Times are nanoseconds: wall_ns on CLOCK_REALTIME,
 * mono_ns on CLOCK_MONOTONIC; 0 lets the host fill in "now".  Take them
 * where the event happened (the time the loop saw the socket ready, or
 * a kernel timestamp), not later.  A lost probe is emitted with
 * BN_SAMPLE_LOST and value BN_NOT_MEASURED (stored as NULL).  The
 * metric must be one the plugin's descriptor declares (bn_metric).
 */
typedef struct bn_sample {
  uint32_t struct_size; /**< sizeof(bn_sample) of the sender (BN_INIT) */
  const char *target;   /**< target name */
  const char *metric;   /**< metric name, declared in bn_plugin.metrics */
  double value;         /**< the value, unit given by the metric */
  int64_t wall_ns;      /**< wall-clock time of the measurement */
  int64_t mono_ns;      /**< monotonic time of the measurement */
  uint32_t flags;       /**< bn_sample_flag bits */
} bn_sample;

/**
 * One hop of a path (traceroute-like probes), with mtr-style statistics
 * over the probes of one round.  RTT fields are BN_NOT_MEASURED when the
 * hop never answered.  In an array of hops every element has the same
 * struct_size, and the host steps through the array by it.
 */
typedef struct bn_hop {
  uint32_t struct_size; /**< sizeof(bn_hop) of the sender (BN_INIT) */
  int ttl;              /**< hop number, from 1 */
  const char *addr;     /**< responding address (text), or NULL: no answer */
  uint32_t sent;        /**< probes sent to this ttl in the round */
  uint32_t received;    /**< answers received (loss = 1 - received/sent) */
  double last_ms;       /**< RTT of the last answer */
  double avg_ms;        /**< mean RTT */
  double best_ms;       /**< lowest RTT */
  double worst_ms;      /**< highest RTT */
  double stddev_ms;     /**< population standard deviation of the RTTs */
  uint32_t flags;       /**< bn_sample_flag bits (ERROR: unreachable...) */
} bn_hop;

/** How a traced path ended. */
typedef enum bn_path_status {
  BN_PATH_REACHED = 0,     /**< the target itself answered */
  BN_PATH_MAX_TTL = 1,     /**< max ttl passed without the target */
  BN_PATH_UNREACHABLE = 2, /**< a router said the target is unreachable */
  BN_PATH_ERROR = 3,       /**< the probe failed locally (no route...) */
} bn_path_status;

/**
 * One path to a target: the hops one flow identifier took.  In an array
 * of paths every element has the same struct_size (the host's stride).
 */
typedef struct bn_path {
  uint32_t struct_size;  /**< sizeof(bn_path) of the sender (BN_INIT) */
  uint32_t flow_id;      /**< flow identifier (ports/ident) of the trace */
  bn_path_status status; /**< how the trace ended */
  const bn_hop *hops;    /**< the hops, n_hops of them, by ttl */
  size_t n_hops;         /**< number of hops */
} bn_path;

/**
 * The paths to one target found in one round: one per flow identifier
 * (several when the probe looks for load-balanced paths).  The host
 * stores them as one path set with its paths and hops, all or nothing.
 */
typedef struct bn_path_set {
  uint32_t struct_size; /**< sizeof(bn_path_set) of the sender (BN_INIT) */
  const char *target;   /**< target name */
  const char *mode;     /**< probe method, e.g. "udp", "icmp", "tcp" */
  const bn_path *paths; /**< the paths, n_paths of them */
  size_t n_paths;       /**< number of paths (flows) */
  double rtt_shift_ms;  /**< per-hop RTT shift the host's path history
                             counts as a change (<=0 or NaN: none) */
  int64_t wall_ns;      /**< when the round started (0: now) */
} bn_path_set;

/** Severity of an event, from a hint to an outage. */
typedef enum bn_severity {
  BN_SEV_INFO = 0,
  BN_SEV_WARNING = 1,
  BN_SEV_CRITICAL = 2,
} bn_severity;

/** An event: an anomaly, an alert, a clock jump, a resolution failure. */
typedef struct bn_event {
  uint32_t struct_size; /**< sizeof(bn_event) of the sender (BN_INIT) */
  const char *target;   /**< target name, or NULL for host-wide */
  const char *type;     /**< short machine name, e.g. "latency_zscore" */
  bn_severity severity; /**< severity */
  double score;         /**< plugin-defined score (0..1 confidence...) */
  const char *message;  /**< one human-readable line */
  int64_t wall_ns;      /**< when (0: now) */
} bn_event;

/**
 * One anomaly episode (ABI 3.1): a stretch of time during which an
 * anomaly detector judged one target abnormal.  A detector emits it when
 * the episode opens, again each time its peak severity rises and once
 * when it closes; the host keeps one row per (run, instance, id) in the
 * history's episodes table, each emission replacing the previous one, so
 * reports show episodes rather than a stream of alerts.  Events
 * (emit_event) are still the way to alert.
 */
typedef struct bn_episode {
  uint32_t struct_size; /**< sizeof(bn_episode) of the sender (BN_INIT) */
  uint64_t id;          /**< number within the emitting instance, from 1 */
  const char *target;   /**< target name */
  int64_t start_ns;     /**< wall time it started */
  int64_t end_ns;       /**< wall time it ended; 0 while it is open */
  bn_severity level;    /**< the SDK level of its peak severity */
  const char *severity; /**< the detector's own name of the peak severity
                             (e.g. "low", "critical"); NULL: from level */
  double peak;          /**< peak confidence in [0, 1] */
  const char *dominant; /**< the signal that dominated it ("loss"...) */
  const char *signals;  /**< each signal's peak score, as text
                             ("latency=0.12 loss=1.00"), or NULL */
} bn_episode;

/**
 * A baseline in force (ABI 3.1): what an anomaly detector considers
 * normal for one series, persisted in the history so that a restart does
 * not relearn it from scratch.  Keyed by the detector instance, target,
 * probe, metric and `kind` (what the detector models, e.g. "latency" or
 * "jitter").
 */
typedef struct bn_baseline {
  uint32_t struct_size; /**< sizeof(bn_baseline) of the sender (BN_INIT) */
  const char *target;   /**< target name */
  const char *probe;    /**< probe instance name */
  const char *metric;   /**< metric name */
  const char *kind;     /**< what is modelled: "latency", "jitter"... */
  double centre;        /**< centre (e.g. median), in ms for times */
  double spread;        /**< spread (e.g. 1.4826 MAD with floors) */
  double loss_rate;     /**< baseline loss rate 0..1 (NaN: none) */
  int64_t since_ns;     /**< wall time it was (re)learned */
  uint64_t samples;     /**< samples it was learned from */
  int64_t updated_ns;   /**< wall time it was stored (set by the host) */
  const char *source;   /**< instance that stored it (set by the host) */
} bn_baseline;

/**
 * Result of one speed test run by a speedtest provider.  Measurements a
 * provider did not make are BN_NOT_MEASURED.  Latency under load is
 * measured while the download (or upload) streams run; the host grades
 * the increase over the idle latency (bufferbloat).
 */
typedef struct bn_speedtest_result {
  uint32_t struct_size;  /**< sizeof() of the sender's struct (BN_INIT) */
  const char *target;    /**< target name, or NULL when none was used */
  const char *server;    /**< the server actually used (URL, host:port) */
  int streams;           /**< parallel streams used */
  double download_bps;   /**< download goodput, bits/s */
  double upload_bps;     /**< upload goodput, bits/s */
  double latency_ms;     /**< idle latency (median) */
  double jitter_ms;      /**< idle jitter (mean |delta|) */
  double loaded_down_ms; /**< median latency during the download */
  double loaded_up_ms;   /**< median latency during the upload */
  double loss_pct;       /**< packet loss (UDP tests) */
  double udp_jitter_ms;  /**< jitter of the UDP stream (UDP tests) */
  uint64_t bytes_down;   /**< payload bytes received */
  uint64_t bytes_up;     /**< payload bytes sent */
  int64_t down_ns;       /**< duration of the download phase */
  int64_t up_ns;         /**< duration of the upload phase */
  int status;            /**< 0 or a negative bn_status */
  const char *error;     /**< error text when status != 0, else NULL */
} bn_speedtest_result;

/** Phases of a speed test, for progress reports. */
typedef enum bn_speedtest_phase {
  BN_PHASE_LATENCY = 0,  /**< measuring idle latency */
  BN_PHASE_DOWNLOAD = 1, /**< download streams running */
  BN_PHASE_UPLOAD = 2,   /**< upload streams running */
} bn_speedtest_phase;

/** What the core asks one speedtest provider to do. */
typedef struct bn_speedtest_request {
  uint32_t struct_size;    /**< sizeof() of the host's struct */
  const bn_target *target; /**< a target from the profile, or NULL */
  int streams;             /**< parallel streams per direction */
  int64_t duration_ns;     /**< cap on each transfer phase */
  int download;            /**< non-zero: measure download */
  int upload;              /**< non-zero: measure upload */
  int attempt;             /**< attempt number, from 1 (for logs) */
} bn_speedtest_request;

/* ------------------------------------------------------------------ */
/* Read-only store views (reporters, anomaly baselines)                */
/* ------------------------------------------------------------------ */

/** Filter for store queries.  NULL / 0 fields match everything. */
typedef struct bn_query {
  uint32_t struct_size; /**< sizeof(bn_query) of the sender (BN_INIT) */
  int64_t run_id;       /**< a run id; 0 = the current (or last) run */
  const char *target;   /**< target name */
  const char *probe;    /**< probe instance name */
  const char *metric;   /**< metric name */
  int64_t since_ns;     /**< wall time lower bound (inclusive) */
  int64_t until_ns;     /**< wall time upper bound (exclusive); 0 = none */
  bn_metric_role role;  /**< only metrics of this role; 0 = any */
} bn_query;

/** Metadata of one run. */
typedef struct bn_run_info {
  int64_t id;               /**< run id */
  const char *host;         /**< host name of the machine */
  const char *profile;      /**< profile name */
  const char *profile_hash; /**< SHA-256 of the merged profile, hex */
  const char *version;      /**< Bottleneck version */
  int64_t started_ns;       /**< wall time at start */
  int64_t ended_ns;         /**< wall time at end, 0 while running */
  int exit_status;          /**< exit status, -1 while running */
} bn_run_info;

/**
 * Summary of one series (target, probe, metric) in a query's range.
 * Statistics are over valid, non-lost samples; jitter is the mean
 * absolute difference of consecutive values (RFC 3550 style, unsmoothed).
 */
typedef struct bn_series {
  uint32_t struct_size; /**< sizeof(bn_series) of the host */
  const char *target;   /**< target name */
  const char *probe;    /**< probe instance name */
  const char *metric;   /**< metric name */
  bn_metric_role role;  /**< the metric's declared role (0: unknown) */
  const char *unit;     /**< the metric's declared unit ("" : unknown) */
  uint64_t count;       /**< probes sent: valid incl. lost; not late/dup */
  uint64_t lost;        /**< samples flagged lost */
  uint64_t invalid;     /**< samples flagged invalid (left out) */
  uint64_t late;        /**< late answers (not counted as received) */
  uint64_t dup;         /**< duplicate answers */
  double loss_pct;      /**< 100 * lost / count, 0 when count == 0 */
  double min, avg, p50, p95, max; /**< over received values; NaN if none */
  double stddev;                  /**< population standard deviation */
  double jitter;                  /**< mean |v[i] - v[i-1]| */
  int64_t first_ns;               /**< wall time of the first sample */
  int64_t last_ns;                /**< wall time of the last sample */
} bn_series;

/** One stored sample as returned by a store query. */
typedef struct bn_sample_row {
  int64_t run_id;     /**< run id */
  const char *target; /**< target name */
  const char *probe;  /**< probe instance name */
  bn_sample sample;   /**< the sample (sample.target == target) */
} bn_sample_row;

/** Callback for store iterations; return non-zero to stop early. */
typedef int (*bn_series_fn)(const bn_series *s, void *arg);
/** Callback for raw sample iterations; return non-zero to stop early. */
typedef int (*bn_sample_fn)(const bn_sample_row *r, void *arg);
/** Callback for event iterations; return non-zero to stop early. */
typedef int (*bn_event_fn)(const bn_event *e, const char *source, void *arg);
/** Callback for baseline iterations; return non-zero to stop early. */
typedef int (*bn_baseline_fn)(const bn_baseline *b, void *arg);

/* ------------------------------------------------------------------ */
/* The host function table                                             */
/* ------------------------------------------------------------------ */

/** Log levels; --quiet, --verbose and --debug choose which are shown. */
typedef enum bn_log_level {
  BN_LOG_ERROR = 0,
  BN_LOG_WARNING = 1,
  BN_LOG_INFO = 2,  /**< shown with --verbose */
  BN_LOG_DEBUG = 3, /**< shown with --debug */
} bn_log_level;

/** fd watch events. */
enum bn_watch_event {
  BN_WATCH_READ = 1,  /**< readable */
  BN_WATCH_WRITE = 2, /**< writable */
};

/** Timer callback: runs on the core loop. */
typedef void (*bn_timer_fn)(bn_timer *t, void *arg);
/** fd watch callback: `events` holds the bn_watch_event bits that fired. */
typedef void (*bn_watch_fn)(bn_watch *w, int fd, int events, void *arg);
/**
 * Result of resolve(): status 0 and the first address, or a negative
 * bn_status (BN_ENOENT: the name does not resolve) with addr NULL and
 * `error` a human-readable reason.  Called once, on the loop, never from
 * inside resolve() itself; `addr` and `error` are valid only during the
 * call, and the bn_resolve handle is gone once it returns.
 */
typedef void (*bn_resolve_fn)(int status, const struct sockaddr *addr,
                              size_t addrlen, const char *error, void *arg);

/**
 * Functions the host offers to every plugin instance.  Every function
 * takes the instance's own bn_host as first argument, so that log lines,
 * emitted data and errors carry the plugin's name.  New functions are only
 * ever added at the end; check struct_size before using one added in a
 * later minor.
 */
typedef struct bn_host_api {
  uint32_t struct_size; /**< sizeof(bn_host_api) of the host */

  /* -- logging -- */
  /** Log a printf-style line, prefixed "[kind:plugin:instance]". */
  void (*log)(bn_host *h, bn_log_level level, const char *fmt, ...)
      __attribute__((format(printf, 3, 4)));
  /** Non-zero when `level` would be shown (skip costly formatting). */
  int (*log_enabled)(bn_host *h, bn_log_level level);

  /* -- clocks -- */
  /** CLOCK_MONOTONIC now, ns (the core's clock; a test clock in tests). */
  int64_t (*now_mono_ns)(bn_host *h);
  /** CLOCK_REALTIME now, ns. */
  int64_t (*now_wall_ns)(bn_host *h);
  /**
   * Clock epoch: a counter that grows each time the core notices a
   * suspend/resume or a wall-clock step.  A probe records it when it
   * sends and compares on receipt: if it changed, the sample is
   * BN_SAMPLE_INVALID rather than a measurement.
   */
  uint64_t (*clock_epoch)(bn_host *h);

  /* -- configuration -- */
  /** The instance's config node (a map), defaults already filled in. */
  const bn_node *(*config)(bn_host *h);
  /** Child of a map node by key, or NULL. */
  const bn_node *(*cfg_get)(const bn_node *map, const char *key);
  /** Read a scalar as text.  Returns BN_ENOENT if absent. */
  int (*cfg_string)(bn_host *h, const bn_node *map, const char *key,
                    const char **out);
  /** Read an integer; a bad value is logged as FILE:LINE:COL. */
  int (*cfg_int)(bn_host *h, const bn_node *map, const char *key,
                 int64_t *out);
  /** Read a floating-point number. */
  int (*cfg_double)(bn_host *h, const bn_node *map, const char *key,
                    double *out);
  /** Read a boolean (true/false/yes/no/on/off). */
  int (*cfg_bool)(bn_host *h, const bn_node *map, const char *key, int *out);
  /** Read a duration in nanoseconds ("250ms", "2s", "1m", "0.5"). */
  int (*cfg_duration)(bn_host *h, const bn_node *map, const char *key,
                      int64_t *out_ns);
  /** Number of items of a list node (0 for a non-list). */
  size_t (*cfg_len)(const bn_node *list);
  /** Item i of a list node, or NULL. */
  const bn_node *(*cfg_at)(const bn_node *list, size_t i);
  /** Text of a scalar node, or NULL for maps and lists. */
  const char *(*cfg_scalar)(const bn_node *node);
  /**
   * Report a configuration error at a node: prints
   * "FILE:LINE:COL: [kind:plugin] message" and returns BN_EINVAL.
   */
  int (*cfg_error)(bn_host *h, const bn_node *node, const char *fmt, ...)
      __attribute__((format(printf, 3, 4)));

  /* -- targets -- */
  /** The targets this instance was given (after the profile's filter). */
  const bn_target *(*targets)(bn_host *h, size_t *n);

  /* -- emitting data (goes to the store, anomaly plugins, exporters) -- */
  /** Emit one sample. */
  int (*emit_sample)(bn_host *h, const bn_sample *s);
  /** Emit the paths found to one target in one round (see bn_path_set). */
  int (*emit_paths)(bn_host *h, const bn_path_set *set);
  /** Emit an event. */
  int (*emit_event)(bn_host *h, const bn_event *e);

  /* -- the core event loop -- */
  /**
   * Start a timer that fires after `after_ns` and then every
   * `repeat_ns` (0: once).  Returns NULL on failure.
   */
  bn_timer *(*timer_start)(bn_host *h, int64_t after_ns, int64_t repeat_ns,
                           bn_timer_fn fn, void *arg);
  /** Re-arm a timer with new times (after a one-shot fired, too). */
  int (*timer_again)(bn_timer *t, int64_t after_ns, int64_t repeat_ns);
  /** Stop and free a timer (NULL is ignored). */
  void (*timer_free)(bn_timer *t);
  /** Watch an fd for bn_watch_event bits.  Returns NULL on failure. */
  bn_watch *(*watch_start)(bn_host *h, int fd, int events, bn_watch_fn fn,
                           void *arg);
  /** Change which events a watch waits for. */
  int (*watch_update)(bn_watch *w, int events);
  /** Stop and free a watch; the fd is not closed (NULL is ignored). */
  void (*watch_free)(bn_watch *w);

  /* -- read-only store queries -- */
  /** Metadata of a run (0: the current or last one). */
  int (*run_info)(bn_host *h, int64_t run_id, bn_run_info *out);
  /** Summaries of the series that match, ordered by target, probe, metric. */
  int (*series_each)(bn_host *h, const bn_query *q, bn_series_fn fn,
                     void *arg);
  /** Raw samples that match, ordered by target, probe, metric, time. */
  int (*samples_each)(bn_host *h, const bn_query *q, bn_sample_fn fn,
                      void *arg);
  /** Events that match (target/run/time fields of q), ordered by time. */
  int (*events_each)(bn_host *h, const bn_query *q, bn_event_fn fn, void *arg);

  /* -- instance identity -- */
  /** The instance's name from the profile (defaults to the plugin name). */
  const char *(*instance_name)(bn_host *h);

  /* -- report outputs -- */
  /**
   * Open a report output.  `path` NULL or "-" writes to `std` (usually
   * bn_report_request.out); a path is written to a temporary file beside
   * it that output_close() renames into place, so readers never see half
   * a report and a failed render leaves the previous one alone.  Errors
   * are logged with the path.  Returns 0 or a negative bn_status.
   */
  int (*output_open)(bn_host *h, const char *path, FILE *std, bn_output **out);
  /** The stream of an open output. */
  FILE *(*output_file)(bn_output *o);
  /**
   * Finish an output and free it.  commit non-zero: flush, sync and
   * rename into place (errors logged); zero: discard the temporary file.
   */
  int (*output_close)(bn_host *h, bn_output *o, int commit);

  /* -- name resolution -- */
  /**
   * Resolve `host` without blocking the loop (the lookup runs on a
   * worker thread): `family` is AF_UNSPEC, AF_INET or AF_INET6,
   * `socktype` e.g. SOCK_STREAM or SOCK_RAW.  The first address in
   * getaddrinfo order (AI_ADDRCONFIG) is passed to `fn`.  Address
   * literals complete without any lookup, still through `fn` on a later
   * loop turn, so callers have one code path.  Returns a handle for
   * resolve_cancel, or NULL on failure (fn is then never called).
   * Resolutions still in flight are cancelled when the instance is
   * destroyed.
   */
  bn_resolve *(*resolve)(bn_host *h, const char *host, int family,
                         int socktype, bn_resolve_fn fn, void *arg);
  /**
   * Cancel a resolution in flight: fn is never called afterwards (NULL
   * is ignored).  Not for a handle whose fn has already been called.
   */
  void (*resolve_cancel)(bn_resolve *r);

  /* -- speed tests -- */
  /**
   * Report progress of the test in flight: the phase, bytes moved in
   * this phase so far and the current rate in bits/s.  The host draws
   * its progress bar from it (on a terminal only); cheap to call often.
   */
  void (*speedtest_progress)(bn_host *h, bn_speedtest_phase phase,
                             uint64_t bytes, double rate_bps);

  /* -- ABI 3.0 -- */
  /**
   * Fill the plugin's config struct `cfg` from the instance's validated
   * options: every option table entry with a field (BN_FIELD) gets its
   * value, or its default when the profile leaves it out (fields of
   * options with neither are left as they are).  Strings and nodes stay
   * valid for the instance's life.  Returns 0, or BN_EINVAL after
   * logging a field whose size does not fit its option type (a bug in
   * the plugin, named in the message).
   */
  int (*cfg_fill)(bn_host *h, void *cfg);
  /** Read a size in bytes (BN_OPT_SIZE syntax: 64k, 8MiB). */
  int (*cfg_size)(bn_host *h, const bn_node *map, const char *key,
                  uint64_t *out);
  /** Read a rate in bits/s (BN_OPT_RATE syntax: 200M, 1.5Gbit). */
  int (*cfg_rate)(bn_host *h, const bn_node *map, const char *key,
                  double *out_bps);
  /**
   * The declaration of metric `metric` of probe instance `probe` in this
   * run, or NULL when no loaded probe declares it.  Lets anomaly
   * detectors and exporters learn the role of series they read back from
   * the store.
   */
  const bn_metric *(*metric_info)(bn_host *h, const char *probe,
                                  const char *metric);

  /* -- ABI 3.1 (check h->api->struct_size before calling) -- */
  /**
   * Record an anomaly episode (see bn_episode): the row of (this run,
   * this instance, ep->id) is inserted or replaced.  Not written when
   * the host replays stored samples (`bottleneck analyze`).
   */
  int (*emit_episode)(bn_host *h, const bn_episode *ep);
  /**
   * Store the baseline in force of one series for this instance,
   * replacing the one stored before (it survives restarts).  Not
   * written by a replay.
   */
  int (*baseline_put)(bn_host *h, const bn_baseline *b);
  /**
   * The baselines this instance stored (any run), filtered by the
   * target/probe/metric fields of q; none during a replay.
   */
  int (*baselines_each)(bn_host *h, const bn_query *q, bn_baseline_fn fn,
                        void *arg);
  /**
   * Consent gate.  A plugin that sends data off this machine
   * calls it from init() for each destination (a URL, or host[:port])
   * before it sends anything.  Returns 0 when it may send there: the
   * destination is loopback, the profile's `consent:` list names it (the
   * URL, its host, host:port, or "*"), `bottleneck run --consent` was
   * given, or the user answered y on the terminal.  Otherwise the host
   * has logged one line naming the instance and the destination, and it
   * returns BN_EACCES: return that from init(); the run goes on without
   * the instance.  Each decision is stored with the run (an event of
   * type "consent").
   */
  int (*consent)(bn_host *h, const char *destination);
} bn_host_api;

/* ------------------------------------------------------------------ */
/* Kind-specific callback tables                                       */
/* ------------------------------------------------------------------ */

/**
 * Probe: after init(), start() is called once the loop runs; the probe
 * registers timers/watches and emits samples.  stop() asks it to stop
 * sending; it may emit pending results (as lost) before returning.
 */
typedef struct bn_probe_ops {
  uint32_t struct_size;    /**< sizeof(bn_probe_ops) */
  int (*start)(void *ctx); /**< begin probing */
  void (*stop)(void *ctx); /**< stop; flush what is in flight */
} bn_probe_ops;

/** Completion of a speed test: call exactly once per run(). */
typedef void (*bn_speedtest_done_fn)(const bn_speedtest_result *r, void *arg);

/**
 * Speedtest provider: the core schedules runs, retries with backoff,
 * enforces timeouts (calling cancel()) and fails over between providers.
 */
typedef struct bn_speedtest_ops {
  uint32_t struct_size; /**< sizeof(bn_speedtest_ops) */
  /**
   * Start one test; report through done() exactly once, on the loop
   * (never from inside run()).  Returns 0, or a negative bn_status when
   * it could not even start (done() is then never called).
   */
  int (*run)(void *ctx, const bn_speedtest_request *req,
             bn_speedtest_done_fn done, void *arg);
  /** Abort the test in flight; done() must not be called afterwards. */
  void (*cancel)(void *ctx);
} bn_speedtest_ops;

/**
 * Anomaly detector: sees every sample of every probe with the metric's
 * declaration (so it can select by role), and emits scored events via
 * emit_event.  All callbacks run on the core loop.
 */
typedef struct bn_anomaly_ops {
  uint32_t struct_size; /**< sizeof(bn_anomaly_ops) */
  /**
   * One sample from probe instance `probe`; `m` is the metric as the
   * probe declared it (role, unit, aggregation).
   */
  int (*on_sample)(void *ctx, const char *probe, const bn_metric *m,
                   const bn_sample *s);
  /** Optional: the paths a probe found in one round (NULL: not used). */
  int (*on_paths)(void *ctx, const char *probe, const bn_path_set *ps);
  /**
   * Optional: the run ends; close what is open (episodes...) and emit
   * its events now (NULL: not used).
   */
  int (*finish)(void *ctx);
} bn_anomaly_ops;

/**
 * Exporter: a sink for what the run produces.  Every callback but flush
 * may be NULL.  They run on the core loop and must not block it: queue
 * and send from a thread or with timers and watches.
 */
typedef struct bn_exporter_ops {
  uint32_t struct_size; /**< sizeof(bn_exporter_ops) */
  /** One sample, with its metric's declaration. */
  int (*on_sample)(void *ctx, const char *probe, const bn_metric *m,
                   const bn_sample *s);
  /** One event; `source` is the instance that emitted it. */
  int (*on_event)(void *ctx, const char *source, const bn_event *e);
  /** Flush what is buffered (called at least at the end of a run). */
  int (*flush)(void *ctx);
  /** The paths a probe found in one round. */
  int (*on_paths)(void *ctx, const char *probe, const bn_path_set *ps);
  /** The result of one speed test attempt (failed ones too). */
  int (*on_speedtest)(void *ctx, const char *provider,
                      const bn_speedtest_result *r);
} bn_exporter_ops;

/**
 * What a reporter is asked to render.  The host builds the
 * report model once (the range, presets and redaction already applied)
 * and hands it over as JSON text; its shape is documented by
 * docs/schemas/report.schema.json.  A reporter renders the sections that
 * `sections` lists, in that order, and shows a section's `note` when it
 * is not `available`.
 */
typedef struct bn_report_request {
  uint32_t struct_size;   /**< sizeof(bn_report_request) of the host */
  int64_t run_id;         /**< the run reported on (0: a range of runs) */
  FILE *out;              /**< where to write when no output is named */
  const char *model_json; /**< the report model, JSON text (never NULL) */
  const char *preset;     /**< "full", "compact" or "ops" */
  int redacted;           /**< names and addresses are pseudonyms */
  const char *format;     /**< one of the plugin's formats (never NULL) */
  const char *output;     /**< file asked for on the command line, or
                               NULL (then the instance's own option) */
  int64_t since_ns;       /**< range start (wall ns) asked for, or 0 */
  int64_t until_ns;       /**< range end (wall ns, exclusive), or 0; a
                               reporter querying the store views itself
                               (series_each...) passes these in its
                               bn_query to cover what the model covers */
} bn_report_request;

/**
 * The format `bottleneck report` renders when none is asked for: plain
 * text for a terminal.  Other format names are the reporters' own
 * (json, html, pdf, csv...).
 */
#define BN_FORMAT_DEFAULT "text"

/** Reporter: renders stored history through the store views. */
typedef struct bn_reporter_ops {
  uint32_t struct_size; /**< sizeof(bn_reporter_ops) */
  /** Render one report. */
  int (*render)(void *ctx, const bn_report_request *req);
} bn_reporter_ops;

/* ------------------------------------------------------------------ */
/* The descriptor                                                      */
/* ------------------------------------------------------------------ */

/**
 * The plugin descriptor.  The first three fields protect the rest: the
 * host reads them before anything else and refuses what it cannot use.
 */
typedef struct bn_plugin {
  uint16_t abi_major;       /**< BN_ABI_MAJOR the plugin was built with */
  uint16_t abi_minor;       /**< BN_ABI_MINOR the plugin was built with */
  uint32_t struct_size;     /**< sizeof(bn_plugin) the plugin was built with */
  const char *name;         /**< unique plugin name, e.g. "tcp" */
  const char *version;      /**< plugin version text */
  bn_kind kind;             /**< which ops table `ops` points at */
  const char *summary;      /**< one-line description */
  const bn_option *options; /**< option table, BN_OPTIONS_END-terminated */
  /**
   * Create an instance: read config through h->api, allocate a context,
   * store it in *ctx.  Return 0 or a negative bn_status (logged already).
   */
  int (*init)(bn_host *h, void **ctx);
  /** Free the context and everything it owns (called after init ok). */
  void (*destroy)(void *ctx);
  const void *ops; /**< kind-specific table (bn_probe_ops ...) */
  /**
   * Optional: check the instance's config beyond what the option table
   * can say (e.g. interval_min <= interval_max, a target without a
   * port).  Called by `profile validate` and before init(); must have no
   * side effects (no sockets, no timers).  Report each problem with
   * cfg_error and return BN_EINVAL, or return 0.  May be NULL.
   */
  int (*check)(bn_host *h);
  /**
   * Probes: the metrics the plugin emits, BN_METRICS_END-terminated.
   * A probe must list every metric it emits.  NULL for other kinds.
   */
  const bn_metric *metrics;
  /**
   * Reporters: the formats the plugin renders, NULL-terminated, e.g.
   * {"html", "pdf", NULL}.  `bottleneck report -f X` picks the reporter
   * that declares X; the first format is the one a profile's reporter
   * instance renders.  NULL for other kinds.
   */
  const char *const *formats;
  /** bn_need bits: what the plugin needs of the machine (selftest). */
  uint32_t needs;
  void *reserved[6]; /**< room to grow; must be zero */
} bn_plugin;

/** bn_plugin.needs bits: what a plugin needs to work on a machine. */
enum bn_need {
  /** ICMP echo: a raw socket (CAP_NET_RAW) or an unprivileged ping
   *  socket (net.ipv4.ping_group_range). */
  BN_NEED_ICMP_SOCKET = 1u << 0,
  /** A raw socket: CAP_NET_RAW. */
  BN_NEED_RAW_SOCKET = 1u << 1,
};

#if defined(__GNUC__)
#define BN_EXPORT __attribute__((visibility("default")))
#else
#define BN_EXPORT
#endif

/**
 * Define the plugin's descriptor symbol with named fields.  Use exactly
 * once per plugin:
 *
 *     BN_PLUGIN(.name = "tcp", .version = "1.0", .kind = BN_KIND_PROBE,
 *               .summary = "TCP connect latency",
 *               .options = tcp_options, .metrics = tcp_metrics,
 *               .init = tcp_init, .destroy = tcp_destroy, .ops = &tcp_ops);
 *
 * The ABI fields are set for you.
 */
#define BN_PLUGIN(...)                                                        \
  BN_EXPORT const bn_plugin bn_plugin_descriptor = {                          \
      .abi_major = BN_ABI_MAJOR,                                              \
      .abi_minor = BN_ABI_MINOR,                                              \
      .struct_size = (uint32_t)sizeof(bn_plugin),                             \
      __VA_ARGS__}

/* Logging conveniences: bn_info(h, "sent %d", n). */
/** Log an error through the host. */
#define bn_error(h, ...) (h)->api->log((h), BN_LOG_ERROR, __VA_ARGS__)
/** Log a warning through the host. */
#define bn_warn(h, ...) (h)->api->log((h), BN_LOG_WARNING, __VA_ARGS__)
/** Log an informational line (shown with --verbose). */
#define bn_info(h, ...) (h)->api->log((h), BN_LOG_INFO, __VA_ARGS__)
/** Log a debug line (shown with --debug). */
#define bn_debug(h, ...) (h)->api->log((h), BN_LOG_DEBUG, __VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* BOTTLENECK_SDK_H */
