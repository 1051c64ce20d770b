/*
 * report_common.c - the reporters' shared `output` and render
 * (report_common.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_common.h"

int report_ctx_new(bn_host *h, report_config *cfg, report_ctx **out)
{
  report_ctx *c;
  int rc;

  *out = NULL;
  if (!cfg)
    return BN_ENOMEM;
  c = calloc(1, sizeof(*c));
  if (!c) {
    free(cfg);
    return BN_ENOMEM;
  }
  c->h = h;
  c->cfg = cfg;
  rc = h->api->cfg_fill(h, cfg);
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
  free(c->cfg);
  free(c);
}

const char *report_ctx_output(const report_ctx *c,
                              const bn_report_request *req)
{
  size_t end = offsetof(bn_report_request, output) + sizeof(req->output);

  if (req->struct_size >= end && req->output)
    return req->output;
  return c->cfg->output;
}

int report_ctx_render(report_ctx *c, const bn_report_request *req,
                      report_write_fn fn)
{
  const bn_host_api *api = c->h->api;
  json_object *model =
      req->model_json ? json_tokener_parse(req->model_json) : NULL;
  const char *path = report_ctx_output(c, req);
  bn_output *out = NULL;
  int rc;

  if (!model) {
    bn_error(c->h, "the report model does not parse as JSON");
    return BN_EINVAL;
  }
  /* "" reaches us only from a host that names no file: the stream */
  rc = api->output_open(c->h, path && *path ? path : "-", req->out, &out);
  if (rc == 0) {
    rc = fn(model, api->output_file(out), c->cfg);
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
