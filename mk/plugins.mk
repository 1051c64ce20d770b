# mk/plugins.mk - what the plugins share, built once as libtool
# convenience libraries (PIC, linked into each plugin that uses them).
# Each plugin has its own mk/<plugin>.mk, included from Makefile.am,
# inside its configure guard (BN_PLUGIN in configure.ac).  A plugin links
# with $(PLUGIN_LDFLAGS): it exports only its descriptor and needs no
# host symbol.  -module is also written out literally in each block
# because automake looks for it to accept a name without "lib".

# Resolve-retry-warn-once, median and jitter (plugins/common).
noinst_LTLIBRARIES += plugins/common/libbnplugin.la
plugins_common_libbnplugin_la_SOURCES = plugins/common/plugin_common.h \
	plugins/common/resolve_retry.c plugins/common/stats.c
PLUGIN_COMMON_CFLAGS = -I$(srcdir)/plugins/common
PLUGIN_COMMON_LIBS = plugins/common/libbnplugin.la -lm

# What every reporter shares: the report model's JSON accessors.
noinst_LTLIBRARIES += plugins/report-common/libreportcommon.la
plugins_report_common_libreportcommon_la_SOURCES = \
	plugins/report-common/report_common.c \
	plugins/report-common/report_common.h
plugins_report_common_libreportcommon_la_CFLAGS = $(AM_CFLAGS) \
	$(JSONC_CFLAGS)
REPORT_COMMON_CFLAGS = $(JSONC_CFLAGS) -I$(srcdir)/plugins/report-common
REPORT_COMMON_LIBS = plugins/report-common/libreportcommon.la \
	$(JSONC_LIBS) -lm

if HAVE_CURL
# libcurl's multi interface on the host loop.
noinst_LTLIBRARIES += plugins/curl-common/libcurlcommon.la
plugins_curl_common_libcurlcommon_la_SOURCES = \
	plugins/curl-common/curl_loop.c plugins/curl-common/curl_loop.h
plugins_curl_common_libcurlcommon_la_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
CURL_COMMON_CFLAGS = $(CURL_CFLAGS) -I$(srcdir)/plugins/curl-common
CURL_COMMON_LIBS = plugins/curl-common/libcurlcommon.la $(CURL_LIBS)

# The HTTP speed test engine of cloudflare, http and librespeed.
noinst_LTLIBRARIES += plugins/speed-common/libspeedcommon.la
plugins_speed_common_libspeedcommon_la_SOURCES = \
	plugins/speed-common/speed_engine.c \
	plugins/speed-common/speed_engine.h \
	plugins/speed-common/speed_provider.c \
	plugins/speed-common/speed_provider.h
plugins_speed_common_libspeedcommon_la_CFLAGS = $(AM_CFLAGS) \
	$(CURL_COMMON_CFLAGS) $(PLUGIN_COMMON_CFLAGS)
SPEED_COMMON_CFLAGS = $(CURL_COMMON_CFLAGS) $(PLUGIN_COMMON_CFLAGS) \
	-I$(srcdir)/plugins/speed-common
SPEED_COMMON_LIBS = plugins/speed-common/libspeedcommon.la \
	$(CURL_COMMON_LIBS) $(PLUGIN_COMMON_LIBS)
endif
EXTRA_DIST += docs/speedtest.md
