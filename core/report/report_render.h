/*
 * report_render.h - handing a reporter instance its report: the model is
 * built for the instance's own `preset` and `redact` options (every
 * reporter has them) over the range asked for, and passed as JSON text.
 */
#ifndef BN_CORE_REPORT_RENDER_H
#define BN_CORE_REPORT_RENDER_H

#include <stdio.h>

#include "host.h"
#include "report_model.h"

/**
 * Render with one reporter instance.  `base` gives the range (run,
 * since, until, targets, profile); the preset and redaction come from
 * the instance's entry in the profile (host keys of a reporter entry).
 * `format` is one of the plugin's formats (NULL: its first); `output` a
 * file named on the command line, or NULL: then the instance's `output`
 * option, where "" means a file named after the report (profile, host,
 * dates, the format as extension).  The file written ("-": standard
 * output) is put into `written` when it is not NULL.  Returns BN_OK; BN_ENOENT
 * when the model could not be built (nothing in range, a store error); BN_ERR
 * when the reporter failed (logged with the plugin's name).
 */
int report_render_instance(host_instance *in, store *st,
                           const report_opts *base, const char *format,
                           const char *output, FILE *out, char *written,
                           size_t wlen);

#endif
