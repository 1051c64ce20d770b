/*
 * json_out.h - writing JSON text by hand for the commands' --json output
 * (the core does not link json-c): one string, quoted and escaped.
 */
#ifndef BN_CORE_JSON_OUT_H
#define BN_CORE_JSON_OUT_H

#include <stdio.h>

/** Write s as a JSON string, or null when s is NULL. */
void json_out_str(FILE *out, const char *s);

#endif
