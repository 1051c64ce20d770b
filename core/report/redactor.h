/*
 * redactor.h - the report's pseudonyms (docs/reports.md, "Redaction")
 * for what a sink sends: an exporter entry with `redact: true` gets
 * target names, host names, server URLs and addresses replaced before
 * its callbacks see them, and free text (event messages, errors) with
 * every known name and every address literal replaced.  One redactor
 * gives the same input the same pseudonym for its whole life.
 */
#ifndef BN_REDACTOR_H
#define BN_REDACTOR_H

/* Kinds of identity; the pseudonym is "KIND-N" (target-1, ip-3...). */
typedef enum redact_kind {
  REDACT_TARGET = 0,
  REDACT_HOST = 1,
  REDACT_IP = 2,     /* a name in an address field becomes a host */
  REDACT_SERVER = 3, /* a URL or host:port; its host is a host too */
} redact_kind;

typedef struct redactor redactor;

/* A new, empty table; NULL when out of memory. */
redactor *redactor_new(void);
void redactor_free(redactor *r);

/* The pseudonym of `value` (NULL and "" are returned as they are).
 * Owned by the redactor; never NULL otherwise. */
const char *redactor_name(redactor *r, redact_kind kind, const char *value);

/* `s` with the known identities and every IPv4/IPv6 literal, URL host
 * and host name replaced; malloc'd (NULL: s is NULL or out of memory). */
char *redactor_text(redactor *r, const char *s);

#endif
