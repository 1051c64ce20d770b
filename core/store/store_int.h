/*
 * store_int.h - what store.c, store_schema.c and store_query.c share.
 * Not part of the store's interface: use store.h.
 */
#ifndef BN_CORE_STORE_INT_H
#define BN_CORE_STORE_INT_H

#include <sqlite3.h>

#include "pathdiff.h"
#include "store.h"

/* How long a connection waits for another's write lock. */
#define STORE_BUSY_MS 5000

/* Cached write statements, prepared on first use. */
enum store_stmt_id {
  ST_BEGIN,
  ST_COMMIT,
  ST_ROLLBACK,
  ST_RUN_INSERT,
  ST_RUN_END,
  ST_SERIES_INSERT,
  ST_SERIES_SELECT,
  ST_SAMPLE,
  ST_PATH_SET,
  ST_PATH,
  ST_HOP,
  ST_EVENT,
  ST_SPEEDTEST,
  ST_SPEEDTEST_FINAL,
  ST_ATTEMPT,
  ST_ATTEMPT_LINK,
  ST_PATH_CHANGE,
  ST_CHECK,
  ST_EPISODE,
  ST_BASELINE,
  ST_COUNT
};

/* One interned series: key is "target\0probe\0metric\0". */
typedef struct store_series_ent {
  char *key;
  size_t keylen;
  int64_t id;
} store_series_ent;

typedef struct store_rollup_acc store_rollup_acc;
typedef struct store_writer store_writer;

struct store {
  sqlite3 *db;
  char *path;
  int readonly;
  int version;          /* PRAGMA user_version */
  int in_tx;            /* a write transaction is open */
  unsigned pending;     /* rows written in the open transaction */
  unsigned batch_max;   /* commit by itself at this many rows */
  int hold;             /* store_hold_begin: one transaction, no commit */
  int64_t wal_budget;   /* bytes the WAL may grow to (store_wal_budget) */
  store_writer *writer; /* writes go to a thread (store_writer.c) */
  /* the last round of each (target, probe) handed to the writer, so
   * that path changes compare with rounds not yet written */
  struct store_path_round *rounds;
  size_t n_rounds;
  sqlite3_stmt *st[ST_COUNT];
  store_series_ent *series; /* open addressing, cap a power of two */
  size_t series_cap;
  size_t series_len;
  char *run_strs[4]; /* strings handed out by store_run_info */
  /* per-minute rollups being counted (store_rollup.c) */
  store_rollup_acc **rollup; /* open addressing by (series, run) */
  size_t rollup_cap, rollup_len;
  sqlite3_stmt *rollup_stmt;
};

/* Migrate the database to STORE_SCHEMA_VERSION (store_schema.c); sets
 * *version.  Refuses a newer schema or a foreign database. */
int store_schema_migrate(sqlite3 *db, const char *path, int *version);
/* Read the schema version; refuse a newer one, or a database at
 * version 0 that has tables (someone else's file). */
int store_schema_check(sqlite3 *db, const char *path, int *version);
/* Read PRAGMA user_version. */
int store_schema_read_version(sqlite3 *db, const char *path, int *version);

/* Fill the rollups from the samples table (the 2 -> 3 migration, and
 * store_rollup_rebuild): the same numbers store_rollup_add counts. */
#define STORE_ROLLUP_BACKFILL                                                 \
  "INSERT INTO rollups"                                                       \
  " SELECT series_id, run_id, minute,"                                        \
  "  sum(inv = 0 AND ld = 0), sum(inv = 0 AND ld = 0 AND (flags & 1) != 0),"  \
  "  sum(inv), sum(inv = 0 AND (flags & 4) != 0),"                            \
  "  sum(inv = 0 AND (flags & 8) != 0), count(rx), coalesce(sum(rx), 0),"     \
  "  coalesce(sum(rx * rx), 0), min(rx), max(rx),"                            \
  "  coalesce(sum(d), 0), count(d), bn_hist(rx)"                              \
  " FROM (SELECT series_id, run_id, flags, inv, ld, minute, rx,"              \
  "         abs(rx - lag(rx) OVER (PARTITION BY series_id, run_id,"           \
  "             rx IS NULL ORDER BY wall_ns)) AS d"                           \
  "       FROM (SELECT series_id, run_id, flags, wall_ns,"                    \
  "               (flags & 2) != 0 AS inv, (flags & 12) != 0 AS ld,"          \
  "               (wall_ns - ((wall_ns % 60000000000) + 60000000000)"         \
  "                  % 60000000000) / 60000000000 AS minute,"                 \
  "               CASE WHEN flags & 31 = 0 THEN value END AS rx"              \
  "             FROM samples))"                                               \
  " GROUP BY series_id, run_id, minute"

