# mk/report-text.mk - the `text` reporter (plain-text tables) and its
# unit test against the golden outputs.

if BUILD_REPORT_TEXT
pkglib_LTLIBRARIES += plugins/report-text/report_text.la
plugins_report_text_report_text_la_SOURCES = plugins/report-text/text.c \
	plugins/report-text/text_table.c plugins/report-text/text_table.h
plugins_report_text_report_text_la_CFLAGS = $(AM_CFLAGS) \
	$(REPORT_COMMON_CFLAGS)
plugins_report_text_report_text_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_report_text_report_text_la_LIBADD = $(REPORT_COMMON_LIBS)

check_PROGRAMS += tests/unit/test_report_text
TESTS += tests/unit/test_report_text
tests_unit_test_report_text_SOURCES = tests/unit/test_report_text.c \
	plugins/report-text/text.c plugins/report-text/text_table.c \
	$(MOCK_HOST_SOURCES)
tests_unit_test_report_text_CFLAGS = $(PLUGIN_TEST_CFLAGS) \
	$(REPORT_COMMON_CFLAGS)
tests_unit_test_report_text_LDADD = $(REPORT_COMMON_LIBS) $(TEST_LIBS)
endif
