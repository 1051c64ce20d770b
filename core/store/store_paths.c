/*
 * store_paths.c - path rounds read back from the store, and path
 * changes written to it (see store_paths.h).  Reads run on the store's
 * own connection, so they see rows of the batch not yet committed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"
#include "store_paths.h"

static char *sp_dup(sqlite3_stmt *st, int col)
{
  const unsigned char *t = sqlite3_column_text(st, col);

  return t ? strdup((const char *)t) : NULL;
}

static double sp_real(sqlite3_stmt *st, int col)
{
  return sqlite3_column_type(st, col) == SQLITE_NULL
             ? -1
             : sqlite3_column_double(st, col);
}

static int sp_prepare(store *s, const char *sql, sqlite3_stmt **st)
{
  if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
    return store_fail(s->path, s->db, "cannot read paths",
                      "please report this bug");
  return 0;
}

void store_path_round_free(store_path_round *r)
{
  size_t i;

  if (!r)
    return;
  free(r->target);
  free(r->probe);
  free(r->mode);
  free(r->set_hash);
  for (i = 0; r->path_ids && i < r->set.n_paths; i++)
    free(r->path_ids[i]);
  for (i = 0; r->addrs && i < r->n_hops; i++)
    free(r->addrs[i]);
  free(r->path_ids);
  free(r->addrs);
  free(r->paths);
  free(r->hops);
  memset(r, 0, sizeof(*r));
}

/* Grow the hop arrays (hops, addrs, owning path index) to fit one more. */
static int sp_grow(store_path_round *r, size_t *cap, size_t **owner)
{
  size_t c = *cap ? 2 * *cap : 16;
  bn_hop *h;
  char **a;
  size_t *o;

  if (r->n_hops < *cap)
    return 0;
  h = realloc(r->hops, c * sizeof(*h));
  if (h)
    r->hops = h;
  a = h ? realloc(r->addrs, c * sizeof(*a)) : NULL;
  if (a)
    r->addrs = a;
  o = a ? realloc(*owner, c * sizeof(*o)) : NULL;
  if (!o)
    return BN_ENOMEM;
  *owner = o;
  *cap = c;
  return 0;
}

/* The hops of every path of the round, in path then ttl order. */
static int sp_hops(store *s, store_path_round *r, const int64_t *path_rows)
{
  static const char sql[] =
      "SELECT h.path_id, h.ttl, h.addr, h.sent, h.received, h.last_ms, "
      "h.rtt_ms, h.best_ms, h.worst_ms, h.stddev_ms, h.flags FROM hops h "
      "JOIN paths p ON p.id = h.path_id WHERE p.set_id = ?1 "
      "ORDER BY h.path_id, h.ttl";
  sqlite3_stmt *st;
  size_t cap = 0, i, p = 0, *owner = NULL;
  int rc;

  if (sp_prepare(s, sql, &st) != 0)
    return BN_EIO;
  sqlite3_bind_int64(st, 1, r->set_id);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    bn_hop *h;

    if (sp_grow(r, &cap, &owner) != 0) {
      sqlite3_finalize(st);
      free(owner);
      return BN_ENOMEM;
    }
    h = &r->hops[r->n_hops];
    memset(h, 0, sizeof(*h));
    r->addrs[r->n_hops] = sp_dup(st, 2);
    h->ttl = sqlite3_column_int(st, 1);
    h->sent = (uint32_t)sqlite3_column_int64(st, 3);
    h->received = (uint32_t)sqlite3_column_int64(st, 4);
    h->last_ms = sp_real(st, 5);
    h->avg_ms = sp_real(st, 6);
    h->best_ms = sp_real(st, 7);
    h->worst_ms = sp_real(st, 8);
    h->stddev_ms = sp_real(st, 9);
    h->flags = (uint32_t)sqlite3_column_int64(st, 10);
    /* rows come grouped by path, in the paths' order */
    while (p < r->set.n_paths && path_rows[p] != sqlite3_column_int64(st, 0))
      p++;
    owner[r->n_hops++] = p;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    free(owner);
    return store_fail(s->path, s->db, "cannot read hops", "check the file");
  }
  /* Point each path at its hops now that the arrays are final. */
  for (i = 0; i < r->n_hops; i++) {
    r->hops[i].addr = r->addrs[i];
    if (owner[i] < r->set.n_paths) {
      if (!r->paths[owner[i]].hops)
        r->paths[owner[i]].hops = &r->hops[i];
      r->paths[owner[i]].n_hops++;
    }
  }
  free(owner);
  return 0;
}

