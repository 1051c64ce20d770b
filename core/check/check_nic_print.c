/*
 * check_nic_print.c - an interface's NIC readings as text (for people:
 * what ethtool -k/-g/-c/-l would show, in a few lines) and as one JSON
 * object (every field, for machines and the tests).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "check_nic.h"
#include "json_out.h"

static const char *nic_err_text(int err)
{
  return err == EOPNOTSUPP ? "not supported by this driver" : strerror(err);
}

static void nic_text_num(FILE *out, const char *name, int64_t v)
{
  if (v < 0)
    fprintf(out, " %s n/a", name);
  else
    fprintf(out, " %s %lld", name, (long long)v);
}

void nic_print_text(const nic_readings *r, FILE *out)
{
  size_t i, on = 0, named = 0, shown = 0;

  fprintf(out, "nic %s (%d CPUs):\n", r->ifname, r->ncpus);
  fputs("  features:", out);
  if (r->feat.s.err) {
    fprintf(out, " %s\n", nic_err_text(r->feat.s.err));
  } else {
    for (i = 0; i < r->feat.n; i++) {
      on += r->feat.f[i].name[0] && r->feat.f[i].active;
      named += r->feat.f[i].name[0] != 0;
    }
    fprintf(out, " %zu of %zu on; off and changeable:", on, named);
    for (i = 0; i < r->feat.n; i++) {
      const nic_feature *f = &r->feat.f[i];

      if (f->name[0] && !f->active && f->hw && !f->nochange) {
        fprintf(out, " %s%s", f->name, f->wanted ? " [requested on]" : "");
        shown++;
      }
    }
    fputs(shown ? "\n" : " none\n", out);
  }
  fputs("  rings:", out);
  if (r->rings.s.err) {
    fprintf(out, " %s\n", nic_err_text(r->rings.s.err));
  } else {
    nic_text_num(out, "rx", r->rings.rx);
    nic_text_num(out, "/", r->rings.rx_max);
    nic_text_num(out, " tx", r->rings.tx);
    nic_text_num(out, "/", r->rings.tx_max);
    fputc('\n', out);
  }
  fputs("  coalescing:", out);
  if (r->coal.s.err) {
    fprintf(out, " %s\n", nic_err_text(r->coal.s.err));
  } else {
    nic_text_num(out, "rx-usecs", r->coal.rx_usecs);
    nic_text_num(out, "rx-frames", r->coal.rx_frames);
    nic_text_num(out, "tx-usecs", r->coal.tx_usecs);
    nic_text_num(out, "tx-frames", r->coal.tx_frames);
    nic_text_num(out, "adaptive-rx", r->coal.adaptive_rx);
    fputc('\n', out);
  }
  fputs("  channels:", out);
  if (r->chan.s.err) {
    fprintf(out, " %s\n", nic_err_text(r->chan.s.err));
  } else {
    nic_text_num(out, "rx", r->chan.rx);
    nic_text_num(out, "/", r->chan.rx_max);
    nic_text_num(out, " tx", r->chan.tx);
    nic_text_num(out, "/", r->chan.tx_max);
    nic_text_num(out, " combined", r->chan.combined);
    nic_text_num(out, "/", r->chan.combined_max);
    fputc('\n', out);
  }
  fprintf(out, "  irqs: %zu", r->n_irqs);
  for (i = 0; i < r->n_irqs; i++)
    fprintf(out, " %u->%s", r->irqs[i].irq, r->irqs[i].cpus);
  fprintf(out, "\n  queues: %zu rx, %zu tx\n", r->n_rxq, r->n_txq);
}

static void nic_json_num(FILE *out, const char *name, int64_t v, int first)
{
  fprintf(out, "%s\"%s\": ", first ? "" : ", ", name);
  if (v < 0)
    fputs("null", out);
  else
    fprintf(out, "%lld", (long long)v);
}

/* {"supported": false} / {"error": "..."} for a section not read. */
static int nic_json_unread(FILE *out, const char *name, int err)
{
  if (!err)
    return 0;
  fprintf(out, ",\n   \"%s\": {\"supported\": %s, \"error\": ", name,
          err == EOPNOTSUPP ? "false" : "null");
  json_out_str(out, nic_err_text(err));
  fputs("}", out);
  return 1;
}

static void nic_json_queues(FILE *out, const char *name, const nic_queue *q,
                            size_t n)
{
  size_t i;

  fprintf(out, ",\n   \"%s\": [", name);
  for (i = 0; i < n; i++) {
    fputs(i ? ", " : "", out);
    json_out_str(out, q[i].mask);
  }
  fputs("]", out);
}

