# mk/bench-icmp.mk - the icmp probe at scale and through the network lab:
# the fping comparison bench (`make bench-icmp-scale`, not a test), its
# zero-false-loss smoke test at 1,000 targets, and the lab test that
# measures injected delay and loss through bn-impair.

ICMP_BENCH_TESTS = tests/integration/icmp_scale_smoke.sh \
	tests/integration/lab_icmp.sh
EXTRA_DIST += tests/bench/icmp_scale.sh $(ICMP_BENCH_TESTS)

# Runs a command and writes its wall time, CPU seconds and peak RSS.
noinst_PROGRAMS += tests/bench/bench_rusage
tests_bench_bench_rusage_SOURCES = tests/bench/bench_rusage.c

if BUILD_PROBE_ICMP
TESTS += $(ICMP_BENCH_TESTS)

# Not a test: bottleneck and fping on the same 127.1.x.y targets.
bench-icmp-scale: all
	BN_TOP_SRCDIR='$(abs_top_srcdir)' BN_TOP_BUILDDIR='$(abs_top_builddir)' \
	BOTTLENECK_PLUGIN_PATH='$(STAGE_DIR)' \
	$(SHELL) $(top_srcdir)/tests/bench/icmp_scale.sh $(BENCH_ARGS)
endif

.PHONY: bench-icmp-scale
