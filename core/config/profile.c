/*
 * profile.c - find a profile, follow its `extends:` chain, merge, check
 * the structure and build the model the run uses (targets and the
 * plugin instances of each kind).  Every error names FILE:LINE:COL of
 * the offending key or value; all problems of a profile are reported in
 * one go rather than one per run.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "loader.h"
#include "log.h"
#include "options.h"
#include "profile.h"
#include "check.h"
#include "speedtest_settings.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/bottleneck"
#endif

/* Deeper than this is a mistake, not a design. */
#define PROFILE_MAX_EXTENDS 16

static const char *const profile_keys[] = {
    "name",      "description", "extends",    "store",     "targets",
    "probes",    "speedtest",   "speedtests", "checks",    "anomaly",
    "exporters", "reporters",   "consent",    "retention", NULL};

static const char *const target_keys[] = {
    "name", "host", "port", "url", "tags", "region", "asn", "enabled", NULL};

/* Keys of a plugin entry that the host reads; the rest are options. */
static const char *const plugin_reserved[] = {"plugin", "name", "targets",
                                              "enabled", NULL};
/* A reporter entry also says how the host builds the report model it
 * hands over: how much detail (preset) and whether names are replaced
 * with pseudonyms (redact).  These are the host's, not the plugin's. */
static const char *const reporter_reserved[] = {
    "plugin", "name", "targets", "enabled", "preset", "redact", NULL};

/* An exporter entry may ask for the report's pseudonyms (redact) in
 * what it sends (host_redact.h). */
static const char *const exporter_reserved[] = {"plugin",  "name",   "targets",
                                                "enabled", "redact", NULL};

static char *profile_where(const bn_node *n, char *buf, size_t len);

/* The host's keys of a reporter entry (preset, redact) or an exporter
 * entry (redact). */
static int profile_check_report_keys(const profile_plugin *pp)
{
  const bn_node *preset =
      pp->kind == BN_KIND_REPORTER ? conf_get(pp->node, "preset") : NULL;
  const bn_node *redact = conf_get(pp->node, "redact");
  const char *v;
  char where[PATH_MAX + 64];
  int b, rc = 0;

  if (preset) {
    v = conf_scalar(preset);
    if (!v ||
        (strcmp(v, "full") && strcmp(v, "compact") && strcmp(v, "ops"))) {
      log_error(NULL,
                "%s: reporter '%s': preset must be full, compact or ops"
                ", got '%s'",
                profile_where(preset, where, sizeof(where)), pp->plugin,
                v ? v : "a map or list");
      rc = BN_EINVAL;
    }
  }
  if (redact && conf_parse_bool(conf_scalar(redact), &b) < 0) {
    log_error(NULL, "%s: %s '%s': redact must be true or false",
              profile_where(redact, where, sizeof(where)),
              profile_kind_name(pp->kind), pp->plugin);
    rc = BN_EINVAL;
  }
  return rc;
}

static const bn_kind profile_kinds[] = {BN_KIND_PROBE, BN_KIND_SPEEDTEST,
                                        BN_KIND_ANOMALY, BN_KIND_EXPORTER,
                                        BN_KIND_REPORTER};
#define N_KINDS (sizeof(profile_kinds) / sizeof(profile_kinds[0]))

const char *profile_section(bn_kind kind)
{
  switch (kind) {
  case BN_KIND_PROBE:
    return "probes";
  case BN_KIND_SPEEDTEST:
    return "speedtests";
  case BN_KIND_ANOMALY:
    return "anomaly";
  case BN_KIND_EXPORTER:
    return "exporters";
  case BN_KIND_REPORTER:
    return "reporters";
  default:
    return NULL;
  }
}

const char *profile_kind_name(bn_kind kind)
{
  switch (kind) {
  case BN_KIND_PROBE:
    return "probe";
  case BN_KIND_SPEEDTEST:
    return "speedtest";
  case BN_KIND_ANOMALY:
    return "anomaly";
  case BN_KIND_EXPORTER:
    return "exporter";
  case BN_KIND_REPORTER:
    return "reporter";
  default:
    return "unknown";
  }
}

/* ------------------------------------------------------------------ */
/* Finding profiles                                                     */
/* ------------------------------------------------------------------ */

static int profile_has_suffix(const char *s, const char *sfx)
{
  size_t ls = strlen(s), lx = strlen(sfx);

  return ls >= lx && strcmp(s + ls - lx, sfx) == 0;
}

static int profile_is_path(const char *arg)
{
  return strchr(arg, '/') || profile_has_suffix(arg, ".yaml") ||
         profile_has_suffix(arg, ".yml");
}

