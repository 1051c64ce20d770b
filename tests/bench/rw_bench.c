/*
 * rw_bench.c - throughput of the remote_write exporter's queue and wire
 * format (plugins/exporter-remote-write): not a test, numbers only.
 *
 *   rw_bench URL QUEUE POINTS SERIES BATCH
 *
 * 1. queues POINTS points over SERIES series (labels as the exporter
 *    makes them, timestamps 1 ms apart per round, ending now), committing
 *    every 1000 points as the exporter's tick does: points/s into the
 *    queue, and the queue file's bytes per point once closed;
 * 2. drains the queue to URL (a real remote-write receiver) as the
 *    exporter does: the oldest BATCH points, encoded, POSTed (libcurl,
 *    one connection kept alive), acknowledged on 2xx: points/s delivered,
 *    and bytes per point on the wire (snappy) and before compression.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "rw_encode.h"
#include "rw_queue.h"

static double now_s(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t sink(char *p, size_t sz, size_t n, void *arg)
{
  (void)p;
  (void)arg;
  return sz * n;
}

int main(int argc, char **argv)
{
  char err[512], target[32], wal[600];
  long points, n_series, batch, i;
  rw_labels *ls;
  rw_queue *q;
  double t0, t_in, t_out;
  struct stat st;
  size_t wire = 0, raw_total = 0;
  long sent = 0, requests = 0;
  struct timespec wall;
  int64_t end_ms;
  CURL *e;
  struct curl_slist *h = NULL;

  if (argc != 6) {
    fprintf(stderr, "usage: rw_bench URL QUEUE POINTS SERIES BATCH\n");
    return 2;
  }
  points = atol(argv[3]);
  n_series = atol(argv[4]);
  batch = atol(argv[5]);
  if (points <= 0 || n_series <= 0 || batch <= 0 || points / n_series > 3e6) {
    fprintf(stderr, "rw_bench: POINTS, SERIES and BATCH must be above 0, "
                    "at most 3e6 rounds\n");
    return 2;
  }
  remove(argv[2]);
  q = rw_queue_open(argv[2], (uint64_t)points, err, sizeof(err));
  if (!q) {
    fprintf(stderr, "rw_bench: %s\n", err);
    return 1;
  }
  ls = calloc((size_t)n_series, sizeof(*ls));
  for (i = 0; i < n_series; i++) {
    const char *kv[] = {"__name__", "bottleneck_latency_last_seconds",
                        "agent",    "bench-host",
                        "target",   target,
                        "probe",    "tcp",
                        "metric",   "rtt_ms"};

    snprintf(target, sizeof(target), "target-%05ld", i);
    if (rw_labels_pack(kv, 5, &ls[i]) < 0)
      return 1;
  }
  clock_gettime(CLOCK_REALTIME, &wall);
  end_ms = (int64_t)wall.tv_sec * 1000 + wall.tv_nsec / 1000000;
  t0 = now_s();
  for (i = 0; i < points; i++) {
    long round = i / n_series;
    int64_t ts = end_ms - (points / n_series - round);
    double v = 0.010 + 0.001 * (double)(i % 97) / 97.0;

    if (rw_queue_add(q, &ls[i % n_series], ts, v) < 0 ||
        (i % 1000 == 999 && rw_queue_commit(q, 0) < 0)) {
      fprintf(stderr, "rw_bench: %s\n", rw_queue_error(q));
      return 1;
    }
  }
  rw_queue_commit(q, 0);
  t_in = now_s() - t0;
  rw_queue_close(q);
  snprintf(wal, sizeof(wal), "%s-wal", argv[2]);
  if (stat(argv[2], &st) < 0)
    return 1;
  printf("queue: %ld points over %ld series in %.2f s: %.0f points/s in; "
         "file %lld bytes, %.1f bytes/point\n",
         points, n_series, t_in, (double)points / t_in, (long long)st.st_size,
         (double)st.st_size / (double)points);

  q = rw_queue_open(argv[2], (uint64_t)points, err, sizeof(err));
  if (!q) {
    fprintf(stderr, "rw_bench: %s\n", err);
    return 1;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  e = curl_easy_init();
  h = curl_slist_append(h, "Content-Encoding: snappy");
  h = curl_slist_append(h, "Content-Type: application/x-protobuf");
  h = curl_slist_append(h, "X-Prometheus-Remote-Write-Version: 0.1.0");
  curl_easy_setopt(e, CURLOPT_URL, argv[1]);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
  t0 = now_s();
  for (;;) {
    rw_batch b;
    char *body = NULL;
    size_t len = 0, raw = 0;
    long status = 0;
    long n = rw_queue_peek(q, (size_t)batch, &b);
    CURLcode rc;

    if (n <= 0)
      break;
    if (rw_encode(b.pts, b.n, &body, &len, &raw) < 0)
      return 1;
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)len);
    rc = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    free(body);
    requests++;
    if (rc != CURLE_OK || status < 200 || status >= 300) {
      fprintf(stderr, "rw_bench: %s, HTTP %ld\n", curl_easy_strerror(rc),
              status);
      return 1;
    }
    wire += len;
    raw_total += raw;
    sent += n;
    rw_queue_ack(q, b.last_id);
    rw_batch_free(&b);
  }
  t_out = now_s() - t0;
  printf("send: %ld points in %ld requests of up to %ld in %.2f s: %.0f "
         "points/s delivered; %.2f bytes/point on the wire (snappy), %.1f "
         "before\n",
         sent, requests, batch, t_out, (double)sent / t_out,
         (double)wire / (double)sent, (double)raw_total / (double)sent);
  rw_queue_close(q);
  curl_easy_cleanup(e);
  curl_slist_free_all(h);
  curl_global_cleanup();
  for (i = 0; i < n_series; i++)
    free(ls[i].data);
  free(ls);
  remove(argv[2]);
  remove(wal);
  return sent == points ? 0 : 1;
}
