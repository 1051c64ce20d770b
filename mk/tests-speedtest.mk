# mk/tests-speedtest.mk - speed test orchestration units (fake providers
# on a real loop), and end-to-end tests against a real nginx serving
# speed test endpoints (tests/speedtest/nginx-speedtest.conf.in).

check_PROGRAMS += tests/unit/test_speedtest
TESTS += tests/unit/test_speedtest
tests_unit_test_speedtest_SOURCES = tests/unit/test_speedtest.c
tests_unit_test_speedtest_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_speedtest_LDADD = libbncore.la $(TEST_LIBS)

SPEEDTEST_E2E_TESTS = tests/integration/speedtest_loopback.sh \
	tests/integration/speedtest_latency.sh \
	tests/integration/speedtest_failover.sh \
	tests/integration/speedtest_librespeed.sh \
	tests/integration/speedtest_iperf3.sh \
	tests/integration/lab_speedtest.sh
TESTS += $(SPEEDTEST_E2E_TESTS)
EXTRA_DIST += $(SPEEDTEST_E2E_TESTS) tests/integration/speedtest_server.sh \
	tests/speedtest/nginx-speedtest.conf.in

# Bench (not a test): download throughput beside curl on loopback.
EXTRA_DIST += tests/bench/speedtest_vs_curl.sh
bench-speedtest: all
	BN_TOP_SRCDIR='$(abs_top_srcdir)' BN_TOP_BUILDDIR='$(abs_top_builddir)' \
	BOTTLENECK_PLUGIN_PATH='$(STAGE_DIR)' \
	$(SHELL) $(top_srcdir)/tests/bench/speedtest_vs_curl.sh $(BENCH_ARGS)
.PHONY: bench-speedtest