static int profile_is_file(const char *path)
{
  struct stat st;

  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int profile_copy(const char *s, char *buf, size_t len)
{
  size_t n = strlen(s);

  if (n + 1 > len)
    return BN_EINVAL;
  memcpy(buf, s, n + 1);
  return 0;
}

/* DIR/NAME.yaml or DIR/NAME.yml into buf when it exists. */
static int profile_try_dir(const char *dir, size_t dlen, const char *name,
                           char *buf, size_t len)
{
  static const char *const ext[] = {".yaml", ".yml"};
  size_t i;
  int n;

  if (dlen == 0)
    return BN_ENOENT;
  for (i = 0; i < 2; i++) {
    n = snprintf(buf, len, "%.*s/%s%s", (int)dlen, dir, name, ext[i]);
    if (n > 0 && (size_t)n < len && profile_is_file(buf))
      return 0;
  }
  return BN_ENOENT;
}

/* Append "DIR" to the list of places searched (for the message). */
static void profile_note(char *seen, size_t slen, const char *dir, size_t dlen)
{
  size_t used = strlen(seen);

  if (used < slen)
    snprintf(seen + used, slen - used, "%s%.*s", used ? ", " : "", (int)dlen,
             dir);
}

/* Search the profile path for NAME without logging. */
static int profile_search(const char *name, char *buf, size_t len, char *seen,
                          size_t slen)
{
  const char *env = getenv("BOTTLENECK_PROFILE_PATH");
  const char *xdg = getenv("XDG_CONFIG_HOME");
  const char *home = getenv("HOME");
  char dir[PATH_MAX];

  seen[0] = '\0';
  while (env && *env) {
    size_t dlen = strcspn(env, ":");

    if (dlen > 0) {
      profile_note(seen, slen, env, dlen);
      if (profile_try_dir(env, dlen, name, buf, len) == 0)
        return 0;
    }
    env += dlen;
    if (*env == ':')
      env++;
  }
  /* XDG: a relative XDG_CONFIG_HOME is invalid and ignored. */
  dir[0] = '\0';
  if (xdg && xdg[0] == '/')
    snprintf(dir, sizeof(dir), "%s/bottleneck/profiles", xdg);
  else if (home && home[0])
    snprintf(dir, sizeof(dir), "%s/.config/bottleneck/profiles", home);
  if (dir[0]) {
    profile_note(seen, slen, dir, strlen(dir));
    if (profile_try_dir(dir, strlen(dir), name, buf, len) == 0)
      return 0;
  }
  snprintf(dir, sizeof(dir), "%s/profiles", PKGDATADIR);
  profile_note(seen, slen, dir, strlen(dir));
  return profile_try_dir(dir, strlen(dir), name, buf, len);
}

int profile_find(const char *arg, char *buf, size_t len)
{
  char seen[2048];

  if (!arg || !*arg || !buf || len == 0) {
    log_error("profile", "no profile given");
    return BN_EINVAL;
  }
  if (profile_is_path(arg)) {
    struct stat st;

    if (stat(arg, &st) != 0) {
      log_error("profile", "cannot read profile '%s': %s", arg,
                strerror(errno));
      return BN_ENOENT;
    }
    if (!S_ISREG(st.st_mode)) {
      log_error("profile", "cannot read profile '%s': not a regular file",
                arg);
      return BN_ENOENT;
    }
    if (profile_copy(arg, buf, len) < 0) {
      log_error("profile", "profile path too long: '%s'", arg);
      return BN_EINVAL;
    }
    return 0;
  }
  if (profile_search(arg, buf, len, seen, sizeof(seen)) == 0)
    return 0;
  log_error("profile", "no profile named '%s' (searched: %s)", arg, seen);
  return BN_ENOENT;
}

/* ------------------------------------------------------------------ */
/* Reading and merging the extends chain                                */
/* ------------------------------------------------------------------ */

typedef struct profile_chain {
  char *real[PROFILE_MAX_EXTENDS + 1]; /* realpath of each file */
  char *stem[PROFILE_MAX_EXTENDS + 1]; /* "lab" for .../lab.yaml */
  int n;
} profile_chain;

static char *profile_stem(const char *path)
{
  const char *b = strrchr(path, '/');
  size_t n;
  char *s;

  b = b ? b + 1 : path;
  n = strlen(b);
  if (profile_has_suffix(b, ".yaml"))
    n -= 5;
  else if (profile_has_suffix(b, ".yml"))
    n -= 4;
  s = malloc(n + 1);
  if (s) {
    memcpy(s, b, n);
    s[n] = '\0';
  }
  return s;
}

static char *profile_where(const bn_node *n, char *buf, size_t len)
{
  conf_where(n, buf, len);
  return buf;
}

/* Position of a map entry's key (errors about the key itself). */
static char *profile_key_where(const bn_node *n, char *buf, size_t len)
{
  snprintf(buf, len, "%s:%d:%d", n->file, n->key_line, n->key_col);
  return buf;
}

/* Where `extends: NAME` in `file` points: its directory first. */
static int profile_resolve(const char *file, const char *name, char *buf,
                           size_t len)
{
  const char *slash = strrchr(file, '/');
  size_t dlen = slash ? (size_t)(slash - file) : 1;
  const char *dir = slash ? file : ".";
  char seen[2048];
  int n;

  if (slash == file)
    dlen = 1; /* a file in "/" */
  if (profile_is_path(name)) {
    if (name[0] == '/')
      n = snprintf(buf, len, "%s", name);
    else
      n = snprintf(buf, len, "%.*s/%s", (int)dlen, dir, name);
    if (n < 0 || (size_t)n >= len || !profile_is_file(buf))
      return BN_ENOENT;
    return 0;
  }
  if (profile_try_dir(dir, dlen, name, buf, len) == 0)
    return 0;
  return profile_search(name, buf, len, seen, sizeof(seen));
}

static void profile_cycle_msg(const profile_chain *ch, int from,
                              const char *again, char *buf, size_t len)
{
  size_t used = 0;
  int i;

  buf[0] = '\0';
  for (i = from; i < ch->n && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, "%s -> ", ch->stem[i]);
  if (used < len)
    snprintf(buf + used, len - used, "%s", again);
}

static int profile_read(const char *path, profile_chain *ch, int top,
                        bn_node **out);

/* Load the parent named by `ext` and merge `*tree` onto it. */
static int profile_extend(const char *path, profile_chain *ch,
                          const bn_node *ext, bn_node **tree)
{
  char where[PATH_MAX + 64], parent[PATH_MAX], real[PATH_MAX];
  char cycle[1024];
  const char *name = conf_scalar(ext);
  bn_node *base = NULL, *merged;
  int i, rc;

  profile_where(ext, where, sizeof(where));
  if (!name || !*name) {
    log_error(NULL, "%s: 'extends' must be the name of one profile", where);
    return BN_EINVAL;
  }
  if (profile_resolve(path, name, parent, sizeof(parent)) < 0) {
    log_error(NULL,
              "%s: extends: no profile named '%s' (looked beside this "
              "file and in the profile search path)",
              where, name);
    return BN_ENOENT;
  }
  if (!realpath(parent, real)) {
    log_error(NULL, "%s: extends: cannot resolve '%s': %s", where, parent,
              strerror(errno));
    return BN_EIO;
  }
  for (i = 0; i < ch->n; i++) {
    if (strcmp(ch->real[i], real) == 0) {
      char *stem = profile_stem(real);

      profile_cycle_msg(ch, 0, stem ? stem : name, cycle, sizeof(cycle));
      free(stem);
      log_error(NULL, "%s: extends cycle: %s", where, cycle);
      return BN_EINVAL;
    }
  }
  if (ch->n > PROFILE_MAX_EXTENDS) {
    log_error(NULL, "%s: extends chain longer than %d profiles", where,
              PROFILE_MAX_EXTENDS);
    return BN_EINVAL;
  }
  rc = profile_read(parent, ch, 0, &base);
  if (rc < 0)
    return rc;
  /* The merged tree is what runs: `extends` has done its job. */
  conf_remove(*tree, "extends");
  merged = conf_merge(base, *tree);
  conf_free(base);
  if (!merged)
    return BN_ENOMEM;
  conf_free(*tree);
  *tree = merged;
  return 0;
}

static int profile_read(const char *path, profile_chain *ch, int top,
                        bn_node **out)
{
  char err[PATH_MAX + 512], real[PATH_MAX];
  bn_node *tree = NULL, *ext;
  int rc;

  *out = NULL;
  rc = conf_parse_file(path, &tree, err, sizeof(err));
  if (rc < 0) {
    log_error(NULL, "%s", err);
    return rc;
  }
  if (top && !conf_get(tree, "name")) {
    log_error(NULL, "%s: profile has no 'name'",
              profile_where(tree, err, sizeof(err)));
    conf_free(tree);
    return BN_EINVAL;
  }
  if (!realpath(path, real) || ch->n > PROFILE_MAX_EXTENDS) {
    conf_free(tree);
    return BN_EIO;
  }
  ch->real[ch->n] = strdup(real);
  ch->stem[ch->n] = profile_stem(path);
  ch->n++;
  ext = conf_get(tree, "extends");
  if (ext)
    rc = profile_extend(path, ch, ext, &tree);
  ch->n--;
  free(ch->real[ch->n]);
  free(ch->stem[ch->n]);
  if (rc < 0) {
    conf_free(tree);
    return rc;
  }
  *out = tree;
  return 0;
}

/* ------------------------------------------------------------------ */
/* Building the model                                                   */
/* ------------------------------------------------------------------ */

/* YAML null: `key:` with nothing, `~` or `null`. */
static int profile_is_null(const bn_node *n)
{
  return n && n->type == CONF_SCALAR && !n->quoted &&
         (n->value[0] == '\0' || strcmp(n->value, "~") == 0 ||
          strcmp(n->value, "null") == 0);
}

static int profile_in(const char *const *list, const char *s)
{
  for (; *list; list++)
    if (strcmp(*list, s) == 0)
      return 1;
  return 0;
}

static void profile_join(const char *const *list, char *buf, size_t len)
{
  size_t used = 0;

  buf[0] = '\0';
  for (; *list && used < len; list++)
    used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
                             *list);
}

