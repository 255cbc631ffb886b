/* Unit tests of the server's security checks (broker/rpc/server.c), on a
 * server without a socket: the authorization matrix at dispatch (a
 * refused handler never runs), the observer told of refusals before
 * dispatch, the frame limit and the quotas. The Syndication and
 * Supervision services are registered without a ledger: a handler that
 * runs answers UNAVAILABLE (no books loaded), which tells it ran. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "book/terms.h"
#include "rpc/envelope.h"
#include "rpc/health.h"
#include "rpc/reflection.h"
#include "rpc/server.h"
#include "supervise/supervision.h"
#include "syndication/syndication.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/supervision.pb-c.h"
#include "synd/v1/syndication.pb-c.h"

#define MAX_SEEN 64

static const uint8_t peer[] = {0x00, 0x6b, 0x8b, 0x45, 0x67};

/* A refusal the observer was told of. */
typedef struct seen {
    char method[160], bank[64], role[16], message[600];
    synd_code code;
    int has_input;
} seen;

static seen outcomes[MAX_SEEN];
static size_t n_seen;
static rpc_server *srv;
static rpc_health *health;
static rpc_reflection *refl;
static syndication *synd;
static supervision *sup;
static book_rules rules;

/* Keeps the refusals the observer is told of; it is told of successes
 * too, which the audit trail keeps only of calls that change state. */
static void observe(void *arg, const rpc_call *c, synd_code code, const char *message)
{
    seen *s;

    if (code == SYND_OK)
        return;
    cr_assert_lt(n_seen, MAX_SEEN);
    s = &outcomes[n_seen++];
    snprintf(s->method, sizeof(s->method), "%s", rpc_call_method(c));
    snprintf(s->bank, sizeof(s->bank), "%s", rpc_call_identity(c)->bank_id);
    snprintf(s->role, sizeof(s->role), "%s", registry_role_name(rpc_call_identity(c)->role));
    snprintf(s->message, sizeof(s->message), "%s", message);
    s->code = code;
    s->has_input = rpc_call_input(c) != NULL;
}

static void start(int64_t max_msg_size, quota_opts quotas)
{
    rpc_server_opts opts = {.max_msg_size = max_msg_size, .quotas = quotas};
    synd_status st;

    n_seen = 0;
    rules = book_rules_default();
    srv = rpc_server_new(NULL, &opts, &st);
    cr_assert_not_null(srv, "%s", st.message);
    health = rpc_health_new(srv);
    refl = rpc_reflection_new(srv);
    synd = syndication_new(NULL, NULL, &rules, NULL, NULL);
    sup = supervision_new(NULL, NULL);
    cr_assert(health && refl && synd && sup);
    cr_assert_eq(rpc_server_add_service(srv, rpc_health_service(health)), 0);
    cr_assert_eq(rpc_server_add_service(srv, rpc_reflection_service(refl)), 0);
    cr_assert_eq(rpc_server_add_service(srv, syndication_service(synd)), 0);
    cr_assert_eq(rpc_server_add_service(srv, supervision_service(sup)), 0);
    rpc_health_set_serving(health, 1);
    rpc_server_set_observer(srv, observe, NULL);
}

static void setup(void)
{
    start(0, (quota_opts){0});
}

static void teardown(void)
{
    rpc_server_free(srv);
    syndication_free(synd);
    supervision_free(sup);
    rpc_health_free(health);
    rpc_reflection_free(refl);
}

TestSuite(dispatch, .init = setup, .fini = teardown);

/* Processes raw frame bytes as user_id. */
static void frame(const char *user_id, const uint8_t *data, size_t len)
{
    rpc_server_process(srv, peer, sizeof(peer), user_id, data, len);
}

