/*
 * speed_provider.c - common options, URL checks and the run/cancel glue
 * of the HTTP-based providers.
 */
#include "speed_provider.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

int speed_provider_url(bn_host *h, const char *key, const char **out)
{
  const bn_host_api *api = h->api;
  const bn_node *cfg = api->config(h);
  CURLU *u;
  char *scheme = NULL;
  int rc = 0;

  *out = NULL;
  if (api->cfg_string(h, cfg, key, out) != 0)
    return 0;
  u = curl_url();
  if (!u)
    return BN_ENOMEM;
  if (curl_url_set(u, CURLUPART_URL, *out, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
      (strcmp(scheme, "http") && strcmp(scheme, "https")))
    rc = api->cfg_error(h, api->cfg_get(cfg, key),
                        "'%s' is not an http:// or https:// URL; write "
                        "e.g. http://host:port/path",
                        *out);
  curl_free(scheme);
  curl_url_cleanup(u);
  return rc;
}

int speed_provider_size(bn_host *h, const char *key, uint64_t *out)
{
  const char *s;
  char *end;
  double v;

  if (h->api->cfg_string(h, h->api->config(h), key, &s) != 0)
    return BN_ENOENT;
  v = strtod(s, &end);
  switch (*end) {
  case 'k':
  case 'K':
    v *= 1024;
    break;
  case 'm':
  case 'M':
    v *= 1024 * 1024;
    break;
  case 'g':
  case 'G':
    v *= 1024.0 * 1024 * 1024;
    break;
  default:
    break;
  }
  *out = (uint64_t)v;
  return 0;
}

int speed_provider_init(speed_provider *p, bn_host *h)
{
  const bn_host_api *api = h->api;
  const bn_node *cfg = api->config(h);
  int64_t pings = 10;

  p->h = h;
  api->cfg_string(h, cfg, "ca_file", &p->plan.ca_file);
  api->cfg_bool(h, cfg, "insecure", &p->plan.insecure);
  api->cfg_int(h, cfg, "pings", &pings);
  p->plan.pings = (int)pings;
  api->cfg_duration(h, cfg, "ping_interval", &p->plan.ping_gap_ns);
  api->cfg_duration(h, cfg, "connect_timeout", &p->plan.connect_timeout_ns);
  return 0;
}

static void speed_provider_done(const bn_speedtest_result *r, void *arg)
{
  speed_provider *p = arg;
  speed_engine *e = p->eng;

  p->eng = NULL;
  p->done(r, p->done_arg);
  /* r lives in the engine: free it only after done() returned. */
  speed_engine_free(e);
}

int speed_provider_run(void *ctx, const bn_speedtest_request *req,
                       bn_speedtest_done_fn done, void *arg)
{
  speed_provider *p = ctx;

  if (p->eng)
    return BN_EAGAIN;
  p->done = done;
  p->done_arg = arg;
  bn_info(p->h, "testing against %s with %d stream(s)", p->plan.server,
          req->streams);
  return speed_engine_start(p->h, &p->plan, req, speed_provider_done, p,
                            &p->eng);
}

void speed_provider_cancel(void *ctx)
{
  speed_provider *p = ctx;

  speed_engine_cancel(p->eng);
  p->eng = NULL;
}

void speed_provider_fini(speed_provider *p)
{
  speed_provider_cancel(p);
}
