/*
 * csv.c - an example reporter: the report model as one CSV table, built
 * out of tree against the installed SDK (`make && make install`).
 *
 * The plugin declares the format "csv", so `bottleneck report -f csv`
 * picks it, and a profile can list it under `reporters:`.
 *
 * The host builds the report model once (range, preset and redaction
 * already applied, every statistic computed) and hands it over as JSON
 * text (docs/schemas/report.schema.json).  This reporter reads it with
 * the small JSON reader below, so it needs nothing but the SDK; a real
 * one may as well use json-c.  It writes the sections the model lists,
 * in that order, as rows of one long table:
 *
 *   section,time,target,probe,metric,sent,lost,loss_pct,min,p50,p95,max,
 *   avg,jitter,severity,type,message
 *
 *   - summary: one row per series (time empty);
 *   - latency: one row per series and time bucket (time: bucket start,
 *     Unix seconds);
 *   - alerts: one row per event (probe: the instance that raised it);
 *   - a section that is not available: one row with its note in message;
 *   - other sections (charts, paths) have no CSV form and are left out.
 *
 * Statistics that were not measured are null in the model and empty
 * cells here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bottleneck/sdk.h>

typedef struct csv_config {
  const char *output; /* file, or "-" for standard output */
  int header;         /* write the header row */
} csv_config;

static const bn_option csv_options[] = {
    {.name = "output",
     .type = BN_OPT_STRING,
     .def = "-",
     .help = "file to write, or - for standard output",
     BN_FIELD(csv_config, output)},
    {.name = "header",
     .type = BN_OPT_BOOL,
     .def = "true",
     .help = "begin with a row of column names",
     BN_FIELD(csv_config, header)},
    BN_OPTIONS_END,
};

static const char *const csv_formats[] = {"csv", NULL};

typedef struct csv_ctx {
  bn_host *h;
  csv_config cfg;
} csv_ctx;

/* ------------------------------------------------------------------ */
/* A small JSON reader: enough for the report model                    */
/* ------------------------------------------------------------------ */

