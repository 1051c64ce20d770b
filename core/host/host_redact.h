/*
 * host_redact.h - `redact: true` on an exporter entry: the host hands
 * that instance copies of what it exports with the report's pseudonyms
 * (docs/exporters.md, "Redaction"), so no sink needs code of its own to
 * hide names and addresses, and none can forget a field.
 */
#ifndef BN_HOST_REDACT_H
#define BN_HOST_REDACT_H

#include "host.h"

/* Read the entry's `redact` (profile_check_plugins validated it) and,
 * when true, give the instance its table with the entry's targets
 * numbered in the profile's order.  BN_ENOMEM on failure. */
int host_redact_setup(host_instance *in);
void host_redact_free(host_instance *in);

/* The copies; each returns the pointer to pass on (the original when
 * the instance does not redact).  What they allocate is freed by
 * host_redact_done(&mem). */
const bn_sample *host_redact_sample(host_instance *in, const bn_sample *s,
                                    bn_sample *buf);
const bn_event *host_redact_event(host_instance *in, const bn_event *e,
                                  bn_event *buf, void **mem);
const bn_path_set *host_redact_paths(host_instance *in, const bn_path_set *ps,
                                     bn_path_set *buf, void **mem);
const bn_speedtest_result *host_redact_speedtest(host_instance *in,
                                                 const bn_speedtest_result *r,
                                                 bn_speedtest_result *buf,
                                                 void **mem);
/* The run's host name as the instance may see it. */
const char *host_redact_host(host_instance *in, const char *host);
void host_redact_done(void **mem);

#endif
