/*
 * omnetpp_parse.c - OMNeT++ result file lines (see omnetpp_parse.h).
 */
#include "config.h"

#include "omnetpp_parse.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Vector ids above this are refused (OMNeT++ numbers them from 0). */
#define OMN_MAX_VECTOR_ID (1u << 24)

struct omn_parser {
  int version;     /* 0 until the version line */
  int have_run;    /* a run line was seen */
  omn_scope scope; /* what an attr line annotates */
  int in_stat;     /* field/bin lines allowed */
  char (*cols)[5]; /* per vector id: its columns, "" undeclared */
  size_t n_cols;
};

omn_parser *omn_new(void)
{
  return calloc(1, sizeof(omn_parser));
}

void omn_free(omn_parser *p)
{
  if (p) {
    free(p->cols);
    free(p);
  }
}

int omn_version(const omn_parser *p)
{
  return p->version;
}

static int omn_fail(omn_error *err, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int omn_fail(omn_error *err, size_t col, const char *fmt, ...)
{
  va_list ap;

  err->col = col;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
  va_end(ap);
  return -1;
}

static int omn_hex(int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/*
 * Split `line` into tokens in place, unescaping them; each token's
 * 1-based column goes to col[].  Returns the count or -1 and *err.
 */
static int omn_tokens(char *line, size_t len, char **tok, size_t *col,
                      omn_error *err)
{
  size_t i = 0;
  int n = 0;

  while (i < len) {
    char *w;
    size_t start;

    while (i < len && (line[i] == ' ' || line[i] == '\t'))
      i++;
    if (i >= len)
      break;
    if (n == OMN_MAX_TOKENS)
      return omn_fail(err, i + 1, "more than %d fields", OMN_MAX_TOKENS);
    start = i;
    w = line + i;
    tok[n] = w;
    col[n] = i + 1;
    if (line[i] == '"') {
      i++;
      for (;;) {
        if (i >= len)
          return omn_fail(err, start + 1,
                          "unterminated quoted string (add the closing \")");
        if (line[i] == '"')
          break;
        if (line[i] == '\\') {
          int c, h1, h2;

          if (i + 1 >= len)
            return omn_fail(err, i + 1,
                            "unterminated quoted string (add the closing \")");
          c = line[i + 1];
          i += 2;
          switch (c) {
          case 'n':
            c = '\n';
            break;
          case 't':
            c = '\t';
            break;
          case 'r':
            c = '\r';
            break;
          case 'f':
            c = '\f';
            break;
          case 'v':
            c = '\v';
            break;
          case 'b':
            c = '\b';
            break;
          case 'a':
            c = '\a';
            break;
          case 'x':
            h1 = i < len ? omn_hex(line[i]) : -1;
            h2 = i + 1 < len ? omn_hex(line[i + 1]) : -1;
            if (h1 < 0 || h2 < 0)
              return omn_fail(err, i - 1,
                              "\\x must be followed by two hex digits");
            c = h1 * 16 + h2;
            i += 2;
            break;
          default: /* \" \\ and any other character stand for themselves */
            break;
          }
          *w++ = (char)c;
          continue;
        }
        *w++ = line[i++];
      }
      i++; /* the closing quote */
      if (i < len && line[i] != ' ' && line[i] != '\t')
        return omn_fail(err, i + 1, "a space must follow the closing quote");
    } else {
      while (i < len && line[i] != ' ' && line[i] != '\t') {
        if (line[i] == '\\') {
          if (i + 1 >= len)
            return omn_fail(err, i + 1,
                            "a backslash ends the line (escape it as \\\\)");
          i++;
        } else if (line[i] == '"') {
          return omn_fail(err, i + 1,
                          "a quote inside a bare token (quote the whole "
                          "token or escape it as \\\")");
        }
        *w++ = line[i++];
      }
    }
    /* terminate; the terminator overwrites at most the separator */
    if (i < len) {
      *w = 0;
      i++;
    } else {
      *w = 0; /* line[len] is the caller's NUL or within the buffer */
    }
    n++;
  }
  return n;
}

static int omn_number(const char *s, double *v)
{
  char *end;

  if (!*s)
    return -1;
  errno = 0;
  *v = strtod(s, &end);
  return *end || (errno == ERANGE && fabs(*v) > 1) ? -1 : 0;
}

static int omn_uint(const char *s, uint64_t max, uint64_t *v)
{
  uint64_t x = 0;

  if (!*s)
    return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return -1;
    x = x * 10 + (uint64_t)(*s - '0');
    if (x > max)
      return -1;
  }
  *v = x;
  return 0;
}

typedef struct omn_kw {
  const char *name;
  omn_kind kind;
  int min, max; /* tokens after the keyword */
} omn_kw;

static const omn_kw omn_kws[] = {
    {"version", OMN_VERSION, 1, 1}, {"run", OMN_RUN, 1, 1},
    {"attr", OMN_ATTR, 2, 2},       {"param", OMN_PARAM, 2, 2},
    {"itervar", OMN_ITERVAR, 2, 2}, {"config", OMN_CONFIG, 2, 2},
    {"par", OMN_PAR, 3, 3},         {"vector", OMN_VECTOR, 3, 4},
    {"scalar", OMN_SCALAR, 3, 3},   {"statistic", OMN_STATISTIC, 2, 2},
    {"field", OMN_FIELD, 2, 2},     {"bin", OMN_BIN, 2, 2},
};

static int omn_data(omn_parser *p, char **tok, size_t *col, int n,
                    omn_line *out, omn_error *err)
{
  uint64_t id, ev;
  const char *cols;
  int k;

  if (omn_uint(tok[0], OMN_MAX_VECTOR_ID - 1, &id) != 0)
    return omn_fail(err, col[0], "'%s' is neither a keyword nor a vector id",
                    tok[0]);
  if (id >= p->n_cols || !p->cols[id][0])
    return omn_fail(err, col[0],
                    "data for vector %llu, which no vector line declared",
                    (unsigned long long)id);
  cols = p->cols[id];
  if (n != 1 + (int)strlen(cols))
    return omn_fail(
        err, n > 1 + (int)strlen(cols) ? col[1 + strlen(cols)] : col[n - 1],
        "vector %llu has columns %s: want %zu values, got %d",
        (unsigned long long)id, cols, strlen(cols), n - 1);
  out->kind = OMN_DATA;
  out->vector_id = (uint32_t)id;
  out->event = -1;
  out->time = NAN;
  out->has_time = 0;
  out->value = NAN;
  for (k = 0; cols[k]; k++) {
    const char *t = tok[k + 1];
    double d;

    switch (cols[k]) {
    case 'E':
      if (omn_uint(t, INT64_MAX, &ev) != 0)
        return omn_fail(err, col[k + 1], "event number '%s' is not an integer",
                        t);
      out->event = (int64_t)ev;
      break;
    case 'T':
      if (omn_number(t, &d) != 0 || !isfinite(d) || d < 0)
        return omn_fail(err, col[k + 1],
                        "time '%s' is not a non-negative number", t);
      out->time = d;
      out->has_time = 1;
      break;
    default: /* V */
      if (omn_number(t, &d) != 0)
        return omn_fail(err, col[k + 1], "value '%s' is not a number", t);
      out->value = d;
      break;
    }
  }
  return 0;
}

int omn_parse_line(omn_parser *p, char *line, size_t len, omn_line *out,
                   omn_error *err)
{
  char *tok[OMN_MAX_TOKENS];
  size_t col[OMN_MAX_TOKENS];
  const omn_kw *kw = NULL;
  int n, i;

  memset(out, 0, sizeof(*out));
  i = (int)strspn(line, " \t");
  if ((size_t)i >= len || line[i] == '#')
    return 0; /* blank or a comment: OMN_NONE */
  if (line[i] == '"')
    return omn_fail(err, (size_t)i + 1,
                    "a line must start with a bare keyword");
  n = omn_tokens(line, len, tok, col, err);
  if (n < 0)
    return -1;
  if (n == 0)
    return 0;
  if (tok[0][0] >= '0' && tok[0][0] <= '9') {
    if (!p->version)
      return omn_fail(err, col[0],
                      "data before the 'version' line (is it an OMNeT++ "
                      ".vec file?)");
    if (p->in_stat)
      p->in_stat = 0;
    return omn_data(p, tok, col, n, out, err);
  }
  for (i = 0; i < (int)(sizeof(omn_kws) / sizeof(omn_kws[0])); i++)
    if (!strcmp(tok[0], omn_kws[i].name))
      kw = &omn_kws[i];
  if (!kw)
    return omn_fail(err, col[0], "unknown entry '%s'", tok[0]);
  if (n - 1 < kw->min)
    return omn_fail(err, (size_t)(len + 1), "'%s' needs %d field(s), got %d",
                    kw->name, kw->min, n - 1);
  if (n - 1 > kw->max)
    return omn_fail(err, col[kw->max + 1],
                    "'%s' takes %d field(s): extra '%s'", kw->name, kw->max,
                    tok[kw->max + 1]);
  /* OMNeT++ 4.0 wrote no version line: such a file starts with 'run'
   * and is otherwise version 2. */
  if (kw->kind == OMN_RUN && !p->version && !p->have_run)
    p->version = 2;
  if (kw->kind != OMN_VERSION && !p->version)
    return omn_fail(err, col[0],
                    "'%s' before the 'version' line (is it an OMNeT++ "
                    "result file?)",
                    kw->name);
  if (kw->kind != OMN_VERSION && kw->kind != OMN_RUN && !p->have_run)
    return omn_fail(err, col[0], "'%s' before any 'run' line", kw->name);
  out->kind = kw->kind;
  out->ntok = n - 1;
  for (i = 1; i < n; i++)
    out->tok[i - 1] = tok[i];
  if (kw->kind != OMN_FIELD && kw->kind != OMN_BIN && kw->kind != OMN_ATTR)
    p->in_stat = 0;
  switch (kw->kind) {
  case OMN_VERSION: {
    uint64_t v;

    if (p->version)
      return omn_fail(err, col[0], "'version' must be the first line");
    if (omn_uint(tok[1], 1000, &v) != 0 || (v != 2 && v != 3))
      return omn_fail(err, col[1],
                      "version '%s' is not supported (2 or 3: OMNeT++ 4.x "
                      "to 6.x)",
                      tok[1]);
    p->version = (int)v;
    break;
  }
  case OMN_RUN:
    if (!*tok[1])
      return omn_fail(err, col[1], "an empty run id");
    p->have_run = 1;
    p->scope = OMN_SCOPE_RUN;
    break;
  case OMN_ATTR:
    out->scope = p->scope;
    break;
  case OMN_PARAM:
  case OMN_ITERVAR:
  case OMN_CONFIG:
    if (p->scope != OMN_SCOPE_RUN)
      return omn_fail(err, col[0],
                      "'%s' after a result item (run header lines come "
                      "first)",
                      kw->name);
    break;
  case OMN_PAR:
    p->scope = OMN_SCOPE_PAR;
    break;
  case OMN_VECTOR: {
    uint64_t id;
    const char *c = n == 5 ? tok[4] : "ETV";

    if (omn_uint(tok[1], OMN_MAX_VECTOR_ID - 1, &id) != 0)
      return omn_fail(err, col[1], "vector id '%s' is not an integer below %u",
                      tok[1], OMN_MAX_VECTOR_ID);
    if (strlen(c) < 1 || strlen(c) > 3 || strspn(c, "ETV") != strlen(c) ||
        !strchr(c, 'V') || strchr(c, 'E') != strrchr(c, 'E') ||
        strchr(c, 'T') != strrchr(c, 'T') || strchr(c, 'V') != strrchr(c, 'V'))
      return omn_fail(err, col[4],
                      "columns '%s': want letters E, T, V (each at most "
                      "once, V required), e.g. ETV or TV",
                      c);
    if (id >= p->n_cols) {
      size_t nc = p->n_cols ? p->n_cols : 64;
      char(*g)[5];

      while (nc <= id)
        nc *= 2;
      g = realloc(p->cols, nc * sizeof(*g));
      if (!g)
        return omn_fail(err, col[1], "out of memory");
      memset(g + p->n_cols, 0, (nc - p->n_cols) * sizeof(*g));
      p->cols = g;
      p->n_cols = nc;
    }
    if (p->cols[id][0])
      return omn_fail(err, col[1], "vector %llu is declared twice",
                      (unsigned long long)id);
    snprintf(p->cols[id], sizeof(p->cols[id]), "%s", c);
    out->vector_id = (uint32_t)id;
    out->ntok = 4;
    out->tok[3] = p->cols[id];
    p->scope = OMN_SCOPE_VECTOR;
    break;
  }
  case OMN_SCALAR:
    if (omn_number(tok[3], &out->num) != 0)
      return omn_fail(err, col[3], "scalar value '%s' is not a number",
                      tok[3]);
    p->scope = OMN_SCOPE_SCALAR;
    break;
  case OMN_STATISTIC:
    p->scope = OMN_SCOPE_STATISTIC;
    p->in_stat = 1;
    break;
  case OMN_FIELD:
  case OMN_BIN:
    if (!p->in_stat)
      return omn_fail(err, col[0], "'%s' outside a statistic", kw->name);
    if (kw->kind == OMN_FIELD) {
      if (omn_number(tok[2], &out->num) != 0)
        return omn_fail(err, col[2], "field value '%s' is not a number",
                        tok[2]);
      break;
    }
    if (omn_number(tok[1], &out->num) != 0)
      return omn_fail(err, col[1], "bin lower bound '%s' is not a number",
                      tok[1]);
    if (omn_number(tok[2], &out->num2) != 0 || !(out->num2 >= 0))
      return omn_fail(err, col[2], "bin count '%s' is not a number >= 0",
                      tok[2]);
    break;
  default:
    break;
  }
  return 0;
}

int omn_finish(omn_parser *p, omn_error *err)
{
  if (!p->have_run)
    return omn_fail(err, 1, "no 'run' line (is it an OMNeT++ result file?)");
  return 0;
}
