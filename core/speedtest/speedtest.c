/*
 * speedtest.c - one speed test over an ordered list of providers.
 *
 * Each attempt gets the settings' timeout; a provider that fails (or
 * times out, or cannot start) is retried after an exponential backoff
 * with jitter, up to `retries` more times, and then the next provider
 * takes over.  Each attempt is written to the store as it ends, so a
 * test that is killed half-way still shows what it tried; the final
 * result links them.  Everything runs on the core loop: providers call
 * done() from their own loop callbacks.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "speedtest.h"
#include "store.h"

typedef struct st_job {
  host_core *core;
  host_instance **prov;
  size_t n_prov;
  const speedtest_settings *set;
  unsigned *random;
  speedtest_outcome *out;
  loop_owner owner;
  bn_timer *timeout; /* the attempt in flight */
  bn_timer *next;    /* the next attempt (after a backoff) */
  bn_speedtest_request req;
  size_t cur;   /* provider in use */
  int tries;    /* attempts on it so far */
  int attempt;  /* attempts over all providers */
  int running;  /* an attempt is in flight */
  int finished; /* success or every provider exhausted */
  int64_t t0_mono, t0_wall;
} st_job;

static void st_next(st_job *j);

static const char *st_name(const host_instance *in)
{
  return in->entry && in->entry->name ? in->entry->name
                                      : in->plugin->desc.name;
}

static void st_copy(char *dst, size_t len, const char *src)
{
  snprintf(dst, len, "%s", src ? src : "");
}

/* Record the attempt that just ended, in memory and in the store. */
static void st_record(st_job *j, int status, const char *server,
                      const char *error)
{
  speedtest_outcome *o = j->out;
  speedtest_attempt *a;
  void *grown;

  grown = realloc(o->attempts, (o->n_attempts + 1) * sizeof(*o->attempts));
  if (!grown) {
    log_error("speedtest", "out of memory recording an attempt");
    return;
  }
  o->attempts = grown;
  a = &o->attempts[o->n_attempts++];
  memset(a, 0, sizeof(*a));
  st_copy(a->provider, sizeof(a->provider), st_name(j->prov[j->cur]));
  st_copy(a->server, sizeof(a->server), server);
  st_copy(a->error, sizeof(a->error), status ? error : NULL);
  a->attempt = j->attempt;
  a->status = status;
  a->wall_ns = j->t0_wall;
  a->duration_ns = clock_mono(&j->core->clock) - j->t0_mono;
  /* Committed at once: a speed test takes seconds, and an open write
   * transaction would keep a running monitor from writing meanwhile. */
  if (j->core->st &&
      store_add_speedtest_attempt(j->core->st, j->core->run_id, a->provider,
                                  a->server[0] ? a->server : NULL, a->attempt,
                                  a->wall_ns, a->duration_ns, a->status,
                                  a->error[0] ? a->error : NULL) == BN_OK)
    store_flush(j->core->st);
  if (status)
    log_warn(j->prov[j->cur]->prefix, "attempt %d failed: %s", a->attempt,
             a->error[0] ? a->error : "unknown error");
  else
    log_info(j->prov[j->cur]->prefix, "attempt %d succeeded", a->attempt);
}

static void st_finish(st_job *j)
{
  j->finished = 1;
  loop_timer_free(j->timeout);
  loop_timer_free(j->next);
  j->timeout = j->next = NULL;
  uv_stop(j->core->uv);
}

static void st_success(st_job *j, const bn_speedtest_result *r)
{
  speedtest_outcome *o = j->out;
  double loaded = r->loaded_down_ms;

  o->status = 0;
  o->provider = st_name(j->prov[j->cur]);
  o->result = *r;
  st_copy(o->server, sizeof(o->server), r->server);
  o->result.server = o->server[0] ? o->server : NULL;
  o->result.error = NULL;
  if (r->loaded_up_ms > loaded)
    loaded = r->loaded_up_ms;
  o->grade = speedtest_grade(r->latency_ms, loaded);
  st_finish(j);
}

