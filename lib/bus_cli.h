/*
 * bus_cli: the command-line options every bgpbus service shares, parsed in one place:
 *   --command URL --events URL --tls-cert F --tls-key F --tls-ca F --tls-server-name N
 *   --log-level error|warn|info|debug
 *
 *   static const struct option opts[] = { BUS_CLI_LONGOPTS, { "config", ... }, { 0 } };
 *   while ((c = getopt_long(argc, argv, BUS_CLI_SHORTOPTS "c:h", opts, NULL)) != -1) {
 *       int r = bus_cli_option(&cli, c, optarg);
 *       if (r < 0) usage and exit 2;  if (r > 0) continue;  ...the program's own options
 *   }
 *   struct bus_opts o = { .url = cli.command_url, .tls = bus_cli_tls(&cli) };
 */
#ifndef BGPBUS_LIB_BUS_CLI_H
#define BGPBUS_LIB_BUS_CLI_H

#include "bus.h"

/* getopt values of the long-only options (below any printable short option). */
enum {
    BUS_CLI_TLS_CERT = 1,
    BUS_CLI_TLS_KEY,
    BUS_CLI_TLS_CA,
    BUS_CLI_TLS_SERVER_NAME,
};

#define BUS_CLI_SHORTOPTS "C:E:l:"
#define BUS_CLI_LONGOPTS                                                                           \
    { "command", required_argument, NULL, 'C' }, { "events", required_argument, NULL, 'E' },       \
        { "tls-cert", required_argument, NULL, BUS_CLI_TLS_CERT },                                 \
        { "tls-key", required_argument, NULL, BUS_CLI_TLS_KEY },                                   \
        { "tls-ca", required_argument, NULL, BUS_CLI_TLS_CA },                                     \
        { "tls-server-name", required_argument, NULL, BUS_CLI_TLS_SERVER_NAME },                   \
    {                                                                                              \
        "log-level", required_argument, NULL, 'l'                                                  \
    }

#define BUS_CLI_USAGE                                                                              \
    "[--command URL] [--events URL]\n"                                                             \
    "       [--tls-cert FILE --tls-key FILE --tls-ca FILE [--tls-server-name NAME]]\n"             \
    "       [--log-level error|warn|info|debug]"

struct bus_cli {
    const char *command_url; /* NULL: the default ipc socket */
    const char *events_url;
    struct bus_tls tls;
};

/* 1: the option was one of ours (taken); 0: not ours; -1: ours with a bad value (message on
 * stderr, prefixed with prog). */
int bus_cli_option(struct bus_cli *cli, const char *prog, int opt, const char *arg);
/* The TLS settings when any was given, else NULL (for struct bus_opts.tls). */
const struct bus_tls *bus_cli_tls(const struct bus_cli *cli);

#endif
