/*
 * text_table.h - plain-text tables for the text reporter: column widths
 * follow the content (UTF-8 aware), chosen columns are right-aligned, no
 * trailing blanks.
 */
#ifndef BN_TEXT_TABLE_H
#define BN_TEXT_TABLE_H

#include <stddef.h>
#include <stdio.h>

/** Rows of cells, each cell its own string; widths are computed at print. */
typedef struct text_table {
  size_t ncols;
  const char *const *heads;
  const int *right; /* per column: right-aligned */
  char **cells;     /* nrows * ncols */
  size_t nrows, cap;
} text_table;

/** An empty table with ncols columns, their heads and alignment. */
void text_table_init(text_table *t, size_t ncols, const char *const *heads,
                     const int *right);
/** Free the rows. */
void text_table_free(text_table *t);
/** Append a row (ncols cells, copied); 0 or BN_ENOMEM. */
int text_table_add(text_table *t, const char *const *row);
/** Print the heads and rows. */
int text_table_print(const text_table *t, FILE *f);

#endif
