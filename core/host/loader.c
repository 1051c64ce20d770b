/*
 * loader.c - finds plugin shared objects, opens them with libltdl, checks
 * the descriptor head (ABI major, minor, struct_size) before trusting
 * anything else in it, and keeps a sorted copy of every descriptor it
 * accepts.  Every refusal is one line "FILE: reason; fix", logged as a
 * warning and kept for `bottleneck plugins` and the tests.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ltdl.h>

#include "loader.h"
#include "loader_elf.h"
#include "log.h"
#include "options.h"

#ifndef PKGLIBDIR
#define PKGLIBDIR "/usr/local/lib/bottleneck"
#endif

/* Everything up to and including `ops` must be present: without it the
 * host has nothing to call. */
#define LOADER_MIN_SIZE (offsetof(bn_plugin, ops) + sizeof(void *))

struct loader {
  loader_plugin **plugins; /* sorted by kind, then name */
  size_t n_plugins;
  size_t cap_plugins;
  char **errors;
  size_t n_errors;
  size_t cap_errors;
  const char *const *only; /* loader_only(): the names wanted, or NULL */
  size_t n_only;
};

/* lt_dlinit/lt_dlexit are reference counted by libltdl too, but we keep
 * our own count so that loader_free() of the last loader releases it. */
static int loader_ltdl_refs;

static int loader_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
  size_t ncap;
  void *p;

  if (need <= *cap)
    return 0;
  ncap = *cap ? *cap * 2 : 8;
  while (ncap < need)
    ncap *= 2;
  p = realloc(*arr, ncap * elem);
  if (!p)
    return BN_ENOMEM;
  *arr = p;
  *cap = ncap;
  return 0;
}

/* Record and log one refusal line. */
static void loader_vrefuse(loader *ld, bn_log_level level, const char *fmt,
                           va_list ap)
{
  char line[2048];
  char *copy;
  size_t len;

  vsnprintf(line, sizeof(line), fmt, ap);
  log_msg(level, "loader", "%s", line);
  if (loader_grow((void **)&ld->errors, &ld->cap_errors, ld->n_errors + 1,
                  sizeof(*ld->errors)) < 0)
    return;
  len = strlen(line) + 1;
  copy = malloc(len);
  if (!copy)
    return;
  memcpy(copy, line, len);
  ld->errors[ld->n_errors++] = copy;
}

static void loader_refuse(loader *ld, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Record a refusal and log it as a warning. */
static void loader_refuse(loader *ld, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  loader_vrefuse(ld, BN_LOG_WARNING, fmt, ap);
  va_end(ap);
}

static void loader_refuse_at(loader *ld, bn_log_level level, const char *fmt,
                             ...) __attribute__((format(printf, 3, 4)));

/* Record a refusal and log it at `level`. */
static void loader_refuse_at(loader *ld, bn_log_level level, const char *fmt,
                             ...)
{
  va_list ap;

  va_start(ap, fmt);
  loader_vrefuse(ld, level, fmt, ap);
  va_end(ap);
}

/* Non-zero when two paths are in the same directory. */
static int loader_same_dir(const char *a, const char *b)
{
  const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
  size_t la = sa ? (size_t)(sa - a) : 0, lb = sb ? (size_t)(sb - b) : 0;

  return la == lb && strncmp(a, b, la) == 0;
}

loader *loader_new(void)
{
  loader *ld;

  if (loader_ltdl_refs == 0 && lt_dlinit() != 0) {
    log_error("loader", "cannot initialise libltdl: %s", lt_dlerror());
    return NULL;
  }
  ld = calloc(1, sizeof(*ld));
  if (!ld) {
    if (loader_ltdl_refs == 0)
      lt_dlexit();
    return NULL;
  }
  loader_ltdl_refs++;
  return ld;
}

void loader_free(loader *ld)
{
  size_t i;

  if (!ld)
    return;
  for (i = 0; i < ld->n_plugins; i++) {
    lt_dlclose((lt_dlhandle)ld->plugins[i]->handle);
    free(ld->plugins[i]->file);
    free(ld->plugins[i]);
  }
  for (i = 0; i < ld->n_errors; i++)
    free(ld->errors[i]);
  free(ld->plugins);
  free(ld->errors);
  free(ld);
  if (--loader_ltdl_refs == 0)
    lt_dlexit();
}

const char *loader_kind_name(bn_kind kind)
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
  }
  return "unknown";
}