/* Sends a request for method with payload msg (NULL: none) as user_id. */
static void call(const char *user_id, uint64_t call_id, const char *method,
                 const ProtobufCMessage *msg)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    uint8_t payload[4096], *buf;
    size_t len;

    env.call_id = call_id;
    env.method = (char *)method;
    if (msg != NULL) {
        cr_assert_leq(protobuf_c_message_get_packed_size(msg), sizeof(payload));
        env.payload.len = protobuf_c_message_pack(msg, payload);
        env.payload.data = payload;
    }
    cr_assert_eq(rpc_envelope_encode(&env, &buf, &len), 0);
    frame(user_id, buf, len);
    free(buf);
}

static void cancel(const char *user_id, uint64_t call_id)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    uint8_t *buf;
    size_t len;

    env.call_id = call_id;
    env.cancel = 1;
    cr_assert_eq(rpc_envelope_encode(&env, &buf, &len), 0);
    frame(user_id, buf, len);
    free(buf);
}

static rpc_stats stats(void)
{
    rpc_stats s;

    rpc_server_stats(srv, &s);
    return s;
}

/* The last outcome the observer was told, which must be code. */
static const seen *last(synd_code code)
{
    cr_assert_gt(n_seen, 0, "the observer was told nothing");
    cr_expect_eq(outcomes[n_seen - 1].code, code, "%s: %s (%s), want %s",
                 outcomes[n_seen - 1].method, synd_code_name(outcomes[n_seen - 1].code),
                 outcomes[n_seen - 1].message, synd_code_name(code));
    return &outcomes[n_seen - 1];
}

Test(dispatch, a_role_the_matrix_refuses_never_reaches_the_handler)
{
    Synd__V1__OpenBookRequest open = SYND__V1__OPEN_BOOK_REQUEST__INIT;
    Synd__V1__SubmitBidRequest bid = SYND__V1__SUBMIT_BID_REQUEST__INIT;
    Synd__V1__GetAuditLogRequest log = SYND__V1__GET_AUDIT_LOG_REQUEST__INIT;
    const seen *s;

    call("BOC-SH/participant", 1, "/synd.v1.Syndication/OpenBook", &open.base);
    s = last(SYND_PERMISSION_DENIED);
    cr_expect_str_eq(s->message, "OpenBook needs the lead role; this key is BOC-SH participant");
    cr_expect_str_eq(s->bank, "BOC-SH");
    cr_expect(s->has_input, "the refusal is recorded with the request it refused");
    call("ICBC/lead", 2, "/synd.v1.Syndication/OpenBook", &open.base);
    cr_expect(strstr(last(SYND_UNAVAILABLE)->message, "still loading") != NULL,
              "the lead's call reached the handler");

    bid.book_id = "BK-1";
    call("ICBC/lead", 3, "/synd.v1.Syndication/SubmitBid", &bid.base);
    cr_expect_str_eq(last(SYND_PERMISSION_DENIED)->message,
                     "SubmitBid needs the participant role; this key is ICBC lead");
    call("NFRA/supervisor", 4, "/synd.v1.Syndication/SubmitBid", &bid.base);
    last(SYND_PERMISSION_DENIED);
    call("BOC-SH/participant", 5, "/synd.v1.Syndication/SubmitBid", &bid.base);
    last(SYND_UNAVAILABLE);

    call("BOC-SH/participant", 6, "/synd.v1.Supervision/GetAuditLog", &log.base);
    cr_expect_str_eq(last(SYND_PERMISSION_DENIED)->message,
                     "GetAuditLog needs the supervisor role; this key is BOC-SH participant");
    call("SYND_OPS/operator", 7, "/synd.v1.Syndication/GetBook", NULL);
    last(SYND_PERMISSION_DENIED);
    cr_expect_eq(stats().calls, 2, "only the two allowed calls ran a handler");
}

