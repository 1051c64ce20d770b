/*
 * run.c - one `bottleneck run`.
 *
 * Order matters: the profile and every plugin's options are validated
 * before the store is touched, so a bad profile never creates a run row;
 * all instances are initialised before any probe starts, so a config
 * error stops the run before it measures anything.  On the way out the
 * batch is flushed and the run row closed before the reporters read it.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "host.h"
#include "loader.h"
#include "log.h"
#include "profile.h"
#include "report_render.h"
#include "run.h"
#include "store.h"

/* How often the batch is committed and the clocks are compared. */
#define RUN_FLUSH_NS    (1000 * 1000 * 1000LL)
#define RUN_CLOCK_NS    (250 * 1000 * 1000LL)
#define RUN_PROGRESS_NS (1000 * 1000 * 1000LL)
/* Retention (store_compact.c): a compaction starts RUN_COMPACT_FIRST_NS
 * after the start (BN_COMPACT_FIRST_S overrides it, for tests; and
 * BN_COMPACT_TICK_MS the tick, for benches), then
 * every RUN_COMPACT_EVERY_NS; while one is under way it takes one step
 * per RUN_COMPACT_TICK_NS, each a transaction aiming at
 * RUN_COMPACT_BUDGET_NS (the goal: no step holds the loop 50 ms). */
#define RUN_COMPACT_FIRST_NS  (60 * 1000000000LL)
#define RUN_COMPACT_EVERY_NS  (3600 * 1000000000LL)
#define RUN_COMPACT_TICK_NS   (100 * 1000000LL)
#define RUN_COMPACT_BUDGET_NS STORE_COMPACT_BUDGET_NS

typedef struct run_state {
  host_core core;
  uv_loop_t uv;
  loop_owner owner; /* the core's own timers */
  uv_signal_t sigint, sigterm, sighup;
  const run_options *opt;
  profile *prof;
  int64_t started_mono;
  int stopping;
  int stop_signal;
  int progress; /* show a progress line (stderr is a terminal) */
  /* The pre-flight checks run on their own thread beside the probes. */
  pthread_t checks_thread;
  int checks_running;
  int checks_abandoned; /* still running at exit: r->prof stays allocated */
  struct run_checks_job *checks;
  int64_t checks_wall_ns;
  /* retention: the compaction under way, when the next one starts */
  store_compactor compactor;
  int compacting;
  int64_t compact_next; /* monotonic ns */
  int64_t compact_longest_ns;
} run_state;

/* What the checks thread works on: on the heap, so a thread left running
 * at exit touches nothing of run_main's frame. */
typedef struct run_checks_job {
  const profile *prof;
  check_list list;
} run_checks_job;

/* How long a run stopped by a signal waits for checks still running. */
#define RUN_CHECKS_GRACE_S 1

static void run_stop(run_state *r);

static void run_flush_cb(bn_timer *t, void *arg)
{
  run_state *r = arg;

  store_flush(r->core.st);
}

/* What a compaction did (partial: the run ends before it is done; the
 * next run starts it again). */
static void run_compact_log(run_state *r, int partial)
{
  const store_compact_stats *st = &r->compactor.st;

  log_msg(st->raw.rows || st->minute.rows || st->hour.rows ? BN_LOG_INFO
                                                           : BN_LOG_DEBUG,
          "store",
          "compaction%s: %lld raw samples, %lld minute rollups (into %lld "
          "hour rollups), %lld hour rollups removed, %.1f MiB given back; "
          "%lld steps, longest %.1f ms, %lld over 50 ms",
          partial ? " (unfinished at the end of the run)" : "",
          (long long)st->raw.rows, (long long)st->minute.rows,
          (long long)st->hours_written, (long long)st->hour.rows,
          (double)st->vacuumed / 1048576.0, (long long)st->steps,
          (double)st->longest_ns / 1e6, (long long)st->slow);
}

/* One step of the retention's compaction; it never waits for the lock
 * (the writer thread's commits come first) and each step is short. */
