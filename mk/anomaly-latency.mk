# mk/anomaly-latency.mk - the `latency` anomaly plugin (plugins/anomaly-latency):
# its option table and descriptor over plugins/anomaly-common.

if BUILD_ANOMALY_LATENCY
pkglib_LTLIBRARIES += plugins/anomaly-latency/anomaly_latency.la
plugins_anomaly_latency_anomaly_latency_la_SOURCES = plugins/anomaly-latency/latency.c
plugins_anomaly_latency_anomaly_latency_la_CFLAGS = $(ANOMALY_CFLAGS)
plugins_anomaly_latency_anomaly_latency_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_anomaly_latency_anomaly_latency_la_LIBADD = \
	plugins/anomaly-common/libanomaly.la -lm
endif
