/*
 * conf.c - the neutral configuration tree: building, copying, merging
 * (profile `extends:`), dumping as YAML and typed parsing of scalars.
 * The YAML reader lives in conf_yaml.c.
 *
 * File names: every node points at an interned copy of its file name.
 * After conf_merge() nodes from several files live in one tree, so the
 * names cannot belong to any one tree; they sit in a small process-wide
 * table that is freed at exit.  A process reads a handful of files.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "conf.h"

#define CONF_BUILTIN "<builtin>"

typedef struct conf_name {
  struct conf_name *next;
  char text[];
} conf_name;

static conf_name *conf_names;
static int conf_names_atexit;

static void conf_names_free(void)
{
  conf_name *n = conf_names;

  while (n) {
    conf_name *next = n->next;
    free(n);
    n = next;
  }
  conf_names = NULL;
}

/* Return the one shared copy of `file` (NULL: "<builtin>"). */
static const char *conf_intern(const char *file)
{
  conf_name *n;
  size_t len;

  if (!file)
    file = CONF_BUILTIN;
  for (n = conf_names; n; n = n->next)
    if (strcmp(n->text, file) == 0)
      return n->text;
  len = strlen(file);
  n = malloc(sizeof(*n) + len + 1);
  if (!n)
    return NULL;
  memcpy(n->text, file, len + 1);
  n->next = conf_names;
  conf_names = n;
  if (!conf_names_atexit) {
    conf_names_atexit = 1;
    atexit(conf_names_free);
  }
  return n->text;
}

bn_node *conf_new(conf_type type, const char *file, int line, int col)
{
  bn_node *n = calloc(1, sizeof(*n));

  if (!n)
    return NULL;
  n->type = type;
  n->file = conf_intern(file);
  if (!n->file) {
    free(n);
    return NULL;
  }
  n->line = line;
  n->col = col;
  return n;
}

bn_node *conf_new_scalar(const char *value, const char *file, int line,
                         int col)
{
  bn_node *n = conf_new(CONF_SCALAR, file, line, col);

  if (!n)
    return NULL;
  n->value = strdup(value ? value : "");
  if (!n->value) {
    free(n);
    return NULL;
  }
  return n;
}

void conf_free(bn_node *n)
{
  size_t i;

  if (!n)
    return;
  for (i = 0; i < n->n_items; i++)
    conf_free(n->items[i]);
  free(n->items);
  free(n->key);
  free(n->value);
  free(n);
}

static int conf_grow(bn_node *parent)
{
  size_t cap;
  bn_node **items;

  if (parent->n_items < parent->cap_items)
    return 0;
  cap = parent->cap_items ? parent->cap_items * 2 : 4;
  items = realloc(parent->items, cap * sizeof(*items));
  if (!items)
    return BN_ENOMEM;
  parent->items = items;
  parent->cap_items = cap;
  return 0;
}

int conf_append(bn_node *parent, const char *key, bn_node *child)
{
  char *k = NULL;

  if (!parent || !child || parent->type == CONF_SCALAR)
    return BN_EINVAL;
  if (parent->type == CONF_MAP) {
    /* A map never holds a key twice: callers check and report first. */
    if (!key || conf_get(parent, key))
      return BN_EINVAL;
    k = strdup(key);
    if (!k)
      return BN_ENOMEM;
  }
  if (conf_grow(parent) < 0) {
    free(k);
    return BN_ENOMEM;
  }
  free(child->key);
  child->key = k;
  if (k && child->key_line == 0) {
    child->key_line = child->line;
    child->key_col = child->col;
  }
  parent->items[parent->n_items++] = child;
  return 0;
}

bn_node *conf_copy(const bn_node *n)
{
  bn_node *c;
  size_t i;

  if (!n)
    return NULL;
  c = calloc(1, sizeof(*c));
  if (!c)
    return NULL;
  *c = *n;
  c->key = NULL;
  c->value = NULL;
  c->items = NULL;
  c->n_items = 0;
  c->cap_items = 0;
  if ((n->key && !(c->key = strdup(n->key))) ||
      (n->value && !(c->value = strdup(n->value))))
    goto fail;
  if (n->n_items) {
    c->items = calloc(n->n_items, sizeof(*c->items));
    if (!c->items)
      goto fail;
    c->cap_items = n->n_items;
    for (i = 0; i < n->n_items; i++) {
      c->items[i] = conf_copy(n->items[i]);
      if (!c->items[i])
        goto fail;
      c->n_items++;
    }
  }
  return c;
fail:
  conf_free(c);
  return NULL;
}

