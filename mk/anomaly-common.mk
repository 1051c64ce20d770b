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

# The NAB benchmark (not a test): NAB's scorer, checked against NAB's
# published null/random scores, and our detectors scored with it.
# NAB_DIR defaults to the shared copy; see tests/bench/README.md.
NAB_DIR = $(abs_top_srcdir)/../shared/data/nab
noinst_PROGRAMS += tests/bench/nab_score
tests_bench_nab_score_SOURCES = tests/bench/nab_score.c \
	$(ANOMALY_CORE_SOURCES)
tests_bench_nab_score_CFLAGS = $(ANOMALY_CFLAGS) $(JSONC_CFLAGS)
tests_bench_nab_score_LDADD = $(JSONC_LIBS) -lm

bench-anomaly-nab: tests/bench/nab_score
	@for d in null random; do \
	  ./tests/bench/nab_score --nab '$(NAB_DIR)' --detector $$d \
	    --published-threshold $$d | grep -v '^  ' || exit 1; done
	./tests/bench/nab_score --nab '$(NAB_DIR)' --detector perfect \
	  --threshold 0.5 | grep -v '^  '
	./tests/bench/nab_score --nab '$(NAB_DIR)' --detector latency $(BENCH_ARGS)
	./tests/bench/nab_score --nab '$(NAB_DIR)' --detector fusion $(BENCH_ARGS)

.PHONY: bench-anomaly-nab

# End to end: on by default (base profile), a closed port is a critical
# unreachable episode and a listening one none; and the lab run with
# injected episodes and distractors (root; tests/lab).
EXTRA_DIST += docs/anomaly.md
ANOMALY_TESTS = tests/integration/anomaly_unreachable.sh \
	tests/integration/anomaly_baseline.sh \
	tests/integration/anomaly_import.sh \
	tests/integration/lab_anomaly.sh
EXTRA_DIST += $(ANOMALY_TESTS)
if BUILD_ANOMALY_FUSION
TESTS += $(ANOMALY_TESTS)
endif

# The cost bench (not a test): CPU per sample and memory per target with
# every detector at 10,000 targets x 1 sample/s (goal: <= 2 us, <= 4 KB).
noinst_PROGRAMS += tests/bench/anomaly_bench
tests_bench_anomaly_bench_SOURCES = tests/bench/anomaly_bench.c \
	$(ANOMALY_CORE_SOURCES)
tests_bench_anomaly_bench_CFLAGS = $(ANOMALY_CFLAGS)
tests_bench_anomaly_bench_LDADD = -lm

bench-anomaly: tests/bench/anomaly_bench
	./tests/bench/anomaly_bench --targets 10000 --seconds 300 $(BENCH_ARGS)

.PHONY: bench-anomaly