/* Keep the last error as the outcome's, in case nothing succeeds. */
static void st_failed(st_job *j, int status)
{
  const speedtest_outcome *o = j->out;

  j->out->status = status;
  if (o->n_attempts)
    st_copy(j->out->error, sizeof(j->out->error),
            o->attempts[o->n_attempts - 1].error);
  st_next(j);
}

/* The size of bn_speedtest_result in SDK 3.0. */
#define ST_RESULT_V3 (offsetof(bn_speedtest_result, error) + sizeof(char *))

static void st_done(const bn_speedtest_result *res, void *arg)
{
  st_job *j = arg;
  bn_speedtest_result copy;
  const bn_speedtest_result *r = &copy;
  int status;
  const char *error;

  if (host_copy_in(&copy, sizeof(copy), res, ST_RESULT_V3) < 0) {
    memset(&copy, 0, sizeof(copy));
    copy.struct_size = sizeof(copy);
    copy.status = BN_EINVAL;
    copy.error = "result struct too small: set struct_size with "
                 "BN_INIT(bn_speedtest_result) and rebuild the plugin";
  }
  status = r->status;
  error = r->error;

  if (!j->running) {
    log_warn(j->prov[j->cur]->prefix,
             "result after the attempt ended; ignored (plugin bug)");
    return;
  }
  j->running = 0;
  loop_timer_free(j->timeout);
  j->timeout = NULL;
  /* A success without a single figure is not a measurement. */
  if (status == 0 && !(r->download_bps >= 0) && !(r->upload_bps >= 0)) {
    status = BN_ERR;
    error = "the provider measured nothing";
  }
  if (status != 0 && !error)
    error = "failed without saying why";
  st_record(j, status, r->server, error);
  copy.status = status;
  copy.error = error;
  host_fanout_speedtest(j->core, st_name(j->prov[j->cur]), &copy);
  if (status == 0)
    st_success(j, r);
  else
    st_failed(j, status);
}

static void st_on_timeout(bn_timer *t, void *arg)
{
  st_job *j = arg;
  host_instance *in = j->prov[j->cur];
  const bn_speedtest_ops *ops = host_speedtest_ops(in);
  char msg[96];

  j->timeout = NULL;
  if (!j->running)
    return;
  j->running = 0;
  if (HOST_HAS(ops, cancel))
    ops->cancel(in->ctx);
  snprintf(msg, sizeof(msg), "timed out after %.1f s",
           (double)j->set->timeout_ns / 1e9);
  st_record(j, BN_ETIMEDOUT, NULL, msg);
  st_failed(j, BN_ETIMEDOUT);
}

static void st_start(bn_timer *t, void *arg)
{
  st_job *j = arg;
  host_instance *in = j->prov[j->cur];
  const bn_speedtest_ops *ops = host_speedtest_ops(in);
  int rc;

  j->next = NULL;
  j->tries++;
  j->attempt++;
  j->req.attempt = j->attempt;
  /* A provider entry that lists targets measures toward the first. */
  j->req.target =
      in->entry && in->entry->n_targets ? &in->entry->targets[0] : NULL;
  j->t0_mono = clock_mono(&j->core->clock);
  j->t0_wall = clock_wall(&j->core->clock);
  log_info(in->prefix, "attempt %d (try %d of %d on this provider)",
           j->attempt, j->tries, j->set->retries + 1);
  j->timeout =
      loop_timer_start(&j->owner, j->set->timeout_ns, 0, st_on_timeout, j);
  j->running = 1;
  rc =
      HOST_HAS(ops, run) ? ops->run(in->ctx, &j->req, st_done, j) : BN_ENOTSUP;
  if (rc != BN_OK && j->running) {
    char msg[96];

    j->running = 0;
    loop_timer_free(j->timeout);
    j->timeout = NULL;
    snprintf(msg, sizeof(msg), "could not start the test (status %d)", rc);
    st_record(j, rc, NULL, msg);
    st_failed(j, rc);
  }
}

