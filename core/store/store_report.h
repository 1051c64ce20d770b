/*
 * store_report.h - the store's queries for reports: each builds one
 * section of the report model (docs/schemas/report.schema.json) as a
 * json-c object, aggregating in SQL and over the per-minute rollups so
 * that a week of 1 Hz samples is never loaded row by row.
 */
#ifndef BN_CORE_STORE_REPORT_H
#define BN_CORE_STORE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "store.h"

/** What a report covers. */
typedef struct store_report_range {
  int64_t run_id;             /**< one run, or 0 for every run in range */
  const char *profile;        /**< only runs of this profile (NULL: any) */
  int64_t since_ns, until_ns; /**< [since, until) wall time, both set */
  const char *const *targets; /**< only these targets (NULL: all) */
  size_t n_targets;
  int64_t bucket_ns; /**< chart resolution */
  size_t cdf_points; /**< points per CDF */
} store_report_range;

/**
 * Latency of every target: "summary" (per series statistics), "latency"
 * (per bucket percentiles, loss and jitter) and "cdf" sections, added to
 * `model`.  Ranges up to two hours read the samples; longer ones the
 * rollups (bucket_ns is then rounded up to whole minutes).
 */
int store_report_latency(store *s, const store_report_range *r,
                         json_object *model);

/** "alerts": events and the pre-flight checks that did not pass. */
int store_report_alerts(store *s, const store_report_range *r,
                        json_object *model);

/**
 * "episodes": anomaly episodes that overlap the range, newest first, each
 * with its target, source, start, end (null while open), duration, peak
 * severity and confidence, dominant signal, signals, and as context the
 * path changes and failed pre-flight checks of its target (or host-wide
 * ones: no target, or one that names no measured target such as "IPv4")
 * from STORE_EPISODE_CONTEXT_NS before it started to as long after it
 * ended; counts by peak severity.
 */
int store_report_episodes(store *s, const store_report_range *r,
                          json_object *model);
/** How far around an episode its context is looked for. */
#define STORE_EPISODE_CONTEXT_NS (60 * 1000000000LL)

/** "speedtests": every speed test in range, oldest first. */
int store_report_speedtests(store *s, const store_report_range *r,
                            json_object *model);

/** "paths": per target, the latest round, hop layers and changes. */
int store_report_paths(store *s, const store_report_range *r,
                       json_object *model);

/** A number for the model: NaN and infinities become null; `digits`
 *  after the point, trailing zeros kept out of the text. */
json_object *store_report_num(double v, int digits);

/** ISO 8601 UTC with milliseconds for a wall time in ns. */
json_object *store_report_time(int64_t wall_ns);

#endif
