/*
 * loader.h - finds and loads plugins (libltdl), checks their descriptor
 * and refuses, with one line naming the file, the reason and the fix,
 * anything it cannot use.  A bad file never crashes the host.
 */
#ifndef BN_CORE_LOADER_H
#define BN_CORE_LOADER_H

#include <stddef.h>

#include <bottleneck/sdk.h>

typedef struct loader_plugin {
  bn_plugin desc; /* copy of the descriptor, zero beyond its struct_size */
  char *file;     /* absolute path of the shared object */
  void *handle;   /* lt_dlhandle */
} loader_plugin;

typedef struct loader loader;

/** Create a loader (initialises libltdl once). */
loader *loader_new(void);
/** Unload everything and free. */
void loader_free(loader *ld);

/**
 * Scan the search path in order: `plugin_dir` (from --plugin-dir, may be
 * NULL), each entry of BOTTLENECK_PLUGIN_PATH (colon-separated), then the
 * installed pkglibdir.  Files that are not regular, or do not end in the
 * shared-library extension, are skipped silently.  Each refusal is logged
 * (warning) and kept (loader_errors).  Returns the number loaded.
 */
int loader_scan(loader *ld, const char *plugin_dir);

/**
 * Scan one directory.  Refuses the whole directory when it is writable
 * by group or others.  Returns the number loaded or a negative status.
 */
int loader_scan_dir(loader *ld, const char *dir);

/**
 * Load one file.  Symlinks are resolved first; the file and every
 * directory above it must be owned by root or the invoking user and not
 * writable by group or others (a sticky directory such as /tmp is
 * allowed above the plugin's own directory).  The descriptor head (ABI,
 * size, kind, name) is read from the ELF file before dlopen(), so a
 * refused file never runs its constructors.  Returns 0; 1 when
 * loader_only() is in force and the file's plugin is not among the
 * names (nothing recorded); or a negative status after recording one
 * line: "FILE: <reason>; <fix>".
 */
int loader_load_file(loader *ld, const char *path);

/**
 * Load only plugins whose descriptor name is one of `names` (n of them;
 * NULL: no filter, the default).  The names are read from the ELF file
 * before loading; a file whose name cannot be read is loaded as before.
 * The array must stay valid while scans run.  `profile validate` uses it
 * to load only the plugins a profile uses.
 */
void loader_only(loader *ld, const char *const *names, size_t n);

/** The plugin called `name`, or NULL. */
/** The plugin of `kind` named `name`, or NULL (names are unique per kind). */
const loader_plugin *loader_find_kind(const loader *ld, bn_kind kind,
                                      const char *name);
const loader_plugin *loader_find(const loader *ld, const char *name);
/** Number of loaded plugins, and the i-th (sorted by kind, then name). */
size_t loader_count(const loader *ld);
const loader_plugin *loader_at(const loader *ld, size_t i);

/** Refusal lines recorded so far (for `plugins` output and tests). */
size_t loader_n_errors(const loader *ld);
const char *loader_error(const loader *ld, size_t i);

/** Kind as text ("probe", ...), or "unknown". */
const char *loader_kind_name(bn_kind kind);

#endif
