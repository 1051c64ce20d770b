/*
 * cli_selftest.c - `bottleneck selftest`: what this machine supports
 * (selftest_caps.c), then a short synthetic run on loopback through
 * every loaded plugin that can run without configuration: probes
 * measure 127.0.0.1 and ::1 (a responder of our own on one port: TCP
 * connections get an empty HTTP answer, UDP datagrams an empty DNS
 * answer), reporters render the run to files, other kinds are created
 * and destroyed.  Prints one line per capability and per plugin, and
 * the time taken.  A probe is "ok" only when every probe it sent was
 * answered; "partial" when some were lost; "failed" when none was.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "cli.h"
#include "conf.h"
#include "host.h"
#include "loader.h"
#include "log.h"
#include "options.h"
#include "run.h"
#include "selftest_caps.h"
#include "store.h"

typedef struct st_plugin {
  const loader_plugin *lp;
  const char *status; /* "ok", "failed", "skipped" */
  char detail[200];
} st_plugin;

static int st_has_required(const loader_plugin *lp)
{
  const bn_option *o;

  for (o = lp->desc.options; o && o->name; o++)
    if (o->required)
      return 1;
  return 0;
}

static int st_has_option(const loader_plugin *lp, const char *name)
{
  const bn_option *o;

  for (o = lp->desc.options; o && o->name; o++)
    if (!strcmp(o->name, name))
      return 1;
  return 0;
}

/* A TCP listener on loopback that never accepts: connects complete in
 * the backlog, which is all the tcp probe needs. */
static int st_listen(int family, int *port)
{
  struct sockaddr_storage ss;
  socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in)
                                    : sizeof(struct sockaddr_in6);
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

  memset(&ss, 0, sizeof(ss));
  ss.ss_family = (sa_family_t)family;
  if (family == AF_INET)
    ((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  else
    ((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
  if (*port) {
    if (family == AF_INET)
      ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)*port);
    else
      ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)*port);
  }
  if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) != 0 ||
      listen(fd, 1024) != 0 || getsockname(fd, (struct sockaddr *)&ss, &len)) {
    if (fd >= 0)
      close(fd);
    return -1;
  }
  *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                  : ((struct sockaddr_in6 *)&ss)->sin6_port);
  return fd;
}

/* ---- the loopback responder ------------------------------------------ */

#define ST_CLIENTS 64

typedef struct st_responder {
  int lfd[2];  /* TCP listeners (-1: none) */
  int ufd[2];  /* UDP sockets on the same port (-1: none) */
  int wake[2]; /* a pipe: a byte stops the thread */
  int cfd[ST_CLIENTS];
  uv_thread_t th;
  int running;
} st_responder;

