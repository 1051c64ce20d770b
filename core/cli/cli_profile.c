/*
 * cli_profile.c - `bottleneck profile validate FILE...` and
 * `bottleneck profile show NAME|FILE`.
 */
#include "config.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "host.h"
#include "loader.h"
#include "log.h"
#include "profile.h"

static void cli_profile_usage(FILE *out)
{
  fprintf(out,
          "Usage: bottleneck profile validate [--plugin-dir DIR] "
          "[--no-resolve] FILE...\n"
          "       bottleneck profile show [--plugin-dir DIR] NAME|FILE\n"
          "\n"
          "validate  check structure, targets and every plugin's options,\n"
          "          and that every target host name resolves (unless\n"
          "          --no-resolve); errors are printed as\n"
          "          FILE:LINE:COL: message\n"
          "show      print the profile merged with the ones it extends,\n"
          "          with plugin defaults filled in\n"
          "\n"
          "A NAME is looked up as NAME.yaml in BOTTLENECK_PROFILE_PATH,\n"
          "$XDG_CONFIG_HOME/bottleneck/profiles, then %s/profiles.\n",
          PKGDATADIR);
}

/*
 * Resolve every target host that is a name (literals were checked when
 * the profile loaded).  Only `validate` does this: at run time a name
 * that fails is reported and retried by the probe while the others go
 * on, because DNS may well come back.
 */
static int cli_profile_resolve(const profile *p)
{
  size_t i;
  int rc = CLI_EXIT_OK;

  for (i = 0; i < p->n_targets; i++) {
    const bn_target *t = &p->targets[i];
    struct addrinfo hints, *res = NULL;
    unsigned char buf[sizeof(struct in6_addr)];
    char where[512];
    int err;

    if (inet_pton(AF_INET, t->host, buf) == 1 ||
        inet_pton(AF_INET6, t->host, buf) == 1)
      continue;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    err = getaddrinfo(t->host, NULL, &hints, &res);
    if (err == 0) {
      freeaddrinfo(res);
      continue;
    }
    conf_where(conf_get(t->node, "host") ? conf_get(t->node, "host") : t->node,
               where, sizeof(where));
    log_error(NULL,
              "%s: target '%s': host '%s' does not resolve (%s); fix the "
              "name, or skip this check with --no-resolve",
              where, t->name, t->host, gai_strerror(err));
    rc = CLI_EXIT_PROFILE;
  }
  return rc;
}

/* Fully check one loaded profile, every error in one pass (the
 * profile's own, found while loading: `bad`; its plugins', their
 * options', names that do not resolve); 0 or an exit status. */
static int cli_profile_check(profile *p, loader *ld, int resolve, int bad)
{
  bad |= profile_check_plugins(p, ld) != 0;
  bad |= host_check_profile(p, ld) != 0;
  if (resolve)
    bad |= cli_profile_resolve(p) != CLI_EXIT_OK;
  return bad ? CLI_EXIT_PROFILE : CLI_EXIT_OK;
}

/*
 * Load the profiles first (no plugin needed), then only the plugins they
 * name: a plugin a profile does not use is never opened, so a broken or
 * hostile file elsewhere in the search path cannot run during a check.
 */
static int cli_profile_load_all(char **files, int n, const char *dir,
                                profile **ps, int *bad, loader **out)
{
  const char **names;
  size_t k = 0, total = 0, j;
  int i, status = CLI_EXIT_OK;
  loader *ld;

  /* profile_load_all reports every error of a profile and still gives
   * what it could read, so its plugins are checked in the same pass */
  for (i = 0; i < n; i++) {
    bad[i] = profile_load_all(files[i], &ps[i]) != 0;
    if (!ps[i])
      status = CLI_EXIT_PROFILE;
    else
      total += ps[i]->n_plugins;
  }
  names = calloc(total + 1, sizeof(*names));
  ld = loader_new();
  if (!names || !ld) {
    free(names);
    loader_free(ld);
    return CLI_EXIT_FAILURE;
  }
  for (i = 0; i < n; i++)
    for (j = 0; ps[i] && j < ps[i]->n_plugins; j++)
      names[k++] = ps[i]->plugins[j].plugin;
  loader_only(ld, names, k);
  loader_scan(ld, dir);
  loader_only(ld, NULL, 0);
  free(names);
  *out = ld;
  return status;
}

