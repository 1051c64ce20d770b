/*
 * html_pdf.c - the html reporter's "pdf" format: the same page, printed
 * by headless Chromium (`--headless --print-to-pdf`, the page's print
 * stylesheet).  The page and Chromium's throw-away profile live in a
 * private temporary directory; the PDF is then copied into the output
 * the host opens (a temporary file renamed into place, or the host's
 * stream), so a failed print leaves no half file behind.  Chromium runs
 * with no proxy lookups and a deadline; as root it needs --no-sandbox.
 */
#define _GNU_SOURCE 1 /* nftw, mkdtemp */
#include <bottleneck/sdk.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "html.h"
#include "report_common.h"

#define PDF_DEADLINE_S 120

static int pdf_on_path(const char *name, char *buf, size_t len)
{
  const char *path = getenv("PATH");
  const char *p = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";

  while (*p) {
    const char *e = strchr(p, ':');
    size_t n = e ? (size_t)(e - p) : strlen(p);

    if (n && snprintf(buf, len, "%.*s/%s", (int)n, p, name) < (int)len &&
        access(buf, X_OK) == 0)
      return 0;
    p += n + (e != NULL);
  }
  return -1;
}

/* $BOTTLENECK_CHROMIUM, else chromium, chromium-browser or
 * google-chrome on $PATH: 0 and the program in buf, or -1. */
static int pdf_browser(char *buf, size_t len)
{
  static const char *const names[] = {"chromium", "chromium-browser",
                                      "google-chrome", NULL};
  const char *env = getenv("BOTTLENECK_CHROMIUM");
  size_t i;

  if (env && *env) {
    if (strchr(env, '/')) {
      snprintf(buf, len, "%s", env);
      return access(buf, X_OK) == 0 ? 0 : -1;
    }
    return pdf_on_path(env, buf, len);
  }
  for (i = 0; names[i]; i++)
    if (pdf_on_path(names[i], buf, len) == 0)
      return 0;
  return -1;
}

