/*
 * fuzz_ls_servers.c - libFuzzer target: the LibreSpeed server list
 * parser (ls_servers_parse, JSON through json-c) on arbitrary text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ls_servers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1), err[512];
  ls_server *s = NULL;
  size_t n = 0, i;

  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  if (ls_servers_parse(text, &s, &n, err, sizeof(err)) == 0) {
    for (i = 0; i < n; i++) /* every URL of a parsed server is there */
      if (!s[i].dl || !s[i].ul || !s[i].ping)
        __builtin_trap();
    ls_servers_free(s, n);
  }
  free(text);
  return 0;
}