static int sp_paths(store *s, store_path_round *r)
{
  static const char sql[] = "SELECT id, flow_id, status, path_hash FROM "
                            "paths WHERE set_id = ?1 ORDER BY id";
  sqlite3_stmt *st;
  int64_t *rows;
  size_t n = 0, cap = (size_t)r->set.n_paths + 1;
  int rc;

  r->paths = calloc(cap, sizeof(*r->paths));
  r->path_ids = calloc(cap, sizeof(*r->path_ids));
  rows = calloc(cap, sizeof(*rows));
  if (!r->paths || !r->path_ids || !rows) {
    free(rows);
    return BN_ENOMEM;
  }
  if (sp_prepare(s, sql, &st) != 0) {
    free(rows);
    return BN_EIO;
  }
  sqlite3_bind_int64(st, 1, r->set_id);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < cap) {
    rows[n] = sqlite3_column_int64(st, 0);
    r->paths[n].flow_id = (uint32_t)sqlite3_column_int64(st, 1);
    r->paths[n].status = (bn_path_status)sqlite3_column_int(st, 2);
    r->path_ids[n] = sp_dup(st, 3);
    n++;
  }
  sqlite3_finalize(st);
  r->set.n_paths = n;
  r->set.paths = r->paths;
  rc = sp_hops(s, r, rows);
  free(rows);
  return rc;
}

static int sp_round(store *s, sqlite3_stmt *st, store_path_round *r)
{
  int rc = sqlite3_step(st);

  memset(r, 0, sizeof(*r));
  if (rc == SQLITE_DONE)
    return BN_ENOENT;
  if (rc != SQLITE_ROW)
    return store_fail(s->path, s->db, "cannot read a path set",
                      "check the file");
  r->set_id = sqlite3_column_int64(st, 0);
  r->run_id = sqlite3_column_int64(st, 1);
  r->target = sp_dup(st, 2);
  r->probe = sp_dup(st, 3);
  r->mode = sp_dup(st, 4);
  r->wall_ns = sqlite3_column_int64(st, 5);
  r->set_hash = sp_dup(st, 6);
  r->set.n_paths = (size_t)sqlite3_column_int64(st, 7);
  r->set.target = r->target;
  r->set.mode = r->mode;
  r->set.wall_ns = r->wall_ns;
  return sp_paths(s, r);
}

#define SP_SET_COLS                                                           \
  "SELECT id, run_id, target, probe, mode, wall_ns, set_hash, n_paths "       \
  "FROM path_sets "

static char *sp_strdup(const char *v, int *fail)
{
  char *d;

  if (!v)
    return NULL;
  d = strdup(v);
  if (!d)
    *fail = 1;
  return d;
}

int store_path_round_copy(const bn_path_set *ps, int64_t run_id,
                          const char *probe, const char *set_hash,
                          const char *const *path_hashes,
                          store_path_round *out)
{
  size_t i, j, n_hops = 0, k = 0;
  int fail = 0;

  memset(out, 0, sizeof(*out));
  for (i = 0; i < ps->n_paths; i++)
    n_hops += ps->paths[i].n_hops;
  out->run_id = run_id;
  out->target = sp_strdup(ps->target, &fail);
  out->probe = sp_strdup(probe, &fail);
  out->mode = sp_strdup(ps->mode, &fail);
  out->set_hash = sp_strdup(set_hash, &fail);
  out->wall_ns = ps->wall_ns;
  out->paths = calloc(ps->n_paths + 1, sizeof(*out->paths));
  out->path_ids = calloc(ps->n_paths + 1, sizeof(*out->path_ids));
  out->hops = calloc(n_hops + 1, sizeof(*out->hops));
  out->addrs = calloc(n_hops + 1, sizeof(*out->addrs));
  if (fail || !out->paths || !out->path_ids || !out->hops || !out->addrs) {
    store_path_round_free(out);
    return BN_ENOMEM;
  }
  out->set = *ps;
  out->set.target = out->target;
  out->set.mode = out->mode;
  out->set.paths = out->paths;
  out->set.n_paths = ps->n_paths;
  out->n_hops = n_hops;
  for (i = 0; i < ps->n_paths; i++) {
    out->paths[i] = ps->paths[i];
    out->paths[i].hops = &out->hops[k];
    out->path_ids[i] = sp_strdup(path_hashes ? path_hashes[i] : NULL, &fail);
    for (j = 0; j < ps->paths[i].n_hops; j++, k++) {
      out->hops[k] = ps->paths[i].hops[j];
      out->addrs[k] = sp_strdup(ps->paths[i].hops[j].addr, &fail);
      out->hops[k].addr = out->addrs[k];
    }
  }
  if (fail) {
    store_path_round_free(out);
    return BN_ENOMEM;
  }
  return BN_OK;
}

/* The round of (target, probe) last handed to the writer, or NULL. */
static store_path_round *sp_cached(store *s, const char *target,
                                   const char *probe)
{
  size_t i;

  for (i = 0; i < s->n_rounds; i++)
    if (!strcmp(s->rounds[i].target, target) &&
        !strcmp(s->rounds[i].probe, probe))
      return &s->rounds[i];
  return NULL;
}

int store_path_cache_put(store *s, const store_path_round *r)
{
  store_path_round *slot = sp_cached(s, r->target, r->probe);
  store_path_round copy;
  int rc;

  rc = store_path_round_copy(&r->set, r->run_id, r->probe, r->set_hash,
                             (const char *const *)r->path_ids, &copy);
  if (rc < 0)
    return rc;
  if (!slot) {
    store_path_round *grown =
        realloc(s->rounds, (s->n_rounds + 1) * sizeof(*s->rounds));

    if (!grown) {
      store_path_round_free(&copy);
      return BN_ENOMEM;
    }
    s->rounds = grown;
    slot = &s->rounds[s->n_rounds++];
  } else
    store_path_round_free(slot);
  *slot = copy;
  return BN_OK;
}

