/*
 * ExaBGP API command lines (SPEC 2.2-2.9) -> bgpbus.v1 Requests: the neighbor selector prefix,
 * announce/withdraw of every route form (grammar_route.h), watchdogs, eor, route-refresh,
 * operational, and the control commands that map to one Request (teardown, shutdown, reload,
 * restart, version, flush, flush adj-rib out, clear adj-rib). `show …`, `help`, `reset`, `ping`
 * and the like are answered by the bridge itself and are "unknown command" here.
 *
 * Everything is allocated from `arena` (arena.h) and freed when the arena is reset. Error
 * word indexes are relative to the words given (for grammar_command_parse: to the tokenised
 * line, returned in *words so the caller can quote the word).
 */
#ifndef BGPBUS_LIB_GRAMMAR_COMMAND_H
#define BGPBUS_LIB_GRAMMAR_COMMAND_H

#include <stddef.h>

#include "bgpbus/v1/request.pb-c.h"
#include "grammar_lex.h"
#include "grammar_route.h"
#include "arena.h"

/*
 * `neighbor <ip>|* { key <value> } { , neighbor … }` at the start of words (SPEC 2.2). Sets
 * *consumed to the words it used (0 and *out NULL when the line has no selector).
 */
int grammar_selector_parse(const char *const *words, size_t nwords, struct arena *arena,
                           Bgpbus__V1__NeighborSelector **out, size_t *consumed,
                           struct grammar_error *err);

/* The words after `eor`: nothing (IPv4 unicast) or `<afi> <safi>`. */
int grammar_eor_parse(const char *const *words, size_t nwords, struct arena *arena,
                      Bgpbus__V1__EndOfRib **out, struct grammar_error *err);

/* The words after `route-refresh` / `refresh`: `<afi> <safi>`. */
int grammar_refresh_parse(const char *const *words, size_t nwords, struct arena *arena,
                          Bgpbus__V1__RouteRefresh **out, struct grammar_error *err);

/* The words after `operational` (SPEC 2.8). *out is NULL for an unknown message word, which
 * ExaBGP acknowledges and ignores. */
int grammar_operational_parse(const char *const *words, size_t nwords, struct arena *arena,
                              Bgpbus__V1__Operational **out, struct grammar_error *err);

enum grammar_command_status {
    GRAMMAR_COMMAND_REQUEST = 0, /* *out is the Request to send */
    GRAMMAR_COMMAND_IGNORED = 1, /* a comment, or a command ExaBGP answers `done` to and ignores */
};

/*
 * One API line (without its newline): tokenises it (SPEC 1.4) into *words and parses it.
 * Returns a grammar_command_status, or -1 with err set (err->word indexes words->w).
 */
int grammar_command_parse(const char *line, size_t len, struct arena *arena,
                          Bgpbus__V1__Request **out, struct grammar_words *words,
                          struct grammar_error *err);

#endif
