/* Helpers shared by the test_grammar_*.c files: parse one API line into a Request. */
#ifndef BGPBUS_TEST_GRAMMAR_UTIL_H
#define BGPBUS_TEST_GRAMMAR_UTIL_H

#include <string.h>

#include "grammar_command.h"

static struct arena tg_arena;
static struct grammar_error tg_err;
static struct grammar_words tg_words;

static int
tg_setup(void **state)
{
    (void)state;
    arena_init(&tg_arena, 0);
    return 0;
}

static int
tg_teardown(void **state)
{
    (void)state;
    arena_free(&tg_arena);
    return 0;
}

/* The Request of a line that must parse. */
static __attribute__((unused)) Bgpbus__V1__Request *
tg_ok(const char *line)
{
    Bgpbus__V1__Request *req = NULL;
    int r = grammar_command_parse(line, strlen(line), &tg_arena, &req, &tg_words, &tg_err);

    if (r != GRAMMAR_COMMAND_REQUEST)
        print_error("line '%s': word %d: %s\n", line, tg_err.word, tg_err.msg);
    assert_int_equal(r, GRAMMAR_COMMAND_REQUEST);
    assert_non_null(req);
    return req;
}

/* A line that must fail, at word `word`, with a message containing `msg`. */
static __attribute__((unused)) void
tg_fail(const char *line, int word, const char *msg)
{
    Bgpbus__V1__Request *req = NULL;
    int r = grammar_command_parse(line, strlen(line), &tg_arena, &req, &tg_words, &tg_err);

    if (r != -1 || tg_err.word != word || strstr(tg_err.msg, msg) == NULL)
        print_error("line '%s': r=%d word %d: '%s' (wanted word %d '%s')\n", line, r, tg_err.word,
                    tg_err.msg, word, msg);
    assert_int_equal(r, -1);
    assert_int_equal(tg_err.word, word);
    assert_non_null(strstr(tg_err.msg, msg));
}

/* The single route of an announce line. */
static __attribute__((unused)) Bgpbus__V1__Route *
tg_route(const char *line)
{
    Bgpbus__V1__Request *req = tg_ok(line);

    assert_int_equal(req->command_case, BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE);
    assert_int_equal(req->announce->n_routes, 1);
    return req->announce->routes[0];
}

static __attribute__((unused)) void
tg_assert_bytes(ProtobufCBinaryData b, const void *want, size_t len)
{
    assert_int_equal(b.len, len);
    assert_memory_equal(b.data, want, len);
}

#endif
