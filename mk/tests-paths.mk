# mk/tests-paths.mk - path ids, path changes and stored rounds.

check_PROGRAMS += tests/unit/test_pathdiff
TESTS += tests/unit/test_pathdiff tests/integration/paths_history.sh
EXTRA_DIST += tests/integration/paths_history.sh
tests_unit_test_pathdiff_SOURCES = tests/unit/test_pathdiff.c
tests_unit_test_pathdiff_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_pathdiff_LDADD = libbncore.la $(TEST_LIBS)
EXTRA_DIST += docs/paths.md
