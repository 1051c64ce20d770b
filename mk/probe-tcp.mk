# mk/probe-tcp.mk - the `tcp` probe (TCP connect latency) and its unit
# test against the mock host.

if BUILD_PROBE_TCP
pkglib_LTLIBRARIES += plugins/probe-tcp/probe_tcp.la
plugins_probe_tcp_probe_tcp_la_SOURCES = plugins/probe-tcp/tcp.c
plugins_probe_tcp_probe_tcp_la_CFLAGS = $(AM_CFLAGS) $(PLUGIN_COMMON_CFLAGS)
plugins_probe_tcp_probe_tcp_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_probe_tcp_probe_tcp_la_LIBADD = $(PLUGIN_COMMON_LIBS)

check_PROGRAMS += tests/unit/test_probe_tcp
TESTS += tests/unit/test_probe_tcp
tests_unit_test_probe_tcp_SOURCES = tests/unit/test_probe_tcp.c \
	plugins/probe-tcp/tcp.c $(MOCK_HOST_SOURCES)
tests_unit_test_probe_tcp_CFLAGS = $(PLUGIN_TEST_CFLAGS) \
	$(PLUGIN_COMMON_CFLAGS)
tests_unit_test_probe_tcp_LDADD = $(PLUGIN_COMMON_LIBS) $(TEST_LIBS)
endif
