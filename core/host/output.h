/*
 * output.h - report outputs written atomically: a temporary file beside
 * the destination, synced and renamed into place on success, removed on
 * failure, so a reader never sees half a report and a failed render
 * leaves the previous report alone.  "-" means a given stream (stdout).
 * Behind bn_host_api.output_open/output_file/output_close.
 */
#ifndef BN_CORE_OUTPUT_H
#define BN_CORE_OUTPUT_H

#include <stdio.h>

#include <bottleneck/sdk.h>

/**
 * Open an output: `path` NULL or "-" writes to `std`; otherwise a
 * temporary file PATH.XXXXXX (mode 0644) is created.  Returns 0, or a
 * negative bn_status with errno set (nothing is logged here).
 */
int output_open(const char *path, FILE *std, bn_output **out);

/** The stream to write to. */
FILE *output_file(bn_output *o);

/** Destination path, or "standard output". */
const char *output_name(const bn_output *o);

/**
 * Finish and free.  commit: flush, fsync, close, rename into place;
 * otherwise the temporary file is removed.  Returns 0, or BN_EIO with
 * errno set when the output could not be written.
 */
int output_close(bn_output *o, int commit);

#endif
