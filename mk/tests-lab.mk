# mk/tests-lab.mk - the network lab (tests/lab/README.md): the bn-impair
# relay (delay, jitter and loss; this kernel has no netem), the sourceable
# lab.sh library that later lab tests use, and the lab's self-test.

check_PROGRAMS += tests/lab/bn-impair
tests_lab_bn_impair_SOURCES = tests/lab/impair.c
tests_lab_bn_impair_LDADD = -lm

LAB_TESTS = tests/integration/lab_selftest.sh \
	tests/integration/lab_traceroute.sh \
	tests/integration/lab_traceroute_modes.sh \
	tests/integration/lab_traceroute_ratelimit.sh \
	tests/integration/lab_multipath.sh
TESTS += $(LAB_TESTS)
EXTRA_DIST += $(LAB_TESTS) tests/lab/lab.sh tests/lab/README.md