void nic_print_json(const nic_readings *r, FILE *out)
{
  size_t i, k = 0;

  fputs("{\"iface\": ", out);
  json_out_str(out, r->ifname);
  fprintf(out, ", \"cpus\": %d", r->ncpus);
  if (!nic_json_unread(out, "features", r->feat.s.err)) {
    fputs(",\n   \"features\": {", out);
    for (i = 0; i < r->feat.n; i++) {
      const nic_feature *f = &r->feat.f[i];

      if (!f->name[0])
        continue;
      fputs(k++ ? ", " : "", out);
      json_out_str(out, f->name);
      fprintf(out, ": {\"active\": %s, \"requested\": %s, \"fixed\": %s}",
              f->active ? "true" : "false", f->wanted ? "true" : "false",
              !f->hw || f->nochange ? "true" : "false");
    }
    fputs("}", out);
  }
  if (!nic_json_unread(out, "rings", r->rings.s.err)) {
    fputs(",\n   \"rings\": {\"supported\": true, ", out);
    nic_json_num(out, "rx", r->rings.rx, 1);
    nic_json_num(out, "rx_max", r->rings.rx_max, 0);
    nic_json_num(out, "rx_mini", r->rings.rx_mini, 0);
    nic_json_num(out, "rx_mini_max", r->rings.rx_mini_max, 0);
    nic_json_num(out, "rx_jumbo", r->rings.rx_jumbo, 0);
    nic_json_num(out, "rx_jumbo_max", r->rings.rx_jumbo_max, 0);
    nic_json_num(out, "tx", r->rings.tx, 0);
    nic_json_num(out, "tx_max", r->rings.tx_max, 0);
    fputs("}", out);
  }
  if (!nic_json_unread(out, "coalesce", r->coal.s.err)) {
    fputs(",\n   \"coalesce\": {\"supported\": true, ", out);
    nic_json_num(out, "rx_usecs", r->coal.rx_usecs, 1);
    nic_json_num(out, "rx_frames", r->coal.rx_frames, 0);
    nic_json_num(out, "tx_usecs", r->coal.tx_usecs, 0);
    nic_json_num(out, "tx_frames", r->coal.tx_frames, 0);
    nic_json_num(out, "adaptive_rx", r->coal.adaptive_rx, 0);
    nic_json_num(out, "adaptive_tx", r->coal.adaptive_tx, 0);
    fputs("}", out);
  }
  if (!nic_json_unread(out, "channels", r->chan.s.err)) {
    fputs(",\n   \"channels\": {\"supported\": true, ", out);
    nic_json_num(out, "rx", r->chan.rx, 1);
    nic_json_num(out, "rx_max", r->chan.rx_max, 0);
    nic_json_num(out, "tx", r->chan.tx, 0);
    nic_json_num(out, "tx_max", r->chan.tx_max, 0);
    nic_json_num(out, "other", r->chan.other, 0);
    nic_json_num(out, "other_max", r->chan.other_max, 0);
    nic_json_num(out, "combined", r->chan.combined, 0);
    nic_json_num(out, "combined_max", r->chan.combined_max, 0);
    fputs("}", out);
  }
  fputs(",\n   \"irqs\": [", out);
  for (i = 0; i < r->n_irqs; i++) {
    fprintf(out, "%s{\"irq\": %u, \"cpus\": ", i ? ", " : "", r->irqs[i].irq);
    json_out_str(out, r->irqs[i].cpus);
    fputs("}", out);
  }
  fputs("]", out);
  nic_json_queues(out, "rps_cpus", r->rxq, r->n_rxq);
  nic_json_queues(out, "xps_cpus", r->txq, r->n_txq);
  fputs(",\n   \"stats\": {", out);
  nic_json_num(out, "rx_packets", r->stats.rx_packets, 1);
  nic_json_num(out, "tx_packets", r->stats.tx_packets, 0);
  nic_json_num(out, "rx_errors", r->stats.rx_errors, 0);
  nic_json_num(out, "tx_errors", r->stats.tx_errors, 0);
  nic_json_num(out, "rx_dropped", r->stats.rx_dropped, 0);
  nic_json_num(out, "tx_dropped", r->stats.tx_dropped, 0);
  nic_json_num(out, "rx_missed_errors", r->stats.rx_missed, 0);
  nic_json_num(out, "rx_fifo_errors", r->stats.rx_fifo, 0);
  nic_json_num(out, "rx_crc_errors", r->stats.rx_crc, 0);
  nic_json_num(out, "rx_over_errors", r->stats.rx_over, 0);
  fputs("}}", out);
}
