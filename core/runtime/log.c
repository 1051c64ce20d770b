/*
 * log.c - the host's logger.  Lines look like
 *   bottleneck: error: [probe:tcp:lab] connect to 127.0.0.1:1: refused
 * and go to stderr unless a sink was set (tests capture them).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

static bn_log_level log_level = BN_LOG_WARNING;
static log_sink_fn log_sink;
static void *log_sink_arg;
static int log_progress;

void log_set_level(bn_log_level level)
{
  log_level = level;
}

bn_log_level log_get_level(void)
{
  return log_level;
}

void log_set_progress(int on)
{
  log_progress = on;
}

int log_enabled(bn_log_level level)
{
  return level <= log_level;
}

void log_set_sink(log_sink_fn fn, void *arg)
{
  log_sink = fn;
  log_sink_arg = arg;
}

static const char *log_tag(bn_log_level level)
{
  switch (level) {
  case BN_LOG_ERROR:
    return "error: ";
  case BN_LOG_WARNING:
    return "warning: ";
  case BN_LOG_DEBUG:
    return "debug: ";
  default:
    return "";
  }
}

/* Control characters (ESC, BEL, CR, LF ... from a name in a profile or a
 * server's answer) would reach the terminal raw or forge log lines:
 * write them as \xNN.  The message stays within `len` bytes. */
static void log_escape(char *s, size_t len)
{
  char tmp[2300];
  size_t i, o = 0;

  for (i = 0; s[i] && o + 5 < sizeof(tmp); i++) {
    unsigned char ch = (unsigned char)s[i];

    if (ch < 0x20 || ch == 0x7f) {
      snprintf(tmp + o, sizeof(tmp) - o, "\\x%02x", ch);
      o += 4;
    } else {
      tmp[o++] = (char)ch;
    }
  }
  tmp[o] = '\0';
  snprintf(s, len, "%s", tmp);
}

void log_vmsg(bn_log_level level, const char *prefix, const char *fmt,
              va_list ap)
{
  char body[2048];
  char line[2300];

  if (!log_enabled(level))
    return;
  vsnprintf(body, sizeof(body), fmt, ap);
  if (prefix && *prefix)
    snprintf(line, sizeof(line), "%s[%s] %s", log_tag(level), prefix, body);
  else
    snprintf(line, sizeof(line), "%s%s", log_tag(level), body);
  if (strpbrk(line, "\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e"
                    "\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a"
                    "\x1b\x1c\x1d\x1e\x1f\x7f"))
    log_escape(line, sizeof(line));
  if (log_sink) {
    log_sink(level, line, log_sink_arg);
    return;
  }
  /* "\r\033[K": back to column 0 and clear the progress line. */
  fprintf(stderr, "%sbottleneck: %s\n", log_progress ? "\r\033[K" : "", line);
}

void log_msg(bn_log_level level, const char *prefix, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  log_vmsg(level, prefix, fmt, ap);
  va_end(ap);
}
