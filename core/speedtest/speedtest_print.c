/*
 * speedtest_print.c - text and JSON renderings of a speed test outcome.
 * Figures a provider did not measure (negative) are left out of the
 * text and are null in JSON.
 */
#include "config.h"

#include <stdio.h>

#include "json_out.h"
#include "speedtest_print.h"

static const char *status_name(int status)
{
  switch (status) {
  case BN_OK:
    return "ok";
  case BN_ETIMEDOUT:
    return "timeout";
  case BN_ENOTSUP:
    return "not supported";
  case BN_EIO:
    return "i/o error";
  case BN_EINVAL:
    return "invalid";
  default:
    return "error";
  }
}

static void text_rate(FILE *out, const char *what, double bps, uint64_t bytes,
                      int64_t ns)
{
  if (!bn_measured(bps) || bps < 0)
    return;
  fprintf(out, "  %-13s %10.2f Mbit/s", what, bps / 1e6);
  if (ns > 0)
    fprintf(out, "  (%.1f MB in %.1f s)", (double)bytes / 1e6,
            (double)ns / 1e9);
  fputc('\n', out);
}

static void text_ms(FILE *out, const char *what, double ms)
{
  if (ms >= 0)
    fprintf(out, "  %-13s %10.2f ms\n", what, ms);
}

static void text_attempts(const speedtest_outcome *o, FILE *out)
{
  size_t i;

  fprintf(out, "  attempts      %zu\n", o->n_attempts);
  for (i = 0; i < o->n_attempts; i++) {
    const speedtest_attempt *a = &o->attempts[i];

    fprintf(out, "    #%d %-12s %-7s %6.2f s", a->attempt, a->provider,
            status_name(a->status), (double)a->duration_ns / 1e9);
    if (a->server[0])
      fprintf(out, "  %s", a->server);
    if (a->status)
      fprintf(out, "  %s", a->error);
    fputc('\n', out);
  }
}

void speedtest_print_text(const speedtest_outcome *o, FILE *out)
{
  const bn_speedtest_result *r = &o->result;

  if (o->status != 0) {
    fprintf(out, "speedtest: every attempt failed; last error: %s\n",
            o->error[0] ? o->error : "unknown");
    text_attempts(o, out);
    return;
  }
  fprintf(out, "speedtest: %s", o->provider);
  if (r->server)
    fprintf(out, " via %s", r->server);
  if (r->streams > 0)
    fprintf(out, ", %d stream%s", r->streams, r->streams == 1 ? "" : "s");
  fputc('\n', out);
  text_rate(out, "download", r->download_bps, r->bytes_down, r->down_ns);
  text_rate(out, "upload", r->upload_bps, r->bytes_up, r->up_ns);
  text_ms(out, "idle latency", r->latency_ms);
  text_ms(out, "idle jitter", r->jitter_ms);
  text_ms(out, "loaded down", r->loaded_down_ms);
  text_ms(out, "loaded up", r->loaded_up_ms);
  if (r->loss_pct >= 0)
    fprintf(out, "  %-13s %10.2f %%\n", "loss", r->loss_pct);
  text_ms(out, "udp jitter", r->udp_jitter_ms);
  if (o->grade)
    fprintf(out, "  %-13s %10s\n", "bufferbloat", o->grade);
  text_attempts(o, out);
}

static void json_num(FILE *out, const char *key, double v, int last)
{
  fprintf(out, "  \"%s\": ", key);
  if (!bn_measured(v) || v < 0)
    fputs("null", out);
  else
    fprintf(out, "%.6g", v);
  fputs(last ? "\n" : ",\n", out);
}

static void json_attempts(const speedtest_outcome *o, FILE *out)
{
  size_t i;

  fputs("  \"attempts\": [", out);
  for (i = 0; i < o->n_attempts; i++) {
    const speedtest_attempt *a = &o->attempts[i];

    fprintf(out, "%s\n    {\"attempt\": %d, \"provider\": ", i ? "," : "",
            a->attempt);
    json_out_str(out, a->provider);
    fputs(", \"server\": ", out);
    json_out_str(out, a->server[0] ? a->server : NULL);
    fprintf(out, ", \"status\": \"%s\", \"duration_s\": %.3f, \"error\": ",
            status_name(a->status), (double)a->duration_ns / 1e9);
    json_out_str(out, a->status ? a->error : NULL);
    fputc('}', out);
  }
  fputs(o->n_attempts ? "\n  ]\n" : "]\n", out);
}

void speedtest_print_json(const speedtest_outcome *o, int64_t run_id,
                          FILE *out)
{
  const bn_speedtest_result *r = &o->result;
  int ok = o->status == 0;

  fprintf(out, "{\n  \"run\": %lld,\n  \"status\": \"%s\",\n",
          (long long)run_id, ok ? "ok" : "failed");
  fputs("  \"error\": ", out);
  json_out_str(out, ok ? NULL : o->error);
  fputs(",\n  \"provider\": ", out);
  json_out_str(out, ok ? o->provider : NULL);
  fputs(",\n  \"server\": ", out);
  json_out_str(out, ok ? r->server : NULL);
  fprintf(out, ",\n  \"streams\": %d,\n", ok ? r->streams : 0);
  json_num(out, "download_bps", ok ? r->download_bps : -1, 0);
  json_num(out, "upload_bps", ok ? r->upload_bps : -1, 0);
  fprintf(out, "  \"bytes_down\": %llu,\n  \"bytes_up\": %llu,\n",
          ok ? (unsigned long long)r->bytes_down : 0ULL,
          ok ? (unsigned long long)r->bytes_up : 0ULL);
  json_num(out, "download_s", ok && r->down_ns > 0 ? r->down_ns / 1e9 : -1, 0);
  json_num(out, "upload_s", ok && r->up_ns > 0 ? r->up_ns / 1e9 : -1, 0);
  json_num(out, "latency_ms", ok ? r->latency_ms : -1, 0);
  json_num(out, "jitter_ms", ok ? r->jitter_ms : -1, 0);
  json_num(out, "loaded_down_ms", ok ? r->loaded_down_ms : -1, 0);
  json_num(out, "loaded_up_ms", ok ? r->loaded_up_ms : -1, 0);
  json_num(out, "loss_pct", ok ? r->loss_pct : -1, 0);
  json_num(out, "udp_jitter_ms", ok ? r->udp_jitter_ms : -1, 0);
  fputs("  \"bufferbloat\": ", out);
  json_out_str(out, ok ? o->grade : NULL);
  fputs(",\n", out);
  json_attempts(o, out);
  fputs("}\n", out);
}
