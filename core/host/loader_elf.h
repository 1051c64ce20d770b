/*
 * loader_elf.h - reads a plugin's descriptor head (ABI version, struct
 * size, kind and name) straight from its ELF file, without dlopen(), so
 * that a file the loader refuses never runs a single constructor.
 */
#ifndef BN_CORE_LOADER_ELF_H
#define BN_CORE_LOADER_ELF_H

#include <stddef.h>
#include <stdint.h>

/** What the file says about its exported descriptor. */
typedef struct loader_elf_head {
  uint16_t abi_major;
  uint16_t abi_minor;
  uint32_t struct_size;
  int has_kind;  /* the symbol is long enough to hold `kind` */
  int kind;      /* bn_kind, when has_kind */
  char name[96]; /* the plugin name, "" when it cannot be read */
} loader_elf_head;

enum loader_elf_status {
  LOADER_ELF_OK = 0,        /* head filled */
  LOADER_ELF_NOT_ELF = 1,   /* not an ELF object of this machine's class */
  LOADER_ELF_NO_SYMBOL = 2, /* ELF, but no defined descriptor symbol */
  LOADER_ELF_BAD = 3,       /* ELF, but damaged or unreadable: see why */
};

/**
 * Look for the dynamic symbol `symbol` in the ELF image `buf` (`len`
 * bytes, the whole file) and read the descriptor head from its data.
 * Never trusts an offset or a count: everything is bounds-checked
 * against `len`.  Returns an enum loader_elf_status; on LOADER_ELF_BAD
 * `why` holds a short reason.
 */
int loader_elf_peek(const unsigned char *buf, size_t len, const char *symbol,
                    loader_elf_head *out, char *why, size_t whylen);

/**
 * The same on an open file descriptor (read with pread, at most 64 MiB;
 * larger files are LOADER_ELF_BAD).
 */
int loader_elf_peek_fd(int fd, const char *symbol, loader_elf_head *out,
                       char *why, size_t whylen);

#endif
