/*
 * alert_queue.c - delivery of alerts on the core loop (alert_queue.h).
 */
#include "alert_queue.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void aq_free(alert_delivery *d)
{
  alert_queue *q = d->q;

  if (d->retry)
    q->h->api->timer_free(d->retry);
  if (d->easy) {
    if (q->loop_open)
      curl_loop_remove(q->loop, d->easy);
    curl_easy_cleanup(d->easy);
  }
  if (d->data)
    q->ops->free_data(d->data);
  free(d);
}

static void aq_unlink(alert_queue *q, alert_delivery *d)
{
  alert_delivery **p;

  for (p = &q->head; *p; p = &(*p)->next)
    if (*p == d) {
      *p = d->next;
      return;
    }
}

static int aq_start(alert_delivery *d)
{
  d->started = 1;
  d->easy = d->q->ops->easy(d);
  if (!d->easy)
    return BN_ENOMEM;
  d->attempts++;
  if (curl_loop_add(d->q->loop, d->easy) < 0) {
    curl_easy_cleanup(d->easy);
    d->easy = NULL;
    return BN_EIO;
  }
  return BN_OK;
}

/* d is done with (delivered, given up or not startable): drop it and
 * start the next change of its episode, if one waits. */
static void aq_finish(alert_queue *q, alert_delivery *d)
{
  unsigned seq = d->ep_seq;

  aq_unlink(q, d);
  aq_free(d);
  for (;;) {
    for (d = q->head; d; d = d->next)
      if (d->ep_seq == seq && !d->started)
        break;
    if (!d || aq_start(d) == BN_OK)
      return;
    aq_unlink(q, d);
    aq_free(d);
  }
}

static void aq_retry_cb(bn_timer *t, void *arg)
{
  alert_delivery *d = arg;

  (void)t;
  if (aq_start(d) < 0)
    aq_finish(d->q, d);
}

static void aq_backoff_grow(alert_queue *q, alert_delivery *d)
{
  d->next_backoff_ns *= 2;
  if (d->next_backoff_ns > q->backoff_max_ns)
    d->next_backoff_ns = q->backoff_max_ns;
}

void alert_queue_done(CURL *easy, CURLcode rc, void *arg)
{
  alert_queue *q = arg;
  alert_delivery *d = NULL;
  long status = 0;

  curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&d);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_loop_remove(q->loop, easy);
  curl_easy_cleanup(easy);
  d->easy = NULL;
  if (q->ops->outcome(d, rc, status) != 0) {
    aq_finish(q, d);
    return;
  }
  if (!d->retry)
    d->retry =
        q->h->api->timer_start(q->h, d->next_backoff_ns, 0, aq_retry_cb, d);
  else
    q->h->api->timer_again(d->retry, d->next_backoff_ns, 0);
  aq_backoff_grow(q, d);
}

int alert_queue_add(alert_queue *q, unsigned seq, const char *key, void *data)
{
  alert_delivery *d = calloc(1, sizeof(*d)), **p;
  int busy = 0;

  if (!d) {
    q->ops->free_data(data);
    return BN_ENOMEM;
  }
  d->q = q;
  d->data = data;
  d->ep_seq = seq;
  d->next_backoff_ns = q->backoff_ns;
  snprintf(d->key, sizeof(d->key), "%s", key);
  for (p = &q->head; *p; p = &(*p)->next)
    busy |= (*p)->ep_seq == seq;
  *p = d; /* at the tail: the queue keeps the order of the changes */
  if (busy)
    return BN_OK;
  if (aq_start(d) < 0) {
    aq_unlink(q, d);
    aq_free(d);
    return BN_EIO;
  }
  return BN_OK;
}

static int64_t aq_mono_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void aq_sleep_ms(int64_t ms)
{
  struct timespec ts;

  if (ms <= 0)
    return;
  ts.tv_sec = (time_t)(ms / 1000);
  ts.tv_nsec = (long)(ms % 1000) * 1000000;
  nanosleep(&ts, NULL);
}

void alert_queue_flush(alert_queue *q)
{
  int64_t deadline = aq_mono_ms() + q->flush_timeout_ns / 1000000;

  while (q->head) {
    alert_delivery *d = q->head;
    int o = 0;

    if (d->easy) {
      curl_loop_remove(q->loop, d->easy);
      curl_easy_cleanup(d->easy);
      d->easy = NULL;
    }
    while (o == 0) {
      int64_t left = deadline - aq_mono_ms();
      CURLcode rc;
      long status = 0;
      CURL *e;

      if (left <= 0) {
        bn_warn(q->h, "alert %s not delivered to %s: flush_timeout reached",
                d->key, q->dest);
        q->failed++;
        break;
      }
      e = q->ops->easy(d);
      if (!e)
        break;
      if (left < q->timeout_ns / 1000000)
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)left);
      d->attempts++;
      rc = curl_easy_perform(e);
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
      curl_easy_cleanup(e);
      o = q->ops->outcome(d, rc, status);
      if (o == 0) {
        int64_t ms = d->next_backoff_ns / 1000000;

        if (ms > deadline - aq_mono_ms())
          ms = deadline - aq_mono_ms();
        aq_sleep_ms(ms);
        aq_backoff_grow(q, d);
      }
    }
    q->head = d->next;
    aq_free(d);
  }
  if (q->sent || q->failed)
    bn_info(q->h, "%lu alerts delivered to %s, %lu not", q->sent, q->dest,
            q->failed);
}

void alert_queue_clear(alert_queue *q)
{
  while (q->head) {
    alert_delivery *d = q->head;

    q->head = d->next;
    aq_free(d);
  }
}
