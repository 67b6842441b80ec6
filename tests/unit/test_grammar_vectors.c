/*
 * The reference command lines: every line of tests/data/vectors/seed-commands.txt, and every
 * record of tests/data/vectors/commands.jsonl (ExaBGP's corpus, BSD-3-Clause, Exa Networks).
 * Accepted lines must parse; `# error` seed lines and records that neither ExaBGP 4.2 accepted
 * nor main encoded must fail. Where ExaBGP's UPDATE bytes are given, the parsed prefix, next
 * hop and communities are checked against them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "test_grammar_util.h"

static char *
tv_path(const char *file)
{
    const char *src = getenv("BGPBUS_SOURCE");
    static char path[4096];

    snprintf(path, sizeof(path), "%s/tests/data/vectors/%s", src != NULL ? src : "..", file);
    return path;
}

static void
test_seed_commands(void **state)
{
    FILE *f = fopen(tv_path("seed-commands.txt"), "r");
    char line[1024];
    int ok = 0, rejected = 0;

    (void)state;
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        char *hash = strstr(line, "# error");
        size_t len = strcspn(line, "\n");
        Bgpbus__V1__Request *req = NULL;
        int r;

        line[len] = '\0';
        if (line[0] == '#' || len == 0)
            continue;
        if (hash != NULL)
            *hash = '\0';
        r = grammar_command_parse(line, strlen(line), &tg_arena, &req, &tg_words, &tg_err);
        if (hash != NULL) {
            if (r != -1)
                print_error("seed line should fail: %s\n", line);
            assert_int_equal(r, -1);
            assert_true(strlen(tg_err.msg) > 0);
            rejected++;
        } else {
            if (r != GRAMMAR_COMMAND_REQUEST)
                print_error("seed line '%s': word %d: %s\n", line, tg_err.word, tg_err.msg);
            assert_int_equal(r, GRAMMAR_COMMAND_REQUEST);
            ok++;
        }
        arena_reset(&tg_arena);
    }
    fclose(f);
    print_message("seed-commands.txt: %d accepted, %d rejected as expected\n", ok, rejected);
    assert_int_equal(rejected, 2);
    assert_true(ok >= 30);
}

/* The JSON string value after `"key": "` in rec, unescaped into out. */
static bool
tv_json_string(const char *rec, const char *key, char *out, size_t max)
{
    char pat[64];
    const char *p;
    size_t n = 0;

    snprintf(pat, sizeof(pat), "\"%s\": \"", key);
    p = strstr(rec, pat);
    if (p == NULL)
        return false;
    for (p += strlen(pat); *p != '"' && *p != '\0' && n + 1 < max; p++) {
        if (*p == '\\' && p[1] != '\0')
            p++;
        out[n++] = *p;
    }
    out[n] = '\0';
    return *p == '"';
}

/* The first hex string of the `"messages": [ … ]` array in a record's section. */
static bool
tv_first_message(const char *section, char *out, size_t max)
{
    const char *p = strstr(section, "\"messages\": [\"");
    size_t n = 0;

    if (p == NULL)
        return false;
    for (p += 14; *p != '"' && *p != '\0' && n + 1 < max; p++)
        out[n++] = *p;
    out[n] = '\0';
    return *p == '"' && n > 0;
}

static bool
tv_json_true(const char *rec, const char *key)
{
    char pat[64];

    snprintf(pat, sizeof(pat), "\"%s\": true", key);
    return strstr(rec, pat) != NULL;
}

/* Hex of the prefix facts of a route, to find in ExaBGP's UPDATE; false for other families. */
static bool
tv_check_bytes(const Bgpbus__V1__Route *r, const Bgpbus__V1__Attributes *shared, const char *msg)
{
    const Bgpbus__V1__Attributes *a = r->attributes != NULL ? r->attributes : shared;
    const Bgpbus__V1__Prefix *p;
    char hex[256];
    size_t n = 0, k;

    if (r->nlri->nlri_case == BGPBUS__V1__NLRI__NLRI_UNICAST)
        p = r->nlri->unicast;
    else if (r->nlri->nlri_case == BGPBUS__V1__NLRI__NLRI_MULTICAST)
        p = r->nlri->multicast;
    else
        return false;
    /* RFC 4271 4.3: length octet + the significant octets of the prefix. */
    n += (size_t)snprintf(hex + n, sizeof(hex) - n, "%02X", p->length);
    for (k = 0; k < (p->length + 7) / 8; k++)
        n += (size_t)snprintf(hex + n, sizeof(hex) - n, "%02X", p->address.data[k]);
    /* IPv4: the NLRI field; IPv6: inside MP_(UN)REACH_NLRI. Either way these octets. */
    assert_non_null(strstr(msg, hex));
    if (a == NULL)
        return true;
    if (a->next_hop != NULL && a->next_hop->address.len == 4) {
        const uint8_t *nh = a->next_hop->address.data;

        snprintf(hex, sizeof(hex), "400304%02X%02X%02X%02X", nh[0], nh[1], nh[2], nh[3]);
        assert_non_null(strstr(msg, hex));
    }
    if (a->n_communities > 0 && a->n_communities < 8) {
        n = (size_t)snprintf(hex, sizeof(hex), "C008%02X", (unsigned)(a->n_communities * 4));
        for (k = 0; k < a->n_communities; k++)
            n += (size_t)snprintf(hex + n, sizeof(hex) - n, "%08X", a->communities[k]);
        assert_non_null(strstr(msg, hex));
    }
    if (a->has_med) {
        snprintf(hex, sizeof(hex), "800404%08X", a->med);
        assert_non_null(strstr(msg, hex));
    }
    if (a->has_local_pref) {
        snprintf(hex, sizeof(hex), "400504%08X", a->local_pref);
        assert_non_null(strstr(msg, hex));
    }
    return true;
}

