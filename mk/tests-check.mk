# mk/tests-check.mk - pre-flight checks (`bottleneck check`): end to end
# in a network namespace of the test's own, and the path MTU in the lab.

CHECK_TESTS = tests/integration/check_cli.sh tests/integration/lab_mtu.sh \
	tests/integration/selftest.sh tests/integration/check_nic.sh
TESTS += $(CHECK_TESTS)
EXTRA_DIST += $(CHECK_TESTS) docs/check.md

# NIC checks: the ethtool netlink parsers, procfs/sysfs reading and the
# rules, without a NIC.
check_PROGRAMS += tests/unit/test_check_nic
TESTS += tests/unit/test_check_nic
tests_unit_test_check_nic_SOURCES = tests/unit/test_check_nic.c
tests_unit_test_check_nic_CFLAGS = $(TEST_CFLAGS) $(MNL_CFLAGS)
tests_unit_test_check_nic_LDADD = libbncore.la $(TEST_LIBS) $(MNL_LIBS)
