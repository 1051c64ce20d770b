/*
 * profile.h - YAML profiles: name, description, extends, store path,
 * targets and the plugins of each kind with their parameters.
 *
 * A profile file looks like
 *
 *   name: lab
 *   description: Loopback-only lab profile
 *   extends: base
 *   store: /var/lib/bottleneck/history.db     # optional
 *   targets:
 *     - {name: web, host: 127.0.0.1, port: 8080, tags: [loopback]}
 *   probes:
 *     - plugin: tcp
 *       name: tcp-web           # instance name (default: plugin name)
 *       targets: [web, "tag:loopback"]   # default: all targets
 *       interval: 1s            # plugin options follow
 *   speedtest: {streams: 4, duration: 10s, retries: 2}   # optional
 *   retention: {raw: 14d, minutes: 90d, hours: 2y}       # optional
 *   speedtests:             # providers, in failover order
 *     - plugin: cloudflare
 *   anomaly: []
 *   exporters: []
 *   reporters:
 *     - plugin: text
 */
#ifndef BN_CORE_PROFILE_H
#define BN_CORE_PROFILE_H

#include <stddef.h>

#include <bottleneck/sdk.h>

#include "check.h"
#include "conf.h"
#include "speedtest_settings.h"
#include "store.h"

struct loader;

/** One plugin instance requested by the profile. */
typedef struct profile_plugin {
  bn_kind kind;
  char *plugin;       /* plugin name */
  char *name;         /* instance name */
  bn_node *node;      /* its map in the merged tree (owned by root) */
  bn_target *targets; /* the targets it applies to (points into profile) */
  size_t n_targets;
  int options_bad; /* its options failed profile_check_plugins (reported) */
} profile_plugin;

typedef struct profile {
  char *name;
  char *description;
  char *file;       /* file the profile was loaded from */
  char *store_path; /* NULL: the default */
  bn_node *root;    /* merged tree (after extends) */
  bn_target *targets;
  size_t n_targets;
  size_t *name_index; /* open addressing: target index + 1, 0 = free */
  size_t name_slots;  /* a power of two */
  profile_plugin *plugins;
  size_t n_plugins;
  char hash[65]; /* SHA-256 hex of the merged tree's YAML dump */
  struct speedtest_settings speedtest; /* the `speedtest:` section */
  check_settings checks;               /* the `checks:` section */
  store_retention retention;           /* the `retention:` section */
  const bn_node *consent; /* the `consent:` list (in root), or NULL */
} profile;

/** Sections of a profile that hold plugin lists, by kind. */
const char *profile_section(bn_kind kind);
/** Kind name: "probe", "speedtest", "anomaly", "exporter", "reporter". */
const char *profile_kind_name(bn_kind kind);

/**
 * Find a profile by name: `arg` containing '/' or ending in .yaml/.yml
 * is a file; otherwise NAME.yaml is looked up in BOTTLENECK_PROFILE_PATH
 * (colon-separated), $XDG_CONFIG_HOME/bottleneck/profiles (falling back
 * to ~/.config), then the installed profiles directory.
 * Returns 0 and the path in buf, or BN_ENOENT (logged).
 */
int profile_find(const char *arg, char *buf, size_t len);

/**
 * Load and merge a profile (following `extends:`, relative to the file's
 * directory first, then the search path; cycles are errors), check its
 * structure (types of the fixed keys, target fields, host and port
 * syntax, duplicate names, target filters that match nothing) and build
 * the model.  Errors are logged as FILE:LINE:COL: message.  Does not
 * check plugin options: see profile_check_plugins().
 */
int profile_load(const char *arg, profile **out);
/**
 * Like profile_load, but a profile whose checks found errors (each
 * already logged with its file:line:col) is handed back all the same,
 * with BN_EINVAL, so that a validator can go on to check its plugins and
 * their options and report every error in one pass.  *out is NULL only
 * when the file could not be found, read or parsed.
 */
int profile_load_all(const char *arg, profile **out);

/**
 * Validate each plugin entry against the plugin's option table from the
 * loader (unknown plugin, wrong kind, unknown keys, types, ranges) and
 * fill in defaults.  Returns 0 or BN_EINVAL after logging all problems.
 */
int profile_check_plugins(profile *p, struct loader *ld);

void profile_free(profile *p);

#endif