static void run_compact_cb(bn_timer *t, void *arg)
{
  run_state *r = arg;
  int64_t mono = clock_mono(&r->core.clock);
  store_cuts cuts;
  int rc;

  if (r->stopping)
    return;
  if (!r->compacting) {
    if (mono < r->compact_next)
      return;
    store_retention_cuts(&r->prof->retention, clock_wall(&r->core.clock),
                         &cuts);
    store_compact_init(&r->compactor, &cuts, RUN_COMPACT_BUDGET_NS);
    r->compacting = 1;
  }
  rc = store_compact_step(r->core.st, &r->compactor);
  if (r->compactor.st.longest_ns > r->compact_longest_ns)
    r->compact_longest_ns = r->compactor.st.longest_ns;
  if (rc > 0 || rc == BN_EAGAIN)
    return;
  r->compacting = 0;
  r->compact_next = mono + RUN_COMPACT_EVERY_NS;
  if (rc < 0) {
    log_warn("store",
             "compaction stopped (see above); it is tried again in an hour");
    return;
  }
  run_compact_log(r, 0);
}

static void run_clock_cb(bn_timer *t, void *arg)
{
  run_state *r = arg;

  host_clock_poll(&r->core);
}

static void run_progress_cb(bn_timer *t, void *arg)
{
  run_state *r = arg;
  double el = (double)(clock_mono(&r->core.clock) - r->started_mono) / 1e9;

  if (r->opt->duration_ns)
    fprintf(stderr, "\r%s: %.0f s / %.0f s, %llu samples, %llu lost ",
            r->prof->name, el, (double)r->opt->duration_ns / 1e9,
            (unsigned long long)r->core.n_samples,
            (unsigned long long)r->core.n_lost);
  else
    fprintf(stderr, "\r%s: %.0f s, %llu samples, %llu lost (Ctrl-C stops) ",
            r->prof->name, el, (unsigned long long)r->core.n_samples,
            (unsigned long long)r->core.n_lost);
  fflush(stderr);
}

static void run_duration_cb(bn_timer *t, void *arg)
{
  run_stop(arg);
}

/* ---- signals before the loop runs -------------------------------- */

/* A signal that came before libuv's handlers took over (loading,
 * checks, plugin set-up): the run stops as soon as it can, cleanly. */
static volatile sig_atomic_t run_early_signal;

static const char *run_signal_name(int signum)
{
  return signum == SIGINT    ? "SIGINT"
         : signum == SIGTERM ? "SIGTERM"
         : signum == SIGHUP  ? "SIGHUP"
                             : "a signal";
}

/* Async-signal-safe: note it; a second one gets the default action (a
 * check that hangs can still be interrupted). */
static void run_early_handler(int signum)
{
  if (run_early_signal) {
    signal(signum, SIG_DFL);
    raise(signum);
    return;
  }
  run_early_signal = signum;
}

/* Installed first thing in run_main: SIGINT, SIGTERM and SIGHUP stop the
 * run cleanly at any time.  No SA_RESTART: a blocking call returns EINTR
 * where it can. */
static void run_install_early_signals(void)
{
  struct sigaction sa;

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = run_early_handler;
  sigemptyset(&sa.sa_mask);
  run_early_signal = 0;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
}

static void run_signal_cb(uv_signal_t *sig, int signum)
{
  run_state *r = sig->data;

  if (r->stopping) {
    log_warn("run", "second signal: stopping now");
    uv_stop(&r->uv);
    return;
  }
  log_info("run", "stopping on %s", run_signal_name(signum));
  r->stop_signal = signum;
  run_stop(r);
}

/* Stop measuring: probes stop, the core's timers and signals close, and
 * uv_run returns once the plugins' handles are gone or uv_stop is hit. */
static void run_stop(run_state *r)
{
  size_t i;

  if (r->stopping)
    return;
  r->stopping = 1;
  if (r->compacting) {
    run_compact_log(r, 1);
    r->compacting = 0;
  }
  for (i = 0; i < r->core.n_inst; i++) {
    host_instance *in = &r->core.inst[i];
    const bn_probe_ops *ops = host_probe_ops(in);

    if (in->started && HOST_HAS(ops, stop))
      ops->stop(in->ctx);
    in->started = 0;
  }
  loop_owner_close_all(&r->owner);
  uv_stop(&r->uv);
}

static int run_open_store(run_state *r)
{
  char path[4096];
  const char *db = r->opt->db;

  if (!db)
    db = r->prof->store_path;
  if (!db) {
    if (store_default_path(path, sizeof(path)) != 0) {
      log_error("store", "no store path: set --db, XDG_DATA_HOME or HOME");
      return CLI_EXIT_STORE;
    }
    db = path;
  }
  log_info("store", "history in %s", db);
  if (store_open(db, &r->core.st) != 0)
    return CLI_EXIT_STORE;
  return CLI_EXIT_OK;
}

