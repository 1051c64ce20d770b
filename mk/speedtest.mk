# mk/speedtest.mk - the HTTP-based speed test providers (cloudflare,
# http, librespeed).  Each plugin compiles the small shared engine in
# plugins/speed-common/ into itself: plugins share no host symbols.

SPEED_COMMON_SOURCES = plugins/curl-common/curl_loop.c \
	plugins/curl-common/curl_loop.h plugins/speed-common/speed_engine.c \
	plugins/speed-common/speed_engine.h plugins/speed-common/speed_provider.c \
	plugins/speed-common/speed_provider.h
SPEED_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) -I$(srcdir)/plugins/speed-common \
	-I$(srcdir)/plugins/curl-common

if BUILD_SPEED_CLOUDFLARE
pkglib_LTLIBRARIES += plugins/speed-cloudflare/speed_cloudflare.la
plugins_speed_cloudflare_speed_cloudflare_la_SOURCES = \
	plugins/speed-cloudflare/cloudflare.c $(SPEED_COMMON_SOURCES)
plugins_speed_cloudflare_speed_cloudflare_la_CFLAGS = $(SPEED_CFLAGS)
plugins_speed_cloudflare_speed_cloudflare_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_speed_cloudflare_speed_cloudflare_la_LIBADD = $(CURL_LIBS) -lm
endif

if BUILD_SPEED_HTTP
pkglib_LTLIBRARIES += plugins/speed-http/speed_http.la
plugins_speed_http_speed_http_la_SOURCES = \
	plugins/speed-http/http_speed.c $(SPEED_COMMON_SOURCES)
plugins_speed_http_speed_http_la_CFLAGS = $(SPEED_CFLAGS)
plugins_speed_http_speed_http_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_speed_http_speed_http_la_LIBADD = $(CURL_LIBS) -lm
endif

if BUILD_SPEED_LIBRESPEED
pkglib_LTLIBRARIES += plugins/speed-librespeed/speed_librespeed.la
plugins_speed_librespeed_speed_librespeed_la_SOURCES = \
	plugins/speed-librespeed/librespeed.c \
	plugins/speed-librespeed/ls_servers.c \
	plugins/speed-librespeed/ls_servers.h $(SPEED_COMMON_SOURCES)
plugins_speed_librespeed_speed_librespeed_la_CFLAGS = $(SPEED_CFLAGS) \
	$(JSONC_CFLAGS)
plugins_speed_librespeed_speed_librespeed_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_speed_librespeed_speed_librespeed_la_LIBADD = $(CURL_LIBS) \
	$(JSONC_LIBS) -lm
endif

if BUILD_SPEED_IPERF3
pkglib_LTLIBRARIES += plugins/speed-iperf3/speed_iperf3.la
plugins_speed_iperf3_speed_iperf3_la_SOURCES = plugins/speed-iperf3/iperf3.c \
	plugins/speed-iperf3/iperf3_json.c plugins/speed-iperf3/iperf3_json.h
plugins_speed_iperf3_speed_iperf3_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
plugins_speed_iperf3_speed_iperf3_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_speed_iperf3_speed_iperf3_la_LIBADD = $(IPERF_LIBS) $(JSONC_LIBS)
endif
EXTRA_DIST += docs/speedtest.md
