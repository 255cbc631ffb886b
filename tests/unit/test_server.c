/* Unit tests of frame handling in the RPC server (broker/rpc/server.c),
 * on a server without a socket (zctx NULL): frames go in through
 * rpc_server_process and the outcome is read from the counters, which are
 * what GetStats reports. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/envelope.h"
#include "rpc/health.h"
#include "rpc/reflection.h"
#include "rpc/server.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/reflection.pb-c.h"

static const uint8_t peer[] = {0x00, 0x6b, 0x8b, 0x45, 0x67};
#define PEER peer, sizeof(peer)

static rpc_server *srv;
static rpc_health *health;
static rpc_reflection *refl;

/* A socketless server with Health and Reflection, as the broker has. */
static void setup(void)
{
    rpc_server_opts opts = {.insecure = 1};
    synd_status st = {SYND_OK, ""};

    srv = rpc_server_new(NULL, &opts, &st);
    cr_assert_not_null(srv, "%s", st.message);
    health = rpc_health_new(srv);
    refl = rpc_reflection_new(srv);
    cr_assert_not_null(health);
    cr_assert_not_null(refl);
    cr_assert_eq(rpc_server_add_service(srv, rpc_health_service(health)), 0);
    cr_assert_eq(rpc_server_add_service(srv, rpc_reflection_service(refl)), 0);
    cr_assert_null(rpc_server_socket(srv));
}

/* Tests that free the server themselves set srv to NULL. */
static void teardown(void)
{
    rpc_server_free(srv);
    rpc_health_free(health);
    rpc_reflection_free(refl);
}

TestSuite(server, .init = setup, .fini = teardown);

static rpc_stats stats(void)
{
    rpc_stats s;

    rpc_server_stats(srv, &s);
    return s;
}

/* Sends a request envelope through rpc_server_process as peer, with the
 * payload msg (NULL for none). */
static void send_request(uint64_t call_id, const char *method, int64_t deadline_ms,
                         const ProtobufCMessage *msg, const char *user_id)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    uint8_t payload[256], *buf;
    size_t len;

    env.call_id = call_id;
    env.method = (char *)method;
    env.deadline_ms = deadline_ms;
    if (msg != NULL) {
        cr_assert_leq(protobuf_c_message_get_packed_size(msg), sizeof(payload));
        env.payload.len = protobuf_c_message_pack(msg, payload);
        env.payload.data = payload;
    }
    cr_assert_eq(rpc_envelope_encode(&env, &buf, &len), 0);
    rpc_server_process(srv, PEER, user_id, buf, len);
    free(buf);
}

static void send_cancel(const uint8_t *p, size_t p_len, uint64_t call_id)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    uint8_t *buf;
    size_t len;

    env.call_id = call_id;
    env.cancel = 1;
    cr_assert_eq(rpc_envelope_encode(&env, &buf, &len), 0);
    rpc_server_process(srv, p, p_len, NULL, buf, len);
    free(buf);
}

static void watch(uint64_t call_id, int64_t deadline_ms)
{
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;

    send_request(call_id, "/synd.v1.Health/Watch", deadline_ms, &req.base, NULL);
}

Test(server, a_fresh_server_has_zero_counters)
{
    rpc_stats s = stats();

    cr_assert_eq(s.calls, 0);
    cr_assert_eq(s.bad_frames, 0);
    cr_assert_eq(s.undeliverable, 0);
    cr_assert_eq(s.open_streams, 0);
    cr_assert_eq(s.deadline_exceeded, 0);
    cr_assert_eq(rpc_server_service_count(srv), 2);
    cr_assert_str_eq(rpc_server_service(srv, 0)->name, "synd.v1.Health");
    cr_assert_str_eq(rpc_server_service(srv, 1)->name, "synd.v1.Reflection");
}

Test(server, garbage_counts_a_bad_frame_and_runs_nothing)
{
    const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};

    rpc_server_process(srv, PEER, NULL, garbage, sizeof(garbage));
    cr_assert_eq(stats().bad_frames, 1);
    rpc_server_process(srv, PEER, NULL, garbage, 3);
    cr_assert_eq(stats().bad_frames, 2);
    cr_assert_eq(stats().calls, 0);
    cr_assert_eq(stats().undeliverable, 0);
}

Test(server, empty_frame_and_bad_method_count_as_bad_frames)
{
    const uint8_t none[1] = {0};

    rpc_server_process(srv, PEER, NULL, none, 0);
    cr_assert_eq(stats().bad_frames, 1);
    send_request(1, "Health/Check", 0, NULL, NULL);
    cr_assert_eq(stats().bad_frames, 2);
    send_request(2, "/synd.v1.Health/Ch eck", 0, NULL, NULL);
    cr_assert_eq(stats().bad_frames, 3);
    cr_assert_eq(stats().calls, 0);
}