static void
test_commands_jsonl(void **state)
{
    FILE *f = fopen(tv_path("commands.jsonl"), "r");
    static char rec[1 << 16], cmd[4096], msg[8192];
    int total = 0, parsed = 0, rejected = 0, checked = 0;

    (void)state;
    assert_non_null(f);
    while (fgets(rec, sizeof(rec), f) != NULL) {
        const char *v42 = strstr(rec, "\"v42\":"), *main_part = strstr(rec, "\"main\":");
        Bgpbus__V1__Request *req = NULL;
        bool accept;
        int r;

        if (strchr(rec, '{') == NULL)
            continue;
        assert_non_null(v42);
        assert_non_null(main_part);
        assert_true(tv_json_string(rec, "cmd", cmd, sizeof(cmd)));
        total++;
        /* 4.2's syntax, and main's where 4.2 rejected it (SPEC 2.12: AS_SET forms). */
        accept = tv_json_true(v42, "accepted") || tv_json_true(main_part, "encoded");
        r = grammar_command_parse(cmd, strlen(cmd), &tg_arena, &req, &tg_words, &tg_err);
        if (!accept) {
            if (r != -1)
                print_error("should be rejected: %s\n", cmd);
            assert_int_equal(r, -1);
            rejected++;
            arena_reset(&tg_arena);
            continue;
        }
        if (r != GRAMMAR_COMMAND_REQUEST)
            print_error("record '%s': word %d: %s\n", cmd, tg_err.word, tg_err.msg);
        assert_int_equal(r, GRAMMAR_COMMAND_REQUEST);
        parsed++;
        /* The first message of 4.2 (or of main when 4.2 rejected the line). */
        if (tv_first_message(tv_json_true(v42, "accepted") ? v42 : main_part, msg, sizeof(msg))) {
            if (req->command_case == BGPBUS__V1__REQUEST__COMMAND_ANNOUNCE) {
                checked += tv_check_bytes(req->announce->routes[0], req->announce->attributes, msg);
            } else if (req->command_case == BGPBUS__V1__REQUEST__COMMAND_WITHDRAW) {
                checked += tv_check_bytes(req->withdraw->routes[0], NULL, msg);
            }
        }
        arena_reset(&tg_arena);
    }
    fclose(f);
    print_message("commands.jsonl: %d records, %d parsed, %d rejected as ExaBGP did, "
                  "%d checked against the UPDATE bytes\n",
                  total, parsed, rejected, checked);
    assert_int_equal(parsed + rejected, total);
    assert_true(total >= 59);
    assert_true(checked >= 20);
}

/* A batch of many lines through one arena, freed at once (and no per-line leak). */
static void
test_batch(void **state)
{
    char line[128];
    size_t used_before;
    int k;

    (void)state;
    arena_reset(&tg_arena);
    for (k = 0; k < 20000; k++) {
        Bgpbus__V1__Request *req = NULL;

        snprintf(line, sizeof(line), "announce route 10.%d.%d.0/24 next-hop 192.0.2.1 med %d",
                 (k >> 8) & 255, k & 255, k);
        assert_int_equal(
            grammar_command_parse(line, strlen(line), &tg_arena, &req, &tg_words, &tg_err),
            GRAMMAR_COMMAND_REQUEST);
        assert_int_equal(req->announce->routes[0]->attributes->med, (uint32_t)k);
    }
    used_before = tg_arena.used;
    assert_true(used_before > 0);
    arena_reset(&tg_arena);
    assert_int_equal(tg_arena.used, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_commands),
        cmocka_unit_test(test_commands_jsonl),
        cmocka_unit_test(test_batch),
    };

    return cmocka_run_group_tests(tests, tg_setup, tg_teardown);
}
