/*
 * pathdiff.c - path ids and path changes (see pathdiff.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "pathdiff.h"

static void pathdiff_hex(const unsigned char *md, char *out)
{
  int i;

  for (i = 0; i < PATHDIFF_ID_LEN / 2; i++)
    snprintf(out + 2 * i, 3, "%02x", md[i]);
  out[PATHDIFF_ID_LEN] = '\0';
}

static void pathdiff_digest(EVP_MD_CTX *ctx, char *out)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;

  if (!EVP_DigestFinal_ex(ctx, md, &len) || len < PATHDIFF_ID_LEN / 2) {
    memset(out, '0', PATHDIFF_ID_LEN);
    out[PATHDIFF_ID_LEN] = '\0';
    return;
  }
  pathdiff_hex(md, out);
}

/*
 * A hop known by its address: it answered, or none of its probes
 * counted (all over the answering router's ICMP budget: the probe gives
 * the address that router answered from before).  Other hops are
 * silent: loss, not another path.
 */
static int pathdiff_known(const bn_hop *h)
{
  return h->addr && (h->received || !h->sent);
}

void pathdiff_path_id(const bn_path *p, char *out)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  char line[96];
  size_t i;
  int n;

  if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
    EVP_MD_CTX_free(ctx);
    memset(out, '0', PATHDIFF_ID_LEN);
    out[PATHDIFF_ID_LEN] = '\0';
    return;
  }
  /* Silent hops are left out: a hop that answers in one round and not
   * the next is loss, not another path. */
  for (i = 0; i < p->n_hops; i++) {
    if (!pathdiff_known(&p->hops[i]))
      continue;
    n = snprintf(line, sizeof(line), "%d=%s\n", p->hops[i].ttl,
                 p->hops[i].addr);
    EVP_DigestUpdate(ctx, line, (size_t)n);
  }
  n = snprintf(line, sizeof(line), "end=%d\n", (int)p->status);
  EVP_DigestUpdate(ctx, line, (size_t)n);
  pathdiff_digest(ctx, out);
  EVP_MD_CTX_free(ctx);
}

static int pathdiff_cmp(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ids sorted into a new array (caller frees), or NULL. */
static const char **pathdiff_sorted(const char *const *ids, size_t n)
{
  const char **s = malloc((n ? n : 1) * sizeof(*s));

  if (!s)
    return NULL;
  memcpy(s, ids, n * sizeof(*s));
  qsort(s, n, sizeof(*s), pathdiff_cmp);
  return s;
}

size_t pathdiff_distinct(const char *const *ids, size_t n)
{
  const char **s = pathdiff_sorted(ids, n);
  size_t i, d = 0;

  if (!s)
    return n;
  for (i = 0; i < n; i++)
    d += i == 0 || strcmp(s[i], s[i - 1]) != 0;
  free(s);
  return d;
}

void pathdiff_set_id(const char *const *ids, size_t n, char *out)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  const char **s = pathdiff_sorted(ids, n);
  size_t i;

  if (!ctx || !s || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
    memset(out, '0', PATHDIFF_ID_LEN);
    out[PATHDIFF_ID_LEN] = '\0';
  } else {
    /* distinct ids in order: the flows' count does not matter */
    for (i = 0; i < n; i++)
      if (i == 0 || strcmp(s[i], s[i - 1]) != 0) {
        EVP_DigestUpdate(ctx, s[i], strlen(s[i]));
        EVP_DigestUpdate(ctx, "\n", 1);
      }
    pathdiff_digest(ctx, out);
  }
  free(s);
  EVP_MD_CTX_free(ctx);
}

static const bn_hop *pathdiff_hop(const bn_path *p, int ttl)
{
  size_t i;

  for (i = 0; i < p->n_hops; i++)
    if (p->hops[i].ttl == ttl)
      return pathdiff_known(&p->hops[i]) ? &p->hops[i] : NULL;
  return NULL;
}

static int pathdiff_max_ttl(const bn_path *p)
{
  int max = 0;
  size_t i;

  for (i = 0; i < p->n_hops; i++)
    if (p->hops[i].ttl > max && pathdiff_known(&p->hops[i]))
      max = p->hops[i].ttl;
  return max;
}

typedef struct pathdiff_out {
  pathdiff_change *out;
  size_t max, n;
} pathdiff_out;