bn_node *conf_get(const bn_node *map, const char *key)
{
  size_t i;

  if (!map || map->type != CONF_MAP || !key)
    return NULL;
  for (i = 0; i < map->n_items; i++)
    if (strcmp(map->items[i]->key, key) == 0)
      return map->items[i];
  return NULL;
}

int conf_remove(bn_node *map, const char *key)
{
  size_t i;

  if (!map || map->type != CONF_MAP || !key)
    return 0;
  for (i = 0; i < map->n_items; i++) {
    if (strcmp(map->items[i]->key, key) == 0) {
      conf_free(map->items[i]);
      memmove(&map->items[i], &map->items[i + 1],
              (map->n_items - i - 1) * sizeof(*map->items));
      map->n_items--;
      return 1;
    }
  }
  return 0;
}

const char *conf_scalar(const bn_node *n)
{
  if (!n || n->type != CONF_SCALAR)
    return NULL;
  return n->value;
}

const char *conf_where(const bn_node *n, char *buf, size_t len)
{
  if (!buf || len == 0)
    return "";
  if (!n)
    snprintf(buf, len, "%s", CONF_BUILTIN);
  else
    snprintf(buf, len, "%s:%d:%d", n->file ? n->file : CONF_BUILTIN, n->line,
             n->col);
  return buf;
}

/* ------------------------------------------------------------------ */
/* Merging                                                              */
/* ------------------------------------------------------------------ */

/* The identity of a list item for merging: its name, else its plugin. */
static const char *conf_item_id(const bn_node *item)
{
  const char *id;

  if (!item || item->type != CONF_MAP)
    return NULL;
  id = conf_scalar(conf_get(item, "name"));
  if (id && *id)
    return id;
  id = conf_scalar(conf_get(item, "plugin"));
  if (id && *id)
    return id;
  return NULL;
}

/* `enabled: false` (or no/off) on a list item. */
static int conf_item_disabled(const bn_node *item)
{
  int on = 1;
  const char *s = conf_scalar(conf_get(item, "enabled"));

  if (s && conf_parse_bool(s, &on) == 0 && !on)
    return 1;
  return 0;
}

/*
 * Lists merge item by item when every item on both sides is a map with
 * an identity.  An empty `over` list replaces: `probes: []` clears what
 * was inherited.
 */
static int conf_named_list(const bn_node *base, const bn_node *over)
{
  size_t i;

  if (over->n_items == 0)
    return 0;
  for (i = 0; i < over->n_items; i++)
    if (!conf_item_id(over->items[i]))
      return 0;
  for (i = 0; i < base->n_items; i++)
    if (!conf_item_id(base->items[i]))
      return 0;
  return 1;
}

static ssize_t conf_find_item(const bn_node *list, size_t n, const char *id)
{
  size_t i;

  for (i = 0; i < n; i++) {
    const char *other = conf_item_id(list->items[i]);

    if (other && strcmp(other, id) == 0)
      return (ssize_t)i;
  }
  return -1;
}

static void conf_take_key(bn_node *to, const bn_node *from)
{
  to->key_line = from->key_line;
  to->key_col = from->key_col;
}

/*
 * Merge `over` into `res` (a copy of the base list), in place.  Items of
 * `over` only ever match inherited ones: two entries of one file with the
 * same name stay two, so that the profile reports the duplicate.
 */
static int conf_merge_list(bn_node *res, const bn_node *over)
{
  size_t i, inherited = res->n_items;

  for (i = 0; i < over->n_items; i++) {
    const bn_node *item = over->items[i];
    ssize_t at = conf_find_item(res, inherited, conf_item_id(item));
    bn_node *m;

    if (at >= 0 && conf_item_disabled(item)) {
      conf_free(res->items[at]);
      memmove(&res->items[at], &res->items[at + 1],
              (res->n_items - (size_t)at - 1) * sizeof(*res->items));
      res->n_items--;
      inherited--;
      continue;
    }
    if (at >= 0) {
      m = conf_merge(res->items[at], item);
      if (!m)
        return BN_ENOMEM;
      conf_free(res->items[at]);
      res->items[at] = m;
      continue;
    }
    /* New, or disabling nothing: keep it; the profile drops it later. */
    m = conf_copy(item);
    if (!m || conf_append(res, NULL, m) < 0) {
      conf_free(m);
      return BN_ENOMEM;
    }
  }
  return 0;
}

