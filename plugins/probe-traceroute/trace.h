/*
 * trace.h - the `traceroute` probe (internal to the plugin).
 *
 * Paris style: every probe of one flow has the same flow identifier
 * (UDP and TCP: the ports; ICMP: the echo identifier and a constant
 * checksum), so a load balancer that hashes the header keeps the flow
 * on one path; the TTL is set per packet and the probe is told apart by
 * what the router quotes back (UDP: the payload; TCP: the sequence
 * number; ICMP: the echo sequence number and payload).  All TTLs of a
 * round are sent at once (`count` bursts, `spacing` apart).
 *
 * UDP mode reads ICMP errors from each socket's error queue
 * (IP_RECVERR / IPV6_RECVERR): no raw socket and no root.  ICMP and TCP
 * modes build their packets and read answers on raw sockets
 * (CAP_NET_RAW), as mtr and tcptraceroute do; without that privilege
 * ICMP mode uses datagram ping sockets where ping_group_range allows.
 */
#ifndef BN_TRACE_H
#define BN_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <bottleneck/sdk.h>

#define TRACE_MAX_TTL   64
#define TRACE_MAX_COUNT 16
#define TRACE_MAX_FLOWS 16
#define TRACE_MAGIC     0x424e5452u /* "BNTR" */
#define TRACE_PAYLOAD   16          /* magic, round, probe index, pad */

/* What the error queue told about one probe. */
typedef enum trace_kind {
  TRACE_NONE = 0,      /* not ours, or not understood */
  TRACE_TIME_EXCEEDED, /* a router on the way */
  TRACE_REACHED,       /* the target itself answered */
  TRACE_UNREACH,       /* a router says: no way to the target */
} trace_kind;

/** How probes are sent. */
typedef enum trace_mode {
  TRACE_UDP = 0, /* UDP to a closed port, error queue */
  TRACE_ICMP,    /* ICMP echo requests, raw socket */
  TRACE_TCP,     /* TCP SYNs to an open or closed port, raw sockets */
} trace_mode;

/** A parsed answer about one probe. */
typedef struct trace_reply {
  trace_kind kind;
  uint32_t round;               /* the round, or its low bits (round_mask) */
  uint32_t round_mask;          /* bits of `round` that the answer carries */
  uint32_t probe;               /* the probe's index in the round */
  struct sockaddr_storage from; /* who answered (router or target) */
  socklen_t fromlen;
  /* raw modes: whose probe it was */
  struct sockaddr_storage dst; /* the probe's destination */
  uint16_t key;                /* flow key: TCP source port, ICMP echo id */
  uint16_t port;               /* TCP destination port */
} trace_reply;

/**
 * Parse one message read with MSG_ERRQUEUE: the control messages
 * (IP_RECVERR / IPV6_RECVERR with the offender) and the quoted payload.
 * Returns TRACE_NONE for anything that is not an ICMP error about one of
 * our probes: short or forged payloads, unknown types, no offender.
 */
trace_kind trace_parse(const struct msghdr *msg, size_t payload_len,
                       trace_reply *out);

/** Write a probe's payload (TRACE_PAYLOAD bytes). */
void trace_payload(unsigned char *buf, uint32_t round, uint32_t probe);

/** Control data for one packet's TTL (IP_TTL) or hop limit (IPV6_HOPLIMIT). */
typedef union trace_ttl_ctrl {
  char b[CMSG_SPACE(sizeof(int))];
  struct cmsghdr align;
} trace_ttl_ctrl;

/**
 * Make msg send iov (one buffer) with the TTL of this one packet in
 * ctrl: the flow's addresses and ports never change, only the TTL.
 */
void trace_msg_ttl(struct msghdr *msg, struct iovec *iov, trace_ttl_ctrl *ctrl,
                   int v6, int ttl);

/** Check a quoted payload: 1 when it is ours, with its round and probe. */
int trace_payload_ok(const unsigned char *p, size_t len, uint32_t *round,
                     uint32_t *probe);

/* ---- raw modes (trace_raw_parse.c) ------------------------------------ */

/** Largest packet trace_build_icmp / trace_build_syn write. */
#define TRACE_PKT_MAX 32

/** The echo sequence number of a probe (ICMP mode): 2 round bits. */
uint16_t trace_icmp_seq(uint32_t round, uint32_t probe);
/** The TCP sequence number of a probe: 8 round bits and a check byte. */
uint32_t trace_tcp_seq(uint32_t round, uint32_t probe);

/**
 * An ICMP echo request (IPv4 when v6 is 0) with identifier id, into buf;
 * returns its length.  The payload carries a word that keeps the
 * checksum the same for every probe of a flow (Paris traceroute: a load
 * balancer hashing the ICMP header sees one flow).  The IPv4 checksum is
 * filled in; the kernel computes the ICMPv6 one.
 */
