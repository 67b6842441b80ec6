/* bus_cli.c: the command-line options every bgpbus service shares (see bus_cli.h). */
#include "bus_cli.h"

#include <stdio.h>

#include "log.h"

int
bus_cli_option(struct bus_cli *cli, const char *prog, int opt, const char *arg)
{
    switch (opt) {
    case 'C': cli->command_url = arg; return 1;
    case 'E': cli->events_url = arg; return 1;
    case BUS_CLI_TLS_CERT: cli->tls.cert = arg; return 1;
    case BUS_CLI_TLS_KEY: cli->tls.key = arg; return 1;
    case BUS_CLI_TLS_CA: cli->tls.ca = arg; return 1;
    case BUS_CLI_TLS_SERVER_NAME: cli->tls.server_name = arg; return 1;
    case 'l': {
        enum log_level lv;
        if (log_level_parse(arg, &lv) < 0) {
            fprintf(stderr, "%s: unknown log level '%s' (error, warn, info, debug)\n", prog, arg);
            return -1;
        }
        log_set_level(lv);
        return 1;
    }
    default: return 0;
    }
}

const struct bus_tls *
bus_cli_tls(const struct bus_cli *cli)
{
    const struct bus_tls *t = &cli->tls;
    return t->cert || t->key || t->ca || t->server_name ? t : NULL;
}
