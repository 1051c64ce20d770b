/*
 * store_writer.c - the store's writer thread (see store_writer_start in
 * store.h).
 *
 * The loop thread copies each sample, event or round of paths into a
 * job and appends it to a queue; nothing it does waits for the
 * database.  The thread takes up to STORE_BATCH_MAX rows from the head
 * of the queue, writes them in one transaction on its own connection
 * and commits; only then are the jobs freed.  A batch that fails for a
 * passing reason (the database locked by another process, a full disk,
 * an I/O error) is rolled back and stays at the head of the queue, to
 * be written again a second later, so the rows held back land once the
 * lock is gone or the space is back.  The queue is bounded by rows:
 * when it is full, new rows are dropped and counted.  Failures are
 * reported once when they start and once when they end, with numbers.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store_int.h"
#include "store_paths.h"

#define SW_NS        1000000000LL
#define SW_COMMIT_NS SW_NS        /* commit at least this often */
#define SW_RETRY_NS  SW_NS        /* retry a failed batch after */
#define SW_DRAIN_NS  (15 * SW_NS) /* store_close: retry at most so long */
/* Rows in one transaction at most: a backlog goes in fewer commits
 * (each rewrites the index pages it touched), and one batch still
 * holds the write lock for a fraction of a second. */
#define SW_BATCH_MAX 50000

enum sw_kind { SW_SAMPLE, SW_EVENT, SW_PATHS, SW_EPISODE, SW_BASELINE };

typedef struct sw_job {
  struct sw_job *next;
  enum sw_kind kind;
  unsigned rows;
  int64_t run_id;
  char *name; /* probe or source */
  union {
    bn_sample smp;
    bn_event ev;
    bn_episode ep;
    bn_baseline base;
    struct {
      store_path_round r;
      pathdiff_change *ch;
      size_t n_ch;
    } paths;
  } u;
  char buf[]; /* the strings of samples and events */
} sw_job;

struct store_writer {
  store *front; /* the caller's store (its path is used in messages) */
  store *w;     /* the thread's own connection */
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t wake; /* the thread waits for work */
  pthread_cond_t done; /* store_sync waits for commits */
  sw_job *head, *tail;
  size_t rows;     /* rows queued (including a batch being written) */
  size_t max_rows; /* STORE_QUEUE_MAX */
  int kick, stop, running;
  int64_t stop_deadline; /* CLOCK_MONOTONIC ns */
  store_writer_stats st;
  uint64_t rejected; /* rows sqlite refused for good (constraint...) */
  int failing;       /* the last batch failed */
  int64_t failing_since;
  int warned_drop;
  char why[600]; /* why the last batch failed */
};

static int64_t sw_now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * SW_NS + ts.tv_nsec;
}

/* Wait on `c` until the monotonic time `until`. */
static void sw_wait_until(pthread_cond_t *c, pthread_mutex_t *mu,
                          int64_t until)
{
  struct timespec ts;

  ts.tv_sec = (time_t)(until / SW_NS);
  ts.tv_nsec = (long)(until % SW_NS);
  pthread_cond_timedwait(c, mu, &ts);
}

/* Rows that make the thread write without waiting for its second: a
 * full batch, or half the queue. */
static size_t sw_soon(const store_writer *wr)
{
  return wr->max_rows / 2 < STORE_BATCH_MAX ? wr->max_rows / 2 + 1
                                            : STORE_BATCH_MAX;
}

static void sw_job_free(sw_job *j)
{
  size_t i;

  if (j->kind == SW_PATHS) {
    store_path_round_free(&j->u.paths.r);
    for (i = 0; i < j->u.paths.n_ch; i++) {
      free((char *)j->u.paths.ch[i].old_addr);
      free((char *)j->u.paths.ch[i].new_addr);
    }
    free(j->u.paths.ch);
    free(j->name);
  }
  free(j);
}

/* ---- the thread ----------------------------------------------------- */

/* Whether a failed write is worth retrying as a whole batch: the lock,
 * the disk, memory; or sqlite rolled the transaction back by itself. */
static int sw_transient(store *w, int was_in_tx)
{
  int ec = sqlite3_errcode(w->db) & 0xff;

  if (was_in_tx && !w->in_tx)
    return 1;
  return ec == SQLITE_BUSY || ec == SQLITE_LOCKED || ec == SQLITE_FULL ||
         ec == SQLITE_IOERR || ec == SQLITE_NOMEM || ec == SQLITE_CANTOPEN ||
         ec == SQLITE_READONLY || ec == SQLITE_PROTOCOL;
}