static int cli_profile_validate(char **files, int n, const char *dir,
                                int resolve)
{
  profile **ps = calloc((size_t)n, sizeof(*ps));
  int *bad = calloc((size_t)n, sizeof(*bad));
  loader *ld = NULL;
  int i, status;

  if (!ps || !bad) {
    free(ps);
    free(bad);
    return CLI_EXIT_FAILURE;
  }
  status = cli_profile_load_all(files, n, dir, ps, bad, &ld);
  if (status == CLI_EXIT_FAILURE) {
    free(ps);
    free(bad);
    return status;
  }
  for (i = 0; i < n; i++) {
    if (!ps[i])
      continue;
    if (cli_profile_check(ps[i], ld, resolve, bad[i]) != CLI_EXIT_OK)
      status = CLI_EXIT_PROFILE;
    else
      printf("%s: ok (profile %s, %zu targets, %zu plugins)\n", files[i],
             ps[i]->name, ps[i]->n_targets, ps[i]->n_plugins);
    profile_free(ps[i]);
  }
  free(ps);
  free(bad);
  loader_free(ld);
  return status;
}

static int cli_profile_show(char *arg, const char *dir)
{
  profile *p = NULL;
  loader *ld = NULL;
  int bad = 0;
  int status = cli_profile_load_all(&arg, 1, dir, &p, &bad, &ld);

  if (status == CLI_EXIT_FAILURE)
    return status;
  if (status == CLI_EXIT_OK)
    status = cli_profile_check(p, ld, 0, bad);
  if (status == CLI_EXIT_OK) {
    printf("# profile %s from %s\n# sha256 %s\n", p->name, p->file, p->hash);
    conf_dump(p->root, stdout);
  }
  profile_free(p);
  loader_free(ld);
  return status;
}

int cli_profile(int argc, char **argv)
{
  static const struct option longopts[] = {
      {"plugin-dir", required_argument, NULL, 'P'},
      {"no-resolve", no_argument, NULL, 'N'},
      CLI_LOG_LONGOPTS,
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *dir = NULL;
  const char *sub;
  int resolve = 1;
  int c;

  optind = 1;
  while ((c = getopt_long(argc, argv, "+vqh", longopts, NULL)) != -1) {
    switch (c) {
    case 'P':
      dir = optarg;
      break;
    case 'N':
      resolve = 0;
      break;
    case 'h':
      cli_profile_usage(stdout);
      return CLI_EXIT_OK;
    default:
      if (cli_log_option(c))
        break;
      cli_profile_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    cli_profile_usage(stderr);
    return CLI_EXIT_USAGE;
  }
  sub = argv[optind++];
  /* Options may also follow the sub-command. */
  while ((c = getopt_long(argc, argv, "vqh", longopts, NULL)) != -1) {
    if (c == 'P')
      dir = optarg;
    else if (c == 'N')
      resolve = 0;
    else if (cli_log_option(c))
      continue;
    else if (c == 'h') {
      cli_profile_usage(stdout);
      return CLI_EXIT_OK;
    } else {
      cli_profile_usage(stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (strcmp(sub, "validate") && strcmp(sub, "show")) {
    fprintf(stderr,
            "bottleneck profile: unknown sub-command '%s'; use validate or "
            "show\n",
            sub);
    return CLI_EXIT_USAGE;
  }
  if (optind >= argc || (!strcmp(sub, "show") && argc - optind != 1)) {
    fprintf(stderr, "bottleneck profile %s: %s\n", sub,
            !strcmp(sub, "show") ? "give exactly one NAME or FILE"
                                 : "give at least one FILE");
    return CLI_EXIT_USAGE;
  }
  if (!strcmp(sub, "validate"))
    return cli_profile_validate(argv + optind, argc - optind, dir, resolve);
  return cli_profile_show(argv[optind], dir);
}
