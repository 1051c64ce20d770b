/*
 * ls_servers.h - LibreSpeed server lists: the JSON format of LibreSpeed's
 * server list (an array of {name, server, dlURL, ulURL, pingURL,
 * getIpURL}, paths relative to `server`), parsed into full URLs.
 */
#ifndef BN_LS_SERVERS_H
#define BN_LS_SERVERS_H

#include <stddef.h>

/** One server with its endpoints as absolute URLs. */
typedef struct ls_server {
  char *name;
  char *base; /* `server` as written (made absolute) */
  char *dl, *ul, *ping, *getip;
} ls_server;

/**
 * Parse a server list.  On error returns -1 with a one-line reason in
 * err (with the line number of the JSON when it does not parse).
 */
int ls_servers_parse(const char *text, ls_server **out, size_t *n, char *err,
                     size_t errlen);

/** A list of one server at base URL `base` with LibreSpeed's default
 * endpoint paths (backend/garbage.php ...). */
int ls_servers_single(const char *base, ls_server **out, size_t *n);

void ls_servers_free(ls_server *s, size_t n);

#endif
