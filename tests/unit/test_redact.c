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
#include <string.h>

#include <cmocka.h>

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

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nothing_survives),
      cmocka_unit_test(test_target_name_inside_host_name),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
