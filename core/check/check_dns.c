/*
 * check_dns.c - DNS pre-flight checks: each target's host name resolves
 * (the system resolver, as probes use it), and the reference name
 * resolves through each resolver the profile lists (a query of our own
 * over UDP, built and parsed with libresolv, so that a resolver that is
 * down shows up by name).
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <resolv.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "profile.h"

static int dns_is_literal(const char *h)
{
  unsigned char buf[sizeof(struct in6_addr)];

  return inet_pton(AF_INET, h, buf) == 1 || inet_pton(AF_INET6, h, buf) == 1;
}

static double dns_ms_since(const struct timespec *t0)
{
  struct timespec t1;

  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
         (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void dns_target(const bn_target *t, check_list *out)
{
  struct addrinfo hints, *ai = NULL;
  struct timespec t0;
  char addr[INET6_ADDRSTRLEN] = "?";
  int rc;

  memset(&hints, 0, sizeof(hints));
  hints.ai_flags = AI_ADDRCONFIG;
  hints.ai_socktype = SOCK_DGRAM;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  rc = getaddrinfo(t->host, NULL, &hints, &ai);
  if (rc != 0) {
    check_add(out, "dns", t->name, CHECK_FAIL, NAN, "%s does not resolve: %s",
              t->host, gai_strerror(rc));
    return;
  }
  if (ai->ai_family == AF_INET6)
    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, addr,
              sizeof(addr));
  else
    inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, addr,
              sizeof(addr));
  freeaddrinfo(ai);
  check_add(out, "dns", t->name, CHECK_PASS, dns_ms_since(&t0),
            "%s is %s (%.1f ms)", t->host, addr, dns_ms_since(&t0));
}

/* Ask `server` for the reference name's A record; one result. */
static void dns_resolver(const char *server, const check_settings *s,
                         check_list *out)
{
  unsigned char q[NS_PACKETSZ], a[NS_PACKETSZ];
  struct sockaddr_storage ss;
  struct pollfd pfd;
  struct timespec t0;
  socklen_t len;
  ns_msg msg;
  int n, fd, ms = (int)(s->timeout_ns / 1000000);
  ssize_t got;

  if (check_resolver_addr(server, &ss, &len) != 0) {
    check_add(out, "resolver", server, CHECK_FAIL, NAN,
              "'%s' is not an address", server);
    return;
  }
  n = res_mkquery(ns_o_query, s->reference, ns_c_in, ns_t_a, NULL, 0, NULL, q,
                  sizeof(q));
  fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (n < 0 || fd < 0 || connect(fd, (struct sockaddr *)&ss, len) != 0 ||
      send(fd, q, (size_t)n, 0) != n) {
    check_add(out, "resolver", server, CHECK_FAIL, NAN, "cannot query %s: %m",
              server);
    if (fd >= 0)
      close(fd);
    return;
  }
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pfd.fd = fd;
  pfd.events = POLLIN;
  got = poll(&pfd, 1, ms) == 1 ? recv(fd, a, sizeof(a), 0) : -1;
  close(fd);
  if (got <= 0) {
    check_add(out, "resolver", server, CHECK_FAIL, NAN,
              "no answer for %s within %d ms%s", s->reference, ms,
              got < 0 && pfd.revents & POLLERR ? " (refused)" : "");
    return;
  }
  if (ns_initparse(a, (int)got, &msg) != 0 ||
      memcmp(a, q, 2) != 0) { /* the id must match ours */
    check_add(out, "resolver", server, CHECK_FAIL, NAN,
              "a malformed or foreign answer for %s", s->reference);
    return;
  }
  if (ns_msg_getflag(msg, ns_f_rcode) != ns_r_noerror ||
      ns_msg_count(msg, ns_s_an) == 0)
    check_add(out, "resolver", server, CHECK_WARN, dns_ms_since(&t0),
              "answers, but not for %s (rcode %d, %d answers)", s->reference,
              ns_msg_getflag(msg, ns_f_rcode), ns_msg_count(msg, ns_s_an));
  else
    check_add(out, "resolver", server, CHECK_PASS, dns_ms_since(&t0),
              "%s: %d answer%s in %.1f ms", s->reference,
              ns_msg_count(msg, ns_s_an),
              ns_msg_count(msg, ns_s_an) == 1 ? "" : "s", dns_ms_since(&t0));
}

void check_dns(const profile *p, const check_settings *s, check_list *out)
{
  size_t i;

  for (i = 0; i < p->n_targets && i < s->max_targets; i++)
    if (!dns_is_literal(p->targets[i].host))
      dns_target(&p->targets[i], out);
  for (i = 0; s->resolvers && i < s->resolvers->n_items; i++) {
    const char *r = conf_scalar(s->resolvers->items[i]);

    if (r)
      dns_resolver(r, s, out);
  }
}