static int loader_kind_known(bn_kind kind)
{
  return kind >= BN_KIND_PROBE && kind <= BN_KIND_REPORTER;
}

/* An absolute form of `path` without resolving symlinks, so that the
 * name shown is the one the user put there. */
static char *loader_abspath(const char *path)
{
  char cwd[PATH_MAX];
  size_t lc, lp;
  char *out;

  lp = strlen(path);
  if (path[0] == '/' || !getcwd(cwd, sizeof(cwd))) {
    out = malloc(lp + 1);
    if (out)
      memcpy(out, path, lp + 1);
    return out;
  }
  lc = strlen(cwd);
  out = malloc(lc + 1 + lp + 1);
  if (!out)
    return NULL;
  memcpy(out, cwd, lc);
  out[lc] = '/';
  memcpy(out + lc + 1, path, lp + 1);
  return out;
}

/*
 * Look at the file before dlopen() does.  glibc maps a segment that lies
 * past the end of a truncated file and then dies of SIGBUS touching it,
 * so check that the program headers and every loadable segment are
 * inside the file; and dlopen() of a fifo would block.  Anything else
 * (not ELF, another ELF class...) is left to dlopen(), which refuses it
 * cleanly.  Returns 0, or non-zero with `why` filled in.
 */
static int loader_precheck(const char *path, char *why, size_t len)
{
  ElfW(Ehdr) eh;
  ElfW(Phdr) ph;
  struct stat st;
  uint64_t size, end;
  int fd, i, bad = 0;

  fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return 0;
  if (fstat(fd, &st) != 0)
    goto out;
  if (!S_ISREG(st.st_mode)) {
    snprintf(why, len, "not a regular file");
    bad = 1;
    goto out;
  }
  size = (uint64_t)st.st_size;
  if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
      memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] !=
          (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
      eh.e_phentsize != sizeof(ph))
    goto out;
  end = (uint64_t)eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(ph);
  if (end > size) {
    snprintf(why, len,
             "truncated: program headers end at byte %llu, the file has "
             "%llu bytes",
             (unsigned long long)end, (unsigned long long)size);
    bad = 1;
    goto out;
  }
  for (i = 0; i < eh.e_phnum; i++) {
    if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) !=
        (ssize_t)sizeof(ph))
      goto out;
    if (ph.p_type != PT_LOAD && ph.p_type != PT_DYNAMIC)
      continue;
    end = (uint64_t)ph.p_offset + ph.p_filesz;
    if (end < ph.p_offset || end > size) {
      snprintf(why, len,
               "truncated: a segment ends at byte %llu, the file has %llu "
               "bytes",
               (unsigned long long)end, (unsigned long long)size);
      bad = 1;
      goto out;
    }
  }
out:
  close(fd);
  return bad;
}

/*
 * lt_dlopenadvise() tries every libltdl loader in turn and reports the
 * last one's error, "file not found", even when the file exists and
 * dlopen() said why it failed.  Ask the dlopen loader alone for its
 * reason; its module_open() sets the text that lt_dlerror() returns.
 */
static const char *loader_dl_reason(const char *path, lt_dladvise advise)
{
  const lt_dlvtable *vt = lt_dlloader_find("lt_dlopen");
  const char *err = NULL;
  lt_module m;

  if (vt && vt->module_open) {
    m = vt->module_open(vt->dlloader_data, path, advise);
    if (m && vt->module_close)
      vt->module_close(vt->dlloader_data, m);
    else if (!m)
      err = lt_dlerror();
  }
  return err ? err : "unknown error";
}

/* Open `path` exactly (no extension search, local symbols); on failure
 * fill `why` with the reason. */
static lt_dlhandle loader_open(const char *path, char *why, size_t len)
{
  lt_dladvise advise;
  lt_dlhandle h = NULL;

  if (loader_precheck(path, why, len))
    return NULL;
  if (lt_dladvise_init(&advise) != 0) {
    snprintf(why, len, "%s", lt_dlerror());
    return NULL;
  }
  /* Local symbols: two plugins may use the same names.  No
   * lt_dladvise_ext: we open the exact file the scan found. */
  if (lt_dladvise_local(&advise) == 0)
    h = lt_dlopenadvise(path, advise);
  if (!h)
    snprintf(why, len, "%s", loader_dl_reason(path, advise));
  lt_dladvise_destroy(&advise);
  return h;
}

