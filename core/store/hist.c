/*
 * hist.c - the quantile sketch (see hist.h).
 */
#include "config.h"

#include "hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HIST_KEY_MAX   32767
#define HIST_COUNT_MAX ((UINT64_C(1) << 48) - 1)
#define HIST_KEEP      64 /* hist_clear keeps a buffer this small */

/* gamma = (1 + a) / (1 - a) and its logarithm */
static double hist_gamma(void)
{
  return (1 + HIST_REL_ERR) / (1 - HIST_REL_ERR);
}

static double hist_log_gamma(void)
{
  return log(hist_gamma());
}

int hist_key(double v)
{
  double m = fabs(v), k;

  if (!(m >= HIST_MIN)) /* NaN too */
    return 0;
  k = 1 + ceil(log(m / HIST_MIN) / hist_log_gamma());
  if (!(k < HIST_KEY_MAX)) /* infinity too */
    k = HIST_KEY_MAX;
  return v < 0 ? -(int)k : (int)k;
}

double hist_value(int key)
{
  double g = hist_gamma(), u;

  if (!key)
    return 0;
  /* bucket k >= 1 holds (MIN g^(k-2), MIN g^(k-1)]; 2u / (g + 1) is
   * within (g - 1) / (g + 1) = HIST_REL_ERR of both ends */
  u = HIST_MIN * exp((double)(abs(key) - 1) * hist_log_gamma());
  return (key < 0 ? -2 : 2) * u / (g + 1);
}

uint64_t hist_bucket_count(const hist_bucket *b)
{
  return (uint64_t)b->count_hi << 32 | b->count_lo;
}

static void hist_bucket_set(hist_bucket *b, uint64_t c)
{
  if (c > HIST_COUNT_MAX)
    c = HIST_COUNT_MAX;
  b->count_hi = (uint16_t)(c >> 32);
  b->count_lo = (uint32_t)c;
}

static int hist_reserve(hist *h, uint32_t need)
{
  hist_bucket *nb;
  uint32_t cap;

  if (need <= h->cap)
    return 0;
  cap = h->cap ? h->cap : 8;
  while (cap < need)
    cap *= 2;
  nb = realloc(h->b, cap * sizeof(*nb));
  if (!nb)
    return -1;
  h->b = nb;
  h->cap = cap;
  return 0;
}

