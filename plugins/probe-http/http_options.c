/*
 * http_options.c - the `http` probe's option table and its reading:
 * every check that the table cannot express (scheme, method, the
 * expect_status list, paths and target URLs) is made here, once for
 * `profile validate` (check(), no side effects) and again by init().
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

#define HTTP_EXPECT_SYNTAX                                                    \
  "status codes 100-599 like \"200\", \"200-399\" or \"200,301-302\""

#define HTTP_OPT(m) BN_FIELD(http_config, m)

const bn_option http_options[] = {
    {.name = "interval",
     .type = BN_OPT_DURATION,
     .def = "10s",
     .help = "time between requests to a target",
     .min = 0.1,
     .max = 86400,
     HTTP_OPT(interval_ns)},
    {.name = "timeout",
     .type = BN_OPT_DURATION,
     .def = "5s",
     .help = "how long a whole request may take before it counts as lost",
     .min = 0.001,
     .max = 300,
     HTTP_OPT(timeout_ns)},
    {.name = "path",
     .type = BN_OPT_STRING,
     .def = "/",
     .help = "path of the URL built from a target's host and port",
     HTTP_OPT(path)},
    {.name = "scheme",
     .type = BN_OPT_STRING,
     .help = "http or https (default: https for port 443, else http)",
     HTTP_OPT(scheme)},
    {.name = "method",
     .type = BN_OPT_STRING,
     .def = "GET",
     .help = "GET or HEAD",
     HTTP_OPT(method)},
    {.name = "expect_status",
     .type = BN_OPT_STRING,
     .def = "200-399",
     .help = "status codes that count as success, e.g. \"200\" or "
             "\"200,301-302\"",
     HTTP_OPT(expect_text)},
    {.name = "follow_redirects",
     .type = BN_OPT_BOOL,
     .def = "false",
     .help = "follow Location: headers (timings then cover every hop)",
     HTTP_OPT(follow_redirects)},
    {.name = "insecure",
     .type = BN_OPT_BOOL,
     .def = "false",
     .help = "do not verify the server's TLS certificate and name",
     HTTP_OPT(insecure)},
    {.name = "ca_file",
     .type = BN_OPT_STRING,
     .help = "PEM file of CA certificates to verify servers with",
     HTTP_OPT(ca_file)},
    {.name = "user_agent",
     .type = BN_OPT_STRING,
     .def = "bottleneck/" PACKAGE_VERSION,
     .help = "User-Agent header",
     HTTP_OPT(user_agent)},
    {.name = "max_bytes",
     .type = BN_OPT_SIZE,
     .def = "1MiB",
     .help = "abort (and count as lost) a response body larger than this",
     .min = 1,
     .max = 1073741824.0,
     HTTP_OPT(max_bytes)},
    {.name = "fresh_connect",
     .type = BN_OPT_BOOL,
     .def = "true",
     .help = "a new connection (DNS, TCP, TLS) for every request; false "
             "measures keep-alive",
     HTTP_OPT(fresh_connect)},
    {.name = "proxy",
     .type = BN_OPT_STRING,
     .help = "proxy URL; without it no proxy is used, whatever the "
             "environment says",
     HTTP_OPT(proxy)},
    BN_OPTIONS_END};

/* ---------------------------------------------------------------- */
/* expect_status                                                     */
/* ---------------------------------------------------------------- */

