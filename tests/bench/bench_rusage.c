/* bench_rusage.c - run a command and write what it cost to a file.
 *
 *   bench_rusage OUT CMD [ARGS...]
 *
 * OUT gets one line "WALL USER SYS MAXRSS": seconds of wall time, user
 * and system CPU seconds (getrusage of the child, to the microsecond;
 * /usr/bin/time prints hundredths, too coarse for 1,000 probes), and
 * the child's peak RSS in KiB.  A small C program rather than a script
 * because Linux keeps the peak RSS across execve(): a child forked from
 * python would report python's 10 MB as the peak of a 2 MB fping.
 * Exits with the command's status, 128 + N when killed by signal N,
 * 127 when it cannot be run. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double tv_s(const struct timeval *tv)
{
  return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static double ts_s(const struct timespec *ts)
{
  return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
  struct timespec t0, t1;
  struct rusage ru;
  int status = 0;
  int rc = 127;
  pid_t pid;
  FILE *out = NULL;

  if (argc < 3) {
    fputs("usage: bench_rusage OUT CMD [ARGS...]\n", stderr);
    return 2;
  }
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid = fork();
  if (pid < 0) {
    fprintf(stderr, "bench_rusage: fork: %s\n", strerror(errno));
    return 127;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    fprintf(stderr, "bench_rusage: %s: %s\n", argv[2], strerror(errno));
    _exit(127);
  }
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      fprintf(stderr, "bench_rusage: wait4: %s\n", strerror(errno));
      return 127;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (WIFEXITED(status))
    rc = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    rc = 128 + WTERMSIG(status);
  out = fopen(argv[1], "w");
  if (!out) {
    fprintf(stderr, "bench_rusage: %s: %s\n", argv[1], strerror(errno));
    return 127;
  }
  fprintf(out, "%.6f %.6f %.6f %ld\n", ts_s(&t1) - ts_s(&t0),
          tv_s(&ru.ru_utime), tv_s(&ru.ru_stime), ru.ru_maxrss);
  if (fclose(out) != 0) {
    fprintf(stderr, "bench_rusage: %s: %s\n", argv[1], strerror(errno));
    return 127;
  }
  return rc;
}
