/*
 * speedtest_settings.c - the `speedtest:` section of a profile, the
 * backoff schedule and the bufferbloat grade: the pure parts of speed
 * test orchestration, kept apart so that unit tests reach them easily.
 */
#include "config.h"

#include <math.h>
#include <stddef.h>

#include "conf.h"
#include "log.h"
#include "options.h"
#include "speedtest_settings.h"

const bn_option speedtest_settings_options[] = {
    {.name = "streams",
     .type = BN_OPT_INT,
     .def = "4",
     .help = "parallel streams per direction",
     .min = 1,
     .max = 64},
    {.name = "duration",
     .type = BN_OPT_DURATION,
     .def = "10s",
     .help = "cap on each transfer phase (download, upload)",
     .min = 0.1,
     .max = 3600},
    {.name = "timeout",
     .type = BN_OPT_DURATION,
     .def = "60s",
     .help = "cap on one attempt; the provider is cancelled after it",
     .min = 0.1,
     .max = 7200},
    {.name = "retries",
     .type = BN_OPT_INT,
     .def = "2",
     .help = "further attempts per provider before failing over",
     .max = 20},
    {.name = "backoff",
     .type = BN_OPT_DURATION,
     .def = "1s",
     .help = "delay before the first retry",
     .max = 3600},
    {.name = "backoff_max",
     .type = BN_OPT_DURATION,
     .def = "30s",
     .help = "the delay doubles up to this",
     .max = 3600},
    {.name = "download",
     .type = BN_OPT_BOOL,
     .def = "true",
     .help = "measure download"},
    {.name = "upload",
     .type = BN_OPT_BOOL,
     .def = "true",
     .help = "measure upload"},
    BN_OPTIONS_END,
};

static int64_t settings_int(const bn_node *map, const char *key)
{
  int64_t v = 0;

  conf_parse_int(conf_scalar(conf_get(map, key)), &v);
  return v;
}

static int64_t settings_duration(const bn_node *map, const char *key)
{
  int64_t v = 0;

  conf_parse_duration(conf_scalar(conf_get(map, key)), &v);
  return v;
}

static int settings_bool(const bn_node *map, const char *key)
{
  int v = 0;

  conf_parse_bool(conf_scalar(conf_get(map, key)), &v);
  return v;
}

int speedtest_settings_read(bn_node *map, speedtest_settings *out)
{
  bn_node *own = NULL;
  char where[300];
  int rc = 0;

  if (!map) {
    own = conf_new(CONF_MAP, "<defaults>", 1, 1);
    if (!own)
      return BN_ENOMEM;
    map = own;
  } else if (map->type != CONF_MAP) {
    log_error(NULL, "%s: 'speedtest' must be a map of settings",
              conf_where(map, where, sizeof(where)));
    return BN_EINVAL;
  }
  if (options_validate(speedtest_settings_options, map, NULL, "@speedtest") !=
      0) {
    conf_free(own);
    return BN_EINVAL;
  }
  out->streams = (int)settings_int(map, "streams");
  out->duration_ns = settings_duration(map, "duration");
  out->timeout_ns = settings_duration(map, "timeout");
  out->retries = (int)settings_int(map, "retries");
  out->backoff_ns = settings_duration(map, "backoff");
  out->backoff_max_ns = settings_duration(map, "backoff_max");
  out->download = settings_bool(map, "download");
  out->upload = settings_bool(map, "upload");
  if (!out->download && !out->upload) {
    log_error(NULL,
              "%s: 'download' and 'upload' are both off: nothing to "
              "measure; turn one on",
              conf_where(map, where, sizeof(where)));
    rc = BN_EINVAL;
  }
  if (out->timeout_ns <=
      (int64_t)(out->download + out->upload) * out->duration_ns) {
    log_error(NULL,
              "%s: 'timeout' (%.1f s) leaves no room for the transfer "
              "phases (%d x %.1f s) and the latency tests; raise it",
              conf_where(conf_get(map, "timeout"), where, sizeof(where)),
              (double)out->timeout_ns / 1e9, out->download + out->upload,
              (double)out->duration_ns / 1e9);
    rc = BN_EINVAL;
  }
  if (out->backoff_max_ns < out->backoff_ns) {
    log_error(NULL, "%s: 'backoff_max' is shorter than 'backoff'; raise it",
              conf_where(conf_get(map, "backoff_max"), where, sizeof(where)));
    rc = BN_EINVAL;
  }
  conf_free(own);
  return rc;
}

int64_t speedtest_backoff_ns(const speedtest_settings *s, int retry,
                             double rnd)
{
  double base = (double)s->backoff_ns;
  int i;

  for (i = 1; i < retry && base < (double)s->backoff_max_ns; i++)
    base *= 2;
  if (base > (double)s->backoff_max_ns)
    base = (double)s->backoff_max_ns;
  return (int64_t)(base / 2 + base / 2 * rnd);
}

const char *speedtest_grade(double idle_ms, double loaded_ms)
{
  static const struct {
    double below;
    const char *grade;
  } grades[] = {{5, "A+"}, {30, "A"}, {60, "B"}, {200, "C"}, {400, "D"}};
  double up;
  size_t i;

  if (idle_ms < 0 || loaded_ms < 0 || isnan(idle_ms) || isnan(loaded_ms))
    return NULL;
  up = loaded_ms - idle_ms;
  for (i = 0; i < sizeof(grades) / sizeof(grades[0]); i++)
    if (up < grades[i].below)
      return grades[i].grade;
  return "F";
}
