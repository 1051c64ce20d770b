/*
 * conf_yaml.c - read YAML (libyaml's event parser) into a bn_node tree
 * that remembers where each key and value was written.
 *
 * Profiles are plain data: anchors and aliases are refused (they make
 * error positions ambiguous and invite "billion laughs" documents),
 * duplicate keys are errors rather than silently overwritten, and the
 * root must be a map.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "conf.h"

/* Deeper nesting than this is no profile; the limit bounds recursion. */
#define YAML_MAX_DEPTH 64
/* A profile is a few kilobytes; refuse to slurp anything huge. */
#define YAML_MAX_FILE (16 * 1024 * 1024)

typedef struct yaml_ctx {
  const char *name;
  char *err;
  size_t errlen;
  bn_node *root;
  bn_node *stack[YAML_MAX_DEPTH];
  char *pending[YAML_MAX_DEPTH]; /* key waiting for its value, per map */
  int pend_line[YAML_MAX_DEPTH], pend_col[YAML_MAX_DEPTH];
  int depth;
  int documents;
} yaml_ctx;

static void yaml_fail(yaml_ctx *y, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void yaml_fail(yaml_ctx *y, int line, int col, const char *fmt, ...)
{
  char msg[512];
  va_list ap;

  if (!y->err || y->errlen == 0)
    return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  snprintf(y->err, y->errlen, "%s:%d:%d: %s", y->name, line, col, msg);
}

static int mark_line(const yaml_mark_t *m)
{
  return (int)m->line + 1;
}

static int mark_col(const yaml_mark_t *m)
{
  return (int)m->column + 1;
}

/* Line and column of a byte offset (libyaml's reader gives offsets). */
static void yaml_offset_pos(const char *text, size_t len, size_t off,
                            int *line, int *col)
{
  size_t i;

  *line = 1;
  *col = 1;
  for (i = 0; i < off && i < len; i++) {
    if (text[i] == '\n') {
      (*line)++;
      *col = 1;
    } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
      (*col)++;
    }
  }
}

static const char *yaml_type_word(conf_type t)
{
  return t == CONF_LIST ? "a list" : "a scalar";
}

/* Hang a new value node under the current container. */
static int yaml_attach(yaml_ctx *y, bn_node *n)
{
  bn_node *parent;
  int d = y->depth - 1;
  int rc;

  if (y->depth == 0) {
    if (n->type == CONF_SCALAR && !n->quoted && n->value[0] == '\0') {
      yaml_fail(y, 1, 1, "empty profile");
      return BN_EINVAL;
    }
    if (n->type != CONF_MAP) {
      yaml_fail(y, n->line, n->col,
                "the document root must be a map of 'key: value' lines, "
                "got %s",
                yaml_type_word(n->type));
      return BN_EINVAL;
    }
    y->root = n;
    return 0;
  }
  parent = y->stack[d];
  if (parent->type == CONF_LIST)
    return conf_append(parent, NULL, n);
  if (!y->pending[d]) {
    yaml_fail(y, n->line, n->col, "a map key must be a plain value");
    return BN_EINVAL;
  }
  rc = conf_append(parent, y->pending[d], n);
  if (rc < 0)
    return rc;
  n->key_line = y->pend_line[d];
  n->key_col = y->pend_col[d];
  free(y->pending[d]);
  y->pending[d] = NULL;
  return 0;
}

static int yaml_check_anchor(yaml_ctx *y, const yaml_char_t *anchor,
                             const yaml_mark_t *m)
{
  if (!anchor)
    return 0;
  yaml_fail(y, mark_line(m), mark_col(m),
            "YAML anchors ('&%s') are not supported; write the value out",
            (const char *)anchor);
  return BN_EINVAL;
}

/* ESC, BEL, CR and the other C0 controls (all but TAB and LF, which a
 * block scalar may hold) have no place in a profile: they would reach a
 * terminal or a request raw. */