/* Check the descriptor head and the mandatory fields; on refusal record
 * the line and return a negative status. */
static int loader_check(loader *ld, const char *path, const bn_plugin *d)
{
  /* SDK 3.0 changed the data structs and the descriptor: say what to do,
   * not only that the numbers differ. */
  if (d->abi_major == 2 && BN_ABI_MAJOR == 3) {
    loader_refuse(ld,
                  "%s: plugin ABI %u.%u, this bottleneck needs 3.%d; port "
                  "the plugin to SDK 3.x (declare its metrics, BN_INIT on "
                  "samples and events, BN_PLUGIN descriptor: docs/sdk.md, "
                  "'From 2.x to 3.0') and rebuild it",
                  path, (unsigned)d->abi_major, (unsigned)d->abi_minor,
                  BN_ABI_MINOR);
    return BN_ENOTSUP;
  }
  if (d->abi_major != BN_ABI_MAJOR) {
    loader_refuse(ld,
                  "%s: plugin ABI major %u, this bottleneck needs %d; "
                  "rebuild the plugin against bottleneck-sdk %d.x",
                  path, (unsigned)d->abi_major, BN_ABI_MAJOR, BN_ABI_MAJOR);
    return BN_ENOTSUP;
  }
  if (d->abi_minor > BN_ABI_MINOR) {
    loader_refuse(ld,
                  "%s: plugin ABI %u.%u is newer than this bottleneck's "
                  "%d.%d; upgrade bottleneck or rebuild the plugin against "
                  "SDK %d.%d",
                  path, (unsigned)d->abi_major, (unsigned)d->abi_minor,
                  BN_ABI_MAJOR, BN_ABI_MINOR, BN_ABI_MAJOR, BN_ABI_MINOR);
    return BN_ENOTSUP;
  }
  if (d->struct_size < LOADER_MIN_SIZE) {
    loader_refuse(ld,
                  "%s: descriptor is too short (%u bytes, at least %zu "
                  "needed); rebuild the plugin against this SDK",
                  path, (unsigned)d->struct_size, (size_t)LOADER_MIN_SIZE);
    return BN_EINVAL;
  }
  return 0;
}

/* A probe lists its metrics; a reporter its formats; option fields fit
 * their types. */
static int loader_check_decls(loader *ld, const char *path, const bn_plugin *d)
{
  const bn_metric *m;
  const char *what = NULL;

  if (d->kind == BN_KIND_PROBE && (!d->metrics || !d->metrics[0].name))
    what = "a probe that declares no metrics (bn_plugin.metrics)";
  else if (d->kind == BN_KIND_REPORTER && (!d->formats || !d->formats[0]))
    what = "a reporter that declares no formats (bn_plugin.formats)";
  for (m = d->metrics; !what && m && m->name; m++) {
    if (!bn_role_name(m->role)[0])
      what = "a metric with an unknown role";
    else if (!m->unit || m->agg < BN_AGG_DISTRIBUTION || m->agg > BN_AGG_MAX)
      what = "a metric without a unit or aggregation";
  }
  if (what) {
    loader_refuse(ld, "%s: '%s' is %s; fix the descriptor and rebuild", path,
                  d->name, what);
    return BN_EINVAL;
  }
  if (options_check_table(d->options, d->name) < 0) {
    loader_refuse(ld,
                  "%s: '%s' has an option table that does not match its "
                  "config struct (see above); fix it and rebuild",
                  path, d->name);
    return BN_EINVAL;
  }
  return 0;
}

static int loader_check_fields(loader *ld, const char *path,
                               const bn_plugin *d)
{
  const char *what = NULL;

  if (!d->name || !d->name[0])
    what = "has no name";
  else if (!d->init)
    what = "has no init function";
  else if (!d->ops)
    what = "has no ops table";
  if (what) {
    loader_refuse(ld, "%s: descriptor %s; rebuild the plugin", path, what);
    return BN_EINVAL;
  }
  if (!loader_kind_known(d->kind)) {
    loader_refuse(ld, "%s: descriptor has unknown kind %d; rebuild the plugin",
                  path, (int)d->kind);
    return BN_EINVAL;
  }
  return loader_check_decls(ld, path, d);
}

static int loader_cmp(const loader_plugin *a, const loader_plugin *b)
{
  if (a->desc.kind != b->desc.kind)
    return a->desc.kind < b->desc.kind ? -1 : 1;
  return strcmp(a->desc.name, b->desc.name);
}

