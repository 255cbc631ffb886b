/* Unit tests of the key registry (broker/registry.c), loaded from files in
 * a fresh temporary folder: a valid file maps each key to its bank and
 * role, and each kind of mistake is refused with the file and line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <zmq.h>

#include "registry.h"

static char dir[64];
static char path[128];

/* Each test gets its own folder holding one registry file. */
static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/synd-unit-registry-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/registry.cfg", dir);
}

static void teardown(void)
{
    unlink(path);
    rmdir(dir);
}

TestSuite(registry, .init = setup, .fini = teardown);

/* Writes text as the registry file. */
static void write_registry(const char *text)
{
    FILE *f = fopen(path, "w");

    cr_assert_not_null(f);
    cr_assert_eq(fputs(text, f) >= 0, 1);
    cr_assert_eq(fclose(f), 0);
}

/* A fresh CURVE public key, in Z85 and raw. */
typedef struct test_key {
    char z85[41];
    uint8_t raw[32];
} test_key;

static test_key new_key(void)
{
    test_key k;
    char secret[41];

    cr_assert_eq(zmq_curve_keypair(k.z85, secret), 0);
    cr_assert_not_null(zmq_z85_decode(k.raw, k.z85));
    return k;
}

/* Loads a registry expected to be refused, and checks that the reason
 * starts with "<path>:<line>: " (or "<path>: " when line is 0) and
 * contains want. */
static void expect_refused(int line, synd_code code, const char *want)
{
    synd_status st = {SYND_OK, ""};
    char prefix[160];

    cr_assert_null(registry_load(path, &st));
    cr_assert_eq(st.code, code, "code %d: %s", st.code, st.message);
    if (line > 0)
        snprintf(prefix, sizeof(prefix), "%s:%d: ", path, line);
    else
        snprintf(prefix, sizeof(prefix), "%s: ", path);
    cr_assert_eq(strncmp(st.message, prefix, strlen(prefix)), 0, "'%s' does not start with '%s'",
                 st.message, prefix);
    cr_assert_not_null(strstr(st.message, want), "'%s' lacks '%s'", st.message, want);
}

Test(registry, valid_file_maps_each_key_to_its_identity)
{
    test_key lead = new_key(), part = new_key(), sup = new_key(), absent = new_key();
    char text[1024];
    synd_status st = {SYND_OK, ""};
    registry *r;
    registry_identity id;

    snprintf(text, sizeof(text),
             "# two banks and a supervisor\n"
             "banks = (\n"
             "  { id = \"ICBC\"; name = \"Industrial and Commercial Bank\";\n"
             "    keys = ( { role = \"lead\"; public_key = \"%s\"; },\n"
             "             { role = \"participant\"; public_key = \"%s\"; } ); },\n"
             "  { id = \"reg_Authority-1\"; name = \"Regulator\";\n"
             "    keys = ( { role = \"supervisor\"; public_key = \"%s\"; } ); }\n"
             ");\n",
             lead.z85, part.z85, sup.z85);
    write_registry(text);
    r = registry_load(path, &st);
    cr_assert_not_null(r, "%s", st.message);
    cr_assert_eq(registry_size(r), 3);

    cr_assert_eq(registry_lookup(r, lead.raw, &id), 0);
    cr_assert_str_eq(id.bank_id, "ICBC");
    cr_assert_eq(id.role, ROLE_LEAD);
    cr_assert_eq(registry_lookup(r, part.raw, &id), 0);
    cr_assert_str_eq(id.bank_id, "ICBC");
    cr_assert_eq(id.role, ROLE_PARTICIPANT);
    cr_assert_eq(registry_lookup(r, sup.raw, &id), 0);
    cr_assert_str_eq(id.bank_id, "reg_Authority-1");
    cr_assert_eq(id.role, ROLE_SUPERVISOR);

    memset(&id, 0x5a, sizeof(id));
    cr_assert_eq(registry_lookup(r, absent.raw, &id), -1);
    cr_assert_eq(id.bank_id[0], 0x5a, "lookup of an absent key wrote the identity");
    registry_free(r);
}

