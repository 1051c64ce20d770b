# mk/tests-profile.mk - unit tests of the configuration tree, the YAML
# reader, option validation and profiles (with their fixtures).

PROFILE_TEST_CPPFLAGS = $(AM_CPPFLAGS) \
	-DBN_TEST_SRCDIR='"$(abs_top_srcdir)"'

check_PROGRAMS += tests/unit/test_conf tests/unit/test_options \
	tests/unit/test_profile
TESTS += tests/unit/test_conf tests/unit/test_options \
	tests/unit/test_profile

tests_unit_test_conf_SOURCES = tests/unit/test_conf.c \
	core/config/conf.c core/config/conf_yaml.c core/runtime/log.c
tests_unit_test_conf_CPPFLAGS = $(PROFILE_TEST_CPPFLAGS)
tests_unit_test_conf_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_conf_LDADD = $(TEST_LIBS)

tests_unit_test_options_SOURCES = tests/unit/test_options.c \
	core/config/options.c core/config/conf.c core/config/conf_yaml.c core/runtime/log.c
tests_unit_test_options_CPPFLAGS = $(PROFILE_TEST_CPPFLAGS)
tests_unit_test_options_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_options_LDADD = $(TEST_LIBS)

# loader.c is not linked: test_profile.c brings a fake loader_find().
tests_unit_test_profile_SOURCES = tests/unit/test_profile.c \
	core/config/profile.c core/config/options.c core/config/conf.c core/config/conf_yaml.c \
	core/runtime/log.c core/speedtest/speedtest_settings.c core/check/check_settings.c
tests_unit_test_profile_CPPFLAGS = $(PROFILE_TEST_CPPFLAGS)
tests_unit_test_profile_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_profile_LDADD = $(TEST_LIBS)

# profiles/*.yaml and docs/profiles.md are distributed by Makefile.am.
EXTRA_DIST += \
	tests/fixtures/profiles/README \
	tests/fixtures/profiles/bad-consent.yaml \
	tests/fixtures/profiles/bad-consent-item.yaml \
	tests/fixtures/profiles/bad-key.yaml \
	tests/fixtures/profiles/bad-plugins.yaml \
	tests/fixtures/profiles/bad-syntax.yaml \
	tests/fixtures/profiles/bad-targets.yaml \
	tests/fixtures/profiles/chain-base.yaml \
	tests/fixtures/profiles/chain-mid.yaml \
	tests/fixtures/profiles/chain-top.yaml \
	tests/fixtures/profiles/check-plugins.yaml \
	tests/fixtures/profiles/cycle-a.yaml \
	tests/fixtures/profiles/cycle-b.yaml \
	tests/fixtures/profiles/empty.yaml \
	tests/fixtures/profiles/extends-missing.yaml \
	tests/fixtures/profiles/extends-search.yaml \
	tests/fixtures/profiles/filter-tags.yaml \
	tests/fixtures/profiles/filter-unknown.yaml \
	tests/fixtures/profiles/minimal.yaml \
	tests/fixtures/profiles/no-name.yaml \
	tests/fixtures/profiles/roundtrip.yaml \
	tests/fixtures/profiles/self-cycle.yaml
