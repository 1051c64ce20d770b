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

#include "redactor.h"
#include "report_model.h"

typedef struct alias {
  char *from, *to;
} alias;

typedef struct aliases {
  alias *a;
  size_t n, cap;
  unsigned count[4]; /* per kind */
  /* Index over `from` (open addressing: alias index + 1, 0 = free), so
   * that a sink redacting every sample of 10,000 targets stays cheap. */
  size_t *slot;
  size_t nslot; /* a power of two, or 0 */
} aliases;

enum {
  K_TARGET = REDACT_TARGET,
  K_HOST = REDACT_HOST,
  K_IP = REDACT_IP,
  K_SERVER = REDACT_SERVER
};
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

static size_t alias_hash(const char *s)
{
  size_t h = 14695981039346656037ULL; /* FNV-1a */

  while (*s)
    h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
  return h;
}

/* The index slot of `from`: its alias, or the free slot it would take. */
static size_t *alias_slot(const aliases *al, const char *from)
{
  size_t mask = al->nslot - 1, i = alias_hash(from) & mask;

  while (al->slot[i] && strcmp(al->a[al->slot[i] - 1].from, from))
    i = (i + 1) & mask;
  return &al->slot[i];
}

/* Keep the index at most half full. */
static int alias_index_grow(aliases *al)
{
  size_t n = al->nslot ? al->nslot * 2 : 64, i, *old = al->slot;

  if (al->nslot && (al->n + 1) * 2 <= al->nslot)
    return 0;
  al->slot = calloc(n, sizeof(*al->slot));
  if (!al->slot) {
    al->slot = old;
    return -1;
  }
  al->nslot = n;
  for (i = 0; i < al->n; i++)
    *alias_slot(al, al->a[i].from) = i + 1;
  free(old);
  return 0;
}

static const char *alias_of(aliases *al, const char *from, int kind)
{
  char name[32];
  size_t *slot;

  if (al->nslot && *(slot = alias_slot(al, from)))
    return al->a[*slot - 1].to;
  if (kind < 0 || alias_index_grow(al) < 0)
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
  *alias_slot(al, from) = al->n + 1;
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

/* ---- free text: tokens ----------------------------------------------
 *
 * Free text is cut into tokens before anything is replaced, so that a
 * target called "intranet" never turns "intranet.corp.example" into
 * "target-1.corp.example": a URL (scheme://...) is one token, and so is
 * a run of name characters (letters, digits, "._-:%[]").  Each token is
 * then, in this order: a URL (its host replaced), an address literal
 * (IPv4, IPv6, [v6]:port, v4:port), a known identity, a host name
 * (host:port too), and only then a plain word that is a known identity
 * (a target name).  Tokens are replaced whole or not at all.
 */

static int tok_char(char c)
{
  return isalnum((unsigned char)c) || c == '.' || c == '-' || c == '_' ||
         c == ':' || c == '%' || c == '[' || c == ']';
}

/* Length of a URL starting at s ("scheme://" then up to white space or
 * a quote or bracket), or 0. */
static size_t url_len(const char *s)
{
  size_t i = 0;

  if (!isalpha((unsigned char)s[0]))
    return 0;
  while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' ||
         s[i] == '.')
    i++;
  if (strncmp(s + i, "://", 3) != 0)
    return 0;
  i += 3;
  while (s[i] && !isspace((unsigned char)s[i]) && !strchr("\"'<>()`", s[i]))
    i++;
  /* "see http://x/." at the end of a sentence */
  while (i > 0 && strchr(".,;:", s[i - 1]))
    i--;
  return i;
}

static const char *known(aliases *al, const char *tok)
{
  return alias_of(al, tok, -1);
}

/* File names are not hosts: report.json, history.db... (one list in
 * one string: the extensions, space-separated) */
static int file_ext(const char *label)
{
  static const char ext[] = " db yaml yml json html htm txt csv so log sh md "
                            "pdf svg png conf php py c h ";
  char key[16];
  size_t i, n = strlen(label);

  if (n == 0 || n + 2 >= sizeof(key))
    return 0;
  key[0] = ' ';
  for (i = 0; i < n; i++)
    key[i + 1] = (char)tolower((unsigned char)label[i]);
  key[n + 1] = ' ';
  key[n + 2] = '\0';
  return strstr(ext, key) != NULL;
}

