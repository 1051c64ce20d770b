/*
 * report_common.h - what every built-in reporter does the same way
 * (compiled into each reporter plugin): the options `output`, `preset`
 * and `redact`, and a render that parses the model the host hands over
 * and writes the report atomically to `output` or the host's stream.
 */
#ifndef BN_REPORT_COMMON_H
#define BN_REPORT_COMMON_H

#include <stdio.h>

#include <bottleneck/sdk.h>
#include <json.h>

/** The options every reporter has, first in its option table. */
#define REPORT_COMMON_OPTIONS                                                 \
  {"output", BN_OPT_STRING,                                                   \
   "-",      "file to write the report to; \"-\" writes to standard output",  \
   0,        0,                                                               \
   0},                                                                        \
      {"preset",                                                              \
       BN_OPT_STRING,                                                         \
       "full",                                                                \
       "detail: full, compact or ops (alerts, path changes and the worst "    \
       "targets first)",                                                      \
       0,                                                                     \
       0,                                                                     \
       0},                                                                    \
  {                                                                           \
    "redact", BN_OPT_BOOL, "false",                                           \
        "replace host names and addresses with stable pseudonyms", 0, 0, 0    \
  }

/** A reporter instance. */
typedef struct report_ctx {
  bn_host *h;
  char *output; /* "-" or a path */
  void *own;    /* the plugin's own settings */
} report_ctx;

/** Writes the report of `model` to f; 0 or a bn_status. */
typedef int (*report_write_fn)(json_object *model, FILE *f, void *own);

/**
 * Read and check the common options into a new instance; errors are
 * reported with the option's file and line.  Returns 0 or a bn_status.
 */
int report_ctx_new(bn_host *h, report_ctx **out);
/** Free an instance (own is the plugin's to free first). */
void report_ctx_free(report_ctx *c);
/**
 * Parse the model of req, open the output, write with fn, commit the
 * output only when fn succeeded.  A model that does not parse is one
 * error line and BN_EINVAL.
 */
int report_ctx_render(report_ctx *c, const bn_report_request *req,
                      report_write_fn fn);

/**
 * Decimals to print a percentile v of a model section (summary or
 * latency) with: `max`, or fewer when the section's percentiles come
 * from the sketch (`percentile_error`): the last digit's unit is then the
 * largest power of ten not above the error bound.
 */
int report_pct_digits(json_object *sec, double v, int max);

#endif
