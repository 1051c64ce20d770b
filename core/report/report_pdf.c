/*
 * report_pdf.c - headless Chromium prints the HTML report (report_pdf.h).
 * It runs with a throw-away profile directory, no network proxy
 * lookups, and a deadline; as root it needs --no-sandbox.
 */
#include "config.h"

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

#include "log.h"
#include "report_pdf.h"

#define PDF_DEADLINE_S 120

static int on_path(const char *name, char *buf, size_t len)
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

int report_pdf_browser(char *buf, size_t len)
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
    return on_path(env, buf, len);
  }
  for (i = 0; names[i]; i++)
    if (on_path(names[i], buf, len) == 0)
      return 0;
  return -1;
}

static int rm_one(const char *path, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
  (void)sb;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

/* Chromium leaves a profile tree behind in its directory. */
static void rm_tree(const char *dir)
{
  nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int report_pdf_print(const char *browser, const char *html, const char *pdf)
{
  char dir[] = "/tmp/bottleneck-pdf.XXXXXX", url[4200], out[4200], data[4200];
  struct stat st;
  pid_t pid;
  int status = -1, waited = 0;

  if (!mkdtemp(dir)) {
    log_error("report", "cannot make a temporary directory: %s",
              strerror(errno));
    return -1;
  }
  snprintf(url, sizeof(url), "file://%s", html);
  snprintf(out, sizeof(out), "--print-to-pdf=%s", pdf);
  snprintf(data, sizeof(data), "--user-data-dir=%s", dir);
  unlink(pdf);
  pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDWR);
    const char *argv[16];
    int n = 0;

    if (devnull >= 0 && !log_enabled(BN_LOG_DEBUG)) {
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
  if (pid < 0) {
    log_error("report", "cannot start %s: %s", browser, strerror(errno));
    rm_tree(dir);
    return -1;
  }
  /* wait, with a deadline: a browser that hangs must not hang us */
  while (waitpid(pid, &status, WNOHANG) == 0) {
    struct timespec ts = {0, 100000000};

    if (waited++ > PDF_DEADLINE_S * 10) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      log_error("report", "%s did not finish the PDF in %d s", browser,
                PDF_DEADLINE_S);
      rm_tree(dir);
      return -1;
    }
    nanosleep(&ts, NULL);
  }
  rm_tree(dir);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || stat(pdf, &st) != 0 ||
      st.st_size == 0) {
    log_error("report",
              "%s could not print %s to PDF (exit status %d); run "
              "with --debug to see its messages",
              browser, html, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return -1;
  }
  return 0;
}
