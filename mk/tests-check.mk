# mk/tests-check.mk - pre-flight checks (`bottleneck check`): end to end
# in a network namespace of the test's own, and the path MTU in the lab.

CHECK_TESTS = tests/integration/check_cli.sh tests/integration/lab_mtu.sh \
	tests/integration/selftest.sh
TESTS += $(CHECK_TESTS)
EXTRA_DIST += $(CHECK_TESTS) docs/check.md
