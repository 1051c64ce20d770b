/*
 * hist.c - the histogram sketch (see hist.h).
 */
#include "config.h"

#include "hist.h"

#include <math.h>
#include <string.h>

#define HIST_LOW     1e-3
#define HIST_PER_DBL 8 /* bins per doubling */

int hist_bin(double v)
{
  double b;

  if (!(v > HIST_LOW)) /* NaN too */
    return 0;
  b = 1 + floor(log2(v / HIST_LOW) * HIST_PER_DBL);
  return b >= HIST_BINS - 1 ? HIST_BINS - 1 : (int)b;
}

double hist_value(int i)
{
  if (i <= 0)
    return HIST_LOW;
  return HIST_LOW * exp2((i - 0.5) / HIST_PER_DBL);
}

void hist_add(hist *h, double v)
{
  h->bin[hist_bin(v)]++;
  h->n++;
}

size_t hist_encode(const hist *h, unsigned char *out)
{
  size_t len = 0;
  int i;

  for (i = 0; i < HIST_BINS; i++) {
    uint64_t c = h->bin[i];

    if (!c)
      continue;
    out[len++] = (unsigned char)i;
    do {
      out[len++] = (unsigned char)((c & 0x7f) | (c > 0x7f ? 0x80 : 0));
      c >>= 7;
    } while (c);
  }
  return len;
}

int hist_merge_blob(hist *h, const unsigned char *blob, size_t len)
{
  size_t i = 0;
  int last = -1;

  while (i < len) {
    int b = blob[i++];
    uint64_t c = 0;
    unsigned shift = 0;

    if (b <= last)
      return -1;
    for (;;) {
      if (i >= len || shift > 63)
        return -1;
      c |= (uint64_t)(blob[i] & 0x7f) << shift;
      shift += 7;
      if (!(blob[i++] & 0x80))
        break;
    }
    h->bin[b] += c;
    h->n += c;
    last = b;
  }
  return 0;
}

double hist_quantile(const hist *h, double q, double lo, double hi)
{
  uint64_t rank, seen = 0;
  double v = NAN;
  int i;

  if (!h->n)
    return NAN;
  if (q < 0)
    q = 0;
  if (q > 1)
    q = 1;
  /* the smallest bin holding the ceil(q n)-th value (1-based) */
  rank = (uint64_t)ceil(q * (double)h->n);
  if (rank < 1)
    rank = 1;
  for (i = 0; i < HIST_BINS; i++) {
    seen += h->bin[i];
    if (seen >= rank) {
      v = hist_value(i);
      break;
    }
  }
  if (v < lo)
    v = lo;
  if (v > hi)
    v = hi;
  return v;
}
