/*
 * html_write.c - reading the model and writing text into the page.
 * Everything that comes from the model goes through h_esc: target
 * names, messages and addresses are untrusted text, never markup.
 */
#include <math.h>
#include <string.h>
#include <time.h>

#include "html.h"

json_object *h_get(json_object *o, const char *k)
{
  json_object *v = NULL;

  return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

const char *h_str(json_object *o, const char *k)
{
  json_object *v = h_get(o, k);

  return v && json_object_is_type(v, json_type_string)
             ? json_object_get_string(v)
             : NULL;
}

double h_num(json_object *o, const char *k)
{
  json_object *v = h_get(o, k);

  if (!v || json_object_is_type(v, json_type_null) ||
      json_object_is_type(v, json_type_string))
    return NAN;
  return json_object_get_double(v);
}

size_t h_len(json_object *a)
{
  return a && json_object_is_type(a, json_type_array)
             ? json_object_array_length(a)
             : 0;
}

json_object *h_at(json_object *a, size_t i)
{
  return i < h_len(a) ? json_object_array_get_idx(a, i) : NULL;
}

void h_esc(FILE *f, const char *s)
{
  for (; s && *s; s++) {
    switch (*s) {
    case '&':
      fputs("&amp;", f);
      break;
    case '<':
      fputs("&lt;", f);
      break;
    case '>':
      fputs("&gt;", f);
      break;
    case '"':
      fputs("&quot;", f);
      break;
    case '\'':
      fputs("&#39;", f);
      break;
    default:
      fputc(*s, f);
    }
  }
}

void h_numf(FILE *f, double v, int d)
{
  if (!isfinite(v))
    fputs("-", f);
  else
    fprintf(f, "%.*f", d, v);
}

void h_when(FILE *f, const char *iso)
{
  if (!iso || strlen(iso) < 19) {
    fputs("-", f);
    return;
  }
  fprintf(f, "%.10s %.8s", iso, iso + 11);
}

void h_tick_time(char *buf, size_t len, double t, double span)
{
  time_t s;
  struct tm tm;

  /* out of time_t's range (NaN, 1e300 from a hostile model): no tick */
  if (!(t > -1e15 && t < 1e15)) {
    snprintf(buf, len, "-");
    return;
  }
  s = (time_t)t;
  if (!gmtime_r(&s, &tm)) {
    snprintf(buf, len, "-");
    return;
  }
  if (span > 2 * 86400)
    strftime(buf, len, "%m-%d %H:%M", &tm);
  else if (span > 600)
    strftime(buf, len, "%H:%M", &tm);
  else
    strftime(buf, len, "%H:%M:%S", &tm);
}

const char *h_color(size_t i)
{
  /* distinguishable, also in grey print, and never red, orange or pink:
   * red means loss (and a critical alert) only, amber a warning */
  static const char *const c[] = {"#1f77b4", "#2ca02c", "#9467bd", "#17becf",
                                  "#24292f", "#7f7f7f", "#bcbd22", "#393b79",
                                  "#637939", "#5254a3"};

  return c[i % (sizeof(c) / sizeof(c[0]))];
}