/* Merge map `over` into `res` (a copy of the base map), in place. */
static int conf_merge_map(bn_node *res, const bn_node *over)
{
  size_t i;

  for (i = 0; i < over->n_items; i++) {
    const bn_node *o = over->items[i];
    bn_node *b = conf_get(res, o->key);
    bn_node *m;
    size_t j;

    if (!b) {
      m = conf_copy(o);
      if (!m || conf_append(res, o->key, m) < 0) {
        conf_free(m);
        return BN_ENOMEM;
      }
      continue;
    }
    m = conf_merge(b, o);
    if (!m)
      return BN_ENOMEM;
    conf_take_key(m, o);
    for (j = 0; j < res->n_items; j++)
      if (res->items[j] == b)
        res->items[j] = m;
    conf_free(b);
  }
  return 0;
}

bn_node *conf_merge(const bn_node *base, const bn_node *over)
{
  bn_node *res;
  int rc = 0;

  if (!base)
    return conf_copy(over);
  if (!over)
    return conf_copy(base);
  if (base->type != over->type || over->type == CONF_SCALAR ||
      (over->type == CONF_LIST && !conf_named_list(base, over)))
    return conf_copy(over);
  res = conf_copy(base);
  if (!res)
    return NULL;
  /* The merged node stands where the overriding one was written. */
  res->file = over->file;
  res->line = over->line;
  res->col = over->col;
  if (over->type == CONF_MAP)
    rc = conf_merge_map(res, over);
  else
    rc = conf_merge_list(res, over);
  if (rc < 0) {
    conf_free(res);
    return NULL;
  }
  return res;
}

/* ------------------------------------------------------------------ */
/* Dumping as YAML                                                      */
/* ------------------------------------------------------------------ */

static int conf_blank(char c)
{
  return c == ' ' || c == '\t';
}

/*
 * Can `s` be written as a plain block scalar and read back as the same
 * text?  Conservative: when in doubt, quote.
 */
static int conf_plain_ok(const char *s)
{
  size_t len = strlen(s), i;
  unsigned char c0 = (unsigned char)s[0];

  if (len == 0 || conf_blank(s[0]) || conf_blank(s[len - 1]) ||
      s[len - 1] == ':')
    return 0;
  if (strchr("-?:,[]{}#&*!|>'\"%@`", c0)) {
    /* "-x", "?x", ":x" are plain when followed by a non-blank. */
    if (!strchr("-?:", c0) || s[1] == '\0' || conf_blank(s[1]))
      return 0;
  }
  if (strncmp(s, "---", 3) == 0 || strncmp(s, "...", 3) == 0)
    return 0;
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];

    /* Control characters (but tab) and DEL need escapes. */
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      return 0;
    if (c == ':' && conf_blank(s[i + 1]))
      return 0;
    if (c == '#' && i > 0 && conf_blank(s[i - 1]))
      return 0;
  }
  return 1;
}

static void conf_dump_quoted(const char *s, FILE *out)
{
  fputc('"', out);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;

    switch (c) {
    case '"':
      fputs("\\\"", out);
      break;
    case '\\':
      fputs("\\\\", out);
      break;
    case '\n':
      fputs("\\n", out);
      break;
    case '\t':
      fputs("\\t", out);
      break;
    case '\r':
      fputs("\\r", out);
      break;
    default:
      if (c < 0x20 || c == 0x7f)
        fprintf(out, "\\x%02x", c);
      else
        fputc(c, out);
    }
  }
  fputc('"', out);
}

static void conf_dump_text(const char *s, int quoted, FILE *out)
{
  if (!quoted && conf_plain_ok(s))
    fputs(s, out);
  else
    conf_dump_quoted(s, out);
}