static void pathdiff_add(pathdiff_out *o, const pathdiff_change *c)
{
  if (o->n < o->max)
    o->out[o->n] = *c;
  o->n++;
}

/* Hop by hop, one flow's path before and now. */
static void pathdiff_flow(const bn_path *a, const bn_path *b, double shift,
                          pathdiff_out *o)
{
  int ttl, last = pathdiff_max_ttl(a);

  if (pathdiff_max_ttl(b) > last)
    last = pathdiff_max_ttl(b);
  for (ttl = 1; ttl <= last; ttl++) {
    const bn_hop *x = pathdiff_hop(a, ttl), *y = pathdiff_hop(b, ttl);
    pathdiff_change c;

    memset(&c, 0, sizeof(c));
    c.flow_id = b->flow_id;
    c.ttl = ttl;
    c.old_addr = x ? x->addr : NULL;
    c.new_addr = y ? y->addr : NULL;
    c.old_rtt_ms = x ? x->avg_ms : -1;
    c.new_rtt_ms = y ? y->avg_ms : -1;
    if (x && y && strcmp(x->addr, y->addr) != 0)
      c.kind = "changed";
    else if (!x && y && ttl > pathdiff_max_ttl(a))
      c.kind = "added"; /* the path got longer */
    else if (x && !y && ttl > pathdiff_max_ttl(b))
      c.kind = "removed"; /* the path got shorter */
    else if (x && y && shift > 0 && fabs(y->avg_ms - x->avg_ms) > shift)
      c.kind = "rtt_shift";
    if (c.kind)
      pathdiff_add(o, &c);
  }
}

/* The path of `now`'s flow in `before`: same flow id, else by position. */
static const bn_path *pathdiff_pair(const bn_path_set *before,
                                    const bn_path_set *now, size_t i)
{
  size_t j;

  for (j = 0; j < before->n_paths; j++)
    if (before->paths[j].flow_id == now->paths[i].flow_id)
      return &before->paths[j];
  return i < before->n_paths ? &before->paths[i] : NULL;
}

size_t pathdiff_compare(const bn_path_set *before,
                        const char *const *before_ids, const bn_path_set *now,
                        const char *const *now_ids, double rtt_shift_ms,
                        pathdiff_change *out, size_t max)
{
  pathdiff_out o = {out, max, 0};
  char a_set[PATHDIFF_ID_LEN + 1], b_set[PATHDIFF_ID_LEN + 1];
  size_t i;

  if (!before || !now)
    return 0;
  for (i = 0; i < now->n_paths; i++) {
    const bn_path *a = pathdiff_pair(before, now, i);

    if (a)
      pathdiff_flow(a, &now->paths[i], rtt_shift_ms, &o);
  }
  /* Several flows: the set of distinct paths is what load balancing
   * offers; a different set is a change even when each flow's own
   * comparison above found none (flows moved between paths). */
  if (before->n_paths < 2 && now->n_paths < 2)
    return o.n;
  pathdiff_set_id(before_ids, before->n_paths, a_set);
  pathdiff_set_id(now_ids, now->n_paths, b_set);
  if (strcmp(a_set, b_set) != 0) {
    pathdiff_change c;

    memset(&c, 0, sizeof(c));
    c.kind = "set";
    c.old_rtt_ms = c.new_rtt_ms = -1;
    c.old_n = (int)pathdiff_distinct(before_ids, before->n_paths);
    c.new_n = (int)pathdiff_distinct(now_ids, now->n_paths);
    pathdiff_add(&o, &c);
  }
  return o.n;
}

void pathdiff_describe(const pathdiff_change *c, char *buf, size_t len)
{
  if (!strcmp(c->kind, "changed"))
    snprintf(buf, len, "hop %d changed %s -> %s", c->ttl, c->old_addr,
             c->new_addr);
  else if (!strcmp(c->kind, "added"))
    snprintf(buf, len, "hop %d added: %s", c->ttl, c->new_addr);
  else if (!strcmp(c->kind, "removed"))
    snprintf(buf, len, "hop %d removed: %s", c->ttl, c->old_addr);
  else if (!strcmp(c->kind, "rtt_shift"))
    snprintf(buf, len, "hop %d (%s) RTT %.2f -> %.2f ms", c->ttl, c->new_addr,
             c->old_rtt_ms, c->new_rtt_ms);
  else
    snprintf(buf, len, "the set of paths changed (%d -> %d distinct)",
             c->old_n, c->new_n);
}
