/*
 * fuzz_dns_reply.c - libFuzzer target: the dns probe's strict reply
 * parser (dns_reply_parse) on arbitrary bytes.
 */
#include <stddef.h>
#include <stdint.h>

#include "dns_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  dns_reply r;
  char why[160];

  if (dns_reply_parse(data, size, &r, why, sizeof(why)) == 0 &&
      (r.answers < 0 || r.answers > 65535 || r.rcode < 0 || r.rcode > 15))
    __builtin_trap(); /* a reply that parses has sane counts */
  return 0;
}
