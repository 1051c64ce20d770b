# mk/anomaly-jitter.mk - the `jitter` anomaly plugin (plugins/anomaly-jitter):
# its option table and descriptor over plugins/anomaly-common.

if BUILD_ANOMALY_JITTER
pkglib_LTLIBRARIES += plugins/anomaly-jitter/anomaly_jitter.la
plugins_anomaly_jitter_anomaly_jitter_la_SOURCES = plugins/anomaly-jitter/jitter.c
plugins_anomaly_jitter_anomaly_jitter_la_CFLAGS = $(ANOMALY_CFLAGS)
plugins_anomaly_jitter_anomaly_jitter_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_anomaly_jitter_anomaly_jitter_la_LIBADD = \
	plugins/anomaly-common/libanomaly.la -lm
endif
