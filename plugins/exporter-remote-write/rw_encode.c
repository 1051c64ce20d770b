/*
 * rw_encode.c - label sets and the remote-write body (rw_encode.h).
 */
#include "rw_encode.h"

#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>

#include "remote.pb-c.h"

typedef struct rw_pair {
  const char *k, *v;
} rw_pair;

static int rw_pair_cmp(const void *a, const void *b)
{
  return strcmp(((const rw_pair *)a)->k, ((const rw_pair *)b)->k);
}

int rw_labels_pack(const char *const *kv, size_t n_pairs, rw_labels *out)
{
  rw_pair *p = calloc(n_pairs ? n_pairs : 1, sizeof(*p));
  size_t i, len = 0, at = 0;

  out->data = NULL;
  out->len = 0;
  if (!p)
    return -1;
  for (i = 0; i < n_pairs; i++) {
    p[i].k = kv[2 * i];
    p[i].v = kv[2 * i + 1] ? kv[2 * i + 1] : "";
    len += strlen(p[i].k) + strlen(p[i].v) + 2;
  }
  qsort(p, n_pairs, sizeof(*p), rw_pair_cmp);
  out->data = malloc(len ? len : 1);
  if (!out->data) {
    free(p);
    return -1;
  }
  for (i = 0; i < n_pairs; i++) {
    size_t kl = strlen(p[i].k) + 1, vl = strlen(p[i].v) + 1;

    memcpy(out->data + at, p[i].k, kl);
    memcpy(out->data + at + kl, p[i].v, vl);
    at += kl + vl;
  }
  out->len = at;
  free(p);
  return 0;
}

/* Number of labels of a packed set, or -1 if it is not whole pairs. */
static long rw_labels_count(const char *d, size_t len)
{
  size_t at = 0;
  long n = 0;

  while (at < len) {
    const char *z = memchr(d + at, '\0', len - at);

    if (!z)
      return -1;
    at = (size_t)(z - d) + 1;
    n++;
  }
  return n % 2 ? -1 : n / 2;
}

static int rw_same(const rw_point *a, const rw_point *b)
{
  return a->labels_len == b->labels_len &&
         !memcmp(a->labels, b->labels, a->labels_len);
}

int rw_encode(const rw_point *p, size_t n, char **out, size_t *out_len,
              size_t *raw_len)
{
  Prometheus__WriteRequest req = PROMETHEUS__WRITE_REQUEST__INIT;
  Prometheus__TimeSeries *ts = NULL, **tsp = NULL;
  Prometheus__Label *lab = NULL, **labp = NULL;
  Prometheus__Sample *smp = NULL, **smpp = NULL;
  size_t n_series = 0, n_labels = 0, i, s, li = 0, raw_size, clen;
  uint8_t *raw = NULL;
  char *z = NULL;
  int rc = -1;

  *out = NULL;
  *out_len = 0;
  for (i = 0; i < n; i++) {
    if (i == 0 || !rw_same(&p[i - 1], &p[i])) {
      long c = rw_labels_count(p[i].labels, p[i].labels_len);

      if (c < 0)
        return -1;
      n_series++;
      n_labels += (size_t)c;
    }
  }
  ts = calloc(n_series + 1, sizeof(*ts));
  tsp = calloc(n_series + 1, sizeof(*tsp));
  lab = calloc(n_labels + 1, sizeof(*lab));
  labp = calloc(n_labels + 1, sizeof(*labp));
  smp = calloc(n + 1, sizeof(*smp));
  smpp = calloc(n + 1, sizeof(*smpp));
  if (!ts || !tsp || !lab || !labp || !smp || !smpp)
    goto out;
  for (i = 0, s = 0; i < n; i++) {
    if (i == 0 || !rw_same(&p[i - 1], &p[i])) {
      const char *d = p[i].labels;
      size_t at = 0;

      prometheus__time_series__init(&ts[s]);
      ts[s].labels = &labp[li];
      while (at < p[i].labels_len) {
        prometheus__label__init(&lab[li]);
        lab[li].name = (char *)d + at;
        at += strlen(d + at) + 1;
        lab[li].value = (char *)d + at;
        at += strlen(d + at) + 1;
        labp[li] = &lab[li];
        li++;
        ts[s].n_labels++;
      }
      ts[s].samples = &smpp[i];
      tsp[s] = &ts[s];
      s++;
    }
    prometheus__sample__init(&smp[i]);
    smp[i].value = p[i].value;
    smp[i].timestamp = p[i].ts_ms;
    smpp[i] = &smp[i];
    ts[s - 1].n_samples++;
  }
  req.n_timeseries = n_series;
  req.timeseries = tsp;
  raw_size = prometheus__write_request__get_packed_size(&req);
  raw = malloc(raw_size ? raw_size : 1);
  clen = snappy_max_compressed_length(raw_size);
  z = malloc(clen ? clen : 1);
  if (!raw || !z)
    goto out;
  prometheus__write_request__pack(&req, raw);
  if (snappy_compress((const char *)raw, raw_size, z, &clen) != SNAPPY_OK)
    goto out;
  *out = z;
  *out_len = clen;
  z = NULL;
  if (raw_len)
    *raw_len = raw_size;
  rc = 0;
out:
  free(z);
  free(raw);
  free(ts);
  free(tsp);
  free(lab);
  free(labp);
  free(smp);
  free(smpp);
  return rc;
}
