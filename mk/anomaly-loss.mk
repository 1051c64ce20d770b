# mk/anomaly-loss.mk - the `loss` anomaly plugin (plugins/anomaly-loss):
# its option table and descriptor over plugins/anomaly-common.

if BUILD_ANOMALY_LOSS
pkglib_LTLIBRARIES += plugins/anomaly-loss/anomaly_loss.la
plugins_anomaly_loss_anomaly_loss_la_SOURCES = plugins/anomaly-loss/loss.c
plugins_anomaly_loss_anomaly_loss_la_CFLAGS = $(ANOMALY_CFLAGS)
plugins_anomaly_loss_anomaly_loss_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_anomaly_loss_anomaly_loss_la_LIBADD = \
	plugins/anomaly-common/libanomaly.la -lm
endif
