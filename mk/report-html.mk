# mk/report-html.mk - the `html` reporter: one self-contained page from
# the report model, and PDF printed from it by headless Chromium.

if BUILD_REPORT_HTML
pkglib_LTLIBRARIES += plugins/report-html/report_html.la
plugins_report_html_report_html_la_SOURCES = plugins/report-html/html.h \
	plugins/report-html/html_plugin.c plugins/report-html/html_page.c \
	plugins/report-html/html_sections.c plugins/report-html/html_paths.c \
	plugins/report-html/html_svg.c plugins/report-html/html_write.c \
	plugins/report-html/html_pdf.c
plugins_report_html_report_html_la_CFLAGS = $(AM_CFLAGS) \
	$(REPORT_COMMON_CFLAGS)
plugins_report_html_report_html_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_report_html_report_html_la_LIBADD = $(REPORT_COMMON_LIBS)
endif
