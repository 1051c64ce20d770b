# mk/tests.mk - test harness set-up; each test group has its own fragment.

TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	BOTTLENECK_PLUGIN_PATH='$(STAGE_DIR)'; export BOTTLENECK_PLUGIN_PATH; \
	BN_TOP_SRCDIR='$(abs_top_srcdir)'; export BN_TOP_SRCDIR; \
	BN_TOP_BUILDDIR='$(abs_top_builddir)'; export BN_TOP_BUILDDIR; \
	BN_PLUGIN_STAGE='$(STAGE_DIR)'; export BN_PLUGIN_STAGE; \
	BN_FIXTURE_PLUGINS='$(abs_top_builddir)/tests/fixtures/plugins/.libs'; \
	export BN_FIXTURE_PLUGINS;

# Unit tests link the core modules they test, with cmocka.
TEST_CFLAGS = $(AM_CFLAGS) $(CORE_INCLUDES) $(CMOCKA_CFLAGS) $(YAML_CFLAGS) \
	$(SQLITE_CFLAGS) $(UV_CFLAGS) $(CRYPTO_CFLAGS)
TEST_LIBS = $(CMOCKA_LIBS) $(YAML_LIBS) $(SQLITE_LIBS) $(UV_LIBS) \
	$(CRYPTO_LIBS) $(LTDL_LIBS) -lm

EXTRA_DIST += tests/integration/lib.sh

include mk/tests-profile.mk
include mk/tests-store.mk
include mk/tests-loader.mk
include mk/tests-plugins.mk
include mk/tests-core.mk
include mk/tests-lab.mk
include mk/tests-speedtest.mk
include mk/tests-paths.mk
include mk/tests-check.mk
include mk/tests-sdk.mk
include mk/tests-sim.mk
