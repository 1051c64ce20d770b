/*
 * text_table.c - plain-text tables (text_table.h).
 */
#include <bottleneck/sdk.h>

#include <stdlib.h>
#include <string.h>

#include "text_table.h"

/* ---------------------------------------------------------------- */
/* Tables                                                            */
/* ---------------------------------------------------------------- */

void text_table_init(text_table *t, size_t ncols, const char *const *heads,
                     const int *right)
{
  memset(t, 0, sizeof(*t));
  t->ncols = ncols;
  t->heads = heads;
  t->right = right;
}

void text_table_free(text_table *t)
{
  size_t i;

  for (i = 0; i < t->nrows * t->ncols; i++)
    free(t->cells[i]);
  free(t->cells);
  t->cells = NULL;
  t->nrows = t->cap = 0;
}

/* Append a row; the cells are copied. */
int text_table_add(text_table *t, const char *const *row)
{
  size_t i, base;

  if (t->nrows == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 8;
    char **cells = realloc(t->cells, cap * t->ncols * sizeof(*cells));

    if (!cells)
      return BN_ENOMEM;
    t->cells = cells;
    t->cap = cap;
  }
  base = t->nrows * t->ncols;
  for (i = 0; i < t->ncols; i++) {
    t->cells[base + i] = strdup(row[i]);
    if (!t->cells[base + i]) {
      while (i-- > 0)
        free(t->cells[base + i]);
      return BN_ENOMEM;
    }
  }
  t->nrows++;
  return 0;
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t text_width(const char *s)
{
  size_t n = 0;

  for (; *s; s++)
    if (((unsigned char)*s & 0xC0) != 0x80)
      n++;
  return n;
}

static void text_pad(FILE *f, size_t n)
{
  while (n-- > 0)
    fputc(' ', f);
}

static void text_table_row(const text_table *t, FILE *f, const size_t *w,
                           const char *const *row)
{
  size_t i;

  for (i = 0; i < t->ncols; i++) {
    size_t pad = w[i] - text_width(row[i]);

    if (i > 0)
      fputs("  ", f);
    if (t->right[i])
      text_pad(f, pad);
    fputs(row[i], f);
    /* No trailing blanks after the last column. */
    if (!t->right[i] && i + 1 < t->ncols)
      text_pad(f, pad);
  }
  fputc('\n', f);
}

int text_table_print(const text_table *t, FILE *f)
{
  size_t *w = calloc(t->ncols, sizeof(*w));
  size_t r, i;

  if (!w)
    return BN_ENOMEM;
  for (i = 0; i < t->ncols; i++)
    w[i] = text_width(t->heads[i]);
  for (r = 0; r < t->nrows; r++) {
    for (i = 0; i < t->ncols; i++) {
      size_t cw = text_width(t->cells[r * t->ncols + i]);

      if (cw > w[i])
        w[i] = cw;
    }
  }
  text_table_row(t, f, w, t->heads);
  for (r = 0; r < t->nrows; r++)
    text_table_row(t, f, w, (const char *const *)&t->cells[r * t->ncols]);
  free(w);
  return 0;
}
