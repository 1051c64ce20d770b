/*
 * html_plugin.c - the `html` reporter plugin: the page (html_page.c) of
 * the model the host hands over, written atomically to the output
 * (report-common); the "pdf" format prints that page with headless
 * Chromium (html_pdf.c).
 */
#include <bottleneck/sdk.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "report_common.h"

typedef struct html_config {
  report_config common; /* output */
  const char *paper;    /* "auto", "a4" or "letter" */
} html_config;

/* By default a file named after the report: a page is not for a
 * terminal. */
static const bn_option html_options[] = {
    REPORT_OUTPUT_OPTION(html_config, ""),
    {.name = "paper",
     .type = BN_OPT_STRING,
     .def = "auto",
     .help = "page size of the PDF (and of the page printed): a4, letter, "
             "or auto: letter in the US, Canada, Mexico... by the locale "
             "(LC_ALL, LC_PAPER, LANG), A4 elsewhere",
     BN_FIELD(html_config, paper)},
    BN_OPTIONS_END};

static const char *const html_formats[] = {"html", "pdf", NULL};

static int html_write(json_object *model, FILE *f, void *cfg)
{
  const html_config *c = cfg;
  /* a page printed from a browser: the browser's (the user's) paper,
   * unless the option names one */
  const char *paper = strcasecmp(c->paper, "auto") ? h_paper(c->paper) : NULL;

  return h_page_write(f, model, paper) == 0 ? BN_OK : BN_EIO;
}

static int html_render(void *ctx, const bn_report_request *req)
{
  if (req->format && strcmp(req->format, "pdf") == 0)
    return html_pdf_render(
        ctx, req,
        h_paper(((const html_config *)((report_ctx *)ctx)->cfg)->paper));
  return report_ctx_render(ctx, req, html_write);
}

static void html_destroy(void *ctx)
{
  report_ctx_free(ctx);
}

static int html_check(bn_host *h)
{
  const bn_host_api *api = h->api;
  const bn_node *n = api->cfg_get(api->config(h), "paper");
  const char *v = n ? api->cfg_scalar(n) : NULL;

  if (v && !h_paper(v))
    return api->cfg_error(h, n, "unknown paper '%s': use a4, letter or auto",
                          v);
  return BN_OK;
}

static int html_init(bn_host *h, void **out)
{
  html_config *cfg = calloc(1, sizeof(*cfg));
  int rc;

  if (cfg) {
    cfg->common.output = "";
    cfg->paper = "auto";
  }
  rc = report_ctx_new(h, cfg ? &cfg->common : NULL, (report_ctx **)out);
  if (rc == BN_OK && !h_paper(cfg->paper)) {
    bn_error(h, "unknown paper '%s': use a4, letter or auto", cfg->paper);
    report_ctx_free(*out);
    *out = NULL;
    return BN_EINVAL;
  }
  return rc;
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
          .destroy = html_destroy, .ops = &html_ops, .check = html_check);
