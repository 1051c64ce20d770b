# mk/exporter-webhook.mk - the alerting exporters: `webhook` (JSON POST,
# HMAC-SHA256) and `email` (SMTP), both on libcurl, sharing the episode
# and context code of plugins/alert-common; their end-to-end tests
# against a python3 receiver and an aiosmtpd sink on loopback.

ALERT_SOURCES = plugins/alert-common/alert.c plugins/alert-common/alert.h \
	plugins/alert-common/alert_queue.c plugins/alert-common/alert_queue.h
ALERT_CFLAGS = -I$(srcdir)/plugins/alert-common $(JSONC_CFLAGS)

if BUILD_EXPORTER_WEBHOOK
pkglib_LTLIBRARIES += plugins/exporter-webhook/exporter_webhook.la
plugins_exporter_webhook_exporter_webhook_la_SOURCES = \
	plugins/exporter-webhook/webhook.c $(ALERT_SOURCES)
plugins_exporter_webhook_exporter_webhook_la_CFLAGS = $(AM_CFLAGS) \
	$(ALERT_CFLAGS) $(CURL_COMMON_CFLAGS) $(CRYPTO_CFLAGS)
plugins_exporter_webhook_exporter_webhook_la_LDFLAGS = -module \
	$(PLUGIN_LDFLAGS)
plugins_exporter_webhook_exporter_webhook_la_LIBADD = $(CURL_COMMON_LIBS) \
	$(JSONC_LIBS) $(CRYPTO_LIBS) -lm
endif

WEBHOOK_TESTS = tests/integration/exporter_webhook.sh \
	tests/integration/exporter_redact.sh
TESTS += $(WEBHOOK_TESTS)
EXTRA_DIST += $(WEBHOOK_TESTS) tests/integration/webhook_receiver.py

if BUILD_EXPORTER_EMAIL
pkglib_LTLIBRARIES += plugins/exporter-email/exporter_email.la
plugins_exporter_email_exporter_email_la_SOURCES = \
	plugins/exporter-email/email.c $(ALERT_SOURCES)
plugins_exporter_email_exporter_email_la_CFLAGS = $(AM_CFLAGS) \
	$(ALERT_CFLAGS) $(CURL_COMMON_CFLAGS)
plugins_exporter_email_exporter_email_la_LDFLAGS = -module $(PLUGIN_LDFLAGS)
plugins_exporter_email_exporter_email_la_LIBADD = $(CURL_COMMON_LIBS) \
	$(JSONC_LIBS) -lm
endif

EMAIL_TESTS = tests/integration/exporter_email.sh
TESTS += $(EMAIL_TESTS)
EXTRA_DIST += $(EMAIL_TESTS) tests/integration/smtp_sink.py
