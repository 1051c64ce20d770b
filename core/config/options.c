/*
 * options.c - check a plugin's part of a profile against the plugin's
 * option table, fill in defaults, and print the table.  Every problem is
 * reported (not just the first) so that one run shows them all.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "options.h"

const char *options_type_name(bn_opt_type t)
{
  switch (t) {
  case BN_OPT_STRING:
    return "string";
  case BN_OPT_INT:
    return "int";
  case BN_OPT_DOUBLE:
    return "double";
  case BN_OPT_BOOL:
    return "bool";
  case BN_OPT_DURATION:
    return "duration";
  case BN_OPT_SIZE:
    return "size";
  case BN_OPT_LIST:
    return "list";
  case BN_OPT_MAP:
    return "map";
  case BN_OPT_RATE:
    return "rate";
  default:
    return "unknown";
  }
}

/* What a value of type t looks like, for "expects ..." messages. */
static const char *opt_expects(bn_opt_type t)
{
  switch (t) {
  case BN_OPT_INT:
    return "an integer";
  case BN_OPT_DOUBLE:
    return "a number";
  case BN_OPT_BOOL:
    return "true or false";
  case BN_OPT_DURATION:
    return "a duration like 250ms or 2s";
  case BN_OPT_SIZE:
    return "a size like 1500, 64k (SI) or 8MiB (IEC)";
  case BN_OPT_RATE:
    return "a rate in bits/s like 200M or 1.5Gbit";
  case BN_OPT_LIST:
    return "a list";
  case BN_OPT_MAP:
    return "a map";
  default:
    return "a string";
  }
}

static void opt_fmt_num(double v, char *buf, size_t len)
{
  if (v == floor(v) && fabs(v) < 1e15)
    snprintf(buf, len, "%.0f", v);
  else
    snprintf(buf, len, "%g", v);
}

/* Seconds as the largest unit that shows them exactly: 0.01 -> 10ms. */
static void opt_fmt_duration(double sec, char *buf, size_t len)
{
  static const struct {
    const char *unit;
    int64_t ns;
  } units[] = {{"h", 3600000000000LL}, {"m", 60000000000LL},
               {"s", 1000000000LL},    {"ms", 1000000LL},
               {"us", 1000LL},         {"ns", 1LL}};
  int64_t ns = (int64_t)llround(sec * 1e9);
  size_t i;

  if (ns == 0) {
    snprintf(buf, len, "0s");
    return;
  }
  for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
    if (ns % units[i].ns == 0) {
      snprintf(buf, len, "%" PRId64 "%s", ns / units[i].ns, units[i].unit);
      return;
    }
  }
}

/* Bytes with the largest exact prefix, IEC before SI: 1048576 -> 1MiB,
 * 1000000 -> 1M.  Rates (bits/s) use SI only. */
static void opt_fmt_size(double bytes, int iec, char *buf, size_t len)
{
  static const char sfx[] = "kMGT";
  int64_t v = (int64_t)llround(bytes), w = v;
  int i = -1, j = -1;

  while (iec && i < 3 && v != 0 && v % 1024 == 0) {
    v /= 1024;
    i++;
  }
  if (i >= 0) {
    snprintf(buf, len, "%" PRId64 "%ciB", v, "KMGT"[i]);
    return;
  }
  while (j < 3 && w != 0 && w % 1000 == 0) {
    w /= 1000;
    j++;
  }
  if (j < 0)
    snprintf(buf, len, "%" PRId64, w);
  else
    snprintf(buf, len, "%" PRId64 "%c", w, sfx[j]);
}

static void opt_fmt_bound(const bn_option *o, double v, char *buf, size_t len)
{
  if (o->type == BN_OPT_DURATION)
    opt_fmt_duration(v, buf, len);
  else if (o->type == BN_OPT_SIZE || o->type == BN_OPT_RATE)
    opt_fmt_size(v, o->type == BN_OPT_SIZE, buf, len);
  else
    opt_fmt_num(v, buf, len);
}

static int opt_has_range(const bn_option *o)
{
  return o->min < o->max &&
         (o->type == BN_OPT_INT || o->type == BN_OPT_DOUBLE ||
          o->type == BN_OPT_DURATION || o->type == BN_OPT_SIZE ||
          o->type == BN_OPT_RATE);
}

static const bn_option *opt_find(const bn_option *table, const char *key)
{
  for (; table && table->name; table++)
    if (strcmp(table->name, key) == 0)
      return table;
  return NULL;
}

static int opt_reserved(const char *const *reserved, const char *key)
{
  for (; reserved && *reserved; reserved++)
    if (strcmp(*reserved, key) == 0)
      return 1;
  return 0;
}