/* Insert keeping the order; pointers handed out earlier stay valid. */
static int loader_insert(loader *ld, loader_plugin *p)
{
  size_t i;
  int rc;

  rc = loader_grow((void **)&ld->plugins, &ld->cap_plugins, ld->n_plugins + 1,
                   sizeof(*ld->plugins));
  if (rc < 0)
    return rc;
  i = ld->n_plugins;
  while (i > 0 && loader_cmp(ld->plugins[i - 1], p) > 0) {
    ld->plugins[i] = ld->plugins[i - 1];
    i--;
  }
  ld->plugins[i] = p;
  ld->n_plugins++;
  return 0;
}

/* ---- trust: who may have put the file there ----------------------- */

/* The user who invoked bottleneck: the real uid, or under sudo (real
 * uid 0) the SUDO_UID sudo sets, so that `sudo bottleneck run` may load
 * plugins its caller built.  (Only root can set it for a root process,
 * and root can load anything anyway.) */
static uid_t loader_invoker(void)
{
  const char *s = getuid() == 0 ? getenv("SUDO_UID") : NULL;
  char *end;
  unsigned long v;

  if (!s || !*s)
    return getuid();
  errno = 0;
  v = strtoul(s, &end, 10);
  if (errno || *end || v == 0 || v > (unsigned long)INT32_MAX)
    return getuid();
  return (uid_t)v;
}

/* Root, or the user who invoked bottleneck. */
static int loader_owner_ok(uid_t uid)
{
  return uid == 0 || uid == getuid() || uid == loader_invoker();
}

/*
 * The plugin (or plugin directory) `real`, a resolved path (realpath:
 * no symlinks left), and every directory above it up to the root must
 * be owned by root or the invoking user and not writable by group or
 * others, as OpenSSH requires of authorized_keys: whoever can write any
 * of them can make bottleneck run their code ("you" is SUDO_UID under
 * sudo: see loader_invoker).  One exception: a
 * directory above the plugin's own directory may be world-writable when
 * its sticky bit is set (/tmp), since then nobody else may rename or
 * remove what lies in it.  The plugin's own directory gets no such
 * exception.  `shown` is the name the user gave; `is_dir` says that
 * `real` is the plugin directory itself.  Returns 0 or BN_EINVAL after
 * recording one refusal line.
 */
static int loader_check_trust(loader *ld, const char *shown, const char *real,
                              int is_dir)
{
  char path[PATH_MAX], link[PATH_MAX + 16];
  struct stat st;
  size_t len = strlen(real);
  int level = 0; /* 0: the subject, 1: its directory, 2+: above */

  if (len == 0 || len >= sizeof(path) || real[0] != '/')
    return 0;
  memcpy(path, real, len + 1);
  link[0] = '\0';
  if (strcmp(shown, real) != 0)
    snprintf(link, sizeof(link), " (-> %s)", real);
  for (;;) {
    const char *what = level == 0 && !is_dir ? "plugin file" : "directory";

    if (stat(path, &st) != 0)
      return 0; /* vanished: the open that follows will say so */
    if (level == 0 && !is_dir && !S_ISREG(st.st_mode))
      return 0; /* not a file: loader_precheck refuses it */
    if (!loader_owner_ok(st.st_uid)) {
      loader_refuse(ld,
                    "%s%s: %s %s is owned by uid %u, neither root nor you "
                    "(uid %u); refusing to load %s; fix with 'chown root "
                    "%s' or move the plugin elsewhere",
                    shown, link, what, path, (unsigned)st.st_uid,
                    (unsigned)loader_invoker(),
                    level == 0 && !is_dir ? "it" : "plugins under it", path);
      return BN_EINVAL;
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
        !(level >= 2 && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX))) {
      loader_refuse(ld,
                    "%s%s: %s %s is writable by group or others; refusing "
                    "to load %s; fix with 'chmod go-w %s' or move the plugin "
                    "elsewhere",
                    shown, link, what, path,
                    level == 0 && !is_dir ? "it" : "plugins under it", path);
      return BN_EINVAL;
    }
    if (len == 1)
      return 0; /* "/" done */
    while (len > 1 && path[len - 1] != '/')
      len--;
    if (len > 1)
      len--; /* drop the slash, except the root's */
    path[len] = '\0';
    level += is_dir && level == 0 ? 2 : 1;
  }
}