enum json_type { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct json {
  enum json_type type;
  double num;         /* J_NUM, J_BOOL (0/1) */
  char *str;          /* J_STR */
  struct json **kids; /* J_ARR items, J_OBJ values */
  char **keys;        /* J_OBJ keys */
  size_t n;
} json;

typedef struct json_reader {
  const char *p;
  int depth;
} json_reader;

static void json_free(json *v)
{
  size_t i;

  if (!v)
    return;
  for (i = 0; i < v->n; i++) {
    json_free(v->kids[i]);
    if (v->keys)
      free(v->keys[i]);
  }
  free(v->kids);
  free(v->keys);
  free(v->str);
  free(v);
}

static void json_ws(json_reader *r)
{
  while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
    r->p++;
}

/* Append one code point as UTF-8. */
static size_t json_utf8(char *o, unsigned long cp)
{
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (char)(0xc0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xe0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = (char)(0xf0 | (cp >> 18));
  o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
  o[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

static int json_hex4(const char *p, unsigned long *out)
{
  char buf[5];
  char *end;

  memcpy(buf, p, 4);
  buf[4] = '\0';
  *out = strtoul(buf, &end, 16);
  return end == buf + 4 ? 0 : -1;
}

/* A string at r->p (after the opening quote); NULL on a syntax error. */
static char *json_string(json_reader *r)
{
  const char *s = r->p;
  size_t len = 0;
  char *out, *o;
  unsigned long cp, lo;

  while (s[len] && s[len] != '"')
    len += s[len] == '\\' && s[len + 1] ? 2 : 1;
  if (s[len] != '"')
    return NULL;
  out = malloc(len + 1); /* escapes never grow the text */
  if (!out)
    return NULL;
  for (o = out; *s != '"'; s++) {
    if (*s != '\\') {
      *o++ = *s;
      continue;
    }
    s++;
    switch (*s) {
    case 'n':
      *o++ = '\n';
      break;
    case 't':
      *o++ = '\t';
      break;
    case 'r':
      *o++ = '\r';
      break;
    case 'b':
      *o++ = '\b';
      break;
    case 'f':
      *o++ = '\f';
      break;
    case 'u':
      if (json_hex4(s + 1, &cp) < 0)
        goto bad;
      s += 4;
      if (cp >= 0xd800 && cp < 0xdc00 && s[1] == '\\' && s[2] == 'u' &&
          json_hex4(s + 3, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        s += 6;
      }
      o += json_utf8(o, cp);
      break;
    default:
      *o++ = *s;
      break; /* \" \\ \/ */
    }
  }
  *o = '\0';
  r->p = s + 1;
  return out;
bad:
  free(out);
  return NULL;
}

static json *json_value(json_reader *r);

/* Items of an array or members of an object, after the bracket. */
static int json_items(json_reader *r, json *v, char close)
{
  json_ws(r);
  if (*r->p == close) {
    r->p++;
    return 0;
  }
  for (;;) {
    char *key = NULL;
    json *kid;
    void *grown;

    json_ws(r);
    if (close == '}') {
      if (*r->p != '"')
        return -1;
      r->p++;
      key = json_string(r);
      json_ws(r);
      if (!key || *r->p != ':') {
        free(key);
        return -1;
      }
      r->p++;
    }
    kid = json_value(r);
    grown = kid ? realloc(v->kids, (v->n + 1) * sizeof(*v->kids)) : NULL;
    if (grown)
      v->kids = grown;
    if (grown && close == '}') {
      grown = realloc(v->keys, (v->n + 1) * sizeof(*v->keys));
      if (grown)
        v->keys = grown;
    }
    if (!grown) {
      free(key);
      json_free(kid);
      return -1;
    }
    v->kids[v->n] = kid;
    if (close == '}')
      v->keys[v->n] = key;
    v->n++;
    json_ws(r);
    if (*r->p == ',') {
      r->p++;
      continue;
    }
    if (*r->p != close)
      return -1;
    r->p++;
    return 0;
  }
}

static json *json_value(json_reader *r)
{
  json *v;
  char *end;

  json_ws(r);
  if (++r->depth > 64)
    return NULL;
  v = calloc(1, sizeof(*v));
  if (!v)
    return NULL;
  if (*r->p == '{' || *r->p == '[') {
    char close = *r->p == '{' ? '}' : ']';

    v->type = close == '}' ? J_OBJ : J_ARR;
    r->p++;
    if (json_items(r, v, close) < 0)
      goto bad;
  } else if (*r->p == '"') {
    v->type = J_STR;
    r->p++;
    v->str = json_string(r);
    if (!v->str)
      goto bad;
  } else if (strncmp(r->p, "null", 4) == 0) {
    r->p += 4;
  } else if (strncmp(r->p, "true", 4) == 0) {
    v->type = J_BOOL;
    v->num = 1;
    r->p += 4;
  } else if (strncmp(r->p, "false", 5) == 0) {
    v->type = J_BOOL;
    r->p += 5;
  } else {
    v->type = J_NUM;
    v->num = strtod(r->p, &end);
    if (end == r->p)
      goto bad;
    r->p = end;
  }
  r->depth--;
  return v;
bad:
  json_free(v);
  return NULL;
}

/* Member `key` of an object, or NULL. */
static const json *json_get(const json *o, const char *key)
{
  size_t i;

  if (!o || o->type != J_OBJ)
    return NULL;
  for (i = 0; i < o->n; i++)
    if (strcmp(o->keys[i], key) == 0)
      return o->kids[i];
  return NULL;
}

/* ------------------------------------------------------------------ */
/* CSV                                                                 */
/* ------------------------------------------------------------------ */

static const char *const csv_columns[] = {
    "section", "time",     "target",   "probe", "metric",  "sent",
    "lost",    "loss_pct", "min",      "p50",   "p95",     "max",
    "avg",     "jitter",   "severity", "type",  "message", NULL};

/* One cell: text quoted when it holds a comma, quote or line break. */
static void csv_text(FILE *f, const char *s)
{
  if (!s)
    return;
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"')
      fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

/* One cell from a JSON value: null is an empty cell. */
static void csv_cell(FILE *f, const json *v)
{
  if (!v || v->type == J_NULL)
    return;
  if (v->type == J_NUM)
    fprintf(f, "%.10g", v->num);
  else if (v->type == J_BOOL)
    fputs(v->num ? "true" : "false", f);
  else if (v->type == J_STR)
    csv_text(f, v->str);
}

/* One row: `section`, then the columns taken from `o` by name (`time`
 * from `time_key`, `probe` from `probe_key`). */
static void csv_row(FILE *f, const char *section, const json *o,
                    const json *parent, const char *time_key,
                    const char *probe_key)
{
  size_t i;

  csv_text(f, section);
  for (i = 1; csv_columns[i]; i++) {
    const char *col = csv_columns[i];
    const json *v;

    fputc(',', f);
    if (strcmp(col, "time") == 0)
      col = time_key;
    else if (strcmp(col, "probe") == 0)
      col = probe_key;
    if (!col)
      continue;
    v = json_get(o, col);
    /* A latency point takes target, probe and metric from its series. */
    if (!v && parent)
      v = json_get(parent, col);
    csv_cell(f, v);
  }
  fputc('\n', f);
}

static void csv_section(FILE *f, const json *model, const char *name)
{
  const json *sec = json_get(model, name);
  const json *avail = json_get(sec, "available");
  const json *list;
  size_t i, j;

  if (!sec)
    return;
  if (avail && avail->type == J_BOOL && !avail->num) {
    /* Not available: one row with the note in the message column. */
    csv_text(f, name);
    for (i = 1; csv_columns[i]; i++)
      fputc(',', f);
    csv_cell(f, json_get(sec, "note"));
    fputc('\n', f);
    return;
  }
  if (strcmp(name, "summary") == 0) {
    list = json_get(sec, "targets");
    for (i = 0; list && list->type == J_ARR && i < list->n; i++)
      csv_row(f, name, list->kids[i], NULL, NULL, "probe");
  } else if (strcmp(name, "latency") == 0) {
    list = json_get(sec, "series");
    for (i = 0; list && list->type == J_ARR && i < list->n; i++) {
      const json *pts = json_get(list->kids[i], "points");

      for (j = 0; pts && pts->type == J_ARR && j < pts->n; j++)
        csv_row(f, name, pts->kids[j], list->kids[i], "t", "probe");
    }
  } else if (strcmp(name, "alerts") == 0) {
    list = json_get(sec, "items");
    for (i = 0; list && list->type == J_ARR && i < list->n; i++)
      csv_row(f, name, list->kids[i], NULL, "time", "source");
  }
}

static int csv_render(void *ctx, const bn_report_request *req)
{
  csv_ctx *c = ctx;
  const bn_host_api *api = c->h->api;
  json_reader rd = {.p = req->model_json};
  json *model = json_value(&rd);
  const json *sections = json_get(model, "sections");
  const char *path = c->cfg.output;
  bn_output *o;
  FILE *f;
  size_t i;
  int rc;

  if (!model || !sections || sections->type != J_ARR) {
    bn_error(c->h, "the report model is not the JSON this reporter knows "
                   "(no sections list); is the host newer?");
    json_free(model);
    return BN_EINVAL;
  }
  /* A file named on the command line wins over the profile's output:. */
  if (req->struct_size >=
          offsetof(bn_report_request, output) + sizeof(req->output) &&
      req->output)
    path = req->output;
  rc = api->output_open(c->h, path, req->out, &o);
  if (rc < 0) {
    json_free(model);
    return rc;
  }
  f = api->output_file(o);
  if (c->cfg.header) {
    for (i = 0; csv_columns[i]; i++)
      fprintf(f, "%s%s", i ? "," : "", csv_columns[i]);
    fputc('\n', f);
  }
  for (i = 0; i < sections->n; i++)
    if (sections->kids[i]->type == J_STR)
      csv_section(f, model, sections->kids[i]->str);
  json_free(model);
  rc = ferror(f) ? BN_EIO : 0;
  if (rc < 0)
    bn_error(c->h, "writing %s failed", path);
  return api->output_close(c->h, o, rc == 0) < 0 ? BN_EIO : rc;
}

static int csv_init(bn_host *h, void **ctx)
{
  csv_ctx *c = calloc(1, sizeof(*c));
  int rc;

  if (!c)
    return BN_ENOMEM;
  c->h = h;
  rc = h->api->cfg_fill(h, &c->cfg);
  if (rc < 0) {
    free(c);
    return rc;
  }
  *ctx = c;
  return 0;
}

static void csv_destroy(void *ctx)
{
  free(ctx);
}

static const bn_reporter_ops csv_ops = {
    BN_INIT(bn_reporter_ops),
    .render = csv_render,
};

BN_PLUGIN(.name = "csv", .version = "1.0", .kind = BN_KIND_REPORTER,
          .summary = "example: the report model as one CSV table",
          .options = csv_options, .formats = csv_formats, .init = csv_init,
          .destroy = csv_destroy, .ops = &csv_ops);
