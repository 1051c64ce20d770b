/*
 * loader_elf.c - the descriptor head of a plugin read from its ELF file:
 * the section headers give the dynamic symbol table, the symbol gives
 * the descriptor's address, the program headers map that address to a
 * file offset.  The name is a pointer, so it is only in the file as the
 * addend of a relative relocation (RELA) or as the stored value (REL);
 * when neither is found the name stays unknown ("").  Every offset and
 * count from the file is checked against its size: this runs on files
 * the loader does not trust yet.
 */
#include "config.h"

#include <link.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bottleneck/sdk.h>

#include "loader_elf.h"

#if __SIZEOF_POINTER__ == 8
#define LE_CLASS    ELFCLASS64
#define LE_R_SYM(i) ELF64_R_SYM(i)
#else
#define LE_CLASS    ELFCLASS32
#define LE_R_SYM(i) ELF32_R_SYM(i)
#endif

#define LE_MAX_FILE (64u * 1024 * 1024)

typedef struct le_img {
  const unsigned char *buf;
  size_t len;
  const ElfW(Ehdr) * eh;
} le_img;

/* Non-zero when [off, off + n) lies inside the image. */
static int le_in(const le_img *im, uint64_t off, uint64_t n)
{
  return off <= im->len && n <= im->len - off;
}

static void le_copy(const le_img *im, uint64_t off, void *dst, size_t n)
{
  memcpy(dst, im->buf + off, n);
}

static int le_shdr(const le_img *im, size_t i, ElfW(Shdr) * sh)
{
  uint64_t off = (uint64_t)im->eh->e_shoff + (uint64_t)i * sizeof(*sh);

  if (i >= im->eh->e_shnum || !le_in(im, off, sizeof(*sh)))
    return -1;
  le_copy(im, off, sh, sizeof(*sh));
  return 0;
}

/* File offset of `n` bytes at virtual address `addr` (from a PT_LOAD
 * segment's file part), or -1. */
static int64_t le_vaddr(const le_img *im, uint64_t addr, uint64_t n)
{
  ElfW(Phdr) ph;
  size_t i;

  for (i = 0; i < im->eh->e_phnum; i++) {
    uint64_t off = (uint64_t)im->eh->e_phoff + (uint64_t)i * sizeof(ph);

    if (!le_in(im, off, sizeof(ph)))
      return -1;
    le_copy(im, off, &ph, sizeof(ph));
    if (ph.p_type != PT_LOAD || addr < ph.p_vaddr ||
        addr - ph.p_vaddr > ph.p_filesz || n > ph.p_filesz ||
        addr - ph.p_vaddr > ph.p_filesz - n)
      continue;
    off = (uint64_t)ph.p_offset + (addr - ph.p_vaddr);
    return le_in(im, off, n) ? (int64_t)off : -1;
  }
  return -1;
}

/* The NUL-terminated string at virtual address `addr` into out. */
static void le_string_at(const le_img *im, uint64_t addr, char *out,
                         size_t len)
{
  int64_t off = le_vaddr(im, addr, 1);
  size_t i;

  out[0] = '\0';
  if (off < 0)
    return;
  for (i = 0; i + 1 < len && le_in(im, (uint64_t)off + i, 1); i++) {
    char ch = (char)im->buf[off + (int64_t)i];

    if (ch == '\0') {
      out[i] = '\0';
      return;
    }
    out[i] = ch;
  }
  out[0] = '\0'; /* too long or cut by the end of the file: unknown */
}

/* The pointer stored at virtual address `where`: the addend of a
 * symbol-less (relative) RELA relocation there, else the value in the
 * file (REL).  0 when unknown. */
static uint64_t le_pointer_at(const le_img *im, uint64_t where)
{
  ElfW(Shdr) sh;
  size_t i, k, n;

  for (i = 0; i < im->eh->e_shnum; i++) {
    if (le_shdr(im, i, &sh) != 0)
      return 0;
    if (sh.sh_type != SHT_RELA || sh.sh_entsize != sizeof(ElfW(Rela)) ||
        !le_in(im, sh.sh_offset, sh.sh_size))
      continue;
    n = sh.sh_size / sizeof(ElfW(Rela));
    for (k = 0; k < n; k++) {
      ElfW(Rela) r;

      le_copy(im, sh.sh_offset + k * sizeof(r), &r, sizeof(r));
      if (r.r_offset == where && LE_R_SYM(r.r_info) == 0)
        return (uint64_t)r.r_addend;
    }
  }
  {
    ElfW(Addr) v = 0;
    int64_t off = le_vaddr(im, where, sizeof(v));

    if (off >= 0)
      le_copy(im, (uint64_t)off, &v, sizeof(v));
    return v;
  }
}