static int yaml_bad_control(yaml_ctx *y, const char *text, size_t len,
                            int line, int col)
{
  size_t i;

  for (i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)text[i];

    if ((ch < 0x20 && ch != '\t' && ch != '\n') || ch == 0x7f) {
      yaml_fail(y, line, col,
                "control character 0x%02x in a value; remove it (write it "
                "out in words if it is meant)",
                ch);
      return BN_EINVAL;
    }
  }
  return 0;
}

static int yaml_on_scalar(yaml_ctx *y, const yaml_event_t *ev)
{
  const char *text = (const char *)ev->data.scalar.value;
  size_t len = ev->data.scalar.length;
  const yaml_char_t *tag = ev->data.scalar.tag;
  int line = mark_line(&ev->start_mark), col = mark_col(&ev->start_mark);
  int d = y->depth - 1;
  bn_node *n, *dup;
  int rc;

  if (yaml_check_anchor(y, ev->data.scalar.anchor, &ev->start_mark) < 0)
    return BN_EINVAL;
  if (memchr(text, '\0', len)) {
    yaml_fail(y, line, col, "NUL character in a value");
    return BN_EINVAL;
  }
  if (yaml_bad_control(y, text, len, line, col) < 0)
    return BN_EINVAL;
  /* A scalar where a map expects a key is that key. */
  if (d >= 0 && y->stack[d]->type == CONF_MAP && !y->pending[d]) {
    dup = conf_get(y->stack[d], text);
    if (dup) {
      yaml_fail(y, line, col,
                "duplicate key '%s' (first at line %d, column %d)", text,
                dup->key_line, dup->key_col);
      return BN_EINVAL;
    }
    y->pending[d] = strdup(text);
    if (!y->pending[d])
      return BN_ENOMEM;
    y->pend_line[d] = line;
    y->pend_col[d] = col;
    return 0;
  }
  n = conf_new_scalar(text, y->name, line, col);
  if (!n)
    return BN_ENOMEM;
  n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
              (tag && strcmp((const char *)tag, YAML_STR_TAG) == 0);
  rc = yaml_attach(y, n);
  if (rc < 0)
    conf_free(n);
  return rc;
}

static int yaml_on_start(yaml_ctx *y, const yaml_event_t *ev, conf_type t)
{
  const yaml_char_t *anchor = t == CONF_MAP ? ev->data.mapping_start.anchor
                                            : ev->data.sequence_start.anchor;
  int line = mark_line(&ev->start_mark), col = mark_col(&ev->start_mark);
  bn_node *n;
  int rc;

  if (yaml_check_anchor(y, anchor, &ev->start_mark) < 0)
    return BN_EINVAL;
  if (y->depth >= YAML_MAX_DEPTH) {
    yaml_fail(y, line, col, "nesting deeper than %d levels", YAML_MAX_DEPTH);
    return BN_EINVAL;
  }
  n = conf_new(t, y->name, line, col);
  if (!n)
    return BN_ENOMEM;
  rc = yaml_attach(y, n);
  if (rc < 0) {
    conf_free(n);
    return rc;
  }
  y->stack[y->depth] = n;
  y->pending[y->depth] = NULL;
  y->depth++;
  return 0;
}

static int yaml_on_event(yaml_ctx *y, const yaml_event_t *ev)
{
  int line = mark_line(&ev->start_mark), col = mark_col(&ev->start_mark);

  switch (ev->type) {
  case YAML_DOCUMENT_START_EVENT:
    if (y->documents++ > 0) {
      yaml_fail(y, line, col,
                "more than one YAML document; a profile is one document");
      return BN_EINVAL;
    }
    return 0;
  case YAML_ALIAS_EVENT:
    yaml_fail(y, line, col,
              "YAML aliases ('*%s') are not supported; write the value out",
              (const char *)ev->data.alias.anchor);
    return BN_EINVAL;
  case YAML_SCALAR_EVENT:
    return yaml_on_scalar(y, ev);
  case YAML_MAPPING_START_EVENT:
    return yaml_on_start(y, ev, CONF_MAP);
  case YAML_SEQUENCE_START_EVENT:
    return yaml_on_start(y, ev, CONF_LIST);
  case YAML_MAPPING_END_EVENT:
  case YAML_SEQUENCE_END_EVENT:
    if (y->depth > 0) {
      y->depth--;
      free(y->pending[y->depth]);
      y->pending[y->depth] = NULL;
    }
    return 0;
  case YAML_STREAM_END_EVENT:
    if (!y->root) {
      yaml_fail(y, 1, 1, "empty profile");
      return BN_EINVAL;
    }
    return 0;
  default:
    return 0;
  }
}

