/*
 * an_engine.h - the anomaly engine: per-target detectors, fusion of
 * their signals into one confidence and severity, and episodes with a
 * cooldown.  Pure C (no host dependency): the plugins, the offline
 * replay and the NAB benchmark all run samples through this one path.
 *
 * Per target, each selected series (target, probe, metric) has a
 * latency level detector, a jitter (volatility) detector and a loss
 * detector, as its role asks.  After every sample the target's signals
 * (the largest score of each signal over its series) are fused:
 *
 *     confidence = 1 - prod_i (1 - weight_i * score_i)
 *
 * and an episode opens when confidence >= open_threshold, raises its
 * severity as confidence grows (or becomes critical when the target is
 * unreachable), and closes once confidence stayed below
 * close_threshold for the cooldown.  Callbacks: one when an episode
 * opens, one each time its severity rises, one when it closes.
 */
#ifndef AN_ENGINE_H
#define AN_ENGINE_H

#include "an_detect.h"

#include <stddef.h>
#include <stdint.h>

/** The signals the engine fuses. */
typedef enum an_signal {
  AN_SIG_LATENCY = 0,
  AN_SIG_LOSS = 1,
  AN_SIG_JITTER = 2,
  AN_SIG_UNREACHABLE = 3,
  AN_SIG_N = 4,
} an_signal;

/** Bits of an_config.signals. */
#define AN_SIGBIT(s) (1u << (s))
#define AN_SIG_ALL   0xfu

/** The five severities of an episode. */
typedef enum an_severity {
  AN_SEV_INFO = 0,
  AN_SEV_LOW = 1,
  AN_SEV_MEDIUM = 2,
  AN_SEV_HIGH = 3,
  AN_SEV_CRITICAL = 4,
} an_severity;

/** What a sample's metric means (mapped from the SDK's roles). */
typedef enum an_role {
  AN_ROLE_LATENCY = 1, /**< a delay; lost samples are its loss */
  AN_ROLE_LOSS = 2,    /**< a loss rate, value in percent */
  AN_ROLE_JITTER = 3,  /**< a jitter value */
} an_role;

/** Sample flags the engine looks at. */
enum an_flag {
  AN_F_LOST = 1u << 0,    /**< no answer: counts as loss */
  AN_F_INVALID = 1u << 1, /**< clock jump/suspend: ignored entirely */
};

/** Configuration of an engine; an_config_default() fills it. */
typedef struct an_config {
  unsigned signals;         /**< AN_SIGBIT() of the enabled signals */
  an_level_cfg latency;     /**< latency level detector */
  an_level_cfg jitter;      /**< volatility detector */
  an_loss_cfg loss;         /**< loss detector */
  double weight[AN_SIG_N];  /**< weight of each signal in the fusion */
  double open_threshold;    /**< confidence that opens an episode */
  double close_threshold;   /**< below it the cooldown runs */
  double sev_low;           /**< confidence of severity low */
  double sev_medium;        /**< ... medium */
  double sev_high;          /**< ... high */
  int unreachable_critical; /**< unreachable makes it critical */
  int64_t cooldown_ns;      /**< quiet time that closes an episode */
  double jitter_dominance;  /**< latency shift <= this x volatility:
                                 the jitter signal dominates */
} an_config;

/** Episode event phases. */
typedef enum an_phase {
  AN_EP_OPEN = 0,
  AN_EP_UPDATE = 1,
  AN_EP_CLOSE = 2,
} an_phase;

/** One episode event as handed to the callback. */
typedef struct an_episode {
  uint64_t id;             /**< episode number within the engine, from 1 */
  const char *target;      /**< target name */
  an_phase phase;          /**< open, severity rose, or closed */
  int64_t start_ns;        /**< first sample over open_threshold */
  int64_t end_ns;          /**< close: last sample over close_threshold */
  int64_t now_ns;          /**< time of the sample that caused it */
  an_severity severity;    /**< peak severity so far */
  double confidence;       /**< confidence now (close: the peak) */
  double peak_confidence;  /**< peak confidence so far */
  an_signal dominant;      /**< dominant signal at the peak severity */
  double scores[AN_SIG_N]; /**< peak score of each signal so far */
  const char *probe;       /**< probe of the sample that caused it */
  const char *metric;      /**< metric of that sample */
} an_episode;

/** Called for every episode event; runs inside an_engine_sample(). */
typedef void (*an_emit_fn)(const an_episode *ep, void *arg);

typedef struct an_engine an_engine;

/**
 * Where baselines persist (optional, an_engine_set_store).  A series'
 * baselines have kinds: "latency" (the level of a latency series, with
 * the series' baseline loss rate), "jitter" (the volatility of a latency
 * series, or the level of a jitter-role series) and "loss" (a loss-role
 * series: only loss_rate).  load() is called when a series is first
 * seen, once per kind: it returns 1 and fills *b and *loss_rate (NaN:
 * none) when a baseline was stored, else 0.  save() is called whenever
 * a baseline is (re)learned and, for every series, at an_engine_finish.
 */
typedef struct an_store {
  int (*load)(void *arg, const char *target, const char *probe,
              const char *metric, const char *kind, an_baseline *b,
              double *loss_rate);
  void (*save)(void *arg, const char *target, const char *probe,
               const char *metric, const char *kind, const an_baseline *b,
               double loss_rate);
  void *arg;
} an_store;

/** Documented defaults: all signals, weights 1, 0.5/0.3, 30 s. */
void an_config_default(an_config *c);
/** Clamp sizes and thresholds into their ranges. */
void an_config_clamp(an_config *c);

/** A new engine (copies `c`), or NULL when out of memory. */
an_engine *an_engine_new(const an_config *c, an_emit_fn fn, void *arg);
/** Free the engine (episodes still open are dropped: finish first). */
void an_engine_free(an_engine *e);

/**
 * Feed one sample.  `primary`: the metric stands for its probe (the
 * SDK's BN_METRIC_PRIMARY); a probe's non-primary latency metrics are
 * ignored once its primary was seen, and only the first one is used of
 * a probe that has none.  `value` is NaN for a lost sample.
 * Returns 0, or -1 when out of memory.
 */
int an_engine_sample(an_engine *e, const char *target, const char *probe,
                     const char *metric, an_role role, int primary,
                     double value, int64_t t_ns, unsigned flags);

/** Persist and restore baselines through `st` (copied; NULL: none). */
void an_engine_set_store(an_engine *e, const an_store *st);
/** Close every open episode (the run ends); end times stay true. */
void an_engine_finish(an_engine *e);

/** Fused confidence of a target after its last sample (NaN: unknown). */
double an_engine_confidence(const an_engine *e, const char *target);

/** Bytes the engine holds (for the cost benchmark). */
size_t an_engine_bytes(const an_engine *e);

/** Number of targets the engine tracks. */
size_t an_engine_targets(const an_engine *e);

/**
 * The latency baseline in force of a target's first analysed latency
 * series (NULL: none yet).
 */
const an_baseline *an_engine_baseline(const an_engine *e, const char *target);

/** "latency", "loss", "jitter", "unreachable". */
const char *an_signal_name(an_signal s);
/** "info", "low", "medium", "high", "critical". */
const char *an_severity_name(an_severity s);
/** "open", "update", "close". */
const char *an_phase_name(an_phase p);
/** Signal by name (-1: none). */
int an_signal_parse(const char *name);

#endif /* AN_ENGINE_H */
