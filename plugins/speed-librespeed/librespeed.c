/*
 * librespeed.c - the `librespeed` speed test provider: the LibreSpeed
 * server protocol (garbage.php?ckSize=N MiB for download, POSTs to
 * empty.php for upload and latency, getIP.php for the client address)
 * against one server or a LibreSpeed server list, from which the server
 * with the lowest ping among those that answer is chosen for each test.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include <bottleneck/sdk.h>

#include "curl_loop.h"
#include "ls_servers.h"
#include "speed_provider.h"

#define LS_MIB (1024 * 1024)

/* The options, filled by the host (cfg_fill). */
typedef struct ls_config {
  speed_common_config common;
  const char *servers; /* a server list file, or NULL */
  const char *server;  /* one base URL, or NULL */
  int64_t select_timeout_ns;
  int64_t select_count; /* servers pinged per test, at most */
  uint64_t max_chunk;
} ls_config;

/* One ping of the server selection. */
typedef struct ls_probe {
  CURL *easy;
  size_t server; /* index in the list */
  double rtt;    /* ms, -1: no answer (yet) */
  char ip[64];   /* start of the getIP answer */
} ls_probe;

typedef struct ls_ctx {
  speed_provider sp; /* must stay first */
  ls_config cfg;
  ls_server *servers;
  size_t n_servers;
  const ls_server *use; /* server of the test in flight */
  uint64_t rng;         /* xorshift64 state for the random sample */
  /* server selection in flight: a sample of select_count servers */
  curl_loop sel;
  struct ls_probe *probes;
  size_t n_probes;
  bn_timer *sel_timer; /* ends the selection at select_timeout */
  size_t pending;
  bn_timer *fail_timer;
  bn_speedtest_request req;
  bn_speedtest_done_fn done;
  void *done_arg;
  char err[512];
  bn_speedtest_result fail;
} ls_ctx;

static const bn_option ls_options[] = {
    {.name = "servers",
     .type = BN_OPT_STRING,
     .help = "LibreSpeed server list (JSON file); the lowest ping wins",
     BN_FIELD(ls_config, servers)},
    {.name = "server",
     .type = BN_OPT_STRING,
     .help = "one LibreSpeed server (base URL; default endpoint paths)",
     BN_FIELD(ls_config, server)},
    {.name = "select_timeout",
     .type = BN_OPT_DURATION,
     .def = "2s",
     .help = "how long servers of the list get to answer a ping",
     .min = 0.1,
     .max = 60,
     BN_FIELD(ls_config, select_timeout_ns)},
    {.name = "select_count",
     .type = BN_OPT_INT,
     .def = "10",
     .help = "servers of the list pinged per test (a random sample when the "
             "list is longer)",
     .min = 1,
     .max = 1000,
     BN_FIELD(ls_config, select_count)},
    {.name = "max_chunk",
     .type = BN_OPT_SIZE,
     .def = "256MiB",
     .help = "largest download request",
     .min = LS_MIB,
     .max = 1e12,
     BN_FIELD(ls_config, max_chunk)},
    SPEED_COMMON_OPTIONS(ls_config),
    BN_OPTIONS_END,
};

/* ---- the server list ---------------------------------------------- */

/* Open a regular file only: a FIFO or a device would hang or never end
 * (O_NONBLOCK: opening a FIFO with no writer does not wait). */
static FILE *ls_open_regular(const char *path, char *err, size_t errlen)
{
  struct stat st;
  FILE *f;
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0) {
    snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
    return NULL;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "%s is not a regular file; give a JSON file", path);
    close(fd);
    return NULL;
  }
  f = fdopen(fd, "rb");
  if (!f) {
    snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
    close(fd);
  }
  return f;
}

static char *ls_read_file(const char *path, char *err, size_t errlen)
{
  FILE *f = ls_open_regular(path, err, errlen);
  char *buf = NULL;
  long len;

  if (!f)
    return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
      len < 16 * LS_MIB && fseek(f, 0, SEEK_SET) == 0) {
    buf = malloc((size_t)len + 1);
    if (buf && fread(buf, 1, (size_t)len, f) == (size_t)len)
      buf[len] = '\0';
    else {
      free(buf);
      buf = NULL;
    }
  }
  if (!buf)
    snprintf(err, errlen, "cannot read %s", path);
  fclose(f);
  return buf;
}

