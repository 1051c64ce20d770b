/*
 * iperf3_json.c - take goodput, bytes, loss and jitter out of iperf3's
 * JSON result.  TCP: end.sum_received (what arrived, not what was
 * sent).  UDP: end.sum, whose loss and jitter come from the receiver.
 */
#include "iperf3_json.h"

#include <bottleneck/sdk.h>

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

static json_object *iperf3_get(json_object *o, const char *a, const char *b)
{
  json_object *x = NULL, *y = NULL;

  if (!o || !json_object_object_get_ex(o, a, &x))
    return NULL;
  if (!b)
    return x;
  return json_object_object_get_ex(x, b, &y) ? y : NULL;
}

static double iperf3_num(json_object *o, const char *key, double def)
{
  json_object *v = NULL;

  if (!o || !json_object_object_get_ex(o, key, &v))
    return def;
  return json_object_get_double(v);
}

int iperf3_parse(const char *json, int udp, iperf3_figures *out, char *err,
                 size_t errlen)
{
  json_object *root = json ? json_tokener_parse(json) : NULL;
  json_object *sum, *e;
  int rc = -1;

  memset(out, 0, sizeof(*out));
  out->loss_pct = out->jitter_ms = BN_NOT_MEASURED;
  if (!root) {
    snprintf(err, errlen, "iperf3 gave no JSON result");
    return -1;
  }
  e = iperf3_get(root, "error", NULL);
  if (e) {
    snprintf(err, errlen, "iperf3: %s", json_object_get_string(e));
    goto out;
  }
  sum = iperf3_get(root, "end", udp ? "sum" : "sum_received");
  if (!sum || iperf3_num(sum, "bits_per_second", -1) < 0) {
    snprintf(err, errlen, "iperf3 result has no end.%s",
             udp ? "sum" : "sum_received");
    goto out;
  }
  out->bps = iperf3_num(sum, "bits_per_second", 0);
  out->bytes = (uint64_t)iperf3_num(sum, "bytes", 0);
  out->seconds = iperf3_num(sum, "seconds", 0);
  if (udp) {
    out->loss_pct = iperf3_num(sum, "lost_percent", BN_NOT_MEASURED);
    out->jitter_ms = iperf3_num(sum, "jitter_ms", BN_NOT_MEASURED);
  }
  rc = 0;
out:
  json_object_put(root);
  return rc;
}
