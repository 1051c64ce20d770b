/*
 * test_dns_reply.c - the strict DNS reply parser: a good reply with a
 * compressed answer parses; an answer count of 65535 with no records, a
 * compression-pointer loop (to itself and between two names), a pointer
 * forwards, a label past the end, a cut record and a name over 255
 * bytes are errors.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns_reply.h"

/* id 0x1234, QR|RD|RA, NOERROR, 1 question, 1 answer:
 * example.com A IN -> c00c A IN ttl 60 rdlen 4 192.0.2.1 */
static const unsigned char good[] = {
    0x12, 0x34, 0x81, 0x80, 0,   1, 0,   1,   0,   0, 0, 0,   7, 'e', 'x',
    'a',  'm',  'p',  'l',  'e', 3, 'c', 'o', 'm', 0, 0, 1,   0, 1,   0xc0,
    0x0c, 0,    1,    0,    1,   0, 0,   0,   60,  0, 4, 192, 0, 2,   1};

static int parse(const unsigned char *b, size_t len, dns_reply *r, char *why)
{
  return dns_reply_parse(b, len, r, why, 160);
}

static void test_good(void **state)
{
  dns_reply r;
  char why[160];

  (void)state;
  assert_int_equal(parse(good, sizeof(good), &r, why), 0);
  assert_int_equal(r.rcode, 0);
  assert_int_equal(r.answers, 1);
}

static void test_count_65535(void **state)
{
  unsigned char b[sizeof(good)];
  dns_reply r;
  char why[160];

  (void)state;
  memcpy(b, good, sizeof(b));
  b[6] = 0xff;
  b[7] = 0xff;
  assert_int_equal(parse(b, sizeof(b), &r, why), -1);
  assert_string_equal(why,
                      "answer count 65535 but the reply ends after 1 records");
  /* only the header */
  assert_int_equal(parse(b, 12, &r, why), -1);
}

static void test_pointer_loop(void **state)
{
  /* the answer's name is a pointer to itself */
  unsigned char b[sizeof(good)];
  /* a question name that points at itself */
  static const unsigned char self[] = {0, 1, 0x81, 0x80, 0,    1, 0, 0, 0,
                                       0, 0, 0,    0xc0, 0x0c, 0, 1, 0, 1};
  /* two labels pointing at each other: 12 -> 16 -> 12 */
  static const unsigned char pair[] = {0, 1,   0x81, 0x80, 0, 1,   0,    0,
                                       0, 0,   0,    0,    1, 'a', 0xc0, 0x10,
                                       1, 'b', 0xc0, 0x0c, 0, 1,   0,    1};
  dns_reply r;
  char why[160];

  (void)state;
  memcpy(b, good, sizeof(b));
  b[29] = 0xc0;
  b[30] = 29; /* the pointer at 29 points to 29 */
  assert_int_equal(parse(b, sizeof(b), &r, why), -1);
  assert_non_null(strstr(why, "compression pointer loop"));
  assert_int_equal(parse(self, sizeof(self), &r, why), -1);
  assert_non_null(strstr(why, "compression pointer loop"));
  assert_int_equal(parse(pair, sizeof(pair), &r, why), -1);
  assert_non_null(strstr(why, "compression pointer loop"));
}

static void test_cut_and_bad(void **state)
{
  unsigned char b[300];
  dns_reply r;
  char why[160];
  size_t i;

  (void)state;
  /* every cut of the good reply is an error */
  for (i = 12; i < sizeof(good); i++)
    assert_int_equal(parse(good, i, &r, why), -1);
  /* a query, not a reply */
  memcpy(b, good, sizeof(good));
  b[2] = 0x01;
  assert_int_equal(parse(b, sizeof(good), &r, why), -1);
  /* a reserved label type */
  memcpy(b, good, sizeof(good));
  b[12] = 0x47;
  assert_int_equal(parse(b, sizeof(good), &r, why), -1);
  /* a name of 5 labels of 63: longer than 255 */
  memset(b, 0, sizeof(b));
  b[2] = 0x81;
  b[5] = 1;
  for (i = 0; i < 5; i++)
    b[12 + i * 64] = 63;
  assert_int_equal(
      parse(b, 12 + 5 * 64 + 1 > sizeof(b) ? sizeof(b) : 300, &r, why), -1);
  assert_int_equal(parse(b, 11, &r, why), -1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_good),
      cmocka_unit_test(test_count_65535),
      cmocka_unit_test(test_pointer_loop),
      cmocka_unit_test(test_cut_and_bad),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
