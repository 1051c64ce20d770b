/*
 * icmp.h - internal interfaces of the `icmp` probe (not installed).
 *
 * The probe is split by job:
 *   icmp.c         descriptor, options, check(), life cycle, resolving
 *   icmp_socket.c  one socket per address family, send, receive with
 *                  kernel timestamps, parsing of replies and errors
 *   icmp_match.c   the in-flight table: seq -> probe, payload checks,
 *                  duplicates, late answers, timeouts
 *   icmp_round.c   rounds of `count` packets, round statistics, samples,
 *                  adaptive interval decisions
 *   icmp_sched.c   one timer and a heap of targets by due time
 *   icmp_probe.c   sending one probe and turning replies into results
 */
#ifndef BN_PROBE_ICMP_H
#define BN_PROBE_ICMP_H

#include <bottleneck/adaptive.h>
#include <bottleneck/sdk.h>

#include "plugin_common.h"

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ICMP_METRIC_RTT      "rtt_ms"
#define ICMP_METRIC_MEDIAN   "round_median_ms"
#define ICMP_METRIC_LOSS     "round_loss_pct"
#define ICMP_METRIC_STDDEV   "round_stddev_ms"
#define ICMP_METRIC_INTERVAL "interval_ms"

/* Smallest payload: it carries an icmp_stamp. */
#define ICMP_MIN_SIZE  24
#define ICMP_MAX_SIZE  65000
#define ICMP_MAX_COUNT 1000

/* ---------------------------------------------------------------- */
/* Options                                                           */
/* ---------------------------------------------------------------- */

enum icmp_sock_mode {
  ICMP_SOCK_AUTO = 0, /* datagram where allowed, raw otherwise */
  ICMP_SOCK_DGRAM,    /* unprivileged ping sockets only */
  ICMP_SOCK_RAW,      /* raw sockets only (CAP_NET_RAW) */
};

typedef struct icmp_opts {
  int64_t interval_ns;
  int adaptive;
  int spread; /* stagger first rounds over the interval */
  int64_t interval_min_ns;
  int64_t interval_max_ns;
  int64_t count;
  int64_t spacing_ns;
  int64_t size;
  int64_t tos;
  int64_t timeout_ns;
  const char *socket; /* "auto", "dgram" or "raw" */
  int sock_mode;      /* from socket */
} icmp_opts;

/* ---------------------------------------------------------------- */
/* In-flight table (icmp_match.c)                                    */
/* ---------------------------------------------------------------- */

#define ICMP_SEQ_SLOTS 65536u

/* What the payload of every echo request starts with. */
typedef struct icmp_stamp {
  uint64_t cookie; /* per instance, random */
  uint64_t serial; /* per probe, grows by one */
  uint32_t target; /* target index */
  uint32_t check;  /* ~target, so a stamp of zeros never verifies */
} icmp_stamp;

enum icmp_slot_state {
  ICMP_SLOT_FREE = 0, /* never used */
  ICMP_SLOT_PENDING,  /* sent, waiting */
  ICMP_SLOT_ANSWERED, /* answered (in time or late) */
  ICMP_SLOT_LOST,     /* reported lost (timeout or ICMP error) */
};

struct icmp_round;

typedef struct icmp_slot {
  uint64_t serial;
  int64_t tx_wall_ns;  /* CLOCK_REALTIME right before sendto */
  int64_t tx_mono_ns;  /* the host's monotonic clock at send */
  int64_t deadline_ns; /* monotonic: lost from then on */
  uint64_t epoch;      /* the host's clock epoch at send */
  struct icmp_round *round;
  uint32_t target;
  uint8_t state;
} icmp_slot;

/*
 * Slots indexed by the 16-bit sequence number.  Sequence numbers are
 * given out in send order and every probe has the same timeout, so
 * deadlines grow with the sequence: the oldest pending probe is always
 * the next to time out, and expiry walks from `tail` without any scan.
 */
typedef struct icmp_table {
  icmp_slot *slots; /* ICMP_SEQ_SLOTS of them */
  uint16_t head;    /* next sequence number to give out */
  uint16_t tail;    /* oldest sequence number that may be pending */
  uint64_t cookie;
  uint64_t next_serial;
} icmp_table;

typedef enum icmp_match {
  ICMP_MATCH_FOREIGN = 0, /* not one of ours: ignore */
  ICMP_MATCH_REPLY,       /* first answer of a pending probe */
  ICMP_MATCH_DUP,         /* another answer of an answered probe */
  ICMP_MATCH_LATE,        /* first answer of a probe reported lost */
} icmp_match;

