/*
 * fuzz_trace_quote.c - libFuzzer target: the traceroute probe's parser
 * of raw-socket packets and the ICMP quotes inside them
 * (trace_raw_parse).  The first byte picks the family, protocol and
 * mode; the rest is the packet, as read from a raw socket.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

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
