/*
 * store_lock.c - who else has the history database open or locked,
 * from /proc/locks: sqlite locks the database file and, in WAL mode,
 * its -shm file with POSIX record locks, which name the owner's pid.
 * Every connection holds a read lock on the -shm file while open; a
 * writer holds a write lock on it (byte 120, the WAL write lock).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "store_int.h"

/* The WAL write lock's byte in the -shm file (sqlite's WALINDEX_LOCK_OFFSET
 * + 0). */
#define STORE_SHM_WRITE_LOCK 120

typedef struct lock_file {
  unsigned maj, min;
  unsigned long ino;
  int ok;
} lock_file;

static void lock_file_of(const char *path, const char *suffix, lock_file *f)
{
  char p[4096];
  struct stat st;

  snprintf(p, sizeof(p), "%s%s", path, suffix);
  f->ok = stat(p, &st) == 0;
  if (f->ok) {
    f->maj = major(st.st_dev);
    f->min = minor(st.st_dev);
    f->ino = (unsigned long)st.st_ino;
  }
}

/* Walk /proc/locks; fn(pid, is_write, on_shm, start) for every lock on
 * the database or its -shm file held by another process.  -1 when
 * /proc/locks cannot be read. */
static int lock_walk(const char *path,
                     void (*fn)(long pid, int wr, int shm, long long start,
                                void *arg),
                     void *arg)
{
  lock_file f[2];
  char line[256];
  FILE *in;
  long self = (long)getpid();

  lock_file_of(path, "", &f[0]);
  lock_file_of(path, "-shm", &f[1]);
  in = fopen("/proc/locks", "r");
  if (!in)
    return -1;
  while (fgets(line, sizeof(line), in)) {
    char kind[16], mode[16], rw[16], *p = strchr(line, ':');
    unsigned maj, min;
    unsigned long ino;
    long pid;
    long long start;
    int i;

    if (!p)
      continue;
    p++;
    if (strstr(p, "->"))
      continue; /* a waiter, not a holder */
    if (sscanf(p, "%15s %15s %15s %ld %x:%x:%lu %lld", kind, mode, rw, &pid,
               &maj, &min, &ino, &start) != 8 ||
        pid == self || pid <= 0)
      continue;
    for (i = 0; i < 2; i++)
      if (f[i].ok && f[i].maj == maj && f[i].min == min && f[i].ino == ino)
        fn(pid, !strcmp(rw, "WRITE"), i == 1, start, arg);
  }
  fclose(in);
  return 0;
}

typedef struct lock_best {
  long pid;
  int rank;
} lock_best;

static void lock_pick(long pid, int wr, int shm, long long start, void *arg)
{
  lock_best *b = arg;
  /* the WAL writer first, then any write lock, then any lock */
  int rank = wr && shm && start == STORE_SHM_WRITE_LOCK ? 3 : wr ? 2 : 1;

  if (rank > b->rank) {
    b->rank = rank;
    b->pid = pid;
  }
}

long store_lock_holder(const char *path, char *comm, size_t len)
{
  lock_best b = {0, 0};
  char p[64];
  FILE *in;

  if (len)
    comm[0] = '\0';
  if (!path || !strcmp(path, ":memory:") || lock_walk(path, lock_pick, &b) < 0)
    return 0;
  if (b.pid > 0 && len) {
    snprintf(p, sizeof(p), "/proc/%ld/comm", b.pid);
    in = fopen(p, "r");
    if (in) {
      if (fgets(comm, (int)len, in))
        comm[strcspn(comm, "\n")] = '\0';
      fclose(in);
    }
  }
  return b.pid;
}

static void lock_count(long pid, int wr, int shm, long long start, void *arg)
{
  (*(int *)arg)++;
}

int store_lock_others(const char *path)
{
  int n = 0;

  if (lock_walk(path, lock_count, &n) < 0)
    return -1;
  return n > 0;
}
