/*
 * fuzz_plugin_elf.c - libFuzzer target: the loader's ELF reader
 * (loader_elf_peek), which reads the descriptor head of a plugin file
 * nobody has vouched for yet.  Seeds: the fixture plugins of the build
 * (copied in by `make fuzz`).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <bottleneck/sdk.h>

#include "loader_elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  loader_elf_head head;
  char why[256];
  int rc =
      loader_elf_peek(data, size, BN_PLUGIN_SYMBOL, &head, why, sizeof(why));

  /* a name read from the file is always terminated and bounded */
  if (rc == LOADER_ELF_OK && strlen(head.name) >= sizeof(head.name))
    __builtin_trap();
  return 0;
}
