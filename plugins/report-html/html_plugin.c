/*
 * html_plugin.c - the `html` reporter plugin: the page (html_page.c) of
 * the model the host hands over, written atomically to the output
 * (report-common); the "pdf" format prints that page with headless
 * Chromium (html_pdf.c).
 */
#include <bottleneck/sdk.h>

#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "report_common.h"

typedef struct html_config {
  report_config common; /* output */
} html_config;

/* By default a file named after the report: a page is not for a
 * terminal. */
static const bn_option html_options[] = {REPORT_OUTPUT_OPTION(html_config, ""),
                                         BN_OPTIONS_END};

static const char *const html_formats[] = {"html", "pdf", NULL};

static int html_write(json_object *model, FILE *f, void *cfg)
{
  (void)cfg;
  return h_page_write(f, model) == 0 ? BN_OK : BN_EIO;
}

static int html_render(void *ctx, const bn_report_request *req)
{
  if (req->format && strcmp(req->format, "pdf") == 0)
    return html_pdf_render(ctx, req);
  return report_ctx_render(ctx, req, html_write);
}

static void html_destroy(void *ctx)
{
  report_ctx_free(ctx);
}

static int html_init(bn_host *h, void **out)
{
  html_config *cfg = calloc(1, sizeof(*cfg));

  if (cfg)
    cfg->common.output = "";
  return report_ctx_new(h, cfg ? &cfg->common : NULL, (report_ctx **)out);
}

static const bn_reporter_ops html_ops = {
    .struct_size = sizeof(bn_reporter_ops),
    .render = html_render,
};

BN_PLUGIN(.name = "html", .version = "1.1", .kind = BN_KIND_REPORTER,
          .summary = "self-contained HTML page (or PDF of it, by headless "
                     "Chromium): alert badges, latency, jitter, CDF and "
                     "speed test charts, hop view (inline SVG)",
          .options = html_options, .formats = html_formats, .init = html_init,
          .destroy = html_destroy, .ops = &html_ops);
