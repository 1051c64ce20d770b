# mk/tests-core.mk - clock and resolver unit tests, and end-to-end tests
# of `bottleneck`.

check_PROGRAMS += tests/unit/test_clock
TESTS += tests/unit/test_clock
tests_unit_test_clock_SOURCES = tests/unit/test_clock.c core/runtime/clock.c
tests_unit_test_clock_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_clock_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/test_resolve
TESTS += tests/unit/test_resolve
tests_unit_test_resolve_SOURCES = tests/unit/test_resolve.c core/runtime/resolve.c \
	core/runtime/loop.c core/runtime/log.c
tests_unit_test_resolve_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_resolve_LDADD = $(TEST_LIBS)

CORE_E2E_TESTS = \
	tests/integration/cli_basics.sh \
	tests/integration/run_lab.sh \
	tests/integration/run_signal.sh \
	tests/integration/run_checks_first_probe.sh \
	tests/integration/clock_jump.sh \
	tests/integration/validate_input.sh \
	tests/integration/configure_plugins.sh \
	tests/integration/core_names.sh
TESTS += $(CORE_E2E_TESTS)
EXTRA_DIST += $(CORE_E2E_TESTS)

# Bench (not a test): start-up time of `bottleneck plugins`.
EXTRA_DIST += tests/bench/startup.sh
bench-startup: all
	$(SHELL) $(top_srcdir)/tests/bench/startup.sh $(abs_top_builddir) $(BENCH_ARGS)
.PHONY: bench-startup
