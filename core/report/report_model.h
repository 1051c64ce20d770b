/*
 * report_model.h - the report model: everything a reporter shows, built
 * once from the store as one JSON document (docs/schemas/report.schema.json)
 * and handed to every reporter, so that html, json and text cover the
 * same sections in the same order and redaction happens in one place.
 */
#ifndef BN_CORE_REPORT_MODEL_H
#define BN_CORE_REPORT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "store.h"

/** Chart density and order of sections. */
typedef enum report_preset {
  REPORT_FULL = 0, /* every section, fine charts */
  REPORT_COMPACT,  /* coarse charts, no CDF, latest paths only */
  REPORT_OPS,      /* alerts, path changes and the worst targets first */
} report_preset;

/** What to report on. */
typedef struct report_opts {
  int64_t run_id;             /* a run; 0 with no range: the last run */
  int64_t since_ns, until_ns; /* 0: from the first / to the last run */
  const char *const *targets; /* only these (NULL: all) */
  size_t n_targets;
  const char *profile; /* only runs of this profile (NULL: any) */
  report_preset preset;
  int redact;     /* pseudonyms for names and addresses */
  int64_t now_ns; /* "generated"; 0: the clock */
  int meta_only;  /* only the range and "meta" (file names) */
} report_opts;

/** Preset by name ("compact", "full", "ops"); -1 when unknown. */
int report_preset_of(const char *name);
/** Name of a preset. */
const char *report_preset_name(report_preset p);

/**
 * Build the model.  Returns a new json-c object, or NULL after logging
 * why (no runs in range, a store error).
 */
json_object *report_model_build(store *st, const report_opts *o);

/**
 * Replace every host name, target name and IP address in the model by a
 * stable pseudonym ("target-1", "host-1", "ip-1" ...): the same input
 * gets the same pseudonym everywhere in the model, in free text too.
 */
void report_redact(json_object *model);

/**
 * Parse a --since / --until value: "now", a duration back from now
 * ("90m", "24h", "7d"), a date ("2026-11-24", local midnight) or a time
 * ("2026-11-24T10:00", "2026-11-24 10:00:05", "...Z" for UTC).  Returns
 * 0 and the wall time in ns, or -1.
 */
int report_parse_time(const char *s, int64_t now_ns, int64_t *out);

/** A file name from the model's metadata:
 * bottleneck-PROFILE-HOST-FROM[-TO].EXT */
void report_file_name(json_object *model, const char *ext, char *buf,
                      size_t len);

#endif
