/*
 * store.h - the history store: sqlite3 in WAL mode, a versioned schema
 * with forward migrations, prepared statements and batched transactions.
 *
 * Writes go into an open transaction that is committed by store_flush()
 * (the core calls it every second) or when the batch is full, so a
 * SIGKILL loses at most the last batch and never corrupts the file.
 */
#ifndef BN_CORE_STORE_H
#define BN_CORE_STORE_H

#include <stdint.h>

#include <bottleneck/sdk.h>

#include "pathdiff.h"

typedef struct store store;

/** Rows per transaction before an automatic commit. */
#define STORE_BATCH_MAX 10000

/** Rows a writer thread keeps in memory at most (waiting for their
 * commit, or held back while the database is locked or the disk full);
 * BN_STORE_QUEUE_MAX in the environment overrides it (tests). */
#define STORE_QUEUE_MAX 200000

/** runs.exit_status of a run whose process ended without closing it
 * (killed, crashed, power lost), set by the next store_open. */
#define STORE_RUN_INTERRUPTED (-2)

/** Current schema version (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 9

/** Run metadata written at the start of a run. */
typedef struct store_run_meta {
  const char *host;
  const char *profile;
  const char *profile_hash;
  const char *version;
  int64_t started_ns;
} store_run_meta;

/**
 * Default path: $XDG_DATA_HOME/bottleneck/history.db, falling back to
 * ~/.local/share/bottleneck/history.db.  Returns 0 or BN_EINVAL.
 */
int store_default_path(char *buf, size_t len);

/**
 * Open (creating directories and the file) and migrate to the current
 * schema.  A database with a newer schema than this build knows is
 * refused ("FILE: schema version N is newer than this bottleneck (M);
 * upgrade bottleneck").  Errors are logged with the path.
 */
int store_open(const char *path, store **out);
/** Open an existing database read-only (reports). */
int store_open_readonly(const char *path, store **out);
/** Flush, close, free (NULL is ignored); stops a writer thread. */
void store_close(store *s);

/**
 * Hand sample, event and path writes to a thread with its own
 * connection, so that nothing the database does (a lock held by another
 * process, a slow disk, a full one) can delay the caller's loop.  Rows
 * wait in a queue of at most STORE_QUEUE_MAX; the thread commits them
 * in short transactions (on store_flush, at STORE_BATCH_MAX rows or
 * after a second), holds a batch that failed and retries it, and drops
 * (and counts) new rows only when the queue is full.  Reads still go
 * through `s` and see what the thread has committed.
 */
int store_writer_start(store *s);
/** What the writer did so far. */
typedef struct store_writer_stats {
  uint64_t written; /* rows committed */
  uint64_t dropped; /* rows refused because the queue was full */
  uint64_t lost;    /* rows given up at store_writer_stop */
  uint64_t queued;  /* rows waiting now */
} store_writer_stats;
void store_writer_get_stats(store *s, store_writer_stats *out);
/**
 * Wait (at most timeout_ns) until every row queued so far is committed;
 * BN_OK, or BN_ETIMEDOUT with rows still waiting.  No-op without writer.
 */
int store_sync(store *s, int64_t timeout_ns);
/**
 * Commit what is queued, retrying for at most timeout_ns, then stop the
 * thread.  Rows not written by then are counted lost and one line says
 * how many and why.  BN_OK when nothing was dropped or lost, else
 * BN_EIO.  No-op (BN_OK) without writer.
 */
int store_writer_stop(store *s, int64_t timeout_ns);

/** Schema version of the open database. */
int store_schema_version(store *s);

int store_run_begin(store *s, const store_run_meta *m, int64_t *run_id);
int store_run_end(store *s, int64_t run_id, int64_t ended_ns, int exit_status);

/** Buffered writes; `probe` is the probe instance name. */
int store_add_sample(store *s, int64_t run_id, const char *probe,
                     const bn_sample *smp);
/**
 * Record one round of paths: a path_sets row, its paths and their hops,
 * all or nothing.  `set_hash` identifies the set, `path_hashes` (n_paths
 * of them, or NULL) each path; the new row id goes to *set_id (may be
 * NULL).  ps->wall_ns must be filled in.
 */
int store_add_path_set(store *s, int64_t run_id, const char *probe,
                       const bn_path_set *ps, const char *set_hash,
                       const char *const *path_hashes, int64_t *set_id);
/**
 * A round of paths with its changes from the previous round of the same
 * target and probe (pathdiff_compare; n_ch may be 0): the changes are
 * stored against the new set and the set stored before it.  With a
 * writer thread the round is queued.
 */
int store_add_path_round(store *s, int64_t run_id, const char *probe,
                         const bn_path_set *ps, const char *set_hash,
                         const char *const *path_hashes,
                         const pathdiff_change *ch, size_t n_ch);
int store_add_event(store *s, int64_t run_id, const char *source,
                    const bn_event *e);
