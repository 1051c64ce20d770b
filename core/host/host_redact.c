/*
 * host_redact.c - redacted copies of what an exporter with `redact:
 * true` receives (host_redact.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "host_redact.h"
#include "redactor.h"

int host_redact_setup(host_instance *in)
{
  const bn_node *n;
  int on = 0;
  size_t i;

  if (!in->entry || in->plugin->desc.kind != BN_KIND_EXPORTER)
    return BN_OK;
  n = conf_get(in->entry->node, "redact");
  if (!n || conf_parse_bool(conf_scalar(n), &on) < 0 || !on)
    return BN_OK;
  in->redact = redactor_new();
  if (!in->redact)
    return BN_ENOMEM;
  /* target-1..N in the profile's order; their hosts are identities too,
   * so free text that names one is redacted */
  for (i = 0; i < in->entry->n_targets; i++)
    redactor_name(in->redact, REDACT_TARGET, in->entry->targets[i].name);
  for (i = 0; i < in->entry->n_targets; i++)
    redactor_name(in->redact, REDACT_IP, in->entry->targets[i].host);
  return BN_OK;
}

void host_redact_free(host_instance *in)
{
  redactor_free(in->redact);
  in->redact = NULL;
}

/* A list of blocks one call allocated (mem points to the newest). */
typedef struct redact_mem {
  struct redact_mem *next;
} redact_mem;

static void *redact_alloc(void **mem, size_t size)
{
  redact_mem *m = calloc(1, sizeof(*m) + size);

  if (!m)
    return NULL;
  m->next = *mem;
  *mem = m;
  return m + 1;
}

static const char *redact_text(host_instance *in, const char *s, void **mem)
{
  char *t = s ? redactor_text(in->redact, s) : NULL, *copy;
  size_t n;

  if (!s)
    return NULL;
  if (!t)
    return "(redacted)";
  n = strlen(t) + 1;
  copy = redact_alloc(mem, n);
  if (copy)
    memcpy(copy, t, n);
  free(t);
  return copy ? copy : "(redacted)";
}

void host_redact_done(void **mem)
{
  redact_mem *m = *mem;

  while (m) {
    redact_mem *next = m->next;

    free(m);
    m = next;
  }
  *mem = NULL;
}

const bn_sample *host_redact_sample(host_instance *in, const bn_sample *s,
                                    bn_sample *buf)
{
  if (!in->redact)
    return s;
  *buf = *s;
  buf->target = redactor_name(in->redact, REDACT_TARGET, s->target);
  return buf;
}

const bn_event *host_redact_event(host_instance *in, const bn_event *e,
                                  bn_event *buf, void **mem)
{
  if (!in->redact)
    return e;
  *buf = *e;
  buf->target = redactor_name(in->redact, REDACT_TARGET, e->target);
  buf->message = redact_text(in, e->message, mem);
  return buf;
}

const bn_path_set *host_redact_paths(host_instance *in, const bn_path_set *ps,
                                     bn_path_set *buf, void **mem)
{
  bn_path *paths;
  size_t i, j;

  if (!in->redact)
    return ps;
  *buf = *ps;
  buf->target = redactor_name(in->redact, REDACT_TARGET, ps->target);
  paths = ps->n_paths ? redact_alloc(mem, ps->n_paths * sizeof(*paths)) : NULL;
  if (ps->n_paths && !paths) {
    buf->n_paths = 0; /* out of memory: nothing rather than addresses */
    return buf;
  }
  for (i = 0; i < ps->n_paths; i++) {
    bn_hop *hops = ps->paths[i].n_hops
                       ? redact_alloc(mem, ps->paths[i].n_hops * sizeof(*hops))
                       : NULL;

    paths[i] = ps->paths[i];
    if (!hops) {
      paths[i].n_hops = 0;
      continue;
    }
    for (j = 0; j < ps->paths[i].n_hops; j++) {
      hops[j] = ps->paths[i].hops[j];
      hops[j].addr = redactor_name(in->redact, REDACT_IP, hops[j].addr);
    }
    paths[i].hops = hops;
  }
  buf->paths = paths;
  return buf;
}

const bn_speedtest_result *host_redact_speedtest(host_instance *in,
                                                 const bn_speedtest_result *r,
                                                 bn_speedtest_result *buf,
                                                 void **mem)
{
  if (!in->redact)
    return r;
  *buf = *r;
  buf->target = redactor_name(in->redact, REDACT_TARGET, r->target);
  buf->server = redactor_name(in->redact, REDACT_SERVER, r->server);
  buf->error = redact_text(in, r->error, mem);
  return buf;
}

const char *host_redact_host(host_instance *in, const char *host)
{
  return in->redact ? redactor_name(in->redact, REDACT_HOST, host) : host;
}
