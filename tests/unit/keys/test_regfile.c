/* Unit tests of syndctl's registry file editing (client/syndctl/regfile.c):
 * keys are added and revoked in a file in a fresh temporary folder, the
 * other settings survive, refusals leave the file alone, writes replace
 * the file atomically under a lock, and the broker's own loader
 * (broker/registry.c) reads every result as intended. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <zmq.h>

#include "regfile.h"
#include "registry.h"

#define NOW "2026-01-02 03:04:05 UTC"

static char dir[64];
static char path[128];
static char lead_key[41], part_key[41];

/* A CURVE public key, fresh each call. */
static void new_key(char z85[41])
{
    char secret[41];

    cr_assert_eq(zmq_curve_keypair(z85, secret), 0);
}

/* Two banks with a key each, capital figures and a borrower: the settings
 * a key edit must keep. */
static void setup(void)
{
    FILE *f;

    snprintf(dir, sizeof(dir), "/tmp/synd-unit-regfile-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/registry.conf", dir);
    new_key(lead_key);
    new_key(part_key);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "# the test's registry\n"
            "banks = (\n"
            "  { id = \"ICBC\"; name = \"工商银行\";\n"
            "    net_capital_fen = 430000000000000L; tier1_capital_fen = 370000000000000L;\n"
            "    keys = ( { role = \"lead\"; public_key = \"%s\"; } ); },\n"
            "  { id = \"BOC\"; name = \"Bank of China\"; net_capital_fen = 350000000000000L;\n"
            "    keys = ( { role = \"participant\"; public_key = \"%s\"; } ); },\n"
            "  { id = \"NEWCO\"; name = \"A bank with no keys yet\"; keys = ( ); }\n"
            ");\n"
            "borrowers = (\n"
            "  { code = \"91350100M000100Y43\"; name = \"Fujian Lithium\"; group = \"FJLE\";\n"
            "    joint_limit_fen = 90000000000L; }\n"
            ");\n",
            lead_key, part_key);
    cr_assert_eq(fclose(f), 0);
}

static void teardown(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];

    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
            unlink(p);
        }
    }
    if (d != NULL)
        closedir(d);
    rmdir(dir);
}

TestSuite(regfile, .init = setup, .fini = teardown);

/* The whole file, for checking that a refusal changed nothing. */
static char *slurp(void)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 65536);

    cr_assert_not_null(f);
    cr_assert_not_null(buf);
    fread(buf, 1, 65535, f);
    fclose(f);
    return buf;
}

/* Loads the file with the broker's loader, which must accept it. */
static registry *broker_load(void)
{
    synd_status st = {SYND_OK, ""};
    registry *r = registry_load(path, &st);

    cr_assert_not_null(r, "the broker refuses the edited file: %s", st.message);
    return r;
}

static void raw_key(const char *z85, uint8_t raw[32])
{
    cr_assert_not_null(zmq_z85_decode(raw, z85));
}

static const regfile_key *find(const regfile_key *keys, size_t n, const char *z85)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(keys[i].public_key, z85) == 0)
            return &keys[i];
    }
    return NULL;
}

Test(regfile, list_shows_each_key_with_its_bank_and_role)
{
    regfile_key *keys;
    size_t n;
    synd_status st;

    cr_assert_eq(regfile_list(path, &keys, &n, &st), 0, "%s", st.message);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(keys[0].bank_id, "ICBC");
    cr_expect_str_eq(keys[0].role, "lead");
    cr_expect_str_eq(keys[0].public_key, lead_key);
    cr_expect_eq(keys[0].revoked, 0);
    cr_expect_eq(keys[0].line, 5);
    cr_expect_str_eq(keys[1].bank_id, "BOC");
    cr_expect_str_eq(keys[1].role, "participant");
    cr_expect_str_eq(keys[1].added_at, "");
    free(keys);
}

Test(regfile, add_registers_the_key_and_keeps_every_other_setting)
{
    char key[41];
    regfile_key *keys;
    size_t n;
    synd_status st;
    registry_identity id;
    uint8_t raw[32];
    registry *r;

    new_key(key);
    cr_assert_eq(regfile_add(path, "BOC", "lead", key, NOW, &st), 0, "%s", st.message);
    cr_assert_eq(regfile_list(path, &keys, &n, &st), 0, "%s", st.message);
    cr_assert_eq(n, 3);
    cr_assert_not_null(find(keys, n, key));
    cr_expect_str_eq(find(keys, n, key)->bank_id, "BOC");
    cr_expect_str_eq(find(keys, n, key)->role, "lead");
    cr_expect_str_eq(find(keys, n, key)->added_at, NOW);
    free(keys);

    r = broker_load();
    raw_key(key, raw);
    cr_assert_eq(registry_lookup(r, raw, &id), 0);
    cr_expect_str_eq(id.bank_id, "BOC");
    cr_expect_eq(id.role, ROLE_LEAD);
    raw_key(lead_key, raw);
    cr_assert_eq(registry_lookup(r, raw, &id), 0, "the other keys stay");
    cr_expect_str_eq(id.bank_id, "ICBC");
    cr_assert_eq(registry_bank_count(r), 3);
    cr_expect_str_eq(registry_bank_at(r, 0)->name, "工商银行");
    cr_expect_eq(registry_bank_at(r, 0)->net_capital_fen, 430000000000000LL);
    cr_expect_eq(registry_bank_at(r, 0)->tier1_capital_fen, 370000000000000LL);
    cr_expect_eq(registry_bank_at(r, 1)->net_capital_fen, 350000000000000LL);
    cr_assert_eq(registry_borrower_count(r), 1);
    cr_expect_str_eq(registry_borrower_at(r, 0)->group, "FJLE");
    cr_expect_eq(registry_borrower_at(r, 0)->joint_limit_fen, 90000000000LL);
    registry_free(r);
}

