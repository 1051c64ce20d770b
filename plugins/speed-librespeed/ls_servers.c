/*
 * ls_servers.c - LibreSpeed server lists (see ls_servers.h), with json-c.
 */
#include "ls_servers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* "//host/" (protocol-relative, as LibreSpeed lists write them) becomes
 * https; a base without a trailing '/' gets one. */
static char *ls_base(const char *s)
{
  const char *scheme = strncmp(s, "//", 2) == 0 ? "https:" : "";
  size_t len = strlen(s);
  const char *slash = len && s[len - 1] == '/' ? "" : "/";
  size_t n = strlen(scheme) + len + 2;
  char *b = malloc(n);

  if (b)
    snprintf(b, n, "%s%s%s", scheme, s, slash);
  return b;
}

static char *ls_join(const char *base, const char *path)
{
  size_t n;
  char *u;

  if (strstr(path, "://"))
    return strdup(path);
  while (*path == '/')
    path++;
  n = strlen(base) + strlen(path) + 1;
  u = malloc(n);
  if (u)
    snprintf(u, n, "%s%s", base, path);
  return u;
}

static const char *ls_str(json_object *o, const char *key)
{
  json_object *v;

  if (!json_object_object_get_ex(o, key, &v) ||
      !json_object_is_type(v, json_type_string))
    return NULL;
  return json_object_get_string(v);
}

static int ls_fill(ls_server *s, const char *name, const char *server,
                   const char *dl, const char *ul, const char *ping,
                   const char *getip)
{
  s->name = strdup(name);
  s->base = ls_base(server);
  if (!s->name || !s->base)
    return -1;
  s->dl = ls_join(s->base, dl);
  s->ul = ls_join(s->base, ul);
  s->ping = ls_join(s->base, ping);
  s->getip = getip ? ls_join(s->base, getip) : NULL;
  return s->dl && s->ul && s->ping && (!getip || s->getip) ? 0 : -1;
}

/* Line of byte `off` in text, from 1. */
static int ls_line(const char *text, size_t off)
{
  int line = 1;
  size_t i;

  for (i = 0; i < off && text[i]; i++)
    line += text[i] == '\n';
  return line;
}

static int ls_entry(json_object *e, size_t i, ls_server *s, char *err,
                    size_t errlen)
{
  static const char *const need[] = {"server", "dlURL", "ulURL", "pingURL"};
  const char *name = ls_str(e, "name");
  size_t k;

  if (!json_object_is_type(e, json_type_object)) {
    snprintf(err, errlen, "entry %zu is not an object", i + 1);
    return -1;
  }
  for (k = 0; k < sizeof(need) / sizeof(need[0]); k++)
    if (!ls_str(e, need[k])) {
      snprintf(err, errlen, "entry %zu (%s) has no string '%s'", i + 1,
               name ? name : "unnamed", need[k]);
      return -1;
    }
  if (ls_fill(s, name ? name : ls_str(e, "server"), ls_str(e, "server"),
              ls_str(e, "dlURL"), ls_str(e, "ulURL"), ls_str(e, "pingURL"),
              ls_str(e, "getIpURL")) != 0) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  return 0;
}

int ls_servers_parse(const char *text, ls_server **out, size_t *n, char *err,
                     size_t errlen)
{
  json_tokener *tok = json_tokener_new();
  json_object *root;
  ls_server *list = NULL;
  size_t i, len = 0;
  int rc = -1;

  *out = NULL;
  *n = 0;
  if (!tok) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  root = json_tokener_parse_ex(tok, text, (int)strlen(text));
  if (!root || json_tokener_get_error(tok) != json_tokener_success ||
      tok->char_offset < (int)strlen(text)) {
    enum json_tokener_error je = json_tokener_get_error(tok);

    snprintf(err, errlen, "not valid JSON at line %d: %s",
             ls_line(text, (size_t)tok->char_offset),
             je == json_tokener_continue  ? "unexpected end of file"
             : je == json_tokener_success ? "text after the list"
                                          : json_tokener_error_desc(je));
    goto out;
  }
  if (!json_object_is_type(root, json_type_array) ||
      (len = json_object_array_length(root)) == 0) {
    snprintf(err, errlen, "expected a non-empty JSON array of servers");
    goto out;
  }
  list = calloc(len, sizeof(*list));
  if (!list) {
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  for (i = 0; i < len; i++)
    if (ls_entry(json_object_array_get_idx(root, i), i, &list[i], err,
                 errlen) != 0)
      goto out;
  *out = list;
  *n = len;
  list = NULL;
  rc = 0;
out:
  ls_servers_free(list, len);
  json_object_put(root);
  json_tokener_free(tok);
  return rc;
}

int ls_servers_single(const char *base, ls_server **out, size_t *n)
{
  ls_server *s = calloc(1, sizeof(*s));

  if (!s)
    return -1;
  if (ls_fill(s, base, base, "backend/garbage.php", "backend/empty.php",
              "backend/empty.php", "backend/getIP.php") != 0) {
    ls_servers_free(s, 1);
    return -1;
  }
  *out = s;
  *n = 1;
  return 0;
}

void ls_servers_free(ls_server *s, size_t n)
{
  size_t i;

  if (!s)
    return;
  for (i = 0; i < n; i++) {
    free(s[i].name);
    free(s[i].base);
    free(s[i].dl);
    free(s[i].ul);
    free(s[i].ping);
    free(s[i].getip);
  }
  free(s);
}
