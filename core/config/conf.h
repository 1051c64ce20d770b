/*
 * conf.h - the neutral configuration tree.  Profiles are parsed from
 * YAML (conf_yaml.c) into these nodes; every node remembers the file,
 * line and column it came from so that errors can point at it.
 * struct bn_node is opaque to plugins (sdk.h) and defined here.
 */
#ifndef BN_CORE_CONF_H
#define BN_CORE_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <bottleneck/sdk.h>

typedef enum conf_type {
  CONF_SCALAR = 0,
  CONF_MAP = 1,
  CONF_LIST = 2,
} conf_type;

struct bn_node {
  conf_type type;
  const char *file;      /* interned path of the source file (owned by tree) */
  int line, col;         /* 1-based position of the value */
  int key_line, key_col; /* position of the key, for map entries */
  char *key;             /* key when this node is a map entry, else NULL */
  char *value;           /* text when type == CONF_SCALAR */
  int quoted;            /* scalar was quoted in YAML (always a string) */
  struct bn_node **items; /* children of maps and lists */
  size_t n_items, cap_items;
};

/**
 * Parse a YAML file into a tree (a document whose root is a map).
 * On error returns a negative status and writes one line
 * "FILE:LINE:COL: message" into err.
 */
int conf_parse_file(const char *path, bn_node **out, char *err, size_t errlen);
/** Parse YAML from memory; `name` stands for the file in messages. */
int conf_parse_string(const char *text, const char *name, bn_node **out,
                      char *err, size_t errlen);

/** Create nodes (file may be NULL: "<builtin>"). */
bn_node *conf_new(conf_type type, const char *file, int line, int col);
bn_node *conf_new_scalar(const char *value, const char *file, int line,
                         int col);
/** Append a child to a map (key required) or list (key NULL). */
int conf_append(bn_node *parent, const char *key, bn_node *child);
/** Deep copy. */
bn_node *conf_copy(const bn_node *n);
/** Free a tree. */
void conf_free(bn_node *n);

/** Child of a map by key, or NULL. */
bn_node *conf_get(const bn_node *map, const char *key);
/** Remove (and free) a key from a map; returns 1 if it was there. */
int conf_remove(bn_node *map, const char *key);
/** Scalar text or NULL. */
const char *conf_scalar(const bn_node *n);

/**
 * Merge `over` onto a copy of `base` (profile `extends:`): maps merge
 * key by key, recursively; lists of maps whose items carry a `name` (or,
 * failing that, a `plugin`) merge item by item on that key and append new
 * ones; an item with `enabled: false` removes the inherited one; other
 * lists and scalars in `over` replace.  Returns a new tree.
 */
bn_node *conf_merge(const bn_node *base, const bn_node *over);

/** Write a tree as YAML (used by `profile show`). */
void conf_dump(const bn_node *n, FILE *out);

/** "FILE:LINE:COL" of a node into buf. */
const char *conf_where(const bn_node *n, char *buf, size_t len);

/* Typed parsing of scalar text: 0 or BN_EINVAL. */
int conf_parse_int(const char *s, int64_t *out);
int conf_parse_double(const char *s, double *out);
int conf_parse_bool(const char *s, int *out);
/** "250ms", "1.5s", "2m", "1h", "100us", "14d", "2w", "2y" (365 days),
 * plain number = seconds. */
int conf_parse_duration(const char *s, int64_t *out_ns);
/**
 * Bytes: "1500", "64k", "1.5M" (SI: k M G T are powers of 1000),
 * "8MiB", "64Ki" (IEC: powers of 1024), an optional trailing "B"; the
 * result must be a whole number of bytes.
 */
int conf_parse_size(const char *s, int64_t *out);
/**
 * Bits per second: "200M", "1.5G", "10Mbit", "100Mbit/s", "64kbps" (SI
 * only, as iperf3 and network equipment count).
 */
int conf_parse_rate(const char *s, double *out_bps);

#endif
