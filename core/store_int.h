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
};

/* Migrate the database to STORE_SCHEMA_VERSION (store_schema.c); sets
 * *version.  Refuses a newer schema or a foreign database. */
int store_schema_migrate(sqlite3 *db, const char *path, int *version);
/* Read the schema version; refuse a newer one, or a database at
 * version 0 that has tables (someone else's file). */
int store_schema_check(sqlite3 *db, const char *path, int *version);
/* Read PRAGMA user_version. */
int store_schema_read_version(sqlite3 *db, const char *path, int *version);

/* Log "PATH: what: sqlite message; hint" and return BN_EIO. */
int store_fail(const char *path, sqlite3 *db, const char *what,
               const char *hint);

#endif
