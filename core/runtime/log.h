/*
 * log.h - the host's logger.  Every message of the core and of plugins
 * goes through here; --quiet/--verbose/--debug set the level.
 */
#ifndef BN_CORE_LOG_H
#define BN_CORE_LOG_H

#include <stdarg.h>

#include <bottleneck/sdk.h>

/** Where log lines go; the default writes to stderr. Tests capture. */
typedef void (*log_sink_fn)(bn_log_level level, const char *line, void *arg);

/** Set the most verbose level shown (default BN_LOG_WARNING). */
void log_set_level(bn_log_level level);
/** The current level. */
bn_log_level log_get_level(void);
/** Non-zero when `level` is shown. */
int log_enabled(bn_log_level level);
/**
 * A progress line is being redrawn on stderr (a terminal): log lines
 * clear it first, so they never run into it.
 */
void log_set_progress(int on);

/** Replace the sink (NULL restores stderr). */
void log_set_sink(log_sink_fn fn, void *arg);

/**
 * Log one line.  `prefix` (may be NULL) is printed in brackets, e.g.
 * "probe:tcp:lab-tcp".  Errors and warnings get "error: "/"warning: ".
 */
void log_msg(bn_log_level level, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** va_list form of log_msg. */
void log_vmsg(bn_log_level level, const char *prefix, const char *fmt,
              va_list ap);

/** Shorthands for core modules (prefix = module name). */
#define log_error(mod, ...) log_msg(BN_LOG_ERROR, (mod), __VA_ARGS__)
#define log_warn(mod, ...)  log_msg(BN_LOG_WARNING, (mod), __VA_ARGS__)
#define log_info(mod, ...)  log_msg(BN_LOG_INFO, (mod), __VA_ARGS__)
#define log_debug(mod, ...) log_msg(BN_LOG_DEBUG, (mod), __VA_ARGS__)

#endif
