/* Unit tests of the envelope codec (broker/rpc/envelope.c): every field
 * survives a round trip, every bound is enforced at its exact limit, and
 * method names are checked for shape and alphabet. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "rpc/envelope.h"

/* Encodes env, failing the test if encoding fails. */
static uint8_t *encode(const rpc_envelope *env, size_t *len)
{
    uint8_t *buf = NULL;

    cr_assert_eq(rpc_envelope_encode(env, &buf, len), 0);
    cr_assert_not_null(buf);
    return buf;
}

/* A string of n copies of c, for length limits; free() it. */
static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);

    cr_assert_not_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* Encodes env and decodes it again, returning decode's result and
 * leaving the decoded envelope (or NULL), call id and status in the
 * out-parameters. */
static int reencode(const rpc_envelope *env, rpc_envelope **out, uint64_t *call_id, synd_status *st)
{
    size_t len;
    uint8_t *buf = encode(env, &len);
    int rc = rpc_envelope_decode(buf, len, out, call_id, st);

    free(buf);
    return rc;
}

Test(envelope, round_trip_keeps_every_field)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT, *got;
    Synd__V1__MetadataEntry m0 = SYND__V1__METADATA_ENTRY__INIT;
    Synd__V1__MetadataEntry m1 = SYND__V1__METADATA_ENTRY__INIT;
    Synd__V1__MetadataEntry *meta[] = {&m0, &m1};
    Synd__V1__Status status = SYND__V1__STATUS__INIT;
    uint8_t payload[] = {0x00, 0x01, 0xfe, 0xff, 0x0a};
    uint64_t call_id = 0;
    synd_status st;

    m0.key = "trace";
    m0.value = "abc";
    m1.key = "bank";
    m1.value = "ICBC";
    status.code = SYND_NOT_FOUND;
    status.message = "no such facility";
    env.call_id = UINT64_MAX - 7;
    env.method = "/synd.v1.Health/Check";
    env.deadline_ms = 1700000000123;
    env.idempotency_key = "idem-42";
    env.n_metadata = 2;
    env.metadata = meta;
    env.payload.data = payload;
    env.payload.len = sizeof(payload);
    env.status = &status;
    env.end_of_stream = 1;
    env.cancel = 1;

    cr_assert_eq(reencode(&env, &got, &call_id, &st), 0, "decode failed: %s", st.message);
    cr_assert_not_null(got);
    cr_assert_eq(call_id, UINT64_MAX - 7);
    cr_assert_eq(got->call_id, UINT64_MAX - 7);
    cr_assert_str_eq(got->method, "/synd.v1.Health/Check");
    cr_assert_eq(got->deadline_ms, 1700000000123);
    cr_assert_str_eq(got->idempotency_key, "idem-42");
    cr_assert_eq(got->n_metadata, 2);
    cr_assert_str_eq(got->metadata[0]->key, "trace");
    cr_assert_str_eq(got->metadata[0]->value, "abc");
    cr_assert_str_eq(got->metadata[1]->key, "bank");
    cr_assert_str_eq(got->metadata[1]->value, "ICBC");
    cr_assert_eq(got->payload.len, sizeof(payload));
    cr_assert_arr_eq(got->payload.data, payload, sizeof(payload));
    cr_assert_not_null(got->status);
    cr_assert_eq(got->status->code, SYND_NOT_FOUND);
    cr_assert_str_eq(got->status->message, "no such facility");
    cr_assert(got->end_of_stream);
    cr_assert(got->cancel);
    cr_assert_eq(rpc_envelope_check_request(got, &st), 0);
    rpc_envelope_free(got);
}

Test(envelope, round_trip_of_defaults_leaves_fields_empty)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT, *got;
    uint64_t call_id = 99;
    synd_status st;

    cr_assert_eq(reencode(&env, &got, &call_id, &st), 0);
    cr_assert_eq(call_id, 0);
    cr_assert_str_eq(got->method, "");
    cr_assert_eq(got->deadline_ms, 0);
    cr_assert_eq(got->n_metadata, 0);
    cr_assert_eq(got->payload.len, 0);
    cr_assert_null(got->status);
    cr_assert_not(got->end_of_stream);
    cr_assert_not(got->cancel);
    rpc_envelope_free(got);
}

