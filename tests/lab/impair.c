/*
 * impair.c - bn-impair, the lab's userspace link impairment relay.
 *
 * This kernel has no netem, so delay, jitter and loss are added here.
 * The relay owns two TUN devices, A and B, usually one in each of two
 * network namespaces that a veth pair would otherwise join.  Every IP
 * packet the kernel routes into A is read, maybe dropped, held for its
 * delay and then written to B, where the kernel receives it as if it
 * came off a wire; B to A is the other direction.  Each direction has
 * its own settings, PRNG stream, queue and counters.
 *
 * Model, per packet and direction:
 *   loss:   dropped with probability LOSS % (independent draws);
 *   delay:  held DELAY ms, plus jitter drawn uniform in [-J, +J] ms
 *           (default) or normal with sigma J (--jitter-dist normal),
 *           never below 0;
 *   order:  kept by default (a packet never leaves before the one read
 *           before it, so jitter bunches packets but does not reorder);
 *           --reorder lets jitter reorder, like netem.
 * The queue is a binary heap ordered by (due time, arrival number) and a
 * CLOCK_MONOTONIC timerfd with 1 ns timer slack wakes the relay shortly
 * before the head is due (--spin-us), the rest is polled.  The time a
 * packet leaves after its due time is counted as lateness (late_avg_us,
 * late_max_us in the stats): that is the relay's own added latency.
 *
 * This is a test helper, not core code: it reports on stderr itself.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_tun.h>
#include <math.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define PROG         "bn-impair"
#define PKT_MAX      65536
#define BATCH        256
#define LIMIT_DFLT   10000
#define SPIN_DFLT_US 50
#define RT_DFLT      10
#define NETNS_DIR    "/run/netns/"
#define NS_MAX       1024
#define NS_PER_MS    1000000.0
#define NS_PER_US    1000.0
#define SPLITMIX_INC 0x9e3779b97f4a7c15ULL

enum { JITTER_UNIFORM, JITTER_NORMAL };

struct pkt {
  uint64_t due;
  uint64_t seq;
  size_t len;
  unsigned char data[];
};

struct dir {
  const char *name;
  int in_fd;
  int out_fd;
  double delay_ms;
  double jitter_ms;
  double loss_pct;
  uint64_t rng;
  uint64_t seq;
  uint64_t last_due;
  struct pkt **heap;
  size_t n;
  uint64_t n_in;
  uint64_t n_out;
  uint64_t n_lost;
  uint64_t n_overflow;
  uint64_t n_err;
  uint64_t late_sum;
  uint64_t late_max;
};

struct relay {
  struct dir d[2];
  const char *end_spec[2];
  int tun_fd[2];
  int sig_fd;
  int timer_fd;
  uint64_t armed;
  uint64_t spin;
  int rt_prio;
  uint64_t seed;
  size_t limit;
  int jitter_dist;
  int reorder;
  int daemon;
  const char *pidfile;
  const char *control; /* SIGHUP: new impairments read from this file */
};