Test(regfile, add_to_a_bank_without_keys_makes_its_list)
{
    char key[41];
    synd_status st;
    registry_identity id;
    uint8_t raw[32];
    registry *r;
    FILE *f = fopen(path, "w");

    /* A bank entry with no keys setting, which the broker would refuse
     * until a key is added. */
    cr_assert_not_null(f);
    fputs("banks = ( { id = \"NEWCO\"; } );\n", f);
    cr_assert_eq(fclose(f), 0);
    new_key(key);
    cr_assert_eq(regfile_add(path, "NEWCO", "participant", key, NOW, &st), 0, "%s", st.message);
    r = broker_load();
    raw_key(key, raw);
    cr_assert_eq(registry_lookup(r, raw, &id), 0);
    cr_expect_str_eq(id.bank_id, "NEWCO");
    registry_free(r);
}

Test(regfile, add_to_a_bank_with_an_empty_list)
{
    char key[41];
    synd_status st;
    regfile_key *keys;
    size_t n;

    new_key(key);
    cr_assert_eq(regfile_add(path, "NEWCO", "supervisor", key, NOW, &st), 0, "%s", st.message);
    cr_assert_eq(regfile_list(path, &keys, &n, &st), 0, "%s", st.message);
    cr_assert_eq(n, 3);
    cr_expect_str_eq(keys[2].bank_id, "NEWCO");
    cr_expect_str_eq(keys[2].role, "supervisor");
    free(keys);
}

/* Each refusal has its code, says why, and leaves the file byte for byte. */
static void expect_add_refused(const char *bank, const char *role, const char *key, synd_code code,
                               const char *want)
{
    char *before = slurp(), *after;
    synd_status st = {SYND_OK, ""};

    cr_assert_eq(regfile_add(path, bank, role, key, NOW, &st), -1);
    cr_expect_eq(st.code, code, "%s: %s", synd_code_name(st.code), st.message);
    cr_expect_not_null(strstr(st.message, want), "'%s' lacks '%s'", st.message, want);
    after = slurp();
    cr_expect_str_eq(after, before, "a refused add changed the file");
    free(before);
    free(after);
}

Test(regfile, add_refuses_duplicates_unknown_banks_bad_roles_and_bad_keys)
{
    char key[41], where[256];

    new_key(key);
    snprintf(where, sizeof(where), "%s:5: key %s is already listed for ICBC/lead", path, lead_key);
    expect_add_refused("BOC", "participant", lead_key, SYND_ALREADY_EXISTS, where);
    expect_add_refused("NOPE", "lead", key, SYND_NOT_FOUND, "no bank 'NOPE'");
    expect_add_refused("BOC", "admin", key, SYND_INVALID_ARGUMENT, "role 'admin'");
    expect_add_refused("BOC", "lead", "tooshort", SYND_INVALID_ARGUMENT, "not a public key");
}

Test(regfile, a_revoked_key_cannot_be_added_again)
{
    regfile_match m = {part_key, NULL, NULL};
    regfile_key *matched;
    size_t n;
    synd_status st;

    cr_assert_eq(regfile_revoke(path, &m, NOW, &matched, &n, &st), 0, "%s", st.message);
    free(matched);
    expect_add_refused("ICBC", "lead", part_key, SYND_ALREADY_EXISTS, "(revoked)");
}

Test(regfile, revoke_by_key_keeps_the_entry_and_the_broker_refuses_it)
{
    regfile_match m = {part_key, NULL, NULL};
    regfile_key *matched, *keys;
    size_t n;
    synd_status st;
    registry_identity id;
    uint8_t raw[32];
    registry *r;
    char *before, *after;

    cr_assert_eq(regfile_revoke(path, &m, NOW, &matched, &n, &st), 0, "%s", st.message);
    cr_assert_eq(n, 1);
    cr_expect_eq(matched[0].revoked, 0, "matched says how the key was before");
    cr_expect_str_eq(matched[0].bank_id, "BOC");
    free(matched);

    cr_assert_eq(regfile_list(path, &keys, &n, &st), 0, "%s", st.message);
    cr_assert_eq(n, 2, "a revoked key stays listed");
    cr_expect_eq(find(keys, n, part_key)->revoked, 1);
    cr_expect_str_eq(find(keys, n, part_key)->revoked_at, NOW);
    cr_expect_eq(find(keys, n, lead_key)->revoked, 0);
    free(keys);

    r = broker_load();
    raw_key(part_key, raw);
    cr_expect_eq(registry_lookup(r, raw, &id), -1);
    cr_expect_eq(registry_is_revoked(r, raw, &id), 1);
    cr_expect_str_eq(id.bank_id, "BOC");
    cr_expect_eq(registry_revoked_count(r), 1);
    registry_free(r);

    /* Again: reported as already revoked, and the file is not rewritten. */
    before = slurp();
    cr_assert_eq(regfile_revoke(path, &m, "later", &matched, &n, &st), 0, "%s", st.message);
    cr_assert_eq(n, 1);
    cr_expect_eq(matched[0].revoked, 1);
    cr_expect_str_eq(matched[0].revoked_at, NOW);
    free(matched);
    after = slurp();
    cr_expect_str_eq(after, before);
    free(after);
    free(before);
}

