/*
 * alert_queue.h - delivery of alerts, shared by the alerting exporters
 * (webhook, email): a queue on the core loop through libcurl's multi
 * interface (curl_loop.h), so a slow receiver never blocks it.
 *
 * Each delivery is one state change of an episode.  The changes of one
 * episode go out in order: a change waits until the one before it is
 * delivered or given up.  A try's outcome is the plugin's to judge
 * (HTTP or SMTP codes): delivered, given up, or tried again after a
 * backoff that doubles up to a maximum.  At the end of the run (flush)
 * what is still queued is sent at once, blocking, within a deadline,
 * retries included: the loop no longer runs then.  Compiled into each
 * plugin.
 */
#ifndef BN_ALERT_QUEUE_H
#define BN_ALERT_QUEUE_H

#include <stdint.h>

#include <bottleneck/sdk.h>
#include <curl/curl.h>

#include "curl_loop.h"

struct alert_queue;

/** One state change to deliver. */
typedef struct alert_delivery {
  struct alert_queue *q;
  char key[200];   /* idempotency key, the same on every try */
  unsigned ep_seq; /* changes of one episode go out in order */
  int started;     /* a try was made or is running */
  int attempts;    /* tries so far */
  int64_t next_backoff_ns;
  CURL *easy;      /* the running try, or NULL */
  bn_timer *retry; /* the backoff timer, once needed */
  void *data;      /* the plugin's: the message, its headers */
  struct alert_delivery *next;
} alert_delivery;

/** What the plugin does for the queue. */
typedef struct alert_queue_ops {
  /** A new easy handle for one try of d, with CURLOPT_PRIVATE = d and
   *  the timeout set; NULL when out of memory. */
  CURL *(*easy)(alert_delivery *d);
  /** The outcome of a try: 1 delivered, 0 try again, -1 give up (the
   *  plugin logs it and counts q->sent or q->failed). */
  int (*outcome)(alert_delivery *d, CURLcode rc, long status);
  /** Free d->data. */
  void (*free_data)(void *data);
} alert_queue_ops;

typedef struct alert_queue {
  bn_host *h;
  curl_loop *loop; /* opened by the plugin with alert_queue_done */
  int loop_open;
  const alert_queue_ops *ops;
  const char *dest;       /* for log lines: the URL */
  int64_t backoff_ns;     /* the first retry's wait */
  int64_t backoff_max_ns; /* the longest */
  int64_t timeout_ns;     /* one try */
  int64_t flush_timeout_ns;
  unsigned long sent, failed;
  alert_delivery *head;
} alert_queue;

/** Queue the change `data` (owned by the queue from here on, freed with
 *  ops->free_data, even on failure) of episode `seq` with `key`; starts
 *  it unless an earlier change of the episode is still on its way. */
int alert_queue_add(alert_queue *q, unsigned seq, const char *key, void *data);
/** The curl_loop done callback (arg: the alert_queue). */
void alert_queue_done(CURL *easy, CURLcode rc, void *arg);
/** Send what is left, blocking, within flush_timeout; logs the totals. */
void alert_queue_flush(alert_queue *q);
/** Drop everything queued (no sending). */
void alert_queue_clear(alert_queue *q);

#endif
