/*
 * cli_compact.c - `bottleneck compact`: apply the retention of a profile
 * (or the defaults) to the history by hand, or say what it would remove.
 *
 *   bottleneck compact [--dry-run] [--vacuum] [--profile P] [--db PATH]
 *
 * The same steps as inside a long run (store_compact.c), one after the
 * other; what each kind removed is printed with its rows and time
 * range, and the file's space before and after.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "profile.h"
#include "store.h"

static void cc_usage(FILE *f)
{
  fprintf(f,
          "Usage: bottleneck compact [--dry-run] [--vacuum] [--profile P] "
          "[--db PATH]\n"
          "\n"
          "Apply the retention (the profile's `retention:` section, else 14 "
          "days\nof raw samples, 90 days of minute rollups, 2 years of hour "
          "rollups):\ndelete raw samples that are rolled up, merge old minute "
          "rollups into\nhour rollups, delete old hour rollups, and give the "
          "space back.\n"
          "\n"
          "  --dry-run     print what would be removed; change nothing\n"
          "  --vacuum      also rewrite the file once so that it returns "
          "freed\n"
          "                space (needed for histories made before schema 8)\n"
          "  --profile P   the profile whose retention and store to use\n"
          "  --db PATH     the history database (default: the profile's, "
          "else\n"
          "                ~/.local/share/bottleneck/history.db)\n");
}

static void cc_time(char *buf, size_t len, int64_t ns)
{
  time_t t = (time_t)(ns / 1000000000LL - (ns % 1000000000LL < 0));
  struct tm tm;

  gmtime_r(&t, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%MZ", &tm);
}

static void cc_range(const char *what, const store_compact_range *r,
                     const char *age)
{
  char a[32], b[32];

  if (!r->rows) {
    printf("%-15s %12d rows\n", what, 0);
    return;
  }
  cc_time(a, sizeof(a), r->first_ns);
  cc_time(b, sizeof(b), r->last_ns);
  printf("%-15s %12lld rows  %s .. %s  (older than %s)\n", what,
         (long long)r->rows, a, b, age);
}

static void cc_age(char *buf, size_t len, int64_t ns)
{
  snprintf(buf, len, "%gd", (double)ns / (double)STORE_DAY_NS);
}

static double mib(int64_t b)
{
  return (double)b / 1048576.0;
}

/* What a dry run would free, from the tables' sizes (dbstat). */
static void cc_estimate(store *s, const store_compact_stats *p)
{
  int64_t sb = store_table_bytes(s, "samples"),
          mb = store_table_bytes(s, "rollups"),
          sn = store_table_rows(s, "samples"),
          mn = store_table_rows(s, "rollups");
  double est = 0;

  if (sb < 0 || mb < 0) {
    printf("space           (no estimate: this sqlite has no dbstat)\n");
    return;
  }
  if (sn > 0)
    est += (double)sb * (double)p->raw.rows / (double)sn;
  if (mn > 0)
    est +=
        (double)mb * (double)(p->minute.rows - p->hours_written) / (double)mn;
  printf("space           about %.1f MiB would be freed\n",
         est > 0 ? est / 1048576.0 : 0.0);
}

