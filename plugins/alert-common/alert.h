/*
 * alert.h - what the alerting exporters (webhook, email) share: episode
 * state from the events anomaly plugins emit, the correlation context
 * (the target's recent statistics, path changes and check failures in
 * the window, the run), and the two renderings of an alert (JSON for a
 * webhook, plain text for a person).  Compiled into each plugin.
 *
 * An episode is keyed by (source instance, target, type): a WARNING or
 * CRITICAL event opens it or raises its severity, an INFO event closes
 * it (the convention of the anomaly plugins, docs/exporters.md).  A
 * state change is delivered when the episode's severity is at or above
 * the sink's `min_severity`: "opened" the first time it is, "escalated"
 * when it rises after that, "resolved" when an episode that was
 * delivered closes.  Each delivery has an idempotency key that names
 * the run, the episode and the change, the same on every retry.
 */
#ifndef BN_ALERT_H
#define BN_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include <bottleneck/sdk.h>

typedef enum alert_state {
  ALERT_NONE = 0,
  ALERT_OPENED,
  ALERT_ESCALATED,
  ALERT_RESOLVED,
} alert_state;

/** Recent samples of one target kept for the context. */
#define ALERT_RING 256
/** Context events (path changes, check failures) kept. */
#define ALERT_CTX_EVENTS 32

typedef struct alert_episode {
  char *source, *target, *type;
  unsigned seq;     /* episode number in this run (1, 2...) */
  unsigned changes; /* state changes delivered */
  int open;
  int delivered; /* "opened" went out */
  bn_severity sev, sent_sev;
  double score, peak_score;
  int64_t start_ns, peak_ns, end_ns;
  char *message, *first_message;
  struct alert_episode *next;
} alert_episode;

typedef struct alert_point {
  int64_t wall_ns;
  double ms; /* NaN: lost */
} alert_point;

typedef struct alert_tstats {
  char *target;
  alert_point ring[ALERT_RING];
  size_t n, head;
  struct alert_tstats *next;
} alert_tstats;

typedef struct alert_ctxev {
  char *target, *type, *message;
  int64_t wall_ns;
} alert_ctxev;

typedef struct alert_book {
  bn_host *h;
  bn_severity min_sev;
  int64_t window_ns; /* context window */
  alert_episode *episodes;
  unsigned n_episodes;
  alert_tstats *stats;
  alert_ctxev ctx[ALERT_CTX_EVENTS];
  size_t n_ctx, ctx_head;
} alert_book;

/**
 * Parse a severity name: "warning", "critical" or "high" (= critical).
 * Returns 0 and sets *out, or -1.
 */
int alert_parse_severity(const char *s, bn_severity *out);
/** Name of a severity: "info", "warning", "critical". */
const char *alert_severity_name(bn_severity s);
/** Name of a state change: "opened", "escalated", "resolved". */
const char *alert_state_name(alert_state s);

void alert_book_init(alert_book *b, bn_host *h, bn_severity min_sev,
                     int64_t window_ns);
void alert_book_free(alert_book *b);

/** Keep a latency sample (role latency) for the context. */
void alert_book_sample(alert_book *b, const bn_metric *m, const bn_sample *s);

/**
 * Feed one event.  Returns the state change to deliver (ALERT_NONE: none)
 * and sets *ep to its episode.  Path changes and check failures are kept
 * as context.
 */
alert_state alert_book_event(alert_book *b, const char *source,
                             const bn_event *e, alert_episode **ep);

/** The idempotency key of the change just returned (into buf). */
void alert_key(alert_book *b, const alert_episode *ep, alert_state st,
               char *buf, size_t len);

/** The alert as JSON (malloc'd, NUL-terminated), or NULL. */
char *alert_json(alert_book *b, const alert_episode *ep, alert_state st,
                 const char *key);
/** A subject line and a plain-text body (malloc'd), or -1. */
int alert_text(alert_book *b, const alert_episode *ep, alert_state st,
               const char *key, char **subject, char **body);

#endif
