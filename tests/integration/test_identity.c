/* Integration: identities from CURVE keys. Unknown keys refused, each
 * registered key seen as its bank and role, and the insecure mode. */
#include <string.h>

#include <criterion/criterion.h>

#include "harness.h"

static harness h;

static void setup(void)
{
    cr_assert_eq(harness_start(&h), 0, "cannot start redis-server and syndbroker");
}

static void teardown(void)
{
    cr_expect_eq(harness_stop(&h), 0, "syndbroker did not shut down cleanly");
}

TestSuite(identity, .init = setup, .fini = teardown, .timeout = 60);

/* WhoAmI with a 3 s timeout; returns the code, the reply in *out. */
static synd_code who_am_i(synd_client *c, Synd__V1__WhoAmIResponse **out, synd_status *st)
{
    Synd__V1__WhoAmIRequest req = SYND__V1__WHO_AM_IREQUEST__INIT;
    synd_call_opts o = {.timeout_ms = 3000};

    return synd_call(c, "/synd.v1.Reflection/WhoAmI", &req.base,
                     &synd__v1__who_am_iresponse__descriptor, (ProtobufCMessage **)out, &o, st);
}

Test(identity, unknown_key_is_refused)
{
    synd_client *stranger = harness_client(&h, HARNESS_STRANGER);
    synd_client *lead = harness_client(&h, HARNESS_LEAD);
    Synd__V1__WhoAmIResponse *me;
    synd_status st;

    cr_assert_not_null(stranger);
    cr_assert_not_null(lead);
    cr_expect_eq(who_am_i(stranger, &me, &st), SYND_UNAUTHENTICATED, "stranger: %s %s",
                 synd_code_name(st.code), st.message);
    cr_expect_null(me);
    cr_expect(strstr(st.message, "registry") != NULL, "message: %s", st.message);
    cr_expect(harness_file_contains(h.broker.log_path, h.keys[HARNESS_STRANGER].public_key),
              "the broker did not log the refused key");

    cr_assert_eq(who_am_i(lead, &me, &st), SYND_OK, "lead: %s %s", synd_code_name(st.code),
                 st.message);
    cr_expect_str_eq(me->bank_id, h.keys[HARNESS_LEAD].bank_id);
    protobuf_c_message_free_unpacked(&me->base, NULL);
    synd_client_free(stranger);
    synd_client_free(lead);
}

/* A CURVE client of endpoint with who's keys, expecting the broker key
 * of this test, whatever the broker at endpoint really is. */
static synd_client *curve_client(const char *endpoint, harness_who who)
{
    synd_keys k;
    synd_status st;
    synd_client *c;

    memcpy(k.server_public, h.broker_public, SYND_KEY_LEN);
    memcpy(k.public_key, h.keys[who].public_key, SYND_KEY_LEN);
    memcpy(k.secret_key, h.keys[who].secret_key, SYND_KEY_LEN);
    c = synd_client_new(endpoint, &k, &st);
    cr_assert_not_null(c, "%s", st.message);
    return c;
}

Test(identity, wrong_server_key_is_refused)
{
    synd_keys k;
    synd_status st;
    Synd__V1__WhoAmIResponse *me;
    synd_client *c;

    /* A registered client that expects another broker's key. */
    memcpy(k.server_public, h.keys[HARNESS_STRANGER].public_key, SYND_KEY_LEN);
    memcpy(k.public_key, h.keys[HARNESS_LEAD].public_key, SYND_KEY_LEN);
    memcpy(k.secret_key, h.keys[HARNESS_LEAD].secret_key, SYND_KEY_LEN);
    c = synd_client_new(h.broker.endpoint, &k, &st);
    cr_assert_not_null(c, "%s", st.message);
    cr_expect_eq(who_am_i(c, &me, &st), SYND_UNAUTHENTICATED, "%s %s", synd_code_name(st.code),
                 st.message);
    synd_client_free(c);
}

Test(identity, who_am_i_matches_registry)
{
    static const harness_who roles[] = {HARNESS_LEAD, HARNESS_PARTICIPANT, HARNESS_SUPERVISOR,
                                        HARNESS_OPERATOR};

    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        const harness_key *k = &h.keys[roles[i]];
        synd_client *c = harness_client(&h, roles[i]);
        Synd__V1__WhoAmIResponse *me;
        synd_status st;

        cr_assert_not_null(c);
        cr_assert_eq(who_am_i(c, &me, &st), SYND_OK, "%s: %s %s", k->role, synd_code_name(st.code),
                     st.message);
        cr_expect_str_eq(me->bank_id, k->bank_id, "key of %s/%s", k->bank_id, k->role);
        cr_expect_str_eq(me->role, k->role, "key of %s/%s", k->bank_id, k->role);
        protobuf_c_message_free_unpacked(&me->base, NULL);
        synd_client_free(c);
    }
}

Test(identity, insecure_broker_is_anonymous)
{
    synd_client *plain, *curve;
    Synd__V1__WhoAmIResponse *me;
    synd_status st;

    cr_assert_eq(harness_broker_start(&h, &h.plain, 1), 0, "cannot start an --insecure broker");
    plain = harness_client_at(&h, &h.plain, HARNESS_LEAD);
    cr_assert_not_null(plain);
    cr_expect_eq(harness_health(plain, "", 3000), HARNESS_SERVING);
    cr_assert_eq(who_am_i(plain, &me, &st), SYND_OK, "%s %s", synd_code_name(st.code), st.message);
    cr_expect_str_eq(me->bank_id, "", "an insecure peer has no bank");
    cr_expect_str_eq(me->role, "none");
    protobuf_c_message_free_unpacked(&me->base, NULL);
    synd_client_free(plain);

    /* Neither side accepts the other's mechanism. */
    plain = synd_client_new(h.broker.endpoint, NULL, &st);
    cr_assert_not_null(plain, "%s", st.message);
    cr_expect_eq(who_am_i(plain, &me, &st), SYND_UNAUTHENTICATED,
                 "plain client, secure broker: %s %s", synd_code_name(st.code), st.message);
    synd_client_free(plain);
    curve = curve_client(h.plain.endpoint, HARNESS_LEAD);
    cr_expect_eq(who_am_i(curve, &me, &st), SYND_UNAUTHENTICATED,
                 "CURVE client, insecure broker: %s %s", synd_code_name(st.code), st.message);
    synd_client_free(curve);
}
