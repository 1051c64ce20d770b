# mk/speed-librespeed.mk - the `librespeed` speed test provider (server
# lists, the engine in speed-common) and its end-to-end test.

if BUILD_SPEED_LIBRESPEED
pkglib_LTLIBRARIES += plugins/speed-librespeed/speed_librespeed.la
plugins_speed_librespeed_speed_librespeed_la_SOURCES = \
	plugins/speed-librespeed/librespeed.c \
	plugins/speed-librespeed/ls_servers.c \
	plugins/speed-librespeed/ls_servers.h
plugins_speed_librespeed_speed_librespeed_la_CFLAGS = $(AM_CFLAGS) \
	$(SPEED_COMMON_CFLAGS) $(JSONC_CFLAGS)
plugins_speed_librespeed_speed_librespeed_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_speed_librespeed_speed_librespeed_la_LIBADD = $(SPEED_COMMON_LIBS) \
	$(JSONC_LIBS)

TESTS += tests/integration/speedtest_librespeed.sh
endif
EXTRA_DIST += tests/integration/speedtest_librespeed.sh
