/*
 * html_plugin.c - the `html` reporter plugin: options, and rendering the
 * model the host hands over into one self-contained page (html_page.c).
 * With `output` set to a path the page is written to a temporary file
 * next to it and renamed into place.
 */
#include <bottleneck/sdk.h>

#include <stdlib.h>
#include <string.h>

#include "html.h"

typedef struct html_ctx {
  bn_host *h;
  char *output; /* "-" or a path */
} html_ctx;

static const bn_option html_options[] = {
    {"output", BN_OPT_STRING, "-",
     "file to write the page to; \"-\" writes to standard output", 0, 0, 0},
    {"preset", BN_OPT_STRING, "full",
     "detail: full, compact or ops (alerts, path changes and the worst "
     "targets first)",
     0, 0, 0},
    {"redact", BN_OPT_BOOL, "false",
     "replace host names and addresses with stable pseudonyms", 0, 0, 0},
    BN_OPTIONS_END};

static int html_render(void *ctx, const bn_report_request *req)
{
  html_ctx *c = ctx;
  const bn_host_api *api = c->h->api;
  json_object *model = json_tokener_parse(req->model_json);
  bn_output *out = NULL;
  int rc;

  if (!model) {
    bn_error(c->h, "the report model does not parse as JSON");
    return BN_EINVAL;
  }
  rc = api->output_open(c->h, c->output, req->out, &out);
  if (rc == 0) {
    rc = h_page_write(api->output_file(out), model) == 0 ? BN_OK : BN_EIO;
    if (api->output_close(c->h, out, rc == 0) != 0 && rc == 0)
      rc = BN_EIO;
  }
  json_object_put(model);
  return rc;
}

static void html_destroy(void *ctx)
{
  html_ctx *c = ctx;

  if (!c)
    return;
  free(c->output);
  free(c);
}

static int html_init(bn_host *h, void **out)
{
  const bn_host_api *api = h->api;
  const bn_node *cfg = api->config(h);
  const char *output = "-", *preset = "full";
  html_ctx *c;
  int rc;

  c = calloc(1, sizeof(*c));
  if (!c)
    return BN_ENOMEM;
  c->h = h;
  rc = api->cfg_string(h, cfg, "output", &output);
  if (rc == BN_ENOENT)
    rc = 0;
  if (rc == 0 && *output == '\0')
    rc = api->cfg_error(h, api->cfg_get(cfg, "output"),
                        "output must not be empty; use \"-\" for standard "
                        "output");
  if (rc == 0 && api->cfg_string(h, cfg, "preset", &preset) == 0 &&
      strcmp(preset, "full") && strcmp(preset, "compact") &&
      strcmp(preset, "ops"))
    rc =
        api->cfg_error(h, api->cfg_get(cfg, "preset"),
                       "preset '%s' is not one of full, compact, ops", preset);
  if (rc == 0) {
    c->output = strdup(output);
    if (!c->output)
      rc = BN_ENOMEM;
  }
  if (rc < 0) {
    html_destroy(c);
    return rc;
  }
  *out = c;
  return 0;
}

static const bn_reporter_ops html_ops = {
    sizeof(bn_reporter_ops),
    html_render,
};

BN_PLUGIN_DEFINE("html", "1.0", BN_KIND_REPORTER,
                 "self-contained HTML page: alert badges, latency, jitter, "
                 "CDF and speed test charts, hop view (inline SVG)",
                 html_options, html_init, html_destroy, &html_ops);