/* Find `symbol` among the dynamic symbols: 0 and *sym, or a status. */
static int le_find(const le_img *im, const char *symbol, ElfW(Sym) * sym,
                   char *why, size_t whylen)
{
  ElfW(Shdr) sh, str;
  size_t i, k, n, want = strlen(symbol);

  for (i = 0; i < im->eh->e_shnum; i++) {
    if (le_shdr(im, i, &sh) != 0) {
      snprintf(why, whylen, "section headers past the end of the file");
      return LOADER_ELF_BAD;
    }
    if (sh.sh_type != SHT_DYNSYM)
      continue;
    if (sh.sh_entsize != sizeof(ElfW(Sym)) ||
        !le_in(im, sh.sh_offset, sh.sh_size) ||
        le_shdr(im, sh.sh_link, &str) != 0 ||
        !le_in(im, str.sh_offset, str.sh_size)) {
      snprintf(why, whylen, "damaged dynamic symbol table");
      return LOADER_ELF_BAD;
    }
    n = sh.sh_size / sizeof(ElfW(Sym));
    for (k = 0; k < n; k++) {
      le_copy(im, sh.sh_offset + k * sizeof(*sym), sym, sizeof(*sym));
      if (sym->st_shndx == SHN_UNDEF || sym->st_name >= str.sh_size ||
          str.sh_size - sym->st_name <= want)
        continue;
      if (memcmp(im->buf + str.sh_offset + sym->st_name, symbol, want + 1) ==
          0)
        return LOADER_ELF_OK;
    }
  }
  return LOADER_ELF_NO_SYMBOL;
}

int loader_elf_peek(const unsigned char *buf, size_t len, const char *symbol,
                    loader_elf_head *out, char *why, size_t whylen)
{
  unsigned char d[sizeof(bn_plugin)];
  ElfW(Ehdr) eh;
  ElfW(Sym) sym;
  le_img im = {buf, len, &eh};
  size_t n;
  int64_t off;
  int rc;

  memset(out, 0, sizeof(*out));
  if (why && whylen)
    why[0] = '\0';
  if (len < sizeof(eh) || memcmp(buf, ELFMAG, SELFMAG) != 0 ||
      buf[EI_CLASS] != LE_CLASS)
    return LOADER_ELF_NOT_ELF;
  memcpy(&eh, buf, sizeof(eh));
  if (eh.e_shnum == 0 || eh.e_shentsize != sizeof(ElfW(Shdr))) {
    snprintf(why, whylen,
             "no section headers, so its descriptor cannot be read before "
             "loading (stripped with sstrip?)");
    return LOADER_ELF_BAD;
  }
  if (eh.e_phentsize != sizeof(ElfW(Phdr))) {
    snprintf(why, whylen, "damaged program headers");
    return LOADER_ELF_BAD;
  }
  rc = le_find(&im, symbol, &sym, why, whylen);
  if (rc != LOADER_ELF_OK)
    return rc;
  /* The head (abi_major, abi_minor, struct_size) at least. */
  n = sym.st_size < sizeof(d) ? (size_t)sym.st_size : sizeof(d);
  if (n < offsetof(bn_plugin, name)) {
    snprintf(why, whylen, "%s is %zu bytes, too short for a descriptor",
             symbol, (size_t)sym.st_size);
    return LOADER_ELF_BAD;
  }
  off = le_vaddr(&im, sym.st_value, n);
  if (off < 0) {
    snprintf(why, whylen, "%s lies outside the file's data", symbol);
    return LOADER_ELF_BAD;
  }
  memset(d, 0, sizeof(d));
  le_copy(&im, (uint64_t)off, d, n);
  memcpy(&out->abi_major, d + offsetof(bn_plugin, abi_major), 2);
  memcpy(&out->abi_minor, d + offsetof(bn_plugin, abi_minor), 2);
  memcpy(&out->struct_size, d + offsetof(bn_plugin, struct_size), 4);
  if (n >= offsetof(bn_plugin, kind) + sizeof(bn_kind) &&
      out->struct_size >= offsetof(bn_plugin, kind) + sizeof(bn_kind)) {
    bn_kind k;

    memcpy(&k, d + offsetof(bn_plugin, kind), sizeof(k));
    out->kind = (int)k;
    out->has_kind = 1;
  }
  if (n >= offsetof(bn_plugin, name) + sizeof(void *) &&
      out->struct_size >= offsetof(bn_plugin, name) + sizeof(void *)) {
    uint64_t p = le_pointer_at(&im, sym.st_value + offsetof(bn_plugin, name));

    if (p)
      le_string_at(&im, p, out->name, sizeof(out->name));
  }
  return LOADER_ELF_OK;
}

int loader_elf_peek_fd(int fd, const char *symbol, loader_elf_head *out,
                       char *why, size_t whylen)
{
  struct stat st;
  unsigned char *buf;
  size_t len, done = 0;
  int rc;

  memset(out, 0, sizeof(*out));
  if (fstat(fd, &st) != 0 || st.st_size < 0 ||
      (uint64_t)st.st_size > LE_MAX_FILE) {
    snprintf(why, whylen, "cannot read it, or larger than %u MiB",
             LE_MAX_FILE >> 20);
    return LOADER_ELF_BAD;
  }
  len = (size_t)st.st_size;
  buf = malloc(len ? len : 1);
  if (!buf) {
    snprintf(why, whylen, "out of memory");
    return LOADER_ELF_BAD;
  }
  while (done < len) {
    ssize_t r = pread(fd, buf + done, len - done, (off_t)done);

    if (r <= 0)
      break;
    done += (size_t)r;
  }
  rc = loader_elf_peek(buf, done, symbol, out, why, whylen);
  free(buf);
  return rc;
}