/* Unknown keys of a map, reported at the key. */
static int profile_check_keys(const bn_node *map, const char *const *known,
                              const char *what)
{
  char where[PATH_MAX + 64], list[512];
  int rc = 0;
  size_t i;

  for (i = 0; i < map->n_items; i++) {
    if (profile_in(known, map->items[i]->key))
      continue;
    profile_join(known, list, sizeof(list));
    log_error(NULL, "%s: unknown key '%s' in %s (known: %s)",
              profile_key_where(map->items[i], where, sizeof(where)),
              map->items[i]->key, what, list);
    rc = BN_EINVAL;
  }
  return rc;
}

/* A scalar that must be a non-empty string; NULL after logging. */
static const char *profile_text(const bn_node *n, const char *what)
{
  char where[PATH_MAX + 64];
  const char *s = conf_scalar(n);
  const char *c;

  if (!s || !*s) {
    log_error(NULL, "%s: %s must be a non-empty string",
              profile_where(n, where, sizeof(where)), what);
    return NULL;
  }
  /* a name goes to terminals, logs and reports: no TAB, LF ... */
  for (c = s; *c; c++)
    if ((unsigned char)*c < 0x20 || *c == 0x7f) {
      log_error(NULL,
                "%s: %s contains a control character (0x%02x); "
                "remove it",
                profile_where(n, where, sizeof(where)), what,
                (unsigned char)*c);
      return NULL;
    }
  return s;
}

/* `consent:`: a list of destinations (URL, host, host:port, or "*") that
 * plugins may send data to (docs/exporters.md, Consent). */
