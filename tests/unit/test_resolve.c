/*
 * test_resolve.c - asynchronous name resolution (core/runtime/resolve.c) on a
 * real libuv loop: literals, /etc/hosts, a failing name, cancelling.
 *
 * The failing name ends in .invalid (RFC 6761): it never resolves, and
 * in CI's private network namespace the query fails at once.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "loop.h"
#include "resolve.h"

/* What the callback saw. */
typedef struct result {
  int calls;
  int status;
  int family;
  char addr[INET6_ADDRSTRLEN];
  char error[256];
  int addr_null;
} result;

typedef struct fixture {
  uv_loop_t uv;
  loop_owner owner;
  result res;
} fixture;

static int setup(void **state)
{
  fixture *f = calloc(1, sizeof(*f));

  if (!f || uv_loop_init(&f->uv) != 0) {
    free(f);
    return -1;
  }
  loop_owner_init(&f->owner, &f->uv, "test");
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  fixture *f = *state;
  int rc;

  loop_owner_close_all(&f->owner);
  uv_run(&f->uv, UV_RUN_DEFAULT);
  /* Fails when a request was never completed (and so never freed). */
  rc = uv_loop_close(&f->uv);
  free(f);
  return rc == 0 ? 0 : -1;
}

static void on_resolved(int status, const struct sockaddr *addr,
                        size_t addrlen, const char *error, void *arg)
{
  result *r = arg;

  r->calls++;
  r->status = status;
  r->addr_null = addr == NULL;
  r->family = addr ? addr->sa_family : AF_UNSPEC;
  if (addr && addr->sa_family == AF_INET &&
      addrlen == sizeof(struct sockaddr_in))
    inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, r->addr,
              sizeof(r->addr));
  else if (addr && addr->sa_family == AF_INET6 &&
           addrlen == sizeof(struct sockaddr_in6))
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr,
              r->addr, sizeof(r->addr));
  snprintf(r->error, sizeof(r->error), "%s", error ? error : "");
}

/* Resolve, check the callback waits for the loop, run the loop. */
static void resolve_and_run(fixture *f, const char *host, int family)
{
  bn_resolve *r = resolve_start(&f->owner, host, family, SOCK_STREAM,
                                on_resolved, &f->res);

  assert_non_null(r);
  assert_ptr_equal(f->owner.resolves, r);
  assert_int_equal(f->res.calls, 0);
  uv_run(&f->uv, UV_RUN_DEFAULT);
  assert_int_equal(f->res.calls, 1);
  assert_null(f->owner.resolves);
}

static void test_literal_v4(void **state)
{
  fixture *f = *state;

  resolve_and_run(f, "127.0.0.1", AF_UNSPEC);
  assert_int_equal(f->res.status, 0);
  assert_int_equal(f->res.family, AF_INET);
  assert_string_equal(f->res.addr, "127.0.0.1");
  assert_string_equal(f->res.error, "");
}

static void test_literal_v6(void **state)
{
  fixture *f = *state;

  resolve_and_run(f, "::1", AF_UNSPEC);
  assert_int_equal(f->res.status, 0);
  assert_int_equal(f->res.family, AF_INET6);
  assert_string_equal(f->res.addr, "::1");
}

/* A literal of another family than asked fails, without any lookup. */
static void test_literal_wrong_family(void **state)
{
  fixture *f = *state;

  resolve_and_run(f, "::1", AF_INET);
  assert_int_equal(f->res.status, BN_ENOENT);
  assert_true(f->res.addr_null);
  assert_true(strlen(f->res.error) > 0);
}

/* "localhost" comes from /etc/hosts: one of the loopback addresses. */
static void test_localhost(void **state)
{
  fixture *f = *state;

  resolve_and_run(f, "localhost", AF_UNSPEC);
  assert_int_equal(f->res.status, 0);
  if (f->res.family == AF_INET)
    assert_string_equal(f->res.addr, "127.0.0.1");
  else
    assert_string_equal(f->res.addr, "::1");
}

/* A literal of the family asked for. */
static void test_literal_family(void **state)
{
  fixture *f = *state;

  resolve_and_run(f, "127.0.0.1", AF_INET);
  assert_int_equal(f->res.status, 0);
  assert_int_equal(f->res.family, AF_INET);
  assert_string_equal(f->res.addr, "127.0.0.1");
}

static void test_failure(void **state)
{
  fixture *f = *state;

  resolve_and_run(f, "nosuch.bottleneck.invalid", AF_UNSPEC);
  assert_int_equal(f->res.status, BN_ENOENT);
  assert_true(f->res.addr_null);
  assert_string_equal(f->res.addr, "");
  assert_true(strlen(f->res.error) > 0);
}

/* Cancelled before the loop ran: the callback never comes, and the
 * request is still freed (teardown's uv_loop_close, valgrind). */
static void test_cancel(void **state)
{
  fixture *f = *state;
  bn_resolve *a, *b;

  a = resolve_start(&f->owner, "localhost", AF_UNSPEC, SOCK_STREAM,
                    on_resolved, &f->res);
  b = resolve_start(&f->owner, "127.0.0.1", AF_UNSPEC, SOCK_STREAM,
                    on_resolved, &f->res);
  assert_non_null(a);
  assert_non_null(b);
  resolve_cancel(a);
  resolve_cancel(b);
  resolve_cancel(NULL);
  assert_null(f->owner.resolves);
  uv_run(&f->uv, UV_RUN_DEFAULT);
  assert_int_equal(f->res.calls, 0);
}

/* An instance's end: loop_owner_close_all cancels what is in flight. */
static void test_close_all(void **state)
{
  fixture *f = *state;

  assert_non_null(resolve_start(&f->owner, "localhost", AF_UNSPEC, SOCK_STREAM,
                                on_resolved, &f->res));
  assert_non_null(resolve_start(&f->owner, "nosuch.bottleneck.invalid",
                                AF_UNSPEC, SOCK_STREAM, on_resolved, &f->res));
  assert_int_equal(loop_owner_close_all(&f->owner), 2);
  assert_null(f->owner.resolves);
  uv_run(&f->uv, UV_RUN_DEFAULT);
  assert_int_equal(f->res.calls, 0);
}

/* Cancel one of two: only the other one completes. */
static void test_cancel_one(void **state)
{
  fixture *f = *state;
  result other;
  bn_resolve *a;

  memset(&other, 0, sizeof(other));
  a = resolve_start(&f->owner, "127.0.0.1", AF_UNSPEC, SOCK_STREAM,
                    on_resolved, &f->res);
  assert_non_null(resolve_start(&f->owner, "::1", AF_UNSPEC, SOCK_STREAM,
                                on_resolved, &other));
  resolve_cancel(a);
  uv_run(&f->uv, UV_RUN_DEFAULT);
  assert_int_equal(f->res.calls, 0);
  assert_int_equal(other.calls, 1);
  assert_string_equal(other.addr, "::1");
  assert_null(f->owner.resolves);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_literal_v4, setup, teardown),
      cmocka_unit_test_setup_teardown(test_literal_v6, setup, teardown),
      cmocka_unit_test_setup_teardown(test_literal_wrong_family, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_localhost, setup, teardown),
      cmocka_unit_test_setup_teardown(test_literal_family, setup, teardown),
      cmocka_unit_test_setup_teardown(test_failure, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
      cmocka_unit_test_setup_teardown(test_close_all, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cancel_one, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