void loader_only(loader *ld, const char *const *names, size_t n)
{
  ld->only = names;
  ld->n_only = names ? n : 0;
}

/* Non-zero when loader_only() is in force and `name` is not wanted. */
static int loader_unwanted(const loader *ld, const char *name)
{
  size_t i;

  if (!ld->only || !name[0])
    return 0; /* no filter, or a name the file does not tell: load it */
  for (i = 0; i < ld->n_only; i++)
    if (ld->only[i] && strcmp(ld->only[i], name) == 0)
      return 0;
  return 1;
}

/*
 * Read the descriptor head from the file before dlopen() runs any of
 * its code (ELF constructors run inside dlopen, before any check could
 * look at the descriptor).  Returns 0 to go on and dlopen, 1 when the
 * file is skipped by loader_only(), or a negative status after one
 * refusal line.
 */
static int loader_peek(loader *ld, const char *path, const char *real)
{
  loader_elf_head head;
  bn_plugin d;
  char why[256];
  int fd, rc;

  fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return 0; /* dlopen() gives the reason */
  rc = loader_elf_peek_fd(fd, BN_PLUGIN_SYMBOL, &head, why, sizeof(why));
  close(fd);
  switch (rc) {
  case LOADER_ELF_NOT_ELF:
    return 0; /* dlopen() refuses it without running anything */
  case LOADER_ELF_NO_SYMBOL:
    loader_refuse(ld,
                  "%s: no %s symbol: not a Bottleneck plugin; build it "
                  "with BN_PLUGIN",
                  path, BN_PLUGIN_SYMBOL);
    return BN_ENOENT;
  case LOADER_ELF_BAD:
    loader_refuse(ld,
                  "%s: cannot read its plugin descriptor before loading "
                  "(%s); rebuild the plugin",
                  path, why);
    return BN_EINVAL;
  default:
    break;
  }
  memset(&d, 0, sizeof(d));
  d.abi_major = head.abi_major;
  d.abi_minor = head.abi_minor;
  d.struct_size = head.struct_size;
  rc = loader_check(ld, path, &d);
  if (rc < 0)
    return rc;
  if (head.has_kind && !loader_kind_known((bn_kind)head.kind)) {
    loader_refuse(ld, "%s: descriptor has unknown kind %d; rebuild the plugin",
                  path, head.kind);
    return BN_EINVAL;
  }
  if (loader_unwanted(ld, head.name)) {
    log_debug("loader", "%s: plugin '%s' is not used; not loaded", path,
              head.name);
    return 1;
  }
  return 0;
}