int icmp_table_init(icmp_table *tb, uint64_t cookie);
void icmp_table_free(icmp_table *tb);
/* Probes in flight or finished but not yet passed by the tail. */
uint32_t icmp_table_window(const icmp_table *tb);
/*
 * Give out the next sequence number: fills the slot (state PENDING,
 * serial) and the stamp for the payload.  NULL when all 65535 usable
 * numbers are in flight: expire the oldest first.
 */
icmp_slot *icmp_table_take(icmp_table *tb, uint32_t target,
                           int64_t deadline_ns, uint16_t *seq,
                           icmp_stamp *stamp);
/* An echo reply: classify it, moving the slot's state on. */
icmp_match icmp_table_match(icmp_table *tb, uint16_t seq, const void *payload,
                            size_t len, icmp_slot **out);
/*
 * An ICMP error quoting one of our requests.  The quote may be cut
 * after the ICMP header (len < sizeof(icmp_stamp)); then only a pending
 * slot of `target` (the quoted destination's owner: the caller checks)
 * matches.  A match marks the slot lost.
 */
icmp_match icmp_table_match_error(icmp_table *tb, uint16_t seq,
                                  const void *payload, size_t len,
                                  icmp_slot **out);
/* The oldest pending probe whose deadline is <= now: marked lost. */
icmp_slot *icmp_table_expire(icmp_table *tb, int64_t now_ns, uint16_t *seq);
/* Deadline of the oldest pending probe, or INT64_MAX. */
int64_t icmp_table_next_deadline(icmp_table *tb);

/* ---------------------------------------------------------------- */
/* Sockets (icmp_socket.c)                                           */
/* ---------------------------------------------------------------- */

typedef struct icmp_sock {
  int fd;     /* -1: not open */
  int family; /* AF_INET or AF_INET6 */
  int raw;    /* 1: SOCK_RAW, 0: SOCK_DGRAM (ping socket) */
  bn_watch *watch;
} icmp_sock;

enum icmp_kind {
  ICMP_ECHO_REPLY = 1, /* an echo reply */
  ICMP_ERROR,          /* unreachable, time exceeded... quoting a request */
};

/* A parsed packet (pointers into the receive buffer). */
typedef struct icmp_packet {
  int kind;               /* enum icmp_kind */
  int type;               /* ICMP type (of the error, for ICMP_ERROR) */
  int code;               /* ICMP code */
  uint16_t id;            /* identifier (of the quoted request for errors) */
  uint16_t seq;           /* sequence number (ditto) */
  const uint8_t *payload; /* echo payload, possibly cut for errors */
  size_t len;
  /* Errors: destination of the quoted request. */
  struct sockaddr_storage quoted_dst;
} icmp_packet;

/* Open the socket of `family` in `mode`; 0 or -errno (nothing logged). */
int icmp_sock_open(icmp_sock *s, int family, int mode, int tos);
void icmp_sock_close(icmp_sock *s);
/*
 * Parse one received datagram.  `raw` IPv4 data start with the IP
 * header; IPv6 and datagram sockets give the ICMP header first.
 * Returns 0, or -1 for anything that is not an echo reply or an error
 * quoting an echo request.
 */
int icmp_parse(int family, int raw, const uint8_t *buf, size_t len,
               icmp_packet *out);
/* Internet checksum (RFC 1071). */
uint16_t icmp_checksum(const void *data, size_t len);
/*
 * Send one echo request with `payload`; *tx_wall_ns is CLOCK_REALTIME
 * taken right before sendto.  0 or -errno.
 */
int icmp_sock_send(icmp_sock *s, uint8_t *buf, const struct sockaddr *to,
                   socklen_t tolen, uint16_t id, uint16_t seq, size_t size,
                   int64_t *tx_wall_ns);

typedef void (*icmp_rx_fn)(void *arg, icmp_sock *s, const icmp_packet *p,
                           const struct sockaddr_storage *from,
                           int64_t rx_wall_ns, int has_ts, int64_t rx_mono_ns);

/* Receive buffers for recvmmsg, shared by the sockets of an instance. */
typedef struct icmp_rxbuf {
  size_t n;        /* messages per batch */
  size_t msg_size; /* bytes per message */
  uint8_t *data;   /* n * msg_size */
  void *mmsg;      /* struct mmsghdr[n] */
  void *iov;       /* struct iovec[n] */
  void *names;     /* struct sockaddr_storage[n] */
  void *ctrl;      /* control buffers */
} icmp_rxbuf;

int icmp_rxbuf_init(icmp_rxbuf *rb, size_t size);
void icmp_rxbuf_free(icmp_rxbuf *rb);
/*
 * Read until the socket has nothing more (EAGAIN or a short batch) and
 * call fn for each parsed packet.  Returns the number of datagrams read.
 */
