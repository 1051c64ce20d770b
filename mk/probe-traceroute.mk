# mk/probe-traceroute.mk - the `traceroute` probe (Paris style; UDP with
# the socket error queue, ICMP and TCP SYN with raw sockets).

if BUILD_PROBE_TRACEROUTE
TRACE_SOURCES = plugins/probe-traceroute/trace.h \
	plugins/probe-traceroute/trace_parse.c \
	plugins/probe-traceroute/trace_budget.c \
	plugins/probe-traceroute/trace_raw_parse.c \
	plugins/probe-traceroute/trace_raw.c \
	plugins/probe-traceroute/trace_ping.c \
	plugins/probe-traceroute/trace_plugin.c
pkglib_LTLIBRARIES += plugins/probe-traceroute/probe_traceroute.la
plugins_probe_traceroute_probe_traceroute_la_SOURCES = $(TRACE_SOURCES)
plugins_probe_traceroute_probe_traceroute_la_CFLAGS = $(AM_CFLAGS)
plugins_probe_traceroute_probe_traceroute_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_probe_traceroute_probe_traceroute_la_LIBADD = -lm

check_PROGRAMS += tests/unit/test_trace_parse
TESTS += tests/unit/test_trace_parse
tests_unit_test_trace_parse_SOURCES = tests/unit/test_trace_parse.c \
	plugins/probe-traceroute/trace_parse.c \
	plugins/probe-traceroute/trace_raw_parse.c plugins/probe-traceroute/trace.h
tests_unit_test_trace_parse_CFLAGS = $(TEST_CFLAGS) \
	-I$(srcdir)/plugins/probe-traceroute
tests_unit_test_trace_parse_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/unit/test_trace_budget
TESTS += tests/unit/test_trace_budget
tests_unit_test_trace_budget_SOURCES = tests/unit/test_trace_budget.c \
	plugins/probe-traceroute/trace_budget.c plugins/probe-traceroute/trace.h
tests_unit_test_trace_budget_CFLAGS = $(TEST_CFLAGS) \
	-I$(srcdir)/plugins/probe-traceroute
tests_unit_test_trace_budget_LDADD = $(TEST_LIBS)
endif

EXTRA_DIST += docs/probe-traceroute.md

# Bench (not a test): one traceroute round beside mtr in the lab.
EXTRA_DIST += tests/bench/traceroute_vs_mtr.sh
bench-traceroute: all
	BN_TOP_SRCDIR='$(abs_top_srcdir)' BN_TOP_BUILDDIR='$(abs_top_builddir)' \
	BOTTLENECK_PLUGIN_PATH='$(STAGE_DIR)' \
	BN_LAB_IMPAIR='$(abs_top_builddir)/tests/lab/bn-impair' \
	$(SHELL) $(top_srcdir)/tests/bench/traceroute_vs_mtr.sh $(BENCH_ARGS)
.PHONY: bench-traceroute