int loader_load_file(loader *ld, const char *path)
{
  lt_dlhandle h = NULL;
  char why[1024];
  char *abs = NULL, *real = NULL;
  const bn_plugin *d;
  const loader_plugin *other;
  loader_plugin *p = NULL;
  size_t n;
  int rc;

  /* Open the absolute name: a bare "x.so" would send dlopen() searching
   * the system library path. */
  abs = loader_abspath(path);
  if (!abs) {
    rc = BN_ENOMEM;
    goto out;
  }
  /* Resolve symlinks and check the file that would really be loaded,
   * and everything above it, before reading a byte of it. */
  real = realpath(abs, NULL);
  if (!real) {
    loader_refuse(ld,
                  "%s: not a loadable shared object (%s); check it with "
                  "'ldd %s'",
                  path, strerror(errno), path);
    rc = BN_EINVAL;
    goto out;
  }
  rc = loader_check_trust(ld, path, real, 0);
  if (rc < 0)
    goto out;
  if (loader_precheck(real, why, sizeof(why))) {
    loader_refuse(ld,
                  "%s: not a loadable shared object (%s); check it with "
                  "'ldd %s'",
                  path, why, path);
    rc = BN_EINVAL;
    goto out;
  }
  rc = loader_peek(ld, path, real);
  if (rc != 0)
    goto out;
  h = loader_open(real, why, sizeof(why));
  if (!h) {
    loader_refuse(ld,
                  "%s: not a loadable shared object (%s); check it with "
                  "'ldd %s'",
                  path, why, path);
    rc = BN_EINVAL;
    goto out;
  }
  d = lt_dlsym(h, BN_PLUGIN_SYMBOL);
  if (!d) {
    loader_refuse(ld,
                  "%s: no %s symbol: not a Bottleneck plugin; build it "
                  "with BN_PLUGIN",
                  path, BN_PLUGIN_SYMBOL);
    rc = BN_ENOENT;
    goto out;
  }
  rc = loader_check(ld, path, d);
  if (rc < 0)
    goto out;
  p = calloc(1, sizeof(*p));
  if (!p) {
    rc = BN_ENOMEM;
    goto out;
  }
  /* Fields beyond the plugin's struct_size do not exist in its build:
   * they stay zero in the copy, i.e. absent. */
  n = d->struct_size < sizeof(bn_plugin) ? d->struct_size : sizeof(bn_plugin);
  memcpy(&p->desc, d, n);
  rc = loader_check_fields(ld, path, &p->desc);
  if (rc < 0)
    goto out;
  /* Names are unique within a kind: a probe and a speed test provider
   * may both be called "http". */
  other = loader_find_kind(ld, p->desc.kind, p->desc.name);
  if (other) {
    /* A copy in a later directory of the search path is shadowed, as on
     * PATH (a build's plugins before the installed ones): still refused
     * and recorded, but only shown with --verbose.  Two of one name in
     * one directory is a mistake worth a warning. */
    loader_refuse_at(
        ld, loader_same_dir(path, other->file) ? BN_LOG_WARNING : BN_LOG_INFO,
        "%s: %s plugin name '%s' is already loaded from %s; remove "
        "one of them",
        path, loader_kind_name(p->desc.kind), p->desc.name, other->file);
    rc = BN_EINVAL;
    goto out;
  }
  p->file = abs;
  abs = NULL;
  p->handle = h;
  rc = loader_insert(ld, p);
  if (rc < 0)
    goto out;
  log_debug("loader", "%s: loaded %s plugin '%s' %s", path,
            loader_kind_name(p->desc.kind), p->desc.name,
            p->desc.version ? p->desc.version : "");
  free(real); /* only the checks needed it; p->file keeps the name */
  return 0;

out:
  free(abs);
  free(real);
  if (p) {
    free(p->file);
    free(p);
  }
  if (h)
    lt_dlclose(h);
  return rc;
}

static int loader_has_suffix(const char *name, const char *suffix)
{
  size_t ln = strlen(name), ls = strlen(suffix);

  return ln > ls && memcmp(name + ln - ls, suffix, ls) == 0;
}

static int loader_strcmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in `dir` ending in ".so", sorted. */
static int loader_list(loader *ld, const char *dir, char ***out, size_t *n_out)
{
  DIR *dh;
  struct dirent *de;
  char **names = NULL;
  size_t n = 0, cap = 0, len;
  int rc = 0;

  dh = opendir(dir);
  if (!dh) {
    loader_refuse(ld,
                  "%s: cannot read plugin directory (%s); check its "
                  "permissions",
                  dir, strerror(errno));
    return BN_EIO;
  }
  while ((de = readdir(dh)) != NULL) {
    if (!loader_has_suffix(de->d_name, ".so"))
      continue;
    rc = loader_grow((void **)&names, &cap, n + 1, sizeof(*names));
    if (rc < 0)
      break;
    len = strlen(de->d_name) + 1;
    names[n] = malloc(len);
    if (!names[n]) {
      rc = BN_ENOMEM;
      break;
    }
    memcpy(names[n++], de->d_name, len);
  }
  closedir(dh);
  if (rc < 0) {
    while (n > 0)
      free(names[--n]);
    free(names);
    return rc;
  }
  if (n > 1)
    qsort(names, n, sizeof(*names), loader_strcmp);
  *out = names;
  *n_out = n;
  return 0;
}

/* Check the directory itself: it must exist and not be writable by
 * anyone but its owner, since whatever lies in it runs in the host. */
static int loader_check_dir(loader *ld, const char *dir)
{
  struct stat st;
  char *real;
  int rc;

  if (stat(dir, &st) != 0) {
    if (errno == ENOENT)
      return BN_ENOENT;
    loader_refuse(ld,
                  "%s: cannot read plugin directory (%s); check the path "
                  "and its permissions",
                  dir, strerror(errno));
    return BN_EIO;
  }
  if (!S_ISDIR(st.st_mode)) {
    loader_refuse(ld, "%s: not a directory; give a directory of plugins", dir);
    return BN_EINVAL;
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    loader_refuse(ld,
                  "%s: plugin directory is writable by group or others; "
                  "refusing to load from it; fix with 'chmod go-w %s'",
                  dir, dir);
    return BN_EINVAL;
  }
  /* Its owner, and every directory above it, resolved. */
  real = realpath(dir, NULL);
  if (!real)
    return 0; /* vanished: the listing says so */
  rc = loader_check_trust(ld, dir, real, 1);
  free(real);
  return rc;
}