Test(registry, empty_banks_list_loads_no_keys)
{
    test_key k = new_key();
    synd_status st;
    registry *r;
    registry_identity id;

    write_registry("banks = ( );\n");
    r = registry_load(path, &st);
    cr_assert_not_null(r, "%s", st.message);
    cr_assert_eq(registry_size(r), 0);
    cr_assert_eq(registry_lookup(r, k.raw, &id), -1);
    registry_free(r);
}

Test(registry, missing_file_is_not_found)
{
    synd_status st;

    cr_assert_null(registry_load(path, &st));
    cr_assert_eq(st.code, SYND_NOT_FOUND);
    cr_assert_not_null(strstr(st.message, path), "%s", st.message);
}

Test(registry, syntax_error_names_the_line)
{
    write_registry("banks = (\n  { id = = \"ICBC\"; keys = ( ); }\n);\n");
    expect_refused(2, SYND_INVALID_ARGUMENT, "syntax error");
}

Test(registry, refuses_a_missing_banks_list)
{
    write_registry("# no banks here\nbank = ( );\n");
    expect_refused(0, SYND_INVALID_ARGUMENT, "no banks = ( ... ) list");
}

Test(registry, refuses_banks_that_is_not_a_list)
{
    write_registry("banks = \"ICBC\";\n");
    expect_refused(0, SYND_INVALID_ARGUMENT, "no banks = ( ... ) list");
}

/* Writes a file whose third line is bank_line, a whole bank entry. */
static void write_with_bank(const char *bank_line)
{
    test_key ok = new_key();
    char text[2048];

    snprintf(text, sizeof(text),
             "banks = (\n"
             "  { id = \"GOOD\"; keys = ( { role = \"lead\"; public_key = \"%s\"; } ); },\n"
             "%s\n"
             ");\n",
             ok.z85, bank_line);
    write_registry(text);
}

Test(registry, refuses_bad_bank_id_characters)
{
    const char *bad[] = {"IC BC", "ICBC/lead", "ICBC.x", "\xc3\xa9", "ICBC:1"};
    test_key k = new_key();
    char line[256];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(line, sizeof(line),
                 "  { id = \"%s\"; keys = ( { role = \"lead\"; public_key = \"%s\"; } ); }", bad[i],
                 k.z85);
        write_with_bank(line);
        expect_refused(3, SYND_INVALID_ARGUMENT,
                       "bank id must be 1-63 characters of [A-Za-z0-9_-]");
    }
}

Test(registry, refuses_empty_or_missing_bank_id)
{
    write_with_bank("  { id = \"\"; keys = ( ); }");
    expect_refused(3, SYND_INVALID_ARGUMENT, "bank id must be");
    write_with_bank("  { name = \"No Id\"; keys = ( ); }");
    expect_refused(3, SYND_INVALID_ARGUMENT, "bank id must be");
}

Test(registry, bank_id_length_limit)
{
    char id[REGISTRY_MAX_ID + 1], line[256];
    synd_status st;
    registry *r;

    memset(id, 'B', REGISTRY_MAX_ID - 1);
    id[REGISTRY_MAX_ID - 1] = '\0';
    snprintf(line, sizeof(line), "  { id = \"%s\"; keys = ( ); }", id);
    write_with_bank(line);
    r = registry_load(path, &st);
    cr_assert_not_null(r, "63-character id refused: %s", st.message);
    registry_free(r);

    memset(id, 'B', REGISTRY_MAX_ID);
    id[REGISTRY_MAX_ID] = '\0';
    snprintf(line, sizeof(line), "  { id = \"%s\"; keys = ( ); }", id);
    write_with_bank(line);
    expect_refused(3, SYND_INVALID_ARGUMENT, "bank id must be 1-63 characters");
}

Test(registry, refuses_a_bank_without_a_keys_list)
{
    write_with_bank("  { id = \"NOKEYS\"; name = \"x\"; }");
    expect_refused(3, SYND_INVALID_ARGUMENT, "bank NOKEYS has no keys = ( ... ) list");
    write_with_bank("  { id = \"NOKEYS\"; keys = \"none\"; }");
    expect_refused(3, SYND_INVALID_ARGUMENT, "bank NOKEYS has no keys = ( ... ) list");
}