Test(envelope, garbage_is_invalid_argument_with_no_call_id)
{
    const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x07};
    rpc_envelope *got = (rpc_envelope *)1;
    uint64_t call_id = 77;
    synd_status st = {SYND_OK, ""};

    cr_assert_eq(rpc_envelope_decode(garbage, sizeof(garbage), &got, &call_id, &st), -1);
    cr_assert_null(got);
    cr_assert_eq(call_id, 0);
    cr_assert_eq(st.code, SYND_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(st.message, "11 bytes is not a valid synd.v1.Envelope"), "%s",
                       st.message);
}

Test(envelope, truncated_encoding_is_refused)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT, *got = NULL;
    uint8_t payload[64];
    uint64_t call_id = 0;
    size_t len;
    uint8_t *buf;
    synd_status st;

    memset(payload, 0xab, sizeof(payload));
    env.call_id = 5;
    env.method = "/synd.v1.Health/Check";
    env.payload.data = payload;
    env.payload.len = sizeof(payload); /* the last field: truncation cuts into it */
    buf = encode(&env, &len);
    for (size_t cut = 1; cut <= sizeof(payload); cut++) {
        cr_assert_eq(rpc_envelope_decode(buf, len - cut, &got, &call_id, &st), -1,
                     "decoded with %zu bytes cut", cut);
        cr_assert_null(got);
        cr_assert_eq(st.code, SYND_INVALID_ARGUMENT);
    }
    free(buf);
}

Test(envelope, empty_frame_is_an_empty_envelope_without_a_method)
{
    rpc_envelope *got = NULL;
    uint64_t call_id = 3;
    synd_status st = {SYND_OK, ""};
    const uint8_t none[1] = {0};

    cr_assert_eq(rpc_envelope_decode(none, 0, &got, &call_id, &st), 0);
    cr_assert_not_null(got);
    cr_assert_eq(call_id, 0);
    cr_assert_eq(got->call_id, 0);
    cr_assert_not(got->cancel);
    cr_assert_eq(rpc_envelope_check_request(got, &st), -1);
    cr_assert_eq(st.code, SYND_INVALID_ARGUMENT);
    cr_assert_str_eq(st.message, "envelope has no method name");
    rpc_envelope_free(got);
}

Test(envelope, frame_over_the_limit_is_refused_before_parsing)
{
    /* Zeros would parse as field 0 if read: only the length check refuses it. */
    uint8_t *big = calloc(RPC_MAX_FRAME + 1, 1);
    rpc_envelope *got = (rpc_envelope *)1;
    uint64_t call_id = 1;
    synd_status st;

    cr_assert_not_null(big);
    cr_assert_eq(rpc_envelope_decode(big, RPC_MAX_FRAME + 1, &got, &call_id, &st), -1);
    cr_assert_null(got);
    cr_assert_eq(call_id, 0);
    cr_assert_eq(st.code, SYND_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(st.message, "exceeds the 1048576-byte limit"), "%s", st.message);
    free(big);
}

Test(envelope, frame_at_the_limit_is_parsed)
{
    /* One payload field filling exactly RPC_MAX_FRAME bytes on the wire. */
    rpc_envelope env = SYND__V1__ENVELOPE__INIT, *got = NULL;
    size_t header = 1 + 3; /* tag of field 6 and a 3-byte varint length */
    uint8_t *data = calloc(RPC_MAX_FRAME - header, 1);
    uint64_t call_id;
    size_t len;
    uint8_t *buf;
    synd_status st;

    cr_assert_not_null(data);
    env.payload.data = data;
    env.payload.len = RPC_MAX_FRAME - header;
    buf = encode(&env, &len);
    cr_assert_eq(len, RPC_MAX_FRAME);
    cr_assert_eq(rpc_envelope_decode(buf, len, &got, &call_id, &st), 0, "%s", st.message);
    cr_assert_eq(got->payload.len, RPC_MAX_FRAME - header);
    rpc_envelope_free(got);
    free(buf);
    free(data);
}