Test(regfile, revoke_by_bank_and_role_takes_every_such_key)
{
    char second[41];
    regfile_match m = {NULL, "BOC", "participant"}, none = {NULL, "BOC", "supervisor"};
    regfile_key *matched, *keys;
    size_t n;
    synd_status st;

    new_key(second);
    cr_assert_eq(regfile_add(path, "BOC", "participant", second, NOW, &st), 0, "%s", st.message);
    cr_assert_eq(regfile_revoke(path, &m, NOW, &matched, &n, &st), 0, "%s", st.message);
    cr_expect_eq(n, 2);
    free(matched);
    cr_assert_eq(regfile_list(path, &keys, &n, &st), 0, "%s", st.message);
    cr_expect_eq(find(keys, n, part_key)->revoked, 1);
    cr_expect_eq(find(keys, n, second)->revoked, 1);
    cr_expect_eq(find(keys, n, lead_key)->revoked, 0);
    free(keys);

    cr_assert_eq(regfile_revoke(path, &none, NOW, &matched, &n, &st), -1);
    cr_expect_eq(st.code, SYND_NOT_FOUND, "%s", st.message);
    cr_expect_null(matched);
}

Test(regfile, revoke_of_an_unknown_key_is_not_found)
{
    char key[41];
    regfile_match m = {key, NULL, NULL};
    regfile_key *matched;
    size_t n;
    synd_status st;

    new_key(key);
    cr_assert_eq(regfile_revoke(path, &m, NOW, &matched, &n, &st), -1);
    cr_expect_eq(st.code, SYND_NOT_FOUND, "%s", st.message);
    cr_expect_eq(n, 0);
}

static size_t entries_in_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    cr_assert_not_null(d);
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

Test(regfile, a_write_replaces_the_file_whole_and_keeps_its_mode)
{
    char key[41];
    struct stat before, after;
    synd_status st;

    cr_assert_eq(chmod(path, 0640), 0);
    cr_assert_eq(stat(path, &before), 0);
    new_key(key);
    cr_assert_eq(regfile_add(path, "ICBC", "operator", key, NOW, &st), 0, "%s", st.message);
    cr_assert_eq(stat(path, &after), 0);
    cr_expect_neq(after.st_ino, before.st_ino, "the new file was renamed into place");
    cr_expect_eq(after.st_mode & 07777, 0640);
    cr_expect_eq(entries_in_dir(), 1, "no temporary file is left behind");
}

Test(regfile, a_file_that_does_not_parse_is_named_with_its_line)
{
    char key[41], *before, *after, want[160];
    FILE *f = fopen(path, "a");
    synd_status st;

    cr_assert_not_null(f);
    fputs("oops = ;\n", f);
    fclose(f);
    before = slurp();
    new_key(key);
    cr_assert_eq(regfile_add(path, "BOC", "lead", key, NOW, &st), -1);
    cr_expect_eq(st.code, SYND_INVALID_ARGUMENT);
    snprintf(want, sizeof(want), "%s:14: ", path);
    cr_expect_eq(strncmp(st.message, want, strlen(want)), 0, "'%s' does not start with '%s'",
                 st.message, want);
    after = slurp();
    cr_expect_str_eq(after, before);
    free(before);
    free(after);
}

/* Writers racing each other: the lock serializes them, so no change is
 * lost to another's rename. */
Test(regfile, concurrent_adds_all_land)
{
    enum { WRITERS = 8 };
    char keys_z85[WRITERS][41];
    regfile_key *keys;
    size_t n;
    synd_status st;

    for (int i = 0; i < WRITERS; i++)
        new_key(keys_z85[i]);
    for (int i = 0; i < WRITERS; i++) {
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0)
            _exit(regfile_add(path, "BOC", "participant", keys_z85[i], NOW, &st) == 0 ? 0 : 1);
    }
    for (int i = 0; i < WRITERS; i++) {
        int status;
        cr_assert_gt(wait(&status), 0);
        cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    cr_assert_eq(regfile_list(path, &keys, &n, &st), 0, "%s", st.message);
    cr_expect_eq(n, 2 + WRITERS);
    for (int i = 0; i < WRITERS; i++)
        cr_expect_not_null(find(keys, n, keys_z85[i]), "writer %d's key was lost", i);
    free(keys);
}
