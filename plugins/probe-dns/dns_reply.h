/*
 * dns_reply.h - a strict parser of a DNS reply (RFC 1035 4.1): the header
 * counts are believed only as far as the records are really there.
 */
#ifndef BN_DNS_REPLY_H
#define BN_DNS_REPLY_H

#include <stddef.h>

/** What a reply that parses says. */
typedef struct dns_reply {
  int rcode;   /* header RCODE (0..15) */
  int answers; /* answer records actually present */
  int tc;      /* the truncation bit */
} dns_reply;

/**
 * Parse `len` bytes of `buf` as a reply: header, then every record of
 * every section the header counts (question, answer, authority,
 * additional), each name with at most 255 bytes, labels of at most 63,
 * compression pointers pointing strictly backwards (so no loop) and no
 * more than 64 of them per name.  Returns 0 and fills `out`, or -1 with
 * a short reason in `why` ("answer count 65535 but the reply ends after
 * 0 records", "compression pointer loop"...).  A reply with the TC bit
 * may end early: its counts are then believed only for what is there.
 */
int dns_reply_parse(const unsigned char *buf, size_t len, dns_reply *out,
                    char *why, size_t whylen);

#endif