Test(dispatch, an_anonymous_caller_gets_health_and_reflection_only)
{
    Synd__V1__HealthCheckRequest check = SYND__V1__HEALTH_CHECK_REQUEST__INIT;

    call(NULL, 1, "/synd.v1.Health/Check", &check.base);
    call(NULL, 2, "/synd.v1.Reflection/WhoAmI", NULL);
    cr_expect_eq(n_seen, 0, "nothing was refused");
    cr_expect_eq(stats().calls, 2);
    call(NULL, 3, "/synd.v1.Syndication/GetBook", NULL);
    cr_expect(strstr(last(SYND_PERMISSION_DENIED)->message,
                     "GetBook needs the lead, participant or supervisor role; this caller is "
                     "anonymous") != NULL,
              "%s", outcomes[n_seen - 1].message);
    cr_expect_eq(stats().calls, 2);
}

/* A refused stream holds neither a stream nor its bank's stream quota. */
Test(dispatch, a_refused_stream_is_ended_at_once)
{
    Synd__V1__WatchSupervisionRequest watch = SYND__V1__WATCH_SUPERVISION_REQUEST__INIT;

    call("ICBC/lead", 1, "/synd.v1.Supervision/WatchSupervision", &watch.base);
    last(SYND_PERMISSION_DENIED);
    cr_expect_eq(stats().open_streams, 0);
}

Test(dispatch, refusals_before_dispatch_are_observed_with_the_callers_identity)
{
    static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    static const uint8_t bad_payload[] = {0x0a, 0x10, 'a'};
    Synd__V1__HealthCheckRequest check = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    uint8_t *buf;
    size_t len;
    const seen *s;

    frame("BOC-SH/participant", garbage, sizeof(garbage));
    s = last(SYND_INVALID_ARGUMENT);
    cr_expect_str_eq(s->method, "(frame)");
    cr_expect_str_eq(s->bank, "BOC-SH");
    cr_expect_str_eq(s->role, "participant");
    cr_expect_not(s->has_input);

    call("CIB/participant", 2, "/synd.v1.Nope/Nothing", &check.base);
    s = last(SYND_UNIMPLEMENTED);
    cr_expect_str_eq(s->method, "/synd.v1.Nope/Nothing");
    cr_expect_str_eq(s->bank, "CIB");

    env.call_id = 3;
    env.method = "/synd.v1.Health/Check";
    env.payload.data = (uint8_t *)bad_payload;
    env.payload.len = sizeof(bad_payload);
    cr_assert_eq(rpc_envelope_encode(&env, &buf, &len), 0);
    frame("CIB/participant", buf, len);
    free(buf);
    s = last(SYND_INVALID_ARGUMENT);
    cr_expect_str_eq(s->method, "/synd.v1.Health/Check");
    cr_expect(strstr(s->message, "synd.v1.HealthCheckRequest") != NULL, "%s", s->message);

    env.payload.data = NULL;
    env.payload.len = 0;
    env.deadline_ms = 1;
    cr_assert_eq(rpc_envelope_encode(&env, &buf, &len), 0);
    frame("CIB/participant", buf, len);
    free(buf);
    last(SYND_DEADLINE_EXCEEDED);

    env.deadline_ms = 0;
    env.method = "no slash";
    cr_assert_eq(rpc_envelope_encode(&env, &buf, &len), 0);
    frame("CIB/participant", buf, len);
    free(buf);
    cr_expect_str_eq(last(SYND_INVALID_ARGUMENT)->method, "(frame)");
    cr_expect_eq(stats().calls, 0);
    cr_expect_eq(stats().bad_frames, 3);
}

/* The envelope's own strings are checked on the wire too: protobuf-c
 * would cut this idempotency key at its NUL into another bank's key. */
Test(dispatch, envelope_strings_with_nul_are_refused)
{
    static const uint8_t env[] = {
        0x08, 0x05, /* call 5 */
        0x12, 0x15, '/', 's',  'y', 'n', 'd', '.', 'v', '1', '.', 'H',
        'e',  'a',  'l', 't',  'h', '/', 'C', 'h', 'e', 'c', 'k', /* method */
        0x22, 0x03, 'k', 0x00, 'y'};                              /* idempotency_key */

    frame("BOC-SH/participant", env, sizeof(env));
    cr_expect_str_eq(last(SYND_INVALID_ARGUMENT)->message,
                     "synd.v1.Envelope.idempotency_key holds a NUL byte (byte 1 of it)");
    cr_expect_eq(stats().calls, 0);
}

