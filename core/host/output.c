/*
 * output.c - atomic report outputs (see output.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

struct bn_output {
  FILE *f;
  char *path; /* NULL for the given stream */
  char *tmp;
};

int output_open(const char *path, FILE *std, bn_output **out)
{
  bn_output *o = calloc(1, sizeof(*o));
  size_t len;
  int fd;

  *out = NULL;
  if (!o)
    return BN_ENOMEM;
  if (!path || strcmp(path, "-") == 0) {
    if (!std) {
      free(o);
      errno = EINVAL;
      return BN_EINVAL;
    }
    o->f = std;
    *out = o;
    return BN_OK;
  }
  len = strlen(path) + 8;
  o->path = strdup(path);
  o->tmp = malloc(len);
  if (!o->path || !o->tmp)
    goto fail;
  snprintf(o->tmp, len, "%s.XXXXXX", path);
  fd = mkstemp(o->tmp);
  if (fd < 0)
    goto fail;
  /* mkstemp makes 0600; a report is for reading. */
  if (fchmod(fd, 0644) != 0 || !(o->f = fdopen(fd, "w"))) {
    int err = errno;

    close(fd);
    unlink(o->tmp);
    errno = err;
    goto fail;
  }
  *out = o;
  return BN_OK;
fail:
  free(o->path);
  free(o->tmp);
  free(o);
  return BN_EIO;
}

FILE *output_file(bn_output *o)
{
  return o->f;
}

const char *output_name(const bn_output *o)
{
  return o->path ? o->path : "standard output";
}

int output_close(bn_output *o, int commit)
{
  int failed = 0, err = 0;

  if (!o)
    return BN_OK;
  if (fflush(o->f) != 0 || ferror(o->f)) {
    failed = 1;
    err = errno ? errno : EIO;
  }
  if (o->path) {
    if (commit && !failed && fsync(fileno(o->f)) != 0) {
      failed = 1;
      err = errno;
    }
    if (fclose(o->f) != 0 && !failed) {
      failed = 1;
      err = errno;
    }
    if (commit && !failed && rename(o->tmp, o->path) != 0) {
      failed = 1;
      err = errno;
    }
    if (!commit || failed)
      unlink(o->tmp);
  }
  free(o->path);
  free(o->tmp);
  free(o);
  if (commit && failed) {
    errno = err;
    return BN_EIO;
  }
  return BN_OK;
}
