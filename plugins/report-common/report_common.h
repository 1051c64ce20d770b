/*
 * report_common.h - what every built-in reporter does the same way
 * (the convenience library plugins/report-common/libreportcommon.la):
 * the `output` option, and a render that parses the model the host
 * hands over and writes the report atomically to the file the command
 * line named (req->output), else the instance's `output`, else the
 * host's stream.  The preset and redaction are the host's keys of a
 * reporter entry: the model arrives with them applied.
 */
#ifndef BN_REPORT_COMMON_H
#define BN_REPORT_COMMON_H

#include <stdio.h>

#include <bottleneck/sdk.h>
#include <json.h>

/**
 * The head of every reporter's config struct (filled by cfg_fill): a
 * reporter's struct starts with a report_config member.
 */
typedef struct report_config {
  const char *output; /* "-", a path, or "" (the host names the file) */
} report_config;

/**
 * The `output` option of config struct T (whose first member is a
 * report_config named `common`), with default DEF: "-" writes to
 * standard output, "" a file named after the report.
 */
#define REPORT_OUTPUT_OPTION(T, DEF)                                          \
  {                                                                           \
    .name = "output", .type = BN_OPT_STRING, .def = (DEF),                    \
    .help = "file to write the report to; \"-\": standard output, \"\": a "   \
            "file named after the profile, host and dates",                   \
    BN_FIELD(T, common.output)                                                \
  }

/** A reporter instance. */
typedef struct report_ctx {
  bn_host *h;
  report_config *cfg; /* the plugin's config struct (its head) */
} report_ctx;

/** Writes the report of `model` to f; 0 or a bn_status. */
typedef int (*report_write_fn)(json_object *model, FILE *f, void *cfg);

/**
 * A new instance over the plugin's config struct `cfg` (malloc'd by the
 * plugin, starting with a report_config, defaults set): fills it with
 * cfg_fill.  Returns 0 or a bn_status (logged).  The instance owns cfg.
 */
int report_ctx_new(bn_host *h, report_config *cfg, report_ctx **out);
/** Free an instance and its config struct. */
void report_ctx_free(report_ctx *c);
/**
 * Where this request goes: req->output (the command line's -o) when
 * set, else the instance's `output`.
 */
const char *report_ctx_output(const report_ctx *c,
                              const bn_report_request *req);
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
