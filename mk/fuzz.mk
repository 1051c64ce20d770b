# mk/fuzz.mk - libFuzzer targets (clang): `make fuzz` builds them into
# fuzz/ and runs each for FUZZ_SECONDS (default 20) from the seeds in
# tests/fuzz/corpus/<target> (copied to fuzz/corpus-<target>, which
# keeps what the run found); any crash, leak, sanitizer report or
# timeout fails.  Longer campaigns: make fuzz FUZZ_SECONDS=3600.
# Built apart from the rest (clang, -fsanitize=fuzzer,address,undefined),
# straight from the sources.

FUZZ_TARGETS = profile dns_reply trace_quote ls_servers plugin_elf report_model \
	omnetpp
FUZZ_SECONDS = 20
FUZZ_FLAGS = -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I$(builddir) -I$(top_srcdir)/sdk
FUZZ_CORE_INC = -I$(top_srcdir)/core/runtime -I$(top_srcdir)/core/config \
	-I$(top_srcdir)/core/host -I$(top_srcdir)/core/check \
	-I$(top_srcdir)/core/speedtest -I$(top_srcdir)/core/store \
	-I$(top_srcdir)/core/report

fuzz_profile_SRC = tests/fuzz/fuzz_profile.c core/config/conf.c \
	core/config/conf_yaml.c core/config/options.c core/config/profile.c \
	core/runtime/log.c core/check/check_settings.c \
	core/speedtest/speedtest_settings.c
fuzz_dns_reply_SRC = tests/fuzz/fuzz_dns_reply.c plugins/probe-dns/dns_reply.c
fuzz_trace_quote_SRC = tests/fuzz/fuzz_trace_quote.c \
	plugins/probe-traceroute/trace_raw_parse.c \
	plugins/probe-traceroute/trace_parse.c
fuzz_ls_servers_SRC = tests/fuzz/fuzz_ls_servers.c \
	plugins/speed-librespeed/ls_servers.c
fuzz_plugin_elf_SRC = tests/fuzz/fuzz_plugin_elf.c core/host/loader_elf.c
# (the text reporter's text.c is #included by the target: its writer is
# static)
fuzz_report_model_SRC = tests/fuzz/fuzz_report_model.c \
	plugins/report-text/text_table.c plugins/report-common/report_common.c \
	plugins/report-html/html_page.c plugins/report-html/html_sections.c \
	plugins/report-html/html_svg.c plugins/report-html/html_paths.c \
	plugins/report-html/html_write.c
fuzz_omnetpp_SRC = tests/fuzz/fuzz_omnetpp.c core/sim/omnetpp_parse.c

FUZZ_CORPUS = \
	tests/fuzz/corpus/profile/base.yaml tests/fuzz/corpus/profile/corporate.yaml \
	tests/fuzz/corpus/profile/home.yaml tests/fuzz/corpus/profile/lab.yaml \
	tests/fuzz/corpus/dns_reply/a_noerror tests/fuzz/corpus/dns_reply/nxdomain \
	tests/fuzz/corpus/dns_reply/two_answers \
	tests/fuzz/corpus/dns_reply/count_65535 \
	tests/fuzz/corpus/dns_reply/pointer_loop \
	tests/fuzz/corpus/trace_quote/v4_icmp_time_exceeded \
	tests/fuzz/corpus/trace_quote/v4_echo_reply \
	tests/fuzz/corpus/trace_quote/v4_tcp_synack \
	tests/fuzz/corpus/trace_quote/v4_port_unreach \
	tests/fuzz/corpus/trace_quote/v6_icmp_time_exceeded \
	tests/fuzz/corpus/trace_quote/errqueue_v4_time_exceeded \
	tests/fuzz/corpus/trace_quote/errqueue_v6_time_exceeded \
	tests/fuzz/corpus/trace_quote/regress_short_recverr \
	tests/fuzz/corpus/trace_quote/regress_cmsg_len \
	tests/fuzz/corpus/ls_servers/two.json \
	tests/fuzz/corpus/ls_servers/one.json \
	tests/fuzz/corpus/ls_servers/empty.json \
	tests/fuzz/corpus/plugin_elf/elf_magic_only \
	tests/fuzz/corpus/report_model/small.json \
	tests/fuzz/corpus/report_model/regress_shapes.json \
	tests/fuzz/corpus/report_model/regress_null_section.json \
	tests/fuzz/corpus/report_model/regress_tick_time.json \
	tests/fuzz/corpus/omnetpp/onefifo.vec tests/fuzz/corpus/omnetpp/aloha.sca \
	tests/fuzz/corpus/omnetpp/v3.vec