size_t trace_build_icmp(unsigned char *buf, int v6, uint16_t id,
                        uint32_t round, uint32_t probe);

/**
 * A TCP SYN from src to dst (same family, ports included) with sequence
 * number seq and an MSS option, checksummed, into buf; returns its
 * length.
 */
size_t trace_build_syn(unsigned char *buf, const struct sockaddr *src,
                       const struct sockaddr *dst, uint32_t seq);

/**
 * Parse one packet read from a raw socket of `family` (AF_INET packets
 * start with the IP header, AF_INET6 ones without it) and protocol
 * `proto` (IPPROTO_ICMP, IPPROTO_ICMPV6 or IPPROTO_TCP), sent by `from`,
 * for probes of `mode`.  Understood: time exceeded and destination
 * unreachable quoting one of our probes, echo replies (ICMP mode), and
 * SYN-ACK or RST answering one of our SYNs (TCP mode).  Fills out (dst,
 * key, port, round bits, probe) and returns the kind; TRACE_NONE for
 * anything else: short or malformed packets, other protocols, quotes of
 * someone else's packet, a failed check.
 */
trace_kind trace_raw_parse(const unsigned char *pkt, size_t len, int family,
                           int proto, trace_mode mode,
                           const struct sockaddr *from, socklen_t fromlen,
                           trace_reply *out);

/** Per-hop statistics of a round. */
typedef struct trace_hop_acc {
  char addr[64];
  uint32_t sent, received;
  uint32_t over; /* unanswered probes over the answering host's ICMP budget */
  double last, sum, sumsq, best, worst;
} trace_hop_acc;

/**
 * bn_hop.flags bit: some of the hop's probes went unanswered because
 * the host that answers them rate-limits its ICMP errors; they are left
 * out of `sent` (the loss figures count only probes within its budget).
 * Plugin-local until the SDK defines it (value reserved with the lead).
 */
#define TRACE_HOP_RATE_LIMITED (1u << 8)

/* ---- the ICMP budget of answering hosts (trace_budget.c) -------------- */

#define TRACE_RL_NCAND 8 /* candidate costs per message (bits of a byte) */
#define TRACE_RL_BURST 6 /* messages' worth a bucket saves (Linux) */
#define TRACE_RL_MAX   512

/** What is known of one answering address's ICMP budget. */
typedef struct trace_rl {
  char addr[64];
  int64_t last;               /* its last probe's send time, 0: none */
  int64_t lo[TRACE_RL_NCAND]; /* the bucket's credit (ns) per candidate */
  int64_t hi[TRACE_RL_NCAND]; /* is at least lo and at most hi */
  int chosen;                 /* the candidate that explained the last
                                 round, -1: not rate limited */
  uint32_t probes, answered;  /* in the last round */
  uint32_t stamp;             /* the round it was last seen */
} trace_rl;

/** One probe of a round toward a known answering address. */
typedef struct trace_rl_ev {
  int64_t t;          /* when it was sent */
  int32_t rl;         /* the address (trace_rl index) */
  uint8_t got;        /* answered */
  uint8_t denied;     /* a bit per candidate: over that budget */
  trace_hop_acc *hop; /* where it counts; NULL: past the target */
} trace_rl_ev;

/** The index of addr's entry, made (or recycled) when new. */
int trace_rl_find(trace_rl *rl, size_t n, size_t *used, const char *addr,
                  uint32_t round);
/**
 * Replay a round's probes (sorted here by send time) against each
 * address's budget, choose the candidate that explains its unanswered
 * probes, and count those over the budget in their hop's `over`.
 */
void trace_rl_fit(trace_rl *rl, size_t n_rl, trace_rl_ev *ev, size_t n_ev);
/** The cost per message of candidate cand, ns (0: none). */
int64_t trace_rl_cost_ns(int cand);

/** Add one RTT (ms) from `addr` to a hop's statistics. */
void trace_hop_add(trace_hop_acc *h, const char *addr, double ms);
/** The hop as the SDK wants it (addr NULL when it never answered). */
void trace_hop_out(const trace_hop_acc *h, int ttl, bn_hop *out);

/* ---- the probe's state (trace_plugin.c, trace_raw.c) ------------------ */