/* "a, b, c" of the table's option names. */
static void opt_known(const bn_option *table, char *buf, size_t len)
{
  size_t used = 0;

  buf[0] = '\0';
  for (; table && table->name && used < len; table++) {
    int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
                     table->name);
    if (n < 0)
      break;
    used += (size_t)n;
  }
  if (!buf[0])
    snprintf(buf, len, "none");
}

static const char *opt_got(const bn_node *n)
{
  return n->type == CONF_MAP ? "a map" : "a list";
}

/* The option's value as a number in the unit of its bounds. */
static int opt_number(const bn_option *o, const char *s, double *v)
{
  int64_t i;

  switch (o->type) {
  case BN_OPT_INT:
    if (conf_parse_int(s, &i) < 0)
      return BN_EINVAL;
    *v = (double)i;
    return 0;
  case BN_OPT_DOUBLE:
    return conf_parse_double(s, v);
  case BN_OPT_DURATION:
    if (conf_parse_duration(s, &i) < 0)
      return BN_EINVAL;
    *v = (double)i / 1e9;
    return 0;
  case BN_OPT_SIZE:
    if (conf_parse_size(s, &i) < 0)
      return BN_EINVAL;
    *v = (double)i;
    return 0;
  case BN_OPT_RATE:
    return conf_parse_rate(s, v);
  default:
    *v = 0;
    return 0;
  }
}

/* Check one value against its option; log and return BN_EINVAL. */
/* The first control character of s (CR, LF, ESC, BEL, TAB ...), or -1:
 * an option value goes into requests, file names and terminal output. */