static int run_begin(run_state *r)
{
  char hostname[256] = "unknown";
  store_run_meta meta;

  gethostname(hostname, sizeof(hostname) - 1);
  hostname[sizeof(hostname) - 1] = '\0';
  meta.host = hostname;
  meta.profile = r->prof->name;
  meta.profile_hash = r->prof->hash;
  meta.version = PACKAGE_VERSION;
  meta.started_ns = clock_wall(&r->core.clock);
  if (store_run_begin(r->core.st, &meta, &r->core.run_id) != 0)
    return CLI_EXIT_STORE;
  store_flush(r->core.st);
  log_info("run", "run %lld of profile %s started", (long long)r->core.run_id,
           r->prof->name);
  return CLI_EXIT_OK;
}

/* The pre-flight checks, unless the profile turns them off.  They wait
 * on the network (a gateway that does not answer, a resolver timing
 * out, the routers' ICMP budget), so they run on their own thread while
 * the probes start: the first probe is never delayed by them.  Each
 * result is logged as it is known (what is not a pass as a warning; it
 * never stops the run) and all are stored with the run when it ends. */
static void *run_checks_thread(void *arg)
{
  run_checks_job *j = arg;
  sigset_t stop;
  size_t i;

  /* SIGINT, SIGTERM and SIGHUP are the loop thread's to handle */
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  check_run(j->prof, &j->prof->checks, &j->list);
  for (i = 0; i < j->list.n; i++) {
    const check_result *c = &j->list.r[i];

    if (c->status == CHECK_PASS)
      log_info("check", "pass %s %s: %s", c->name, c->target, c->reason);
    else
      log_warn("check", "%s %s %s: %s", check_status_name(c->status), c->name,
               c->target, c->reason);
  }
  return NULL;
}

static void run_checks_start(run_state *r)
{
  if (!r->prof->checks.enabled)
    return;
  r->checks_wall_ns = clock_wall(&r->core.clock);
  r->checks = calloc(1, sizeof(*r->checks));
  if (!r->checks) {
    log_warn("check", "out of memory; pre-flight checks skipped");
    return;
  }
  r->checks->prof = r->prof;
  if (pthread_create(&r->checks_thread, NULL, run_checks_thread, r->checks) ==
      0) {
    r->checks_running = 1;
    return;
  }
  log_warn("check", "cannot start a thread for the pre-flight checks; "
                    "running them before the probes");
  run_checks_thread(r->checks);
}

/* Wait for the checks (each has its timeout) and store what they found.
 * A run stopped by a signal waits only RUN_CHECKS_GRACE_S: a resolver
 * that never answers must not hold Ctrl-C for its whole timeout.  The
 * thread is then left to die with the process, its results unstored. */
static void run_checks_finish(run_state *r)
{
  if (!r->checks)
    return;
  if (r->checks_running && r->stop_signal) {
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += RUN_CHECKS_GRACE_S;
    if (pthread_timedjoin_np(r->checks_thread, NULL, &until) != 0) {
      log_warn("check", "pre-flight checks still waiting on the network at "
                        "the stop; their results are not stored");
      pthread_detach(r->checks_thread);
      r->checks_running = 0;
      r->checks_abandoned = 1;
      r->checks = NULL; /* the thread's now, freed with the process */
      return;
    }
    r->checks_running = 0;
  }
  if (r->checks_running)
    pthread_join(r->checks_thread, NULL);
  r->checks_running = 0;
  check_store(r->core.st, r->core.run_id, &r->checks->list, r->checks_wall_ns);
  store_flush(r->core.st);
  check_list_free(&r->checks->list);
  free(r->checks);
  r->checks = NULL;
}

/* Create and initialise one instance per profile entry. */
static int run_init_instances(run_state *r, loader *ld)
{
  profile *p = r->prof;
  size_t i;

  r->core.consent = p->consent;
  r->core.consent_all = r->opt->consent;
  r->core.inst =
      calloc(p->n_plugins ? p->n_plugins : 1, sizeof(*r->core.inst));
  if (!r->core.inst)
    return CLI_EXIT_FAILURE;
  for (i = 0; i < p->n_plugins; i++) {
    const loader_plugin *lp =
        loader_find_kind(ld, p->plugins[i].kind, p->plugins[i].plugin);

    /* profile_check_plugins has made sure it exists. */
    host_instance_setup(&r->core.inst[i], &r->core, lp, &p->plugins[i]);
    r->core.n_inst = i + 1;
    if (host_instance_init(&r->core.inst[i]) != BN_OK)
      return CLI_EXIT_PLUGIN;
  }
  return CLI_EXIT_OK;
}

