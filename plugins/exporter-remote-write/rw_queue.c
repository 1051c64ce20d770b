/*
 * rw_queue.c - the on-disk queue of the remote_write exporter
 * (rw_queue.h).
 */
#include "rw_queue.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Label set -> series id, so adding a point costs no lookup in sqlite. */
typedef struct rw_sid {
  struct rw_sid *next;
  uint64_t hash;
  int64_t id;
  size_t len;
  char labels[];
} rw_sid;

struct rw_queue {
  sqlite3 *db;
  sqlite3_stmt *ins_series, *get_series, *ins_sample, *peek, *ack, *drop,
      *set_dropped;
  uint64_t max, count, dropped;
  int in_tx;
  rw_sid **hash;
  size_t hash_size, n_sids;
  char err[256];
};

/* EXCLUSIVE first: the file is held by this connection until it closes
 * (a second run on the same queue would send the same points), and WAL
 * then needs no shared memory. */
static const char rw_schema[] =
    "PRAGMA locking_mode=EXCLUSIVE;"
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER);"
    "INSERT OR IGNORE INTO meta VALUES('version', 1);"
    "INSERT OR IGNORE INTO meta VALUES('dropped', 0);"
    "CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY,"
    " labels BLOB NOT NULL UNIQUE);"
    "CREATE TABLE IF NOT EXISTS samples(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL);"
    "DELETE FROM series WHERE id NOT IN (SELECT series FROM samples);";

static int rw_fail(rw_queue *q, const char *what)
{
  snprintf(q->err, sizeof(q->err), "%s: %s", what, sqlite3_errmsg(q->db));
  return -1;
}

static uint64_t rw_fnv(const char *d, size_t len)
{
  uint64_t h = 14695981039346656037ull;
  size_t i;

  for (i = 0; i < len; i++)
    h = (h ^ (unsigned char)d[i]) * 1099511628211ull;
  return h;
}

rw_queue *rw_queue_open(const char *path, uint64_t max, char *err,
                        size_t errlen)
{
  rw_queue *q = calloc(1, sizeof(*q));
  sqlite3_stmt *st = NULL;
  long version = 0;

  if (!q) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  q->max = max;
  q->hash_size = 256;
  q->hash = calloc(q->hash_size, sizeof(*q->hash));
  if (!q->hash) {
    free(q);
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  if (sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      NULL) != SQLITE_OK) {
    snprintf(err, errlen, "cannot open %s: %s", path,
             q->db ? sqlite3_errmsg(q->db) : "out of memory");
    rw_queue_close(q);
    return NULL;
  }
  sqlite3_busy_timeout(q->db, 2000);
  if (sqlite3_exec(q->db, rw_schema, NULL, NULL, NULL) != SQLITE_OK) {
    if (sqlite3_errcode(q->db) == SQLITE_BUSY) {
      snprintf(err, errlen,
               "%s is in use by another run (give each remote_write "
               "instance a queue file of its own)",
               path);
      rw_queue_close(q);
      return NULL;
    }
    goto bad;
  }
  if (sqlite3_prepare_v2(q->db, "SELECT value FROM meta WHERE key='version'",
                         -1, &st, NULL) != SQLITE_OK)
    goto bad;
  if (sqlite3_step(st) == SQLITE_ROW)
    version = (long)sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (version != 1) {
    snprintf(err, errlen,
             "%s is not a remote_write queue of this version (%ld); give "
             "`queue:` another file",
             path, version);
    rw_queue_close(q);
    return NULL;
  }
  if (sqlite3_prepare_v2(q->db,
                         "SELECT (SELECT count(*) FROM samples),"
                         " (SELECT value FROM meta WHERE key='dropped')",
                         -1, &st, NULL) != SQLITE_OK)
    goto bad;
  if (sqlite3_step(st) == SQLITE_ROW) {
    q->count = (uint64_t)sqlite3_column_int64(st, 0);
    q->dropped = (uint64_t)sqlite3_column_int64(st, 1);
  }
  sqlite3_finalize(st);
#define RW_PREP(s, sql)                                                       \
  if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &q->s,    \
                         NULL) != SQLITE_OK)                                  \
    goto bad;
  RW_PREP(ins_series, "INSERT OR IGNORE INTO series(labels) VALUES(?)");
  RW_PREP(get_series, "SELECT id FROM series WHERE labels=?");
  RW_PREP(ins_sample, "INSERT INTO samples(series, ts, value) VALUES(?,?,?)");
  RW_PREP(peek, "SELECT s.id, s.ts, s.value, r.labels FROM samples s"
                " JOIN series r ON r.id=s.series ORDER BY s.id LIMIT ?");
  RW_PREP(ack, "DELETE FROM samples WHERE id<=?");
  RW_PREP(drop, "DELETE FROM samples WHERE id IN (SELECT id FROM samples"
                " WHERE id>? ORDER BY id LIMIT ?)");
  RW_PREP(set_dropped, "UPDATE meta SET value=? WHERE key='dropped'");
