# mk/speed-iperf3.mk - the `iperf3` speed test provider (libiperf in a
# child process) and its end-to-end test against a real iperf3 server;
# both are left out when libiperf is missing.

if BUILD_SPEED_IPERF3
pkglib_LTLIBRARIES += plugins/speed-iperf3/speed_iperf3.la
plugins_speed_iperf3_speed_iperf3_la_SOURCES = plugins/speed-iperf3/iperf3.c \
	plugins/speed-iperf3/iperf3_json.c plugins/speed-iperf3/iperf3_json.h
plugins_speed_iperf3_speed_iperf3_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) \
	$(PLUGIN_COMMON_CFLAGS)
plugins_speed_iperf3_speed_iperf3_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_speed_iperf3_speed_iperf3_la_LIBADD = $(IPERF_LIBS) $(JSONC_LIBS) \
	$(PLUGIN_COMMON_LIBS)

TESTS += tests/integration/speedtest_iperf3.sh
endif
EXTRA_DIST += tests/integration/speedtest_iperf3.sh
