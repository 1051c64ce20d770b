# mk/tests-store.mk - the history store (core/store*.c) and the series
# statistics (core/store/stats.c): unit tests, the kill -9 test and a bench.

STORE_SOURCES = core/runtime/log.c core/store/stats.c core/store/store.c core/store/store_schema.c \
	core/store/store_query.c core/store/store_int.h core/store/store_rollup.c core/store/store_compact.c core/store/store_metrics.c \
	core/store/hist.c core/store/hist.h core/store/stat_acc.c core/store/stat_acc.h \
	core/store/store_writer.c core/store/store_lock.c core/store/store_paths.c \
	core/store/store_paths.h core/store/pathdiff.h core/store/store_sim.c

check_PROGRAMS += tests/unit/test_stats tests/unit/test_store tests/unit/test_hist \
	tests/unit/test_compact tests/helpers/store_writer
TESTS += tests/unit/test_stats tests/unit/test_store tests/unit/test_hist \
	tests/unit/test_compact \
	tests/integration/store_kill9.sh tests/integration/store_lock.sh \
	tests/integration/store_small_disk.sh tests/integration/store_readonly.sh \
	tests/integration/store_compact.sh

tests_unit_test_stats_SOURCES = tests/unit/test_stats.c core/store/stats.c \
	core/runtime/log.c
tests_unit_test_stats_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_stats_LDADD = $(TEST_LIBS)

tests_unit_test_store_SOURCES = tests/unit/test_store.c $(STORE_SOURCES)
tests_unit_test_store_CFLAGS = $(TEST_CFLAGS) -pthread
tests_unit_test_store_LDADD = $(TEST_LIBS) -lpthread

tests_unit_test_compact_SOURCES = tests/unit/test_compact.c $(STORE_SOURCES)
tests_unit_test_compact_CFLAGS = $(TEST_CFLAGS) -pthread
tests_unit_test_compact_LDADD = $(TEST_LIBS) -lpthread

# Writes samples until killed; store_kill9.sh checks what survived.
tests_helpers_store_writer_SOURCES = tests/helpers/store_writer.c \
	$(STORE_SOURCES)
tests_helpers_store_writer_CFLAGS = $(AM_CFLAGS) $(CORE_INCLUDES) $(SQLITE_CFLAGS) -pthread
tests_helpers_store_writer_LDADD = $(SQLITE_LIBS) -lm -lpthread

EXTRA_DIST += tests/integration/store_kill9.sh tests/integration/store_lock.sh \
	tests/integration/store_small_disk.sh tests/integration/store_readonly.sh \
	tests/integration/store_compact.sh tests/bench/README.md docs/history.md

# Bench: built by `make`, run by `make bench-store` (not a test).
noinst_PROGRAMS += tests/bench/store_bench
tests_bench_store_bench_SOURCES = tests/bench/store_bench.c $(STORE_SOURCES)
tests_bench_store_bench_CFLAGS = $(AM_CFLAGS) $(CORE_INCLUDES) $(SQLITE_CFLAGS) -pthread
tests_bench_store_bench_LDADD = $(SQLITE_LIBS) -lm -lpthread

bench-store: tests/bench/store_bench$(EXEEXT)
	./tests/bench/store_bench$(EXEEXT) $(BENCH_ARGS)

.PHONY: bench-store

tests_unit_test_hist_SOURCES = tests/unit/test_hist.c core/store/hist.c core/store/hist.h
tests_unit_test_hist_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_hist_LDADD = $(TEST_LIBS) -lm

# Fills a store with the reports' mini data set, or a benchmark's week.
check_PROGRAMS += tests/helpers/report_fixture
tests_helpers_report_fixture_SOURCES = tests/helpers/report_fixture.c
tests_helpers_report_fixture_CFLAGS = $(AM_CFLAGS) $(CORE_INCLUDES) $(SQLITE_CFLAGS)
tests_helpers_report_fixture_LDADD = libbncore.la
