/*
 * pathdiff.h - path identity and path changes.  A path's id is a hash
 * of its answered hops (ttl and address, in order) and how it ended; a
 * round's set id is a hash of its distinct path ids.  Comparing a round
 * with the previous one of the same target and probe gives the changes:
 * hops added, removed or changed, per-hop RTT shifts beyond the probe's
 * threshold, and a changed set of distinct paths (load balancing).
 * Pure functions: the host stores and announces what they find.
 */
#ifndef BN_CORE_PATHDIFF_H
#define BN_CORE_PATHDIFF_H

#include <stddef.h>
#include <stdint.h>

#include <bottleneck/sdk.h>

/** Hex characters of a path or set id (64 bits of SHA-256). */
#define PATHDIFF_ID_LEN 16

/** The id of one path into out (PATHDIFF_ID_LEN + 1 bytes). */
void pathdiff_path_id(const bn_path *p, char *out);

/**
 * The id of a set of paths given their ids (n of them, duplicates
 * allowed: two flows on one path are one path) into out.
 */
void pathdiff_set_id(const char *const *ids, size_t n, char *out);

/** Number of distinct ids among n. */
size_t pathdiff_distinct(const char *const *ids, size_t n);

/** One change found between two rounds. */
typedef struct pathdiff_change {
  const char *kind;     /* "added", "removed", "changed", "rtt_shift",
                           "set" */
  uint32_t flow_id;     /* flow it was seen on (0 for "set") */
  int ttl;              /* hop, or 0 for "set" */
  const char *old_addr; /* points into the old round, or NULL */
  const char *new_addr; /* points into the new round, or NULL */
  double old_rtt_ms;    /* avg RTT before, negative when none */
  double new_rtt_ms;    /* avg RTT after, negative when none */
  int old_n, new_n;     /* "set": distinct paths before and after */
} pathdiff_change;

/**
 * Compare round `now` with round `before` (same target and probe), given
 * each round's path ids (one per path, from pathdiff_path_id).  Paths
 * are paired by flow id (by position when no flow id matches).  A hop
 * that stays silent in one round is not a change: its loss shows in the
 * statistics.  With several flows, a different set of distinct paths is
 * a "set" change.  Writes at most `max` changes to out and returns how
 * many there are in all.
 */
size_t pathdiff_compare(const bn_path_set *before,
                        const char *const *before_ids, const bn_path_set *now,
                        const char *const *now_ids, double rtt_shift_ms,
                        pathdiff_change *out, size_t max);

/** One line about a change, e.g. "hop 3 changed 10.0.2.1 -> 10.0.5.1". */
void pathdiff_describe(const pathdiff_change *c, char *buf, size_t len);

#endif
