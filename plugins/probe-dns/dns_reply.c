/*
 * dns_reply.c - see dns_reply.h.  Every offset is checked against the
 * length; nothing is read past the end.
 */
#include "dns_reply.h"

#include <stdio.h>
#include <string.h>

#define DNS_HDR      12
#define DNS_MAX_NAME 255
#define DNS_MAX_PTRS 64

/* Skip the name at *off: 0 and *off past it, or -1 with why. */
static int dns_skip_name(const unsigned char *b, size_t len, size_t *off,
                         char *why, size_t whylen)
{
  size_t p = *off, end = 0, total = 0;
  size_t limit = *off; /* a pointer must go below this */
  int jumped = 0, ptrs = 0;

  for (;;) {
    unsigned c;

    if (p >= len) {
      snprintf(why, whylen, "a name runs past the end of the reply");
      return -1;
    }
    c = b[p];
    if ((c & 0xc0) == 0xc0) {
      size_t to;

      if (p + 1 >= len) {
        snprintf(why, whylen, "a compression pointer is cut off");
        return -1;
      }
      to = ((size_t)(c & 0x3f) << 8) | b[p + 1];
      if (!jumped)
        end = p + 2;
      if (to >= limit || ++ptrs > DNS_MAX_PTRS) {
        snprintf(why, whylen,
                 "compression pointer loop (a pointer to "
                 "offset %zu, not before it)",
                 to);
        return -1;
      }
      limit = to;
      p = to;
      jumped = 1;
      continue;
    }
    if (c & 0xc0) {
      snprintf(why, whylen, "a label of the reserved type 0x%02x", c & 0xc0);
      return -1;
    }
    total += c + 1;
    if (total > DNS_MAX_NAME) {
      snprintf(why, whylen, "a name longer than 255 bytes");
      return -1;
    }
    if (c == 0) {
      *off = jumped ? end : p + 1;
      return 0;
    }
    if (p + 1 + c > len) {
      snprintf(why, whylen, "a label runs past the end of the reply");
      return -1;
    }
    p += 1 + c;
  }
}

int dns_reply_parse(const unsigned char *b, size_t len, dns_reply *out,
                    char *why, size_t whylen)
{
  static const char *const sect[] = {"question", "answer", "authority",
                                     "additional"};
  unsigned count[4];
  size_t off = DNS_HDR;
  unsigned s, i;

  memset(out, 0, sizeof(*out));
  if (len < DNS_HDR) {
    snprintf(why, whylen, "%zu bytes, shorter than a DNS header", len);
    return -1;
  }
  if (!(b[2] & 0x80)) {
    snprintf(why, whylen, "not a reply (QR bit clear)");
    return -1;
  }
  out->rcode = b[3] & 0x0f;
  out->tc = (b[2] & 0x02) != 0;
  for (s = 0; s < 4; s++)
    count[s] = ((unsigned)b[4 + 2 * s] << 8) | b[5 + 2 * s];
  for (s = 0; s < 4; s++) {
    for (i = 0; i < count[s]; i++) {
      size_t fixed = s == 0 ? 4 : 10;

      if (off >= len && out->tc)
        return 0; /* truncated on purpose: what is there */
      if (off >= len) {
        snprintf(why, whylen,
                 "%s count %u but the reply ends after %u records", sect[s],
                 count[s], i);
        return -1;
      }
      if (dns_skip_name(b, len, &off, why, whylen) != 0)
        return -1;
      if (len - off < fixed) {
        snprintf(why, whylen, "a %s record is cut off", sect[s]);
        return -1;
      }
      if (s > 0) {
        size_t rdlen = ((size_t)b[off + 8] << 8) | b[off + 9];

        if (len - off - fixed < rdlen) {
          snprintf(why, whylen, "the data of a %s record is cut off", sect[s]);
          return -1;
        }
        off += rdlen;
      }
      off += fixed;
      if (s == 1)
        out->answers++;
    }
  }
  return 0;
}
