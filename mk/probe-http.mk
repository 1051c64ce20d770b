# mk/probe-http.mk - the `http` probe (libcurl multi on the core loop),
# its unit test against a loopback server the test runs itself, and the
# end-to-end test against a real nginx (tests/integration/nginx.sh).

if BUILD_PROBE_HTTP
HTTP_PROBE_SOURCES = plugins/probe-http/http.h \
	plugins/probe-http/http_options.c plugins/probe-http/http_request.c \
	plugins/probe-http/http_plugin.c

pkglib_LTLIBRARIES += plugins/probe-http/probe_http.la
plugins_probe_http_probe_http_la_SOURCES = $(HTTP_PROBE_SOURCES)
plugins_probe_http_probe_http_la_CFLAGS = $(AM_CFLAGS) $(CURL_COMMON_CFLAGS)
plugins_probe_http_probe_http_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_probe_http_probe_http_la_LIBADD = $(CURL_COMMON_LIBS) -lm

check_PROGRAMS += tests/unit/test_probe_http
TESTS += tests/unit/test_probe_http tests/integration/probe_http.sh
tests_unit_test_probe_http_SOURCES = tests/unit/test_probe_http.c \
	$(HTTP_PROBE_SOURCES) $(MOCK_HOST_SOURCES)
tests_unit_test_probe_http_CFLAGS = $(TEST_CFLAGS) $(CURL_COMMON_CFLAGS) \
	-pthread
tests_unit_test_probe_http_LDADD = $(CURL_COMMON_LIBS) $(TEST_LIBS) -lpthread
endif

EXTRA_DIST += tests/integration/probe_http.sh tests/integration/nginx.sh \
	docs/probe-http.md
