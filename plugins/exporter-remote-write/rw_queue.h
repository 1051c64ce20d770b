/*
 * rw_queue.h - the remote_write exporter's on-disk queue: an sqlite file
 * of its own (not the run's store) holding the points not yet accepted
 * by the receiver, oldest first, so a receiver outage or a restart loses
 * nothing up to `max` points; beyond that the oldest are dropped and
 * counted (the count survives restarts too).
 *
 * Tables: series (id, labels: the packed label set, unique) and samples
 * (id AUTOINCREMENT: the order of arrival, series, ts in ms, value).
 * WAL journal, synchronous=NORMAL: a commit survives the process dying;
 * the last commits may be lost if the machine loses power.  The file is
 * locked (exclusive) while open: another run cannot use it meanwhile.
 *
 * One thread (the core loop) uses a queue.
 */
#ifndef BN_RW_QUEUE_H
#define BN_RW_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "rw_encode.h"

typedef struct rw_queue rw_queue;

/**
 * Open or create the queue at `path` holding at most `max` points.
 * Returns NULL on failure with the reason in `err` (the path and what
 * sqlite said).
 */
rw_queue *rw_queue_open(const char *path, uint64_t max, char *err,
                        size_t errlen);
/** Commit what is pending and close. */
void rw_queue_close(rw_queue *q);

/**
 * Add one point (in a transaction opened on the first add; nothing is on
 * disk before rw_queue_commit).  Returns 0 or -1 (rw_queue_error).
 */
int rw_queue_add(rw_queue *q, const rw_labels *l, int64_t ts_ms, double value);
/**
 * Enforce the bound, then commit: when more than `max` points are
 * queued, the oldest with an id above `keep_upto` (the batch in flight)
 * are deleted and counted.  Returns the points dropped now, or -1.
 */
int64_t rw_queue_commit(rw_queue *q, int64_t keep_upto);

/** Points read from the queue: the oldest ones, grouped by series. */
typedef struct rw_batch {
  rw_point *pts; /**< n points, each series' together, oldest first */
  size_t n;
  int64_t last_id; /**< highest id in the batch (for rw_queue_ack) */
  char **owned;    /**< label copies, n of them */
} rw_batch;

/**
 * Read the oldest `max` points (committed or pending) into `b`.
 * Returns the number read (0: empty, nothing to free), or -1.
 */
long rw_queue_peek(rw_queue *q, size_t max, rw_batch *b);
/** Free what rw_queue_peek put in `b`. */
void rw_batch_free(rw_batch *b);
/** Delete the points with an id up to `last_id` (sent, or refused). */
int rw_queue_ack(rw_queue *q, int64_t last_id);

/** Points in the queue (pending ones included). */
uint64_t rw_queue_len(const rw_queue *q);
/** Points ever dropped by the bound, over every run of this file. */
uint64_t rw_queue_dropped(const rw_queue *q);
/** The last sqlite error, for logs. */
const char *rw_queue_error(const rw_queue *q);

#endif