static int run_start_probes(run_state *r)
{
  size_t i;
  int n = 0;

  for (i = 0; i < r->core.n_inst; i++) {
    host_instance *in = &r->core.inst[i];
    const bn_probe_ops *ops = host_probe_ops(in);

    if (!HOST_HAS(ops, start))
      continue;
    if (ops->start(in->ctx) != BN_OK) {
      log_error(in->prefix, "probe failed to start; see above");
      return CLI_EXIT_PLUGIN;
    }
    in->started = 1;
    n++;
  }
  if (n == 0)
    log_warn("run", "profile %s has no probes: nothing will be measured",
             r->prof->name);
  return CLI_EXIT_OK;
}

static void run_start_timers(run_state *r)
{
  loop_owner_init(&r->owner, &r->uv, "core");
  loop_timer_start(&r->owner, RUN_FLUSH_NS, RUN_FLUSH_NS, run_flush_cb, r);
  loop_timer_start(&r->owner, RUN_CLOCK_NS, RUN_CLOCK_NS, run_clock_cb, r);
  {
    const char *e = getenv("BN_COMPACT_FIRST_S");
    int64_t first =
        e && *e ? (int64_t)(strtod(e, NULL) * 1e9) : RUN_COMPACT_FIRST_NS;

    r->compact_next = clock_mono(&r->core.clock) + first;
    int64_t tick = RUN_COMPACT_TICK_NS;

    e = getenv("BN_COMPACT_TICK_MS"); /* benches: a faster pace */
    if (e && strtol(e, NULL, 10) > 0)
      tick = (int64_t)strtol(e, NULL, 10) * 1000000LL;
    loop_timer_start(&r->owner, tick, tick, run_compact_cb, r);
  }
  if (r->opt->duration_ns > 0)
    loop_timer_start(&r->owner, r->opt->duration_ns, 0, run_duration_cb, r);
  if (r->progress)
    loop_timer_start(&r->owner, RUN_PROGRESS_NS, RUN_PROGRESS_NS,
                     run_progress_cb, r);
  uv_signal_init(&r->uv, &r->sigint);
  uv_signal_init(&r->uv, &r->sigterm);
  uv_signal_init(&r->uv, &r->sighup);
  r->sigint.data = r;
  r->sigterm.data = r;
  r->sighup.data = r;
  uv_signal_start(&r->sigint, run_signal_cb, SIGINT);
  uv_signal_start(&r->sigterm, run_signal_cb, SIGTERM);
  /* SIGHUP (the terminal went away) stops cleanly too; it does not
   * reload the profile (docs/run.md). */
  uv_signal_start(&r->sighup, run_signal_cb, SIGHUP);
}

/* The run ends: anomaly detectors close what is open (their events go
 * to the exporters), then the exporters flush. */
static void run_flush_exporters(run_state *r)
{
  size_t i;

  for (i = 0; i < r->core.n_inst; i++) {
    host_instance *in = &r->core.inst[i];
    const bn_anomaly_ops *an = host_anomaly_ops(in);

    if (in->initialised && HOST_HAS(an, finish))
      an->finish(in->ctx);
  }
  for (i = 0; i < r->core.n_inst; i++) {
    host_instance *in = &r->core.inst[i];
    const bn_exporter_ops *ex = host_exporter_ops(in);

    if (in->initialised && HOST_HAS(ex, flush))
      ex->flush(in->ctx);
  }
}

/* Once the run row is closed nothing is left to save, and with the loop
 * no longer running libuv would only queue a SIGINT/SIGTERM: give them
 * their default action back, so that they stop a report that hangs (on
 * a stalled terminal or pipe) instead of being swallowed. */
static void run_signals_default(run_state *r)
{
  if (!r->sigint.loop)
    return;
  uv_signal_stop(&r->sigint);
  uv_signal_stop(&r->sigterm);
  uv_signal_stop(&r->sighup);
}

static int run_render_reports(run_state *r)
{
  report_opts o;
  size_t i;
  int status = CLI_EXIT_OK;

  /* the model reads the store: everything of this run in it first */
  store_flush(r->core.st);
  memset(&o, 0, sizeof(o));
  o.run_id = r->core.run_id;
  for (i = 0; i < r->core.n_inst; i++)
    if (report_render_instance(&r->core.inst[i], r->core.st, &o, NULL, NULL,
                               stdout, NULL, 0) != BN_OK)
      status = CLI_EXIT_PLUGIN;
  fflush(stdout);
  return status;
}

