# mk/speed-cloudflare.mk - the `cloudflare` speed test provider
# (Cloudflare-style __down/__up endpoints, the engine in speed-common),
# and the failover test that runs it with the `http` provider.

if BUILD_SPEED_CLOUDFLARE
pkglib_LTLIBRARIES += plugins/speed-cloudflare/speed_cloudflare.la
plugins_speed_cloudflare_speed_cloudflare_la_SOURCES = \
	plugins/speed-cloudflare/cloudflare.c
plugins_speed_cloudflare_speed_cloudflare_la_CFLAGS = $(AM_CFLAGS) \
	$(SPEED_COMMON_CFLAGS)
plugins_speed_cloudflare_speed_cloudflare_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_speed_cloudflare_speed_cloudflare_la_LIBADD = $(SPEED_COMMON_LIBS)

TESTS += tests/integration/speedtest_failover.sh
endif
EXTRA_DIST += tests/integration/speedtest_failover.sh