static void yaml_parser_fail(yaml_ctx *y, const yaml_parser_t *p,
                             const char *text, size_t len)
{
  int line, col;
  const char *problem = p->problem ? p->problem : "invalid YAML";

  if (p->error == YAML_MEMORY_ERROR) {
    yaml_fail(y, 1, 1, "out of memory");
    return;
  }
  if (p->error == YAML_READER_ERROR) {
    yaml_offset_pos(text, len, p->problem_offset, &line, &col);
  } else {
    line = mark_line(&p->problem_mark);
    col = mark_col(&p->problem_mark);
  }
  yaml_fail(y, line, col, "%s", problem);
}

static int yaml_parse(const char *text, size_t len, const char *name,
                      bn_node **out, char *err, size_t errlen)
{
  yaml_parser_t parser;
  yaml_event_t ev;
  yaml_ctx y;
  int rc = 0, done = 0, i;

  memset(&y, 0, sizeof(y));
  y.err = err;
  y.errlen = errlen;
  if (err && errlen)
    err[0] = '\0';
  /* conf_new() interns the name: all nodes share one copy. */
  y.name = name ? name : "<string>";
  if (!yaml_parser_initialize(&parser))
    return BN_ENOMEM;
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  while (!done && rc == 0) {
    if (!yaml_parser_parse(&parser, &ev)) {
      yaml_parser_fail(&y, &parser, text, len);
      rc = BN_EINVAL;
      break;
    }
    rc = yaml_on_event(&y, &ev);
    done = ev.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&parser);
  for (i = 0; i < YAML_MAX_DEPTH; i++)
    free(y.pending[i]);
  if (rc < 0) {
    if (rc == BN_ENOMEM && err && errlen && !err[0])
      snprintf(err, errlen, "%s:1:1: out of memory", y.name);
    conf_free(y.root);
    return rc;
  }
  *out = y.root;
  return 0;
}

int conf_parse_string(const char *text, const char *name, bn_node **out,
                      char *err, size_t errlen)
{
  if (!text || !out)
    return BN_EINVAL;
  *out = NULL;
  return yaml_parse(text, strlen(text), name, out, err, errlen);
}

int conf_parse_file(const char *path, bn_node **out, char *err, size_t errlen)
{
  FILE *f = NULL;
  char *buf = NULL;
  size_t len = 0, cap = 0, n;
  int rc = 0;

  if (!path || !out)
    return BN_EINVAL;
  *out = NULL;
  f = fopen(path, "rb");
  if (!f) {
    rc = errno == ENOENT ? BN_ENOENT : BN_EIO;
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    goto out;
  }
  for (;;) {
    if (len + 4096 + 1 > cap) {
      char *nb;

      cap = cap ? cap * 2 : 8192;
      nb = realloc(buf, cap);
      if (!nb) {
        rc = BN_ENOMEM;
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
      }
      buf = nb;
    }
    n = fread(buf + len, 1, cap - len - 1, f);
    len += n;
    if (len > YAML_MAX_FILE) {
      rc = BN_EINVAL;
      snprintf(err, errlen, "%s: larger than %d bytes; not a profile", path,
               YAML_MAX_FILE);
      goto out;
    }
    if (n == 0)
      break;
  }
  if (ferror(f)) {
    rc = BN_EIO;
    snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
    goto out;
  }
  buf[len] = '\0';
  rc = yaml_parse(buf, len, path, out, err, errlen);
out:
  if (f)
    fclose(f);
  free(buf);
  return rc;
}
