/*
 * speed_provider.c - common options, URL checks and the run/cancel glue
 * of the HTTP-based providers.
 */
#include "speed_provider.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

int speed_provider_url(bn_host *h, const char *key, const char *url)
{
  const bn_host_api *api = h->api;
  CURLU *u;
  char *scheme = NULL;
  int rc = 0;

  if (!url)
    return 0;
  u = curl_url();
  if (!u)
    return BN_ENOMEM;
  if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
      (strcmp(scheme, "http") && strcmp(scheme, "https")))
    rc = api->cfg_error(h, api->cfg_get(api->config(h), key),
                        "'%s' is not an http:// or https:// URL; write "
                        "e.g. http://host:port/path",
                        url);
  curl_free(scheme);
  curl_url_cleanup(u);
  return rc;
}

void speed_provider_init(speed_provider *p, bn_host *h,
                         const speed_common_config *cfg)
{
  p->h = h;
  p->plan.ca_file = cfg->ca_file;
  p->plan.insecure = cfg->insecure;
  p->plan.pings = cfg->pings;
  p->plan.ping_gap_ns = cfg->ping_interval_ns;
  p->plan.connect_timeout_ns = cfg->connect_timeout_ns;
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