/* ---- the summary on a terminal ---------------------------------------- */

#define RUN_SUMMARY_ROWS 15

typedef struct run_summary_acc {
  size_t n;
  int w[3]; /* target, probe, metric column widths */
  FILE *out;
  int print;
} run_summary_acc;

static void run_summary_num(FILE *out, double v, int width)
{
  if (isfinite(v))
    fprintf(out, " %*.*f", width, fabs(v) >= 100 ? 1 : 3, v);
  else
    fprintf(out, " %*s", width, "-");
}

static int run_summary_row(const bn_series *se, void *arg)
{
  run_summary_acc *a = arg;
  const char *col[3] = {se->target, se->probe, se->metric};
  int i;

  if (!a->print) { /* first pass: widths */
    for (i = 0; i < 3; i++)
      if (col[i] && (int)strlen(col[i]) > a->w[i])
        a->w[i] = (int)strlen(col[i]) > 24 ? 24 : (int)strlen(col[i]);
    a->n++;
    return 0;
  }
  if (a->n++ >= RUN_SUMMARY_ROWS)
    return 0;
  fprintf(a->out, "%-*.*s  %-*.*s  %-*.*s %6llu %6.1f", a->w[0], a->w[0],
          se->target, a->w[1], a->w[1], se->probe, a->w[2], a->w[2],
          se->metric, (unsigned long long)se->count, se->loss_pct);
  run_summary_num(a->out, se->p50, 9);
  run_summary_num(a->out, se->p95, 9);
  fputc('\n', a->out);
  return 0;
}

/* A run that ends on a terminal says in one screen what it measured,
 * and how to see more. */
static void run_summary(run_state *r, FILE *out, double secs)
{
  run_summary_acc a = {0, {6, 5, 6}, out, 0};
  bn_query q;

  memset(&q, 0, sizeof(q));
  q.run_id = r->core.run_id;
  fprintf(out,
          "\nrun %lld of profile %s: %.0f s, %llu samples, %llu lost, %llu "
          "events\n",
          (long long)r->core.run_id, r->prof->name, secs,
          (unsigned long long)r->core.n_samples,
          (unsigned long long)r->core.n_lost,
          (unsigned long long)r->core.n_events);
  if (store_series_each(r->core.st, &q, run_summary_row, &a) != 0 || !a.n) {
    fprintf(out, "nothing was measured\n");
    return;
  }
  fprintf(out, "%-*s  %-*s  %-*s %6s %6s %9s %9s\n", a.w[0], "TARGET", a.w[1],
          "PROBE", a.w[2], "METRIC", "SENT", "LOSS%", "P50", "P95");
  a.print = 1;
  a.n = 0;
  store_series_each(r->core.st, &q, run_summary_row, &a);
  if (a.n > RUN_SUMMARY_ROWS)
    fprintf(out, "... and %zu more series\n", a.n - RUN_SUMMARY_ROWS);
  fprintf(out,
          "full report: bottleneck report --run %lld (-f html for charts)\n",
          (long long)r->core.run_id);
  fflush(out);
}

static void run_close_loop(run_state *r)
{
  size_t i;

  for (i = 0; i < r->core.n_inst; i++)
    host_instance_destroy(&r->core.inst[i]);
  loop_owner_close_all(&r->owner);
  /* The signal handles are set up only once every instance started (a
   * zeroed handle has no loop): uv_close() aborts on one never set up. */
  if (r->sigint.loop && !uv_is_closing((uv_handle_t *)&r->sigint)) {
    uv_close((uv_handle_t *)&r->sigint, NULL);
    uv_close((uv_handle_t *)&r->sigterm, NULL);
    uv_close((uv_handle_t *)&r->sighup, NULL);
  }
  /* Let the close callbacks run, then the loop can be closed. */
  uv_run(&r->uv, UV_RUN_DEFAULT);
  if (uv_loop_close(&r->uv) != 0)
    log_debug("run", "event loop still had handles at exit");
}

