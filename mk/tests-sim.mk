# mk/tests-sim.mk - the simulation bridge (core/sim, docs/simulation.md):
# the OMNeT++ parser and the mappings, the distances, the import and
# compare commands end to end, and the import bench.

check_PROGRAMS += tests/unit/test_omnetpp tests/unit/test_sim_stats
TESTS += tests/unit/test_omnetpp tests/unit/test_sim_stats

tests_unit_test_omnetpp_SOURCES = tests/unit/test_omnetpp.c
tests_unit_test_omnetpp_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_omnetpp_LDADD = libbncore.la $(TEST_LIBS)

tests_unit_test_sim_stats_SOURCES = tests/unit/test_sim_stats.c \
	core/sim/sim_stats.c core/sim/sim_stats.h
tests_unit_test_sim_stats_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sim_stats_LDADD = $(TEST_LIBS) -lm

SIM_E2E_TESTS = tests/integration/sim_import.sh tests/integration/sim_compare.sh
TESTS += $(SIM_E2E_TESTS)
EXTRA_DIST += $(SIM_E2E_TESTS) tests/bench/omnetpp_import.sh \
	tests/data/omnetpp/LICENSE tests/data/omnetpp/README.md \
	tests/data/omnetpp/OneFifo-0.vec tests/data/omnetpp/PureAloha1-0.vec \
	tests/data/omnetpp/PureAloha1-0.sca tests/data/omnetpp/TokenRing1-0.vec \
	tests/data/omnetpp/PureAlohaExperiment-3.sca docs/simulation.md

# Bench (not a test): import lines/s of a generated .vec (BENCH_ARGS: lines).
bench-omnetpp: all
	$(SHELL) $(top_srcdir)/tests/bench/omnetpp_import.sh $(abs_top_builddir) $(BENCH_ARGS)
.PHONY: bench-omnetpp