static const char *http_skip_blanks(const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* A status code at *p (digits only); advances *p.  -1 if none. */
static long http_code_at(const char **p)
{
  char *end;
  long v;

  if (!isdigit((unsigned char)**p))
    return -1;
  errno = 0;
  v = strtol(*p, &end, 10);
  *p = end;
  return errno ? -1 : v;
}

/*
 * "200", "200-399", "200, 204, 301-302": a comma list of codes and
 * inclusive ranges, each within 100..599.  Sets one bit per code.
 */
int http_expect_parse(const char *text, unsigned char *bits)
{
  const char *p = text;
  long lo, hi, i;

  memset(bits, 0, (HTTP_STATUS_MAX + 1 + 7) / 8);
  for (;;) {
    p = http_skip_blanks(p);
    lo = http_code_at(&p);
    hi = lo;
    p = http_skip_blanks(p);
    if (*p == '-') {
      p = http_skip_blanks(p + 1);
      hi = http_code_at(&p);
      p = http_skip_blanks(p);
    }
    if (lo < HTTP_STATUS_MIN || hi > HTTP_STATUS_MAX || lo > hi)
      return BN_EINVAL;
    for (i = lo; i <= hi; i++)
      bits[i / 8] |= (unsigned char)(1u << (i % 8));
    if (*p == '\0')
      return 0;
    if (*p != ',')
      return BN_EINVAL;
    p++;
  }
}

int http_expect_has(const http_config *cfg, long status)
{
  if (status < HTTP_STATUS_MIN || status > HTTP_STATUS_MAX)
    return 0;
  return (cfg->expect[status / 8] >> (status % 8)) & 1;
}

/* ---------------------------------------------------------------- */
/* Reading the options                                               */
/* ---------------------------------------------------------------- */

/* Keep the first error, but go on so that every problem is reported. */
static void http_keep(int *rc, int r)
{
  if (r < 0 && *rc == 0)
    *rc = r;
}

/* What the option table cannot say; every problem is reported. */
static int http_check_strings(bn_host *h, const bn_node *cfg, http_config *c)
{
  const bn_host_api *api = h->api;
  int rc = 0;

  if (c->path[0] != '/')
    http_keep(&rc,
              api->cfg_error(h, api->cfg_get(cfg, "path"),
                             "path must start with '/', got '%s'", c->path));
  if (c->scheme && strcmp(c->scheme, "http") != 0 &&
      strcmp(c->scheme, "https") != 0)
    http_keep(&rc, api->cfg_error(h, api->cfg_get(cfg, "scheme"),
                                  "scheme must be http or https, got '%s'",
                                  c->scheme));
  c->head = strcmp(c->method, "HEAD") == 0;
  if (!c->head && strcmp(c->method, "GET") != 0)
    http_keep(&rc, api->cfg_error(h, api->cfg_get(cfg, "method"),
                                  "method must be GET or HEAD, got '%s'",
                                  c->method));
  if (http_expect_parse(c->expect_text, c->expect) < 0)
    http_keep(&rc, api->cfg_error(h, api->cfg_get(cfg, "expect_status"),
                                  "expect_status must be " HTTP_EXPECT_SYNTAX
                                  ", got '%s'",
                                  c->expect_text));
  return rc;
}

int http_config_read(bn_host *h, http_config *c)
{
  int rc;

  memset(c, 0, sizeof(*c));
  c->path = "/";
  c->method = "GET";
  c->expect_text = "200-399";
  c->fresh_connect = 1;
  rc = h->api->cfg_fill(h, c);
  if (rc == 0)
    rc = http_check_strings(h, h->api->config(h), c);
  return rc;
}

/* ---------------------------------------------------------------- */
/* Target URLs                                                       */
/* ---------------------------------------------------------------- */

/*
 * The target's own `url`, or scheme://host[:port]/path.  IPv6 literals
 * get their brackets.  *out is malloc'd.
 */
int http_target_url(bn_host *h, const http_config *cfg, const bn_target *t,
                    char **out)
{
  const char *url = NULL, *scheme = cfg->scheme;
  char port[16] = "";
  int v6, len;

  *out = NULL;
  if (h->api->cfg_string(h, t->node, "url", &url) == 0) {
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
      return h->api->cfg_error(h, h->api->cfg_get(t->node, "url"),
                               "target '%s': url must start with http:// or "
                               "https://, got '%s'",
                               t->name, url);
    *out = strdup(url);
    return *out ? 0 : BN_ENOMEM;
  }
  if (!scheme)
    scheme = t->port == 443 ? "https" : "http";
  if (t->port > 0)
    snprintf(port, sizeof(port), ":%d", t->port);
  v6 = strchr(t->host, ':') != NULL;
  len = snprintf(NULL, 0, "%s://%s%s%s%s%s", scheme, v6 ? "[" : "", t->host,
                 v6 ? "]" : "", port, cfg->path);
  *out = malloc((size_t)len + 1);
  if (!*out)
    return BN_ENOMEM;
  snprintf(*out, (size_t)len + 1, "%s://%s%s%s%s%s", scheme, v6 ? "[" : "",
           t->host, v6 ? "]" : "", port, cfg->path);
  return 0;
}

/* check(): the options and every target's URL, without side effects. */
int http_check(bn_host *h)
{
  const bn_target *ts;
  http_config cfg;
  size_t i, n = 0;
  char *url;
  int rc;

  rc = http_config_read(h, &cfg);
  ts = h->api->targets(h, &n);
  for (i = 0; i < n; i++) {
    http_keep(&rc, http_target_url(h, &cfg, &ts[i], &url));
    free(url);
  }
  return rc;
}
