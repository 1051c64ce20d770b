# mk/tests-loader.mk - the plugin loader: a cmocka unit test that loads
# fixture plugins (good, wrong ABI, missing symbol, short descriptor...),
# and the out-of-tree SDK example built against an installed tree.

# Fixture plugins are real shared objects: -rpath makes libtool build a
# .so (in tests/fixtures/plugins/.libs/) rather than a convenience archive.
FIXTURE_LDFLAGS = -module -avoid-version -shared -no-undefined \
	-rpath /nowhere
FIXTURE_DIR = $(abs_top_builddir)/tests/fixtures/plugins/.libs

check_LTLIBRARIES += \
	tests/fixtures/plugins/good.la \
	tests/fixtures/plugins/dup.la \
	tests/fixtures/plugins/major.la \
	tests/fixtures/plugins/minor.la \
	tests/fixtures/plugins/nosym.la \
	tests/fixtures/plugins/short.la \
	tests/fixtures/plugins/kind.la \
	tests/fixtures/plugins/noname.la \
	tests/fixtures/plugins/old.la \
	tests/fixtures/plugins/failinit.la \
	tests/fixtures/plugins/fakepath.la \
	tests/fixtures/plugins/ctor.la \
	tests/fixtures/plugins/ctorabi.la \
	tests/fixtures/plugins/ctornosym.la \
	tests/fixtures/plugins/episodes.la \
	tests/fixtures/plugins/errprobe.la
# One source, three objects: a constructor that leaves a mark, in a
# valid plugin, one of a wrong ABI and one without a descriptor.
tests_fixtures_plugins_ctor_la_SOURCES = tests/fixtures/plugins/ctor.c
tests_fixtures_plugins_ctor_la_CPPFLAGS = $(AM_CPPFLAGS) -DCTOR_VARIANT=0
tests_fixtures_plugins_ctor_la_LDFLAGS = $(FIXTURE_LDFLAGS)
tests_fixtures_plugins_ctorabi_la_SOURCES = tests/fixtures/plugins/ctor.c
tests_fixtures_plugins_ctorabi_la_CPPFLAGS = $(AM_CPPFLAGS) -DCTOR_VARIANT=1
tests_fixtures_plugins_ctorabi_la_LDFLAGS = $(FIXTURE_LDFLAGS)
tests_fixtures_plugins_ctornosym_la_SOURCES = tests/fixtures/plugins/ctor.c
tests_fixtures_plugins_ctornosym_la_CPPFLAGS = $(AM_CPPFLAGS) -DCTOR_VARIANT=2
tests_fixtures_plugins_ctornosym_la_LDFLAGS = $(FIXTURE_LDFLAGS)
tests_fixtures_plugins_episodes_la_SOURCES = \
	tests/fixtures/plugins/episodes.c
tests_fixtures_plugins_episodes_la_LDFLAGS = $(FIXTURE_LDFLAGS)
tests_fixtures_plugins_errprobe_la_SOURCES = \
	tests/fixtures/plugins/errprobe.c
tests_fixtures_plugins_errprobe_la_LDFLAGS = $(FIXTURE_LDFLAGS)
tests_fixtures_plugins_fakepath_la_SOURCES = \
	tests/fixtures/plugins/fakepath.c
tests_fixtures_plugins_fakepath_la_LDFLAGS = $(FIXTURE_LDFLAGS)
tests_fixtures_plugins_failinit_la_SOURCES = \
	tests/fixtures/plugins/failinit.c
tests_fixtures_plugins_failinit_la_LDFLAGS = $(FIXTURE_LDFLAGS)
tests_fixtures_plugins_good_la_SOURCES = tests/fixtures/plugins/good.c
tests_fixtures_plugins_good_la_LDFLAGS = $(FIXTURE_LDFLAGS)
tests_fixtures_plugins_dup_la_SOURCES = tests/fixtures/plugins/dup.c
tests_fixtures_plugins_dup_la_LDFLAGS = $(FIXTURE_LDFLAGS)
tests_fixtures_plugins_major_la_SOURCES = tests/fixtures/plugins/major.c
tests_fixtures_plugins_major_la_LDFLAGS = $(FIXTURE_LDFLAGS)
tests_fixtures_plugins_minor_la_SOURCES = tests/fixtures/plugins/minor.c
tests_fixtures_plugins_minor_la_LDFLAGS = $(FIXTURE_LDFLAGS)
tests_fixtures_plugins_nosym_la_SOURCES = tests/fixtures/plugins/nosym.c
tests_fixtures_plugins_nosym_la_LDFLAGS = $(FIXTURE_LDFLAGS)
tests_fixtures_plugins_short_la_SOURCES = tests/fixtures/plugins/short.c
tests_fixtures_plugins_short_la_LDFLAGS = $(FIXTURE_LDFLAGS)
tests_fixtures_plugins_kind_la_SOURCES = tests/fixtures/plugins/kind.c
tests_fixtures_plugins_kind_la_LDFLAGS = $(FIXTURE_LDFLAGS)
tests_fixtures_plugins_noname_la_SOURCES = tests/fixtures/plugins/noname.c
tests_fixtures_plugins_noname_la_LDFLAGS = $(FIXTURE_LDFLAGS)
tests_fixtures_plugins_old_la_SOURCES = tests/fixtures/plugins/old.c
tests_fixtures_plugins_old_la_LDFLAGS = $(FIXTURE_LDFLAGS)

check_PROGRAMS += tests/unit/test_loader
tests_unit_test_loader_SOURCES = tests/unit/test_loader.c \
	core/host/loader.c core/host/loader_elf.c core/runtime/log.c core/config/options.c \
	core/config/conf.c core/config/conf_yaml.c
tests_unit_test_loader_CFLAGS = $(TEST_CFLAGS) \
	-DFIXTURE_DIR='"$(FIXTURE_DIR)"'
tests_unit_test_loader_LDADD = $(TEST_LIBS)

TESTS += tests/unit/test_loader tests/integration/sdk_out_of_tree.sh \
	tests/integration/loader_trust.sh tests/integration/sample_error_lost.sh
EXTRA_DIST += tests/integration/sdk_out_of_tree.sh \
	tests/integration/loader_trust.sh tests/integration/sample_error_lost.sh