/* A UDP socket on loopback, on `port`. */
static int st_udp(int family, int port)
{
  struct sockaddr_storage ss;
  socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in)
                                    : sizeof(struct sockaddr_in6);
  int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  memset(&ss, 0, sizeof(ss));
  ss.ss_family = (sa_family_t)family;
  if (family == AF_INET) {
    ((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
  } else {
    ((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
    ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
  }
  if (fd >= 0 && bind(fd, (struct sockaddr *)&ss, len) != 0) {
    close(fd);
    fd = -1;
  }
  return fd;
}

/* A DNS query in, its answer out: the question echoed, NOERROR, no
 * records (what a resolver says for "." type A). */
static void st_dns_answer(int fd)
{
  unsigned char buf[512];
  struct sockaddr_storage from;
  socklen_t flen = sizeof(from);
  ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
                       (struct sockaddr *)&from, &flen);
  size_t i = 12;

  if (n < 12 || (buf[2] & 0x80))
    return;
  while (i < (size_t)n && buf[i] && buf[i] < 64) /* the question's name */
    i += 1u + buf[i];
  if (i + 5 > (size_t)n || buf[i])
    return;
  i += 5; /* root label, type, class */
  buf[2] = (unsigned char)((buf[2] & 0x79) | 0x80); /* QR, keep RD */
  buf[3] = 0x80;                                    /* RA, NOERROR */
  buf[4] = 0;
  buf[5] = 1;            /* one question */
  memset(buf + 6, 0, 6); /* no answer, authority or additional records */
  (void)sendto(fd, buf, i, MSG_DONTWAIT, (struct sockaddr *)&from, flen);
}

/* A client of ours wrote: answer once its request is complete. */
static void st_http_answer(int *cfd)
{
  static const char resp[] = "HTTP/1.1 204 No Content\r\nConnection: "
                             "close\r\nContent-Length: 0\r\n\r\n";
  char buf[4096];
  ssize_t n = recv(*cfd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

  if (n > 0) {
    buf[n] = 0;
    if (!strstr(buf, "\r\n\r\n"))
      return; /* the rest of the request comes later */
    (void)send(*cfd, resp, sizeof(resp) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  close(*cfd);
  *cfd = -1;
}

static void st_responder_loop(void *arg)
{
  st_responder *r = arg;

  for (;;) {
    struct pollfd pf[5 + ST_CLIENTS];
    int n = 0, i, k;

    pf[n++] = (struct pollfd){.fd = r->wake[0], .events = POLLIN};
    for (i = 0; i < 2; i++) {
      pf[n++] = (struct pollfd){.fd = r->lfd[i], .events = POLLIN};
      pf[n++] = (struct pollfd){.fd = r->ufd[i], .events = POLLIN};
    }
    for (i = 0; i < ST_CLIENTS; i++)
      pf[n++] = (struct pollfd){.fd = r->cfd[i], .events = POLLIN};
    if (poll(pf, (nfds_t)n, -1) < 0)
      continue;
    if (pf[0].revents)
      return;
    for (i = 0; i < 2; i++) {
      if (pf[1 + 2 * i].revents & POLLIN) {
        int c = accept4(r->lfd[i], NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

        for (k = 0; c >= 0 && k < ST_CLIENTS && r->cfd[k] >= 0; k++)
          ;
        if (c >= 0 && k == ST_CLIENTS)
          close(c);
        else if (c >= 0)
          r->cfd[k] = c;
      }
      if (pf[2 + 2 * i].revents & POLLIN)
        st_dns_answer(r->ufd[i]);
    }
    for (i = 0; i < ST_CLIENTS; i++)
      if (r->cfd[i] >= 0 && pf[5 + i].revents)
        st_http_answer(&r->cfd[i]);
  }
}

/* Serve the listeners (and UDP on their port) until st_responder_stop. */
static void st_responder_start(st_responder *r, int fd4, int fd6, int port)
{
  int i;

  memset(r, 0, sizeof(*r));
  r->lfd[0] = fd4;
  r->lfd[1] = fd6;
  r->ufd[0] = fd4 >= 0 ? st_udp(AF_INET, port) : -1;
  r->ufd[1] = fd6 >= 0 ? st_udp(AF_INET6, port) : -1;
  for (i = 0; i < ST_CLIENTS; i++)
    r->cfd[i] = -1;
  if (pipe2(r->wake, O_CLOEXEC) != 0) {
    r->wake[0] = r->wake[1] = -1;
    return;
  }
  r->running = uv_thread_create(&r->th, st_responder_loop, r) == 0;
}

static void st_responder_stop(st_responder *r)
{
  int i;

  if (r->running) {
    (void)write(r->wake[1], "x", 1);
    uv_thread_join(&r->th);
  }
  for (i = 0; i < ST_CLIENTS; i++)
    if (r->cfd[i] >= 0)
      close(r->cfd[i]);
  for (i = 0; i < 2; i++)
    if (r->ufd[i] >= 0)
      close(r->ufd[i]);
  if (r->wake[0] >= 0) {
    close(r->wake[0]);
    close(r->wake[1]);
  }
}

/* The profile of the synthetic run: every probe and reporter that needs
 * no configuration. */
static int st_profile(const char *dir, st_plugin *pl, size_t n, int port,
                      int v6, const selftest_cap *caps, char *path,
                      size_t plen)
{
  FILE *f;
  size_t i;

  snprintf(path, plen, "%s/selftest.yaml", dir);
  f = fopen(path, "w");
  if (!f)
    return -1;
  fprintf(f,
          "name: selftest\nchecks: {gateway: false, timeout: 200ms}\n"
          "targets:\n  - {name: lo4, host: 127.0.0.1, port: %d}\n",
          port);
  if (v6)
    fprintf(f, "  - {name: lo6, host: \"::1\", port: %d}\n", port);
  fprintf(f, "probes:\n");
  for (i = 0; i < n; i++) {
    const loader_plugin *lp = pl[i].lp;

    if (lp->desc.kind != BN_KIND_PROBE || pl[i].status)
      continue;
    /* what the plugin says it needs of the machine (bn_plugin.needs) */
    if ((lp->desc.needs & BN_NEED_ICMP_SOCKET) && !caps[0].ok && !caps[1].ok) {
      pl[i].status = "skipped";
      snprintf(pl[i].detail, sizeof(pl[i].detail),
               "no raw or ping sockets here");
      continue;
    }
    if ((lp->desc.needs & BN_NEED_RAW_SOCKET) && !caps[0].ok) {
      pl[i].status = "skipped";
      snprintf(pl[i].detail, sizeof(pl[i].detail),
               "no raw sockets here (needs root or CAP_NET_RAW)");
      continue;
    }
    fprintf(f, "  - plugin: %s\n", lp->desc.name);
    if (st_has_option(lp, "interval"))
      fprintf(f, "    interval: 250ms\n");
    if (st_has_option(lp, "timeout"))
      fprintf(f, "    timeout: 200ms\n");
  }
  fprintf(f, "reporters:\n");
  for (i = 0; i < n; i++) {
    const loader_plugin *lp = pl[i].lp;

    if (lp->desc.kind != BN_KIND_REPORTER || pl[i].status)
      continue;
    if (!st_has_option(lp, "output")) {
      pl[i].status = "skipped";
      snprintf(pl[i].detail, sizeof(pl[i].detail), "has no 'output' option");
      continue;
    }
    fprintf(f, "  - {plugin: %s, output: \"%s/report-%s.%s\"}\n",
            lp->desc.name, dir, lp->desc.name, lp->desc.formats[0]);
  }
  return fclose(f) == 0 ? 0 : -1;
}

/* Log lines of a plugin set up with its defaults: kept for the report,
 * not shown (a plugin that needs configuration says so as an error). */
static void st_sink(bn_log_level level, const char *line, void *arg)
{
  char *first = arg;

  if (!first[0])
    snprintf(first, 200, "%s", line);
}

/* Other kinds: checked, created with their defaults, destroyed again. */
static void st_init_only(st_plugin *p)
{
  static const char *const reserved[] = {"plugin", "name", NULL};
  host_core core;
  host_instance in;
  profile_plugin entry;
  bn_node *cfg = conf_new(CONF_MAP, "<selftest>", 1, 1);
  char said[200] = "";
  uv_loop_t uv;
  int have_loop;

  memset(&core, 0, sizeof(core));
  memset(&entry, 0, sizeof(entry));
  clock_init(&core.clock, NULL);
  /* init() may start timers (an exporter's drain tick): give it a loop,
   * never run but for closing what destroy() closed */
  have_loop = uv_loop_init(&uv) == 0;
  core.uv = have_loop ? &uv : NULL;
  entry.kind = p->lp->desc.kind;
  entry.plugin = entry.name = (char *)p->lp->desc.name;
  entry.node = cfg;
  log_set_sink(st_sink, said);
  if (!cfg ||
      options_validate(p->lp->desc.options, cfg, reserved, entry.plugin)) {
    p->status = "failed";
    snprintf(p->detail, sizeof(p->detail),
             "its option defaults do not "
             "validate");
  } else {
    host_instance_setup(&in, &core, p->lp, &entry);
    if (p->lp->desc.check && p->lp->desc.check(&in.pub) != BN_OK) {
      p->status = "skipped";
      snprintf(p->detail, sizeof(p->detail), "needs configuration");
    } else if (host_instance_init(&in) == BN_OK) {
      p->status = "ok";
      snprintf(p->detail, sizeof(p->detail), "created and destroyed");
    } else {
      p->status = "failed";
      snprintf(p->detail, sizeof(p->detail), "init failed: %.150s", said);
    }
    host_instance_destroy(&in);
  }
  log_set_sink(NULL, NULL);
  conf_free(cfg);
  if (have_loop) {
    uv_run(&uv, UV_RUN_DEFAULT);
    uv_loop_close(&uv);
  }
}

typedef struct st_count {
  const char *probe;
  uint64_t n, lost;
} st_count;

static int st_series(const bn_series *s, void *arg)
{
  st_count *c = arg;

  if (!strcmp(s->probe, c->probe)) {
    c->n += s->count;
    c->lost += s->lost;
  }
  return 0;
}

/* What the run left behind, per plugin. */
static void st_results(const char *dir, const char *db, st_plugin *pl,
                       size_t n, int run_status)
{
  store *st = NULL;
  size_t i;

  if (store_open_readonly(db, &st) != 0)
    st = NULL;
  for (i = 0; i < n; i++) {
    const loader_plugin *lp = pl[i].lp;
    char path[4200];
    struct stat sb;

    if (pl[i].status)
      continue;
    if (lp->desc.kind == BN_KIND_PROBE) {
      st_count c = {lp->desc.name, 0, 0};
      bn_query q;

      memset(&q, 0, sizeof(q));
      if (st)
        store_series_each(st, &q, st_series, &c);
      /* ok means it worked: every probe answered */
      pl[i].status = c.n == 0 || c.lost == c.n ? "failed"
                     : c.lost                  ? "partial"
                                               : "ok";
      snprintf(pl[i].detail, sizeof(pl[i].detail),
               "%llu samples on loopback, %llu lost", (unsigned long long)c.n,
               (unsigned long long)c.lost);
    } else if (lp->desc.kind == BN_KIND_REPORTER) {
      snprintf(path, sizeof(path), "%s/report-%s.%s", dir, lp->desc.name,
               lp->desc.formats[0]);
      pl[i].status = stat(path, &sb) == 0 && sb.st_size > 0 ? "ok" : "failed";
      snprintf(pl[i].detail, sizeof(pl[i].detail), "rendered %lld bytes",
               stat(path, &sb) == 0 ? (long long)sb.st_size : 0LL);
    }
    if (run_status != CLI_EXIT_OK && strcmp(pl[i].status, "ok"))
      snprintf(pl[i].detail + strlen(pl[i].detail),
               sizeof(pl[i].detail) - strlen(pl[i].detail),
               " (the run exited %d)", run_status);
  }
  store_close(st);
}

static void st_print(const selftest_cap *caps, const st_plugin *pl, size_t n,
                     double secs, int json)
{
  size_t i;

  if (!json) {
    printf("machine:\n");
    for (i = 0; i < SELFTEST_N_CAPS; i++)
      printf("  %-18s %-3s  %s\n", caps[i].name, caps[i].ok ? "yes" : "no",
             caps[i].detail);
    printf("plugins:\n");
    for (i = 0; i < n; i++)
      printf("  %-9s %-12s %-7s %s\n", loader_kind_name(pl[i].lp->desc.kind),
             pl[i].lp->desc.name, pl[i].status, pl[i].detail);
    printf("selftest took %.2f s\n", secs);
    return;
  }
  printf("{\"seconds\": %.3f,\n \"machine\": {", secs);
  for (i = 0; i < SELFTEST_N_CAPS; i++)
    printf("%s\"%s\": %s", i ? ", " : "", caps[i].name,
           caps[i].ok ? "true" : "false");
  printf("},\n \"plugins\": [");
  for (i = 0; i < n; i++)
    printf("%s\n  {\"kind\": \"%s\", \"name\": \"%s\", \"status\": \"%s\"}",
           i ? "," : "", loader_kind_name(pl[i].lp->desc.kind),
           pl[i].lp->desc.name, pl[i].status);
  printf("\n]}\n");
}

/* Leave nothing behind: the directory holds only our flat files. */
static void st_cleanup(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  char path[4096 + 260];

  while (d && (e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    unlink(path);
  }
  if (d)
    closedir(d);
  if (rmdir(dir) != 0)
    log_debug("selftest", "could not remove %s", dir);
}

static double st_now(void)
{
  struct timespec t;

  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int st_selftest(const char *plugin_dir, int json)
{
  selftest_cap caps[SELFTEST_N_CAPS];
  const char *tmp = getenv("TMPDIR");
  char dir[3900], prof[4200], db[4200];
  double t0 = st_now();
  loader *ld = loader_new();
  st_plugin *pl = NULL;
  run_options ro;
  st_responder resp;
  size_t i, n;
  int fd4, fd6 = -1, port = 0, status = CLI_EXIT_OK, lvl, failed = 0;

  snprintf(dir, sizeof(dir), "%s/bn-selftest.XXXXXX",
           tmp && tmp[0] == '/' ? tmp : "/tmp");
  selftest_caps(caps);
  if (!ld || !mkdtemp(dir))
    return CLI_EXIT_FAILURE;
  loader_scan(ld, plugin_dir);
  n = loader_count(ld);
  pl = calloc(n ? n : 1, sizeof(*pl));
  fd4 = st_listen(AF_INET, &port);
  if (caps[2].ok)
    fd6 = st_listen(AF_INET6, &port);
  for (i = 0; pl && i < n; i++) {
    pl[i].lp = loader_at(ld, i);
    if (st_has_required(pl[i].lp)) {
      pl[i].status = "skipped";
      snprintf(pl[i].detail, sizeof(pl[i].detail),
               "needs configuration (a required option)");
    } else if (pl[i].lp->desc.kind != BN_KIND_PROBE &&
               pl[i].lp->desc.kind != BN_KIND_REPORTER) {
      st_init_only(&pl[i]);
    }
  }
  snprintf(db, sizeof(db), "%s/selftest.db", dir);
  if (!pl || fd4 < 0 ||
      st_profile(dir, pl, n, port, fd6 >= 0, caps, prof, sizeof(prof))) {
    status = CLI_EXIT_FAILURE;
  } else {
    memset(&ro, 0, sizeof(ro));
    ro.profile = prof;
    ro.db = db;
    ro.plugin_dir = plugin_dir;
    ro.duration_ns = 2000000000LL;
    lvl = log_get_level();
    if (lvl < BN_LOG_INFO)
      log_set_level(BN_LOG_ERROR); /* the lines are summed up below */
    st_responder_start(&resp, fd4, fd6, port);
    status = run_main(&ro);
    st_responder_stop(&resp);
    log_set_level(lvl);
    st_results(dir, db, pl, n, status);
    st_print(caps, pl, n, st_now() - t0, json);
    for (i = 0; i < n; i++)
      failed += !strcmp(pl[i].status, "failed");
  }
  if (fd4 >= 0)
    close(fd4);
  if (fd6 >= 0)
    close(fd6);
  st_cleanup(dir);
  free(pl);
  loader_free(ld);
  if (status == CLI_EXIT_OK && failed)
    status = CLI_EXIT_FAILURE;
  return status;
}

int cli_selftest(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"json", no_argument, NULL, 'j'},
      {"plugin-dir", required_argument, NULL, 'L'},
      CLI_LOG_LONGOPTS,
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *plugin_dir = NULL;
  int c, json = 0;

  optind = 1;
  while ((c = getopt_long(argc, argv, "vqh", longopts, NULL)) != -1) {
    if (cli_log_option(c))
      continue;
    switch (c) {
    case 'j':
      json = 1;
      break;
    case 'L':
      plugin_dir = optarg;
      break;
    case 'h':
      printf("Usage: bottleneck selftest [--json] [--plugin-dir DIR]\n\n"
             "What this machine supports (raw and ping sockets, IPv6,\n"
             "netlink, kernel timestamps), then a 2 s synthetic run on\n"
             "loopback through every plugin that needs no configuration.\n"
             "Exit status 1 when a plugin failed.\n");
      return CLI_EXIT_OK;
    default:
      return CLI_EXIT_USAGE;
    }
  }
  return st_selftest(plugin_dir, json);
}