Test(dispatch, frames_over_the_limit_get_a_status)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    uint8_t payload[1500] = {0}, *buf;
    size_t len;
    char want[128];

    teardown(); /* a server with other limits than the suite's */
    start(1024, (quota_opts){0});
    env.call_id = 5;
    env.method = "/synd.v1.Health/Check";
    env.payload.data = payload;
    env.payload.len = sizeof(payload);
    cr_assert_eq(rpc_envelope_encode(&env, &buf, &len), 0);
    frame("BOC-SH/participant", buf, len);
    free(buf);
    snprintf(want, sizeof(want),
             "frame of %zu bytes exceeds the 1024-byte limit (rule: frame size)", len);
    cr_expect_str_eq(last(SYND_INVALID_ARGUMENT)->message, want);
    cr_expect_eq(stats().bad_frames, 1);
    cr_expect_eq(stats().calls, 0);
}

Test(dispatch, the_rate_quota_refuses_and_records_a_flood_once)
{
    Synd__V1__HealthCheckRequest check = SYND__V1__HEALTH_CHECK_REQUEST__INIT;

    teardown(); /* a server with other limits than the suite's */
    start(0, (quota_opts){.rate = 1, .burst = 3});
    for (uint64_t i = 1; i <= 3; i++)
        call("BOC-SH/participant", i, "/synd.v1.Health/Check", &check.base);
    cr_expect_eq(stats().calls, 3);
    cr_expect_eq(n_seen, 0);
    for (uint64_t i = 4; i <= 20; i++)
        call("BOC-SH/participant", i, "/synd.v1.Health/Check", &check.base);
    cr_expect_eq(stats().calls, 3, "no call over the quota ran");
    cr_expect_eq(n_seen, 1, "a flood is recorded once a second, not once a request");
    cr_expect(strstr(last(SYND_RESOURCE_EXHAUSTED)->message,
                     "bank BOC-SH is over its request rate quota of 1 a second (burst 3)") != NULL,
              "%s", outcomes[0].message);
    /* Garbage counts too, and another bank is not affected. */
    frame("BOC-SH/participant", (const uint8_t *)"\xff\xff", 2);
    cr_expect_eq(n_seen, 1);
    call("CIB/participant", 21, "/synd.v1.Health/Check", &check.base);
    cr_expect_eq(stats().calls, 4);
}

Test(dispatch, the_stream_quota_counts_open_streams_per_bank)
{
    Synd__V1__HealthCheckRequest check = SYND__V1__HEALTH_CHECK_REQUEST__INIT;

    teardown(); /* a server with other limits than the suite's */
    start(0, (quota_opts){.streams = 2});
    call("BOC-SH/participant", 1, "/synd.v1.Health/Watch", &check.base);
    call("BOC-SH/lead", 2, "/synd.v1.Health/Watch", &check.base);
    cr_expect_eq(stats().open_streams, 2);
    call("BOC-SH/participant", 3, "/synd.v1.Health/Watch", &check.base);
    cr_expect_str_eq(last(SYND_RESOURCE_EXHAUSTED)->message,
                     "bank BOC-SH holds 2 open streams, its quota; end one before opening "
                     "another (rule: open stream quota)");
    cr_expect_eq(stats().open_streams, 2);
    call("CIB/participant", 4, "/synd.v1.Health/Watch", &check.base);
    cr_expect_eq(stats().open_streams, 3, "another bank is not affected");
    cancel("BOC-SH/participant", 1);
    cr_expect_eq(stats().open_streams, 2);
    call("BOC-SH/participant", 5, "/synd.v1.Health/Watch", &check.base);
    cr_expect_eq(stats().open_streams, 3, "an ended stream gives its room back");
}