void store_path_cache_free(store *s)
{
  size_t i;

  for (i = 0; i < s->n_rounds; i++)
    store_path_round_free(&s->rounds[i]);
  free(s->rounds);
  s->rounds = NULL;
  s->n_rounds = 0;
}

int store_path_last_id(store *s, const char *target, const char *probe,
                       int64_t *id)
{
  sqlite3_stmt *st;
  int rc;

  *id = 0;
  if (sp_prepare(s,
                 "SELECT id FROM path_sets WHERE target = ?1 AND "
                 "probe = ?2 ORDER BY id DESC LIMIT 1",
                 &st) != 0)
    return BN_EIO;
  sqlite3_bind_text(st, 1, target, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, probe, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *id = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return store_fail(s->path, s->db, "cannot read paths", "check the file");
  return BN_OK;
}

int store_path_round_last(store *s, const char *target, const char *probe,
                          store_path_round *out)
{
  store_path_round *c = s->writer ? sp_cached(s, target, probe) : NULL;
  sqlite3_stmt *st;
  int rc;

  /* With a writer the newest round may still be in its queue. */
  if (c)
    return store_path_round_copy(&c->set, c->run_id, c->probe, c->set_hash,
                                 (const char *const *)c->path_ids, out);
  if (sp_prepare(s,
                 SP_SET_COLS "WHERE target = ?1 AND probe = ?2 "
                             "ORDER BY id DESC LIMIT 1",
                 &st) != 0)
    return BN_EIO;
  sqlite3_bind_text(st, 1, target, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, probe, -1, SQLITE_STATIC);
  rc = sp_round(s, st, out);
  sqlite3_finalize(st);
  if (rc != 0 && rc != BN_ENOENT)
    store_path_round_free(out);
  return rc;
}

int store_path_round_get(store *s, int64_t set_id, store_path_round *out)
{
  sqlite3_stmt *st;
  int rc;

  if (sp_prepare(s, SP_SET_COLS "WHERE id = ?1", &st) != 0)
    return BN_EIO;
  sqlite3_bind_int64(st, 1, set_id);
  rc = sp_round(s, st, out);
  sqlite3_finalize(st);
  if (rc != 0 && rc != BN_ENOENT)
    store_path_round_free(out);
  return rc;
}

int store_path_rounds(store *s, const char *target, int64_t since_ns,
                      size_t limit, int64_t **ids, size_t *n)
{
  static const char sql[] =
      "SELECT id FROM (SELECT id FROM path_sets WHERE target = ?1 AND "
      "wall_ns >= ?2 ORDER BY id DESC LIMIT ?3) ORDER BY id";
  sqlite3_stmt *st;
  size_t cap = 64;
  int rc;

  *n = 0;
  *ids = malloc(cap * sizeof(**ids));
  if (!*ids)
    return BN_ENOMEM;
  if (sp_prepare(s, sql, &st) != 0)
    return BN_EIO;
  sqlite3_bind_text(st, 1, target, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, since_ns);
  sqlite3_bind_int64(st, 3, limit ? (sqlite3_int64)limit : -1);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (*n == cap) {
      int64_t *g = realloc(*ids, 2 * cap * sizeof(*g));

      if (!g) {
        sqlite3_finalize(st);
        return BN_ENOMEM;
      }
      *ids = g;
      cap *= 2;
    }
    (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : BN_EIO;
}

int store_path_changes_each(store *s, int64_t set_id,
                            int (*fn)(const store_path_change_row *c,
                                      void *arg),
                            void *arg)
{
  static const char sql[] =
      "SELECT kind, prev_set_id, flow_id, ttl, old_addr, new_addr, "
      "old_rtt_ms, new_rtt_ms, old_paths, new_paths FROM path_changes "
      "WHERE set_id = ?1 "
      "ORDER BY id";
  sqlite3_stmt *st;
  int rc;

  if (sp_prepare(s, sql, &st) != 0)
    return BN_EIO;
  sqlite3_bind_int64(st, 1, set_id);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    store_path_change_row c;

    c.kind = (const char *)sqlite3_column_text(st, 0);
    c.prev_set_id = sqlite3_column_int64(st, 1);
    c.flow_id = (uint32_t)sqlite3_column_int64(st, 2);
    c.ttl = sqlite3_column_int(st, 3);
    c.old_addr = (const char *)sqlite3_column_text(st, 4);
    c.new_addr = (const char *)sqlite3_column_text(st, 5);
    c.old_rtt_ms = sp_real(st, 6);
    c.new_rtt_ms = sp_real(st, 7);
    c.old_paths = sqlite3_column_int(st, 8);
    c.new_paths = sqlite3_column_int(st, 9);
    if (fn(&c, arg))
      break;
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : BN_EIO;
}