int cli_compact(int argc, char **argv)
{
  enum { O_DB = 256, O_PROFILE, O_DRY, O_VACUUM };
  static const struct option longopts[] = {
      {"db", required_argument, NULL, O_DB},
      {"profile", required_argument, NULL, O_PROFILE},
      {"dry-run", no_argument, NULL, O_DRY},
      {"vacuum", no_argument, NULL, O_VACUUM},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  store_retention ret = {STORE_RETAIN_RAW_NS, STORE_RETAIN_MINUTE_NS,
                         STORE_RETAIN_HOUR_NS};
  const char *db = NULL, *prof_arg = NULL;
  char path[4096], age[3][32];
  profile *prof = NULL;
  store *s = NULL;
  store_cuts cuts;
  store_compactor c;
  store_compact_stats plan;
  struct timespec now;
  int opt, dry = 0, vacuum = 0, rc, av = 0, status = CLI_EXIT_OK;
  int64_t used0 = 0, free0 = 0, used1 = 0, free1 = 0, tries = 0;

  optind = 1;
  while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (opt) {
    case O_DB:
      db = optarg;
      break;
    case O_PROFILE:
      prof_arg = optarg;
      break;
    case O_DRY:
      dry = 1;
      break;
    case O_VACUUM:
      vacuum = 1;
      break;
    case 'h':
      cc_usage(stdout);
      return CLI_EXIT_OK;
    default:
      cc_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "bottleneck compact: unexpected argument '%s'\n",
            argv[optind]);
    return CLI_EXIT_USAGE;
  }
  if (prof_arg) {
    if (profile_load(prof_arg, &prof) != 0)
      return CLI_EXIT_PROFILE;
    ret = prof->retention;
  }
  if (cli_history_path(db, prof, path, sizeof(path)) != 0) {
    fprintf(stderr, "bottleneck compact: no history path; use --db PATH\n");
    profile_free(prof);
    return CLI_EXIT_USAGE;
  }
  profile_free(prof);
  if (dry) {
    rc = cli_history_open("compact", path, &s);
    if (rc != CLI_EXIT_OK)
      return rc;
  } else if (access(path, F_OK) != 0) {
    return cli_history_open("compact", path, &s);
  } else if (store_open(path, &s) != 0) {
    return CLI_EXIT_STORE;
  }
  clock_gettime(CLOCK_REALTIME, &now);
  store_retention_cuts(&ret, (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec,
                       &cuts);
  cc_age(age[0], sizeof(age[0]), ret.raw_ns);
  cc_age(age[1], sizeof(age[1]), ret.minute_ns);
  cc_age(age[2], sizeof(age[2]), ret.hour_ns);
  if (store_space(s, &used0, &free0, &av) != 0)
    goto fail;
  if (dry) {
    if (store_compact_plan(s, &cuts, &plan) != 0)
      goto fail;
    printf("%s: would remove\n", path);
    cc_range("raw samples", &plan.raw, age[0]);
    if (plan.raw_kept)
      printf("%-15s %12lld rows  older but not rolled up: kept\n", "",
             (long long)plan.raw_kept);
    cc_range("minute rollups", &plan.minute, age[1]);
    if (plan.minute.rows)
      printf("%-15s %12lld hour rollups made of them\n", "",
             (long long)plan.hours_written);
    cc_range("hour rollups", &plan.hour, age[2]);
    printf("file            %.1f MiB in use, %.1f MiB free pages\n",
           mib(used0), mib(free0));
    cc_estimate(s, &plan);
    store_close(s);
    return CLI_EXIT_OK;
  }
  store_compact_init(&c, &cuts, STORE_COMPACT_BUDGET_NS);
  while ((rc = store_compact_step(s, &c)) != 0) {
    if (rc == BN_EAGAIN && tries++ < 600) { /* a run holds the lock */
      /* (a run's writer commits every second or so: 100 ms waits find
       * the lock free soon) */
      struct timespec ts = {0, 100000000};

      nanosleep(&ts, NULL);
      continue;
    }
    if (rc == BN_EAGAIN)
      fprintf(stderr,
              "bottleneck compact: %s stayed locked by another process for "
              "a minute; what was done so far is kept, try again later\n",
              path);
    if (rc < 0)
      goto fail;
    tries = 0; /* a minute without one step done is too long */
    if (c.st.steps % 8 == 0 && store_compact_checkpoint(s) != 0)
      goto fail;
  }
  if (vacuum && av != 2) {
    printf("%s: rewriting the file with incremental vacuum (once)\n", path);
    if (store_vacuum_full(s) != 0)
      goto fail;
  }
  if (store_space(s, &used1, &free1, &av) != 0)
    goto fail;
  printf("%s: removed\n", path);
  cc_range("raw samples", &c.st.raw, age[0]);
  cc_range("minute rollups", &c.st.minute, age[1]);
  if (c.st.minute.rows)
    printf("%-15s %12lld hour rollups made or added to\n", "",
           (long long)c.st.hours_written);
  cc_range("hour rollups", &c.st.hour, age[2]);
  printf("file            %.1f MiB in use before, %.1f MiB after; %.1f MiB "
         "given back\n",
         mib(used0), mib(used1), mib((used0 + free0) - (used1 + free1)));
  printf("steps           %lld, longest %.1f ms, %lld over 50 ms\n",
         (long long)c.st.steps, (double)c.st.longest_ns / 1e6,
         (long long)c.st.slow);
  if (av != 2 && free1 > 0)
    printf("note: %.1f MiB of free pages stay in the file (reused by new "
           "samples); run 'bottleneck compact --vacuum' once to give them "
           "back and keep later compactions doing so\n",
           mib(free1));
  store_close(s);
  return status;
fail:
  store_close(s);
  return CLI_EXIT_STORE;
}