/* The 4 -> 5 migration: rollup sketches of the 1 % quantile sketch
 * (hist.h) instead of the 4.4 % histogram of schemas 2 to 4.  A minute whose
 * samples are still stored gets its sketch counted again from them; one
 * whose samples are gone gets its old bins converted (bn_hist_v1), so
 * its percentiles keep their old error. */
#define STORE_MIGRATE_SKETCH                                                  \
  "UPDATE rollups SET hist = coalesce("                                       \
  " (SELECT CASE WHEN count(*) > 0 THEN"                                      \
  "    bn_hist(CASE WHEN s.flags & 31 = 0 THEN s.value END) END"              \
  "  FROM samples s WHERE s.series_id = rollups.series_id"                    \
  "   AND s.run_id = rollups.run_id"                                          \
  "   AND s.wall_ns >= rollups.minute * 60000000000"                          \
  "   AND s.wall_ns < (rollups.minute + 1) * 60000000000),"                   \
  " bn_hist_v1(hist))"

/* Rollups (store_rollup.c).  Register bn_hist(), bn_hist_merge(),
 * bn_hist_add() and bn_hist_v1() on a connection. */
int store_rollup_functions(sqlite3 *db);
/* Count a sample just written into its (series, run, minute). */
int store_rollup_add(store *s, int64_t series_id, int64_t run_id,
                     const bn_sample *smp);
/* Write every pending accumulator (inside the open transaction). */
int store_rollup_flush(store *s);
/* Forget what is pending (the transaction was rolled back). */
void store_rollup_discard(store *s);
/* Free the accumulators. */
void store_rollup_free(store *s);

/* Log "PATH: what: sqlite message; hint" and return BN_EIO.  When the
 * error is a lock, a full disk or a read-only file, the hint says so
 * (with the pid holding the lock) instead of the one given.  In a thread
 * with store_quiet set nothing is logged: the message goes to
 * store_quiet_msg (the writer thread reports failures itself). */
int store_fail(const char *path, sqlite3 *db, const char *what,
               const char *hint);
extern __thread int store_quiet;
extern __thread char store_quiet_msg[512];

/* Roll the open transaction back and forget what it created (series
 * ids, rollup counts). */
void store_rollback(store *s);

/* Fit the WAL to the free space of the database's file system: the
 * autocheckpoint and journal_size_limit pragmas, from statvfs.  Called
 * at open and by the writer after failures. */
void store_wal_budget(store *s);

/* Open a second connection to a database store_open has opened and
 * migrated (the writer thread's). */
int store_open_secondary(const char *path, store **out);

/* The writer (store_writer.c): queue a copy of a row for the thread. */
int store_writer_sample(store *s, int64_t run_id, const char *probe,
                        const bn_sample *smp);
int store_writer_episode(store *s, int64_t run_id, const char *source,
                         const bn_episode *ep);
int store_writer_baseline(store *s, const char *source, const bn_baseline *b);
int store_writer_event(store *s, int64_t run_id, const char *source,
                       const bn_event *e);
/* Takes the round (and the changes' copies) over. */
int store_writer_paths(store *s, struct store_path_round *r,
                       const pathdiff_change *ch, size_t n_ch);
/* Ask for a commit soon (store_flush). */
void store_writer_kick(store *s);

/* The front's cache of the rounds last queued (store_paths.c). */
int store_path_cache_put(store *s, const struct store_path_round *r);
void store_path_cache_free(store *s);
/* Id of the newest stored set of (target, probe), 0 when none. */
int store_path_last_id(store *s, const char *target, const char *probe,
                       int64_t *id);

/* Lock holders (store_lock.c).  The pid of another process holding a
 * lock on the database or its -shm file (a writer first), 0 if none is
 * known; its command name goes to comm. */
long store_lock_holder(const char *path, char *comm, size_t len);
/* Whether another process has the database open (1), not (0), or we
 * cannot tell (-1). */
int store_lock_others(const char *path);

#endif
