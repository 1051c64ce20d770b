/*
 * plugin_common.h - helpers the shipped plugins share, built once as the
 * convenience library plugins/common/libbnplugin.la and linked into each
 * plugin that uses them.  They reach the host only through bn_host_api,
 * like the plugins themselves.
 *
 *   resolve_retry.c  a target's address: literal at once, names through
 *                    the host's resolver, retried when due, a failure
 *                    warned about once per target
 *   stats.c          median and jitter of a small sample set
 */
#ifndef BN_PLUGIN_COMMON_H
#define BN_PLUGIN_COMMON_H

#include <bottleneck/sdk.h>

#include <netinet/in.h>
#include <sys/socket.h>

/** Called once an address is known; `waiting`: something fell due. */
typedef void (*plug_addr_ready_fn)(void *arg, int waiting);
/**
 * Called after each failed resolution; `waiting`: a probe fell due
 * meanwhile, which the plugin stores as a failed probe (LOST | ERROR) so
 * that the target stays in the reports.
 */
typedef void (*plug_addr_failed_fn)(void *arg, int waiting);

/**
 * The address of one target.  Literals are known at once; a name is
 * resolved by the host, again each time the plugin needs the address
 * while it fails.  The first failure is a warning ("cannot resolve ...;
 * retrying every interval") and a "resolve" event (warning, stored, so
 * that reports say why the target has no answers), the next ones are
 * debug lines, and the success after a failure is an info line.
 */
typedef struct plug_addr {
  bn_host *h;
  const bn_target *t;
  int socktype;               /* for the resolver: SOCK_STREAM, SOCK_RAW */
  int port;                   /* written into the address when > 0 */
  int resolved;               /* ss/len hold the address */
  struct sockaddr_storage ss; /* the address */
  socklen_t len;              /* its length */
  bn_resolve *resolving;      /* resolution in flight, or NULL */
  int waiting;                /* plug_addr_need() was called meanwhile */
  int warned;                 /* the failure was warned about */
  plug_addr_ready_fn ready;   /* called after a resolution succeeded */
  plug_addr_failed_fn failed; /* called after one failed, or NULL */
  void *arg;                  /* for ready and failed */
} plug_addr;

/**
 * Set up `a` for target `t`: parses an address literal at once (then
 * a->resolved is 1), else leaves the name for plug_addr_start().
 */
void plug_addr_init(plug_addr *a, bn_host *h, const bn_target *t, int socktype,
                    int port, plug_addr_ready_fn ready, void *arg);
/** Have `fn` (with the arg given to plug_addr_init) told of failures. */
void plug_addr_on_failure(plug_addr *a, plug_addr_failed_fn fn);
/** Start resolving unless the address is known or a lookup runs. */
void plug_addr_start(plug_addr *a);
/**
 * Non-zero when the address is known; otherwise remembers that the
 * caller waits (ready() gets waiting=1) and starts a resolution.
 */
int plug_addr_need(plug_addr *a);
/** Cancel a resolution in flight and forget the waiting caller. */
void plug_addr_cancel(plug_addr *a);

/**
 * Median of v[0..n-1] (sorts v in place), or BN_NOT_MEASURED when n
 * is 0.
 */
double plug_median(double *v, size_t n);
/**
 * Jitter: mean absolute difference of consecutive values (RFC 3550
 * style, unsmoothed), or BN_NOT_MEASURED with fewer than two values.
 */
double plug_jitter(const double *v, size_t n);

#endif
