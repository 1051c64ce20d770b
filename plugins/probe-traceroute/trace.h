/*
 * trace.h - the `traceroute` probe (internal to the plugin).
 *
 * UDP probes, Paris style: every probe of one flow has the same source
 * and destination ports, so a load balancer that hashes the 5-tuple
 * keeps the flow on one path; the TTL is set per packet and the probe
 * is told apart by an identifier in its payload.  All TTLs of a round
 * are sent at once (`count` bursts, `spacing` apart).  ICMP errors come
 * back on each socket's error queue (IP_RECVERR / IPV6_RECVERR), so no
 * raw socket and no root are needed, on IPv4 and IPv6.
 */
#ifndef BN_TRACE_H
#define BN_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

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
  TRACE_PORT_UNREACH,  /* the target itself */
  TRACE_UNREACH,       /* a router says: no way to the target */
} trace_kind;

/** A parsed error-queue message. */
typedef struct trace_reply {
  trace_kind kind;
  uint32_t round;               /* from the quoted payload */
  uint32_t probe;               /* from the quoted payload */
  struct sockaddr_storage from; /* the router (offender) */
  socklen_t fromlen;
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

/** Per-hop statistics of a round. */
typedef struct trace_hop_acc {
  char addr[64];
  uint32_t sent, received;
  double last, sum, sumsq, best, worst;
} trace_hop_acc;

/** Add one RTT (ms) from `addr` to a hop's statistics. */
void trace_hop_add(trace_hop_acc *h, const char *addr, double ms);
/** The hop as the SDK wants it (addr NULL when it never answered). */
void trace_hop_out(const trace_hop_acc *h, int ttl, bn_hop *out);

#endif
