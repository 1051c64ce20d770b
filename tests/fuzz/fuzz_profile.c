/*
 * fuzz_profile.c - libFuzzer target: the YAML profile loader
 * (profile_load: parse, extends, targets, plugin sections, checks and
 * speedtest settings) on arbitrary bytes, written to a memfd and loaded
 * through its /proc/self/fd path.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void discard(bn_log_level level, const char *line, void *arg)
{
  (void)level;
  (void)line;
  (void)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static int fd = -1;
  char path[64];
  profile *p = NULL;

  if (fd < 0) {
    log_set_sink(discard, NULL);
    fd = memfd_create("profile.yaml", 0);
    if (fd < 0)
      return 0;
  }
  if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
    return 0;
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  if (profile_load(path, &p) == 0)
    profile_free(p);
  return 0;
}

/* profile_check_plugins() is not fuzzed here (it needs real plugins):
 * the loader is stubbed. */
#include "loader.h"

const loader_plugin *loader_find(const loader *ld, const char *name)
{
  (void)ld;
  (void)name;
  return NULL;
}

const loader_plugin *loader_find_kind(const loader *ld, bn_kind kind,
                                      const char *name)
{
  (void)ld;
  (void)kind;
  (void)name;
  return NULL;
}

const char *loader_kind_name(bn_kind kind)
{
  (void)kind;
  return "unknown";
}
