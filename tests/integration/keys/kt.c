/* The keys integration-test helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "kt.h"
#include "synd/v1/reflection.pb-c.h"

void kt_keygen(const harness *h, const char *name, kt_key *k)
{
    char prefix[HARNESS_PATH_MAX], key_path[HARNESS_PATH_MAX + 8];
    synd_status st;

    snprintf(prefix, sizeof(prefix), "%s/%s", h->dir, name);
    snprintf(key_path, sizeof(key_path), "%s.key", prefix);
    snprintf(k->pub_path, sizeof(k->pub_path), "%s.pub", prefix);
    cr_assert_eq(synd_keygen(prefix, k->pub, &st), 0, "%s", st.message);
    cr_assert_eq(synd_keyfile_read(key_path, k->pub, k->sec, &st), 0, "%s", st.message);
}

kt_key kt_who(const harness *h, harness_who who)
{
    kt_key k;

    memset(&k, 0, sizeof(k));
    memcpy(k.pub, h->keys[who].public_key, SYND_KEY_LEN);
    memcpy(k.sec, h->keys[who].secret_key, SYND_KEY_LEN);
    return k;
}

synd_client *kt_client(const harness *h, const kt_key *k)
{
    synd_keys keys;
    synd_status st;
    synd_client *c;

    memcpy(keys.server_public, h->broker_public, SYND_KEY_LEN);
    memcpy(keys.public_key, k->pub, SYND_KEY_LEN);
    memcpy(keys.secret_key, k->sec, SYND_KEY_LEN);
    c = synd_client_new(h->broker.endpoint, &keys, &st);
    cr_assert_not_null(c, "%s", st.message);
    return c;
}

synd_code kt_whoami(synd_client *c, char bank[64], char role[16], synd_status *st)
{
    Synd__V1__WhoAmIRequest req = SYND__V1__WHO_AM_IREQUEST__INIT;
    Synd__V1__WhoAmIResponse *me = NULL;
    synd_call_opts o = {.timeout_ms = KT_CALL_MS};
    synd_code code =
        synd_call(c, "/synd.v1.Reflection/WhoAmI", &req.base,
                  &synd__v1__who_am_iresponse__descriptor, (ProtobufCMessage **)&me, &o, st);

    if (code == SYND_OK) {
        if (bank != NULL)
            snprintf(bank, 64, "%s", me->bank_id);
        if (role != NULL)
            snprintf(role, 16, "%s", me->role);
        protobuf_c_message_free_unpacked(&me->base, NULL);
    }
    return code;
}

synd_code kt_whoami_fresh(const harness *h, const kt_key *k, char bank[64], char role[16],
                          synd_status *st)
{
    synd_client *c = kt_client(h, k);
    synd_code code = kt_whoami(c, bank, role, st);

    synd_client_free(c);
    return code;
}

int kt_wait_whoami(const harness *h, const kt_key *k, synd_code want, char bank[64], char role[16])
{
    int64_t until = harness_now_ms() + KT_WAIT_MS;
    synd_status st;

    do {
        if (kt_whoami_fresh(h, k, bank, role, &st) == want)
            return 0;
        harness_sleep_ms(50);
    } while (harness_now_ms() < until);
    fprintf(stderr, "kt: WhoAmI never answered %s within %d ms; last: %s %s\n",
            synd_code_name(want), KT_WAIT_MS, synd_code_name(st.code), st.message);
    return -1;
}

int kt_syndctl_key(const harness *h, const char *out_name, const char *const args[])
{
    const char *argv[16] = {SYNDCTL_PATH, "key"};
    char out[HARNESS_PATH_MAX + 64];
    size_t n = 2;

    for (const char *const *a = args; *a != NULL; a++) {
        cr_assert_lt(n, sizeof(argv) / sizeof(argv[0]) - 3);
        argv[n++] = *a;
    }
    argv[n++] = "--registry";
    argv[n++] = h->registry_path;
    argv[n] = NULL;
    snprintf(out, sizeof(out), "%s/%s", h->dir, out_name);
    return harness_run(argv, out);
}

int kt_wait_log(const harness *h, const char *needle)
{
    int64_t until = harness_now_ms() + KT_WAIT_MS;

    do {
        if (harness_file_contains(h->broker.log_path, needle))
            return 0;
        harness_sleep_ms(50);
    } while (harness_now_ms() < until);
    fprintf(stderr, "kt: the broker's log never said '%s' within %d ms\n", needle, KT_WAIT_MS);
    return -1;
}

char *kt_registry_read(const harness *h)
{
    FILE *f = fopen(h->registry_path, "r");
    char *text = calloc(1, 65536);
    size_t n;

    cr_assert_not_null(f);
    cr_assert_not_null(text);
    n = fread(text, 1, 65535, f);
    cr_assert_lt(n, 65535, "registry too large for the test");
    fclose(f);
    return text;
}

void kt_registry_write(const harness *h, const char *text)
{
    char tmp[HARNESS_PATH_MAX + 8];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.new", h->registry_path);
    f = fopen(tmp, "w");
    cr_assert_not_null(f);
    cr_assert_geq(fputs(text, f), 0);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(rename(tmp, h->registry_path), 0);
}

char *kt_replace(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    size_t head, n;
    char *out;

    cr_assert_not_null(at, "'%s' is not in the text", from);
    head = (size_t)(at - text);
    n = strlen(text) - strlen(from) + strlen(to);
    out = malloc(n + 1);
    cr_assert_not_null(out);
    memcpy(out, text, head);
    strcpy(out + head, to);
    strcat(out, at + strlen(from));
    return out;
}