static int profile_consent(profile *p, const bn_node *n)
{
  char where[PATH_MAX + 64];
  size_t i;

  p->consent = NULL;
  if (!n || profile_is_null(n))
    return BN_OK;
  if (n->type != CONF_LIST) {
    log_error(NULL,
              "%s: 'consent' must be a list of destinations (URL, host or "
              "\"*\"), e.g. consent: [\"hooks.example.com\"]",
              profile_where(n, where, sizeof(where)));
    return BN_EINVAL;
  }
  for (i = 0; i < n->n_items; i++)
    if (!profile_text(n->items[i], "each 'consent' item"))
      return BN_EINVAL;
  p->consent = n;
  return BN_OK;
}

/* `enabled:` of an entry: 1, 0, or BN_EINVAL after logging. */
static int profile_enabled(const bn_node *map)
{
  char where[PATH_MAX + 64];
  const bn_node *n = conf_get(map, "enabled");
  int on = 1;

  if (!n)
    return 1;
  if (!conf_scalar(n) || conf_parse_bool(conf_scalar(n), &on) < 0) {
    log_error(NULL, "%s: 'enabled' must be true or false",
              profile_where(n, where, sizeof(where)));
    return BN_EINVAL;
  }
  return on;
}

/* NULL when `h` is a usable host, else what is wrong with it. */
static const char *profile_host_problem(const char *h)
{
  unsigned char addr[16];
  size_t len = strlen(h), i, label = 0;

  if (strchr(h, ':'))
    return inet_pton(AF_INET6, h, addr) == 1 ? NULL
                                             : "not a valid IPv6 address";
  if (len > 0 && strspn(h, "0123456789.") == len)
    return inet_pton(AF_INET, h, addr) == 1 ? NULL
                                            : "not a valid IPv4 address";
  if (len > 0 && h[len - 1] == '.')
    len--; /* a fully qualified "example.org." */
  if (len == 0 || len > 253)
    return "not a valid host name";
  for (i = 0; i <= len; i++) {
    char c = i < len ? h[i] : '.';

    if (c == '.') {
      if (label == 0 || label > 63 || h[i - 1] == '-')
        return "not a valid host name";
      label = 0;
      continue;
    }
    if (!isalnum((unsigned char)c) && c != '-')
      return "not a valid host name";
    if (c == '-' && label == 0)
      return "not a valid host name";
    label++;
  }
  return NULL;
}

/* FNV-1a: target names are looked up by hash, so that 100,000 targets
 * and filters naming them stay linear. */
static uint64_t profile_name_hash(const char *s)
{
  uint64_t h = 14695981039346656037ull;

  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ull;
  }
  return h;
}

static const bn_target *profile_target_named(const profile *p,
                                             const char *name)
{
  size_t mask = p->name_slots - 1, i;

  if (!p->name_slots)
    return NULL;
  for (i = (size_t)profile_name_hash(name) & mask; p->name_index[i];
       i = (i + 1) & mask) {
    const bn_target *t = &p->targets[p->name_index[i] - 1];

    if (strcmp(t->name, name) == 0)
      return t;
  }
  return NULL;
}

/* Index target k by name (its name is not there yet). */
static void profile_name_add(profile *p, size_t k)
{
  size_t mask = p->name_slots - 1, i;

  for (i = (size_t)profile_name_hash(p->targets[k].name) & mask;
       p->name_index[i]; i = (i + 1) & mask)
    ;
  p->name_index[i] = k + 1;
}

/* Tags of a target into a fresh array of pointers into the tree. */
static int profile_tags(bn_target *t, const bn_node *tags)
{
  char where[PATH_MAX + 64];
  const char **arr;
  size_t i;

  if (!tags || profile_is_null(tags))
    return 0;
  if (tags->type != CONF_LIST) {
    log_error(NULL, "%s: target '%s': 'tags' must be a list of strings",
              profile_where(tags, where, sizeof(where)), t->name);
    return BN_EINVAL;
  }
  for (i = 0; i < tags->n_items; i++) {
    const char *s = conf_scalar(tags->items[i]);

    if (!s || !*s) {
      log_error(NULL, "%s: target '%s': a tag must be a non-empty string",
                profile_where(tags->items[i], where, sizeof(where)), t->name);
      return BN_EINVAL;
    }
  }
  if (tags->n_items == 0)
    return 0;
  arr = calloc(tags->n_items, sizeof(*arr));
  if (!arr)
    return BN_ENOMEM;
  for (i = 0; i < tags->n_items; i++)
    arr[i] = tags->items[i]->value;
  t->tags = arr;
  t->n_tags = tags->n_items;
  return 0;
}

/* Optional scalar metadata (region, asn). */
static int profile_meta(const bn_node *map, const char *key, const char **out)
{
  const bn_node *n = conf_get(map, key);

  *out = NULL;
  if (!n || profile_is_null(n))
    return 0;
  *out = profile_text(n, key);
  return *out ? 0 : BN_EINVAL;
}

static int profile_port(const bn_target *t, const bn_node *n)
{
  char where[PATH_MAX + 64];
  const char *s = conf_scalar(n);
  int64_t v;

  if (!s || conf_parse_int(s, &v) < 0 || v < 1 || v > 65535) {
    if (s)
      log_error(NULL,
                "%s: target '%s': port must be between 1 and 65535, "
                "got '%s'",
                profile_where(n, where, sizeof(where)), t->name, s);
    else
      log_error(NULL, "%s: target '%s': port must be between 1 and 65535",
                profile_where(n, where, sizeof(where)), t->name);
    return BN_EINVAL;
  }
  return (int)v;
}

/*
 * The host part of an http(s) URL: "scheme://[user@]host[:port][/...]",
 * with IPv6 literals in brackets.  Returns 0 and the host in buf, or -1.
 */
