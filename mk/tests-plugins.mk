# mk/tests-plugins.mk - what the unit tests of the plugins share.  Each
# test (in its plugin's mk/<plugin>.mk) compiles the plugin's source with
# the mock host (tests/unit/mock_host.c), so it needs no core module; the
# reporters compare with tests/golden/.

PLUGIN_TEST_CFLAGS = $(TEST_CFLAGS) \
	-DBN_GOLDEN_DIR='"$(abs_top_srcdir)/tests/golden"'
MOCK_HOST_SOURCES = tests/unit/mock_host.c tests/unit/mock_host.h \
	core/host/output.c core/host/output.h

EXTRA_DIST += tests/golden/report_mini.json tests/golden/report_mini.txt \
	tests/golden/report_mini_ops.txt tests/golden/report_mini_compact.txt \
	tests/golden/report_mini.html

# Reports from the store: golden outputs, bad input, the HTML page in a
# browser and as PDF, redaction.
REPORT_TESTS = tests/integration/report_golden.sh \
	tests/integration/report_cli.sh \
	tests/integration/report_html.sh \
	tests/integration/report_redact.sh \
	tests/integration/report_percentiles.sh \
	tests/integration/report_compact.sh \
	tests/integration/report_profile.sh \
	tests/integration/report_paper.sh \
	tests/integration/report_colours.sh \
	tests/integration/report_ticks.sh \
	tests/integration/report_jitter.sh \
	tests/integration/report_fit.sh
TESTS += $(REPORT_TESTS)
EXTRA_DIST += $(REPORT_TESTS) tests/integration/schema_check.py \
	docs/schemas/report.schema.json docs/reports.md

# Bench (not a test): a report over a week of 1 Hz samples of 20 targets.
EXTRA_DIST += tests/bench/report_bench.sh tests/bench/compact_bench.sh
bench-report: all tests/helpers/report_fixture
	BN_TOP_SRCDIR='$(abs_top_srcdir)' BN_TOP_BUILDDIR='$(abs_top_builddir)' \
	BOTTLENECK_PLUGIN_PATH='$(STAGE_DIR)' \
	$(SHELL) $(top_srcdir)/tests/bench/report_bench.sh $(BENCH_ARGS)
.PHONY: bench-report
bench-compact: all tests/helpers/report_fixture
	BN_TOP_SRCDIR='$(abs_top_srcdir)' BN_TOP_BUILDDIR='$(abs_top_builddir)' \
	BOTTLENECK_PLUGIN_PATH='$(STAGE_DIR)' \
	$(SHELL) $(top_srcdir)/tests/bench/compact_bench.sh $(BENCH_ARGS)
.PHONY: bench-compact
