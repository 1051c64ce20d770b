/*
 * store_int.h - what store.c, store_schema.c and store_query.c share.
 * Not part of the store's interface: use store.h.
 */
#ifndef BN_CORE_STORE_INT_H
#define BN_CORE_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

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
  ST_COUNT
};

/* One interned series: key is "target\0probe\0metric\0". */
typedef struct store_series_ent {
  char *key;
  size_t keylen;
  int64_t id;
} store_series_ent;

typedef struct store_rollup_acc store_rollup_acc;

struct store {
  sqlite3 *db;
  char *path;
  int readonly;
  int version;      /* PRAGMA user_version */
  int in_tx;        /* a write transaction is open */
  unsigned pending; /* rows written in the open transaction */
  sqlite3_stmt *st[ST_COUNT];
  store_series_ent *series; /* open addressing, cap a power of two */
  size_t series_cap;
  size_t series_len;
  char *run_strs[4]; /* strings handed out by store_run_info */
  /* per-minute rollups being counted (store_rollup.c) */
  store_rollup_acc *rollup; /* open addressing by (series, run) */
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

/* The 3 -> 4 migration: rollup sketches of the 1 % quantile sketch
 * (hist.h) instead of schema 3's 4.4 % histogram.  A minute whose
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

/* Log "PATH: what: sqlite message; hint" and return BN_EIO. */
int store_fail(const char *path, sqlite3 *db, const char *what,
               const char *hint);

#endif
