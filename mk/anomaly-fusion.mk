# mk/anomaly-fusion.mk - the `fusion` anomaly plugin (plugins/anomaly-fusion):
# its option table and descriptor over plugins/anomaly-common.

if BUILD_ANOMALY_FUSION
pkglib_LTLIBRARIES += plugins/anomaly-fusion/anomaly_fusion.la
plugins_anomaly_fusion_anomaly_fusion_la_SOURCES = plugins/anomaly-fusion/fusion.c
plugins_anomaly_fusion_anomaly_fusion_la_CFLAGS = $(ANOMALY_CFLAGS)
plugins_anomaly_fusion_anomaly_fusion_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_anomaly_fusion_anomaly_fusion_la_LIBADD = \
	plugins/anomaly-common/libanomaly.la -lm
endif