/** One flow of a target: its own socket (udp mode) and hop statistics. */
typedef struct trace_flow {
  struct trace_tgt *tg;
  int fd;
  bn_watch *w;
  trace_hop_acc hops[TRACE_MAX_TTL + 1]; /* by ttl, [0] unused */
  int reached;      /* lowest ttl the target answered, or 0 */
  int last_reached; /* the previous round's, or 0 */
  int unreach;      /* lowest ttl a router said "unreachable", or 0 */
  int64_t sent_at[TRACE_MAX_TTL + 1][TRACE_MAX_COUNT];
  uint8_t got[TRACE_MAX_TTL + 1][TRACE_MAX_COUNT];
  /* who answers each ttl with an ICMP error (trace_rl index, -1: no one
   * known or not rate limited); kept from round to round */
  int16_t rl[TRACE_MAX_TTL + 1];
} trace_flow;

/** A raw socket (icmp and tcp modes) and what it is for. */
typedef struct trace_raw {
  struct trace_ctx *c;
  struct trace_tgt *tg; /* tcp: the target it is connected to */
  int family, proto;
  int fd;
  bn_watch *w;
} trace_raw;

/** A target: its address and flows. */
typedef struct trace_tgt {
  struct trace_ctx *c;
  const bn_target *t;
  bn_resolve *res;
  int ready; /* sockets open */
  int warned;
  struct sockaddr_storage dst;
  socklen_t dlen;
  struct sockaddr_storage src; /* tcp: our address toward it */
  trace_raw tcp;               /* tcp: raw socket connected to it */
  trace_flow flows[TRACE_MAX_FLOWS];
} trace_tgt;

/** The probe. */
typedef struct trace_ctx {
  bn_host *h;
  trace_mode mode;
  const char *mode_name; /* the `mode` option */
  uint16_t key_base;     /* raw modes: flow i has key key_base + i */
  trace_raw icmp[2];     /* raw modes: ICMP sockets, IPv4 and IPv6 */
  int ping;              /* icmp mode through ping sockets (no raw) */
  int64_t max_ttl, count, flows, port;
  int64_t interval, timeout, spacing;
  double rtt_shift;
  trace_tgt *tg;
  size_t n;
  uint32_t round;
  int in_round;
  int64_t k; /* next burst of the round */
  int64_t round_wall, round_mono;
  bn_timer *tick, *burst, *finish;
  uint64_t bad, late;
  int64_t last_burst; /* when the round's last burst left */
  double worst_ms;    /* the round's slowest answer */
  trace_rl rl[TRACE_RL_MAX];
  size_t n_rl;
} trace_ctx;

/**
 * Open flow f's datagram socket of protocol proto (0: UDP, or a ping
 * socket) connected to dst, with ICMP errors on its error queue, read
 * by fn.  0 or -errno.
 */
int trace_flow_socket(trace_tgt *tg, trace_flow *f, int proto,
                      const struct sockaddr_storage *dst, bn_watch_fn fn);
/**
 * Send probe k at ttl of flow f on fd (-1: none; logged), counting it
 * sent; a send that only reports an earlier ICMP error is tried again.
 */
void trace_flow_send(trace_ctx *c, trace_flow *f, int fd, int ttl, int k,
                     const struct msghdr *msg);

/** The host's monotonic clock, in ns: when a probe left or an answer came. */
int64_t trace_now(trace_ctx *c);

/**
 * Read one message from fd's error queue (an ICMP error quoting one of
 * our probes) into iov, with its control messages in ctrl; msg is set up
 * for trace_parse.  The length read, or -1 when the queue is empty.
 */
ssize_t trace_recv_err(int fd, struct msghdr *msg, struct iovec *iov,
                       void *ctrl, size_t ctrllen);

/** Count one answer into its flow's hop (round already resolved). */
void trace_got(trace_flow *f, const trace_reply *r, int64_t now);

/** Same address (family and address, ports ignored). */
int trace_same_host(const struct sockaddr_storage *a,
                    const struct sockaddr_storage *b);

/** Raw modes: open the ICMP sockets; BN_OK or an error already logged. */
int trace_raw_start(trace_ctx *c);
/** Raw modes: a target's address is known; 0 or -errno. */
int trace_raw_target(trace_tgt *tg);
/** Raw modes: send probe k of flow fi at ttl. */
void trace_raw_send(trace_ctx *c, trace_flow *f, int fi, int ttl, int k);
/** Raw modes: close every raw socket. */
void trace_raw_close(trace_ctx *c);

/* icmp mode without CAP_NET_RAW (trace_ping.c) */

/** 1 when this process may open a ping socket of `family`. */
int trace_ping_allowed(int family);
/** Open flow f's ping socket toward tg; 0 or -errno. */
int trace_ping_flow(trace_tgt *tg, trace_flow *f);
/** Send probe k of flow fi at ttl on its ping socket. */
void trace_ping_send(trace_ctx *c, trace_flow *f, int fi, int ttl, int k);

#endif