Test(registry, refuses_a_bad_role)
{
    const char *bad[] = {"admin", "Lead", "none", ""};
    test_key k = new_key();
    char line[256];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(line, sizeof(line),
                 "  { id = \"ROLEBANK\"; keys = ( { role = \"%s\"; public_key = \"%s\"; } ); }",
                 bad[i], k.z85);
        write_with_bank(line);
        expect_refused(3, SYND_INVALID_ARGUMENT,
                       "bank ROLEBANK: role must be lead, participant, supervisor or operator");
    }
    snprintf(line, sizeof(line), "  { id = \"ROLEBANK\"; keys = ( { public_key = \"%s\"; } ); }",
             k.z85);
    write_with_bank(line);
    expect_refused(3, SYND_INVALID_ARGUMENT, "bank ROLEBANK: role must be");
}

Test(registry, refuses_a_bad_z85_key)
{
    test_key k = new_key();
    char short_key[41], bad_char[41], long_key[42], line[256];
    const char *bad[] = {short_key, bad_char, long_key, ""};

    memcpy(short_key, k.z85, 39);
    short_key[39] = '\0';
    memcpy(bad_char, k.z85, 41);
    bad_char[7] = '~'; /* outside the Z85 alphabet */
    memcpy(long_key, k.z85, 40);
    long_key[40] = 'a';
    long_key[41] = '\0';
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(line, sizeof(line),
                 "  { id = \"KEYBANK\"; keys = ( { role = \"lead\"; public_key = \"%s\"; } ); }",
                 bad[i]);
        write_with_bank(line);
        expect_refused(3, SYND_INVALID_ARGUMENT,
                       "bank KEYBANK: public_key must be a 40-character Z85 key");
    }
    write_with_bank("  { id = \"KEYBANK\"; keys = ( { role = \"lead\"; } ); }");
    expect_refused(3, SYND_INVALID_ARGUMENT, "public_key must be a 40-character Z85 key");
}

Test(registry, refuses_a_key_registered_twice)
{
    test_key k = new_key();
    char text[1024], want[128];

    snprintf(text, sizeof(text),
             "banks = (\n"
             "  { id = \"FIRST\"; keys = ( { role = \"lead\"; public_key = \"%s\"; } ); },\n"
             "  { id = \"SECOND\"; keys = ( { role = \"participant\"; public_key = \"%s\"; } ); }\n"
             ");\n",
             k.z85, k.z85);
    write_registry(text);
    snprintf(want, sizeof(want), "key %s is registered twice (also for bank FIRST)", k.z85);
    expect_refused(3, SYND_INVALID_ARGUMENT, want);
}

Test(registry, refuses_a_key_registered_twice_in_one_bank)
{
    test_key k = new_key();
    char text[1024];

    snprintf(text, sizeof(text),
             "banks = (\n"
             "  { id = \"ONE\"; keys = (\n"
             "    { role = \"lead\"; public_key = \"%s\"; },\n"
             "    { role = \"operator\"; public_key = \"%s\"; } ); }\n"
             ");\n",
             k.z85, k.z85);
    write_registry(text);
    expect_refused(4, SYND_INVALID_ARGUMENT, "registered twice (also for bank ONE)");
}

Test(registry, role_names_round_trip)
{
    const struct {
        registry_role role;
        const char *name;
    } roles[] = {{ROLE_LEAD, "lead"},
                 {ROLE_PARTICIPANT, "participant"},
                 {ROLE_SUPERVISOR, "supervisor"},
                 {ROLE_OPERATOR, "operator"}};

    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        registry_role got = ROLE_NONE;

        cr_assert_str_eq(registry_role_name(roles[i].role), roles[i].name);
        cr_assert_eq(registry_role_parse(roles[i].name, &got), 0, "%s", roles[i].name);
        cr_assert_eq(got, roles[i].role);
    }
}

Test(registry, role_none_and_unknown_roles)
{
    registry_role got = ROLE_LEAD;

    cr_assert_str_eq(registry_role_name(ROLE_NONE), "none");
    cr_assert_str_eq(registry_role_name((registry_role)99), "none");
    cr_assert_str_eq(registry_role_name((registry_role)-1), "none");
    /* "none" names the identity of an insecure peer; no key may claim it. */
    cr_assert_eq(registry_role_parse("none", &got), -1);
    cr_assert_eq(registry_role_parse("LEAD", &got), -1);
    cr_assert_eq(registry_role_parse("", &got), -1);
    cr_assert_eq(got, ROLE_LEAD);
}