/* The index of key in h, or of where it would go. */
static uint32_t hist_find(const hist *h, int key)
{
  uint32_t lo = 0, hi = h->len;

  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;

    if (h->b[mid].key < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

int hist_add_key(hist *h, int key, uint64_t c)
{
  uint32_t i;

  if (key > HIST_KEY_MAX)
    key = HIST_KEY_MAX;
  if (key < -HIST_KEY_MAX)
    key = -HIST_KEY_MAX;
  if (!c)
    return 0;
  i = hist_find(h, key);
  if (i == h->len || h->b[i].key != key) {
    if (hist_reserve(h, h->len + 1) < 0)
      return -1;
    memmove(&h->b[i + 1], &h->b[i], (h->len - i) * sizeof(*h->b));
    h->b[i].key = (int16_t)key;
    hist_bucket_set(&h->b[i], 0);
    h->len++;
  }
  hist_bucket_set(&h->b[i], hist_bucket_count(&h->b[i]) + c);
  h->n += c;
  return 0;
}

int hist_add(hist *h, double v)
{
  if (isnan(v))
    return 0;
  return hist_add_key(h, hist_key(v), 1);
}

int hist_merge(hist *into, const hist *from)
{
  hist_bucket *out;
  uint32_t i = 0, j = 0, k = 0;

  if (!from->len)
    return 0;
  out = malloc((size_t)(into->len + from->len) * sizeof(*out));
  if (!out)
    return -1;
  while (i < into->len || j < from->len) {
    if (j == from->len || (i < into->len && into->b[i].key < from->b[j].key)) {
      out[k++] = into->b[i++];
    } else if (i == into->len || from->b[j].key < into->b[i].key) {
      out[k++] = from->b[j++];
    } else {
      out[k] = into->b[i++];
      hist_bucket_set(&out[k], hist_bucket_count(&out[k]) +
                                   hist_bucket_count(&from->b[j++]));
      k++;
    }
  }
  free(into->b);
  into->b = out;
  into->cap = into->len + from->len;
  into->len = k;
  into->n += from->n;
  return 0;
}

void hist_clear(hist *h)
{
  if (h->cap > HIST_KEEP) {
    hist_free(h);
    return;
  }
  h->len = 0;
  h->n = 0;
}

void hist_free(hist *h)
{
  free(h->b);
  memset(h, 0, sizeof(*h));
}

/* ---- blobs ------------------------------------------------------------ */

size_t hist_encode_bound(const hist *h)
{
  /* format byte; per bucket a key of at most 3 bytes, a 48-bit count in
   * at most 7 */
  return 1 + (size_t)h->len * 10;
}

static size_t hist_put_varint(unsigned char *out, uint64_t c)
{
  size_t len = 0;

  do {
    out[len++] = (unsigned char)((c & 0x7f) | (c > 0x7f ? 0x80 : 0));
    c >>= 7;
  } while (c);
  return len;
}

/* Reads a varint at *i; -1 when it runs off the end or is too long. */
static int hist_get_varint(const unsigned char *blob, size_t len, size_t *i,
                           uint64_t *out)
{
  uint64_t c = 0;
  unsigned shift = 0;

  for (;;) {
    if (*i >= len || shift > 63)
      return -1;
    c |= (uint64_t)(blob[*i] & 0x7f) << shift;
    shift += 7;
    if (!(blob[(*i)++] & 0x80))
      break;
  }
  *out = c;
  return 0;
}

size_t hist_encode(const hist *h, unsigned char *out)
{
  size_t len = 0;
  uint32_t i;
  int prev = 0;

  if (!h->len)
    return 0;
  out[len++] = HIST_FORMAT;
  for (i = 0; i < h->len; i++) {
    int key = h->b[i].key;

    if (!i) /* zigzag */
      len += hist_put_varint(out + len, key < 0 ? (uint64_t)(-2 * key - 1)
                                                : (uint64_t)(2 * key));
    else
      len += hist_put_varint(out + len, (uint64_t)(key - prev));
    len += hist_put_varint(out + len, hist_bucket_count(&h->b[i]));
    prev = key;
  }
  return len;
}

int hist_merge_blob(hist *h, const unsigned char *blob, size_t len)
{
  size_t i = 1;
  int64_t key = 0;
  int first = 1;

  if (!len)
    return 0;
  if (blob[0] != HIST_FORMAT)
    return -1;
  while (i < len) {
    uint64_t k, c;

    if (hist_get_varint(blob, len, &i, &k) < 0 ||
        hist_get_varint(blob, len, &i, &c) < 0)
      return -1;
    if (first) {
      if (k > 2 * HIST_KEY_MAX)
        return -1;
      key = k & 1 ? -(int64_t)((k + 1) / 2) : (int64_t)(k / 2);
      first = 0;
    } else {
      if (!k || k > 2 * HIST_KEY_MAX || key + (int64_t)k > HIST_KEY_MAX)
        return -1;
      key += (int64_t)k;
    }
    if (c > HIST_COUNT_MAX || hist_add_key(h, (int)key, c) < 0)
      return -1;
  }
  return 0;
}

int hist_merge_blob_v1(hist *h, const unsigned char *blob, size_t len)
{
  size_t i = 0;
  int last = -1;

  while (i < len) {
    int b = blob[i++];
    uint64_t c;
    double v;

    if (b <= last || hist_get_varint(blob, len, &i, &c) < 0 ||
        c > HIST_COUNT_MAX)
      return -1;
    /* the bin's geometric middle: 1e-3 * 2^((b - 0.5) / 8); bin 0 held
     * everything up to 1e-3 */
    v = b ? 1e-3 * exp2((b - 0.5) / 8) : 1e-3;
    if (hist_add_key(h, hist_key(v), c) < 0)
      return -1;
    last = b;
  }
  return 0;
}

/* ---- quantiles -------------------------------------------------------- */

/* The value standing for the rank-th smallest (0-based) counted value. */
static double hist_at_rank(const hist *h, uint64_t rank)
{
  uint64_t seen = 0;
  uint32_t i;

  for (i = 0; i < h->len; i++) {
    seen += hist_bucket_count(&h->b[i]);
    if (seen > rank)
      return hist_value(h->b[i].key);
  }
  return h->len ? hist_value(h->b[h->len - 1].key) : NAN;
}

double hist_quantile(const hist *h, double q, double lo, double hi)
{
  double r, fr, v;
  uint64_t k;

  if (!h->n)
    return NAN;
  if (q < 0)
    q = 0;
  if (q > 1)
    q = 1;
  /* rank r = q (n - 1), between the values at floor(r) and floor(r) + 1:
   * each is within the error, so is the interpolation between them */
  r = q * (double)(h->n - 1);
  k = (uint64_t)floor(r);
  fr = r - (double)k;
  v = hist_at_rank(h, k);
  if (fr > 0 && k + 1 < h->n)
    v += (hist_at_rank(h, k + 1) - v) * fr;
  if (v < lo)
    v = lo;
  if (v > hi)
    v = hi;
  return v;
}