static int profile_url_host(const char *url, char *buf, size_t len)
{
  const char *h = strstr(url, "://");
  const char *end, *at;
  size_t n;

  if (!h)
    return -1;
  h += 3;
  end = h + strcspn(h, "/?#");
  at = memchr(h, '@', (size_t)(end - h));
  if (at)
    h = at + 1;
  if (*h == '[') {
    const char *close = memchr(h, ']', (size_t)(end - h));

    if (!close)
      return -1;
    h++;
    end = close;
  } else {
    const char *colon = memchr(h, ':', (size_t)(end - h));

    if (colon)
      end = colon;
  }
  n = (size_t)(end - h);
  if (n == 0 || n >= len)
    return -1;
  memcpy(buf, h, n);
  buf[n] = '\0';
  return 0;
}

/*
 * A target given only by `url:` gets its `host:` from the URL, added to
 * the tree at the url's position (the tree owns every string a target
 * points at), so resolution checks and other probes see a host too.
 */
static const bn_node *profile_host_node(const bn_target *t, bn_node *map)
{
  const bn_node *url = conf_get(map, "url");
  char where[PATH_MAX + 64], host[256];
  bn_node *n;

  if (!url || !conf_scalar(url)) {
    log_error(NULL, "%s: target '%s' has no 'host' (or 'url')",
              profile_where(map, where, sizeof(where)), t->name);
    return NULL;
  }
  if (profile_url_host(conf_scalar(url), host, sizeof(host)) != 0) {
    log_error(NULL,
              "%s: target '%s': url '%s' has no host; write it as "
              "http(s)://HOST[:PORT]/PATH",
              profile_where(url, where, sizeof(where)), t->name,
              conf_scalar(url));
    return NULL;
  }
  n = conf_new_scalar(host, url->file, url->line, url->col);
  if (!n || conf_append(map, "host", n) != 0) {
    conf_free(n);
    return NULL;
  }
  return n;
}

/* One entry of `targets:`; 1 when added, 0 when disabled, or < 0. */
static int profile_target(profile *p, const bn_node *map)
{
  char where[PATH_MAX + 64], first[PATH_MAX + 64];
  bn_target *t = &p->targets[p->n_targets];
  const bn_target *dup;
  const bn_node *n;
  const char *problem;
  int rc, on, keys;

  if (map->type != CONF_MAP) {
    log_error(NULL, "%s: each target must be a map with 'name' and 'host'",
              profile_where(map, where, sizeof(where)));
    return BN_EINVAL;
  }
  /* an unknown key is reported, and the target still defined: the
   * probes that name it must not fail again for it */
  keys = profile_check_keys(map, target_keys, "target");
  on = profile_enabled(map);
  if (on < 0)
    return BN_EINVAL;
  if (!on)
    return 0;
  memset(t, 0, sizeof(*t));
  t->node = map;
  n = conf_get(map, "name");
  if (!n) {
    log_error(NULL, "%s: target has no 'name'",
              profile_where(map, where, sizeof(where)));
    return BN_EINVAL;
  }
  t->name = profile_text(n, "a target's 'name'");
  if (!t->name)
    return BN_EINVAL;
  if (strncmp(t->name, "tag:", 4) == 0) {
    log_error(NULL, "%s: target name '%s' must not start with 'tag:'",
              profile_where(n, where, sizeof(where)), t->name);
    return BN_EINVAL;
  }
  dup = profile_target_named(p, t->name);
  if (dup) {
    log_error(
        NULL, "%s: duplicate target name '%s' (first at %s)",
        profile_where(n, where, sizeof(where)), t->name,
        profile_where(conf_get(dup->node, "name"), first, sizeof(first)));
    return BN_EINVAL;
  }
  n = conf_get(map, "host");
  /* The profile owns its tree; only a derived host is ever added. */
  if (!n)
    n = profile_host_node(t, (bn_node *)map);
  if (!n)
    return BN_EINVAL;
  t->host = profile_text(n, "a target's 'host'");
  if (!t->host)
    return BN_EINVAL;
  problem = profile_host_problem(t->host);
  if (problem) {
    log_error(NULL, "%s: target '%s': host '%s' is %s",
              profile_where(n, where, sizeof(where)), t->name, t->host,
              problem);
    return BN_EINVAL;
  }
  n = conf_get(map, "port");
  if (n && !profile_is_null(n)) {
    t->port = profile_port(t, n);
    if (t->port < 0)
      return BN_EINVAL;
  }
  if (profile_meta(map, "region", &t->region) < 0 ||
      profile_meta(map, "asn", &t->asn) < 0)
    return BN_EINVAL;
  rc = profile_tags(t, conf_get(map, "tags"));
  if (rc < 0)
    return rc;
  profile_name_add(p, p->n_targets);
  p->n_targets++;
  return keys < 0 ? BN_EINVAL : 1;
}

static int profile_targets(profile *p, const bn_node *list)
{
  char where[PATH_MAX + 64];
  int rc = 0;
  size_t i;

  if (!list || profile_is_null(list))
    return 0;
  if (list->type != CONF_LIST) {
    log_error(NULL, "%s: 'targets' must be a list of targets",
              profile_where(list, where, sizeof(where)));
    return BN_EINVAL;
  }
  p->targets = calloc(list->n_items ? list->n_items : 1, sizeof(bn_target));
  if (!p->targets)
    return BN_ENOMEM;
  for (p->name_slots = 16; p->name_slots < 2 * list->n_items;)
    p->name_slots *= 2;
  p->name_index = calloc(p->name_slots, sizeof(*p->name_index));
  if (!p->name_index)
    return BN_ENOMEM;
  for (i = 0; i < list->n_items; i++) {
    int r = profile_target(p, list->items[i]);

    if (r == BN_ENOMEM)
      return r;
    if (r < 0)
      rc = BN_EINVAL;
  }
  return rc;
}