static uint64_t now_ns(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* splitmix64: small, fast, and seedable from any 64-bit value. */
static uint64_t rng_next(uint64_t *s)
{
  uint64_t z;

  *s += SPLITMIX_INC;
  z = *s;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rng_unit(uint64_t *s)
{
  return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

static double rng_normal(uint64_t *s)
{
  double u1 = 1.0 - rng_unit(s); /* (0, 1]: log() stays finite */
  double u2 = rng_unit(s);

  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static int heap_less(const struct pkt *a, const struct pkt *b)
{
  if (a->due != b->due)
    return a->due < b->due;
  return a->seq < b->seq;
}

static void heap_push(struct dir *d, struct pkt *p)
{
  size_t i = d->n++;

  d->heap[i] = p;
  while (i > 0) {
    size_t up = (i - 1) / 2;
    struct pkt *t;

    if (!heap_less(d->heap[i], d->heap[up]))
      break;
    t = d->heap[up];
    d->heap[up] = d->heap[i];
    d->heap[i] = t;
    i = up;
  }
}

static struct pkt *heap_pop(struct dir *d)
{
  struct pkt *top = d->heap[0];
  size_t i = 0;

  d->heap[0] = d->heap[--d->n];
  for (;;) {
    size_t l = 2 * i + 1;
    size_t r = l + 1;
    size_t m = i;
    struct pkt *t;

    if (l < d->n && heap_less(d->heap[l], d->heap[m]))
      m = l;
    if (r < d->n && heap_less(d->heap[r], d->heap[m]))
      m = r;
    if (m == i)
      break;
    t = d->heap[m];
    d->heap[m] = d->heap[i];
    d->heap[i] = t;
    i = m;
  }
  return top;
}

static void dir_stats(const struct dir *d)
{
  uint64_t n = d->n_out ? d->n_out : 1;

  fprintf(stderr,
          PROG ": %s in=%llu out=%llu lost=%llu overflow=%llu "
               "errors=%llu queued=%zu late_avg_us=%.1f "
               "late_max_us=%.1f\n",
          d->name, (unsigned long long)d->n_in, (unsigned long long)d->n_out,
          (unsigned long long)d->n_lost, (unsigned long long)d->n_overflow,
          (unsigned long long)d->n_err, d->n,
          (double)d->late_sum / (double)n / NS_PER_US,
          (double)d->late_max / NS_PER_US);
}

static void dir_send(struct dir *d, const unsigned char *buf, size_t len,
                     uint64_t late)
{
  /* A TUN write hands the packet to the kernel's receive path; it only
   * fails for a malformed packet or a device that went away. */
  if (write(d->out_fd, buf, len) != (ssize_t)len) {
    d->n_err++;
    return;
  }
  d->n_out++;
  d->late_sum += late;
  if (late > d->late_max)
    d->late_max = late;
}

/* The delay of the next packet in ns, jitter included, never negative. */
static uint64_t dir_delay(struct dir *d, int dist)
{
  double ms = d->delay_ms;

  if (d->jitter_ms > 0.0) {
    if (dist == JITTER_NORMAL)
      ms += d->jitter_ms * rng_normal(&d->rng);
    else
      ms += d->jitter_ms * (2.0 * rng_unit(&d->rng) - 1.0);
  }
  if (ms <= 0.0)
    return 0;
  return (uint64_t)(ms * NS_PER_MS);
}

static void dir_packet(struct relay *r, struct dir *d,
                       const unsigned char *buf, size_t len, uint64_t now)
{
  uint64_t due;
  struct pkt *p;

  d->n_in++;
  /* Draw loss first and jitter only for kept packets, so that one seed
   * gives the same decisions for the same packet sequence. */
  if (d->loss_pct > 0.0 && rng_unit(&d->rng) * 100.0 < d->loss_pct) {
    d->n_lost++;
    return;
  }
  due = now + dir_delay(d, r->jitter_dist);
  if (!r->reorder && due < d->last_due)
    due = d->last_due;
  if (due <= now && d->n == 0) {
    d->last_due = now;
    dir_send(d, buf, len, 0);
    return;
  }
  if (d->n >= r->limit) {
    d->n_overflow++;
    return;
  }
  p = malloc(sizeof(*p) + len);
  if (!p) {
    d->n_overflow++;
    return;
  }
  p->due = due;
  p->seq = d->seq++;
  p->len = len;
  memcpy(p->data, buf, len);
  d->last_due = due;
  heap_push(d, p);
}

/* Read what the kernel queued on one TUN device, a batch at a time so
 * that the other direction and the timer are not starved. */
static void dir_read(struct relay *r, struct dir *d)
{
  static unsigned char buf[PKT_MAX];
  int i;

  for (i = 0; i < BATCH; i++) {
    ssize_t n = read(d->in_fd, buf, sizeof(buf));

    if (n <= 0)
      break;
    dir_packet(r, d, buf, (size_t)n, now_ns());
  }
}

static void dir_release(struct dir *d, uint64_t now)
{
  while (d->n > 0 && d->heap[0]->due <= now) {
    struct pkt *p = heap_pop(d);

    dir_send(d, p->data, p->len, now - p->due);
    free(p);
  }
}

static void dir_free(struct dir *d)
{
  while (d->n > 0)
    free(d->heap[--d->n]);
  free(d->heap);
  d->heap = NULL;
}

/* The due time of the earliest queued packet, 0 when both are empty. */
static uint64_t relay_next(const struct relay *r)
{
  uint64_t next = 0;
  int i;

  for (i = 0; i < 2; i++) {
    uint64_t due;

    if (r->d[i].n == 0)
      continue;
    due = r->d[i].heap[0]->due;
    if (next == 0 || due < next)
      next = due;
  }
  return next;
}

/* Arm the timer to fire at WHEN; 0 disarms. */
static int relay_arm(struct relay *r, uint64_t when)
{
  struct itimerspec its;

  if (when == r->armed)
    return 0;
  memset(&its, 0, sizeof(its));
  its.it_value.tv_sec = (time_t)(when / 1000000000ULL);
  its.it_value.tv_nsec = (long)(when % 1000000000ULL);
  if (timerfd_settime(r->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
    fprintf(stderr, PROG ": timerfd_settime: %s\n", strerror(errno));
    return -1;
  }
  r->armed = when;
  return 0;
}

/* How long poll() may sleep.  A sleeping process wakes some 50-100 us
 * after its timer on a VM, so the timer fires SPIN before the head is
 * due and the last stretch is spent polling without sleeping. */
static int relay_timeout(struct relay *r, uint64_t now)
{
  uint64_t next = relay_next(r);

  if (next != 0 && next <= now + r->spin)
    return 0;
  if (relay_arm(r, next ? next - r->spin : 0) < 0)
    return -2;
  return -1;
}

static int parse_spec(const char *s, struct dir *d);

/* SIGHUP with --control: "A2B B2A" from the file replace the two
 * directions' impairments in place, without a restart (a restart drops
 * what is in flight while the relay is down); the file is then emptied,
 * which tells the sender it took effect. */
static void relay_reload(struct relay *r)
{
  char a2b[64] = "", b2a[64] = "";
  struct dir na = r->d[0], nb = r->d[1];
  FILE *f = fopen(r->control, "r");

  na.delay_ms = na.jitter_ms = na.loss_pct = 0; /* "D" alone: no J, L */
  nb.delay_ms = nb.jitter_ms = nb.loss_pct = 0;
  if (!f || fscanf(f, "%63s %63s", a2b, b2a) != 2 ||
      parse_spec(a2b, &na) < 0 || parse_spec(b2a, &nb) < 0) {
    fprintf(stderr, PROG ": bad control file %s; nothing changed\n",
            r->control);
    if (f)
      fclose(f);
    return;
  }
  fclose(f);
  r->d[0].delay_ms = na.delay_ms;
  r->d[0].jitter_ms = na.jitter_ms;
  r->d[0].loss_pct = na.loss_pct;
  r->d[1].delay_ms = nb.delay_ms;
  r->d[1].jitter_ms = nb.jitter_ms;
  r->d[1].loss_pct = nb.loss_pct;
  f = fopen(r->control, "w");
  if (f)
    fclose(f);
}

/* Returns 1 to go on, 0 to stop. */
static int relay_signal(struct relay *r)
{
  struct signalfd_siginfo si;
  int i;

  if (read(r->sig_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
    return 1;
  if (si.ssi_signo == SIGHUP && r->control) {
    relay_reload(r);
    return 1;
  }
  if (si.ssi_signo != SIGUSR1)
    return 0;
  for (i = 0; i < 2; i++)
    dir_stats(&r->d[i]);
  return 1;
}

static int relay_loop(struct relay *r)
{
  struct pollfd pfd[4];
  int i;

  pfd[0].fd = r->tun_fd[0];
  pfd[1].fd = r->tun_fd[1];
  pfd[2].fd = r->timer_fd;
  pfd[3].fd = r->sig_fd;
  for (i = 0; i < 4; i++)
    pfd[i].events = POLLIN;
  for (;;) {
    uint64_t now = now_ns();

    int timeout;

    dir_release(&r->d[0], now);
    dir_release(&r->d[1], now);
    timeout = relay_timeout(r, now);
    if (timeout < -1)
      return -1;
    if (poll(pfd, 4, timeout) < 0) {
      if (errno == EINTR)
        continue;
      fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
      return -1;
    }
    if (pfd[3].revents && !relay_signal(r))
      return 0;
    if (pfd[2].revents) {
      uint64_t ticks;

      /* The expiry count does not matter; reading clears the event. */
      if (read(r->timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
        return -1;
      r->armed = 0;
    }
    if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL) ||
        pfd[1].revents & (POLLERR | POLLHUP | POLLNVAL)) {
      fprintf(stderr, PROG ": a TUN device went away\n");
      return -1;
    }
    if (pfd[0].revents & POLLIN)
      dir_read(r, &r->d[0]);
    if (pfd[1].revents & POLLIN)
      dir_read(r, &r->d[1]);
  }
}

/* Enter the network namespace NS: a name under /run/netns, a path such
 * as /proc/PID/ns/net, or empty for the current one. */
static int enter_netns(const char *ns)
{
  char path[NS_MAX + sizeof(NETNS_DIR)];
  int fd;
  int rc = 0;

  if (ns[0] == '\0')
    return 0;
  if (strchr(ns, '/'))
    snprintf(path, sizeof(path), "%s", ns);
  else
    snprintf(path, sizeof(path), NETNS_DIR "%s", ns);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
    return -1;
  }
  if (setns(fd, CLONE_NEWNET) < 0) {
    fprintf(stderr, PROG ": setns %s: %s\n", path, strerror(errno));
    rc = -1;
  }
  close(fd);
  return rc;
}

/* Attach to TUN device DEV (created if missing, then gone when we exit)
 * in namespace NS.  The netns of a TUN fd is the one current at open(). */
static int tun_open(const char *spec, int home_fd)
{
  char ns[NS_MAX];
  const char *colon = strrchr(spec, ':');
  const char *dev = colon ? colon + 1 : spec;
  size_t nslen = colon ? (size_t)(colon - spec) : 0;
  struct ifreq ifr;
  int fd = -1;

  if (nslen >= sizeof(ns) || strlen(dev) == 0 || strlen(dev) >= IFNAMSIZ) {
    fprintf(stderr, PROG ": bad device '%s' (want [NETNS:]DEV)\n", spec);
    return -1;
  }
  memcpy(ns, spec, nslen);
  ns[nslen] = '\0';
  if (enter_netns(ns) < 0)
    goto out;
  fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    fprintf(stderr, PROG ": /dev/net/tun: %s\n", strerror(errno));
    goto out;
  }
  memset(&ifr, 0, sizeof(ifr));
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  memcpy(ifr.ifr_name, dev, strlen(dev) + 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    fprintf(stderr, PROG ": attach %s: %s\n", spec, strerror(errno));
    close(fd);
    fd = -1;
  }
out:
  if (setns(home_fd, CLONE_NEWNET) < 0) {
    fprintf(stderr, PROG ": setns back: %s\n", strerror(errno));
    if (fd >= 0)
      close(fd);
    fd = -1;
  }
  return fd;
}

static int parse_num(const char *s, double max, double *out)
{
  char *end;
  double v;

  errno = 0;
  v = strtod(s, &end);
  if (errno || end == s || v < 0.0 || v > max || v != v)
    return -1;
  *out = v;
  return (int)(end - s);
}

/* DELAY[:JITTER[:LOSS]]: milliseconds, milliseconds, percent. */
static int parse_spec(const char *s, struct dir *d)
{
  double *field[3] = {&d->delay_ms, &d->jitter_ms, &d->loss_pct};
  double max[3] = {600000.0, 600000.0, 100.0};
  int i;

  for (i = 0; i < 3; i++) {
    int n = parse_num(s, max[i], field[i]);

    if (n < 0)
      return -1;
    s += n;
    if (*s == '\0')
      return 0;
    if (*s != ':')
      return -1;
    s++;
  }
  return -1;
}

static void usage(FILE *f)
{
  fprintf(f,
          "usage: " PROG " --a [NETNS:]DEV --b [NETNS:]DEV [options]\n"
          "Relay IP packets between TUN devices A and B with impairment.\n"
          "  --a2b D[:J[:L]]   A to B: delay D ms, jitter J ms, loss L %%\n"
          "  --b2a D[:J[:L]]   B to A: the same (default 0: plain relay)\n"
          "  --seed N          PRNG seed (default: from time, printed)\n"
          "  --jitter-dist uniform|normal   J is +-J or sigma (uniform)\n"
          "  --reorder         let jitter reorder packets (default keeps "
          "order)\n"
          "  --limit N         queue at most N packets a direction "
          "(%d)\n"
          "  --spin-us N       poll without sleeping the last N us before "
          "a\n                    release (%d; 0 saves CPU, adds ~50 us)\n"
          "  --rt-prio N       SCHED_FIFO priority, 0: normal (%d)\n"
          "  --daemon          go to the background once attached\n"
          "  --pidfile PATH    write the relay's pid there\n"
          "  --control PATH    on SIGHUP read \"A2B B2A\" specs from PATH,\n"
          "                    apply them in place, then empty the file\n"
          "NETNS is a name under " NETNS_DIR " or a path; SIGUSR1 prints "
          "stats,\nSIGTERM/SIGINT stop (stats on stderr).\n",
          LIMIT_DFLT, SPIN_DFLT_US, RT_DFLT);
}

static int parse_args(struct relay *r, int argc, char **argv)
{
  static const struct option opts[] = {
      {"a", required_argument, NULL, 'a'},
      {"b", required_argument, NULL, 'b'},
      {"a2b", required_argument, NULL, 'A'},
      {"b2a", required_argument, NULL, 'B'},
      {"seed", required_argument, NULL, 's'},
      {"jitter-dist", required_argument, NULL, 'j'},
      {"reorder", no_argument, NULL, 'r'},
      {"limit", required_argument, NULL, 'l'},
      {"spin-us", required_argument, NULL, 'S'},
      {"rt-prio", required_argument, NULL, 'R'},
      {"daemon", no_argument, NULL, 'd'},
      {"pidfile", required_argument, NULL, 'p'},
      {"control", required_argument, NULL, 'C'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  int seeded = 0;
  int c;

  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    char *end;

    switch (c) {
    case 'a':
      r->end_spec[0] = optarg;
      break;
    case 'C':
      r->control = optarg;
      break;
    case 'b':
      r->end_spec[1] = optarg;
      break;
    case 'A':
    case 'B':
      if (parse_spec(optarg, &r->d[c == 'A' ? 0 : 1]) < 0) {
        fprintf(stderr, PROG ": bad impairment '%s'\n", optarg);
        return -1;
      }
      break;
    case 's':
      errno = 0;
      r->seed = strtoull(optarg, &end, 0);
      if (errno || end == optarg || *end) {
        fprintf(stderr, PROG ": bad seed '%s'\n", optarg);
        return -1;
      }
      seeded = 1;
      break;
    case 'j':
      if (strcmp(optarg, "uniform") == 0) {
        r->jitter_dist = JITTER_UNIFORM;
      } else if (strcmp(optarg, "normal") == 0) {
        r->jitter_dist = JITTER_NORMAL;
      } else {
        fprintf(stderr, PROG ": bad jitter distribution '%s'\n", optarg);
        return -1;
      }
      break;
    case 'r':
      r->reorder = 1;
      break;
    case 'l':
      errno = 0;
      r->limit = (size_t)strtoul(optarg, &end, 10);
      if (errno || end == optarg || *end || r->limit == 0) {
        fprintf(stderr, PROG ": bad limit '%s'\n", optarg);
        return -1;
      }
      break;
    case 'S':
      errno = 0;
      r->spin = (uint64_t)strtoul(optarg, &end, 10) * 1000;
      if (errno || end == optarg || *end || r->spin > 100000000) {
        fprintf(stderr, PROG ": bad spin '%s'\n", optarg);
        return -1;
      }
      break;
    case 'R':
      errno = 0;
      r->rt_prio = (int)strtol(optarg, &end, 10);
      if (errno || end == optarg || *end || r->rt_prio < 0 ||
          r->rt_prio > 99) {
        fprintf(stderr, PROG ": bad rt priority '%s'\n", optarg);
        return -1;
      }
      break;
    case 'd':
      r->daemon = 1;
      break;
    case 'p':
      r->pidfile = optarg;
      break;
    case 'h':
      usage(stdout);
      exit(0);
    default:
      usage(stderr);
      return -1;
    }
  }
  if (optind != argc || !r->end_spec[0] || !r->end_spec[1]) {
    usage(stderr);
    return -1;
  }
  if (!seeded)
    r->seed = now_ns() ^ ((uint64_t)getpid() << 32);
  return 0;
}

/* A wire does not wait for the scheduler: under CPU load (make -j
 * check) a normal process is woken hundreds of us late, a SCHED_FIFO one
 * a few us.  The kernel's RT throttling still leaves 5 % of each CPU to
 * others.  Without the privilege it runs as a normal process. */
static void relay_rt(struct relay *r)
{
  struct sched_param sp;

  if (r->rt_prio == 0)
    return;
  memset(&sp, 0, sizeof(sp));
  sp.sched_priority = r->rt_prio;
  if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
    fprintf(stderr, PROG ": SCHED_FIFO %d: %s; timing is less exact\n",
            r->rt_prio, strerror(errno));
    r->rt_prio = 0;
  }
}

/* Signals arrive through a signalfd so the loop has no races with them. */
static int relay_setup(struct relay *r)
{
  sigset_t set;
  int home;
  int i;

  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR1);
  if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
    return -1;
  r->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  r->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (r->sig_fd < 0 || r->timer_fd < 0) {
    fprintf(stderr, PROG ": signalfd/timerfd: %s\n", strerror(errno));
    return -1;
  }
  /* The default 50 us slack would be added to every release. */
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  relay_rt(r);
  home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) {
    fprintf(stderr, PROG ": /proc/self/ns/net: %s\n", strerror(errno));
    return -1;
  }
  for (i = 0; i < 2; i++)
    r->tun_fd[i] = tun_open(r->end_spec[i], home);
  close(home);
  if (r->tun_fd[0] < 0 || r->tun_fd[1] < 0)
    return -1;
  for (i = 0; i < 2; i++) {
    struct dir *d = &r->d[i];

    d->name = i == 0 ? "a2b" : "b2a";
    d->in_fd = r->tun_fd[i];
    d->out_fd = r->tun_fd[1 - i];
    /* Separate streams: one direction's draws never shift the other's. */
    d->rng = r->seed;
    d->rng = rng_next(&d->rng) + (uint64_t)i;
    d->heap = calloc(r->limit, sizeof(*d->heap));
    if (!d->heap)
      return -1;
  }
  return 0;
}

static int write_pidfile(const char *path, pid_t pid)
{
  FILE *f = fopen(path, "w");

  if (!f) {
    fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
    return -1;
  }
  fprintf(f, "%ld\n", (long)pid);
  return fclose(f) == 0 ? 0 : -1;
}

/* With --daemon the parent returns once the devices are attached, so a
 * script can send traffic right after it; it writes the child's pid. */
static int go_background(struct relay *r)
{
  pid_t pid = r->daemon ? fork() : getpid();

  if (pid < 0) {
    fprintf(stderr, PROG ": fork: %s\n", strerror(errno));
    return -1;
  }
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);

    /* Let $(...) in a script return: keep only stderr, the log. */
    if (null >= 0) {
      dup2(null, STDIN_FILENO);
      dup2(null, STDOUT_FILENO);
      close(null);
    }
    setsid();
    return 0;
  }
  if (r->pidfile && write_pidfile(r->pidfile, pid) < 0) {
    if (r->daemon)
      kill(pid, SIGTERM);
    return -1;
  }
  if (r->daemon)
    exit(0);
  return 0;
}

int main(int argc, char **argv)
{
  struct relay r;
  int rc = 1;
  int i;

  memset(&r, 0, sizeof(r));
  r.tun_fd[0] = r.tun_fd[1] = r.sig_fd = r.timer_fd = -1;
  r.limit = LIMIT_DFLT;
  r.spin = SPIN_DFLT_US * 1000;
  r.rt_prio = RT_DFLT;
  if (parse_args(&r, argc, argv) < 0)
    return 2;
  if (relay_setup(&r) < 0)
    goto out;
  fprintf(stderr,
          PROG ": a=%s b=%s a2b=%g:%g:%g b2a=%g:%g:%g jitter=%s "
               "order=%s rt=%d seed=%llu\n",
          r.end_spec[0], r.end_spec[1], r.d[0].delay_ms, r.d[0].jitter_ms,
          r.d[0].loss_pct, r.d[1].delay_ms, r.d[1].jitter_ms, r.d[1].loss_pct,
          r.jitter_dist == JITTER_NORMAL ? "normal" : "uniform",
          r.reorder ? "reorder" : "keep", r.rt_prio,
          (unsigned long long)r.seed);
  if (go_background(&r) < 0)
    goto out;
  if (relay_loop(&r) == 0)
    rc = 0;
  for (i = 0; i < 2; i++)
    dir_stats(&r.d[i]);
out:
  for (i = 0; i < 2; i++) {
    dir_free(&r.d[i]);
    if (r.tun_fd[i] >= 0)
      close(r.tun_fd[i]);
  }
  if (r.sig_fd >= 0)
    close(r.sig_fd);
  if (r.timer_fd >= 0)
    close(r.timer_fd);
  return rc;
}
