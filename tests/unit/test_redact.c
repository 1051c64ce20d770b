/*
 * test_redact.c - report_redact() on a model that holds an identity in
 * every kind of free-text field the report has (target names, host
 * names, speed test servers and error texts, check messages, alert
 * messages, hop addresses, notes): none of them survives, they are
 * replaced as whole tokens (no "target-1.corp.example"), the same
 * identity gets the same pseudonym everywhere, and ordinary words,
 * numbers and file names stay.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "redactor.h"
#include "report_model.h"

static const char model_text[] =
    "{\"meta\": {\"host\": \"monitor.lan.example\", \"profile\": \"office\"},"
    " \"summary\": {\"targets\": ["
    "  {\"target\": \"intranet\", \"host\": \"intranet.corp.example\"},"
    "  {\"target\": \"web\", \"host\": \"192.0.2.10\"},"
    "  {\"target\": \"my router\", \"host\": \"192.0.2.1\"}]},"
    " \"speedtests\": {\"items\": ["
    "  {\"server\": \"http://speed.example.net:8080/\", \"error\":"
    "   \"cannot reach speed.private-mirror.example: connection refused\"},"
    "  {\"server\": \"\", \"error\": \"server "
    "http://mirror2.example.org/garbage.php timed out after 10.5 s\"},"
    "  {\"error\": \"https://user@198.51.100.7:8443/x refused\"}]},"
    " \"checks\": {\"items\": [{\"message\": \"gateway 192.0.2.1 answers; DNS "
    "server 2001:db8::53 resolved intranet.corp.example in 3 ms\"},"
    "  {\"message\": \"resolver dns.corp.example:53 is slow; see "
    "history.db\"}]},"
    " \"paths\": {\"targets\": [{\"target\": \"intranet\", \"latest\": "
    "{\"paths\": [{\"hops\": [{\"addr\": \"10.0.0.1\"}, {\"addr\": "
    "\"core-router.isp.example\"}]}]}, \"changes\": [{\"old_addr\": "
    "\"10.0.0.1\", \"new_addr\": \"10.0.0.2\"}]}]},"
    " \"alerts\": {\"items\": [{\"target\": \"intranet\", \"message\": "
    "\"intranet: latency to intranet.corp.example (192.0.2.10) rose; "
    "[2001:db8::1]:443 and fe80::1%eth0 too; my router is slow\"}]},"
    " \"note\": \"web is up, web-2 is not a target; version 1.2.3, 0.5 ms\"}";

static const char *const secrets[] = {"intranet",       "corp.example",
                                      "monitor.lan",    "speed.example.net",
                                      "private-mirror", "mirror2",
                                      "198.51.100.7",   "192.0.2",
                                      "2001:db8",       "10.0.0.",
                                      "core-router",    "isp.example",
                                      "fe80",           "my router",
                                      "\"web\"",        "web is",
                                      "dns.corp",       NULL};

static void test_nothing_survives(void **state)
{
  json_object *m = json_tokener_parse(model_text);
  const char *out;
  size_t i;

  (void)state;
  assert_non_null(m);
  report_redact(m);
  out = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN |
                                              JSON_C_TO_STRING_NOSLASHESCAPE);
  for (i = 0; secrets[i]; i++)
    if (strstr(out, secrets[i]))
      fail_msg("'%s' survives: %s", secrets[i], out);
  /* never a pseudonym glued to the rest of a name */
  assert_null(strstr(out, "target-1."));
  assert_null(strstr(out, "target-2."));
  /* whole tokens, the same pseudonym for the same identity */
  assert_non_null(strstr(out, "\"host\":\"host-1\""));        /* meta */
  assert_non_null(strstr(out, "\"host\":\"host-2\""));        /* intranet */
  assert_non_null(strstr(out, "resolved host-2 in 3 ms"));    /* check */
  assert_non_null(strstr(out, "latency to host-2 (host-3)")); /* alert */
  assert_non_null(strstr(out, "target-1: latency"));
  assert_non_null(strstr(out, "target-3 is slow"));
  assert_non_null(strstr(out, "target-2 is up"));
  assert_non_null(strstr(out, "http://host-"));
  assert_non_null(strstr(out, "/garbage.php timed out after 10.5 s"));
  assert_non_null(strstr(out, "https://user@ip-"));
  assert_non_null(strstr(out, "]:443 and ip-"));
  /* words, numbers, versions and file names stay */
  assert_non_null(strstr(out, "web-2 is not a target; version 1.2.3, 0.5 ms"));
  assert_non_null(strstr(out, "see history.db"));
  assert_non_null(strstr(out, "connection refused"));
  json_object_put(m);
}

