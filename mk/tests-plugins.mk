# mk/tests-plugins.mk - unit tests of the plugins.  Each test compiles
# the plugin's source with the mock host (tests/unit/mock_host.c), so it
# needs no core module; the reporters compare with tests/golden/.

PLUGIN_TEST_CFLAGS = $(TEST_CFLAGS) \
	-DBN_GOLDEN_DIR='"$(abs_top_srcdir)/tests/golden"'
MOCK_HOST_SOURCES = tests/unit/mock_host.c tests/unit/mock_host.h \
	core/output.c core/output.h

EXTRA_DIST += tests/golden/report_text.txt tests/golden/report_json.json

if BUILD_PROBE_TCP
check_PROGRAMS += tests/unit/test_probe_tcp
TESTS += tests/unit/test_probe_tcp
tests_unit_test_probe_tcp_SOURCES = tests/unit/test_probe_tcp.c \
	plugins/probe-tcp/tcp.c $(MOCK_HOST_SOURCES)
tests_unit_test_probe_tcp_CFLAGS = $(PLUGIN_TEST_CFLAGS)
tests_unit_test_probe_tcp_LDADD = $(TEST_LIBS)
endif

if BUILD_REPORT_TEXT
check_PROGRAMS += tests/unit/test_report_text
TESTS += tests/unit/test_report_text
tests_unit_test_report_text_SOURCES = tests/unit/test_report_text.c \
	plugins/report-text/text.c $(MOCK_HOST_SOURCES)
tests_unit_test_report_text_CFLAGS = $(PLUGIN_TEST_CFLAGS)
tests_unit_test_report_text_LDADD = $(TEST_LIBS)
endif

if BUILD_REPORT_JSON
check_PROGRAMS += tests/unit/test_report_json
TESTS += tests/unit/test_report_json
tests_unit_test_report_json_SOURCES = tests/unit/test_report_json.c \
	plugins/report-json/json.c $(MOCK_HOST_SOURCES)
tests_unit_test_report_json_CFLAGS = $(PLUGIN_TEST_CFLAGS) $(JSONC_CFLAGS)
tests_unit_test_report_json_LDADD = $(JSONC_LIBS) $(TEST_LIBS)
endif