static int profile_has_tag(const bn_target *t, const char *tag)
{
  size_t i;

  for (i = 0; i < t->n_tags; i++)
    if (strcmp(t->tags[i], tag) == 0)
      return 1;
  return 0;
}

/* Mark the targets that filter item `f` selects; BN_EINVAL if none. */
static int profile_select(const profile *p, const bn_node *f,
                          const char *section, const char *inst, char *sel)
{
  char where[PATH_MAX + 64], known[1024];
  const char *s = conf_scalar(f);
  size_t i, used = 0;
  int hits = 0;

  profile_where(f, where, sizeof(where));
  if (!s || !*s) {
    log_error(NULL,
              "%s: %s '%s': a target filter is a target name or "
              "\"tag:TAG\"",
              where, section, inst);
    return BN_EINVAL;
  }
  if (strncmp(s, "tag:", 4) == 0) {
    for (i = 0; i < p->n_targets; i++)
      if (profile_has_tag(&p->targets[i], s + 4)) {
        sel[i] = 1;
        hits++;
      }
  } else {
    const bn_target *t = profile_target_named(p, s);

    if (t) {
      sel[t - p->targets] = 1;
      hits++;
    }
  }
  if (hits)
    return 0;
  if (strncmp(s, "tag:", 4) == 0) {
    log_error(NULL, "%s: %s '%s': no target has tag '%s'", where, section,
              inst, s + 4);
    return BN_EINVAL;
  }
  known[0] = '\0';
  for (i = 0; i < p->n_targets && used < sizeof(known); i++)
    used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s",
                             i ? ", " : "", p->targets[i].name);
  log_error(NULL, "%s: %s '%s': unknown target '%s' (known: %s)", where,
            section, inst, s, p->n_targets ? known : "none");
  return BN_EINVAL;
}

/* The targets of one instance: all of them, or those its filter picks. */
static int profile_plugin_targets(const profile *p, profile_plugin *pp,
                                  const char *section)
{
  char where[PATH_MAX + 64];
  const bn_node *f = conf_get(pp->node, "targets");
  char *sel = NULL;
  int rc = 0;
  size_t i;

  sel = calloc(p->n_targets + 1, 1);
  pp->targets = calloc(p->n_targets + 1, sizeof(bn_target));
  if (!sel || !pp->targets) {
    rc = BN_ENOMEM;
    goto out;
  }
  if (!f || profile_is_null(f)) {
    memset(sel, 1, p->n_targets);
  } else if (f->type != CONF_LIST) {
    log_error(NULL,
              "%s: %s '%s': 'targets' must be a list of target names or "
              "\"tag:TAG\"",
              profile_where(f, where, sizeof(where)), section, pp->name);
    rc = BN_EINVAL;
  } else {
    for (i = 0; i < f->n_items; i++)
      if (profile_select(p, f->items[i], section, pp->name, sel) < 0)
        rc = BN_EINVAL;
  }
  for (i = 0; rc == 0 && i < p->n_targets; i++)
    if (sel[i])
      pp->targets[pp->n_targets++] = p->targets[i];
out:
  free(sel);
  return rc;
}

/* One entry of a plugin section; 1 added, 0 disabled, or < 0. */
static int profile_entry(profile *p, bn_kind kind, bn_node *map)
{
  const char *section = profile_section(kind);
  char where[PATH_MAX + 64], first[PATH_MAX + 64], what[64];
  profile_plugin *pp = &p->plugins[p->n_plugins];
  const bn_node *n;
  const char *plugin, *name;
  size_t i;
  int on, rc;

  if (map->type != CONF_MAP) {
    log_error(NULL, "%s: each entry of '%s' must be a map with a 'plugin'",
              profile_where(map, where, sizeof(where)), section);
    return BN_EINVAL;
  }
  on = profile_enabled(map);
  if (on <= 0)
    return on;
  n = conf_get(map, "plugin");
  if (!n) {
    log_error(NULL, "%s: entry of '%s' has no 'plugin'",
              profile_where(map, where, sizeof(where)), section);
    return BN_EINVAL;
  }
  snprintf(what, sizeof(what), "'plugin' in %s", section);
  plugin = profile_text(n, what);
  if (!plugin)
    return BN_EINVAL;
  n = conf_get(map, "name");
  name = plugin;
  if (n) {
    snprintf(what, sizeof(what), "'name' in %s", section);
    name = profile_text(n, what);
    if (!name)
      return BN_EINVAL;
  }
  for (i = 0; i < p->n_plugins; i++) {
    if (p->plugins[i].kind == kind && strcmp(p->plugins[i].name, name) == 0) {
      const bn_node *o = p->plugins[i].node;

      log_error(NULL,
                "%s: duplicate name '%s' in %s (first at %s); give each "
                "entry its own 'name'",
                profile_where(n ? n : map, where, sizeof(where)), name,
                section,
                profile_where(conf_get(o, "name") ? conf_get(o, "name") : o,
                              first, sizeof(first)));
      return BN_EINVAL;
    }
  }
  memset(pp, 0, sizeof(*pp));
  pp->kind = kind;
  pp->node = map;
  pp->plugin = strdup(plugin);
  pp->name = strdup(name);
  p->n_plugins++; /* counted now so that profile_free frees it */
  if (!pp->plugin || !pp->name)
    return BN_ENOMEM;
  rc = profile_plugin_targets(p, pp, section);
  return rc < 0 ? rc : 1;
}

