/*
 * sim_import.h - `bottleneck import --format omnetpp|cdf-csv`: simulation
 * results into a run of kind "sim" (docs/simulation.md).
 */
#ifndef BN_CORE_SIM_SIM_IMPORT_H
#define BN_CORE_SIM_SIM_IMPORT_H

#include <stddef.h>

#include <bottleneck/sdk.h>

/** One mapping: result names matching `pattern` (fnmatch, case folded)
 * become metrics of `role`, their values given in `unit_in`. */
typedef struct sim_map {
  char *pattern;
  bn_metric_role role;
  char unit_in[16];
  const char *unit_out; /* the unit stored: ms, percent, bit/s, or unit_in */
  double scale;         /* stored = value * scale */
} sim_map;

typedef struct sim_maps {
  sim_map *v;
  size_t n, cap;
} sim_maps;

/**
 * Parse "PATTERN=ROLE[:UNIT]" and append it.  0, or -1 with a message
 * (without a prefix) in err.
 */
int sim_map_add(sim_maps *m, const char *spec, char *err, size_t errlen);
/** Each non-blank, non-# line of a file is a mapping; errors name
 * FILE:LINE. */
int sim_map_file(sim_maps *m, const char *path, char *err, size_t errlen);
void sim_maps_free(sim_maps *m);
/** The first mapping that matches `name`, or NULL. */
const sim_map *sim_map_find(const sim_maps *m, const char *name);

typedef struct sim_import_opts {
  const char *format; /* "omnetpp" or "cdf-csv" */
  sim_maps maps;      /* none given: the defaults (docs/simulation.md) */
  const char *target; /* NULL: the module name (cdf-csv: "sim") */
  size_t cdf_points;  /* samples drawn from a CDF (default 1000) */
  const char *db;     /* NULL: the default history */
} sim_import_opts;

/** Import the files; returns a CLI exit status (cli.h). */
int sim_import(const sim_import_opts *o, char **files, int n_files);

#endif
