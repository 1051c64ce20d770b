/*
 * report_redact.c - pseudonyms for a report (report_redact in
 * report_model.h).  Two passes over the model: the first collects every
 * identity (fields that name a target, a host, an address or a server)
 * in document order and gives each a pseudonym by kind ("target-1",
 * "host-1", "ip-1", "server-1"); the second replaces those fields, and
 * inside every other string (messages, reasons, errors) each identity
 * that appears and every IPv4 or IPv6 literal.  Document order makes the
 * pseudonyms the same for the same input, and one table makes them the
 * same in every section, chart and path view.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_model.h"

typedef struct alias {
  char *from, *to;
} alias;

typedef struct aliases {
  alias *a;
  size_t n, cap;
  unsigned count[4]; /* per kind */
} aliases;

enum { K_TARGET, K_HOST, K_IP, K_SERVER };
static const char *const kind_name[] = {"target", "host", "ip", "server"};

/* Fields whose whole value is an identity, and their kind. */
static int identity_kind(const char *key)
{
  if (!strcmp(key, "target"))
    return K_TARGET;
  if (!strcmp(key, "host"))
    return K_HOST;
  if (!strcmp(key, "addr") || !strcmp(key, "old_addr") ||
      !strcmp(key, "new_addr") || !strcmp(key, "from") || !strcmp(key, "to"))
    return K_IP;
  if (!strcmp(key, "server"))
    return K_SERVER;
  return -1;
}

/* Fields left alone: times, hashes, fixed vocabularies. */
static int keep_field(const char *key)
{
  static const char *const keep[] = {
      "schema", "generator", "generated",   "since",  "until",
      "time",   "preset",    "path",        "set",    "kind",
      "status", "severity",  "metric",      "probe",  "mode",
      "type",   "provider",  "bufferbloat", "source", NULL};
  size_t i;

  for (i = 0; keep[i]; i++)
    if (!strcmp(key, keep[i]))
      return 1;
  return 0;
}