static int profile_plugins(profile *p)
{
  char where[PATH_MAX + 64];
  size_t k, i, total = 0;
  int rc = 0;

  for (k = 0; k < N_KINDS; k++) {
    const bn_node *l = conf_get(p->root, profile_section(profile_kinds[k]));

    if (l && l->type == CONF_LIST)
      total += l->n_items;
  }
  p->plugins = calloc(total + 1, sizeof(*p->plugins));
  if (!p->plugins)
    return BN_ENOMEM;
  for (k = 0; k < N_KINDS; k++) {
    const char *section = profile_section(profile_kinds[k]);
    bn_node *l = conf_get(p->root, section);

    if (!l || profile_is_null(l))
      continue;
    if (l->type != CONF_LIST) {
      log_error(NULL, "%s: '%s' must be a list of plugin entries",
                profile_where(l, where, sizeof(where)), section);
      rc = BN_EINVAL;
      continue;
    }
    for (i = 0; i < l->n_items; i++) {
      int r = profile_entry(p, profile_kinds[k], l->items[i]);

      if (r == BN_ENOMEM)
        return r;
      if (r < 0)
        rc = BN_EINVAL;
    }
  }
  return rc;
}

/* `store:` with a leading ~ expanded to $HOME. */
static int profile_store(profile *p, const bn_node *n)
{
  const char *s, *home = getenv("HOME");
  size_t len;

  if (!n || profile_is_null(n))
    return 0;
  s = profile_text(n, "'store'");
  if (!s)
    return BN_EINVAL;
  if (s[0] == '~' && (s[1] == '/' || s[1] == '\0') && home && *home) {
    len = strlen(home) + strlen(s);
    p->store_path = malloc(len);
    if (p->store_path)
      snprintf(p->store_path, len, "%s%s", home, s + 1);
  } else {
    p->store_path = strdup(s);
  }
  return p->store_path ? 0 : BN_ENOMEM;
}

/* The `retention:` section: how long raw samples, minute rollups and
 * hour rollups are kept (store_compact.c).  Each an age; they must not
 * shrink from one resolution to the next, since each is made from the
 * one before. */
static const bn_option retention_options[] = {
    {.name = "raw",
     .type = BN_OPT_DURATION,
     .def = "14d",
     .help = "how long raw samples are kept",
     .min = 3600,
     .max = 100 * 366 * 86400.0},
    {.name = "minutes",
     .type = BN_OPT_DURATION,
     .def = "90d",
     .help = "how long per-minute rollups are kept (then merged into hours)",
     .min = 3600,
     .max = 100 * 366 * 86400.0},
    {.name = "hours",
     .type = BN_OPT_DURATION,
     .def = "2y",
     .help = "how long per-hour rollups are kept",
     .min = 3600,
     .max = 100 * 366 * 86400.0},
    BN_OPTIONS_END,
};

static int profile_retention(profile *p, bn_node *map)
{
  static const char *const key[] = {"raw", "minutes", "hours"};
  int64_t v[3] = {STORE_RETAIN_RAW_NS, STORE_RETAIN_MINUTE_NS,
                  STORE_RETAIN_HOUR_NS};
  char where[PATH_MAX + 64];
  int i, rc = 0;

  if (map && !profile_is_null(map)) {
    if (map->type != CONF_MAP) {
      log_error(NULL,
                "%s: 'retention' must be a map of ages, e.g. {raw: 14d, "
                "minutes: 90d, hours: 730d}",
                conf_where(map, where, sizeof(where)));
      return BN_EINVAL;
    }
    if (options_validate(retention_options, map, NULL, "@retention") != 0)
      return BN_EINVAL;
    for (i = 0; i < 3; i++)
      conf_parse_duration(conf_scalar(conf_get(map, key[i])), &v[i]);
    for (i = 1; i < 3; i++)
      if (v[i] < v[i - 1]) {
        log_error(NULL,
                  "%s: retention '%s' (%.0f h) is shorter than '%s' (%.0f "
                  "h), which it is made from; make it at least as long",
                  conf_where(conf_get(map, key[i]), where, sizeof(where)),
                  key[i], (double)v[i] / 3.6e12, key[i - 1],
                  (double)v[i - 1] / 3.6e12);
        rc = BN_EINVAL;
      }
  }
  p->retention.raw_ns = v[0];
  p->retention.minute_ns = v[1];
  p->retention.hour_ns = v[2];
  return rc;
}

/* Keep going after errors; out of memory wins over a bad profile. */
static int profile_worse(int rc, int r)
{
  if (rc == BN_ENOMEM || r == BN_ENOMEM)
    return BN_ENOMEM;
  return rc < 0 || r < 0 ? BN_EINVAL : 0;
}