static int ls_url_ok(const char *url)
{
  CURLU *u = curl_url();
  char *scheme = NULL;
  int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
           curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
           (!strcmp(scheme, "http") || !strcmp(scheme, "https"));

  curl_free(scheme);
  curl_url_cleanup(u);
  return ok;
}

/* Load the list (or the one server) into c; errors at the option. */
static int ls_load(bn_host *h, ls_config *lc, ls_server **out, size_t *n)
{
  const bn_host_api *api = h->api;
  const bn_node *cfg = api->config(h);
  const char *file, *one;
  char err[512];
  char *text;
  size_t i;
  int rc;

  memset(lc, 0, sizeof(*lc));
  if (api->cfg_fill(h, lc) != 0)
    return BN_EINVAL;
  file = lc->servers;
  one = lc->server;
  if (speed_provider_url(h, "server", one) != 0)
    return BN_EINVAL;
  if (!file == !one)
    return api->cfg_error(h, cfg,
                          "give either 'servers' (a LibreSpeed server list "
                          "file) or 'server' (one base URL)");
  if (one)
    return ls_servers_single(one, out, n) == 0 ? 0 : BN_ENOMEM;
  text = ls_read_file(file, err, sizeof(err));
  rc = text ? ls_servers_parse(text, out, n, err, sizeof(err)) : -1;
  free(text);
  if (rc != 0)
    return api->cfg_error(h, api->cfg_get(cfg, "servers"), "%s: %s", file,
                          err);
  for (i = 0; i < *n; i++) {
    const ls_server *s = &(*out)[i];

    if (!ls_url_ok(s->dl) || !ls_url_ok(s->ul) || !ls_url_ok(s->ping) ||
        (s->getip && !ls_url_ok(s->getip))) {
      rc = api->cfg_error(h, api->cfg_get(cfg, "servers"),
                          "%s: server %zu (%s): its URLs are not all "
                          "http or https; fix or remove it",
                          file, i + 1, s->base);
      ls_servers_free(*out, *n);
      *out = NULL;
      return rc;
    }
  }
  return 0;
}

/* ---- the test ----------------------------------------------------- */

static uint64_t ls_down_url(void *arg, uint64_t bytes, char *buf, size_t len)
{
  ls_ctx *c = arg;
  uint64_t mib = (bytes + LS_MIB - 1) / LS_MIB;
  int n;

  if (mib < 1)
    mib = 1;
  if (mib > 1024)
    mib = 1024;
  n = snprintf(buf, len, "%s%sckSize=%" PRIu64, c->use->dl,
               strchr(c->use->dl, '?') ? "&" : "?", mib);
  return n > 0 && (size_t)n < len ? mib * LS_MIB : 0;
}

static void ls_sel_close(ls_ctx *c)
{
  size_t i;

  c->sp.h->api->timer_free(c->sel_timer);
  c->sel_timer = NULL;
  if (!c->probes)
    return;
  for (i = 0; i < c->n_probes; i++)
    if (c->probes[i].easy) {
      curl_loop_remove(&c->sel, c->probes[i].easy);
      curl_easy_cleanup(c->probes[i].easy);
    }
  free(c->probes);
  c->probes = NULL;
  c->n_probes = 0;
  curl_loop_close(&c->sel);
}

static void ls_on_fail(bn_timer *t, void *arg)
{
  ls_ctx *c = arg;

  c->fail_timer = NULL;
  c->done(&c->fail, c->done_arg);
}

/* Report an error through done() on a later loop turn. */
static void ls_fail(ls_ctx *c, const char *msg)
{
  c->fail = (bn_speedtest_result){BN_INIT(bn_speedtest_result)};
  c->fail.download_bps = c->fail.upload_bps = BN_NOT_MEASURED;
  c->fail.latency_ms = c->fail.jitter_ms = BN_NOT_MEASURED;
  c->fail.loaded_down_ms = c->fail.loaded_up_ms = BN_NOT_MEASURED;
  c->fail.loss_pct = c->fail.udp_jitter_ms = BN_NOT_MEASURED;
  c->fail.status = BN_EIO;
  snprintf(c->err, sizeof(c->err), "%s", msg);
  c->fail.error = c->err;
  c->fail_timer = c->sp.h->api->timer_start(c->sp.h, 0, 0, ls_on_fail, c);
}

