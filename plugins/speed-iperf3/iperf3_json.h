/*
 * iperf3_json.h - the figures Bottleneck takes from iperf3's JSON
 * results (iperf_get_test_json_output_string).
 */
#ifndef BN_IPERF3_JSON_H
#define BN_IPERF3_JSON_H

#include <stddef.h>
#include <stdint.h>

typedef struct iperf3_figures {
  double bps;       /* goodput at the receiver, bits/s */
  uint64_t bytes;   /* payload bytes received */
  double seconds;   /* duration of the test */
  double loss_pct;  /* UDP: lost datagrams, %; else NaN */
  double jitter_ms; /* UDP: receiver's jitter; else NaN */
} iperf3_figures;

/**
 * Parse iperf3's JSON result.  `udp` selects the UDP summary.  Returns
 * 0, or -1 with the reason in err (iperf's own "error" text when the
 * test failed, or what is missing).
 */
int iperf3_parse(const char *json, int udp, iperf3_figures *out, char *err,
                 size_t errlen);

#endif
