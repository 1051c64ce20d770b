# mk/core.mk - the host: libbncore (everything but main) and bottleneck.

noinst_LTLIBRARIES += libbncore.la
libbncore_la_SOURCES = \
	core/runtime/log.c core/runtime/log.h \
	core/runtime/clock.c core/runtime/clock.h \
	core/runtime/loop.c core/runtime/loop.h core/runtime/resolve.c core/runtime/resolve.h \
	core/config/conf.c core/config/conf_yaml.c core/config/conf.h \
	core/config/options.c core/config/options.h \
	core/config/profile.c core/config/profile.h \
	core/host/loader.c core/host/loader.h \
	core/host/loader_elf.c core/host/loader_elf.h \
	core/store/stats.c core/store/stats.h \
	core/store/store.c core/store/store_schema.c core/store/store_query.c core/store/store.h \
	core/store/store_rollup.c core/store/store_compact.c core/store/store_metrics.c core/store/hist.c core/store/hist.h \
	core/store/stat_acc.c core/store/stat_acc.h \
	core/store/store_paths.c core/store/store_paths.h core/store/pathdiff.c core/store/pathdiff.h \
	core/store/store_int.h core/store/store_writer.c core/store/store_lock.c \
	core/host/host.c core/host/host.h core/host/host_redact.c core/host/host_redact.h core/host/output.c core/host/output.h \
	core/host/run.c core/host/run.h \
	core/speedtest/speedtest.c core/speedtest/speedtest.h core/speedtest/speedtest_settings.c \
	core/speedtest/speedtest_settings.h core/speedtest/speedtest_print.c core/speedtest/speedtest_print.h \
	core/cli/cli_speedtest.c core/cli/cli_paths.c core/cli/cli_check.c \
	core/cli/json_out.c core/cli/json_out.h core/cli/cli_history.c \
	core/check/check.c core/check/check.h core/check/check_settings.c core/check/check_dns.c \
	core/check/check_gateway.c \
	core/check/check_mtu.c core/check/check_nic.c core/check/check_nic.h \
	core/check/check_nic_nl.c core/check/check_nic_sys.c core/check/check_nic_rules.c \
	core/check/check_nic_print.c core/cli/cli_selftest.c core/check/selftest_caps.c \
	core/check/selftest_caps.h \
	core/store/store_report.c core/store/store_report.h \
	core/report/report_model.c core/report/report_model.h core/report/report_redact.c \
	core/report/redactor.h \
	core/report/report_render.c core/report/report_render.h \
	core/cli/cli.h core/cli/cli_run.c core/cli/cli_plugins.c core/cli/cli_profile.c core/cli/cli_report.c core/cli/cli_analyze.c core/cli/cli_baseline.c core/cli/cli_import.c \
	core/cli/cli_compare.c core/store/store_sim.c \
	core/sim/omnetpp_parse.c core/sim/omnetpp_parse.h core/sim/sim_stats.c core/sim/sim_stats.h \
	core/sim/sim_import.c core/sim/sim_import.h core/sim/sim_chart.c core/sim/sim_chart.h \
	core/cli/cli_compact.c
libbncore_la_CFLAGS = $(AM_CFLAGS) $(CORE_INCLUDES) $(YAML_CFLAGS) $(SQLITE_CFLAGS) \
	$(UV_CFLAGS) $(CRYPTO_CFLAGS) $(MNL_CFLAGS) $(JSONC_CFLAGS) -pthread
libbncore_la_LIBADD = $(YAML_LIBS) $(SQLITE_LIBS) $(UV_LIBS) \
	$(CRYPTO_LIBS) $(MNL_LIBS) $(JSONC_LIBS) $(LTDL_LIBS) -lresolv -lm -lpthread

bin_PROGRAMS += bottleneck
bottleneck_SOURCES = core/cli/main.c
bottleneck_LDADD = libbncore.la
bottleneck_CFLAGS = $(AM_CFLAGS) $(CORE_INCLUDES)
