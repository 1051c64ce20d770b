/*
 * dns_names.c - the names the `dns` probe reads and prints: record types,
 * response codes (RFC 1035, RFC 2136) and the syntax of query names.
 */
#include "dns.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
  const char *name;
  int type;
} dns_types[] = {
    {"A", 1},  {"AAAA", 28}, {"MX", 15},   {"TXT", 16},
    {"NS", 2}, {"SOA", 6},   {"CNAME", 5}, {"PTR", 12},
};

#define DNS_N_TYPES (sizeof(dns_types) / sizeof(dns_types[0]))

/* Index = rcode. */
static const char *const dns_rcodes[] = {
    "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
    "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE",
};

#define DNS_N_RCODES (sizeof(dns_rcodes) / sizeof(dns_rcodes[0]))

int dns_type_parse(const char *name)
{
  size_t i;

  for (i = 0; i < DNS_N_TYPES; i++)
    if (strcasecmp(name, dns_types[i].name) == 0)
      return dns_types[i].type;
  return -1;
}

const char *dns_type_name(int type)
{
  size_t i;

  for (i = 0; i < DNS_N_TYPES; i++)
    if (dns_types[i].type == type)
      return dns_types[i].name;
  return NULL;
}

const char *dns_type_list(void)
{
  return "A, AAAA, MX, TXT, NS, SOA, CNAME, PTR";
}

int dns_rcode_parse(const char *name)
{
  size_t i;

  for (i = 0; i < DNS_N_RCODES; i++)
    if (strcasecmp(name, dns_rcodes[i]) == 0)
      return (int)i;
  return -1;
}

const char *dns_rcode_name(int rcode, char *buf, size_t len)
{
  if (rcode >= 0 && (size_t)rcode < DNS_N_RCODES)
    return dns_rcodes[rcode];
  snprintf(buf, len, "RCODE%d", rcode);
  return buf;
}

const char *dns_rcode_list(void)
{
  return "NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED, "
         "YXDOMAIN, YXRRSET, NXRRSET, NOTAUTH, NOTZONE";
}

/* Letters, digits, '-' and '_' (service labels such as _dmarc). */
static int dns_label_char(int c)
{
  return isascii(c) && (isalnum(c) || c == '-' || c == '_');
}

int dns_name_check(const char *name, char *why, size_t len)
{
  size_t n = strlen(name), i, label = 0;

  if (n == 0) {
    snprintf(why, len, "the name is empty");
    return BN_EINVAL;
  }
  if (strcmp(name, ".") == 0)
    return 0; /* the root */
  if (name[n - 1] == '.')
    n--; /* a fully qualified name: the trailing dot is not a label */
  if (n > 253) {
    snprintf(why, len, "the name is longer than 253 characters");
    return BN_EINVAL;
  }
  for (i = 0; i <= n; i++) {
    unsigned char c = (unsigned char)name[i];

    if (i == n || c == '.') {
      if (label == 0) {
        snprintf(why, len, "empty label");
        return BN_EINVAL;
      }
      label = 0;
      continue;
    }
    if (!dns_label_char(c)) {
      if (isprint(c))
        snprintf(why, len, "character '%c' is not allowed", c);
      else
        snprintf(why, len, "character 0x%02x is not allowed", c);
      return BN_EINVAL;
    }
    if (++label > 63) {
      snprintf(why, len, "a label is longer than 63 characters");
      return BN_EINVAL;
    }
  }
  return 0;
}

int dns_ptr_name(const char *addr, char *out, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  struct in6_addr a6;
  struct in_addr a4;
  size_t pos = 0;
  int i;

  if (inet_pton(AF_INET, addr, &a4) == 1) {
    const unsigned char *b = (const unsigned char *)&a4;

    snprintf(out, len, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);
    return 0;
  }
  if (inet_pton(AF_INET6, addr, &a6) != 1)
    return BN_ENOENT;
  /* 32 nibbles, lowest first, each followed by a dot: 64 + "ip6.arpa". */
  if (len < 64 + sizeof("ip6.arpa"))
    return BN_EINVAL;
  for (i = 15; i >= 0; i--) {
    out[pos++] = hex[a6.s6_addr[i] & 0xf];
    out[pos++] = '.';
    out[pos++] = hex[a6.s6_addr[i] >> 4];
    out[pos++] = '.';
  }
  memcpy(out + pos, "ip6.arpa", sizeof("ip6.arpa"));
  return 0;
}
