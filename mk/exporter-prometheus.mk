# mk/exporter-prometheus.mk - the prometheus exporter (libmicrohttpd),
# its unit test, the synthetic-table helper, its end-to-end tests against
# promtool and a real Prometheus server, and the scrape bench.

PROM_TABLE_SOURCES = plugins/exporter-prometheus/prom_table.c \
	plugins/exporter-prometheus/prom_table.h \
	plugins/exporter-prometheus/prom_text.c \
	plugins/exporter-prometheus/prom_text.h

if BUILD_EXPORTER_PROMETHEUS
pkglib_LTLIBRARIES += plugins/exporter-prometheus/exporter_prometheus.la
plugins_exporter_prometheus_exporter_prometheus_la_SOURCES = \
	plugins/exporter-prometheus/prometheus.c $(PROM_TABLE_SOURCES)
plugins_exporter_prometheus_exporter_prometheus_la_CFLAGS = $(AM_CFLAGS) \
	$(MHD_CFLAGS) -pthread
plugins_exporter_prometheus_exporter_prometheus_la_LDFLAGS = -module \
	$(PLUGIN_LDFLAGS)
plugins_exporter_prometheus_exporter_prometheus_la_LIBADD = $(MHD_LIBS) \
	-lpthread -lm
endif

# The table and the text format need no library: always tested.
check_PROGRAMS += tests/unit/test_prom_text tests/helpers/prom_dump
TESTS += tests/unit/test_prom_text
tests_unit_test_prom_text_SOURCES = tests/unit/test_prom_text.c \
	$(PROM_TABLE_SOURCES)
tests_unit_test_prom_text_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -pthread \
	-I$(srcdir)/plugins/exporter-prometheus
tests_unit_test_prom_text_LDADD = $(CMOCKA_LIBS) -lpthread -lm
tests_helpers_prom_dump_SOURCES = tests/helpers/prom_dump.c \
	$(PROM_TABLE_SOURCES)
tests_helpers_prom_dump_CFLAGS = $(AM_CFLAGS) -pthread \
	-I$(srcdir)/plugins/exporter-prometheus
tests_helpers_prom_dump_LDADD = -lpthread -lm

PROM_TESTS = tests/integration/exporter_prom_format.sh \
	tests/integration/exporter_prom_e2e.sh
TESTS += $(PROM_TESTS)
EXTRA_DIST += $(PROM_TESTS)

# Bench (not a test): render time and size of /metrics at 1,000 and
# 10,000 targets.
bench-prometheus: tests/helpers/prom_dump
	@for n in 1000 10000; do \
	  tests/helpers/prom_dump $$n 5 20 >/dev/null || exit 1; \
	done
.PHONY: bench-prometheus
EXTRA_DIST += tests/integration/prom_query.py \
	contrib/prometheus/prometheus.yml contrib/prometheus/run-prometheus.sh \
	contrib/grafana/bottleneck-dashboard.json
EXTRA_DIST += tests/bench/prom_scrape.sh