Test(server, frames_without_a_peer_are_ignored)
{
    const uint8_t garbage[] = {0xff, 0xff};
    uint8_t long_peer[256];

    memset(long_peer, 1, sizeof(long_peer));
    rpc_server_process(srv, peer, 0, NULL, garbage, sizeof(garbage));
    rpc_server_process(srv, long_peer, sizeof(long_peer), NULL, garbage, sizeof(garbage));
    cr_assert_eq(stats().bad_frames, 0);
}

Test(server, unary_calls_are_counted_and_finish)
{
    Synd__V1__HealthCheckRequest check = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__ListMethodsRequest list = SYND__V1__LIST_METHODS_REQUEST__INIT;
    Synd__V1__GetStatsRequest get = SYND__V1__GET_STATS_REQUEST__INIT;
    Synd__V1__WhoAmIRequest who = SYND__V1__WHO_AM_IREQUEST__INIT;

    send_request(1, "/synd.v1.Health/Check", 0, &check.base, NULL);
    check.service = "synd.v1.Nope"; /* NOT_FOUND, still a call */
    send_request(2, "/synd.v1.Health/Check", 0, &check.base, NULL);
    send_request(3, "/synd.v1.Reflection/ListMethods", rpc_now_ms() + 60000, &list.base, NULL);
    send_request(4, "/synd.v1.Reflection/GetStats", 0, &get.base, NULL);
    send_request(5, "/synd.v1.Reflection/WhoAmI", 0, &who.base, "ICBC/lead");
    cr_assert_eq(stats().calls, 5);
    cr_assert_eq(stats().open_streams, 0);
    cr_assert_eq(stats().bad_frames, 0);
    /* Unary calls answered at once hold nothing for the tick to expire. */
    cr_assert_eq(rpc_server_tick(srv, rpc_now_ms() + 3600000), -1);
    cr_assert_eq(stats().deadline_exceeded, 0);
}

Test(server, unknown_method_runs_nothing)
{
    send_request(1, "/synd.v1.Health/Nope", 0, NULL, NULL);
    send_request(2, "/synd.v1.Nope/Check", 0, NULL, NULL);
    cr_assert_eq(stats().calls, 0);
    cr_assert_eq(stats().bad_frames, 0);
}

Test(server, payload_that_is_not_the_input_type_is_a_bad_frame)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    uint8_t junk[] = {0x0a, 0x7f, 'x'}; /* field 1, length 127, one byte */
    uint8_t *buf;
    size_t len;

    env.call_id = 9;
    env.method = "/synd.v1.Health/Check";
    env.payload.data = junk;
    env.payload.len = sizeof(junk);
    cr_assert_eq(rpc_envelope_encode(&env, &buf, &len), 0);
    rpc_server_process(srv, PEER, NULL, buf, len);
    free(buf);
    cr_assert_eq(stats().bad_frames, 1);
    cr_assert_eq(stats().calls, 0);
}

Test(server, malformed_user_id_runs_nothing)
{
    Synd__V1__WhoAmIRequest who = SYND__V1__WHO_AM_IREQUEST__INIT;

    send_request(1, "/synd.v1.Reflection/WhoAmI", 0, &who.base, "no-slash");
    send_request(2, "/synd.v1.Reflection/WhoAmI", 0, &who.base, "ICBC/admin");
    send_request(3, "/synd.v1.Reflection/WhoAmI", 0, &who.base, "/lead");
    cr_assert_eq(stats().calls, 0);
    send_request(4, "/synd.v1.Reflection/WhoAmI", 0, &who.base, "ICBC/participant");
    cr_assert_eq(stats().calls, 1);
}

Test(server, watch_opens_a_stream_and_cancel_closes_it)
{
    const uint8_t other_peer[] = {0x00, 0x11};

    watch(7, 0);
    cr_assert_eq(stats().open_streams, 1);
    cr_assert_eq(stats().calls, 1);
    watch(8, 0);
    cr_assert_eq(stats().open_streams, 2);

    /* A cancel from another peer, or for another call, closes nothing. */
    send_cancel(other_peer, sizeof(other_peer), 7);
    send_cancel(PEER, 99);
    cr_assert_eq(stats().open_streams, 2);
    send_cancel(PEER, 7);
    cr_assert_eq(stats().open_streams, 1);
    send_cancel(PEER, 7);
    cr_assert_eq(stats().open_streams, 1);

    /* Status changes go to the remaining watcher without closing it. */
    rpc_health_set_serving(health, 1);
    rpc_health_set_serving(health, 0);
    cr_assert_eq(stats().open_streams, 1);
    cr_assert_eq(stats().undeliverable, 0);
    cr_assert_eq(stats().bad_frames, 0);
}

