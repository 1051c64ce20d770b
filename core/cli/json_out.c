/*
 * json_out.c - a JSON string writer shared by the commands' --json output.
 */
#include "config.h"

#include "json_out.h"

void json_out_str(FILE *out, const char *s)
{
  if (!s) {
    fputs("null", out);
    return;
  }
  fputc('"', out);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;

    if (ch == '"' || ch == '\\')
      fprintf(out, "\\%c", ch);
    else if (ch < 0x20)
      fprintf(out, "\\u%04x", ch);
    else
      fputc(ch, out);
  }
  fputc('"', out);
}
