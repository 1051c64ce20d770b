/*
 * fuzz_report_model.c - libFuzzer target: the reporters' reading of the
 * report model (docs/schemas/report.schema.json) on arbitrary text.  A
 * reporter is a plugin that trusts nothing it is handed: any JSON, of
 * any shape, with fields missing, of the wrong type, huge or negative,
 * must render (or be refused) without a crash.  Both the text reporter
 * (its static writer, hence the #include) and the HTML page are driven.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/report-text/text.c"
#include "html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  json_tokener *tok = json_tokener_new_ex(64);
  json_object *m;
  FILE *f;

  if (!tok)
    return 0;
  m = json_tokener_parse_ex(tok, (const char *)data, (int)size);
  /* report_ctx_render hands the writers parsed objects only */
  if (m && json_object_is_type(m, json_type_object) &&
      (f = fopen("/dev/null", "w"))) {
    text_write(m, f);
    h_page_write(f, m, NULL);
    h_page_write(f, m, h_paper("a4"));
    fclose(f);
  }
  json_object_put(m);
  json_tokener_free(tok);
  return 0;
}
