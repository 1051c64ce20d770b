/*
 * prom_text.c - the Prometheus text exposition format: buffer, escaping,
 * numbers.  See prom_text.h.
 */
#include "prom_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void prom_buf_reset(prom_buf *b)
{
  b->len = 0;
  b->oom = 0;
  if (b->p)
    b->p[0] = '\0';
}

void prom_buf_free(prom_buf *b)
{
  free(b->p);
  memset(b, 0, sizeof(*b));
}

char *prom_buf_take(prom_buf *b, size_t *len)
{
  char *p = b->p;

  if (len)
    *len = b->len;
  memset(b, 0, sizeof(*b));
  return p;
}

/* Room for `n` more bytes and the NUL; 0 or -1 (oom set). */
static int prom_reserve(prom_buf *b, size_t n)
{
  size_t want, cap;
  char *p;

  if (b->oom)
    return -1;
  want = b->len + n + 1;
  if (want <= b->cap)
    return 0;
  cap = b->cap ? b->cap : 4096;
  while (cap < want)
    cap *= 2;
  p = realloc(b->p, cap);
  if (!p) {
    b->oom = 1;
    return -1;
  }
  b->p = p;
  b->cap = cap;
  return 0;
}

void prom_put_grow(prom_buf *b, const char *s, size_t n)
{
  if (!n || prom_reserve(b, n) < 0)
    return;
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

void prom_u64(prom_buf *b, uint64_t v)
{
  char tmp[24];
  size_t i = sizeof(tmp);

  do {
    tmp[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  prom_put(b, tmp + i, sizeof(tmp) - i);
}

void prom_double(prom_buf *b, double v)
{
  char tmp[40];
  int n;

  if (isnan(v)) {
    prom_put(b, "NaN", 3);
    return;
  }
  if (isinf(v)) {
    prom_puts(b, v > 0 ? "+Inf" : "-Inf");
    return;
  }
  if (v == floor(v) && fabs(v) < 9007199254740992.0) {
    if (v < 0)
      prom_putc(b, '-');
    prom_u64(b, (uint64_t)fabs(v));
    return;
  }
  n = snprintf(tmp, sizeof(tmp), "%.15g", v);
  if (strtod(tmp, NULL) != v)
    n = snprintf(tmp, sizeof(tmp), "%.17g", v);
  if (n > 0)
    prom_put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Append `s` with the characters in `esc` written as backslash escapes
 * ('\n' as "\n"). */
static void prom_escaped(prom_buf *b, const char *s, const char *esc)
{
  const char *run = s;

  for (; *s; s++) {
    if (!strchr(esc, *s))
      continue;
    prom_put(b, run, (size_t)(s - run));
    prom_putc(b, '\\');
    prom_putc(b, *s == '\n' ? 'n' : *s);
    run = s + 1;
  }
  prom_put(b, run, (size_t)(s - run));
}

void prom_label_value(prom_buf *b, const char *s)
{
  prom_escaped(b, s ? s : "", "\\\"\n");
}

void prom_help_text(prom_buf *b, const char *s)
{
  prom_escaped(b, s ? s : "", "\\\n");
}

void prom_family(prom_buf *b, const char *name, const char *type,
                 const char *help)
{
  prom_puts(b, "# HELP ");
  prom_puts(b, name);
  prom_putc(b, ' ');
  prom_help_text(b, help);
  prom_puts(b, "\n# TYPE ");
  prom_puts(b, name);
  prom_putc(b, ' ');
  prom_puts(b, type);
  prom_putc(b, '\n');
}

void prom_labels(prom_buf *b, const char *const *kv, size_t n_pairs)
{
  size_t i;

  for (i = 0; i < n_pairs; i++) {
    if (i)
      prom_putc(b, ',');
    prom_puts(b, kv[2 * i]);
    prom_put(b, "=\"", 2);
    prom_label_value(b, kv[2 * i + 1]);
    prom_putc(b, '"');
  }
}

typedef struct prom_unit {
  const char *unit;
  char kind;
  double scale;
} prom_unit;

static const prom_unit prom_units[] = {
    {"ns", 's', 1e-9},        {"us", 's', 1e-6},
    {"ms", 's', 1e-3},        {"s", 's', 1.0},
    {"ratio", 'r', 1.0},      {"percent", 'r', 0.01},
    {"%", 'r', 0.01},         {"bit/s", 'B', 1.0 / 8},
    {"kbit/s", 'B', 1e3 / 8}, {"Mbit/s", 'B', 1e6 / 8},
    {"Gbit/s", 'B', 1e9 / 8}, {"byte/s", 'B', 1.0},
    {"B/s", 'B', 1.0},        {"bytes/s", 'B', 1.0},
};

double prom_unit_scale(const char *unit, char kind)
{
  size_t i;

  if (!unit)
    return 0;
  for (i = 0; i < sizeof(prom_units) / sizeof(prom_units[0]); i++)
    if (prom_units[i].kind == kind && !strcmp(prom_units[i].unit, unit))
      return prom_units[i].scale;
  return 0;
}
