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

const bn_option http_options[] = {
    {"interval", BN_OPT_DURATION, "10s", "time between requests to a target",
     0.1, 86400, 0},
    {"timeout", BN_OPT_DURATION, "5s",
     "how long a whole request may take before it counts as lost", 0.001, 300,
     0},
    {"path", BN_OPT_STRING, "/",
     "path of the URL built from a target's host and port", 0, 0, 0},
    {"scheme", BN_OPT_STRING, NULL,
     "http or https (default: https for port 443, else http)", 0, 0, 0},
    {"method", BN_OPT_STRING, "GET", "GET or HEAD", 0, 0, 0},
    {"expect_status", BN_OPT_STRING, "200-399",
     "status codes that count as success, e.g. \"200\" or \"200,301-302\"", 0,
     0, 0},
    {"follow_redirects", BN_OPT_BOOL, "false",
     "follow Location: headers (timings then cover every hop)", 0, 0, 0},
    {"insecure", BN_OPT_BOOL, "false",
     "do not verify the server's TLS certificate and name", 0, 0, 0},
    {"ca_file", BN_OPT_STRING, NULL,
     "PEM file of CA certificates to verify servers with", 0, 0, 0},
    {"user_agent", BN_OPT_STRING, "bottleneck/" PACKAGE_VERSION,
     "User-Agent header", 0, 0, 0},
    {"max_bytes", BN_OPT_SIZE, "1M",
     "abort (and count as lost) a response body larger than this", 1,
     1073741824.0, 0},
    {"fresh_connect", BN_OPT_BOOL, "true",
     "a new connection (DNS, TCP, TLS) for every request; false measures "
     "keep-alive",
     0, 0, 0},
    {"proxy", BN_OPT_STRING, NULL,
     "proxy URL; without it no proxy is used, whatever the environment says",
     0, 0, 0},
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

/* Sizes as the host validated them: digits, then k/M/G/T (1024s). */
static int http_parse_size(const char *s, int64_t *out)
{
  static const char sfx[] = "kmgt";
  const char *unit;
  char *end;
  long long v;
  int64_t mult = 1;
  int k;

  if (!isdigit((unsigned char)s[0]))
    return BN_EINVAL;
  errno = 0;
  v = strtoll(s, &end, 10);
  if (errno)
    return BN_EINVAL;
  unit = *end ? strchr(sfx, tolower((unsigned char)*end)) : NULL;
  if (unit) {
    for (k = (int)(unit - sfx) + 1; k > 0; k--)
      mult *= 1024;
    end++;
    if (end[0] == 'i' && end[1] == 'B')
      end++;
  }
  if (*end == 'B')
    end++;
  if (*end || v > INT64_MAX / mult)
    return BN_EINVAL;
  *out = (int64_t)v * mult;
  return 0;
}

/* An optional string: NULL when absent. */
static int http_opt_string(bn_host *h, const bn_node *cfg, const char *key,
                           const char **out)
{
  int rc = h->api->cfg_string(h, cfg, key, out);

  if (rc == BN_ENOENT) {
    *out = NULL;
    return 0;
  }
  return rc;
}

/* Keep the first error, but go on so that every problem is reported. */
static void http_keep(int *rc, int r)
{
  if (r < 0 && *rc == 0)
    *rc = r;
}

static int http_read_strings(bn_host *h, const bn_node *cfg, http_config *c)
{
  const bn_host_api *api = h->api;
  const char *method = NULL, *expect = NULL, *size = NULL;
  int rc = 0;

  http_keep(&rc, http_opt_string(h, cfg, "path", &c->path));
  if (!c->path)
    c->path = "/";
  if (c->path[0] != '/')
    http_keep(&rc,
              api->cfg_error(h, api->cfg_get(cfg, "path"),
                             "path must start with '/', got '%s'", c->path));
  http_keep(&rc, http_opt_string(h, cfg, "scheme", &c->scheme));
  if (c->scheme && strcmp(c->scheme, "http") != 0 &&
      strcmp(c->scheme, "https") != 0)
    http_keep(&rc, api->cfg_error(h, api->cfg_get(cfg, "scheme"),
                                  "scheme must be http or https, got '%s'",
                                  c->scheme));
  http_keep(&rc, http_opt_string(h, cfg, "method", &method));
  c->head = method && strcmp(method, "HEAD") == 0;
  if (method && !c->head && strcmp(method, "GET") != 0)
    http_keep(&rc,
              api->cfg_error(h, api->cfg_get(cfg, "method"),
                             "method must be GET or HEAD, got '%s'", method));
  http_keep(&rc, http_opt_string(h, cfg, "expect_status", &expect));
  c->expect_text = expect ? expect : "200-399";
  if (http_expect_parse(c->expect_text, c->expect) < 0)
    http_keep(&rc, api->cfg_error(h, api->cfg_get(cfg, "expect_status"),
                                  "expect_status must be " HTTP_EXPECT_SYNTAX
                                  ", got '%s'",
                                  expect));
  http_keep(&rc, http_opt_string(h, cfg, "ca_file", &c->ca_file));
  http_keep(&rc, http_opt_string(h, cfg, "user_agent", &c->user_agent));
  http_keep(&rc, http_opt_string(h, cfg, "proxy", &c->proxy));
  http_keep(&rc, http_opt_string(h, cfg, "max_bytes", &size));
  c->max_bytes = 1024 * 1024;
  if (size && (http_parse_size(size, &c->max_bytes) < 0 || c->max_bytes < 1))
    http_keep(&rc, api->cfg_error(h, api->cfg_get(cfg, "max_bytes"),
                                  "max_bytes must be a size like 64k or 1M, "
                                  "got '%s'",
                                  size));
  return rc;
}

int http_config_read(bn_host *h, http_config *c)
{
  const bn_host_api *api = h->api;
  const bn_node *cfg = api->config(h);
  int rc = 0;

  memset(c, 0, sizeof(*c));
  c->fresh_connect = 1;
  http_keep(&rc, api->cfg_duration(h, cfg, "interval", &c->interval_ns));
  if (rc == 0 && c->interval_ns < 100000000)
    http_keep(&rc, api->cfg_error(h, api->cfg_get(cfg, "interval"),
                                  "interval must be at least 100ms"));
  http_keep(&rc, api->cfg_duration(h, cfg, "timeout", &c->timeout_ns));
  if (rc == 0 && c->timeout_ns < 1000000)
    http_keep(&rc, api->cfg_error(h, api->cfg_get(cfg, "timeout"),
                                  "timeout must be at least 1ms"));
  http_keep(&rc,
            api->cfg_bool(h, cfg, "follow_redirects", &c->follow_redirects));
  http_keep(&rc, api->cfg_bool(h, cfg, "insecure", &c->insecure));
  http_keep(&rc, api->cfg_bool(h, cfg, "fresh_connect", &c->fresh_connect));
  http_keep(&rc, http_read_strings(h, cfg, c));
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
