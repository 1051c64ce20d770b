/*
 * cli_selftest.c - `bottleneck selftest`: what this machine supports
 * (selftest_caps.c), then a short synthetic run on loopback through
 * every loaded plugin that can run without configuration: probes
 * measure 127.0.0.1 and ::1 (a TCP listener of our own), reporters
 * render the run to files, other kinds are created and destroyed.
 * Prints one line per capability and per plugin, and the time taken.
 */
#include "config.h"

#include <dirent.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

  memset(&core, 0, sizeof(core));
  memset(&entry, 0, sizeof(entry));
  clock_init(&core.clock, NULL);
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
      pl[i].status = c.n > 0 ? "ok" : "failed";
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
      log_set_level(BN_LOG_ERROR); /* lost probes are expected here */
    status = run_main(&ro);
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