Test(server, free_ends_open_streams)
{
    watch(1, 0);
    watch(2, rpc_now_ms() + 60000);
    cr_assert_eq(stats().open_streams, 2);
    rpc_server_free(srv);
    srv = NULL;
    /* The watchers were forgotten: a status change must not reach the
     * freed calls (ASan builds catch a use after free here). */
    rpc_health_set_serving(health, 1);
}

Test(server, past_deadline_is_refused_without_opening_a_stream)
{
    watch(1, rpc_now_ms() - 1000);
    cr_assert_eq(stats().deadline_exceeded, 1);
    cr_assert_eq(stats().open_streams, 0);
    cr_assert_eq(stats().calls, 0);
    watch(2, 1);
    cr_assert_eq(stats().deadline_exceeded, 2);
    watch(3, -5);
    cr_assert_eq(stats().deadline_exceeded, 3);
    cr_assert_eq(stats().open_streams, 0);
    cr_assert_eq(stats().calls, 0);
}

Test(server, tick_expires_a_stream_at_its_deadline)
{
    int64_t now = rpc_now_ms(), deadline = now + 60000;

    watch(1, deadline);
    watch(2, 0);
    cr_assert_eq(stats().open_streams, 2);
    cr_assert_eq(rpc_server_tick(srv, now), 60000);
    cr_assert_eq(rpc_server_tick(srv, deadline - 1), 1);
    cr_assert_eq(stats().open_streams, 2);
    cr_assert_eq(rpc_server_tick(srv, deadline), -1);
    cr_assert_eq(stats().deadline_exceeded, 1);
    cr_assert_eq(stats().open_streams, 1);
    rpc_health_set_serving(health, 1); /* reaches only the stream left */
    cr_assert_eq(stats().open_streams, 1);
}

/* A Health service whose Watch records its cancel hook running, to see
 * that rpc_server_free ends the streams it holds. */
static int cancelled;

static void count_cancel(rpc_call *c, void *arg)
{
    (void)c;
    (void)arg;
    cancelled++;
}

static void spy_watch(Synd__V1__Health_Service *svc, const Synd__V1__HealthCheckRequest *in,
                      Synd__V1__HealthCheckResponse_Closure closure, void *data)
{
    rpc_call_on_cancel(data, count_cancel, NULL);
}

Test(server, free_runs_the_cancel_hook_of_each_open_stream)
{
    Synd__V1__Health_Service spy;
    rpc_server_opts opts = {.insecure = 1};
    synd_status st;
    rpc_server *s = rpc_server_new(NULL, &opts, &st);
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    uint8_t payload[16], *buf;
    size_t len;

    cr_assert_not_null(s);
    synd__v1__health__init(&spy, NULL);
    spy.watch = spy_watch;
    cr_assert_eq(rpc_server_add_service(s, &spy.base), 0);
    env.method = "/synd.v1.Health/Watch";
    env.payload.data = payload;
    env.payload.len = protobuf_c_message_pack(&req.base, payload);
    for (uint64_t id = 1; id <= 3; id++) {
        env.call_id = id;
        cr_assert_eq(rpc_envelope_encode(&env, &buf, &len), 0);
        rpc_server_process(s, PEER, NULL, buf, len);
        free(buf);
    }
    cancelled = 0;
    rpc_server_free(s);
    cr_assert_eq(cancelled, 3);
}

Test(server, too_many_services_are_refused)
{
    for (int i = 2; i < 16; i++)
        cr_assert_eq(rpc_server_add_service(srv, rpc_health_service(health)), 0);
    cr_assert_eq(rpc_server_add_service(srv, rpc_health_service(health)), -1);
    cr_assert_eq(rpc_server_service_count(srv), 16);
}

Test(server, only_health_watch_streams)
{
    const ProtobufCServiceDescriptor *ds[] = {&synd__v1__health__descriptor,
                                              &synd__v1__reflection__descriptor};
    int streaming = 0;

    for (size_t i = 0; i < 2; i++) {
        for (unsigned m = 0; m < ds[i]->n_methods; m++) {
            int want = i == 0 && strcmp(ds[i]->methods[m].name, "Watch") == 0;

            cr_assert_eq(rpc_method_is_streaming(ds[i], m), want, "%s/%s", ds[i]->name,
                         ds[i]->methods[m].name);
            streaming += want;
        }
    }
    cr_assert_eq(streaming, 1);
}

Test(server, streaming_needs_the_exact_service_name)
{
    /* Same methods under a name that is a prefix, or an extension, of
     * synd.v1.Health: none of them streams. */
    const char *names[] = {"synd.v1.Heal", "synd.v1.Healthy", "v1.Health", "synd.v1.Health/"};
    ProtobufCServiceDescriptor d = synd__v1__health__descriptor;

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        d.name = names[i];
        for (unsigned m = 0; m < d.n_methods; m++)
            cr_assert_not(rpc_method_is_streaming(&d, m), "%s/%s", names[i], d.methods[m].name);
    }
}