/* Decodes an envelope with call id 1234 and the given fields, expecting a
 * field check to fail with a message containing want. */
static void expect_field_refused(rpc_envelope *env, const char *want)
{
    rpc_envelope *got = (rpc_envelope *)1;
    uint64_t call_id = 0;
    synd_status st = {SYND_OK, ""};

    env->call_id = 1234;
    cr_assert_eq(reencode(env, &got, &call_id, &st), -1);
    cr_assert_null(got);
    cr_assert_eq(call_id, 1234, "call id must be reported when only a field check failed");
    cr_assert_eq(st.code, SYND_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(st.message, want), "'%s' lacks '%s'", st.message, want);
}

/* Decodes env expecting success. */
static void expect_accepted(const rpc_envelope *env)
{
    rpc_envelope *got = NULL;
    uint64_t call_id;
    synd_status st;

    cr_assert_eq(reencode(env, &got, &call_id, &st), 0, "%s", st.message);
    rpc_envelope_free(got);
}

Test(envelope, method_length_limit)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    char *at = repeat('a', RPC_MAX_METHOD), *over = repeat('a', RPC_MAX_METHOD + 1);

    env.method = at;
    expect_accepted(&env);
    env.method = over;
    expect_field_refused(&env, "method name longer than 128 bytes");
    free(at);
    free(over);
}

Test(envelope, idempotency_key_length_limit)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    char *at = repeat('k', RPC_MAX_IDEM_KEY), *over = repeat('k', RPC_MAX_IDEM_KEY + 1);

    env.idempotency_key = at;
    expect_accepted(&env);
    env.idempotency_key = over;
    expect_field_refused(&env, "idempotency key longer than 128 bytes");
    free(at);
    free(over);
}

Test(envelope, metadata_count_limit)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    Synd__V1__MetadataEntry entry = SYND__V1__METADATA_ENTRY__INIT;
    Synd__V1__MetadataEntry *meta[RPC_MAX_METADATA + 1];

    entry.key = "k";
    entry.value = "v";
    for (size_t i = 0; i < RPC_MAX_METADATA + 1; i++)
        meta[i] = &entry;
    env.metadata = meta;
    env.n_metadata = RPC_MAX_METADATA;
    expect_accepted(&env);
    env.n_metadata = RPC_MAX_METADATA + 1;
    expect_field_refused(&env, "33 metadata entries; at most 32 allowed");
}

Test(envelope, metadata_key_and_value_length_limits)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    Synd__V1__MetadataEntry ok = SYND__V1__METADATA_ENTRY__INIT;
    Synd__V1__MetadataEntry bad = SYND__V1__METADATA_ENTRY__INIT;
    Synd__V1__MetadataEntry *meta[] = {&ok, &bad};
    char *key_at = repeat('k', RPC_MAX_META_KEY), *key_over = repeat('k', RPC_MAX_META_KEY + 1);
    char *val_at = repeat('v', RPC_MAX_META_VALUE);
    char *val_over = repeat('v', RPC_MAX_META_VALUE + 1);

    env.metadata = meta;
    env.n_metadata = 2;
    ok.key = "fine";
    ok.value = "fine";
    bad.key = key_at;
    bad.value = val_at;
    expect_accepted(&env);
    bad.key = key_over;
    expect_field_refused(&env, "metadata entry 1 exceeds 64-byte key or 1024-byte value");
    bad.key = key_at;
    bad.value = val_over;
    expect_field_refused(&env, "metadata entry 1 exceeds 64-byte key or 1024-byte value");
    free(key_at);
    free(key_over);
    free(val_at);
    free(val_over);
}

/* Runs rpc_envelope_check_request on an envelope naming method. */
static int check_method(const char *method, synd_status *st)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;

    env.method = (char *)method;
    st->code = SYND_OK;
    st->message[0] = '\0';
    return rpc_envelope_check_request(&env, st);
}

Test(envelope, check_request_accepts_a_full_method_name)
{
    synd_status st;

    cr_assert_eq(check_method("/synd.v1.Health/Check", &st), 0);
    cr_assert_eq(check_method("/synd.v1.Reflection/WhoAmI", &st), 0);
    cr_assert_eq(check_method("/a_b.C9/d_E", &st), 0);
}

