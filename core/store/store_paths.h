/*
 * store_paths.h - reading path rounds back from the store (the previous
 * round of a target for path changes, the history for `bottleneck
 * paths`) and writing path changes.
 */
#ifndef BN_CORE_STORE_PATHS_H
#define BN_CORE_STORE_PATHS_H

#include <stdint.h>

#include <bottleneck/sdk.h>

#include "pathdiff.h"
#include "store.h"

/** One stored round of paths, owning its memory. */
typedef struct store_path_round {
  int64_t set_id;
  int64_t run_id;
  char *target, *probe, *mode, *set_hash;
  int64_t wall_ns;
  bn_path_set set; /* set.paths -> paths, hops inside */
  bn_path *paths;  /* set.n_paths of them */
  char **path_ids; /* one per path */
  bn_hop *hops;    /* all hops, paths point into it */
  char **addrs;    /* the hops' address strings */
  size_t n_hops;
} store_path_round;

/**
 * The latest round of `target` measured by `probe` (any run), or
 * BN_ENOENT when there is none.  Free with store_path_round_free.
 */
int store_path_round_last(store *s, const char *target, const char *probe,
                          store_path_round *out);

/** The round with this set id. */
int store_path_round_get(store *s, int64_t set_id, store_path_round *out);

void store_path_round_free(store_path_round *r);

/** A copy of round `ps` (as store_add_path_round gets it) that owns its
 * memory; set_id is 0. */
int store_path_round_copy(const bn_path_set *ps, int64_t run_id,
                          const char *probe, const char *set_hash,
                          const char *const *path_hashes,
                          store_path_round *out);

/** Record one change between round prev_set_id and round set_id. */
int store_add_path_change(store *s, int64_t run_id, int64_t set_id,
                          int64_t prev_set_id, const char *target,
                          const pathdiff_change *c, int64_t wall_ns);

/** Set ids of `target`'s rounds (all probes) since since_ns, oldest
 * first, at most the last `limit` (0: all).  *ids is malloc'd. */
int store_path_rounds(store *s, const char *target, int64_t since_ns,
                      size_t limit, int64_t **ids, size_t *n);

/** A stored path change, for iteration. */
typedef struct store_path_change_row {
  const char *kind;
  int64_t prev_set_id;
  uint32_t flow_id;
  int ttl;
  const char *old_addr, *new_addr;
  double old_rtt_ms, new_rtt_ms; /* negative: none */
  int old_paths, new_paths;      /* "set": distinct paths before, after */
} store_path_change_row;

/** The changes recorded for round set_id, in order; fn returns non-zero
 * to stop. */
int store_path_changes_each(store *s, int64_t set_id,
                            int (*fn)(const store_path_change_row *c,
                                      void *arg),
                            void *arg);

#endif
