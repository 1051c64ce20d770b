# mk/probe-dns.mk - the `dns` probe (c-ares), its unit test against a
# responder the test runs itself, and its end-to-end test against a real
# dnsmasq on loopback.

DNS_PLUGIN_SOURCES = plugins/probe-dns/dns.c plugins/probe-dns/dns.h \
	plugins/probe-dns/dns_config.c plugins/probe-dns/dns_names.c \
	plugins/probe-dns/dns_loop.c plugins/probe-dns/dns_query.c \
	plugins/probe-dns/dns_reply.c plugins/probe-dns/dns_reply.h

EXTRA_DIST += docs/probe-dns.md tests/integration/dnsmasq.sh

if BUILD_PROBE_DNS
pkglib_LTLIBRARIES += plugins/probe-dns/probe_dns.la
plugins_probe_dns_probe_dns_la_SOURCES = $(DNS_PLUGIN_SOURCES)
plugins_probe_dns_probe_dns_la_CFLAGS = $(AM_CFLAGS) $(CARES_CFLAGS)
plugins_probe_dns_probe_dns_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_probe_dns_probe_dns_la_LIBADD = $(CARES_LIBS)

check_PROGRAMS += tests/unit/test_probe_dns
TESTS += tests/unit/test_probe_dns
tests_unit_test_probe_dns_SOURCES = tests/unit/test_probe_dns.c \
	$(DNS_PLUGIN_SOURCES) $(MOCK_HOST_SOURCES)
tests_unit_test_probe_dns_CFLAGS = $(TEST_CFLAGS) $(CARES_CFLAGS) -pthread
tests_unit_test_probe_dns_LDADD = $(CARES_LIBS) $(TEST_LIBS) -lpthread

TESTS += tests/integration/probe_dns.sh
endif

# The reply parser alone (no c-ares needed).
check_PROGRAMS += tests/unit/test_dns_reply
TESTS += tests/unit/test_dns_reply
tests_unit_test_dns_reply_SOURCES = tests/unit/test_dns_reply.c \
	plugins/probe-dns/dns_reply.c plugins/probe-dns/dns_reply.h
tests_unit_test_dns_reply_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/plugins/probe-dns
tests_unit_test_dns_reply_LDADD = $(TEST_LIBS)
EXTRA_DIST += tests/integration/probe_dns.sh
