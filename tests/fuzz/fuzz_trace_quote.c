/*
 * fuzz_trace_quote.c - libFuzzer target: the traceroute probe's parser
 * of raw-socket packets and the ICMP quotes inside them
 * (trace_raw_parse), and of UDP mode's error-queue messages
 * (trace_parse: IP_RECVERR control data with the offender, and the
 * quoted payload).  The first byte picks the parser (bit 5), family,
 * protocol and mode; for trace_parse the second byte is the length of
 * the control data that follows, the rest is the payload.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const int protos[] = {IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP};
  struct sockaddr_storage from;
  trace_reply out;
  int v6, proto;
  trace_mode mode;

  if (size < 1)
    return 0;
  if (data[0] & 0x20) {
    /* an error-queue message: control data, then the payload */
    unsigned char *ctl, *payload; /* exact sizes: overreads are caught */
    struct iovec iov;
    struct msghdr msg;
    size_t clen = size > 1 ? data[1] * 4u : 0;

    if (size < 2 || clen > size - 2)
      return 0;
    ctl = malloc(clen ? clen : 1);
    payload = malloc(size - 2 - clen + 1);
    if (!ctl || !payload) {
      free(ctl);
      free(payload);
      return 0;
    }
    memcpy(ctl, data + 2, clen);
    memcpy(payload, data + 2 + clen, size - 2 - clen);
    iov.iov_base = payload;
    iov.iov_len = size - 2 - clen;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = clen ? ctl : NULL;
    msg.msg_controllen = clen;
    trace_parse(&msg, iov.iov_len, &out);
    free(ctl);
    free(payload);
    return 0;
  }
  v6 = data[0] & 1;
  proto = protos[(data[0] >> 1) % 3];
  mode = (trace_mode)((data[0] >> 3) % 3);
  memset(&from, 0, sizeof(from));
  if (v6) {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&from;

    s6->sin6_family = AF_INET6;
    s6->sin6_addr.s6_addr[15] = 1;
  } else {
    struct sockaddr_in *s4 = (struct sockaddr_in *)&from;

    s4->sin_family = AF_INET;
    s4->sin_addr.s_addr = htonl(0x7f000001);
  }
  memset(&out, 0, sizeof(out));
  trace_raw_parse(
      data + 1, size - 1, v6 ? AF_INET6 : AF_INET, proto, mode,
      (const struct sockaddr *)&from,
      v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in), &out);
  return 0;
}
