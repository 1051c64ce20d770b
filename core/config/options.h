/*
 * options.h - validation of a plugin's part of a profile against the
 * plugin's option table (bn_option), and printing the table.
 */
#ifndef BN_CORE_OPTIONS_H
#define BN_CORE_OPTIONS_H

#include <stdio.h>

#include <bottleneck/sdk.h>

#include "conf.h"

/**
 * Check every key of `map` against `table`.  Keys in `reserved` (a
 * NULL-terminated list, e.g. "plugin", "name", "targets", "enabled")
 * are skipped.  Each unknown key, value of the wrong type, out-of-range
 * value or missing required key is logged as
 *   FILE:LINE:COL: plugin 'tcp': unknown option 'prot'; known: port, ...
 * Missing keys that have a default get a node with that default.
 * `plugin` names the owner in messages; "@name" stands for the profile's
 * own section `name` ("section 'name'").
 * Returns 0, or BN_EINVAL after logging every problem found.
 */
int options_validate(const bn_option *table, bn_node *map,
                     const char *const *reserved, const char *plugin);

/** Print the table for `plugins --describe`. */
void options_describe(const bn_option *table, FILE *out);

/**
 * Fill the plugin's config struct `cfg` from `map` (already validated,
 * defaults filled in): every entry of `table` with a field (BN_FIELD)
 * whose key is present.  Returns 0, or BN_EINVAL after logging.
 */
int options_fill(const bn_option *table, const bn_node *map, void *cfg,
                 const char *plugin);

/**
 * Check that every field of the table fits its option type (size of an
 * int64_t for a duration...).  Returns 0, or BN_EINVAL after logging one
 * line naming the plugin and the option.
 */
int options_check_table(const bn_option *table, const char *plugin);

/** Name of an option type ("duration", "int"...). */
const char *options_type_name(bn_opt_type t);

#endif