static void conf_indent(int n, FILE *out)
{
  while (n-- > 0)
    fputc(' ', out);
}

static void conf_dump_list(const bn_node *list, int indent, FILE *out);
static void conf_dump_entries(const bn_node *map, int indent, int inline1,
                              FILE *out);

/* A value after "key:" or "-": the rest of the line and what follows. */
static void conf_dump_value(const bn_node *n, int indent, FILE *out)
{
  if (n->type == CONF_SCALAR) {
    /* A plain empty scalar is YAML null: write nothing after the ':'. */
    if (n->value[0] || n->quoted) {
      fputc(' ', out);
      conf_dump_text(n->value, n->quoted, out);
    }
    fputc('\n', out);
  } else if (n->n_items == 0) {
    fputs(n->type == CONF_MAP ? " {}\n" : " []\n", out);
  } else if (n->type == CONF_MAP) {
    fputc('\n', out);
    conf_dump_entries(n, indent + 2, 0, out);
  } else {
    fputc('\n', out);
    conf_dump_list(n, indent + 2, out);
  }
}

static void conf_dump_entries(const bn_node *map, int indent, int inline1,
                              FILE *out)
{
  size_t i;

  for (i = 0; i < map->n_items; i++) {
    if (i > 0 || !inline1)
      conf_indent(indent, out);
    conf_dump_text(map->items[i]->key, 0, out);
    fputc(':', out);
    conf_dump_value(map->items[i], indent, out);
  }
}

static void conf_dump_list(const bn_node *list, int indent, FILE *out)
{
  size_t i;

  for (i = 0; i < list->n_items; i++) {
    const bn_node *item = list->items[i];

    conf_indent(indent, out);
    fputc('-', out);
    if (item->type == CONF_MAP && item->n_items > 0) {
      fputc(' ', out);
      conf_dump_entries(item, indent + 2, 1, out);
    } else {
      conf_dump_value(item, indent, out);
    }
  }
}

void conf_dump(const bn_node *n, FILE *out)
{
  if (!n || !out)
    return;
  if (n->type == CONF_MAP && n->n_items > 0)
    conf_dump_entries(n, 0, 0, out);
  else if (n->type == CONF_LIST && n->n_items > 0)
    conf_dump_list(n, 0, out);
  else if (n->type == CONF_SCALAR) {
    conf_dump_text(n->value, n->quoted, out);
    fputc('\n', out);
  } else
    fputs(n->type == CONF_MAP ? "{}\n" : "[]\n", out);
}

/* ------------------------------------------------------------------ */
/* Typed scalars                                                        */
/* ------------------------------------------------------------------ */

int conf_parse_int(const char *s, int64_t *out)
{
  char *end;
  long long v;

  if (!s || !*s || isspace((unsigned char)s[0]))
    return BN_EINVAL;
  errno = 0;
  v = strtoll(s, &end, 10);
  if (errno || *end)
    return BN_EINVAL;
  if (out)
    *out = (int64_t)v;
  return 0;
}

int conf_parse_double(const char *s, double *out)
{
  char *end;
  double v;
  const char *p;

  if (!s || !*s || isspace((unsigned char)s[0]))
    return BN_EINVAL;
  /* strtod also takes hex, inf and nan: a profile means decimals. */
  for (p = s; *p; p++)
    if (!isdigit((unsigned char)*p) && !strchr("+-.eE", *p))
      return BN_EINVAL;
  errno = 0;
  v = strtod(s, &end);
  if (errno || *end || !isfinite(v))
    return BN_EINVAL;
  if (out)
    *out = v;
  return 0;
}

int conf_parse_bool(const char *s, int *out)
{
  static const char *const yes[] = {"true", "yes", "on"};
  static const char *const no[] = {"false", "no", "off"};
  size_t i;

  if (!s)
    return BN_EINVAL;
  for (i = 0; i < 3; i++) {
    if (strcasecmp(s, yes[i]) == 0) {
      if (out)
        *out = 1;
      return 0;
    }
    if (strcasecmp(s, no[i]) == 0) {
      if (out)
        *out = 0;
      return 0;
    }
  }
  return BN_EINVAL;
}

/*
 * Read "DIGITS[.DIGITS]" into an integer part and a fraction; *end is
 * left on the first character after the number.
 */