/* A DNS name of two labels or more whose last label is alphabetic (not
 * a number, a version or a file name). */
static int is_hostname(const char *s)
{
  const char *last = NULL, *p;
  size_t lab = 0, labels = 1;

  if (!*s || *s == '.' || *s == '-')
    return 0;
  for (p = s; *p; p++) {
    if (*p == '.') {
      if (lab == 0)
        return 0;
      lab = 0;
      labels++;
      last = p + 1;
    } else if (isalnum((unsigned char)*p) || *p == '-' || *p == '_') {
      if (++lab > 63)
        return 0;
    } else {
      return 0;
    }
  }
  if (labels < 2 || lab < 2 || !last)
    return 0;
  for (p = last; *p; p++)
    if (!isalpha((unsigned char)*p))
      return 0;
  return !file_ext(last);
}

/* Text that replaces the token `tok` (in buf), or NULL to keep it. */
static const char *redact_token(aliases *al, char *tok, char *buf, size_t blen)
{
  const char *to, *colon;
  size_t l = strlen(tok);

  /* [v6] or [v6]:port */
  if (tok[0] == '[') {
    char *e = strchr(tok, ']');

    if (e &&
        (e[1] == '\0' || (e[1] == ':' && e[2] &&
                          strspn(e + 2, "0123456789") == strlen(e + 2)))) {
      *e = '\0';
      if (is_ip(tok + 1) || known(al, tok + 1)) {
        to = known(al, tok + 1) ? known(al, tok + 1)
                                : alias_of(al, tok + 1, K_IP);
        snprintf(buf, blen, "[%s]%s", to ? to : "ip", e + 1);
        return buf;
      }
      *e = ']';
    }
  }
  if ((to = known(al, tok)))
    return to;
  if (is_ip(tok))
    return alias_of(al, tok, K_IP);
  {
    /* IPv6 with a zone: fe80::1%eth0 */
    char *pct = strchr(tok, '%');

    if (pct) {
      *pct = '\0';
      if (is_ip(tok)) {
        to = alias_of(al, tok, K_IP);
        *pct = '%';
        return to;
      }
      *pct = '%';
    }
  }
  /* name:port or v4:port */
  colon = strrchr(tok, ':');
  if (colon && colon != tok && colon[1] &&
      strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
      strchr(tok, ':') == colon) {
    char host[256];
    size_t hl = (size_t)(colon - tok);

    if (hl < sizeof(host)) {
      memcpy(host, tok, hl);
      host[hl] = '\0';
      to = known(al, host);
      if (!to && is_ip(host))
        to = alias_of(al, host, K_IP);
      if (!to && is_hostname(host))
        to = alias_of(al, host, K_HOST);
      if (to) {
        snprintf(buf, blen, "%s%s", to, colon);
        return buf;
      }
    }
  }
  if (l >= 4 && is_hostname(tok))
    return alias_of(al, tok, K_HOST);
  return NULL;
}

/* A URL token: its host replaced, the rest kept. */
static const char *redact_url(aliases *al, const char *u, size_t len,
                              char *buf, size_t blen)
{
  const char *h = strstr(u, "://") + 3, *e;
  char host[256];
  const char *to;
  size_t n;

  if (*h == '[') {
    e = memchr(h, ']', len - (size_t)(h - u));
    if (!e)
      return NULL;
    h++;
  } else {
    /* user@host */
    const char *at = memchr(h, '@', len - (size_t)(h - u));
    const char *slash = memchr(h, '/', len - (size_t)(h - u));

    if (at && (!slash || at < slash))
      h = at + 1;
    e = h + strcspn(h, ":/?#");
    if ((size_t)(e - u) > len)
      e = u + len;
  }
  n = (size_t)(e - h);
  if (n == 0 || n >= sizeof(host))
    return NULL;
  memcpy(host, h, n);
  host[n] = '\0';
  to = known(al, host);
  if (!to)
    to = alias_of(al, host, is_ip(host) ? K_IP : K_HOST);
  if (!to)
    return NULL;
  snprintf(buf, blen, "%.*s%s%.*s", (int)(h - u), u, to,
           (int)(len - (size_t)(e - u)), e);
  return buf;
}