int store_add_speedtest(store *s, int64_t run_id, const char *provider,
                        const bn_speedtest_result *r, int64_t wall_ns);

/** One attempt of a speed test (linked to its result by the next call). */
int store_add_speedtest_attempt(store *s, int64_t run_id, const char *provider,
                                const char *server, int attempt,
                                int64_t wall_ns, int64_t duration_ns,
                                int status, const char *error);
/**
 * The final result of a speed test after retries and failover, with its
 * bufferbloat grade (may be NULL) and the number of attempts; links the
 * run's unlinked attempt rows to it.
 */
int store_finish_speedtest(store *s, int64_t run_id, const char *provider,
                           const bn_speedtest_result *r, int64_t wall_ns,
                           const char *grade, int attempts);

/** One pre-flight check result, recorded with a run (value NaN: none). */
/**
 * Insert or replace episode (run_id, source, ep->id); through the writer
 * thread when it runs.
 */
int store_add_episode(store *s, int64_t run_id, const char *source,
                      const bn_episode *ep);
/**
 * Insert or replace the baseline (source, b->target, probe, metric,
 * kind); through the writer thread when it runs.  b->updated_ns 0: now.
 */
int store_put_baseline(store *s, const char *source, const bn_baseline *b);
/**
 * Stored baselines, ordered by target, probe, metric, kind, source:
 * those of `source` (NULL: any) matching q's target/probe/metric (NULL
 * fields match all; q NULL: everything).
 */
int store_baselines_each(store *s, const char *source, const bn_query *q,
                         bn_baseline_fn fn, void *arg);
int store_add_check(store *s, int64_t run_id, const char *name,
                    const char *target, const char *status, const char *reason,
                    double value, int64_t wall_ns);

/** Commit the open batch (no-op when empty). */
int store_flush(store *s);
/**
 * Everything written from here to store_hold_end() is one transaction
 * (no commit in between, whatever the batch size: an import is all or
 * nothing).  Not with the writer thread.
 */
int store_hold_begin(store *s);
/** Commit (commit non-zero) or roll back what was written since. */
int store_hold_end(store *s, int commit);

/**
 * Recount the per-minute rollups from the stored samples (they are kept
 * as samples are written; this repairs or checks them).
 */
int store_rollup_rebuild(store *s);
/* ---- retention and compaction (store_compact.c) ------------------------ */

/** How long each resolution is kept (ns of age). */
typedef struct store_retention {
  int64_t raw_ns;    /**< raw samples */
  int64_t minute_ns; /**< minute rollups (then merged into hours) */
  int64_t hour_ns;   /**< hour rollups (then deleted) */
} store_retention;

#define STORE_DAY_NS           (86400 * 1000000000LL)
#define STORE_RETAIN_RAW_NS    (14 * STORE_DAY_NS)
#define STORE_RETAIN_MINUTE_NS (90 * STORE_DAY_NS)
#define STORE_RETAIN_HOUR_NS   (730 * STORE_DAY_NS)

/**
 * What goes, for a retention at wall time now_ns: samples with wall_ns <
 * raw_ns (a whole minute, so its rollup is whole), minute rollups with
 * minute < minute (a whole hour), hour rollups with hour < hour.  Each
 * cut is the age's boundary rounded down to its unit, so nothing younger
 * than its age goes and a row goes at most one unit after it aged.
 */
typedef struct store_cuts {
  int64_t raw_ns; /**< wall time, a multiple of 60 s */
  int64_t minute; /**< minute number (wall / 60 s), a multiple of 60 */
  int64_t hour;   /**< hour number (wall / 3600 s) */
} store_cuts;
void store_retention_cuts(const store_retention *r, int64_t now_ns,
                          store_cuts *out);

/** Rows removed (or to be removed) and the wall time range they cover. */
typedef struct store_compact_range {
  int64_t rows;
  int64_t first_ns, last_ns; /**< INT64_MAX, INT64_MIN when rows is 0 */
} store_compact_range;

typedef struct store_compact_stats {
  store_compact_range raw;    /**< raw samples */
  store_compact_range minute; /**< minute rollups merged into hours */
  store_compact_range hour;   /**< hour rollups */
  int64_t hours_written;      /**< hour rollup rows made or added to */
  int64_t raw_kept;   /**< older than the cut but without a rollup: kept */
  int64_t vacuumed;   /**< bytes given back to the file system */
  int64_t steps;      /**< transactions */
  int64_t longest_ns; /**< longest step (transaction), ns */
  int64_t slow;       /**< steps that took more than 50 ms */
} store_compact_stats;

/** A compaction in progress: cuts, where it is, its counts. */
typedef struct store_compactor {
  store_cuts cuts;
  int phase;       /* 0 raw, 1 minutes, 2 hours, 3 vacuum, 4 done */
  int64_t series;  /* next series id of the phase */
  int64_t k_raw;   /* rows per statement (adapts to the budget) */
  int64_t k_hours; /* hours per statement */
  int64_t budget_ns;
  store_compact_stats st;
} store_compactor;

