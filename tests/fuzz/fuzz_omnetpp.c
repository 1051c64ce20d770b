/*
 * fuzz_omnetpp.c - libFuzzer target: the OMNeT++ result file parser
 * (core/sim/omnetpp_parse.c) on arbitrary text, line by line, as
 * `bottleneck import --format omnetpp` feeds it.  An error's column must
 * lie within the line (or just past its end); a parsed line's tokens
 * must be inside the line buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "omnetpp_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  omn_parser *p = omn_new();
  size_t at = 0;

  if (!p)
    return 0;
  while (at < size) {
    const uint8_t *nl = memchr(data + at, '\n', size - at);
    size_t len = nl ? (size_t)(nl - (data + at)) : size - at;
    char *line = malloc(len + 1);
    omn_line l;
    omn_error e;

    if (!line)
      break;
    memcpy(line, data + at, len);
    line[len] = 0;
    if (omn_parse_line(p, line, len, &l, &e) != 0) {
      if (e.col < 1 || e.col > len + 1 || !memchr(e.msg, 0, sizeof(e.msg)))
        __builtin_trap();
    } else {
      for (int i = 0; i < l.ntok && l.kind != OMN_VECTOR; i++)
        if (l.tok[i] < line || l.tok[i] > line + len)
          __builtin_trap();
    }
    free(line);
    at += len + 1;
  }
  omn_error e;
  (void)omn_finish(p, &e);
  omn_free(p);
  return 0;
}