#undef RW_PREP
  return q;
bad:
  snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(q->db));
  rw_queue_close(q);
  return NULL;
}

void rw_queue_close(rw_queue *q)
{
  size_t i;

  if (!q)
    return;
  if (q->in_tx)
    rw_queue_commit(q, INT64_MAX);
  sqlite3_finalize(q->ins_series);
  sqlite3_finalize(q->get_series);
  sqlite3_finalize(q->ins_sample);
  sqlite3_finalize(q->peek);
  sqlite3_finalize(q->ack);
  sqlite3_finalize(q->drop);
  sqlite3_finalize(q->set_dropped);
  sqlite3_close(q->db);
  for (i = 0; i < q->hash_size; i++) {
    rw_sid *s = q->hash[i], *n;

    for (; s; s = n) {
      n = s->next;
      free(s);
    }
  }
  free(q->hash);
  free(q);
}

static int rw_begin(rw_queue *q)
{
  if (q->in_tx)
    return 0;
  if (sqlite3_exec(q->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    return rw_fail(q, "begin");
  q->in_tx = 1;
  return 0;
}

static void rw_hash_grow(rw_queue *q)
{
  size_t size = q->hash_size * 2, i;
  rw_sid **h = calloc(size, sizeof(*h));

  if (!h)
    return;
  for (i = 0; i < q->hash_size; i++) {
    rw_sid *s = q->hash[i], *n;

    for (; s; s = n) {
      n = s->next;
      s->next = h[s->hash & (size - 1)];
      h[s->hash & (size - 1)] = s;
    }
  }
  free(q->hash);
  q->hash = h;
  q->hash_size = size;
}

/* The id of a label set, inserted on first sight. */
static int64_t rw_series_id(rw_queue *q, const rw_labels *l)
{
  uint64_t h = rw_fnv(l->data, l->len);
  rw_sid *s;
  int64_t id = -1;

  for (s = q->hash[h & (q->hash_size - 1)]; s; s = s->next)
    if (s->hash == h && s->len == l->len &&
        !memcmp(s->labels, l->data, l->len))
      return s->id;
  sqlite3_bind_blob(q->ins_series, 1, l->data, (int)l->len, SQLITE_STATIC);
  if (sqlite3_step(q->ins_series) != SQLITE_DONE) {
    sqlite3_reset(q->ins_series);
    return rw_fail(q, "insert series");
  }
  sqlite3_reset(q->ins_series);
  sqlite3_bind_blob(q->get_series, 1, l->data, (int)l->len, SQLITE_STATIC);
  if (sqlite3_step(q->get_series) == SQLITE_ROW)
    id = sqlite3_column_int64(q->get_series, 0);
  sqlite3_reset(q->get_series);
  if (id < 0)
    return rw_fail(q, "series id");
  s = malloc(sizeof(*s) + l->len);
  if (!s)
    return id; /* correct, only slower next time */
  s->hash = h;
  s->id = id;
  s->len = l->len;
  memcpy(s->labels, l->data, l->len);
  s->next = q->hash[h & (q->hash_size - 1)];
  q->hash[h & (q->hash_size - 1)] = s;
  if (++q->n_sids > q->hash_size)
    rw_hash_grow(q);
  return id;
}

int rw_queue_add(rw_queue *q, const rw_labels *l, int64_t ts_ms, double value)
{
  int64_t sid;

  if (rw_begin(q) < 0)
    return -1;
  sid = rw_series_id(q, l);
  if (sid < 0)
    return -1;
  sqlite3_bind_int64(q->ins_sample, 1, sid);
  sqlite3_bind_int64(q->ins_sample, 2, ts_ms);
  sqlite3_bind_double(q->ins_sample, 3, value);
  if (sqlite3_step(q->ins_sample) != SQLITE_DONE) {
    sqlite3_reset(q->ins_sample);
    return rw_fail(q, "insert sample");
  }
  sqlite3_reset(q->ins_sample);
  q->count++;
  return 0;
}

int64_t rw_queue_commit(rw_queue *q, int64_t keep_upto)
{
  int64_t dropped = 0;

  if (q->count > q->max) {
    if (rw_begin(q) < 0)
      return -1;
    sqlite3_bind_int64(q->drop, 1, keep_upto);
    sqlite3_bind_int64(q->drop, 2, (sqlite3_int64)(q->count - q->max));
    if (sqlite3_step(q->drop) != SQLITE_DONE) {
      sqlite3_reset(q->drop);
      return rw_fail(q, "drop oldest");
    }
    sqlite3_reset(q->drop);
    dropped = sqlite3_changes(q->db);
    q->count -= (uint64_t)dropped;
    q->dropped += (uint64_t)dropped;
    sqlite3_bind_int64(q->set_dropped, 1, (sqlite3_int64)q->dropped);
    sqlite3_step(q->set_dropped);
    sqlite3_reset(q->set_dropped);
  }
  if (!q->in_tx)
    return dropped;
  if (sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    return rw_fail(q, "commit");
  q->in_tx = 0;
  return dropped;
}

typedef struct rw_row {
  rw_point p;
  int64_t id;
} rw_row;

static int rw_row_cmp(const void *a, const void *b)
{
  const rw_row *x = a, *y = b;
  int c;

  if (x->p.labels_len != y->p.labels_len)
    return x->p.labels_len < y->p.labels_len ? -1 : 1;
  c = memcmp(x->p.labels, y->p.labels, x->p.labels_len);
  if (c)
    return c;
  return x->id < y->id ? -1 : x->id > y->id;
}

long rw_queue_peek(rw_queue *q, size_t max, rw_batch *b)
{
  rw_row *rows = calloc(max ? max : 1, sizeof(*rows));
  size_t n = 0, i;
  int rc;

  memset(b, 0, sizeof(*b));
  if (!rows)
    return -1;
  sqlite3_bind_int64(q->peek, 1, (sqlite3_int64)max);
  while (n < max && (rc = sqlite3_step(q->peek)) == SQLITE_ROW) {
    const void *l = sqlite3_column_blob(q->peek, 3);
    size_t len = (size_t)sqlite3_column_bytes(q->peek, 3);
    char *copy = malloc(len ? len : 1);

    if (!copy)
      break;
    if (len)
      memcpy(copy, l, len);
    rows[n].id = sqlite3_column_int64(q->peek, 0);
    rows[n].p.ts_ms = sqlite3_column_int64(q->peek, 1);
    rows[n].p.value = sqlite3_column_double(q->peek, 2);
    rows[n].p.labels = copy;
    rows[n].p.labels_len = len;
    if (rows[n].id > b->last_id)
      b->last_id = rows[n].id;
    n++;
  }
  sqlite3_reset(q->peek);
  if (n == 0) {
    free(rows);
    return 0;
  }
  qsort(rows, n, sizeof(*rows), rw_row_cmp);
  b->pts = calloc(n, sizeof(*b->pts));
  b->owned = calloc(n, sizeof(*b->owned));
  if (!b->pts || !b->owned) {
    for (i = 0; i < n; i++)
      free((char *)rows[i].p.labels);
    free(rows);
    rw_batch_free(b);
    return -1;
  }
  for (i = 0; i < n; i++) {
    b->pts[i] = rows[i].p;
    b->owned[i] = (char *)rows[i].p.labels;
  }
  b->n = n;
  free(rows);
  return (long)n;
}

void rw_batch_free(rw_batch *b)
{
  size_t i;

  if (b->owned)
    for (i = 0; i < b->n; i++)
      free(b->owned[i]);
  free(b->owned);
  free(b->pts);
  memset(b, 0, sizeof(*b));
}

int rw_queue_ack(rw_queue *q, int64_t last_id)
{
  int n;

  if (rw_begin(q) < 0)
    return -1;
  sqlite3_bind_int64(q->ack, 1, last_id);
  if (sqlite3_step(q->ack) != SQLITE_DONE) {
    sqlite3_reset(q->ack);
    return rw_fail(q, "delete sent");
  }
  sqlite3_reset(q->ack);
  n = sqlite3_changes(q->db);
  q->count = (uint64_t)n > q->count ? 0 : q->count - (uint64_t)n;
  return rw_queue_commit(q, last_id) < 0 ? -1 : 0;
}

uint64_t rw_queue_len(const rw_queue *q)
{
  return q->count;
}

uint64_t rw_queue_dropped(const rw_queue *q)
{
  return q->dropped;
}

const char *rw_queue_error(const rw_queue *q)
{
  return q->err;
}