/** What a compaction step aims at (a run's loop and `compact`): half of
 * it is spent in statements, a last one may overrun it a little. */
#define STORE_COMPACT_BUDGET_NS (20 * 1000000LL)

/** Start a compaction to the given cuts; each step aims at budget_ns. */
void store_compact_init(store_compactor *c, const store_cuts *cuts,
                        int64_t budget_ns);
/**
 * One step: a transaction of at most about budget_ns (raw samples whose
 * minute has a rollup, minute rollups into hour rollups, old hour
 * rollups, then incremental vacuum when the file has it).  Returns 1
 * when there is more to do, 0 when done, BN_EAGAIN when another
 * connection holds the write lock (nothing was waited for: try later),
 * or another negative bn_status.
 */
int store_compact_step(store *s, store_compactor *c);
/**
 * Steps run no WAL checkpoint (that would hold the loop): in a run the
 * writer thread's connection checkpoints; without one, call this between
 * steps (passive: copies what it can without waiting).
 */
int store_compact_checkpoint(store *s);
/** Count what a compaction to `cuts` would remove (reads only). */
int store_compact_plan(store *s, const store_cuts *cuts,
                       store_compact_stats *out);
/**
 * File space: pages in use and free (bytes), and the auto_vacuum mode
 * (0 none, 1 full, 2 incremental).
 */
int store_space(store *s, int64_t *used, int64_t *free_bytes, int *vacuum);
/**
 * Rewrite the file with auto_vacuum = INCREMENTAL (VACUUM: blocks, needs
 * as much free disk as the file), so that later compactions return the
 * space they free.  For `bottleneck compact --vacuum`.
 */
int store_vacuum_full(store *s);
/** Bytes a table and its indexes take (the dbstat table), -1 unknown. */
int64_t store_table_bytes(store *s, const char *table);
/** Rows of a table, -1 on error. */
int64_t store_table_rows(store *s, const char *table);
/** Bytes per page of the open database (estimates). */
int64_t store_page_size(store *s);

/** Rows written since the last commit. */
unsigned store_pending(const store *s);

/** Last run id (0 when none). */
int store_last_run(store *s, int64_t *run_id);
/**
 * Run metadata; strings stay valid until the next store_run_info call
 * or store_close.  BN_ENOENT if there is no such run.
 */
int store_run_info(store *s, int64_t run_id, bn_run_info *out);

/**
 * Whether any series, path round or event names `target`: 1 yes, 0 no
 * (then `known` holds the stored target names, comma-separated, cut to
 * `len`), or a negative bn_status.
 */
int store_target_lookup(store *s, const char *target, char *known, size_t len);

/** Views used by bn_host_api (query run_id 0 = last run). */
int store_series_each(store *s, const bn_query *q, bn_series_fn fn, void *arg);
int store_samples_each(store *s, const bn_query *q, bn_sample_fn fn,
                       void *arg);
int store_events_each(store *s, const bn_query *q, bn_event_fn fn, void *arg);

/**
 * Record what the metrics of probe instance `probe` mean (its plugin's
 * declarations, BN_METRICS_END-terminated), replacing what an earlier
 * run said.  Reports and store views select series by these roles.
 */
int store_declare_metrics(store *s, const char *probe, const bn_metric *m);

/** The role named `name` ("latency"...), or 0 when unknown or NULL. */
bn_metric_role store_role_parse(const char *name);

/* -- simulated runs (store_sim.c, docs/simulation.md) -- */

/** Set a run's kind ("measured", the default, or "sim").  Only inside
 * store_hold_begin/end (BN_EINVAL otherwise). */
int store_run_set_kind(store *s, int64_t run_id, const char *kind);
/** Set (replace) one attribute of a run; inside a hold as above. */
int store_run_attr_put(store *s, int64_t run_id, const char *key,
                       const char *value);
/** A run's kind into buf; BN_ENOENT when there is no such run. */
int store_run_kind(store *s, int64_t run_id, char *buf, size_t len);
/** Each attribute of a run, ordered by key; fn returns non-zero to stop. */
int store_run_attrs_each(store *s, int64_t run_id,
                         int (*fn)(const char *key, const char *value,
                                   void *arg),
                         void *arg);
/** One received value of a series, with its metric's role and unit. */
typedef int (*store_value_fn)(const char *target, const char *metric,
                              const char *role, const char *unit, double value,
                              void *arg);
/**
 * The received values (not lost, not invalid) of run `run_id`, or, with
 * run_id 0, of every run not of kind "sim" between since_ns (inclusive)
 * and until_ns (exclusive; 0: no bound); only of `target` when not
 * NULL.  Ordered by target, metric.
 */
int store_values_each(store *s, int64_t run_id, int64_t since_ns,
                      int64_t until_ns, const char *target, store_value_fn fn,
                      void *arg);

#endif
