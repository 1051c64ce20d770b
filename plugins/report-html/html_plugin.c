/*
 * html_plugin.c - the `html` reporter plugin: the page (html_page.c) of
 * the model the host hands over, written atomically to `output`
 * (report-common).
 */
#include <bottleneck/sdk.h>

#include "html.h"
#include "report_common.h"

static const bn_option html_options[] = {REPORT_COMMON_OPTIONS,
                                         BN_OPTIONS_END};

static int html_write(json_object *model, FILE *f, void *own)
{
  (void)own;
  return h_page_write(f, model) == 0 ? BN_OK : BN_EIO;
}

static int html_render(void *ctx, const bn_report_request *req)
{
  return report_ctx_render(ctx, req, html_write);
}

static void html_destroy(void *ctx)
{
  report_ctx_free(ctx);
}

static int html_init(bn_host *h, void **out)
{
  return report_ctx_new(h, (report_ctx **)out);
}

static const bn_reporter_ops html_ops = {
    sizeof(bn_reporter_ops),
    html_render,
};

BN_PLUGIN_DEFINE("html", "1.0", BN_KIND_REPORTER,
                 "self-contained HTML page: alert badges, latency, jitter, "
                 "CDF and speed test charts, hop view (inline SVG)",
                 html_options, html_init, html_destroy, &html_ops);
