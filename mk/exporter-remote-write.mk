# mk/exporter-remote-write.mk - the remote_write exporter (Prometheus
# remote write 1.0: protobuf-c, snappy, libcurl, an sqlite queue), its
# unit tests and its end-to-end tests against a real Prometheus.
#
# The protobuf code is generated at build time by protoc-c
# (protobuf-c-compiler) from plugins/exporter-remote-write/remote.proto
# into the build tree; only the .proto is in git and in the tarball.

RW_GEN = plugins/exporter-remote-write/remote.pb-c.c plugins/exporter-remote-write/remote.pb-c.h
RW_SOURCES = plugins/exporter-remote-write/rw_encode.c plugins/exporter-remote-write/rw_encode.h \
	plugins/exporter-remote-write/rw_queue.c plugins/exporter-remote-write/rw_queue.h
RW_CFLAGS = -I$(builddir)/plugins/exporter-remote-write -I$(srcdir)/plugins/exporter-remote-write \
	-I$(srcdir)/plugins/exporter-prometheus $(PROTOBUFC_CFLAGS) \
	$(SQLITE_CFLAGS)
RW_LIBS = $(PROTOBUFC_LIBS) $(SNAPPY_LIBS) $(SQLITE_LIBS)
EXTRA_DIST += plugins/exporter-remote-write/remote.proto

plugins/exporter-remote-write/remote.pb-c.c: $(srcdir)/plugins/exporter-remote-write/remote.proto
	$(AM_V_GEN)$(MKDIR_P) plugins/exporter-remote-write && \
	$(PROTOC_C) --proto_path=$(srcdir)/plugins/exporter-remote-write --c_out=plugins/exporter-remote-write \
	  $(srcdir)/plugins/exporter-remote-write/remote.proto
plugins/exporter-remote-write/remote.pb-c.h: plugins/exporter-remote-write/remote.pb-c.c
	@test -f $@ || { rm -f $<; $(MAKE) $(AM_MAKEFLAGS) $<; }
CLEANFILES += $(RW_GEN)

if BUILD_EXPORTER_REMOTE_WRITE
BUILT_SOURCES = $(RW_GEN)
pkglib_LTLIBRARIES += plugins/exporter-remote-write/exporter_remote_write.la
plugins_exporter_remote_write_exporter_remote_write_la_SOURCES = \
	plugins/exporter-remote-write/remote_write.c plugins/exporter-remote-write/rw_map.c plugins/exporter-remote-write/rw_map.h \
	$(RW_SOURCES) plugins/exporter-prometheus/prom_text.c \
	plugins/exporter-prometheus/prom_text.h
nodist_plugins_exporter_remote_write_exporter_remote_write_la_SOURCES = \
	$(RW_GEN)
plugins_exporter_remote_write_exporter_remote_write_la_CFLAGS = $(AM_CFLAGS) \
	$(RW_CFLAGS) $(CURL_COMMON_CFLAGS)
plugins_exporter_remote_write_exporter_remote_write_la_LDFLAGS = -module \
	$(PLUGIN_LDFLAGS)
plugins_exporter_remote_write_exporter_remote_write_la_LIBADD = \
	$(CURL_COMMON_LIBS) $(RW_LIBS) -lm

# encoding (decoded back with protobuf-c and snappy) and the queue
check_PROGRAMS += tests/unit/test_remote_write
TESTS += tests/unit/test_remote_write
tests_unit_test_remote_write_SOURCES = tests/unit/test_remote_write.c \
	$(RW_SOURCES) plugins/exporter-remote-write/rw_map.c plugins/exporter-remote-write/rw_map.h \
	plugins/exporter-prometheus/prom_text.c
nodist_tests_unit_test_remote_write_SOURCES = $(RW_GEN)
tests_unit_test_remote_write_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	$(RW_CFLAGS)
tests_unit_test_remote_write_LDADD = $(CMOCKA_LIBS) $(RW_LIBS) -lm

# bench (not a test): tests/bench/rw_throughput.sh runs it
check_PROGRAMS += tests/bench/rw_bench
tests_bench_rw_bench_SOURCES = tests/bench/rw_bench.c $(RW_SOURCES)
nodist_tests_bench_rw_bench_SOURCES = $(RW_GEN)
tests_bench_rw_bench_CFLAGS = $(AM_CFLAGS) $(RW_CFLAGS) $(CURL_CFLAGS)
tests_bench_rw_bench_LDADD = $(RW_LIBS) $(CURL_LIBS)
endif

RW_TESTS = tests/integration/exporter_remote_write.sh
TESTS += $(RW_TESTS)
EXTRA_DIST += $(RW_TESTS) tests/integration/rw_compare.py \
	tests/bench/rw_throughput.sh tests/bench/rw_drain.sh