static void ls_start_test(ls_ctx *c, const ls_server *s)
{
  speed_plan *p = &c->sp.plan;

  c->use = s;
  p->server = s->base;
  p->up_url = s->ul;
  p->ping_url = s->ping;
  bn_info(c->sp.h, "server %s (%s)", s->name, s->base);
  if (speed_provider_run(c, &c->req, c->done, c->done_arg) != 0)
    ls_fail(c, "cannot start the test");
}

/* Every ping of the selection has ended (or select_timeout passed): the
 * fastest server wins. */
static void ls_selected(ls_ctx *c)
{
  size_t i, best = c->n_probes, n = c->n_probes;
  const ls_server *win = NULL;
  char msg[256], ip[64];

  for (i = 0; i < n; i++)
    if (c->probes[i].rtt >= 0 &&
        (best == n || c->probes[i].rtt < c->probes[best].rtt))
      best = i;
  if (best < n) {
    win = &c->servers[c->probes[best].server];
    snprintf(msg, sizeof(msg), "%.2f", c->probes[best].rtt);
    snprintf(ip, sizeof(ip), "%s", c->probes[best].ip);
  }
  ls_sel_close(c);
  if (!win) {
    if (n < c->n_servers)
      snprintf(msg, sizeof(msg),
               "none of %zu servers (a random sample of the list's %zu) "
               "answered a ping",
               n, c->n_servers);
    else
      snprintf(msg, sizeof(msg),
               "none of the %zu servers of the list answered a ping", n);
    ls_fail(c, msg);
    return;
  }
  bn_info(c->sp.h, "server %s answered in %s ms%s%s", win->name, msg,
          ip[0] ? "; it sees us as " : "", ip);
  ls_start_test(c, win);
}

static void ls_sel_done(CURL *easy, CURLcode rc, void *arg)
{
  ls_ctx *c = arg;
  ls_probe *p = NULL;
  curl_off_t total = 0;
  long code = 0;

  if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&p) != CURLE_OK ||
      !p || p->easy != easy)
    return;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total);
  if (rc == CURLE_OK && code < 400)
    p->rtt = (double)total / 1000.0;
  else
    bn_info(c->sp.h, "server %s does not answer: %s",
            c->servers[p->server].name,
            rc != CURLE_OK ? curl_easy_strerror(rc) : "HTTP error");
  curl_loop_remove(&c->sel, easy);
  curl_easy_cleanup(easy);
  p->easy = NULL;
  if (--c->pending == 0)
    ls_selected(c);
}

/* select_timeout has passed: curl's own timeouts should have ended
 * every ping; whatever is still out counts as no answer. */
static void ls_on_sel_timer(bn_timer *t, void *arg)
{
  ls_ctx *c = arg;

  (void)t;
  c->sel_timer = NULL;
  bn_info(c->sp.h, "%zu servers did not answer within select_timeout",
          c->pending);
  ls_selected(c);
}

/* Keep the start of a getIP answer (the client address): at most 63
 * bytes, printable ASCII only (it ends up in the log). */
static size_t ls_keep(char *ptr, size_t size, size_t n, void *arg)
{
  char *buf = arg;
  size_t have = strlen(buf), add = size * n, i;

  if (add > 63 - have)
    add = 63 - have;
  for (i = 0; i < add; i++)
    buf[have + i] = ptr[i] >= 0x20 && ptr[i] < 0x7f ? ptr[i] : '?';
  buf[have + add] = '\0';
  return size * n;
}

static uint64_t ls_rand(ls_ctx *c)
{
  c->rng ^= c->rng << 13;
  c->rng ^= c->rng >> 7;
  c->rng ^= c->rng << 17;
  return c->rng;
}

/* Choose which servers to ping: all of a short list; of a longer one a
 * uniform random sample (reservoir sampling: one pass, memory for the
 * sample only). */
static void ls_sample(ls_ctx *c)
{
  size_t i, k = c->n_probes;

  for (i = 0; i < c->n_servers; i++) {
    if (i < k) {
      c->probes[i].server = i;
    } else {
      uint64_t j = ls_rand(c) % (uint64_t)(i + 1);

      if (j < k)
        c->probes[j].server = i;
    }
  }
}

