# mk/speed-http.mk - the `http` speed test provider (any download and
# upload URL, the engine in speed-common).

if BUILD_SPEED_HTTP
pkglib_LTLIBRARIES += plugins/speed-http/speed_http.la
plugins_speed_http_speed_http_la_SOURCES = plugins/speed-http/http_speed.c
plugins_speed_http_speed_http_la_CFLAGS = $(AM_CFLAGS) $(SPEED_COMMON_CFLAGS)
plugins_speed_http_speed_http_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_speed_http_speed_http_la_LIBADD = $(SPEED_COMMON_LIBS)

TESTS += tests/integration/speedtest_latency.sh
endif
EXTRA_DIST += tests/integration/speedtest_latency.sh
