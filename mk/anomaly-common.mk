# mk/anomaly-common.mk - what the anomaly plugins share: the detectors,
# fusion and episodes (pure C, no host dependency) and the SDK glue, as
# one convenience library linked into each anomaly plugin; its unit test
# on synthetic series; and the NAB benchmark (make bench-anomaly-nab).

ANOMALY_CFLAGS = $(AM_CFLAGS) -I$(srcdir)/plugins/anomaly-common
ANOMALY_CORE_SOURCES = plugins/anomaly-common/an_stats.c \
	plugins/anomaly-common/an_stats.h plugins/anomaly-common/an_detect.c \
	plugins/anomaly-common/an_detect.h plugins/anomaly-common/an_engine.c \
	plugins/anomaly-common/an_engine.h

noinst_LTLIBRARIES += plugins/anomaly-common/libanomaly.la
plugins_anomaly_common_libanomaly_la_SOURCES = $(ANOMALY_CORE_SOURCES) \
	plugins/anomaly-common/an_plugin.c plugins/anomaly-common/an_plugin.h
plugins_anomaly_common_libanomaly_la_CFLAGS = $(ANOMALY_CFLAGS)
plugins_anomaly_common_libanomaly_la_LIBADD = -lm

check_PROGRAMS += tests/unit/test_anomaly
TESTS += tests/unit/test_anomaly
tests_unit_test_anomaly_SOURCES = tests/unit/test_anomaly.c \
	$(ANOMALY_CORE_SOURCES)
tests_unit_test_anomaly_CFLAGS = $(TEST_CFLAGS) \
	-I$(srcdir)/plugins/anomaly-common
tests_unit_test_anomaly_LDADD = $(CMOCKA_LIBS) -lm
