/*
 * icmp_match.c - the in-flight table of the icmp probe.
 *
 * One slot per 16-bit sequence number, indexed directly, so that a
 * reply is matched in O(1) whatever the number of targets.  A slot keeps
 * its state after the probe finished, until the sequence number comes
 * round again 65536 probes later, so that duplicates and late answers
 * can be told from foreign packets.  The payload stamp (instance cookie,
 * probe serial, target) must match the slot: a reply to another
 * instance, to an older use of the same sequence number, or to someone
 * else's ping is foreign.
 */
#include "icmp.h"

#include <stdlib.h>
#include <string.h>

int icmp_table_init(icmp_table *tb, uint64_t cookie)
{
  memset(tb, 0, sizeof(*tb));
  /* calloc: the pages of slots never used are never touched. */
  tb->slots = calloc(ICMP_SEQ_SLOTS, sizeof(*tb->slots));
  if (!tb->slots)
    return BN_ENOMEM;
  tb->cookie = cookie;
  tb->next_serial = 1;
  return 0;
}

void icmp_table_free(icmp_table *tb)
{
  free(tb->slots);
  tb->slots = NULL;
}

uint32_t icmp_table_window(const icmp_table *tb)
{
  return (uint16_t)(tb->head - tb->tail);
}

icmp_slot *icmp_table_take(icmp_table *tb, uint32_t target,
                           int64_t deadline_ns, uint16_t *seq,
                           icmp_stamp *stamp)
{
  icmp_slot *s;

  /* head == tail means empty, so one number always stays unused. */
  if (icmp_table_window(tb) == ICMP_SEQ_SLOTS - 1)
    return NULL;
  s = &tb->slots[tb->head];
  memset(s, 0, sizeof(*s));
  s->serial = tb->next_serial++;
  s->target = target;
  s->deadline_ns = deadline_ns;
  s->state = ICMP_SLOT_PENDING;
  *seq = tb->head++;
  stamp->cookie = tb->cookie;
  stamp->serial = s->serial;
  stamp->target = target;
  stamp->check = ~target;
  return s;
}

/* Does the payload carry the stamp of slot s? */
static int icmp_stamp_ok(const icmp_table *tb, const icmp_slot *s,
                         const void *payload, size_t len)
{
  icmp_stamp st;

  if (len < sizeof(st))
    return 0;
  memcpy(&st, payload, sizeof(st)); /* payloads are not aligned */
  return st.cookie == tb->cookie && st.serial == s->serial &&
         st.target == s->target && st.check == ~s->target;
}

icmp_match icmp_table_match(icmp_table *tb, uint16_t seq, const void *payload,
                            size_t len, icmp_slot **out)
{
  icmp_slot *s = &tb->slots[seq];

  *out = NULL;
  if (s->state == ICMP_SLOT_FREE || !icmp_stamp_ok(tb, s, payload, len))
    return ICMP_MATCH_FOREIGN;
  *out = s;
  switch (s->state) {
  case ICMP_SLOT_PENDING:
    s->state = ICMP_SLOT_ANSWERED;
    return ICMP_MATCH_REPLY;
  case ICMP_SLOT_LOST:
    /* Counted once as late; a further copy is a duplicate. */
    s->state = ICMP_SLOT_ANSWERED;
    return ICMP_MATCH_LATE;
  default:
    return ICMP_MATCH_DUP;
  }
}

icmp_match icmp_table_match_error(icmp_table *tb, uint16_t seq,
                                  const void *payload, size_t len,
                                  icmp_slot **out)
{
  icmp_slot *s = &tb->slots[seq];

  *out = NULL;
  if (s->state != ICMP_SLOT_PENDING)
    return ICMP_MATCH_FOREIGN;
  /* RFC 792 quotes only 8 bytes; Linux quotes more, then we check. */
  if (len >= sizeof(icmp_stamp) && !icmp_stamp_ok(tb, s, payload, len))
    return ICMP_MATCH_FOREIGN;
  s->state = ICMP_SLOT_LOST;
  *out = s;
  return ICMP_MATCH_REPLY;
}

/* Move the tail past probes that are finished. */
static void icmp_table_advance(icmp_table *tb)
{
  while (tb->tail != tb->head &&
         tb->slots[tb->tail].state != ICMP_SLOT_PENDING)
    tb->tail++;
}

icmp_slot *icmp_table_expire(icmp_table *tb, int64_t now_ns, uint16_t *seq)
{
  icmp_slot *s;

  icmp_table_advance(tb);
  if (tb->tail == tb->head)
    return NULL;
  s = &tb->slots[tb->tail];
  if (s->deadline_ns > now_ns)
    return NULL;
  s->state = ICMP_SLOT_LOST;
  *seq = tb->tail++;
  return s;
}

int64_t icmp_table_next_deadline(icmp_table *tb)
{
  icmp_table_advance(tb);
  if (tb->tail == tb->head)
    return INT64_MAX;
  return tb->slots[tb->tail].deadline_ns;
}