static int opt_control(const char *s)
{
  const unsigned char *p = (const unsigned char *)s;

  for (; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return *p;
  return -1;
}

static int opt_check_text(const bn_option *o, const bn_node *n,
                          const char *owner)
{
  char where[512];
  const char *s = conf_scalar(n);
  int ch = s ? opt_control(s) : -1;

  if (ch < 0)
    return 0;
  conf_where(n, where, sizeof(where));
  log_error(NULL,
            "%s: %s: option '%s' contains a control character (0x%02x); "
            "remove it",
            where, owner, o->name, ch);
  return BN_EINVAL;
}

static int opt_check(const bn_option *o, const bn_node *n, const char *owner)
{
  char where[512], lo[64], hi[64];
  const char *s = conf_scalar(n);
  double v = 0;
  int b;
  size_t i;

  conf_where(n, where, sizeof(where));
  if (o->type == BN_OPT_MAP || o->type == BN_OPT_LIST) {
    conf_type want = o->type == BN_OPT_MAP ? CONF_MAP : CONF_LIST;

    if (n->type != want) {
      if (s)
        log_error(NULL, "%s: %s: option '%s' expects %s, got '%s'", where,
                  owner, o->name, opt_expects(o->type), s);
      else
        log_error(NULL, "%s: %s: option '%s' expects %s, got %s", where, owner,
                  o->name, opt_expects(o->type), opt_got(n));
      return BN_EINVAL;
    }
    for (i = 0; want == CONF_LIST && i < n->n_items; i++) {
      if (opt_check_text(o, n->items[i], owner) < 0)
        return BN_EINVAL;
      if (n->items[i]->type != CONF_SCALAR) {
        conf_where(n->items[i], where, sizeof(where));
        log_error(NULL,
                  "%s: %s: option '%s' expects a list of "
                  "values, got %s in it",
                  where, owner, o->name, opt_got(n->items[i]));
        return BN_EINVAL;
      }
    }
    return 0;
  }
  if (!s) {
    log_error(NULL, "%s: %s: option '%s' expects %s, got %s", where, owner,
              o->name, opt_expects(o->type), opt_got(n));
    return BN_EINVAL;
  }
  if (opt_check_text(o, n, owner) < 0)
    return BN_EINVAL;
  if ((o->type == BN_OPT_BOOL && conf_parse_bool(s, &b) < 0) ||
      opt_number(o, s, &v) < 0) {
    log_error(NULL, "%s: %s: option '%s' expects %s, got '%s'", where, owner,
              o->name, opt_expects(o->type), s);
    return BN_EINVAL;
  }
  /* Durations compare in whole ns, so 10ms equals a 0.01 s bound. */
  if (opt_has_range(o) && (o->type == BN_OPT_DURATION
                               ? (llround(v * 1e9) < llround(o->min * 1e9) ||
                                  llround(v * 1e9) > llround(o->max * 1e9))
                               : (v < o->min || v > o->max))) {
    opt_fmt_bound(o, o->min, lo, sizeof(lo));
    opt_fmt_bound(o, o->max, hi, sizeof(hi));
    log_error(NULL,
              "%s: %s: option '%s' must be between %s and %s, "
              "got %s",
              where, owner, o->name, lo, hi, s);
    return BN_EINVAL;
  }
  return 0;
}

/* Give a default subtree the position of the map it was added to. */
static void opt_place(bn_node *n, const bn_node *map)
{
  size_t i;

  n->file = map->file;
  n->line = map->line;
  n->col = map->col;
  n->key_line = map->line;
  n->key_col = map->col;
  for (i = 0; i < n->n_items; i++)
    opt_place(n->items[i], map);
}

/* A node for an option's default (YAML text for lists and maps). */
static bn_node *opt_default(const bn_option *o, const bn_node *map)
{
  bn_node *doc = NULL, *n = NULL;
  char *text;
  size_t len;

  if (o->type != BN_OPT_LIST && o->type != BN_OPT_MAP) {
    n = conf_new_scalar(o->def, map->file, map->line, map->col);
    if (n)
      n->quoted = o->type == BN_OPT_STRING;
    return n;
  }
  len = strlen(o->def) + 8;
  text = malloc(len);
  if (!text)
    return NULL;
  snprintf(text, len, "v: %s\n", o->def);
  if (conf_parse_string(text, "<default>", &doc, NULL, 0) == 0 &&
      doc->n_items == 1) {
    n = doc->items[0];
    doc->n_items = 0;
    opt_place(n, map);
  }
  conf_free(doc);
  free(text);
  return n;
}

int options_validate(const bn_option *table, bn_node *map,
                     const char *const *reserved, const char *plugin)
{
  char where[512], known[1024], owner[160];
  const bn_option *o;
  int rc = 0;
  size_t i;

  if (!plugin)
    plugin = "?";
  /* "@name" is a section of the profile checked with the same table. */
  if (plugin[0] == '@')
    snprintf(owner, sizeof(owner), "section '%s'", plugin + 1);
  else
    snprintf(owner, sizeof(owner), "plugin '%s'", plugin);
  if (!map || map->type != CONF_MAP) {
    log_error(NULL, "%s: %s: expected a map of options",
              conf_where(map, where, sizeof(where)), owner);
    return BN_EINVAL;
  }
  for (i = 0; i < map->n_items; i++) {
    const bn_node *n = map->items[i];

    if (opt_reserved(reserved, n->key))
      continue;
    o = opt_find(table, n->key);
    if (!o) {
      opt_known(table, known, sizeof(known));
      snprintf(where, sizeof(where), "%s:%d:%d", n->file, n->key_line,
               n->key_col);
      log_error(NULL, "%s: %s: unknown option '%s' (known: %s)", where, owner,
                n->key, known);
      rc = BN_EINVAL;
      continue;
    }
    if (opt_check(o, n, owner) < 0)
      rc = BN_EINVAL;
  }
  for (o = table; o && o->name; o++) {
    bn_node *d;

    if (opt_reserved(reserved, o->name) || conf_get(map, o->name))
      continue;
    if (o->required) {
      log_error(NULL, "%s: %s: missing required option '%s'",
                conf_where(map, where, sizeof(where)), owner, o->name);
      rc = BN_EINVAL;
      continue;
    }
    if (!o->def)
      continue;
    d = opt_default(o, map);
    if (!d || conf_append(map, o->name, d) < 0) {
      conf_free(d);
      log_error(NULL, "%s: %s: bad default for option '%s'",
                conf_where(map, where, sizeof(where)), owner, o->name);
      rc = BN_EINVAL;
    }
  }
  return rc;
}

/* The DEFAULT and RANGE cells of one option. */
static void opt_cells(const bn_option *o, char *def, size_t dlen, char *range,
                      size_t rlen)
{
  char lo[64], hi[64];

  if (o->required)
    snprintf(def, dlen, "(required)");
  else if (o->def)
    snprintf(def, dlen, "%s", o->def[0] ? o->def : "\"\"");
  else
    snprintf(def, dlen, "(none)");
  if (opt_has_range(o)) {
    opt_fmt_bound(o, o->min, lo, sizeof(lo));
    opt_fmt_bound(o, o->max, hi, sizeof(hi));
    snprintf(range, rlen, "%s..%s", lo, hi);
  } else {
    snprintf(range, rlen, "-");
  }
}

static int opt_max(int a, size_t b)
{
  return (size_t)a > b ? a : (int)b;
}

void options_describe(const bn_option *table, FILE *out)
{
  char def[128], range[160];
  int wn = 6, wt = 4, wd = 7, wr = 5; /* widths of the headings */
  const bn_option *o;

  if (!table || !table->name) {
    fputs("(no options)\n", out);
    return;
  }
  for (o = table; o->name; o++) {
    opt_cells(o, def, sizeof(def), range, sizeof(range));
    wn = opt_max(wn, strlen(o->name));
    wt = opt_max(wt, strlen(options_type_name(o->type)));
    wd = opt_max(wd, strlen(def));
    wr = opt_max(wr, strlen(range));
  }
  fprintf(out, "%-*s  %-*s  %-*s  %-*s  %s\n", wn, "OPTION", wt, "TYPE", wd,
          "DEFAULT", wr, "RANGE", "DESCRIPTION");
  for (o = table; o->name; o++) {
    opt_cells(o, def, sizeof(def), range, sizeof(range));
    fprintf(out, "%-*s  %-*s  %-*s  %-*s  %s\n", wn, o->name, wt,
            options_type_name(o->type), wd, def, wr, range,
            o->help ? o->help : "");
  }
}

/* The field sizes an option type may fill. */
static int opt_field_fits(const bn_option *o)
{
  switch (o->type) {
  case BN_OPT_STRING:
    return o->field_size == sizeof(const char *);
  case BN_OPT_INT:
    return o->field_size == sizeof(int64_t) || o->field_size == sizeof(int);
  case BN_OPT_DOUBLE:
  case BN_OPT_RATE:
    return o->field_size == sizeof(double);
  case BN_OPT_BOOL:
    return o->field_size == sizeof(int);
  case BN_OPT_DURATION:
  case BN_OPT_SIZE:
    return o->field_size == sizeof(int64_t);
  case BN_OPT_LIST:
  case BN_OPT_MAP:
    return o->field_size == sizeof(const bn_node *);
  default:
    return 0;
  }
}

int options_check_table(const bn_option *table, const char *plugin)
{
  const bn_option *o;

  for (o = table; o && o->name; o++) {
    if (o->field_size && !opt_field_fits(o)) {
      log_error(NULL,
                "plugin '%s': option '%s' of type %s fills a field of %zu "
                "bytes; declare the field with the type docs/sdk.md gives "
                "for %s and rebuild the plugin",
                plugin, o->name, options_type_name(o->type), o->field_size,
                options_type_name(o->type));
      return BN_EINVAL;
    }
  }
  return 0;
}

/* Store one validated scalar into its field. */
static int opt_fill_one(const bn_option *o, const bn_node *n, char *field)
{
  const char *s = conf_scalar(n);
  int64_t i = 0;
  double d = 0;
  int b = 0;

  switch (o->type) {
  case BN_OPT_LIST:
  case BN_OPT_MAP:
    memcpy(field, &n, sizeof(n));
    return 0;
  case BN_OPT_STRING:
    memcpy(field, &s, sizeof(s));
    return s ? 0 : BN_EINVAL;
  case BN_OPT_BOOL:
    if (conf_parse_bool(s, &b) < 0)
      return BN_EINVAL;
    memcpy(field, &b, sizeof(b));
    return 0;
  case BN_OPT_DOUBLE:
  case BN_OPT_RATE:
    if ((o->type == BN_OPT_DOUBLE ? conf_parse_double(s, &d)
                                  : conf_parse_rate(s, &d)) < 0)
      return BN_EINVAL;
    memcpy(field, &d, sizeof(d));
    return 0;
  case BN_OPT_INT:
  case BN_OPT_DURATION:
  case BN_OPT_SIZE:
    if ((o->type == BN_OPT_INT        ? conf_parse_int(s, &i)
         : o->type == BN_OPT_DURATION ? conf_parse_duration(s, &i)
                                      : conf_parse_size(s, &i)) < 0)
      return BN_EINVAL;
    if (o->field_size == sizeof(int)) {
      int v = (int)i;

      if ((int64_t)v != i)
        return BN_EINVAL;
      memcpy(field, &v, sizeof(v));
    } else {
      memcpy(field, &i, sizeof(i));
    }
    return 0;
  default:
    return BN_EINVAL;
  }
}

int options_fill(const bn_option *table, const bn_node *map, void *cfg,
                 const char *plugin)
{
  char where[512];
  const bn_option *o;
  int rc = 0;

  if (options_check_table(table, plugin) < 0)
    return BN_EINVAL;
  for (o = table; o && o->name; o++) {
    const bn_node *n;

    if (!o->field_size)
      continue;
    n = map ? conf_get(map, o->name) : NULL;
    if (!n)
      continue;
    if (opt_fill_one(o, n, (char *)cfg + o->offset) < 0) {
      log_error(NULL, "%s: plugin '%s': option '%s' expects %s, got '%s'",
                conf_where(n, where, sizeof(where)), plugin, o->name,
                opt_expects(o->type), conf_scalar(n) ? conf_scalar(n) : "?");
      rc = BN_EINVAL;
    }
  }
  return rc;
}