/* Measure until stopped, then close the run and render the reports. */
static int run_measure(run_state *r, loader *ld)
{
  int status = run_init_instances(r, ld);
  int64_t ended_ns;
  int end_status;

  /* The checks and plugin set-up may have taken seconds: libuv's cached
   * "now" must not be that old when the timers start, or they would
   * fire at once (the --duration timer included). */
  uv_update_time(&r->uv);
  /* From here on no store write may wait on the loop thread: samples,
   * events and paths go to the store's writer thread. */
  if (status == CLI_EXIT_OK && store_writer_start(r->core.st) != BN_OK)
    status = CLI_EXIT_STORE;
  if (status == CLI_EXIT_OK && !run_early_signal)
    status = run_start_probes(r);
  if (status == CLI_EXIT_OK && run_early_signal) {
    /* Stopped before measuring: the run is closed like any other. */
    log_info("run", "stopping on %s (before measuring)",
             run_signal_name(run_early_signal));
    r->stop_signal = run_early_signal;
  } else if (status == CLI_EXIT_OK) {
    r->started_mono = clock_mono(&r->core.clock);
    run_start_timers(r);
    /* one that came just before libuv's handlers took over */
    if (run_early_signal && !r->stopping) {
      log_info("run", "stopping on %s", run_signal_name(run_early_signal));
      r->stop_signal = run_early_signal;
      run_stop(r);
    }
    log_set_progress(r->progress);
    loop_run(&r->uv);
    run_stop(r);
    log_set_progress(0);
    if (r->progress)
      fprintf(stderr, "\r\033[K");
  }
  run_flush_exporters(r);
  /* Everything queued is written (or given up, and counted) before the
   * run row is closed on this thread's connection. */
  end_status =
      store_writer_stop(r->core.st, 0) == BN_OK && store_flush(r->core.st) == 0
          ? status
          : CLI_EXIT_STORE;
  run_checks_finish(r);
  ended_ns = clock_wall(&r->core.clock);
  if (store_run_end(r->core.st, r->core.run_id, ended_ns, end_status) != 0 ||
      store_flush(r->core.st) != 0)
    end_status = CLI_EXIT_STORE;
  log_info("run", "run %lld ended: %llu samples, %llu lost, %llu events",
           (long long)r->core.run_id, (unsigned long long)r->core.n_samples,
           (unsigned long long)r->core.n_lost,
           (unsigned long long)r->core.n_events);
  run_signals_default(r);
  if (status == CLI_EXIT_OK && !r->opt->no_report) {
    status = run_render_reports(r);
    /* The run row was closed before the reporters read it; a report
     * that failed still makes the run's exit status. */
    if (status != CLI_EXIT_OK && end_status == CLI_EXIT_OK)
      store_run_end(r->core.st, r->core.run_id, ended_ns, status);
  }
  if (end_status == CLI_EXIT_OK && r->started_mono && isatty(STDOUT_FILENO))
    run_summary(r, stdout,
                (double)(clock_mono(&r->core.clock) - r->started_mono) / 1e9);
  run_close_loop(r);
  return end_status != CLI_EXIT_OK ? end_status : status;
}

int run_main(const run_options *o)
{
  run_state r;
  loader *ld = NULL;
  int status;

  /* Before anything else: a signal during loading or the pre-flight
   * checks must close the run, not kill the process with it open. */
  run_install_early_signals();
  memset(&r, 0, sizeof(r));
  r.opt = o;
  r.progress = isatty(STDERR_FILENO) && log_enabled(BN_LOG_WARNING);
  ld = loader_new();
  if (!ld)
    return CLI_EXIT_FAILURE;
  loader_scan(ld, o->plugin_dir);
  /* every error of the profile in one pass: its own, its plugins' and
   * their options' */
  status = profile_load_all(o->profile, &r.prof) != 0;
  if (!r.prof) {
    status = CLI_EXIT_PROFILE;
    goto out;
  }
  status |= profile_check_plugins(r.prof, ld) != 0;
  status |= host_check_profile(r.prof, ld) != 0;
  if (status) {
    status = CLI_EXIT_PROFILE;
    goto out;
  }
  status = run_open_store(&r);
  if (status != CLI_EXIT_OK)
    goto out;
  if (uv_loop_init(&r.uv) != 0) {
    log_error("run", "cannot create the event loop");
    status = CLI_EXIT_FAILURE;
    goto out;
  }
  r.core.uv = &r.uv;
  clock_init(&r.core.clock, o->clock);
  status = run_begin(&r);
  if (status == CLI_EXIT_OK && !run_early_signal)
    run_checks_start(&r);
  if (status == CLI_EXIT_OK)
    status = run_measure(&r, ld);
  else
    uv_loop_close(&r.uv);
out:
  free(r.core.inst);
  store_close(r.core.st);
  /* An abandoned checks thread still reads the profile; the process
   * ends now, so it is left for the exit to reclaim. */
  if (!r.checks_abandoned)
    profile_free(r.prof);
  loader_free(ld);
  return status;
}