Test(envelope, check_request_rejects_malformed_names)
{
    const char *bad[] = {
        "",
        "Health/Check",
        "/synd.v1.Health",
        "/a/b/c",
        "/synd.v1.Health/",
        "//Check",
        "/",
        "/synd.v1.Health/Check/",
        "/synd.v1.Health/Ch eck",
        " /synd.v1.Health/Check",
        "/synd.v1.Health/Check\n",
        "/synd.v1.Health/Ch\303\251ck",
        "/synd.v1.Health/\xff",
        "/synd-v1.Health/Check",
    };
    synd_status st;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(check_method(bad[i], &st), -1, "accepted '%s'", bad[i]);
        cr_assert_eq(st.code, SYND_INVALID_ARGUMENT, "for '%s'", bad[i]);
        cr_assert_neq(st.message[0], '\0', "no reason for '%s'", bad[i]);
    }
}

Test(envelope, check_request_reasons)
{
    synd_status st;

    check_method("", &st);
    cr_assert_str_eq(st.message, "envelope has no method name");
    check_method("/synd.v1.Health/Ch eck", &st);
    cr_assert_str_eq(st.message, "method name has a character outside [A-Za-z0-9_./]");
    check_method("/synd.v1.Health/Ch\303\251ck", &st);
    cr_assert_str_eq(st.message, "method name has a character outside [A-Za-z0-9_./]");
    check_method("/a/b/c", &st);
    cr_assert_str_eq(st.message, "method name '/a/b/c' is not of the form /package.Service/Method");
}

Test(envelope, method_split_outputs)
{
    char svc[64], meth[64];

    memset(svc, 'x', sizeof(svc));
    memset(meth, 'x', sizeof(meth));
    cr_assert_eq(rpc_method_split("/synd.v1.Health/Check", svc, sizeof(svc), meth, sizeof(meth)),
                 0);
    cr_assert_str_eq(svc, "synd.v1.Health");
    cr_assert_str_eq(meth, "Check");
    cr_assert_eq(rpc_method_split("/s/m", svc, sizeof(svc), meth, sizeof(meth)), 0);
    cr_assert_str_eq(svc, "s");
    cr_assert_str_eq(meth, "m");
}

Test(envelope, method_split_rejects_other_shapes)
{
    const char *bad[] = {"", "synd.v1.Health/Check", "/synd.v1.Health", "/a/b/c", "//m", "/s/",
                         "/"};
    char svc[64], meth[64];

    cr_assert_eq(rpc_method_split(NULL, svc, sizeof(svc), meth, sizeof(meth)), -1);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(rpc_method_split(bad[i], svc, sizeof(svc), meth, sizeof(meth)), -1,
                     "split '%s'", bad[i]);
}

Test(envelope, method_split_respects_buffer_sizes)
{
    /* "synd.v1.Health" is 14 characters, "Check" 5: each needs one more for NUL. */
    char svc[15], meth[6];
    const char *full = "/synd.v1.Health/Check";

    memset(svc, '#', sizeof(svc));
    memset(meth, '#', sizeof(meth));
    cr_assert_eq(rpc_method_split(full, svc, 14, meth, 6), -1);
    cr_assert_eq(rpc_method_split(full, svc, 15, meth, 5), -1);
    cr_assert_eq(svc[0], '#', "service buffer written on failure");
    cr_assert_eq(rpc_method_split(full, svc, 15, meth, 6), 0);
    cr_assert_str_eq(svc, "synd.v1.Health");
    cr_assert_str_eq(meth, "Check");
}

Test(envelope, encode_of_an_empty_envelope_is_empty)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    size_t len = 99;
    uint8_t *buf = encode(&env, &len);

    cr_assert_eq(len, 0);
    free(buf);
}

Test(envelope, now_is_unix_milliseconds)
{
    int64_t before = (int64_t)time(NULL) * 1000, now = rpc_now_ms();

    cr_assert_geq(now, before);
    cr_assert_lt(now, before + 2000);
}

Test(envelope, free_of_null_is_harmless)
{
    rpc_envelope_free(NULL);
}
