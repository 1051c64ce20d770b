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

static const bn_option json_options[] = {
    REPORT_COMMON_OPTIONS,
    {"pretty", BN_OPT_BOOL, "true", "indent the document (false: one line)", 0,
     0, 0},
    BN_OPTIONS_END};

static int json_write(json_object *model, FILE *f, void *own)
{
  const int *pretty = own;
  const char *text = json_object_to_json_string_ext(
      model, (*pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
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
  report_ctx *c = ctx;

  if (c)
    free(c->own);
  report_ctx_free(c);
}

static int json_init(bn_host *h, void **out)
{
  report_ctx *c = NULL;
  int *pretty, rc = report_ctx_new(h, &c);

  if (rc < 0)
    return rc;
  pretty = malloc(sizeof(*pretty));
  if (!pretty) {
    report_ctx_free(c);
    return BN_ENOMEM;
  }
  *pretty = 1;
  c->own = pretty;
  rc = h->api->cfg_bool(h, h->api->config(h), "pretty", pretty);
  if (rc < 0 && rc != BN_ENOENT) {
    json_destroy(c);
    return rc;
  }
  *out = c;
  return 0;
}

static const bn_reporter_ops json_ops = {
    sizeof(bn_reporter_ops),
    json_render,
};

BN_PLUGIN_DEFINE("json", "2.0", BN_KIND_REPORTER,
                 "the report model as JSON: alerts, latency, jitter, CDF, "
                 "speed tests, paths (json-c)",
                 json_options, json_init, json_destroy, &json_ops);