int loader_scan_dir(loader *ld, const char *dir)
{
  char **names = NULL;
  size_t n = 0, i;
  char path[PATH_MAX];
  struct stat st;
  int rc, loaded = 0;

  rc = loader_check_dir(ld, dir);
  if (rc < 0)
    return rc;
  rc = loader_list(ld, dir, &names, &n);
  if (rc < 0)
    return rc;
  for (i = 0; i < n; i++) {
    if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
        (int)sizeof(path))
      continue;
    /* stat, not lstat: a symlink to a regular file is fine, anything
     * else (directories, fifos, dangling links) is not a plugin. */
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    if (loader_load_file(ld, path) == 0)
      loaded++;
  }
  for (i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return loaded;
}

/* Scan `dir` unless it is one already scanned (the same directory can
 * appear twice in the path; its plugins would all be refused as
 * duplicates of themselves). */
static int loader_scan_once(loader *ld, const char *dir, dev_t *devs,
                            ino_t *inos, size_t *n_seen, size_t max_seen)
{
  struct stat st;
  size_t i;

  if (stat(dir, &st) == 0) {
    for (i = 0; i < *n_seen; i++)
      if (devs[i] == st.st_dev && inos[i] == st.st_ino)
        return 0;
    if (*n_seen < max_seen) {
      devs[*n_seen] = st.st_dev;
      inos[*n_seen] = st.st_ino;
      (*n_seen)++;
    }
  }
  return loader_scan_dir(ld, dir);
}

#define LOADER_MAX_DIRS 64

int loader_scan(loader *ld, const char *plugin_dir)
{
  dev_t devs[LOADER_MAX_DIRS];
  ino_t inos[LOADER_MAX_DIRS];
  size_t n_seen = 0;
  const char *env, *p, *colon;
  char dir[PATH_MAX];
  size_t len;
  int rc, total = 0;

  if (plugin_dir) {
    rc =
        loader_scan_once(ld, plugin_dir, devs, inos, &n_seen, LOADER_MAX_DIRS);
    if (rc == BN_ENOENT)
      loader_refuse(ld, "%s: plugin directory not found", plugin_dir);
    if (rc > 0)
      total += rc;
  }
  env = getenv("BOTTLENECK_PLUGIN_PATH");
  for (p = env; p && *p; p = colon ? colon + 1 : NULL) {
    colon = strchr(p, ':');
    len = colon ? (size_t)(colon - p) : strlen(p);
    if (len == 0 || len >= sizeof(dir))
      continue;
    memcpy(dir, p, len);
    dir[len] = '\0';
    rc = loader_scan_once(ld, dir, devs, inos, &n_seen, LOADER_MAX_DIRS);
    if (rc > 0)
      total += rc;
  }
  rc = loader_scan_once(ld, PKGLIBDIR, devs, inos, &n_seen, LOADER_MAX_DIRS);
  if (rc > 0)
    total += rc;
  return total;
}

const loader_plugin *loader_find(const loader *ld, const char *name)
{
  size_t i;

  if (!name)
    return NULL;
  for (i = 0; i < ld->n_plugins; i++)
    if (strcmp(ld->plugins[i]->desc.name, name) == 0)
      return ld->plugins[i];
  return NULL;
}

const loader_plugin *loader_find_kind(const loader *ld, bn_kind kind,
                                      const char *name)
{
  size_t i;

  if (!name)
    return NULL;
  for (i = 0; i < ld->n_plugins; i++)
    if (ld->plugins[i]->desc.kind == kind &&
        strcmp(ld->plugins[i]->desc.name, name) == 0)
      return ld->plugins[i];
  return NULL;
}

size_t loader_count(const loader *ld)
{
  return ld->n_plugins;
}

const loader_plugin *loader_at(const loader *ld, size_t i)
{
  return i < ld->n_plugins ? ld->plugins[i] : NULL;
}

size_t loader_n_errors(const loader *ld)
{
  return ld->n_errors;
}

const char *loader_error(const loader *ld, size_t i)
{
  return i < ld->n_errors ? ld->errors[i] : NULL;
}
