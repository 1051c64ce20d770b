/*
 * json.c - the `json` reporter: the report model as a JSON document
 * (docs/schemas/report.schema.json).  The host builds the model once for
 * every reporter, with the range, preset and redaction applied; this
 * reporter writes it back, indented or (pretty: false) on one line,
 * atomically to `output` (report-common).
 */
#include <bottleneck/sdk.h>

#include <stdio.h>
#include <stdlib.h>

#include <json.h>

#include "report_common.h"

typedef struct json_config {
  report_config common; /* output */
  int pretty;
} json_config;

static const bn_option json_options[] = {
    REPORT_OUTPUT_OPTION(json_config, "-"),
    {.name = "pretty",
     .type = BN_OPT_BOOL,
     .def = "true",
     .help = "indent the document (false: one line)",
     BN_FIELD(json_config, pretty)},
    BN_OPTIONS_END};

static const char *const json_formats[] = {"json", NULL};

static int json_write(json_object *model, FILE *f, void *cfg)
{
  const json_config *jc = cfg;
  const char *text = json_object_to_json_string_ext(
      model, (jc->pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                         : JSON_C_TO_STRING_PLAIN) |
                 JSON_C_TO_STRING_NOSLASHESCAPE);

  if (!text)
    return BN_ENOMEM;
  fputs(text, f);
  fputc('\n', f);
  return BN_OK;
}

static int json_render(void *ctx, const bn_report_request *req)
{
  return report_ctx_render(ctx, req, json_write);
}

static void json_destroy(void *ctx)
{
  report_ctx_free(ctx);
}

static int json_init(bn_host *h, void **out)
{
  json_config *cfg = calloc(1, sizeof(*cfg));

  if (cfg) {
    cfg->common.output = "-";
    cfg->pretty = 1;
  }
  return report_ctx_new(h, cfg ? &cfg->common : NULL, (report_ctx **)out);
}

static const bn_reporter_ops json_ops = {
    .struct_size = sizeof(bn_reporter_ops),
    .render = json_render,
};

BN_PLUGIN(.name = "json", .version = "2.0", .kind = BN_KIND_REPORTER,
          .summary = "the report model as JSON: alerts, latency, jitter, "
                     "CDF, speed tests, paths (json-c)",
          .options = json_options, .formats = json_formats, .init = json_init,
          .destroy = json_destroy, .ops = &json_ops);