/* After a failed attempt: retry after a backoff, fail over, or give up. */
static void st_next(st_job *j)
{
  int64_t wait = 0;

  if (j->tries > j->set->retries) {
    j->cur++;
    j->tries = 0;
    if (j->cur >= j->n_prov) {
      j->cur = j->n_prov - 1; /* for st_name in the summary */
      st_finish(j);
      return;
    }
    log_warn("speedtest", "failing over to %s", st_name(j->prov[j->cur]));
  } else {
    wait = speedtest_backoff_ns(
        j->set, j->tries, (double)rand_r(j->random) / ((double)RAND_MAX + 1));
    log_info("speedtest", "retrying %s in %.2f s", st_name(j->prov[j->cur]),
             (double)wait / 1e9);
  }
  j->next = loop_timer_start(&j->owner, wait, 0, st_start, j);
  if (!j->next) {
    log_error("speedtest", "cannot schedule the next attempt");
    st_finish(j);
  }
}

/* The final row: the result (or the last error) with its grade. */
static void st_store(st_job *j)
{
  speedtest_outcome *o = j->out;
  bn_speedtest_result failed;
  const bn_speedtest_result *r = &o->result;

  if (!j->core->st || !o->n_attempts)
    return;
  if (o->status != 0) {
    memset(&failed, 0, sizeof(failed));
    failed.struct_size = sizeof(failed);
    failed.download_bps = failed.upload_bps = BN_NOT_MEASURED;
    failed.latency_ms = failed.jitter_ms = BN_NOT_MEASURED;
    failed.loaded_down_ms = failed.loaded_up_ms = BN_NOT_MEASURED;
    failed.loss_pct = failed.udp_jitter_ms = BN_NOT_MEASURED;
    failed.status = o->status;
    failed.error = o->error;
    r = &failed;
  }
  store_finish_speedtest(
      j->core->st, j->core->run_id,
      o->provider ? o->provider : o->attempts[o->n_attempts - 1].provider, r,
      o->attempts[0].wall_ns, o->grade, (int)o->n_attempts);
}

int speedtest_run(host_core *core, host_instance **providers,
                  size_t n_providers, const speedtest_settings *s,
                  unsigned *random, speedtest_outcome *out)
{
  st_job j;

  memset(out, 0, sizeof(*out));
  out->status = BN_ENOENT;
  if (!n_providers) {
    log_error("speedtest", "no speed test provider to run");
    return BN_ENOENT;
  }
  memset(&j, 0, sizeof(j));
  j.core = core;
  j.prov = providers;
  j.n_prov = n_providers;
  j.set = s;
  j.random = random;
  j.out = out;
  j.req.struct_size = sizeof(j.req);
  j.req.streams = s->streams;
  j.req.duration_ns = s->duration_ns;
  j.req.download = s->download;
  j.req.upload = s->upload;
  loop_owner_init(&j.owner, core->uv, "speedtest");
  j.next = loop_timer_start(&j.owner, 0, 0, st_start, &j);
  if (!j.next)
    return BN_ENOMEM;
  /* Returns when the job finishes, or when a signal stops the loop. */
  loop_run(core->uv);
  if (j.running) {
    /* The loop was stopped from outside (a signal): cancel in flight. */
    const bn_speedtest_ops *ops = host_speedtest_ops(providers[j.cur]);

    j.running = 0;
    if (HOST_HAS(ops, cancel))
      ops->cancel(providers[j.cur]->ctx);
    st_record(&j, BN_ERR, NULL, "interrupted");
    out->status = BN_ERR;
    st_copy(out->error, sizeof(out->error), "interrupted");
  }
  loop_owner_close_all(&j.owner);
  if (out->status != 0)
    out->result.error = out->error;
  st_store(&j);
  return out->status;
}

void speedtest_outcome_free(speedtest_outcome *o)
{
  free(o->attempts);
  o->attempts = NULL;
  o->n_attempts = 0;
}