static int profile_build(profile *p)
{
  const bn_node *n;
  int rc = 0, r;

  if (profile_check_keys(p->root, profile_keys, "profile") < 0)
    rc = BN_EINVAL;
  n = conf_get(p->root, "name");
  if (n && profile_text(n, "'name'"))
    p->name = strdup(n->value);
  else
    rc = BN_EINVAL;
  n = conf_get(p->root, "description");
  if (n && !profile_is_null(n)) {
    if (profile_text(n, "'description'"))
      p->description = strdup(n->value);
    else
      rc = BN_EINVAL;
  }
  r = profile_consent(p, conf_get(p->root, "consent"));
  rc = profile_worse(rc, r);
  r = profile_store(p, conf_get(p->root, "store"));
  rc = profile_worse(rc, r);
  r = profile_targets(p, conf_get(p->root, "targets"));
  rc = profile_worse(rc, r);
  r = profile_plugins(p);
  rc = profile_worse(rc, r);
  /* The settings of the speed test orchestration (core, not a plugin). */
  r = speedtest_settings_read(conf_get(p->root, "speedtest"), &p->speedtest);
  rc = profile_worse(rc, r);
  /* The pre-flight checks (core, not a plugin). */
  r = check_settings_read(conf_get(p->root, "checks"), &p->checks);
  rc = profile_worse(rc, r);
  r = profile_retention(p, conf_get(p->root, "retention"));
  rc = profile_worse(rc, r);
  return rc;
}

/* SHA-256 of the merged tree's dump: names what actually ran. */
static int profile_hash(profile *p)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0, i;
  char *text = NULL;
  size_t len = 0;
  FILE *f;
  int rc = 0;

  f = open_memstream(&text, &len);
  if (!f)
    return BN_ENOMEM;
  conf_dump(p->root, f);
  if (fclose(f) != 0 || !text) {
    rc = BN_ENOMEM;
    goto out;
  }
  if (!EVP_Digest(text, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
    log_error("profile", "SHA-256 failed");
    rc = BN_ERR;
    goto out;
  }
  for (i = 0; i < mdlen; i++)
    snprintf(p->hash + 2 * i, 3, "%02x", md[i]);
out:
  free(text);
  return rc;
}

/* keep: hand back a profile whose build found errors (logged). */
static int profile_load_mode(const char *arg, profile **out, int keep)
{
  char path[PATH_MAX];
  profile_chain ch;
  profile *p = NULL;
  int rc, built = 0;

  if (!out)
    return BN_EINVAL;
  *out = NULL;
  memset(&ch, 0, sizeof(ch));
  rc = profile_find(arg, path, sizeof(path));
  if (rc < 0)
    return rc;
  p = calloc(1, sizeof(*p));
  if (!p || !(p->file = strdup(path))) {
    rc = BN_ENOMEM;
    goto out;
  }
  rc = profile_read(path, &ch, 1, &p->root);
  if (rc == 0) {
    rc = profile_build(p);
    built = 1;
  }
  if (rc == 0)
    rc = profile_hash(p);
out:
  if (rc == BN_EINVAL && built && keep) {
    *out = p;
    return rc;
  }
  if (rc < 0) {
    if (rc == BN_ENOMEM)
      log_error("profile", "%s: out of memory", arg);
    profile_free(p);
    return rc;
  }
  *out = p;
  return 0;
}

int profile_load(const char *arg, profile **out)
{
  return profile_load_mode(arg, out, 0);
}

int profile_load_all(const char *arg, profile **out)
{
  return profile_load_mode(arg, out, 1);
}

/* ------------------------------------------------------------------ */
/* Plugins against the loader                                           */
/* ------------------------------------------------------------------ */

static const char *profile_article(const char *word)
{
  return strchr("aeiou", word[0]) ? "an" : "a";
}

int profile_check_plugins(profile *p, struct loader *ld)
{
  static const bn_option no_options[] = {BN_OPTIONS_END};
  char where[PATH_MAX + 64];
  int rc = 0;
  size_t i;

  if (!p)
    return BN_EINVAL;
  for (i = 0; i < p->n_plugins; i++) {
    profile_plugin *pp = &p->plugins[i];
    const bn_node *at = conf_get(pp->node, "plugin");
    const loader_plugin *lp = loader_find_kind(ld, pp->kind, pp->plugin);
    const char *is, *want;

    if (!lp)
      lp = loader_find(ld, pp->plugin); /* for "is a probe, not a ..." */

    profile_where(at ? at : pp->node, where, sizeof(where));
    if (!lp) {
      log_error(NULL,
                "%s: unknown plugin '%s' in %s (see 'bottleneck plugins')",
                where, pp->plugin, profile_section(pp->kind));
      rc = BN_EINVAL;
      continue;
    }
    if (lp->desc.kind != pp->kind) {
      is = loader_kind_name(lp->desc.kind);
      want = profile_kind_name(pp->kind);
      log_error(NULL, "%s: plugin '%s' is %s %s, not %s %s", where, pp->plugin,
                profile_article(is), is, profile_article(want), want);
      rc = BN_EINVAL;
      continue;
    }
    if (options_validate(lp->desc.options ? lp->desc.options : no_options,
                         pp->node,
                         pp->kind == BN_KIND_REPORTER   ? reporter_reserved
                         : pp->kind == BN_KIND_EXPORTER ? exporter_reserved
                                                        : plugin_reserved,
                         pp->plugin) < 0) {
      pp->options_bad = 1;
      rc = BN_EINVAL;
    }
    if ((pp->kind == BN_KIND_REPORTER || pp->kind == BN_KIND_EXPORTER) &&
        profile_check_report_keys(pp) < 0)
      rc = BN_EINVAL;
  }
  return rc;
}

void profile_free(profile *p)
{
  size_t i;

  if (!p)
    return;
  for (i = 0; i < p->n_plugins; i++) {
    free(p->plugins[i].plugin);
    free(p->plugins[i].name);
    free(p->plugins[i].targets);
  }
  free(p->plugins);
  for (i = 0; i < p->n_targets; i++)
    free((void *)p->targets[i].tags);
  free(p->targets);
  free(p->name_index);
  conf_free(p->root);
  free(p->name);
  free(p->description);
  free(p->file);
  free(p->store_path);
  free(p);
}