/* The old substring pass turned this into "target-1.corp.example". */
static void test_target_name_inside_host_name(void **state)
{
  json_object *m = json_tokener_parse(
      "{\"meta\": {}, \"targets\": [{\"target\": \"intranet\"}],"
      " \"note\": \"intranet.corp.example and intranet\"}");
  const char *note;

  (void)state;
  assert_non_null(m);
  report_redact(m);
  note = json_object_get_string(json_object_object_get(m, "note"));
  assert_string_equal(note, "host-1 and target-1");
  json_object_put(m);
}

/* The sinks' redactor: the same pseudonym for the same input, numbered
 * by kind in the order first seen, across 10,000 names (the index). */
static void test_redactor_names(void **state)
{
  redactor *r = redactor_new();
  char name[32], want[32];
  int i;

  (void)state;
  assert_non_null(r);
  assert_string_equal(redactor_name(r, REDACT_TARGET, "edge"), "target-1");
  assert_string_equal(redactor_name(r, REDACT_IP, "192.0.2.7"), "ip-1");
  /* a name in an address field is a host */
  assert_string_equal(redactor_name(r, REDACT_IP, "gw.corp.example"),
                      "host-1");
  assert_string_equal(
      redactor_name(r, REDACT_SERVER, "https://speed.example.net:8080/x"),
      "server-1");
  assert_null(redactor_name(r, REDACT_TARGET, NULL));
  assert_string_equal(redactor_name(r, REDACT_TARGET, ""), "");
  for (i = 0; i < 10000; i++) {
    snprintf(name, sizeof(name), "t%d", i);
    snprintf(want, sizeof(want), "target-%d", i + 2);
    assert_string_equal(redactor_name(r, REDACT_TARGET, name), want);
  }
  for (i = 9999; i >= 0; i -= 997) {
    snprintf(name, sizeof(name), "t%d", i);
    snprintf(want, sizeof(want), "target-%d", i + 2);
    assert_string_equal(redactor_name(r, REDACT_TARGET, name), want);
  }
  assert_string_equal(redactor_name(r, REDACT_TARGET, "edge"), "target-1");
  redactor_free(r);
}

/* Free text: known names as words, the server's host, any address. */
static void test_redactor_text(void **state)
{
  redactor *r = redactor_new();
  char *t;

  (void)state;
  redactor_name(r, REDACT_TARGET, "edge");
  redactor_name(r, REDACT_SERVER, "https://speed.example.net:8080/x");
  t = redactor_text(r, "edge unreachable via 2001:db8::1 and 10.1.2.3; "
                       "speed.example.net:8080 timed out, edgeless kept");
  assert_non_null(t);
  assert_string_equal(t, "target-1 unreachable via ip-1 and ip-2; "
                         "host-1:8080 timed out, edgeless kept");
  free(t);
  /* the same address later gets the same pseudonym */
  t = redactor_text(r, "10.1.2.3 again");
  assert_string_equal(t, "ip-2 again");
  free(t);
  assert_null(redactor_text(r, NULL));
  redactor_free(r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nothing_survives),
      cmocka_unit_test(test_target_name_inside_host_name),
      cmocka_unit_test(test_redactor_names),
      cmocka_unit_test(test_redactor_text),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
