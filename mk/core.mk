# mk/core.mk - the host: libbncore (everything but main) and bottleneck.

noinst_LTLIBRARIES += libbncore.la
libbncore_la_SOURCES = \
	core/log.c core/log.h \
	core/clock.c core/clock.h \
	core/loop.c core/loop.h core/resolve.c core/resolve.h \
	core/conf.c core/conf_yaml.c core/conf.h \
	core/options.c core/options.h \
	core/profile.c core/profile.h \
	core/loader.c core/loader.h \
	core/stats.c core/stats.h \
	core/store.c core/store_schema.c core/store_query.c core/store.h \
	core/store_rollup.c core/hist.c core/hist.h \
	core/stat_acc.c core/stat_acc.h \
	core/store_paths.c core/store_paths.h core/pathdiff.c core/pathdiff.h \
	core/store_int.h \
	core/host.c core/host.h core/output.c core/output.h \
	core/run.c core/run.h \
	core/speedtest.c core/speedtest.h core/speedtest_settings.c \
	core/speedtest_settings.h core/speedtest_print.c core/speedtest_print.h \
	core/cli_speedtest.c core/cli_paths.c core/cli_check.c \
	core/json_out.c core/json_out.h \
	core/check.c core/check.h core/check_settings.c core/check_dns.c \
	core/check_gateway.c \
	core/check_mtu.c core/cli_selftest.c core/selftest_caps.c \
	core/selftest_caps.h \
	core/store_report.c core/store_report.h \
	core/report_model.c core/report_model.h core/report_redact.c \
	core/report_render.c core/report_render.h \
	core/report_pdf.c core/report_pdf.h \
	core/cli.h core/cli_run.c core/cli_plugins.c core/cli_profile.c core/cli_report.c
libbncore_la_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(SQLITE_CFLAGS) \
	$(UV_CFLAGS) $(CRYPTO_CFLAGS) $(MNL_CFLAGS) $(JSONC_CFLAGS)
libbncore_la_LIBADD = $(YAML_LIBS) $(SQLITE_LIBS) $(UV_LIBS) \
	$(CRYPTO_LIBS) $(MNL_LIBS) $(JSONC_LIBS) $(LTDL_LIBS) -lresolv -lm

bin_PROGRAMS += bottleneck
bottleneck_SOURCES = core/main.c
bottleneck_LDADD = libbncore.la
