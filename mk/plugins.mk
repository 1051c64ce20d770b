# mk/plugins.mk - the plugins, one block each.  A plugin is built when
# configure enabled it (BN_PLUGIN in configure.ac) and links with
# $(PLUGIN_LDFLAGS): it exports only its descriptor and needs no host
# symbol.  -module is also written out literally because automake looks
# for it to accept a library name without the "lib" prefix.

if BUILD_PROBE_TCP
pkglib_LTLIBRARIES += plugins/probe-tcp/probe_tcp.la
plugins_probe_tcp_probe_tcp_la_SOURCES = plugins/probe-tcp/tcp.c
plugins_probe_tcp_probe_tcp_la_CFLAGS = $(AM_CFLAGS)
plugins_probe_tcp_probe_tcp_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
endif

# What every reporter shares (compiled into each).
REPORT_COMMON = plugins/report-common/report_common.c \
	plugins/report-common/report_common.h

if BUILD_REPORT_TEXT
pkglib_LTLIBRARIES += plugins/report-text/report_text.la
plugins_report_text_report_text_la_SOURCES = plugins/report-text/text.c \
	plugins/report-text/text_table.c plugins/report-text/text_table.h \
	$(REPORT_COMMON)
plugins_report_text_report_text_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) \
	-I$(srcdir)/plugins/report-common
plugins_report_text_report_text_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_report_text_report_text_la_LIBADD = $(JSONC_LIBS) -lm
endif

# The html reporter: one self-contained page from the report model.
pkglib_LTLIBRARIES += plugins/report-html/report_html.la
plugins_report_html_report_html_la_SOURCES = plugins/report-html/html.h \
	plugins/report-html/html_plugin.c plugins/report-html/html_page.c \
	plugins/report-html/html_sections.c plugins/report-html/html_paths.c \
	plugins/report-html/html_svg.c plugins/report-html/html_write.c \
	$(REPORT_COMMON)
plugins_report_html_report_html_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) \
	-I$(srcdir)/plugins/report-common
plugins_report_html_report_html_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_report_html_report_html_la_LIBADD = $(JSONC_LIBS) -lm

if BUILD_REPORT_JSON
pkglib_LTLIBRARIES += plugins/report-json/report_json.la
plugins_report_json_report_json_la_SOURCES = plugins/report-json/json.c \
	$(REPORT_COMMON)
plugins_report_json_report_json_la_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) \
	-I$(srcdir)/plugins/report-common
plugins_report_json_report_json_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_report_json_report_json_la_LIBADD = $(JSONC_LIBS) -lm
endif
