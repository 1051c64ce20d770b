/*
 * report_render.c - one reporter instance, one model (report_render.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "report_render.h"

int report_render_instance(host_instance *in, store *st,
                           const report_opts *base, const char *format,
                           const char *output, FILE *out, char *written,
                           size_t wlen)
{
  const char *opt_output;
  char name[1024];
  const bn_reporter_ops *ops = host_reporter_ops(in);
  const bn_node *node = in->entry ? in->entry->node : NULL;
  const char *preset = conf_scalar(conf_get(node, "preset"));
  const char *redact = conf_scalar(conf_get(node, "redact"));
  report_opts o = *base;
  bn_report_request req;
  json_object *model;
  int rc, on = 0;

  if (!in->initialised || !HOST_HAS(ops, render))
    return BN_OK;
  if (preset && report_preset_of(preset) >= 0)
    o.preset = (report_preset)report_preset_of(preset);
  if (redact && conf_parse_bool(redact, &on) == 0)
    o.redact = on;
  model = report_model_build(st, &o);
  if (!model)
    return BN_ENOENT; /* the range or the store: already said */
  /* An `output` option of "" asks for a file named after the report. */
  opt_output = conf_scalar(conf_get(node, "output"));
  if (!output && opt_output && !opt_output[0]) {
    report_file_name(model, format ? format : in->plugin->desc.formats[0],
                     name, sizeof(name));
    output = name;
  }
  if (written && wlen)
    snprintf(written, wlen, "%s",
             output       ? output
             : opt_output ? opt_output
                          : "-");
  memset(&req, 0, sizeof(req));
  req.struct_size = sizeof(req);
  req.format = format ? format : in->plugin->desc.formats[0];
  req.output = output;
  req.run_id = o.run_id;
  req.since_ns = o.since_ns;
  req.until_ns = o.until_ns;
  req.out = out;
  req.model_json = json_object_to_json_string_ext(
      model, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                 JSON_C_TO_STRING_NOSLASHESCAPE);
  req.preset = report_preset_name(o.preset);
  req.redacted = o.redact;
  rc = ops->render(in->ctx, &req);
  if (rc != BN_OK)
    log_error(in->prefix, "report failed; see above");
  json_object_put(model);
  return rc == BN_OK ? BN_OK : BN_ERR;
}