static int sw_write_paths(store *w, sw_job *j)
{
  store_path_round *r = &j->u.paths.r;

  return store_add_path_round(w, j->run_id, j->name, &r->set, r->set_hash,
                              (const char *const *)r->path_ids, j->u.paths.ch,
                              j->u.paths.n_ch);
}

static int sw_write_job(store *w, sw_job *j)
{
  switch (j->kind) {
  case SW_SAMPLE:
    return store_add_sample(w, j->run_id, j->name, &j->u.smp);
  case SW_EVENT:
    return store_add_event(w, j->run_id, j->name, &j->u.ev);
  case SW_PATHS:
    return sw_write_paths(w, j);
  case SW_EPISODE:
    return store_add_episode(w, j->run_id, j->name, &j->u.ep);
  case SW_BASELINE:
    return store_put_baseline(w, j->name, &j->u.base);
  }
  return BN_EINVAL;
}

/* Write jobs first..last in one transaction.  BN_OK: committed (rows
 * sqlite refused for good are counted in *rejected and skipped). */
static int sw_write_batch(store *w, sw_job *first, sw_job *last,
                          uint64_t *rejected)
{
  sw_job *j;
  int rc, in_tx;

  for (j = first;; j = j->next) {
    in_tx = w->in_tx;
    rc = sw_write_job(w, j);
    if (rc < 0) {
      if (sw_transient(w, in_tx)) {
        store_rollback(w);
        return rc;
      }
      *rejected += j->rows;
    }
    if (j == last)
      break;
  }
  rc = store_flush(w);
  if (rc < 0)
    store_rollback(w);
  return rc;
}

/* The batch at the head of the queue: up to SW_BATCH_MAX rows. */
static sw_job *sw_batch_end(store_writer *wr, size_t *rows)
{
  sw_job *j = wr->head;

  *rows = j->rows;
  while (j->next && *rows + j->next->rows <= SW_BATCH_MAX) {
    j = j->next;
    *rows += j->rows;
  }
  return j;
}

/* A batch failed: say so once, with the numbers. */
static void sw_failed(store_writer *wr)
{
  if (wr->failing)
    return;
  wr->failing = 1;
  wr->failing_since = sw_now();
  log_warn("store",
           "%s: %s; holding %zu rows in memory (at most %zu) and "
           "retrying every second",
           wr->front->path, wr->why, wr->rows, wr->max_rows);
}

static void sw_recovered(store_writer *wr)
{
  if (!wr->failing)
    return;
  wr->failing = 0;
  log_warn("store",
           "%s: writing again after %.1f s; the rows held back are "
           "stored",
           wr->front->path, (double)(sw_now() - wr->failing_since) / 1e9);
}

static void *sw_main(void *arg)
{
  store_writer *wr = arg;
  int64_t last_commit = sw_now();

  /* this thread's store errors are reported by sw_failed, once */
  store_quiet = 1;
  pthread_mutex_lock(&wr->mu);
  for (;;) {
    sw_job *first, *last, *j;
    size_t n;
    uint64_t rejected = 0;
    int rc;

    while (!wr->stop &&
           !(wr->head && (wr->kick || wr->failing || wr->rows >= sw_soon(wr) ||
                          sw_now() - last_commit >= SW_COMMIT_NS)))
      sw_wait_until(&wr->wake, &wr->mu,
                    (wr->head ? last_commit : sw_now()) + SW_COMMIT_NS);
    if (!wr->head) {
      if (wr->stop)
        break;
      continue;
    }
    if (wr->stop && wr->failing && sw_now() >= wr->stop_deadline)
      break;
    wr->kick = 0;
    first = wr->head;
    last = sw_batch_end(wr, &n);
    pthread_mutex_unlock(&wr->mu);

    /* Producers only append after the tail: first..last is ours. */
    rc = sw_write_batch(wr->w, first, last, &rejected);
    if (rc == BN_OK)
      store_wal_budget(wr->w);

    pthread_mutex_lock(&wr->mu);
    if (rc == BN_OK) {
      /* detach first..last (a producer may have appended after last) */
      wr->head = last->next;
      if (!wr->head)
        wr->tail = NULL;
      last->next = NULL;
      wr->rows -= n;
      wr->st.written += n - rejected;
      wr->rejected += rejected;
      last_commit = sw_now();
      sw_recovered(wr);
      pthread_cond_broadcast(&wr->done);
      pthread_mutex_unlock(&wr->mu);
      while (first) {
        j = first->next;
        sw_job_free(first);
        first = j;
      }
      pthread_mutex_lock(&wr->mu);
      continue;
    }
    snprintf(wr->why, sizeof(wr->why), "cannot write to the history: %s",
             store_quiet_msg[0] ? store_quiet_msg : "unknown error");
    sw_failed(wr);
    pthread_cond_broadcast(&wr->done);
    /* A full disk: give back the WAL's space before the next try. */
    if ((sqlite3_errcode(wr->w->db) & 0xff) == SQLITE_FULL) {
      pthread_mutex_unlock(&wr->mu);
      sqlite3_wal_checkpoint_v2(wr->w->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
                                NULL, NULL);
      store_wal_budget(wr->w);
      pthread_mutex_lock(&wr->mu);
    }
    /* Back off (a stop shortens nothing: the drain has its deadline). */
    {
      int64_t until = sw_now() + SW_RETRY_NS;

      while (sw_now() < until && !(wr->stop && sw_now() >= wr->stop_deadline))
        sw_wait_until(&wr->wake, &wr->mu,
                      wr->stop && wr->stop_deadline < until ? wr->stop_deadline
                                                            : until);
    }
  }
  /* What is left could not be written in time. */
  wr->st.lost += wr->rows;
  while (wr->head) {
    sw_job *j = wr->head;

    wr->head = j->next;
    sw_job_free(j);
  }
  wr->tail = NULL;
  wr->rows = 0;
  pthread_cond_broadcast(&wr->done);
  pthread_mutex_unlock(&wr->mu);
  return NULL;
}

