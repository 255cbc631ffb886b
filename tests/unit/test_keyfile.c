/* Unit tests of CurveZMQ key files (client/keyfile.c): synd_keygen writes
 * a private .key and a public .pub, never overwrites, and
 * synd_keyfile_read reads back exactly what was written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <zmq.h>

#include "synd/synd.h"

static char dir[64];
static char prefix[128], key_path[160], pub_path[160], other_path[160];

/* Each test gets its own folder; files are named after prefix "bank". */
static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/synd-unit-keyfile-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(prefix, sizeof(prefix), "%s/bank", dir);
    snprintf(key_path, sizeof(key_path), "%s.key", prefix);
    snprintf(pub_path, sizeof(pub_path), "%s.pub", prefix);
    snprintf(other_path, sizeof(other_path), "%s/other.key", dir);
}

static void teardown(void)
{
    unlink(key_path);
    unlink(pub_path);
    unlink(other_path);
    rmdir(dir);
}

TestSuite(keyfile, .init = setup, .fini = teardown);

static void write_file(const char *p, const char *text)
{
    FILE *f = fopen(p, "w");

    cr_assert_not_null(f);
    cr_assert_eq(fputs(text, f) >= 0, 1);
    cr_assert_eq(fclose(f), 0);
}

/* Reads a whole small file into buf as a string. */
static void read_file(const char *p, char *buf, size_t size)
{
    FILE *f = fopen(p, "r");
    size_t n;

    cr_assert_not_null(f, "cannot open %s", p);
    n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

Test(keyfile, keygen_writes_a_private_key_file_and_a_public_one)
{
    char pub[SYND_KEY_LEN], rpub[SYND_KEY_LEN], rsec[SYND_KEY_LEN], derived[SYND_KEY_LEN];
    synd_status st = {SYND_OK, ""};
    struct stat sb;

    memset(pub, 0, sizeof(pub));
    cr_assert_eq(synd_keygen(prefix, pub, &st), 0, "%s", st.message);
    cr_assert_eq(strlen(pub), 40);

    cr_assert_eq(stat(key_path, &sb), 0);
    cr_assert_eq(sb.st_mode & 0777, 0600, "mode of .key is %o", sb.st_mode & 0777);
    cr_assert_eq(stat(pub_path, &sb), 0);
    cr_assert_eq(sb.st_mode & 0077 & ~0044, 0, "mode of .pub is %o", sb.st_mode & 0777);

    cr_assert_eq(synd_keyfile_read(key_path, rpub, rsec, &st), 0, "%s", st.message);
    cr_assert_str_eq(rpub, pub);
    cr_assert_eq(strlen(rsec), 40);
    cr_assert_str_neq(rsec, rpub);
    /* The secret key really is the public key's other half. */
    cr_assert_eq(zmq_curve_public(derived, rsec), 0);
    cr_assert_str_eq(derived, pub);

    memset(rpub, 0, sizeof(rpub));
    cr_assert_eq(synd_keyfile_read(pub_path, rpub, NULL, &st), 0, "%s", st.message);
    cr_assert_str_eq(rpub, pub);
}

Test(keyfile, public_file_holds_no_secret)
{
    char pub[SYND_KEY_LEN], rpub[SYND_KEY_LEN], rsec[SYND_KEY_LEN], text[1024];
    synd_status st = {SYND_OK, ""};

    cr_assert_eq(synd_keygen(prefix, pub, &st), 0, "%s", st.message);
    read_file(pub_path, text, sizeof(text));
    cr_assert_null(strstr(text, "secret"), "%s", text);
    cr_assert_not_null(strstr(text, pub));

    cr_assert_eq(synd_keyfile_read(pub_path, rpub, rsec, &st), -1);
    cr_assert_eq(st.code, SYND_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(st.message, "no secret_key setting"), "%s", st.message);
}

Test(keyfile, keygen_accepts_a_null_public_key_output)
{
    char rpub[SYND_KEY_LEN];
    synd_status st = {SYND_OK, ""};

    cr_assert_eq(synd_keygen(prefix, NULL, &st), 0, "%s", st.message);
    cr_assert_eq(synd_keyfile_read(pub_path, rpub, NULL, &st), 0, "%s", st.message);
}

Test(keyfile, keygen_refuses_to_overwrite)
{
    char pub[SYND_KEY_LEN], again[SYND_KEY_LEN], before_key[1024], before_pub[1024];
    char after[1024];
    synd_status st = {SYND_OK, ""};

    cr_assert_eq(synd_keygen(prefix, pub, &st), 0, "%s", st.message);
    read_file(key_path, before_key, sizeof(before_key));
    read_file(pub_path, before_pub, sizeof(before_pub));

    cr_assert_eq(synd_keygen(prefix, again, &st), -1);
    cr_assert_eq(st.code, SYND_ALREADY_EXISTS);
    cr_assert_not_null(strstr(st.message, key_path), "%s", st.message);
    read_file(key_path, after, sizeof(after));
    cr_assert_str_eq(after, before_key);
    read_file(pub_path, after, sizeof(after));
    cr_assert_str_eq(after, before_pub);
}

Test(keyfile, keygen_leaves_no_half_pair_when_the_pub_exists)
{
    char pub[SYND_KEY_LEN];
    synd_status st = {SYND_OK, ""};
    char after[64];

    write_file(pub_path, "keep me\n");
    cr_assert_eq(synd_keygen(prefix, pub, &st), -1);
    cr_assert_eq(st.code, SYND_ALREADY_EXISTS);
    cr_assert_not_null(strstr(st.message, pub_path), "%s", st.message);
    cr_assert_neq(access(key_path, F_OK), 0, ".key of a refused pair was left behind");
    read_file(pub_path, after, sizeof(after));
    cr_assert_str_eq(after, "keep me\n");
}

Test(keyfile, keygen_in_a_missing_folder_fails)
{
    char p[200], pub[SYND_KEY_LEN];
    synd_status st = {SYND_OK, ""};

    snprintf(p, sizeof(p), "%s/no/such/dir/bank", dir);
    cr_assert_eq(synd_keygen(p, pub, &st), -1);
    cr_assert_neq(st.code, SYND_OK);
    cr_assert_not_null(strstr(st.message, "cannot create"), "%s", st.message);
}

Test(keyfile, read_of_a_missing_file_is_not_found)
{
    char pub[SYND_KEY_LEN], sec[SYND_KEY_LEN];
    synd_status st = {SYND_OK, ""};

    cr_assert_eq(synd_keyfile_read(key_path, pub, sec, &st), -1);
    cr_assert_eq(st.code, SYND_NOT_FOUND);
    cr_assert_not_null(strstr(st.message, key_path), "%s", st.message);
}

Test(keyfile, read_of_a_malformed_file_is_invalid_argument)
{
    char pub[SYND_KEY_LEN], sec[SYND_KEY_LEN];
    synd_status st = {SYND_OK, ""};

    write_file(other_path, "public_key = \"unterminated;\n");
    cr_assert_eq(synd_keyfile_read(other_path, pub, sec, &st), -1);
    cr_assert_eq(st.code, SYND_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(st.message, other_path), "%s", st.message);
}

Test(keyfile, read_refuses_keys_that_are_not_z85)
{
    char pub[SYND_KEY_LEN], sec[SYND_KEY_LEN];
    synd_status st = {SYND_OK, ""};

    write_file(other_path, "public_key = \"tooshort\";\n");
    cr_assert_eq(synd_keyfile_read(other_path, pub, NULL, &st), -1);
    cr_assert_eq(st.code, SYND_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(st.message, "public_key is not a 40-character Z85 key"), "%s",
                       st.message);

    unlink(other_path);
    write_file(other_path, "secret_key = \"x\";\n");
    cr_assert_eq(synd_keyfile_read(other_path, pub, sec, &st), -1);
    cr_assert_eq(st.code, SYND_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(st.message, "no public_key setting"), "%s", st.message);
}
