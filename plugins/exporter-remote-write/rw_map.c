/*
 * rw_map.c - samples to remote-write points (rw_map.h).  Units are
 * converted by the prometheus exporter's table (prom_unit_scale), so
 * both exporters agree on names and units.
 */
#include "rw_map.h"

#include "prom_text.h"

int rw_map_sample(const bn_metric *m, const bn_sample *s,
                  rw_mapped out[RW_MAP_MAX])
{
  int lost = (s->flags & (BN_SAMPLE_LOST | BN_SAMPLE_ERROR)) ||
             !bn_measured(s->value);
  double scale = 0;
  const char *name = NULL;

  /* Invalid samples, late and duplicate answers are not probes. */
  if (s->flags & (BN_SAMPLE_INVALID | BN_SAMPLE_LATE | BN_SAMPLE_DUP))
    return 0;
  switch (m->role) {
  case BN_ROLE_LATENCY:
    scale = prom_unit_scale(m->unit, 's');
    if (scale > 0) {
      out[0].name = "bottleneck_probe_success";
      out[0].value = lost ? 0 : 1;
      out[0].role_unit = 0;
      if (lost)
        return 1;
      out[1].name = "bottleneck_latency_last_seconds";
      out[1].value = s->value * scale;
      out[1].role_unit = 0;
      return 2;
    }
    break;
  case BN_ROLE_LOSS:
    scale = prom_unit_scale(m->unit, 'r');
    name = "bottleneck_loss_ratio";
    break;
  case BN_ROLE_JITTER:
    scale = prom_unit_scale(m->unit, 's');
    name = "bottleneck_jitter_seconds";
    break;
  case BN_ROLE_THROUGHPUT:
    scale = prom_unit_scale(m->unit, 'B');
    name = "bottleneck_throughput_bytes_per_second";
    break;
  default:
    break;
  }
  if (lost)
    return 0;
  if (scale > 0 && name) {
    out[0].name = name;
    out[0].value = s->value * scale;
    out[0].role_unit = 0;
    return 1;
  }
  out[0].name = "bottleneck_metric_value";
  out[0].value = s->value;
  out[0].role_unit = 1;
  return 1;
}