/* ---- the caller's side ---------------------------------------------- */

static size_t sw_queue_max(void)
{
  const char *e = getenv("BN_STORE_QUEUE_MAX");
  char *end;
  unsigned long v;

  if (e && *e) {
    errno = 0;
    v = strtoul(e, &end, 10);
    if (!errno && !*end && v > 0)
      return (size_t)v;
  }
  return STORE_QUEUE_MAX;
}

int store_writer_start(store *s)
{
  store_writer *wr;
  int rc;

  if (!s || s->readonly)
    return BN_EINVAL;
  if (s->writer || !strcmp(s->path, ":memory:"))
    return BN_OK; /* a memory database has no second connection */
  rc = store_flush(s);
  if (rc < 0)
    return rc;
  wr = calloc(1, sizeof(*wr));
  if (!wr)
    return BN_ENOMEM;
  wr->front = s;
  wr->max_rows = sw_queue_max();
  rc = store_open_secondary(s->path, &wr->w);
  if (rc < 0) {
    free(wr);
    return rc;
  }
  /* the thread decides when to commit: never in the middle of a batch */
  wr->w->batch_max = (unsigned)-1;
  pthread_mutex_init(&wr->mu, NULL);
  pthread_cond_init(&wr->wake, NULL);
  pthread_cond_init(&wr->done, NULL);
  {
    pthread_condattr_t ca;

    /* timed waits count on CLOCK_MONOTONIC: a wall-clock step must not
     * stall the writer */
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_destroy(&wr->wake);
    pthread_cond_destroy(&wr->done);
    pthread_cond_init(&wr->wake, &ca);
    pthread_cond_init(&wr->done, &ca);
    pthread_condattr_destroy(&ca);
  }
  if (pthread_create(&wr->thread, NULL, sw_main, wr) != 0) {
    log_error("store", "%s: cannot start the writer thread", s->path);
    store_close(wr->w);
    pthread_mutex_destroy(&wr->mu);
    pthread_cond_destroy(&wr->wake);
    pthread_cond_destroy(&wr->done);
    free(wr);
    return BN_ENOMEM;
  }
  wr->running = 1;
  s->writer = wr;
  return BN_OK;
}

/* Append a job, or drop it when the queue is full. */
static int sw_push(store *s, sw_job *j)
{
  store_writer *wr = s->writer;
  int warn = 0;
  size_t rows;
  char why[600];

  pthread_mutex_lock(&wr->mu);
  if (wr->rows + j->rows > wr->max_rows) {
    wr->st.dropped += j->rows;
    if (!wr->warned_drop) {
      wr->warned_drop = warn = 1;
      rows = wr->rows;
      snprintf(why, sizeof(why), "%s",
               wr->failing ? wr->why : "writing is slower than measuring");
    }
    pthread_mutex_unlock(&wr->mu);
    sw_job_free(j);
    if (warn)
      log_warn("store",
               "%s: %zu rows wait to be written (%s); new rows are dropped "
               "until they are, and counted",
               s->path, rows, why);
    return BN_EAGAIN;
  }
  j->next = NULL;
  if (wr->tail)
    wr->tail->next = j;
  else
    wr->head = j;
  wr->tail = j;
  wr->rows += j->rows;
  if (wr->rows >= sw_soon(wr))
    pthread_cond_signal(&wr->wake);
  pthread_mutex_unlock(&wr->mu);
  return BN_OK;
}