static int conf_parse_decimal(const char *s, int64_t *ip, double *frac,
                              const char **end)
{
  int64_t v = 0;
  double f = 0, scale = 0.1;
  int digits = 0;

  while (isdigit((unsigned char)*s)) {
    int d = *s - '0';

    if (v > (INT64_MAX - d) / 10)
      return BN_EINVAL;
    v = v * 10 + d;
    digits++;
    s++;
  }
  if (*s == '.') {
    s++;
    while (isdigit((unsigned char)*s)) {
      f += (*s - '0') * scale;
      scale /= 10;
      digits++;
      s++;
    }
  }
  if (digits == 0)
    return BN_EINVAL;
  *ip = v;
  *frac = f;
  *end = s;
  return 0;
}

int conf_parse_duration(const char *s, int64_t *out_ns)
{
  static const struct {
    const char *unit;
    int64_t ns;
  } units[] = {
      {"", 1000000000LL},
      {"ns", 1LL},
      {"us", 1000LL},
      {"ms", 1000000LL},
      {"s", 1000000000LL},
      {"m", 60000000000LL},
      {"h", 3600000000000LL},
      {"d", 86400000000000LL},
      {"w", 7 * 86400000000000LL},
      {"y", 365 * 86400000000000LL},
  };
  const char *unit;
  int64_t ip, ns;
  double frac;
  size_t i;

  if (!s || conf_parse_decimal(s, &ip, &frac, &unit) < 0)
    return BN_EINVAL;
  for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
    if (strcmp(unit, units[i].unit) != 0)
      continue;
    if (ip > INT64_MAX / units[i].ns - 1)
      return BN_EINVAL;
    ns = ip * units[i].ns + (int64_t)llround(frac * (double)units[i].ns);
    if (out_ns)
      *out_ns = ns;
    return 0;
  }
  return BN_EINVAL;
}

/* The multiplier of a size or rate prefix ("k", "Mi"...) at *p, moving
 * *p past it: k M G T are SI (powers of 1000), Ki Mi Gi Ti are IEC
 * (powers of 1024); IEC only when `iec` is allowed.  No prefix: 1. */
static double conf_prefix(const char **p, int iec)
{
  static const char pfx[] = "kmgt";
  const char *q = *p;
  const char *hit;
  double base = 1000, m = 1;
  int k;

  if (!*q || !(hit = strchr(pfx, tolower((unsigned char)*q))))
    return 1;
  /* "m" alone would be a mistake for milli: only "M" means mega. */
  if (*q == 'm')
    return -1;
  k = (int)(hit - pfx) + 1;
  q++;
  if (*q == 'i') {
    if (!iec)
      return -1;
    base = 1024;
    q++;
  }
  while (k-- > 0)
    m *= base;
  *p = q;
  return m;
}

int conf_parse_size(const char *s, int64_t *out)
{
  const char *p;
  int64_t ip;
  double frac, m, v;

  if (!s || !isdigit((unsigned char)s[0]) ||
      conf_parse_decimal(s, &ip, &frac, &p) < 0)
    return BN_EINVAL;
  m = conf_prefix(&p, 1);
  if (m < 0)
    return BN_EINVAL;
  if (*p == 'B')
    p++;
  v = ((double)ip + frac) * m;
  /* a size is a whole number of bytes */
  if (*p || v >= 9.2e18 || v != floor(v))
    return BN_EINVAL;
  if (out)
    *out = (int64_t)v;
  return 0;
}

int conf_parse_rate(const char *s, double *out_bps)
{
  const char *p;
  int64_t ip;
  double frac, m;

  if (!s || !isdigit((unsigned char)s[0]) ||
      conf_parse_decimal(s, &ip, &frac, &p) < 0)
    return BN_EINVAL;
  m = conf_prefix(&p, 0);
  if (m < 0)
    return BN_EINVAL;
  if (strncmp(p, "bit", 3) == 0)
    p += 3;
  else if (*p == 'b')
    p++;
  if (strcmp(p, "/s") == 0 || strcmp(p, "ps") == 0)
    p += 2;
  if (*p)
    return BN_EINVAL;
  if (out_bps)
    *out_bps = ((double)ip + frac) * m;
  return 0;
}