static int ls_select(ls_ctx *c)
{
  const bn_host_api *api = c->sp.h->api;
  size_t i, count = c->cfg.select_count > 0 ? (size_t)c->cfg.select_count : 1;

  c->n_probes = c->n_servers < count ? c->n_servers : count;
  c->probes = calloc(c->n_probes, sizeof(*c->probes));
  if (!c->probes || curl_loop_open(&c->sel, c->sp.h, ls_sel_done, c) != 0)
    return BN_ENOMEM;
  ls_sample(c);
  for (i = 0; i < c->n_probes; i++) {
    ls_probe *p = &c->probes[i];
    const ls_server *s = &c->servers[p->server];
    CURL *e = curl_easy_init();

    p->rtt = -1;
    if (!e)
      return BN_ENOMEM;
    p->easy = e;
    /* getIP when the server has it: a ping that also says who we are */
    curl_easy_setopt(e, CURLOPT_URL, s->getip ? s->getip : s->ping);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)p);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     (long)(c->cfg.select_timeout_ns / 1000000));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, ls_keep);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)p->ip);
    if (c->sp.plan.ca_file)
      curl_easy_setopt(e, CURLOPT_CAINFO, c->sp.plan.ca_file);
    if (c->sp.plan.insecure) {
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (curl_loop_add(&c->sel, e) != 0)
      return BN_ERR;
    c->pending++;
  }
  /* A little past curl's own timeout: the backstop, not the rule. */
  c->sel_timer = api->timer_start(
      c->sp.h, c->cfg.select_timeout_ns + 200000000, 0, ls_on_sel_timer, c);
  return c->sel_timer ? 0 : BN_ENOMEM;
}

static int ls_run(void *ctx, const bn_speedtest_request *req,
                  bn_speedtest_done_fn done, void *arg)
{
  ls_ctx *c = ctx;
  int rc;

  if (c->sp.eng || c->probes || c->fail_timer)
    return BN_EAGAIN;
  c->req = *req;
  c->done = done;
  c->done_arg = arg;
  c->pending = 0;
  rc = ls_select(c);
  if (rc != 0)
    ls_sel_close(c);
  return rc;
}

static void ls_cancel(void *ctx)
{
  ls_ctx *c = ctx;

  ls_sel_close(c);
  c->sp.h->api->timer_free(c->fail_timer);
  c->fail_timer = NULL;
  speed_provider_cancel(&c->sp);
}

static int ls_check(bn_host *h)
{
  ls_config cfg;
  ls_server *s = NULL;
  size_t n = 0;
  int rc = ls_load(h, &cfg, &s, &n);

  ls_servers_free(s, n);
  return rc;
}

static void ls_destroy(void *ctx)
{
  ls_ctx *c = ctx;

  if (!c)
    return;
  ls_cancel(c);
  ls_servers_free(c->servers, c->n_servers);
  free(c);
}

static int ls_init(bn_host *h, void **out)
{
  ls_ctx *c = calloc(1, sizeof(*c));

  if (!c)
    return BN_ENOMEM;
  if (ls_load(h, &c->cfg, &c->servers, &c->n_servers) != 0) {
    free(c);
    return BN_EINVAL;
  }
  speed_provider_init(&c->sp, h, &c->cfg.common);
  c->rng = (uint64_t)h->api->now_wall_ns(h) ^ ((uint64_t)getpid() << 32) ^
           (uint64_t)(uintptr_t)c;
  if (c->rng == 0)
    c->rng = 0x9e3779b97f4a7c15ull;
  c->sp.plan.down_url = ls_down_url;
  c->sp.plan.arg = c;
  c->sp.plan.down_start = LS_MIB;
  c->sp.plan.down_max = c->cfg.max_chunk;
  c->sp.plan.up_start = 256 * 1024;
  c->sp.plan.up_max = 8 * LS_MIB;
  *out = c;
  return 0;
}

static const bn_speedtest_ops ls_ops = {
    .struct_size = sizeof(bn_speedtest_ops),
    .run = ls_run,
    .cancel = ls_cancel,
};

BN_PLUGIN(.name = "librespeed", .version = "1.0", .kind = BN_KIND_SPEEDTEST,
          .summary = "speed test against LibreSpeed servers "
                     "(garbage/empty/getIP endpoints, server lists)",
          .options = ls_options, .init = ls_init, .destroy = ls_destroy,
          .ops = &ls_ops, .check = ls_check);
