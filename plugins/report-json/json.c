/*
 * json.c - the `json` reporter: the report model as a JSON document
 * (docs/schemas/report.schema.json).  The host builds the model once for
 * every reporter, with the range, preset and redaction applied; this
 * reporter checks that it parses and writes it, indented or on one line.
 * With `output` set to a path the document is written to a temporary
 * file next to it and renamed into place.
 */
#include <bottleneck/sdk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

typedef struct json_ctx {
  bn_host *h;
  char *output; /* "-" or a path */
  int pretty;
} json_ctx;

static const bn_option json_options[] = {
    {"output", BN_OPT_STRING, "-",
     "file to write the report to; \"-\" writes to standard output", 0, 0, 0},
    {"pretty", BN_OPT_BOOL, "true", "indent the document (false: one line)", 0,
     0, 0},
    {"preset", BN_OPT_STRING, "full",
     "detail: full, compact or ops (alerts, path changes and the worst "
     "targets first)",
     0, 0, 0},
    {"redact", BN_OPT_BOOL, "false",
     "replace host names and addresses with stable pseudonyms", 0, 0, 0},
    BN_OPTIONS_END};

static int json_render(void *ctx, const bn_report_request *req)
{
  json_ctx *c = ctx;
  const bn_host_api *api = c->h->api;
  json_object *model;
  bn_output *out = NULL;
  const char *text;
  int rc;

  model = json_tokener_parse(req->model_json);
  if (!model) {
    bn_error(c->h, "the report model does not parse as JSON");
    return BN_EINVAL;
  }
  rc = api->output_open(c->h, c->output, req->out, &out);
  if (rc == 0) {
    text = json_object_to_json_string_ext(
        model, (c->pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                          : JSON_C_TO_STRING_PLAIN) |
                   JSON_C_TO_STRING_NOSLASHESCAPE);
    if (text) {
      fputs(text, api->output_file(out));
      fputc('\n', api->output_file(out));
    } else {
      rc = BN_ENOMEM;
    }
    if (api->output_close(c->h, out, rc == 0) != 0 && rc == 0)
      rc = BN_EIO;
  }
  json_object_put(model);
  return rc;
}

static void json_destroy(void *ctx)
{
  json_ctx *c = ctx;

  if (!c)
    return;
  free(c->output);
  free(c);
}

static int json_init(bn_host *h, void **out)
{
  const bn_host_api *api = h->api;
  const bn_node *cfg = api->config(h);
  const char *output = "-";
  json_ctx *c;
  int rc;

  c = calloc(1, sizeof(*c));
  if (!c)
    return BN_ENOMEM;
  c->h = h;
  c->pretty = 1;
  rc = api->cfg_string(h, cfg, "output", &output);
  if (rc == BN_ENOENT)
    rc = 0;
  if (rc == 0 && *output == '\0')
    rc = api->cfg_error(h, api->cfg_get(cfg, "output"),
                        "output must not be empty; use \"-\" for standard "
                        "output");
  if (rc == 0) {
    rc = api->cfg_bool(h, cfg, "pretty", &c->pretty);
    if (rc == BN_ENOENT)
      rc = 0;
  }
  if (rc == 0) {
    c->output = strdup(output);
    if (!c->output)
      rc = BN_ENOMEM;
  }
  if (rc < 0) {
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
