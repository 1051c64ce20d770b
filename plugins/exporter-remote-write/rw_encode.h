/*
 * rw_encode.h - the remote_write exporter's wire format: label sets and
 * points made into a Prometheus remote-write 1.0 body, a WriteRequest
 * protobuf (protobuf-c, remote.proto) compressed as one snappy block.
 */
#ifndef BN_RW_ENCODE_H
#define BN_RW_ENCODE_H

#include <stddef.h>
#include <stdint.h>

/**
 * A label set, packed: "name\0value\0name\0value\0...", sorted by name
 * ("__name__" first), as the remote-write spec asks.
 */
typedef struct rw_labels {
  char *data; /**< malloc'd */
  size_t len; /**< bytes, the last '\0' included */
} rw_labels;

/**
 * Pack `n_pairs` name/value pairs (kv[2i], kv[2i+1], any order) into
 * `out`, sorted by name.  Returns 0, or -1 out of memory.
 */
int rw_labels_pack(const char *const *kv, size_t n_pairs, rw_labels *out);

/** One point of one series. */
typedef struct rw_point {
  const char *labels; /**< packed label set (rw_labels.data) */
  size_t labels_len;  /**< its length */
  int64_t ts_ms;      /**< milliseconds since the epoch */
  double value;       /**< the value */
} rw_point;

/**
 * Encode `n` points into a snappy-compressed WriteRequest in `*out`
 * (malloc'd, `*out_len` bytes).  Consecutive points with the same label
 * set become one TimeSeries, so give each series' points together and
 * oldest first.  `raw_len`, when not NULL, gets the size before
 * compression.  Returns 0, or -1 out of memory or on a bad label set.
 */
int rw_encode(const rw_point *p, size_t n, char **out, size_t *out_len,
              size_t *raw_len);

#endif