static char *sw_put(char **cur, const char *v)
{
  char *d = *cur;
  size_t n;

  if (!v)
    return NULL;
  n = strlen(v) + 1;
  memcpy(d, v, n);
  *cur += n;
  return d;
}

static size_t sw_len(const char *v)
{
  return v ? strlen(v) + 1 : 0;
}

int store_writer_sample(store *s, int64_t run_id, const char *probe,
                        const bn_sample *smp)
{
  size_t extra = sw_len(probe) + sw_len(smp->target) + sw_len(smp->metric);
  sw_job *j = malloc(sizeof(*j) + extra);
  char *cur;

  if (!j)
    return BN_ENOMEM;
  cur = j->buf;
  j->kind = SW_SAMPLE;
  j->rows = 1;
  j->run_id = run_id;
  j->u.smp = *smp;
  j->name = sw_put(&cur, probe);
  j->u.smp.target = sw_put(&cur, smp->target);
  j->u.smp.metric = sw_put(&cur, smp->metric);
  return sw_push(s, j);
}

int store_writer_event(store *s, int64_t run_id, const char *source,
                       const bn_event *e)
{
  size_t extra = sw_len(source) + sw_len(e->target) + sw_len(e->type) +
                 sw_len(e->message);
  sw_job *j = malloc(sizeof(*j) + extra);
  char *cur;

  if (!j)
    return BN_ENOMEM;
  cur = j->buf;
  j->kind = SW_EVENT;
  j->rows = 1;
  j->run_id = run_id;
  j->u.ev = *e;
  j->name = sw_put(&cur, source);
  j->u.ev.target = sw_put(&cur, e->target);
  j->u.ev.type = sw_put(&cur, e->type);
  j->u.ev.message = sw_put(&cur, e->message);
  /* stamp it now, not when the thread gets to it */
  if (!j->u.ev.wall_ns) {
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    j->u.ev.wall_ns = (int64_t)ts.tv_sec * SW_NS + ts.tv_nsec;
  }
  return sw_push(s, j);
}

int store_writer_episode(store *s, int64_t run_id, const char *source,
                         const bn_episode *ep)
{
  size_t extra = sw_len(source) + sw_len(ep->target) + sw_len(ep->severity) +
                 sw_len(ep->dominant) + sw_len(ep->signals);
  sw_job *j = malloc(sizeof(*j) + extra);
  char *cur;

  if (!j)
    return BN_ENOMEM;
  cur = j->buf;
  j->kind = SW_EPISODE;
  j->rows = 1;
  j->run_id = run_id;
  j->u.ep = *ep;
  j->name = sw_put(&cur, source);
  j->u.ep.target = sw_put(&cur, ep->target);
  j->u.ep.severity = sw_put(&cur, ep->severity);
  j->u.ep.dominant = sw_put(&cur, ep->dominant);
  j->u.ep.signals = sw_put(&cur, ep->signals);
  return sw_push(s, j);
}

int store_writer_baseline(store *s, const char *source, const bn_baseline *b)
{
  size_t extra = sw_len(source) + sw_len(b->target) + sw_len(b->probe) +
                 sw_len(b->metric) + sw_len(b->kind);
  sw_job *j = malloc(sizeof(*j) + extra);
  char *cur;

  if (!j)
    return BN_ENOMEM;
  cur = j->buf;
  j->kind = SW_BASELINE;
  j->rows = 1;
  j->run_id = 0;
  j->u.base = *b;
  j->name = sw_put(&cur, source);
  j->u.base.target = sw_put(&cur, b->target);
  j->u.base.probe = sw_put(&cur, b->probe);
  j->u.base.metric = sw_put(&cur, b->metric);
  j->u.base.kind = sw_put(&cur, b->kind);
  j->u.base.source = NULL;
  if (!j->u.base.updated_ns) {
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    j->u.base.updated_ns = (int64_t)ts.tv_sec * SW_NS + ts.tv_nsec;
  }
  return sw_push(s, j);
}