size_t icmp_sock_drain(icmp_sock *s, icmp_rxbuf *rb, bn_host *h, icmp_rx_fn fn,
                       void *arg);

/* ---------------------------------------------------------------- */
/* Targets, rounds, the instance                                     */
/* ---------------------------------------------------------------- */

/* Problems warned about once per target, then logged at debug level. */
enum icmp_warn {
  ICMP_WARN_RESOLVE = 1u << 0,
  ICMP_WARN_SEND = 1u << 1,
  ICMP_WARN_UNREACH = 1u << 2,
  ICMP_WARN_FAMILY = 1u << 3,
};

typedef struct icmp_round {
  struct icmp_round *next_free; /* on the free list */
  struct icmp_round *next_all;  /* every round allocated, for destroy */
  uint32_t target;
  uint32_t count;   /* packets in the round */
  uint32_t sent;    /* sent so far */
  uint32_t done;    /* answered, lost or failed */
  uint32_t lost;    /* lost or failed */
  uint32_t invalid; /* answered across a clock epoch change */
  int64_t wall_ns;  /* wall time of the first packet */
  int64_t mono_ns;  /* monotonic time of the first packet */
  uint32_t n_rtt;
  double rtt[]; /* valid RTTs (ms), n_rtt of `count` */
} icmp_round;

typedef struct icmp_target {
  const bn_target *t;
  struct icmp_ctx *ctx;
  uint32_t index;
  plug_addr addr;       /* resolved (and retried) by plugins/common */
  unsigned warned;      /* icmp_warn bits */
  int64_t due_ns;       /* monotonic: next thing to do */
  uint32_t heap_pos;    /* position in the scheduler heap */
  icmp_round *sending;  /* round still being sent, or NULL */
  int64_t round_due_ns; /* scheduled start of the latest round */
  int64_t interval_ns;  /* current interval */
  bn_adaptive ad;
} icmp_target;

typedef struct icmp_ctx {
  bn_host *h;
  icmp_opts o;
  icmp_target *targets;
  size_t n_targets;
  icmp_sock sock4, sock6;
  uint16_t ident; /* echo identifier (raw sockets) */
  icmp_table table;
  icmp_rxbuf rx;
  uint8_t *txbuf; /* 8 + size bytes */
  icmp_round *free_rounds;
  icmp_round *all_rounds;
  /* Scheduler. */
  bn_timer *timer;
  int in_tick;    /* the timer callback runs: it re-arms at its end */
  uint32_t *heap; /* target indices, earliest due first */
  uint32_t n_heap;
  int running;
  /* Counters (shown at debug level when stopping). */
  uint64_t n_sent, n_foreign, n_full;
} icmp_ctx;

/* icmp.c */
int icmp_read_opts(bn_host *h, icmp_opts *o);
/* A duration as its largest exact unit: 1500000000 -> "1500ms". */
void icmp_fmt_duration(int64_t ns, char *buf, size_t len);

/* icmp_round.c */
icmp_round *icmp_round_new(icmp_ctx *c, uint32_t target, uint32_t count);
void icmp_round_free_all(icmp_ctx *c);
/* One packet of a round finished (rtt_ms NaN when lost). */
void icmp_round_result(icmp_ctx *c, icmp_round *r, double rtt_ms,
                       uint32_t flags);
/* Statistics over the valid RTTs of a round (v is sorted in place). */
void icmp_round_stats(double *v, size_t n, double *median, double *stddev);
/* Emit an "interval_ms" sample for a target. */
void icmp_emit_interval(icmp_ctx *c, icmp_target *tt);
/* Emit one sample of a target. */
void icmp_emit(icmp_ctx *c, icmp_target *tt, const char *metric, double value,
               int64_t wall_ns, int64_t mono_ns, uint32_t flags);

/* icmp_sched.c */
int icmp_sched_start(icmp_ctx *c);
void icmp_sched_stop(icmp_ctx *c);
/* A target's due time changed: move it in the heap, re-arm the timer. */
void icmp_sched_update(icmp_ctx *c, icmp_target *tt);

/* icmp_probe.c */
/* Do what is due for a target: resolve, start a round, send a packet. */
void icmp_probe_step(icmp_ctx *c, icmp_target *tt, int64_t now_ns);
/* Report probes whose timeout passed; returns how many. */
size_t icmp_probe_expire(icmp_ctx *c, int64_t now_ns);
/* Read and handle everything that waits on both sockets. */
void icmp_probe_drain(icmp_ctx *c);
/* The fd watch callback of both sockets. */
void icmp_probe_on_readable(bn_watch *w, int fd, int events, void *arg);

#endif