EXTRA_DIST += $(fuzz_profile_SRC) $(fuzz_dns_reply_SRC) \
	$(fuzz_trace_quote_SRC) $(fuzz_ls_servers_SRC) $(fuzz_plugin_elf_SRC) \
	$(fuzz_report_model_SRC) $(fuzz_omnetpp_SRC) \
	$(FUZZ_CORPUS) \
	tests/fuzz/run.sh

if HAVE_FUZZ
fuzz/fuzz_profile: $(fuzz_profile_SRC:%=$(top_srcdir)/%)
	@$(MKDIR_P) fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_CORE_INC) $(YAML_CFLAGS) \
	  $(CRYPTO_CFLAGS) -o $@ $(fuzz_profile_SRC:%=$(top_srcdir)/%) \
	  $(YAML_LIBS) $(CRYPTO_LIBS)
fuzz/fuzz_dns_reply: $(fuzz_dns_reply_SRC:%=$(top_srcdir)/%)
	@$(MKDIR_P) fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/plugins/probe-dns \
	  -o $@ $(fuzz_dns_reply_SRC:%=$(top_srcdir)/%)
fuzz/fuzz_trace_quote: $(fuzz_trace_quote_SRC:%=$(top_srcdir)/%)
	@$(MKDIR_P) fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) \
	  -I$(top_srcdir)/plugins/probe-traceroute \
	  -o $@ $(fuzz_trace_quote_SRC:%=$(top_srcdir)/%)
fuzz/fuzz_ls_servers: $(fuzz_ls_servers_SRC:%=$(top_srcdir)/%)
	@$(MKDIR_P) fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) \
	  -I$(top_srcdir)/plugins/speed-librespeed $(JSONC_CFLAGS) \
	  -o $@ $(fuzz_ls_servers_SRC:%=$(top_srcdir)/%) $(JSONC_LIBS)

fuzz/fuzz_plugin_elf: $(fuzz_plugin_elf_SRC:%=$(top_srcdir)/%)
	@$(MKDIR_P) fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/core/host \
	  -o $@ $(fuzz_plugin_elf_SRC:%=$(top_srcdir)/%)

fuzz/fuzz_report_model: $(fuzz_report_model_SRC:%=$(top_srcdir)/%) \
		$(top_srcdir)/plugins/report-text/text.c
	@$(MKDIR_P) fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) $(JSONC_CFLAGS) \
	  -I$(top_srcdir)/plugins/report-common \
	  -I$(top_srcdir)/plugins/report-text -I$(top_srcdir)/plugins/report-html \
	  -o $@ $(fuzz_report_model_SRC:%=$(top_srcdir)/%) $(JSONC_LIBS) -lm

fuzz/fuzz_omnetpp: $(fuzz_omnetpp_SRC:%=$(top_srcdir)/%)
	@$(MKDIR_P) fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/core/sim \
	  -o $@ $(fuzz_omnetpp_SRC:%=$(top_srcdir)/%)

fuzz-build: $(FUZZ_TARGETS:%=fuzz/fuzz_%)
# The ELF reader starts from the real fixture plugins of this build.
fuzz: fuzz-build $(check_LTLIBRARIES)
	@$(MKDIR_P) fuzz/corpus-plugin_elf
	cp $(FIXTURE_DIR)/*.so fuzz/corpus-plugin_elf/
	FUZZ_SECONDS=$(FUZZ_SECONDS) sh $(top_srcdir)/tests/fuzz/run.sh \
	  $(top_srcdir)/tests/fuzz/corpus fuzz $(FUZZ_TARGETS)
else
fuzz-build fuzz:
	@echo "make fuzz: needs clang with libFuzzer (apt-get install clang libclang-rt-dev), then re-run configure"; exit 1
endif
.PHONY: fuzz fuzz-build
# fuzz/ (targets, grown corpora) goes with clean-local in Makefile.am.
