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
	tests/integration/run_signal_early.sh \
	tests/integration/clock_jump.sh \
	tests/integration/validate_input.sh \
	tests/integration/hostile_input.sh \
	tests/integration/configure_plugins.sh \
	tests/integration/core_names.sh \
	tests/integration/unresolved_target.sh \
	tests/integration/cli_global.sh
TESTS += $(CORE_E2E_TESTS)
EXTRA_DIST += $(CORE_E2E_TESTS)

# Bench (not a test): start-up time of `bottleneck plugins`.
EXTRA_DIST += tests/bench/startup.sh
bench-startup: all
	$(SHELL) $(top_srcdir)/tests/bench/startup.sh $(abs_top_builddir) $(BENCH_ARGS)
.PHONY: bench-startup

# Redaction of every free-text field of the report model, as tokens.
check_PROGRAMS += tests/unit/test_redact
TESTS += tests/unit/test_redact
tests_unit_test_redact_SOURCES = tests/unit/test_redact.c \
	core/report/report_redact.c
tests_unit_test_redact_CFLAGS = $(TEST_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_redact_LDADD = $(TEST_LIBS) $(JSONC_LIBS)
