/*
 * check.c - the pre-flight check list, its output and its storage.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"
#include "check.h"
#include "check_nic.h"
#include "log.h"
#include "options.h"
#include "profile.h"
#include "store.h"

void check_add(check_list *l, const char *name, const char *target,
               check_status st, double value, const char *fmt, ...)
{
  check_result *r;
  va_list ap;

  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    check_result *g = realloc(l->r, cap * sizeof(*g));

    if (!g)
      return;
    l->r = g;
    l->cap = cap;
  }
  r = &l->r[l->n++];
  memset(r, 0, sizeof(*r));
  snprintf(r->name, sizeof(r->name), "%s", name);
  snprintf(r->target, sizeof(r->target), "%s", target ? target : "");
  r->status = st;
  r->value = value;
  va_start(ap, fmt);
  vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
  va_end(ap);
}

void check_set_fix(check_list *l, const char *fmt, ...)
{
  va_list ap;

  if (!l->n)
    return;
  va_start(ap, fmt);
  vsnprintf(l->r[l->n - 1].fix, sizeof(l->r[l->n - 1].fix), fmt, ap);
  va_end(ap);
}

void check_list_free(check_list *l)
{
  free(l->r);
  memset(l, 0, sizeof(*l));
}

check_status check_worst(const check_list *l)
{
  check_status w = CHECK_PASS;
  size_t i;

  for (i = 0; i < l->n; i++)
    if (l->r[i].status > w)
      w = l->r[i].status;
  return w;
}

const char *check_status_name(check_status st)
{
  return st == CHECK_PASS ? "pass" : st == CHECK_WARN ? "warn" : "fail";
}

void check_run(const profile *p, const check_settings *s, check_list *out)
{
  check_dns(p, s, out);
  if (s->gateway)
    check_gateway(s, out);
  if (s->mtu)
    check_mtu(p, s, out);
  if (s->nic) {
    const char *names[64];
    size_t n = 0, i;

    for (i = 0; s->nic_ifaces && i < s->nic_ifaces->n_items && n < 64; i++)
      if (conf_scalar(s->nic_ifaces->items[i]))
        names[n++] = conf_scalar(s->nic_ifaces->items[i]);
    check_nic(names, n, out, NULL, NULL);
  }
  if (p->n_targets > s->max_targets)
    check_add(out, "targets", "", CHECK_WARN, NAN,
              "checked the first %zu of %zu targets (max_targets)",
              s->max_targets, p->n_targets);
}

void check_print_text(const check_list *l, FILE *out)
{
  size_t i;

  for (i = 0; i < l->n; i++) {
    const check_result *r = &l->r[i];

    fprintf(out, "%-4s  %-8s %-24s %s\n", check_status_name(r->status),
            r->name, r->target[0] ? r->target : "-", r->reason);
    if (r->fix[0])
      fprintf(out, "      fix: %s\n", r->fix);
  }
}

void check_print_json_array(const check_list *l, FILE *out)
{
  size_t i;

  fputs("[", out);
  for (i = 0; i < l->n; i++) {
    const check_result *r = &l->r[i];

    fprintf(out, "%s\n  {\"check\": ", i ? "," : "");
    json_out_str(out, r->name);
    fputs(", \"target\": ", out);
    if (r->target[0])
      json_out_str(out, r->target);
    else
      fputs("null", out);
    fprintf(out, ", \"status\": \"%s\", \"reason\": ",
            check_status_name(r->status));
    json_out_str(out, r->reason);
    if (isnan(r->value))
      fputs(", \"value\": null", out);
    else
      fprintf(out, ", \"value\": %g", r->value);
    fputs(", \"fix\": ", out);
    if (r->fix[0])
      json_out_str(out, r->fix);
    else
      fputs("null", out);
    fputs("}", out);
  }
  fputs(l->n ? "\n]" : "]", out);
}

void check_print_json(const check_list *l, FILE *out)
{
  fprintf(out, "{\"status\": \"%s\", \"checks\": ",
          check_status_name(check_worst(l)));
  check_print_json_array(l, out);
  fputs("}\n", out);
}

int check_store(store *st, int64_t run_id, const check_list *l,
                int64_t wall_ns)
{
  size_t i;
  int rc = 0;

  /* the recommendation goes with the reason: reports show the reason of
   * what did not pass (no column of its own: schema unchanged) */
  for (i = 0; i < l->n && rc == 0; i++) {
    char reason[800];

    if (l->r[i].fix[0])
      snprintf(reason, sizeof(reason), "%s; fix: %s", l->r[i].reason,
               l->r[i].fix);
    else
      snprintf(reason, sizeof(reason), "%s", l->r[i].reason);
    rc = store_add_check(
        st, run_id, l->r[i].name, l->r[i].target[0] ? l->r[i].target : NULL,
        check_status_name(l->r[i].status), reason, l->r[i].value, wall_ns);
  }
  return rc;
}