static int pdf_rm_one(const char *path, const struct stat *sb, int flag,
                      struct FTW *ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

/* The directory with the page, the PDF and Chromium's profile tree. */
static void pdf_rm_tree(const char *dir)
{
  nftw(dir, pdf_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The page of `model` into the file `path`. */
static int pdf_write_page(bn_host *h, json_object *model, const char *path,
                          const char *paper)
{
  FILE *f = fopen(path, "w");
  int rc;

  if (!f) {
    bn_error(h, "cannot write %s: %s", path, strerror(errno));
    return BN_EIO;
  }
  rc = h_page_write(f, model, paper) == 0 && !ferror(f) ? BN_OK : BN_EIO;
  if (fclose(f) != 0 && rc == BN_OK)
    rc = BN_EIO;
  if (rc != BN_OK)
    bn_error(h, "cannot write %s: %s", path, strerror(errno));
  return rc;
}

/* Chromium in a child: its output only with --debug. */
static void pdf_exec(bn_host *h, const char *browser, const char *data,
                     const char *out, const char *url)
{
  int devnull = open("/dev/null", O_RDWR);
  const char *argv[16];
  int n = 0;

  if (devnull >= 0 && !h->api->log_enabled(h, BN_LOG_DEBUG)) {
    dup2(devnull, STDOUT_FILENO);
    dup2(devnull, STDERR_FILENO);
  }
  argv[n++] = browser;
  argv[n++] = "--headless";
  if (geteuid() == 0)
    argv[n++] = "--no-sandbox"; /* Chromium refuses root otherwise */
  argv[n++] = "--disable-gpu";
  argv[n++] = "--no-first-run";
  argv[n++] = "--no-pdf-header-footer";
  argv[n++] = "--no-proxy-server";
  argv[n++] = data;
  argv[n++] = out;
  argv[n++] = url;
  argv[n] = NULL;
  execv(browser, (char *const *)argv);
  _exit(127);
}

/* Print the page `html` to `pdf` with `browser`, profile in `dir`. */
static int pdf_print(bn_host *h, const char *browser, const char *dir,
                     const char *html, const char *pdf)
{
  char url[4200], out[4200], data[4200];
  struct stat st;
  pid_t pid;
  int status = -1, waited = 0;

  snprintf(url, sizeof(url), "file://%s", html);
  snprintf(out, sizeof(out), "--print-to-pdf=%s", pdf);
  snprintf(data, sizeof(data), "--user-data-dir=%s/profile", dir);
  fflush(NULL); /* the child must not write our buffers twice */
  pid = fork();
  if (pid == 0)
    pdf_exec(h, browser, data, out, url);
  if (pid < 0) {
    bn_error(h, "cannot start %s: %s", browser, strerror(errno));
    return BN_ERR;
  }
  /* wait, with a deadline: a browser that hangs must not hang us */
  while (waitpid(pid, &status, WNOHANG) == 0) {
    struct timespec ts = {0, 100000000};

    if (waited++ > PDF_DEADLINE_S * 10) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      bn_error(h, "%s did not finish the PDF in %d s", browser,
               PDF_DEADLINE_S);
      return BN_ETIMEDOUT;
    }
    nanosleep(&ts, NULL);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || stat(pdf, &st) != 0 ||
      st.st_size == 0) {
    bn_error(h,
             "%s could not print %s to PDF (exit status %d); run "
             "with --debug to see its messages",
             browser, html, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return BN_ERR;
  }
  return BN_OK;
}

/* The printed PDF into the output the host opens at `path`. */
static int pdf_copy_out(report_ctx *c, const bn_report_request *req,
                        const char *path, const char *pdf)
{
  const bn_host_api *api = c->h->api;
  bn_output *out = NULL;
  char buf[65536];
  FILE *in = fopen(pdf, "rb");
  size_t n;
  int rc;

  if (!in) {
    bn_error(c->h, "cannot read %s: %s", pdf, strerror(errno));
    return BN_EIO;
  }
  rc = api->output_open(c->h, path, req->out, &out);
  if (rc == 0) {
    FILE *f = api->output_file(out);

    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
      if (fwrite(buf, 1, n, f) != n)
        break;
    if (ferror(in) || ferror(f))
      rc = BN_EIO;
    if (api->output_close(c->h, out, rc == 0) != 0 && rc == 0)
      rc = BN_EIO;
  }
  fclose(in);
  return rc;
}

int html_pdf_render(report_ctx *c, const bn_report_request *req,
                    const char *paper)
{
  char browser[4096], dir[] = "/tmp/bottleneck-pdf.XXXXXX";
  char html[64], pdf[64];
  const char *path = report_ctx_output(c, req);
  json_object *model;
  int rc;

  if (pdf_browser(browser, sizeof(browser)) != 0) {
    bn_error(c->h, "PDF needs Chromium, which is not installed: apt-get "
                   "install chromium (or set BOTTLENECK_CHROMIUM to a "
                   "Chromium or Chrome program)");
    return BN_ENOTSUP;
  }
  model = req->model_json ? json_tokener_parse(req->model_json) : NULL;
  if (!model) {
    bn_error(c->h, "the report model does not parse as JSON");
    return BN_EINVAL;
  }
  if (!mkdtemp(dir)) {
    bn_error(c->h, "cannot make a temporary directory: %s", strerror(errno));
    json_object_put(model);
    return BN_EIO;
  }
  snprintf(html, sizeof(html), "%s/report.html", dir);
  snprintf(pdf, sizeof(pdf), "%s/report.pdf", dir);
  rc = pdf_write_page(c->h, model, html, paper);
  json_object_put(model);
  if (rc == BN_OK)
    rc = pdf_print(c->h, browser, dir, html, pdf);
  /* no file named: the host's stream ("-"), or a name of our own */
  if (rc == BN_OK)
    rc = pdf_copy_out(c, req, path && *path ? path : "bottleneck-report.pdf",
                      pdf);
  pdf_rm_tree(dir);
  return rc;
}
