/*
 * prom_text.h - the Prometheus text exposition format (version 0.0.4):
 * a growable output buffer, label-value and HELP escaping, and numbers
 * written the way Prometheus parses them (NaN, +Inf, -Inf).
 *
 * Pure code, no plugin state: unit-tested on its own.
 */
#ifndef BN_PROM_TEXT_H
#define BN_PROM_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** An output buffer that grows; `oom` sticks once an allocation failed. */
typedef struct prom_buf {
  char *p;    /**< the text (NUL-terminated while not oom) */
  size_t len; /**< bytes written */
  size_t cap; /**< bytes allocated */
  int oom;    /**< non-zero: an allocation failed, the text is cut */
} prom_buf;

/** Make `b` empty, keeping its memory. */
void prom_buf_reset(prom_buf *b);
/** Free the memory of `b` and zero it. */
void prom_buf_free(prom_buf *b);
/** Take the text out of `b` (caller frees); `b` is left empty. */
char *prom_buf_take(prom_buf *b, size_t *len);

/** Append `n` bytes when they need more room (see prom_put). */
void prom_put_grow(prom_buf *b, const char *s, size_t n);

/** Append `n` bytes (inline: rendering calls this millions of times). */
static inline void prom_put(prom_buf *b, const char *s, size_t n)
{
  if (n && b->len + n < b->cap) {
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return;
  }
  prom_put_grow(b, s, n);
}

/** Append a NUL-terminated string. */
static inline void prom_puts(prom_buf *b, const char *s)
{
  prom_put(b, s, strlen(s));
}

/** Append one character. */
static inline void prom_putc(prom_buf *b, char c)
{
  prom_put(b, &c, 1);
}
/** Append an unsigned integer in decimal. */
void prom_u64(prom_buf *b, uint64_t v);
/**
 * Append a sample value: "NaN", "+Inf", "-Inf", an integer when the
 * value is one (and below 2^53), else the shortest of %.15g / %.17g
 * that reads back as the same double.
 */
void prom_double(prom_buf *b, double v);
/** Append a label value, escaping backslash, double quote and newline. */
void prom_label_value(prom_buf *b, const char *s);
/** Append HELP text, escaping backslash and newline. */
void prom_help_text(prom_buf *b, const char *s);

/**
 * Append the "# HELP name text\n# TYPE name type\n" header of a metric
 * family.
 */
void prom_family(prom_buf *b, const char *name, const char *type,
                 const char *help);

/**
 * Write `name="value"` label pairs, comma-separated, into `b`: `kv` holds
 * n_pairs names and values alternately.  A NULL value is written as "".
 */
void prom_labels(prom_buf *b, const char *const *kv, size_t n_pairs);

/**
 * Scale factor from a metric's declared unit to the Prometheus base unit
 * of its kind: kind 's' (time: "ns" "us" "ms" "s"), 'r' (ratio:
 * "ratio" "percent"), 'B' (bytes per second: "bit/s" "byte/s" "B/s"
 * and the SI prefixes k M G of "bit/s").  Returns 0 when the unit is not
 * one of that kind.
 */
double prom_unit_scale(const char *unit, char kind);

#endif