/* Identities that hold characters a token cannot (a target called "my
 * router"): matched as a whole phrase, not inside a longer word. */
static size_t phrase_at(alias *sorted, size_t n, const char *s,
                        const char *start, const char **rep)
{
  size_t i;

  if (s != start && tok_char(s[-1]))
    return 0;
  for (i = 0; i < n; i++) {
    const char *f = sorted[i].from;
    size_t l = strlen(f);

    if (strspn(f, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "0123456789._-:%[]") == l)
      continue; /* a token: handled whole */
    if (l && !strncmp(s, f, l) && !tok_char(s[l])) {
      *rep = sorted[i].to;
      return l;
    }
  }
  return 0;
}

typedef struct sbuf {
  char *p;
  size_t len, cap;
  int bad;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
  if (b->bad)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = (b->len + n + 1) * 2;
    char *p = realloc(b->p, cap);

    if (!p) {
      b->bad = 1;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

/* Free text with identities and address literals replaced; malloc'd. */
static char *redact_text(aliases *al, alias *sorted, size_t n, const char *s)
{
  const char *start = s;
  sbuf b = {NULL, 0, 0, 0};
  char tok[512], buf[1024];

  sb_put(&b, "", 0);
  while (*s) {
    const char *rep = NULL;
    size_t l = phrase_at(sorted, n, s, start, &rep), keep;

    if (l) {
      sb_put(&b, rep, strlen(rep));
      s += l;
      continue;
    }
    if ((s == start || !tok_char(s[-1])) && (l = url_len(s)) > 0) {
      rep = l < sizeof(tok) ? redact_url(al, s, l, buf, sizeof(buf)) : NULL;
      sb_put(&b, rep ? rep : s, rep ? strlen(rep) : l);
      s += l;
      continue;
    }
    if (!tok_char(*s)) {
      sb_put(&b, s++, 1);
      continue;
    }
    for (l = 0; tok_char(s[l]); l++)
      ;
    /* sentence punctuation is not part of the token */
    keep = l;
    while (keep > 0 && strchr(".:", s[keep - 1]))
      keep--;
    if (keep > 0 && keep < sizeof(tok)) {
      memcpy(tok, s, keep);
      tok[keep] = '\0';
      rep = redact_token(al, tok, buf, sizeof(buf));
    }
    if (rep) {
      sb_put(&b, rep, strlen(rep));
      sb_put(&b, s + keep, l - keep);
    } else {
      sb_put(&b, s, l);
    }
    s += l;
  }
  if (b.bad) {
    free(b.p);
    return NULL;
  }
  return b.p;
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

static void aliases_free(aliases *al)
{
  size_t i;

  for (i = 0; i < al->n; i++) {
    free(al->a[i].from);
    free(al->a[i].to);
  }
  free(al->a);
  free(al->slot);
}

void report_redact(json_object *model)
{
  aliases al;
  alias *sorted;

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
  aliases_free(&al);
}

/* ---- redactor: the same pseudonyms for what a sink sends ------------ */

struct redactor {
  aliases al;
  alias *sorted; /* al.a, longest first, for free text */
  size_t n_sorted;
};

redactor *redactor_new(void)
{
  return calloc(1, sizeof(redactor));
}

void redactor_free(redactor *r)
{
  if (!r)
    return;
  free(r->sorted);
  aliases_free(&r->al);
  free(r);
}

const char *redactor_name(redactor *r, redact_kind kind, const char *value)
{
  const char *to;

  if (!value || !*value)
    return value;
  to = alias_of(&r->al, value, (int)kind);
  if (kind == REDACT_SERVER)
    url_host(&r->al, value);
  /* out of memory: hide it all the same */
  return to ? to : kind_name[kind];
}

char *redactor_text(redactor *r, const char *s)
{
  if (!s)
    return NULL;
  if (r->n_sorted != r->al.n) {
    alias *sorted = malloc(r->al.n * sizeof(*sorted));

    if (!sorted)
      return NULL;
    memcpy(sorted, r->al.a, r->al.n * sizeof(*sorted));
    qsort(sorted, r->al.n, sizeof(*sorted), longer_first);
    free(r->sorted);
    r->sorted = sorted;
    r->n_sorted = r->al.n;
  }
  return redact_text(&r->al, r->sorted, r->n_sorted, s);
}