static int is_ip(const char *s)
{
  unsigned char buf[16];

  return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static const char *alias_of(aliases *al, const char *from, int kind)
{
  char name[32];
  size_t i;

  for (i = 0; i < al->n; i++)
    if (!strcmp(al->a[i].from, from))
      return al->a[i].to;
  if (kind < 0)
    return NULL;
  if (kind == K_IP && !is_ip(from))
    kind = K_HOST; /* an address field holding a name */
  if (al->n == al->cap) {
    size_t cap = al->cap ? al->cap * 2 : 32;
    alias *a = realloc(al->a, cap * sizeof(*a));

    if (!a)
      return NULL;
    al->a = a;
    al->cap = cap;
  }
  snprintf(name, sizeof(name), "%s-%u", kind_name[kind], ++al->count[kind]);
  al->a[al->n].from = strdup(from);
  al->a[al->n].to = strdup(name);
  if (!al->a[al->n].from || !al->a[al->n].to) {
    free(al->a[al->n].from);
    free(al->a[al->n].to);
    return NULL;
  }
  return al->a[al->n++].to;
}

/* The host inside a server URL ("http://host:port/path", "[v6]:port",
 * "host:port") is an identity of its own: error messages name it. */
static void url_host(aliases *al, const char *url)
{
  const char *p = strstr(url, "://"), *e;
  char host[256];
  size_t n;

  p = p ? p + 3 : url;
  if (*p == '[') {
    p++;
    e = strchr(p, ']');
  } else {
    e = p + strcspn(p, ":/?#");
  }
  if (!e || e == p || (n = (size_t)(e - p)) >= sizeof(host))
    return;
  memcpy(host, p, n);
  host[n] = 0;
  alias_of(al, host, K_HOST);
}

static void collect(json_object *o, const char *key, aliases *al)
{
  size_t i;

  switch (json_object_get_type(o)) {
  case json_type_object: {
    json_object_object_foreach(o, k, v) collect(v, k, al);
    break;
  }
  case json_type_array:
    for (i = 0; i < json_object_array_length(o); i++)
      collect(json_object_array_get_idx(o, i), key, al);
    break;
  case json_type_string:
    if (key && identity_kind(key) >= 0 && json_object_get_string_len(o) > 0) {
      alias_of(al, json_object_get_string(o), identity_kind(key));
      if (identity_kind(key) == K_SERVER)
        url_host(al, json_object_get_string(o));
    }
    break;
  default:
    break;
  }
}

/* Longest identities first, so "web-1.example" goes before "web-1". */
static int longer_first(const void *a, const void *b)
{
  size_t la = strlen(((const alias *)a)->from),
         lb = strlen(((const alias *)b)->from);

  return la < lb ? 1 : la > lb ? -1 : 0;
}

static int ip_char(char c)
{
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

/* Free text with identities and address literals replaced; malloc'd. */
static char *redact_text(aliases *al, alias *sorted, size_t n, const char *s)
{
  size_t cap = strlen(s) * 2 + 64, len = 0, i;
  const char *start = s;
  char *out = malloc(cap);

  if (!out)
    return NULL;
  while (*s) {
    const char *rep = NULL;
    size_t skip = 0;

    /* a whole known identity, not part of a longer word */
    for (i = 0;
         i < n && !rep && (s == start || !isalnum((unsigned char)s[-1]));
         i++) {
      size_t l = strlen(sorted[i].from);

      if (l && !strncmp(s, sorted[i].from, l) &&
          !isalnum((unsigned char)s[l])) {
        rep = sorted[i].to;
        skip = l;
      }
    }
    /* an address literal not seen in any field */
    if (!rep && ip_char(*s)) {
      char tok[64];
      size_t l = 0;

      while (ip_char(s[l]) && l < sizeof(tok) - 1) {
        tok[l] = s[l];
        l++;
      }
      tok[l] = 0;
      /* "10.0.0.1." at the end of a sentence */
      while (l > 0 && tok[l - 1] == '.')
        tok[--l] = 0;
      if (l >= 3 && (strchr(tok, '.') || strchr(tok, ':')) && is_ip(tok)) {
        rep = alias_of(al, tok, K_IP);
        skip = l;
      } else if (l) {
        /* not an address: copy the run as it is */
        rep = NULL;
        skip = 0;
        while (ip_char(*s) && len + 8 < cap && skip < l) {
          out[len++] = *s++;
          skip++;
        }
        if (skip)
          continue;
      }
    }
    if (rep) {
      size_t rl = strlen(rep);

      if (len + rl + 1 >= cap) {
        char *o2 = realloc(out, cap = (len + rl) * 2 + 64);

        if (!o2) {
          free(out);
          return NULL;
        }
        out = o2;
      }
      memcpy(out + len, rep, rl);
      len += rl;
      s += skip;
      continue;
    }
    if (len + 2 >= cap) {
      char *o2 = realloc(out, cap *= 2);

      if (!o2) {
        free(out);
        return NULL;
      }
      out = o2;
    }
    out[len++] = *s++;
  }
  out[len] = 0;
  return out;
}

static void apply(json_object *o, aliases *al, alias *sorted, size_t n)
{
  size_t i;

  switch (json_object_get_type(o)) {
  case json_type_object: {
    json_object_object_foreach(o, k, v)
    {
      if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        const char *to = identity_kind(k) >= 0 ? alias_of(al, s, -1) : NULL;
        char *t;

        if (to) {
          json_object_set_string(v, to);
        } else if (!keep_field(k) && (t = redact_text(al, sorted, n, s))) {
          json_object_set_string(v, t);
          free(t);
        }
      } else {
        apply(v, al, sorted, n);
      }
    }
    break;
  }
  case json_type_array:
    for (i = 0; i < json_object_array_length(o); i++) {
      json_object *v = json_object_array_get_idx(o, i);
      char *t;

      if (json_object_is_type(v, json_type_string)) {
        if ((t = redact_text(al, sorted, n, json_object_get_string(v)))) {
          json_object_set_string(v, t);
          free(t);
        }
      } else {
        apply(v, al, sorted, n);
      }
    }
    break;
  default:
    break;
  }
}

void report_redact(json_object *model)
{
  aliases al;
  alias *sorted;
  size_t i;

  memset(&al, 0, sizeof(al));
  collect(model, NULL, &al);
  /* a stable copy, longest first, for the text pass (alias_of may grow
   * al.a with address literals found in text) */
  sorted = al.n ? malloc(al.n * sizeof(*sorted)) : NULL;
  if (sorted) {
    memcpy(sorted, al.a, al.n * sizeof(*sorted));
    qsort(sorted, al.n, sizeof(*sorted), longer_first);
  }
  apply(model, &al, sorted, sorted ? al.n : 0);
  json_object_object_add(json_object_object_get(model, "meta"), "redacted",
                         json_object_new_boolean(1));
  free(sorted);
  for (i = 0; i < al.n; i++) {
    free(al.a[i].from);
    free(al.a[i].to);
  }
  free(al.a);
}