static char *sw_strdup(const char *v, int *fail)
{
  char *d;

  if (!v)
    return NULL;
  d = strdup(v);
  if (!d)
    *fail = 1;
  return d;
}

int store_writer_paths(store *s, store_path_round *r,
                       const pathdiff_change *ch, size_t n_ch)
{
  sw_job *j = calloc(1, sizeof(*j));
  size_t i;
  int fail = 0;

  if (!j) {
    store_path_round_free(r);
    return BN_ENOMEM;
  }
  j->kind = SW_PATHS;
  j->run_id = r->run_id;
  j->u.paths.r = *r;
  memset(r, 0, sizeof(*r));
  j->name = sw_strdup(j->u.paths.r.probe, &fail);
  j->rows = 1;
  for (i = 0; i < j->u.paths.r.set.n_paths; i++)
    j->rows += 1 + (unsigned)j->u.paths.r.set.paths[i].n_hops;
  if (n_ch) {
    j->u.paths.ch = calloc(n_ch, sizeof(*ch));
    if (!j->u.paths.ch)
      fail = 1;
    for (i = 0; !fail && i < n_ch; i++) {
      /* kind is one of pathdiff's string constants */
      j->u.paths.ch[i] = ch[i];
      j->u.paths.ch[i].old_addr = sw_strdup(ch[i].old_addr, &fail);
      j->u.paths.ch[i].new_addr = sw_strdup(ch[i].new_addr, &fail);
      j->u.paths.n_ch = i + 1;
    }
    j->rows += (unsigned)n_ch;
  }
  if (fail) {
    sw_job_free(j);
    return BN_ENOMEM;
  }
  return sw_push(s, j);
}

void store_writer_kick(store *s)
{
  store_writer *wr = s->writer;

  pthread_mutex_lock(&wr->mu);
  wr->kick = 1;
  pthread_cond_signal(&wr->wake);
  pthread_mutex_unlock(&wr->mu);
}

void store_writer_get_stats(store *s, store_writer_stats *out)
{
  store_writer *wr = s ? s->writer : NULL;

  memset(out, 0, sizeof(*out));
  if (!wr)
    return;
  pthread_mutex_lock(&wr->mu);
  *out = wr->st;
  out->queued = wr->rows;
  pthread_mutex_unlock(&wr->mu);
}

int store_sync(store *s, int64_t timeout_ns)
{
  store_writer *wr = s ? s->writer : NULL;
  int64_t until = sw_now() + timeout_ns;
  int rc;

  if (!wr)
    return store_flush(s);
  pthread_mutex_lock(&wr->mu);
  wr->kick = 1;
  pthread_cond_signal(&wr->wake);
  while (wr->rows && sw_now() < until)
    sw_wait_until(&wr->done, &wr->mu, until);
  rc = wr->rows ? BN_ETIMEDOUT : BN_OK;
  pthread_mutex_unlock(&wr->mu);
  return rc;
}

int store_writer_stop(store *s, int64_t timeout_ns)
{
  store_writer *wr = s ? s->writer : NULL;
  store_writer_stats st;

  if (!wr)
    return BN_OK;
  pthread_mutex_lock(&wr->mu);
  wr->stop = 1;
  wr->stop_deadline = sw_now() + (timeout_ns > 0 ? timeout_ns : SW_DRAIN_NS);
  pthread_cond_signal(&wr->wake);
  pthread_mutex_unlock(&wr->mu);
  pthread_join(wr->thread, NULL);
  st = wr->st;
  if (st.dropped || st.lost)
    log_error("store",
              "%s: %llu rows were not stored: %llu dropped while the "
              "queue was full, %llu still unwritten at exit",
              s->path, (unsigned long long)(st.dropped + st.lost),
              (unsigned long long)st.dropped, (unsigned long long)st.lost);
  if (st.lost && wr->failing)
    log_error("store", "%s: giving up: %s", s->path, wr->why);
  if (wr->rejected)
    log_warn("store", "%s: %llu rows were refused by the database", s->path,
             (unsigned long long)wr->rejected);
  store_close(wr->w);
  pthread_mutex_destroy(&wr->mu);
  pthread_cond_destroy(&wr->wake);
  pthread_cond_destroy(&wr->done);
  s->writer = NULL;
  free(wr);
  return st.dropped || st.lost ? BN_EIO : BN_OK;
}
