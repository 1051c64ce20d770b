/*
 * report_common.c - the reporters' shared options and render
 * (report_common.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_common.h"

int report_ctx_new(bn_host *h, report_ctx **out)
{
  const bn_host_api *api = h->api;
  const bn_node *cfg = api->config(h);
  const char *output = "-", *preset = "full";
  report_ctx *c = calloc(1, sizeof(*c));
  int rc;

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
    report_ctx_free(c);
    return rc;
  }
  *out = c;
  return 0;
}

void report_ctx_free(report_ctx *c)
{
  if (!c)
    return;
  free(c->output);
  free(c);
}

int report_ctx_render(report_ctx *c, const bn_report_request *req,
                      report_write_fn fn)
{
  const bn_host_api *api = c->h->api;
  json_object *model =
      req->model_json ? json_tokener_parse(req->model_json) : NULL;
  bn_output *out = NULL;
  int rc;

  if (!model) {
    bn_error(c->h, "the report model does not parse as JSON");
    return BN_EINVAL;
  }
  rc = api->output_open(c->h, c->output, req->out, &out);
  if (rc == 0) {
    rc = fn(model, api->output_file(out), c->own);
    if (rc == 0 && ferror(api->output_file(out)))
      rc = BN_EIO;
    if (api->output_close(c->h, out, rc == 0) != 0 && rc == 0)
      rc = BN_EIO;
  }
  json_object_put(model);
  return rc;
}

int report_pct_digits(json_object *sec, double v, int max)
{
  json_object *e = NULL;
  double err;
  int d;

  if (!sec || !json_object_object_get_ex(sec, "percentile_error", &e) ||
      !isfinite(v))
    return max;
  err = json_object_get_double(e) * fabs(v);
  if (!(err > 0))
    return max;
  d = (int)ceil(-log10(err));
  return d < 0 ? 0 : d > max ? max : d;
}
