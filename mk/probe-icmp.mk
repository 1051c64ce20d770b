# mk/probe-icmp.mk - the `icmp` probe, the SDK's adaptive-interval
# helper, their unit tests, the end-to-end test against loopback and the
# accuracy bench against iputils ping (`make bench-icmp-accuracy`).

bottleneckinclude_HEADERS += sdk/bottleneck/adaptive.h

ICMP_PLUGIN_SOURCES = plugins/probe-icmp/icmp.c plugins/probe-icmp/icmp.h \
	plugins/probe-icmp/icmp_socket.c plugins/probe-icmp/icmp_match.c \
	plugins/probe-icmp/icmp_round.c plugins/probe-icmp/icmp_sched.c \
	plugins/probe-icmp/icmp_probe.c

EXTRA_DIST += docs/probe-icmp.md tests/integration/probe_icmp.sh \
	tests/bench/icmp_accuracy.sh

# The adaptive helper is header-only: its test needs nothing else.
check_PROGRAMS += tests/unit/test_adaptive
TESTS += tests/unit/test_adaptive
tests_unit_test_adaptive_SOURCES = tests/unit/test_adaptive.c
tests_unit_test_adaptive_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_adaptive_LDADD = $(TEST_LIBS)

if BUILD_PROBE_ICMP
pkglib_LTLIBRARIES += plugins/probe-icmp/probe_icmp.la
plugins_probe_icmp_probe_icmp_la_SOURCES = $(ICMP_PLUGIN_SOURCES)
plugins_probe_icmp_probe_icmp_la_CFLAGS = $(AM_CFLAGS) $(PLUGIN_COMMON_CFLAGS)
plugins_probe_icmp_probe_icmp_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_probe_icmp_probe_icmp_la_LIBADD = $(PLUGIN_COMMON_LIBS)

check_PROGRAMS += tests/unit/test_probe_icmp
TESTS += tests/unit/test_probe_icmp tests/integration/probe_icmp.sh
tests_unit_test_probe_icmp_SOURCES = tests/unit/test_probe_icmp.c \
	$(ICMP_PLUGIN_SOURCES) $(MOCK_HOST_SOURCES)
tests_unit_test_probe_icmp_CFLAGS = $(TEST_CFLAGS) $(PLUGIN_COMMON_CFLAGS)
tests_unit_test_probe_icmp_LDADD = $(PLUGIN_COMMON_LIBS) $(TEST_LIBS)

# Not a test: prints bottleneck's median RTT next to ping's.
bench-icmp-accuracy: all
	BN_TOP_SRCDIR='$(abs_top_srcdir)' BN_TOP_BUILDDIR='$(abs_top_builddir)' \
	BOTTLENECK_PLUGIN_PATH='$(STAGE_DIR)' \
	$(SHELL) $(top_srcdir)/tests/bench/icmp_accuracy.sh $(BENCH_ARGS)
endif

.PHONY: bench-icmp-accuracy
