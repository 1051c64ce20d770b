# mk/report-json.mk - the `json` reporter (the report model as written)
# and its unit test.

if BUILD_REPORT_JSON
pkglib_LTLIBRARIES += plugins/report-json/report_json.la
plugins_report_json_report_json_la_SOURCES = plugins/report-json/json.c
plugins_report_json_report_json_la_CFLAGS = $(AM_CFLAGS) \
	$(REPORT_COMMON_CFLAGS)
plugins_report_json_report_json_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_report_json_report_json_la_LIBADD = $(REPORT_COMMON_LIBS)

check_PROGRAMS += tests/unit/test_report_json
TESTS += tests/unit/test_report_json
tests_unit_test_report_json_SOURCES = tests/unit/test_report_json.c \
	plugins/report-json/json.c $(MOCK_HOST_SOURCES)
tests_unit_test_report_json_CFLAGS = $(PLUGIN_TEST_CFLAGS) \
	$(REPORT_COMMON_CFLAGS)
tests_unit_test_report_json_LDADD = $(REPORT_COMMON_LIBS) $(TEST_LIBS)
endif
